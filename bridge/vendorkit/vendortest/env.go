package vendortest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// Serve starts h (a vendor's fake, or a handler standing in for one) on
// an httptest server that is closed when the test ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Config is what every vendor's configuration offers: its defaults and
// its checks.
type Config[C any] interface {
	*C
	Defaults()
	Check() error
}

// Env is one adapter talking to a vendor's fake through httptest.
type Env[C, V any] struct {
	Server  *httptest.Server
	Config  C // as the adapter got it: edited, with its defaults
	Adapter V
	Log     *SafeBuffer // what the adapter logged
}

// Setup serves h and builds an adapter for it as the bridge does at
// start-up: the configuration demo(the server's URL), changed by edit,
// with its defaults filled in and checked, then newV. The dependencies are
// Deps() talking through the server's own client; edit may change them
// too. Any error ends the test.
func Setup[C any, PC Config[C], V any](t testing.TB, h http.Handler, demo func(baseURL string) C,
	newV func(C, vendorkit.Deps) (V, error), edit func(*C, *vendorkit.Deps)) Env[C, V] {
	t.Helper()
	e := Env[C, V]{Server: Serve(t, h)}
	e.Config = demo(e.Server.URL)
	d, log := Deps()
	d.HTTP = e.Server.Client()
	e.Log = log
	if edit != nil {
		edit(&e.Config, &d)
	}
	PC(&e.Config).Defaults()
	if err := PC(&e.Config).Check(); err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := newV(e.Config, d)
	if err != nil {
		t.Fatalf("new adapter: %v", err)
	}
	e.Adapter = a
	return e
}

// Clock is a settable time source for an adapter and its fake, so that
// expiry, caches and rate windows need no sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// CheckConfig fills in c's defaults and checks it, as the bridge does at
// start-up: Check must fail with an error starting with want, or pass when
// want is "". The error must not quote any of secrets.
func CheckConfig[C any, PC Config[C]](t testing.TB, c PC, want string, secrets ...string) {
	t.Helper()
	c.Defaults()
	err := c.Check()
	if (err == nil) != (want == "") || err != nil && !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Check() = %v, want %q", err, want)
	}
	for _, s := range secrets {
		if err != nil && s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
}

// Do sends req with c (nil: http.DefaultClient), as a raw client of a fake
// would, and returns the answer with its body read and closed. A request
// that gets no answer ends the test.
func Do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
	}
	return resp, b
}

// Tap hands every request on its way to next to see, with its body read
// in full (next still reads the same body), so that a test can record
// what reached a fake.
func Tap(next http.Handler, see func(r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		see(r, b)
		next.ServeHTTP(w, r)
	})
}

// ReadConfig decodes src, one vendor's section of the configuration file,
// strictly (an unknown field is an error), fills in its defaults and
// checks it. Any error ends the test.
func ReadConfig[C any, PC Config[C]](t testing.TB, src string) C {
	t.Helper()
	var c C
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(PC(&c)); err != nil {
		t.Fatalf("decoding the config: %v", err)
	}
	PC(&c).Defaults()
	if err := PC(&c).Check(); err != nil {
		t.Fatalf("config: %v", err)
	}
	return c
}
