package admin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
)

// adminHash is a bcrypt hash of admin-password, at the lowest cost so
// that the tests (every request is authenticated) stay quick under -race.
const adminHash = "$2a$04$CV.4uERwvEqNFGXq3OvwFOwPZmD.1/qKe/77LEVaBAlL.34OcroC6"

// fakeStore records what the page asks of the store.
type fakeStore struct {
	mu      sync.Mutex
	rows    []delivery.Delivery
	err     error
	retried []delivery.Filter
	dropped []delivery.Filter
}

func (s *fakeStore) List(_ context.Context, f delivery.Filter) ([]delivery.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.State != "" && f.State != delivery.StateFailed && f.State != delivery.StateDead && f.State != delivery.StateRetrying && f.State != delivery.StatePending {
		return nil, errors.New(`unknown state "` + f.State + `"`)
	}
	return s.rows, s.err
}

func (s *fakeStore) Retry(_ context.Context, f delivery.Filter) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retried = append(s.retried, f)
	return 1, s.err
}

func (s *fakeStore) Discard(_ context.Context, f delivery.Filter) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped = append(s.dropped, f)
	return 1, s.err
}

func newTestPage(t *testing.T) (*httptest.Server, *fakeStore, *Handler) {
	t.Helper()
	st := &fakeStore{rows: []delivery.Delivery{{Vendor: "therefore", Key: "name:ghost", Seq: 7, State: delivery.StateDead, Attempts: 12,
		LastError: "<b>user unknown</b>", LastStatus: 404, Operation: "SaveOutOfOfficeInfoForUser", Created: time.Now().Add(-26 * time.Hour)}}}
	h, err := New(config.Admin{Users: []config.AdminUser{{Name: "admin", PasswordHash: adminHash}}}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, st, h
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func get(t *testing.T, u, user, pw string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	return do(t, req)
}

func TestPageNeedsOperatorCredentials(t *testing.T) {
	ts, _, _ := newTestPage(t)
	for _, c := range []struct{ user, pw string }{{"", ""}, {"admin", "wrong"}, {"demo", "demo-password"}} {
		resp, _ := get(t, ts.URL+Path, c.user, c.pw)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: %d %v", c.user, resp.StatusCode, resp.Header)
		}
	}
	if _, err := New(config.Admin{}, &fakeStore{}, nil); err == nil {
		t.Error("a page without operators was built")
	}
}

func TestPageListsAndEscapes(t *testing.T) {
	ts, st, _ := newTestPage(t)
	resp, body := get(t, ts.URL+Path, "admin", "admin-password")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{"name:ghost", "therefore", "HTTP 404", "&lt;b&gt;user unknown&lt;/b&gt;", "26h00m", ">12<", `name="csrf"`, "dead 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	resp, body = get(t, ts.URL+Path+"?state=stuck", "admin", "admin-password")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `unknown state &#34;stuck&#34;`) {
		t.Errorf("an unknown state: %d %s", resp.StatusCode, body)
	}
	st.err = errors.New("disk I/O error")
	resp, body = get(t, ts.URL+Path, "admin", "admin-password")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "The delivery store cannot be read: disk I/O error") {
		t.Errorf("a store error: %d %s", resp.StatusCode, body)
	}
	st.err, st.rows = nil, nil
	if _, body = get(t, ts.URL+Path, "admin", "admin-password"); !strings.Contains(body, "Nothing waiting") {
		t.Errorf("empty: %s", body)
	}
}

var tokenRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func TestFormsAreProtectedAgainstCSRF(t *testing.T) {
	ts, st, _ := newTestPage(t)
	_, body := get(t, ts.URL+Path, "admin", "admin-password")
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token on the page")
	}
	row := url.Values{"vendor": {"therefore"}, "key": {"name:ghost"}, "seq": {"7"}, "row_state": {"dead"}}
	with := func(tok string) url.Values {
		v := url.Values{"csrf": {tok}}
		for k, x := range row {
			v[k] = x
		}
		return v
	}
	post := func(path string, form url.Values, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("admin", "admin-password")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, _ := do(t, req)
		return resp
	}
	refused := []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", row, nil},
		{"a wrong token", with(strings.Repeat("0", 64)), nil},
		{"another site", with(m[1]), map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"another origin", with(m[1]), map[string]string{"Origin": "http://evil.example"}},
	}
	for _, c := range refused {
		for _, path := range []string{Path + "/retry", Path + "/discard"} {
			if resp := post(path, c.form, c.hdr); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", c.name, path, resp.StatusCode)
			}
		}
	}
	if len(st.retried)+len(st.dropped) != 0 {
		t.Fatalf("a refused form acted: %+v %+v", st.retried, st.dropped)
	}
	resp := post(Path+"/retry", with(m[1]), map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=retry") {
		t.Fatalf("retry: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := post(Path+"/discard", with(m[1]), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("discard: %d", resp.StatusCode)
	}
	want := delivery.Filter{Vendor: "therefore", Key: "name:ghost", Seq: 7}
	if len(st.retried) != 1 || st.retried[0] != want {
		t.Errorf("retried %+v", st.retried)
	}
	want.State = "dead"
	if len(st.dropped) != 1 || st.dropped[0] != want {
		t.Errorf("discarded %+v", st.dropped)
	}
	// The bulk form: every delivery the filter selects.
	bulk := url.Values{"csrf": {m[1]}, "state": {""}, "vendor": {"therefore"}, "user": {"gho"}}
	if resp := post(Path+"/retry", bulk, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk retry: %d", resp.StatusCode)
	}
	if len(st.retried) != 2 || st.retried[1] != (delivery.Filter{Vendor: "therefore", User: "gho"}) {
		t.Errorf("bulk retried %+v", st.retried)
	}
	if _, body := get(t, ts.URL+resp.Header.Get("Location"), "admin", "admin-password"); !strings.Contains(body, "1 delivery retried") {
		t.Errorf("no notice after the retry: %s", body)
	}
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Second: "5s", 90 * time.Second: "1m30s", 3*time.Hour + 5*time.Minute: "3h05m", 50 * time.Hour: "2d2h"} {
		if got := formatAge(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
