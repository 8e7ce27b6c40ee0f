package superoffice_test

import (
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
)

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(*superoffice.Config)
		want string // "" for valid
	}{
		{"demo", func(*superoffice.Config) {}, ""},
		{"soticket", func(c *superoffice.Config) {
			c.Auth, c.User, c.Password, c.Ticket = "soticket", "", config.Secret{}, config.NewSecret("7T:x")
		}, ""},
		{"bearer", func(c *superoffice.Config) {
			c.Auth, c.User, c.Password = "bearer", "", config.Secret{}
			c.Token, c.AppToken = config.NewSecret("8A:x"), config.NewSecret("app")
		}, ""},
		{"online base", func(c *superoffice.Config) { c.BaseURL = "https://online.superoffice.com/Cust12345/api/v1/" }, ""},
		{"relative base", func(c *superoffice.Config) { c.BaseURL = "/api/v1" }, "base_url: must be an absolute http(s) URL"},
		{"ftp base", func(c *superoffice.Config) { c.BaseURL = "ftp://host/api/v1" }, "base_url: must be an absolute http(s) URL"},
		{"user info in base", func(c *superoffice.Config) { c.BaseURL = "https://u:p@host/api/v1" }, "base_url: must be an absolute http(s) URL"},
		{"base without api/v1", func(c *superoffice.Config) { c.BaseURL = "https://host/site" }, "base_url: must end in /api/v1"},
		{"no auth", func(c *superoffice.Config) { c.Auth = "" }, `auth: must be basic, soticket or bearer, got ""`},
		{"unknown auth", func(c *superoffice.Config) { c.Auth = "ntlm" }, `auth: must be basic, soticket or bearer, got "ntlm"`},
		{"basic without password", func(c *superoffice.Config) { c.Password = config.Secret{} }, "password: required with auth: basic"},
		{"basic without user", func(c *superoffice.Config) { c.User = "" }, "user: required with auth: basic"},
		{"user with colon", func(c *superoffice.Config) { c.User = "a:b" }, "user: must not contain ':'"},
		{"leftover ticket", func(c *superoffice.Config) { c.Ticket = config.NewSecret("7T:x") }, "ticket: not used with auth: basic"},
		{"bearer without app token", func(c *superoffice.Config) {
			c.Auth, c.User, c.Password, c.Token = "bearer", "", config.Secret{}, config.NewSecret("8A:x")
		}, "app_token: required with auth: bearer"},
		{"soticket without ticket", func(c *superoffice.Config) { c.Auth, c.User, c.Password = "soticket", "", config.Secret{} },
			"ticket: required with auth: soticket"},
		{"unknown away status", func(c *superoffice.Config) { c.AwayStatus = "Away" },
			`away_status: "Away" is not a SuperOffice UserStatus; use one of StatusNone, StatusNormal, StatusNotAvailable`},
		{"numeric back status", func(c *superoffice.Config) { c.BackStatus = "1" }, `back_status: "1" is not a SuperOffice UserStatus`},
		{"every enum name", func(c *superoffice.Config) { c.AwayStatus, c.BackStatus = "StatusSystem", "StatusNone" }, ""},
		{"bad away template", func(c *superoffice.Config) { c.AwayMessage = "{{.Name" }, "away_message: "},
		{"unknown template field", func(c *superoffice.Config) { c.BackMessage = "{{.Nope}}" }, "back_message: "},
		{"negative timeout", func(c *superoffice.Config) { c.Timeout = config.Duration(-time.Second) }, "timeout: must be between"},
		{"both timeout keys", func(c *superoffice.Config) {
			c.Timeout, c.RequestTimeout = config.Duration(time.Second), config.Duration(time.Minute)
		}, "request_timeout: renamed timeout"},
		{"tiny cache", func(c *superoffice.Config) { c.CacheTTL = config.Duration(time.Millisecond) }, "cache_ttl: must be between 1s and 24h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fake.Demo("http://127.0.0.1:9")
			tt.edit(&c)
			vendortest.CheckConfig(t, &c, tt.want, fake.DemoPassword)
		})
	}
}

// TestConfigYAML: the yaml names as an operator writes them, secrets by
// reference only.
func TestConfigYAML(t *testing.T) {
	t.Setenv("SO_TOKEN", "8A:from-env")
	t.Setenv("SO_APP", "app-from-env")
	src := `
required: false
base_url: https://online.superoffice.com/Cust12345/api/v1
auth: bearer
token: env:SO_TOKEN
app_token: env:SO_APP
request_timeout: 5s
cache_ttl: 1h
away_status: StatusNotAvailable
away_message: "{{.Name}} is away"
back_status: StatusNormal
back_message: ""
`
	c := vendortest.ReadConfig[superoffice.Config](t, src)
	if c.Token.Value() != "8A:from-env" || c.AppToken.Value() != "app-from-env" || c.CacheTTL.D() != time.Hour ||
		c.Timeout.D() != 5*time.Second || c.AwayMessage != "{{.Name}} is away" || *c.Required {
		t.Errorf("decoded %+v", c)
	}
}
