package superoffice_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
)

// day is the tests' today: out-of-office texts carry the date.
var day = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// sent is one request as the vendor received it.
type sent struct {
	Request string            `json:"request"` // "PUT /api/v1/User/17/UserPresenceStatus"
	Headers map[string]string `json:"headers"` // Authorization shows its scheme only
	Body    json.RawMessage   `json:"body,omitempty"`
}

// recorder remembers what reaches the fake.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

func (rc *recorder) record(r *http.Request, b []byte) {
	h := map[string]string{}
	for _, k := range []string{"Accept", "Content-Type"} {
		if v := r.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	if scheme, _, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
		h["Authorization"] = scheme + " [redacted]"
	}
	if r.Header.Get("SO-AppToken") != "" {
		h["SO-AppToken"] = "[redacted]"
	}
	s := sent{Request: r.Method + " " + r.URL.RequestURI(), Headers: h}
	if len(b) > 0 {
		s.Body = b
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, s)
	rc.mu.Unlock()
}

func (rc *recorder) take() []sent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.reqs
	rc.reqs = nil
	return out
}

// env is an adapter talking to a fake through httptest.
type env struct {
	fake  *fake.Fake
	srv   *httptest.Server
	rec   *recorder
	clock *vendortest.Clock // so that cache expiry needs no sleeping
	log   *vendortest.SafeBuffer
	cfg   superoffice.Config
	a     *superoffice.Adapter
}

// configFor is a configuration with mode's demo credentials.
func configFor(mode fake.AuthMode, baseURL string) superoffice.Config {
	c := fake.Demo(baseURL)
	switch mode {
	case fake.AuthSOTicket:
		c.Auth, c.User, c.Password = superoffice.AuthSOTicket, "", config.Secret{}
		c.Ticket = config.NewSecret(fake.DemoTicket)
	case fake.AuthBearer:
		c.Auth, c.User, c.Password = superoffice.AuthBearer, "", config.Secret{}
		c.Token, c.AppToken = config.NewSecret(fake.DemoToken), config.NewSecret(fake.DemoAppToken)
	}
	return c
}

type option func(*envOptions)

type envOptions struct {
	mode  fake.AuthMode
	edit  func(*superoffice.Config)
	limit int
}

func withAuth(m fake.AuthMode) option               { return func(o *envOptions) { o.mode = m } }
func withConfig(f func(*superoffice.Config)) option { return func(o *envOptions) { o.edit = f } }
func withRateLimit(perSecond int) option            { return func(o *envOptions) { o.limit = perSecond } }

// newEnv starts a fake (Basic auth, no rate limit unless asked) and an
// adapter for it, on a clock frozen at day.
func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	o := envOptions{mode: fake.AuthBasic}
	for _, opt := range opts {
		opt(&o)
	}
	e := &env{fake: fake.NewWithAuth(o.mode), clock: vendortest.NewClock(day)}
	// Only the rate-limit tests want a limit; the shared frozen clock keeps
	// its window independent of how fast the machine is.
	e.fake.SetRateLimit(o.limit)
	e.fake.SetClock(e.clock.Now)
	e.rec = &recorder{}
	demo := func(baseURL string) superoffice.Config { return configFor(o.mode, baseURL) }
	s := vendortest.Setup(t, vendortest.Tap(e.fake, e.rec.record), demo, superoffice.New, func(c *superoffice.Config, d *vendorkit.Deps) {
		if o.edit != nil {
			o.edit(c)
		}
		d.Now = e.clock.Now
	})
	e.srv, e.cfg, e.a, e.log = s.Server, s.Config, s.Adapter, s.Log
	return e
}

// presence is an associate's end state.
type presence struct{ Status, Message string }

func (e *env) presence() map[int]presence {
	out := map[int]presence{}
	for _, a := range e.fake.State().Associates {
		out[a.AssociateID] = presence{a.Status, a.Message}
	}
	return out
}

func (e *env) requests(route string) int { return e.fake.State().Requests[route] }

const (
	routeLookup = "GET User/{userName}"
	routePut    = "PUT User/{associateId}/UserPresenceStatus"
)

// secrets are every credential the tests use, for leak checks.
var secrets = []string{fake.DemoPassword, fake.DemoTicket, fake.DemoToken, fake.DemoAppToken, vendortest.PortalUserSecret}
