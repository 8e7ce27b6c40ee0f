package grommunio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
	"github.com/thereforebridge/thereforebridge/generated"
)

// sent is one request the adapter made.
type sent struct {
	Method, Path, Cookie, CSRF string
	Body                       []byte
}

// recorder is a RoundTripper that keeps every request.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, sent{req.Method, req.URL.Path, req.Header.Get("Cookie"), req.Header.Get("X-Csrf-Token"), body})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// writes are the requests that change something (login aside).
func (r *recorder) writes() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sent
	for _, s := range r.reqs {
		if s.Method != http.MethodGet && !strings.HasSuffix(s.Path, "/login") {
			out = append(out, s)
		}
	}
	return out
}

// count is how many requests were made with method to a path ending in
// suffix.
func (r *recorder) count(method, suffix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.reqs {
		if s.Method == method && strings.HasSuffix(s.Path, suffix) {
			n++
		}
	}
	return n
}

type env struct {
	fake *fake.Fake
	a    *grommunio.Adapter
	log  *vendortest.SafeBuffer
	rec  *recorder
	now  time.Time
}

// newEnv starts a fake and an adapter with its Demo config; edit may
// change the config and deps first.
func newEnv(t *testing.T, edit func(*grommunio.Config, *vendorkit.Deps)) *env {
	t.Helper()
	e := &env{fake: fake.New(), rec: &recorder{}, now: time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)}
	s := vendortest.Setup(t, e.fake, fake.Demo, grommunio.New, func(c *grommunio.Config, d *vendorkit.Deps) {
		d.HTTP = &http.Client{Transport: e.rec}
		d.Now = func() time.Time { return e.now }
		if edit != nil {
			edit(c, d)
		}
	})
	e.a, e.log = s.Adapter, s.Log
	t.Cleanup(func() {
		if v := e.fake.State().Violations; len(v) > 0 {
			t.Errorf("the fake broke grommunio's OpenAPI document: %v", v)
		}
	})
	return e
}

func (e *env) deliver(t *testing.T, call *fanout.Call) fanout.Result {
	t.Helper()
	res := e.a.Deliver(context.Background(), call)
	vendortest.AssertNoSecret(t, res, e.log, fake.DemoPassword)
	for _, s := range e.rec.reqs {
		if jwt := strings.TrimPrefix(s.Cookie, "grommunioAuthJwt="); jwt != "" {
			vendortest.AssertNoSecret(t, res, e.log, jwt)
		}
	}
	return res
}

func (e *env) user(t *testing.T, name string) fake.UserState {
	t.Helper()
	u, ok := e.fake.User(name + "@example.com")
	if !ok {
		u, ok = e.fake.User(name + "@corp.example")
	}
	if !ok {
		t.Fatalf("the fake has no user %s", name)
	}
	return u
}

func oofCall(enabled *bool, add bool) *fanout.Call {
	return vendortest.OOFCall(vendortest.OOFParams(enabled, add))
}

func str(s string) *string { return &s }

func users(names ...string) *generated.ArrayOfWSUserUniversalIdentifier {
	l := &generated.ArrayOfWSUserUniversalIdentifier{}
	for _, n := range names {
		l.WSUserUniversalIdentifier = append(l.WSUserUniversalIdentifier, &generated.WSUserUniversalIdentifier{DomainName: str("CORP"), UserName: str(n)})
	}
	return l
}

func TestOutOfOffice(t *testing.T) {
	tests := []struct {
		name      string
		call      *fanout.Call
		seed      func(*testing.T, *env) // state before the call
		state     string                 // jdoe's oof state afterwards
		delegates []string               // jdoe's delegates afterwards
		golden    []string               // one file per write, in order
		message   string
		// delegateReads: GETs of the delegate list; a replacement
		// writes the list without reading it.
		delegateReads int
	}{
		{name: "on with delegates", call: oofCall(vendortest.Bool(true), true), state: "1",
			delegates: []string{"asmith@example.com", "bwong@example.com"}, golden: []string{"oof-on.json", "delegates.json"},
			message: "out of office on, 2 delegates", delegateReads: 1},
		{name: "off", call: oofCall(vendortest.Bool(false), false), state: "0", golden: []string{"oof-off.json"}},
		{name: "nothing to change", call: oofCall(nil, false), state: "0", message: "nothing to change"},
		{name: "delegates only", call: oofCall(nil, true), state: "0",
			delegates: []string{"asmith@example.com", "bwong@example.com"}, golden: []string{"delegates.json"}, message: "2 delegates", delegateReads: 1},
		{name: "replace", seed: seedDelegates,
			call: vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{
				User: users("jdoe").WSUserUniversalIdentifier[0], DelegateUsers: users("bwong")}),
			state: "0", delegates: []string{"bwong@example.com"}, golden: []string{"delegates-replace.json"}},
		{name: "in both lists stays", seed: seedDelegates,
			call: vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{User: users("jdoe").WSUserUniversalIdentifier[0],
				DelegateUsersToDelete: users("asmith", "bwong"), DelegateUsersToAdd: users("bwong")}),
			state: "0", delegates: []string{"bwong@example.com"}, golden: []string{"delegates-in-both-lists.json"}, delegateReads: 1},
		{name: "add keeps addresses set elsewhere", seed: func(t *testing.T, e *env) {
			p := &generated.SaveOutOfOfficeInfoForUserParams{User: users("jdoe").WSUserUniversalIdentifier[0],
				DelegateUsers: &generated.ArrayOfWSUserUniversalIdentifier{WSUserUniversalIdentifier: []*generated.WSUserUniversalIdentifier{
					{UserName: str("Carol@Partner.example")}}}}
			if res := e.deliver(t, vendortest.OOFCall(p)); res.Status != fanout.OK {
				t.Fatal(res)
			}
		},
			call: vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{User: users("jdoe").WSUserUniversalIdentifier[0],
				DelegateUsersToAdd: users("asmith"), DelegateUsersToDelete: users("bwong")}),
			state: "0", delegates: []string{"Carol@Partner.example", "asmith@example.com"}, golden: []string{"delegates-keep-others.json"}, delegateReads: 1},
		{name: "empty replace clears", seed: seedDelegates,
			call: vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{
				User: users("jdoe").WSUserUniversalIdentifier[0], DelegateUsers: users()}),
			state: "0", delegates: []string{}, golden: []string{"delegates-cleared.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if tt.seed != nil {
				tt.seed(t, e)
				e.rec.reqs = nil
			}
			res := e.deliver(t, tt.call)
			if res.Status != fanout.OK || (tt.message != "" && res.Message != tt.message) {
				t.Fatalf("got %v %q, want ok %q", res.Status, res.Message, tt.message)
			}
			u := e.user(t, "jdoe")
			if string(u.OOF["state"]) != tt.state {
				t.Errorf("oof state = %s, want %s", u.OOF["state"], tt.state)
			}
			if want := append([]string{}, tt.delegates...); !equal(u.Delegates, want) {
				t.Errorf("delegates = %q, want %q", u.Delegates, want)
			}
			if n := e.rec.count(http.MethodGet, "/delegates"); n != tt.delegateReads {
				t.Errorf("%d GETs of the delegate list, want %d", n, tt.delegateReads)
			}
			writes := e.rec.writes()
			if len(writes) != len(tt.golden) {
				t.Fatalf("%d writes, want %d: %+v", len(writes), len(tt.golden), writes)
			}
			for i, w := range writes {
				var b bytes.Buffer
				if err := json.Indent(&b, w.Body, "", "  "); err != nil {
					t.Fatalf("%s %s: body is not JSON: %s", w.Method, w.Path, w.Body)
				}
				b.WriteByte('\n')
				golden.Check(t, filepath.Join(golden.Root(), "vendors", "grommunio", tt.golden[i]), b.Bytes())
			}
		})
	}
}

// seedDelegates gives jdoe the delegates asmith and bwong.
func seedDelegates(t *testing.T, e *env) {
	t.Helper()
	if res := e.deliver(t, oofCall(nil, true)); res.Status != fanout.OK {
		t.Fatal(res)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOnOffKeepsTheRest: PUT resets what it is not sent, so a switch must
// send back the fields grommunio holds (times, audience), and switching
// off must keep the texts.
func TestOnOffKeepsTheRest(t *testing.T) {
	e := newEnv(t, nil)
	if res := e.deliver(t, oofCall(vendortest.Bool(true), false)); res.Status != fanout.OK {
		t.Fatal(res)
	}
	on := e.user(t, "jdoe").OOF
	if got := string(on["internalReply"]); got != `"John Doe is out of the office and will answer your message after returning."` {
		t.Errorf("internalReply = %s", got)
	}
	if res := e.deliver(t, oofCall(vendortest.Bool(false), false)); res.Status != fanout.OK {
		t.Fatal(res)
	}
	off := e.user(t, "jdoe").OOF
	for _, k := range []string{"internalSubject", "internalReply", "externalSubject", "externalReply", "externalAudience"} {
		if string(off[k]) != string(on[k]) {
			t.Errorf("switching off changed %s: %s -> %s", k, on[k], off[k])
		}
	}
}

// TestConnectedUser: a call without User means the SOAP caller.
func TestConnectedUser(t *testing.T) {
	e := newEnv(t, func(_ *grommunio.Config, d *vendorkit.Deps) { d.Directory = directory() })
	p := &generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: vendortest.Bool(true)}
	o := intent.FromOOF(p, "jdoe")
	res := e.deliver(t, &fanout.Call{RequestID: "r1", Operation: "SaveOutOfOfficeInfoForUser", Params: p, OutOfOffice: &o})
	if res.Status != fanout.OK || string(e.user(t, "jdoe").OOF["state"]) != "1" {
		t.Errorf("got %v %q, jdoe's state %s", res.Status, res.Message, e.user(t, "jdoe").OOF["state"])
	}
}

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(*grommunio.Config)
		want string
	}{
		{"relative base_url", func(c *grommunio.Config) { c.BaseURL = "/api/v1" }, "base_url: must be an absolute http(s) URL"},
		{"ftp base_url", func(c *grommunio.Config) { c.BaseURL = "ftp://mail.example.com/api/v1" }, "base_url:"},
		{"credentials in base_url", func(c *grommunio.Config) { c.BaseURL = "https://a:b@mail.example.com/api/v1" }, "base_url: must not carry credentials"},
		{"no user", func(c *grommunio.Config) { c.User = config.Secret{} }, "user: required"},
		{"no password", func(c *grommunio.Config) { c.Password = config.Secret{} }, "password: required"},
		{"bad template", func(c *grommunio.Config) { c.InternalReply = "{{.Nope}}" }, "internal_reply:"},
		{"negative ttl", func(c *grommunio.Config) { c.CacheTTL = -1 }, "cache_ttl: must be between 1s and 24h"},
		{"both ttl keys", func(c *grommunio.Config) {
			c.CacheTTL, c.LookupTTL = config.Duration(time.Minute), config.Duration(time.Hour)
		}, "lookup_ttl: renamed cache_ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fake.Demo("https://mail.example.com")
			tt.edit(&c)
			vendortest.CheckConfig(t, &c, tt.want, fake.DemoPassword)
		})
	}
	c := fake.Demo("https://mail.example.com/")
	c.Defaults()
	if err := c.Check(); err != nil || c.BaseURL != "https://mail.example.com/api/v1" {
		t.Errorf("Demo: %v, base_url %q", err, c.BaseURL)
	}
}

// directory is the sample directory with more people for lookups.
func directory(extra ...config.IdentityUser) identity.Directory {
	base := []config.IdentityUser{
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "jdoe"}, Aliases: []config.ThereforeRef{{Caller: "jdoe"}},
			Email: "jdoe@example.com", DisplayName: "John Doe"},
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "asmith"}, Email: "asmith@example.com"},
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "bwong"}, Email: "bwong@example.com"},
	}
	return identity.FromConfig(config.Identity{Users: append(base, extra...)})
}

func TestConfigYAML(t *testing.T) {
	t.Setenv("GROMMUNIO_USER", "admin")
	t.Setenv("GROMMUNIO_PASSWORD", "Yaml-Secret-99")
	yml := `
auth:
  insecure_no_auth: true
vendors:
  grommunio:
    required: false
    base_url: https://mail.example.com:8443/api/v1/
    user: env:GROMMUNIO_USER
    password: env:GROMMUNIO_PASSWORD
    timeout: 5s
    lookup_ttl: 1m
    internal_reply: "{{.Name}} is away until further notice."
`
	root, err := config.Parse([]byte(yml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c grommunio.Config
	if err := root.DecodeVendor("grommunio", &c); err != nil {
		t.Fatal(err)
	}
	c.Defaults()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://mail.example.com:8443/api/v1" || c.Password.Value() != "Yaml-Secret-99" ||
		c.Timeout.D() != 5*time.Second || c.CacheTTL.D() != time.Minute || c.Targeting().Required == nil {
		t.Errorf("decoded %+v", c)
	}
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, "Yaml-Secret-99") {
		t.Errorf("printing the config shows the password")
	}
}
