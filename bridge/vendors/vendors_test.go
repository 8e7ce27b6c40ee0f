package vendors_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
)

// TestRenamedKeys: a file with the old names of renamed keys still works,
// with the same meaning as the new names, and Build warns once per key,
// naming the new one; a file with the new names gets no warning.
func TestRenamedKeys(t *testing.T) {
	t.Setenv("TB_SECRET", "renamed-test-secret")
	const file = `
auth:
  insecure_no_auth: true
vendors:
  grommunio:
    base_url: https://mail.example.com/api/v1
    user: env:TB_SECRET
    password: env:TB_SECRET
    %s: 3m
  superoffice:
    base_url: https://online.superoffice.com/Cust1/api/v1
    auth: soticket
    ticket: env:TB_SECRET
    %s: 7s
`
	cases := []struct {
		name, ttlKey, timeoutKey string
		warnings                 []string // the keys warned about, then their new names
	}{
		{"old names", "lookup_ttl", "request_timeout",
			[]string{"vendors.grommunio.lookup_ttl vendors.grommunio.cache_ttl", "vendors.superoffice.request_timeout vendors.superoffice.timeout"}},
		{"new names", "cache_ttl", "timeout", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.NewReplacer("%s: 3m", tc.ttlKey+": 3m", "%s: 7s", tc.timeoutKey+": 7s").Replace(file)
			c, err := config.Parse([]byte(src), "bridge.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var g grommunio.Config
			var s superoffice.Config
			for name, into := range map[string]interface {
				Defaults()
				Check() error
			}{"grommunio": &g, "superoffice": &s} {
				if err := c.DecodeVendor(name, into); err != nil {
					t.Fatal(err)
				}
				into.Defaults()
				if err := into.Check(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			if g.CacheTTL.D() != 3*time.Minute || s.Timeout.D() != 7*time.Second {
				t.Errorf("cache_ttl %v, timeout %v; want 3m and 7s", g.CacheTTL.D(), s.Timeout.D())
			}
			d, log := vendortest.Deps()
			set, err := vendors.Build(c, d)
			if err != nil {
				t.Fatal(err)
			}
			defer set.Close()
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
				var rec struct {
					Level, Msg, Key string
					NewKey          string `json:"new_key"`
				}
				if line == "" || json.Unmarshal([]byte(line), &rec) != nil || rec.Level != "WARN" {
					continue
				}
				if !strings.Contains(rec.Msg, "renamed") {
					t.Errorf("warning %q", rec.Msg)
				}
				got = append(got, rec.Key+" "+rec.NewKey)
			}
			if strings.Join(got, "|") != strings.Join(tc.warnings, "|") {
				t.Errorf("warnings %q, want %q", got, tc.warnings)
			}
			vendortest.AssertNoSecret(t, fanout.Result{}, log, "renamed-test-secret")
		})
	}
}

// TestNames: a vendor's config key is its one name, the one its logs and
// metrics carry (Name).
func TestNames(t *testing.T) {
	const file = `
auth:
  insecure_no_auth: true
vendors:
  grommunio: {fake: true}
  lineworks: {fake: true}
  log: {}
  superoffice: {fake: true}
  therefore: {fake: true}
  webhook: {fake: true}
`
	c, err := config.Parse([]byte(file), "bridge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := vendortest.Deps()
	set, err := vendors.Build(c, d)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var got []string
	for _, tg := range set.Targets {
		got = append(got, tg.Vendor.Name())
	}
	if want := "grommunio lineworks log superoffice therefore webhook"; strings.Join(got, " ") != want {
		t.Errorf("names %q, want %s", got, want)
	}
}
