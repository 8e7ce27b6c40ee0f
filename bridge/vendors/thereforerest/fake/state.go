package fake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// State is a snapshot of the fake, for tests and /debug/vendors/therefore.
type State struct {
	// Users are the out-of-office settings, by Therefore name.
	Users map[string]UserState `json:"users"`
	// PortalUsers are the saved portal users, by lower-case e-mail.
	PortalUsers map[string]PortalUser `json:"portal_users"`
	// LastBodies are the last bodies received per operation, secrets masked.
	LastBodies map[string]json.RawMessage `json:"last_bodies"`
	// Calls are the requests received, oldest first.
	Calls []Call `json:"calls"`
	// Overlaps counts, per user (lower-case Therefore name, or a portal
	// user's e-mail), requests that began while another for the same
	// user was in progress.
	Overlaps map[string]int `json:"overlaps"`
	// History is, per user (keyed as Overlaps), the user's state (a
	// UserState, or a PortalUser) after each change, oldest first.
	History map[string][]fakekit.Applied `json:"history"`
}

// UserState is one user's out-of-office setting.
type UserState struct {
	OutOfOffice bool     `json:"out_of_office"`
	Delegates   []string `json:"delegates"`
}

// PortalUser is a saved portal user; its password is never kept.
type PortalUser struct {
	Email           string `json:"email"`
	UserName        string `json:"user_name,omitempty"`
	QueryNo         int32  `json:"query_no,omitempty"`
	CtgryNo         int32  `json:"ctgry_no,omitempty"`
	PasswordSet     bool   `json:"password_set"`
	OneTimePassword bool   `json:"one_time_password"`
	Conditions      int    `json:"conditions"`
	IndexDataItems  int    `json:"index_data_items"`
}

// Call is one request as the fake saw it.
type Call struct {
	Operation string `json:"operation"`
	Auth      string `json:"auth"` // basic, basic+token, bearer; "" when refused
	Tenant    string `json:"tenant,omitempty"`
	TimeZone  string `json:"time_zone,omitempty"`
	UseToken  bool   `json:"use_token,omitempty"`
	Status    int    `json:"status"` // 0: the connection was dropped
}

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := State{Users: map[string]UserState{}, PortalUsers: map[string]PortalUser{},
		LastBodies: map[string]json.RawMessage{}, Calls: slices.Clone(f.calls), Overlaps: f.overlaps.Snapshot(),
		History: f.history.Snapshot()}
	for _, u := range f.users {
		s.Users[u.name] = f.userState(u)
	}
	for k, p := range f.portalUsers {
		s.PortalUsers[k] = p
	}
	for op, b := range f.lastBodies {
		s.LastBodies[op] = maskSecrets(b)
	}
	return s
}

// DebugState implements the bridge's Debugger.
func (f *Fake) DebugState() any { return f.State() }

// appError is a Therefore application error: a 500 WSError.
type appError struct{ code, msg string }

func (e *appError) Error() string { return e.code + ": " + e.msg }

// subject is the user a body is about: the portal user's e-mail, or the
// key of the out-of-office user (the connected user when none is named);
// "" when it names none the fake knows.
func (f *Fake) subject(body []byte) string {
	var p struct {
		User       *userID
		PortalUser *struct{ Email *string }
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	if p.PortalUser != nil {
		if p.PortalUser.Email == nil {
			return ""
		}
		return *p.PortalUser.Email
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key, _ := f.resolve(p.User)
	return key
}

// resolve finds the user u names; nil is the connected user.
func (f *Fake) resolve(u *userID) (string, *appError) {
	if u == nil {
		return DemoUser, nil
	}
	if u.UserId != nil && *u.UserId != 0 {
		if k, ok := f.ids[*u.UserId]; ok {
			return k, nil
		}
		return "", &appError{"ObjectNotFound", fmt.Sprintf("no user with UserId %d", *u.UserId)}
	}
	name := ""
	if u.UserName != nil {
		name = *u.UserName
	}
	if u.DomainName != nil && *u.DomainName != "" {
		name = *u.DomainName + `\` + name
	}
	if _, ok := f.users[strings.ToLower(name)]; !ok || name == "" {
		return "", &appError{"ObjectNotFound", fmt.Sprintf("user %q was not found", name)}
	}
	return strings.ToLower(name), nil
}

func (f *Fake) resolveAll(us []*userID) ([]string, *appError) {
	var keys []string
	for _, u := range us {
		if u == nil {
			continue
		}
		k, err := f.resolve(u)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// saveOOF applies Therefore's rules: a nil IsOutOfOfficeEnabled leaves the
// status; DelegateUsers replaces the list and makes the other two lists
// ignored; a user in both DelegateUsersToDelete and DelegateUsersToAdd
// stays.
func (f *Fake) saveOOF(p *oofParams) *appError {
	f.mu.Lock()
	defer f.mu.Unlock()
	key, err := f.resolve(p.User)
	if err != nil {
		return err
	}
	u := f.users[key]
	var delegates []string
	switch {
	case p.DelegateUsers != nil:
		if delegates, err = f.resolveAll(p.DelegateUsers); err != nil {
			return err
		}
	default:
		add, err := f.resolveAll(p.DelegateUsersToAdd)
		if err != nil {
			return err
		}
		del, err := f.resolveAll(p.DelegateUsersToDelete)
		if err != nil {
			return err
		}
		for _, k := range u.delegates {
			if !slices.Contains(del, k) || slices.Contains(add, k) {
				delegates = append(delegates, k)
			}
		}
		for _, k := range add {
			if !slices.Contains(delegates, k) {
				delegates = append(delegates, k)
			}
		}
	}
	if p.IsOutOfOfficeEnabled != nil {
		u.oof = *p.IsOutOfOfficeEnabled
	}
	u.delegates = delegates
	f.history.Record(key, f.userState(u))
	return nil
}

// userState is u as State shows it; f.mu is held.
func (f *Fake) userState(u *user) UserState {
	d := []string{}
	for _, k := range u.delegates {
		d = append(d, f.users[k].name)
	}
	return UserState{OutOfOffice: u.oof, Delegates: d}
}

// savePortalUser checks what the operation page makes mandatory and keeps
// the user, without its password.
func (f *Fake) savePortalUser(p *portalParams) *appError {
	pu := p.PortalUser
	switch {
	case pu == nil:
		return &appError{"InvalidArgument", "PortalUser is mandatory"}
	case pu.Email == nil || strings.TrimSpace(*pu.Email) == "":
		return &appError{"InvalidArgument", "Email is mandatory"}
	case pu.QueryNo <= 0 && pu.CtgryNo <= 0:
		return &appError{"InvalidArgument", "one of QueryNo or CtgryNo must be greater than 0"}
	}
	saved := PortalUser{Email: *pu.Email, QueryNo: pu.QueryNo, CtgryNo: pu.CtgryNo,
		PasswordSet: pu.UserPwd != nil && *pu.UserPwd != "", OneTimePassword: p.IsOneTimePwd != nil && *p.IsOneTimePwd,
		Conditions: len(pu.Conditions), IndexDataItems: len(pu.IndexDataItems)}
	if pu.UserName != nil {
		saved.UserName = *pu.UserName
	}
	f.mu.Lock()
	f.portalUsers[strings.ToLower(saved.Email)] = saved
	f.history.Record(saved.Email, saved)
	f.mu.Unlock()
	return nil
}
