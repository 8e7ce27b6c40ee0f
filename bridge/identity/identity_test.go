package identity_test

import (
	"slices"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update, accepted by every test package
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

var directory = config.Identity{
	Users: []config.IdentityUser{
		{
			Therefore:   config.ThereforeRef{ID: 42, Domain: "CORP", Name: "jdoe"},
			Aliases:     []config.ThereforeRef{{Caller: "jdoe-login"}},
			Email:       "jane.doe@example.com",
			DisplayName: "Jane Doe",
			Vendors:     map[string]string{"grommunio": "jdoe@example.com", "superoffice": "17"},
		},
		{Therefore: config.ThereforeRef{Name: "mroe"}, Email: "max.roe@example.com"},
		// Two people called "smith" in two domains: a bare "smith" is ambiguous.
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "smith"}, Email: "a.smith@example.com"},
		{Therefore: config.ThereforeRef{Domain: "LAB", Name: "smith"}, Email: "b.smith@example.com"},
		// One person under two domains is not ambiguous.
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "kim"}, Aliases: []config.ThereforeRef{{Domain: "LAB", Name: "kim"}}, Email: "kim@example.com"},
	},
	Groups: []config.IdentityGroup{{
		Therefore: config.ThereforeRef{Domain: "CORP", Name: "Sales"},
		Members:   []config.ThereforeRef{{ID: 42}, {Domain: "CORP", Name: "mroe"}, {Caller: "svc"}},
	}},
}

func TestLookup(t *testing.T) {
	d := identity.FromConfig(directory)
	tests := []struct {
		name      string
		user      intent.User
		wantEmail string // "" when the user must not be found
	}{
		{"by id", intent.User{UserID: 42}, "jane.doe@example.com"},
		{"by domain and name", intent.User{DomainName: "CORP", UserName: "jdoe"}, "jane.doe@example.com"},
		{"names compare without case", intent.User{DomainName: "corp", UserName: "JDOE"}, "jane.doe@example.com"},
		{"by an alias: the connected caller", intent.User{Connected: true, Caller: "jdoe-login"}, "jane.doe@example.com"},
		{"an unknown id but a known name", intent.User{UserID: 7, DomainName: "CORP", UserName: "jdoe"}, "jane.doe@example.com"},
		{"a name without domain, configured without domain", intent.User{UserName: "mroe"}, "max.roe@example.com"},
		{"a name without domain, configured with one", intent.User{UserName: "jdoe"}, "jane.doe@example.com"},
		{"a name without domain, one person under two domains", intent.User{UserName: "kim"}, "kim@example.com"},
		{"a name without domain, two people", intent.User{UserName: "smith"}, ""},
		{"the other domain", intent.User{DomainName: "LAB", UserName: "smith"}, "b.smith@example.com"},
		{"a wrong domain", intent.User{DomainName: "OTHER", UserName: "jdoe"}, ""},
		{"an unknown id", intent.User{UserID: 7}, ""},
		{"an unknown caller", intent.User{Connected: true, Caller: "nobody"}, ""},
		{"the connected user without authentication", intent.User{Connected: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := d.Lookup(tt.user)
			if ok != (tt.wantEmail != "") || a.Email != tt.wantEmail {
				t.Errorf("Lookup(%+v) = %q, %v; want %q", tt.user, a.Email, ok, tt.wantEmail)
			}
		})
	}
}

func TestAccount(t *testing.T) {
	a, ok := identity.FromConfig(directory).Lookup(intent.User{UserID: 42})
	if !ok {
		t.Fatal("user 42 not found")
	}
	if a.DisplayName != "Jane Doe" || a.UserName != "jdoe" {
		t.Errorf("account %+v: want Jane Doe, user name jdoe", a)
	}
	for vendor, want := range map[string]string{"grommunio": "jdoe@example.com", "superoffice": "17", "lineworks": ""} {
		if got := a.ID(vendor); got != want {
			t.Errorf("ID(%q) = %q, want %q", vendor, got, want)
		}
	}
}

func TestMembers(t *testing.T) {
	d := identity.FromConfig(directory)
	got, ok := d.Members(intent.User{DomainName: "corp", UserName: "sales"})
	if !ok {
		t.Fatal("group CORP\\Sales not found")
	}
	want := []intent.User{{UserID: 42}, {DomainName: "CORP", UserName: "mroe"}, {Connected: true, Caller: "svc"}}
	if !slices.Equal(got, want) {
		t.Errorf("Members = %+v, want %+v", got, want)
	}
	if _, ok := d.Members(intent.User{UserName: "Marketing"}); ok {
		t.Error("an unmapped group has members")
	}
	var _ identity.Directory = d
}
