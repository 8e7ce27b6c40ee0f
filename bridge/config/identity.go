package config

import "fmt"

// Identity maps Therefore users to each vendor's users.
type Identity struct {
	Users  []IdentityUser  `yaml:"users"`
	Groups []IdentityGroup `yaml:"groups"`
}

// ThereforeRef names a Therefore user in the config: by id, by domain and
// name, or as an authenticated SOAP caller.
type ThereforeRef struct {
	ID     int32  `yaml:"id"`     // Therefore's numeric user or group id
	Domain string `yaml:"domain"` // the Windows domain of name, e.g. CORP
	Name   string `yaml:"name"`   // the user or group name
	Caller string `yaml:"caller"` // the login of an authenticated SOAP caller
}

// IdentityUser is one mapped user.
type IdentityUser struct {
	Therefore ThereforeRef `yaml:"therefore"`
	// Aliases are more names the same person may be called by (e.g. the
	// caller login and the DOMAIN\name form).
	Aliases     []ThereforeRef    `yaml:"aliases"`
	Email       string            `yaml:"email"`        // the user's mail address (vendors keyed by mail, reply texts)
	DisplayName string            `yaml:"display_name"` // the name reply texts show ({{.Name}})
	Vendors     map[string]string `yaml:"vendors"`      // vendor name -> that vendor's id for the user
}

// IdentityGroup expands a Therefore group for vendors that take members.
type IdentityGroup struct {
	Therefore ThereforeRef   `yaml:"therefore"`
	Members   []ThereforeRef `yaml:"members"`
}

func (r ThereforeRef) empty() bool { return r.ID == 0 && r.Name == "" && r.Caller == "" }

func (c *Config) checkIdentity() error {
	for i, u := range c.Identity.Users {
		if u.Therefore.empty() {
			return c.errf(fieldIndex("identity.users", i)+".therefore", "set id, name (with domain) or caller")
		}
	}
	for i, g := range c.Identity.Groups {
		if g.Therefore.empty() {
			return c.errf(fieldIndex("identity.groups", i)+".therefore", "set id or name (with domain)")
		}
	}
	return nil
}

func fieldIndex(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }
