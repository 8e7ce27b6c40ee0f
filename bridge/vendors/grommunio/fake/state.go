package fake

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// State is a JSON-able snapshot of the fake.
type State struct {
	Domains []DomainState  `json:"domains"`
	Calls   map[string]int `json:"calls"`
	// Violations are answers of the fake that broke the document (a bug
	// of the fake; they were replaced by a 500 as grommunio does).
	Violations []string `json:"violations,omitempty"`
	// Overlaps counts, per username, requests that began while another
	// for the same user was in progress.
	Overlaps map[string]int `json:"overlaps"`
	// History is, per username, the user's state after each change,
	// oldest first.
	History map[string][]fakekit.Applied `json:"history"`
}

// DomainState is one domain with its users.
type DomainState struct {
	ID    int         `json:"ID"`
	Name  string      `json:"domainname"`
	Users []UserState `json:"users"`
}

// UserState is one user's out of office state and delegates.
type UserState struct {
	ID        int                        `json:"ID"`
	Username  string                     `json:"username"`
	OOF       map[string]json.RawMessage `json:"oof"`
	Delegates []string                   `json:"delegates"`
}

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := State{Calls: f.calls.Snapshot(), Violations: append([]string(nil), f.violations...), Overlaps: f.overlaps.Snapshot(),
		History: f.history.Snapshot()}
	for _, d := range f.domains {
		ds := DomainState{ID: d.ID, Name: d.Name, Users: []UserState{}}
		for _, u := range f.sortedUsers() {
			if u.DomainID == d.ID {
				ds.Users = append(ds.Users, u.state())
			}
		}
		s.Domains = append(s.Domains, ds)
	}
	return s
}

// DebugState returns State for /debug/vendors/grommunio.
func (f *Fake) DebugState() any { return f.State() }

// User returns the state of the user with that username.
func (f *Fake) User(username string) (UserState, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if strings.EqualFold(u.Username, username) {
			return u.state(), true
		}
	}
	return UserState{}, false
}

func (u *user) state() UserState {
	oof := make(map[string]json.RawMessage, len(u.oof))
	for k, v := range u.oof {
		oof[k] = v
	}
	return UserState{ID: u.ID, Username: u.Username, OOF: oof, Delegates: append([]string{}, u.delegates...)}
}

func (f *Fake) sortedUsers() []*user {
	out := make([]*user, 0, len(f.users))
	for _, u := range f.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
