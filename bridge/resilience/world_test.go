package resilience

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	grommuniofake "github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
	lineworksfake "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
	superofficefake "github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	thereforefake "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	webhookfake "github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
)

// vendorNames are the five vendors every bridge of these tests delivers to.
var vendorNames = []string{"grommunio", "lineworks", "superoffice", "therefore", "webhook"}

// world is the vendors' side: the five fakes on one 127.0.0.1 listener of
// the test process (outside every bridge's process), under the prefixes
// and with the fault API of `thereforebridge fakes`, rate limits off, and
// users r00, r01, ... known to all of them (and to the bridge's directory).
type world struct {
	t       *testing.T
	srv     *httptest.Server
	gro     *grommuniofake.Fake
	lw      *lineworksfake.Fake
	so      *superofficefake.Fake
	tr      *thereforefake.Fake
	wh      *webhookfake.Fake
	users   []string
	secrets string // directory of the secret files the configs refer to
}

func userName(i int) string { return fmt.Sprintf("r%02d", i) }

func newWorld(t *testing.T, users int) *world {
	t.Helper()
	w := &world{t: t, gro: grommuniofake.New(), lw: lineworksfake.New(), so: superofficefake.New(), tr: thereforefake.New(),
		wh: webhookfake.New(), secrets: t.TempDir()}
	w.lw.SetRateLimit(1<<30, time.Minute)
	w.so.SetRateLimit(0)
	for i := range users {
		name := userName(i)
		email := name + "@example.com"
		w.gro.AddUser(grommuniofake.DemoDomainID, email)
		w.lw.AddUser(email, fmt.Sprintf("EMP-%d", 5000+i))
		w.so.AddAssociate(name, "R "+name, email)
		w.tr.AddUser(`CORP\`+name, int32(5000+i))
		w.users = append(w.users, name)
	}
	mux := http.NewServeMux()
	for name, f := range map[string]interface {
		http.Handler
		ControlHandler() http.Handler
		Clear()
	}{"grommunio": w.gro, "lineworks": w.lw, "superoffice": w.so, "therefore": w.tr, "webhook": w.wh} {
		mux.Handle("/"+name+"/", http.StripPrefix("/"+name, f))
		mux.Handle("/debug/vendors/"+name+"/fault", f.ControlHandler())
		t.Cleanup(f.Clear) // hung requests are let go, so the server can close
	}
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

// secret writes a secret to a file and returns its file: reference.
func (w *world) secret(name, value string) string {
	p := filepath.Join(w.secrets, name)
	if err := os.WriteFile(p, []byte(value), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return "file:" + p
}

// fault injects a fault at a vendor through the fault API, as an
// operator rehearsing an outage would.
func (w *world) fault(vendor, body string) {
	w.t.Helper()
	resp, err := http.Post(w.srv.URL+"/debug/vendors/"+vendor+"/fault", "application/json", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("fault %s %s: %s", vendor, body, resp.Status)
	}
}

// vendorsYAML is the vendors: section of a bridge config for the world.
func (w *world) vendorsYAML() string {
	g := grommuniofake.Demo(w.srv.URL + "/grommunio")
	l := lineworksfake.Demo(w.srv.URL + "/lineworks")
	s := superofficefake.Demo(w.srv.URL + "/superoffice")
	tr := thereforefake.Demo(w.srv.URL + "/therefore")
	h := webhookfake.Demo(w.srv.URL + "/webhook")
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return fmt.Sprintf(`vendors:
  grommunio: {base_url: %s, user: %s, password: %s}
  lineworks: {base_url: %s, token_url: %s, client_id: %s, client_secret: %s, service_account: %s, private_key: %s}
  superoffice: {base_url: %s, auth: basic, user: %s, password: %s}
  therefore: {base_url: %s, user: %s, password: %s, tenant: %s}
  webhook: {url: %s, secret: %s}
`,
		q(g.BaseURL), q(w.secret("g-user", g.User.Value())), q(w.secret("g-pw", g.Password.Value())),
		q(l.BaseURL), q(l.TokenURL), q(l.ClientID), q(w.secret("l-secret", l.ClientSecret.Value())), q(l.ServiceAccount), q(w.secret("l-key", l.PrivateKey.Value())),
		q(s.BaseURL), q(s.User), q(w.secret("s-pw", s.Password.Value())),
		q(tr.BaseURL), q(w.secret("t-user", tr.User.Value())), q(w.secret("t-pw", tr.Password.Value())), q(tr.Tenant),
		q(h.URL), q(w.secret("h-secret", h.Secret.Value())))
}

// identityYAML is the directory: every user of the world.
func (w *world) identityYAML() string {
	var b strings.Builder
	b.WriteString("identity:\n  users:\n")
	for _, u := range w.users {
		fmt.Fprintf(&b, "    - {therefore: {domain: CORP, name: %s}, email: %s@example.com, display_name: R %s}\n", u, u, u)
	}
	return b.String()
}
