// Package intent turns a decoded SaveOutOfOfficeInfoForUser into what it
// asks for, with Therefore's rules already applied, so that no vendor
// adapter re-reads the SOAP types or re-implements those rules:
//   - a nil User means the connected (authenticated) user;
//   - a nil IsOutOfOfficeEnabled leaves the status unchanged;
//   - DelegateUsers, when present, replaces the delegate list and makes
//     DelegateUsersToDelete/DelegateUsersToAdd ignored;
//   - a user in both DelegateUsersToDelete and DelegateUsersToAdd stays.
package intent

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/thereforebridge/thereforebridge/generated"
)

// User is a Therefore user or group as a SOAP call named it.
type User struct {
	UserID     int32  `json:"UserId,omitempty"` // 0 when not given
	DomainName string `json:"DomainName,omitempty"`
	UserName   string `json:"UserName,omitempty"`
	Type       string `json:"UserType,omitempty"` // SingleUser, UserGroup, SystemUser; "" when not given
	// Connected marks "the connected user": the call left User nil, so the
	// authenticated SOAP caller is meant; Caller names them ("" when the
	// endpoint has no authentication).
	Connected bool   `json:"Connected,omitempty"`
	Caller    string `json:"Caller,omitempty"`
}

// Key is a stable, case-insensitive identity for comparisons and maps:
// "id:42", `name:corp\jdoe`, or "caller:jdoe".
func (u User) Key() string {
	switch {
	case u.Connected:
		return "caller:" + strings.ToLower(u.Caller)
	case u.UserID != 0:
		return "id:" + strconv.Itoa(int(u.UserID))
	case u.DomainName != "":
		return "name:" + strings.ToLower(u.DomainName) + `\` + strings.ToLower(u.UserName)
	}
	return "name:" + strings.ToLower(u.UserName)
}

// String names the user for messages and logs.
func (u User) String() string {
	switch {
	case u.Connected && u.Caller != "":
		return "the connected user " + u.Caller
	case u.Connected:
		return "the connected user"
	case u.UserName != "" && u.DomainName != "":
		return u.DomainName + `\` + u.UserName
	case u.UserName != "":
		return u.UserName
	}
	return fmt.Sprintf("user #%d", u.UserID)
}

// IsGroup reports whether u names a user group.
func (u User) IsGroup() bool { return u.Type == string(generated.WSUserTypeUserGroup) }

// DelegateChange is what happens to a user's delegate list.
type DelegateChange struct {
	// Replace: the list becomes exactly Set (DelegateUsers was sent).
	Replace bool   `json:"Replace,omitempty"`
	Set     []User `json:"Set,omitempty"`
	// Otherwise Add and Delete apply; Delete never holds a user of Add.
	Add    []User `json:"Add,omitempty"`
	Delete []User `json:"Delete,omitempty"`
}

// OutOfOffice is a SaveOutOfOfficeInfoForUser call.
type OutOfOffice struct {
	User      User            `json:"User"`
	Enabled   *bool           `json:"Enabled,omitempty"`   // nil: unchanged
	Delegates *DelegateChange `json:"Delegates,omitempty"` // nil: unchanged
}

// Apply returns the delegate list after the change, given the current one;
// keys compare users (see User.Key).
func (d *DelegateChange) Apply(current []User) []User {
	if d == nil {
		return current
	}
	if d.Replace {
		return dedupe(d.Set)
	}
	del := map[string]bool{}
	for _, u := range d.Delete {
		del[u.Key()] = true
	}
	var out []User
	for _, u := range current {
		if !del[u.Key()] {
			out = append(out, u)
		}
	}
	return dedupe(append(out, d.Add...))
}

func dedupe(us []User) []User {
	seen := map[string]bool{}
	out := make([]User, 0, len(us))
	for _, u := range us {
		if k := u.Key(); !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	return out
}

// FromUser converts a generated identifier.
func FromUser(u *generated.WSUserUniversalIdentifier) User {
	var out User
	if u.UserId != nil {
		out.UserID = *u.UserId
	}
	if u.DomainName != nil {
		out.DomainName = strings.TrimSpace(*u.DomainName)
	}
	if u.UserName != nil {
		out.UserName = strings.TrimSpace(*u.UserName)
	}
	if u.UserType != nil {
		out.Type = string(*u.UserType)
	}
	return out
}

func fromList(l *generated.ArrayOfWSUserUniversalIdentifier) []User {
	if l == nil {
		return nil
	}
	out := make([]User, 0, len(l.WSUserUniversalIdentifier))
	for _, u := range l.WSUserUniversalIdentifier {
		if u != nil {
			out = append(out, FromUser(u))
		}
	}
	return out
}

// FromOOF reads a validated SaveOutOfOfficeInfoForUser; caller is the
// authenticated SOAP caller ("" when none).
func FromOOF(p *generated.SaveOutOfOfficeInfoForUserParams, caller string) OutOfOffice {
	o := OutOfOffice{Enabled: p.IsOutOfOfficeEnabled}
	if p.User != nil {
		o.User = FromUser(p.User)
	} else {
		o.User = User{Connected: true, Caller: caller}
	}
	switch {
	case p.DelegateUsers != nil:
		o.Delegates = &DelegateChange{Replace: true, Set: dedupe(fromList(p.DelegateUsers))}
	case p.DelegateUsersToAdd != nil || p.DelegateUsersToDelete != nil:
		add := dedupe(fromList(p.DelegateUsersToAdd))
		inAdd := map[string]bool{}
		for _, u := range add {
			inAdd[u.Key()] = true
		}
		var del []User
		for _, u := range dedupe(fromList(p.DelegateUsersToDelete)) {
			if !inAdd[u.Key()] { // in both lists: the user stays
				del = append(del, u)
			}
		}
		o.Delegates = &DelegateChange{Add: add, Delete: del}
	}
	return o
}
