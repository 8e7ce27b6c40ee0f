package lineworks_test

import (
	"fmt"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

func TestConfig(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		err  string // "" when valid
	}{
		{"demo", func(*Config) {}, ""},
		{"key with literal \\n", func(c *Config) {
			c.PrivateKey = config.NewSecret(strings.ReplaceAll(fake.DemoPrivateKeyPEM, "\n", `\n`))
		}, ""},
		{"relative base", func(c *Config) { c.BaseURL = "/v1.0" }, "base_url: must be an absolute http(s) URL"},
		{"ftp token url", func(c *Config) { c.TokenURL = "ftp://auth.example.com/token" }, "token_url: must be an absolute http(s) URL"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "client_id: required"},
		{"no client secret", func(c *Config) { c.ClientSecret = config.Secret{} }, "client_secret: required"},
		{"no service account", func(c *Config) { c.ServiceAccount = "" }, "service_account: required"},
		{"no key", func(c *Config) { c.PrivateKey = config.Secret{} }, "private_key: required"},
		{"key not PEM", func(c *Config) { c.PrivateKey = config.NewSecret("s3cret-not-a-key") }, "private_key: not a PEM block"},
		{"public key", func(c *Config) { c.PrivateKey = config.NewSecret(fake.DemoPublicKeyPEM) }, "private_key: not an RSA private key"},
		{"assertion too long", func(c *Config) { c.AssertionLifetime = config.Duration(61 * time.Minute) }, "assertion_lifetime: must be between 1s and 60m"},
		{"negative margin", func(c *Config) { c.RefreshMargin = config.Duration(-time.Second) }, "refresh_margin: must not be negative"},
		{"unknown status", func(c *Config) { c.StatusType = "HOLIDAY" }, `status_type: must be one of BUSY`},
		{"long marker", func(c *Config) { c.Marker = strings.Repeat("x", 21) }, "marker: must be plain text of at most 20 characters"},
		{"bad template", func(c *Config) { c.StatusMessage = "{{.Nme}}" }, "status_message:"},
		{"bad reply template", func(c *Config) { c.AutoReplyExternal = "{{" }, "auto_reply_external:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fake.Demo("http://127.0.0.1:1")
			tc.edit(&c)
			vendortest.CheckConfig(t, &c, tc.err, "s3cret", "MII") // no error quotes the key
		})
	}
}

func TestDefaults(t *testing.T) {
	var c Config
	c.Defaults()
	want := Config{BaseURL: "https://www.worksapis.com/v1.0", TokenURL: "https://auth.worksmobile.com/oauth2/v2.0/token",
		Scope: "user", AssertionLifetime: config.Duration(time.Hour), RefreshMargin: config.Duration(5 * time.Minute), Common: vendorkit.Common{Timeout: config.Duration(15 * time.Second)},
		StatusType: "ABSENCE", Marker: "[OOF]", StatusMessage: "{{.Name}} is out of the office"}
	if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", want) {
		t.Errorf("defaults\n got %+v\nwant %+v", c, want)
	}
	d := fake.Demo("http://fake")
	if s := fmt.Sprintf("%+v %#v", d, d); strings.Contains(s, fake.DemoClientSecret) || strings.Contains(s, "PRIVATE KEY") {
		t.Errorf("printing the config shows a secret: %s", s)
	}
}

// TestYAML reads a config as the bridge does: strictly, secrets by
// reference, durations as text.
func TestYAML(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, []byte(fake.DemoPrivateKeyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LW_SECRET", "from-the-environment")
	src := `required: false
operations: [SaveOutOfOfficeInfoForUser]
client_id: app-1
client_secret: env:LW_SECRET
service_account: bridge.serviceaccount@example.com
private_key: file:` + keyFile + `
refresh_margin: 2m
status_type: LEAVE_OFFICE
status_message: "Away until further notice"
`
	c := vendortest.ReadConfig[Config](t, src)
	if c.ClientSecret.Value() != "from-the-environment" || c.RefreshMargin.D() != 2*time.Minute || c.Required == nil || *c.Required ||
		c.StatusType != "LEAVE_OFFICE" || len(c.Operations) != 1 {
		t.Errorf("decoded %+v", c)
	}
}
