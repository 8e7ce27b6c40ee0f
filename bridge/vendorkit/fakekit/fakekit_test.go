package fakekit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

// handler answers the injected failure's status, else 200.
type handler struct{ Faults }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	fail, done := h.Intercept(w, r)
	if done {
		return
	}
	if fail == 0 {
		fail = http.StatusOK
	}
	w.WriteHeader(fail)
}

func serve(t *testing.T) (*handler, *httptest.Server) {
	h := &handler{}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// get sends one request on a fresh connection (net/http repeats an
// idempotent request whose reused connection closed, which would hide a
// drop): its status, or 0 when it got no answer.
func get(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFailNext(t *testing.T) {
	h, srv := serve(t)
	h.FailNext(2, http.StatusServiceUnavailable)
	var got []int
	for range 3 {
		got = append(got, get(t, context.Background(), srv.URL))
	}
	if want := []int{503, 503, 200}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	h.FailNext(1, 429)
	h.FailNext(1, 404) // replaces
	if s := get(t, context.Background(), srv.URL); s != 404 {
		t.Errorf("after two FailNext: %d, want the last one's 404", s)
	}
}

func TestDropConnections(t *testing.T) {
	h, srv := serve(t)
	h.DropConnections(1)
	h.FailNext(1, http.StatusBadGateway)
	if s := get(t, context.Background(), srv.URL); s != 0 {
		t.Fatalf("dropped request answered %d", s)
	}
	// The drop did not use up the failure.
	if s := get(t, context.Background(), srv.URL); s != http.StatusBadGateway {
		t.Errorf("after the drop: %d, want 502", s)
	}
	if s := get(t, context.Background(), srv.URL); s != http.StatusOK {
		t.Errorf("third: %d, want 200", s)
	}
}

func TestDelay(t *testing.T) {
	h, srv := serve(t)
	h.Delay(50 * time.Millisecond)
	start := time.Now()
	if s := get(t, context.Background(), srv.URL); s != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("delayed request: %d after %v", s, time.Since(start))
	}
	h.Delay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if s := get(t, ctx, srv.URL); s != 0 {
		t.Errorf("a client that gave up got %d", s)
	}
	// srv.Close in Cleanup waits for the handler: a handler held for the
	// whole minute would make this test time out.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the client waited %v", d)
	}
}

func TestHold(t *testing.T) {
	var f Faults
	f.FailNext(1, 500)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if f.Hold(httptest.NewRecorder(), r) {
		t.Fatal("Hold ended a request with nothing to drop or delay")
	}
	if s := f.NextFailure(); s != 500 {
		t.Errorf("Hold used up the failure: NextFailure = %d", s)
	}
	if s := f.NextFailure(); s != 0 {
		t.Errorf("second NextFailure = %d, want 0", s)
	}
}

func TestCounts(t *testing.T) {
	var c Counts[string]
	if s := c.Snapshot(); s == nil || len(s) != 0 {
		t.Errorf("empty snapshot %#v, want an empty map", s)
	}
	c.Add("a")
	c.Add("a")
	c.Add("b")
	s := c.Snapshot()
	s["a"] = 99 // a copy
	if c.Get("a") != 2 || c.Get("b") != 1 || c.Get("c") != 0 {
		t.Errorf("counts %v", c.Snapshot())
	}
}

func TestAppendBounded(t *testing.T) {
	var log []int
	for i := range 5 {
		log = AppendBounded(log, i, 3)
	}
	if want := []int{2, 3, 4}; !reflect.DeepEqual(log, want) {
		t.Errorf("log %v, want %v", log, want)
	}
}
