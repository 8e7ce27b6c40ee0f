// Package identity is the bridge's directory: it maps a Therefore user, as
// a SOAP call names it (UserId, or DomainName and UserName, or the
// connected caller), to the person behind it and to that person's id at
// each vendor, from the configuration. Vendors that can look users up
// themselves use it first and fall back to their own lookup.
package identity

import (
	"fmt"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

// Account is a mapped person.
type Account struct {
	Email       string
	DisplayName string
	UserName    string            // Therefore user name, when known
	IDs         map[string]string // vendor name -> the vendor's id
}

// ID returns the person's id at vendor, "" when not configured.
func (a Account) ID(vendor string) string { return a.IDs[vendor] }

// Directory answers who a Therefore user is.
type Directory interface {
	// Lookup returns the account of u; ok is false when u is not mapped.
	Lookup(u intent.User) (Account, bool)
	// Members expands a group; ok is false when the group is not mapped.
	Members(g intent.User) ([]intent.User, bool)
}

// Static is a Directory built from the configuration.
type Static struct {
	users  map[string]Account
	groups map[string][]intent.User
}

// FromConfig builds a Static directory.
func FromConfig(c config.Identity) *Static {
	s := &Static{users: map[string]Account{}, groups: map[string][]intent.User{}}
	for _, u := range c.Users {
		acct := Account{Email: u.Email, DisplayName: u.DisplayName, UserName: u.Therefore.Name, IDs: u.Vendors}
		for _, ref := range append([]config.ThereforeRef{u.Therefore}, u.Aliases...) {
			for _, k := range keys(ref) {
				s.users[k] = acct
			}
		}
	}
	for _, g := range c.Groups {
		var members []intent.User
		for _, m := range g.Members {
			members = append(members, userOf(m))
		}
		for _, k := range keys(g.Therefore) {
			s.groups[k] = members
		}
	}
	return s
}

func userOf(r config.ThereforeRef) intent.User {
	if r.Caller != "" {
		return intent.User{Connected: true, Caller: r.Caller}
	}
	return intent.User{UserID: r.ID, DomainName: r.Domain, UserName: r.Name}
}

// keys are the intent.User keys a configured reference answers to: an id
// and a name both, when both are given.
func keys(r config.ThereforeRef) []string {
	var ks []string
	if r.Caller != "" {
		ks = append(ks, intent.User{Connected: true, Caller: r.Caller}.Key())
	}
	if r.ID != 0 {
		ks = append(ks, fmt.Sprintf("id:%d", r.ID))
	}
	if r.Name != "" {
		ks = append(ks, intent.User{DomainName: r.Domain, UserName: r.Name}.Key())
	}
	return ks
}

// Lookup implements Directory. A user named without a domain also matches
// a configured user of that name when exactly one such exists.
func (s *Static) Lookup(u intent.User) (Account, bool) {
	if a, ok := s.users[u.Key()]; ok {
		return a, true
	}
	if u.UserID != 0 && u.UserName != "" { // both sent: try the name too
		if a, ok := s.users[intent.User{DomainName: u.DomainName, UserName: u.UserName}.Key()]; ok {
			return a, true
		}
	}
	if !u.Connected && u.DomainName == "" && u.UserName != "" {
		var found *Account
		suffix := `\` + strings.ToLower(u.UserName)
		for k, a := range s.users {
			if strings.HasPrefix(k, "name:") && strings.HasSuffix(k, suffix) {
				if found != nil && found.Email != a.Email {
					return Account{}, false // ambiguous
				}
				a := a
				found = &a
			}
		}
		if found != nil {
			return *found, true
		}
	}
	return Account{}, false
}

// Members implements Directory.
func (s *Static) Members(g intent.User) ([]intent.User, bool) {
	m, ok := s.groups[g.Key()]
	return m, ok
}
