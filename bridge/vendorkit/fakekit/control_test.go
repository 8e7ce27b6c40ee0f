package fakekit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// control sends one request to the control API and decodes its answer.
func control(t *testing.T, h http.Handler, method, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/fault", strings.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: answer %q is not JSON: %v", method, body, rec.Body, err)
	}
	return rec.Code, out
}

func TestControlCount(t *testing.T) {
	h, srv := serve(t)
	ctl := h.ControlHandler()
	if code, a := control(t, ctl, http.MethodPost, `{"status":503,"count":2}`); code != 200 || a["status"] != 503.0 || a["count"] != 2.0 {
		t.Fatalf("POST: %d %v", code, a)
	}
	var got []int
	for range 3 {
		got = append(got, get(t, context.Background(), srv.URL))
	}
	if want := []int{503, 503, 200}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if _, a := control(t, ctl, http.MethodGet, ""); a["status"] != nil || a["injected"] != 2.0 {
		t.Errorf("GET after the failures: %v, want no status and injected 2", a)
	}
}

func TestControlFor(t *testing.T) {
	h, srv := serve(t)
	ctl := h.ControlHandler()
	control(t, ctl, http.MethodPost, `{"status":502,"for":"150ms"}`)
	if _, a := control(t, ctl, http.MethodGet, ""); a["status"] != 502.0 || a["until"] == nil {
		t.Errorf("GET: %v, want status 502 with until", a)
	}
	for range 5 {
		if s := get(t, context.Background(), srv.URL); s != 502 {
			// Five quick requests may outlast 150ms on a loaded machine:
			// only a 200 after the window is allowed.
			if s != 200 || h.Active().Status != 0 {
				t.Fatalf("within the window: %d", s)
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	if s := get(t, context.Background(), srv.URL); s != 200 {
		t.Errorf("after the window: %d, want 200", s)
	}
}

func TestControlUntilCleared(t *testing.T) {
	h, srv := serve(t)
	ctl := h.ControlHandler()
	control(t, ctl, http.MethodPost, `{"status":500}`)
	for range 3 {
		if s := get(t, context.Background(), srv.URL); s != 500 {
			t.Fatalf("status fault without count or for: %d, want 500", s)
		}
	}
	if code, a := control(t, ctl, http.MethodDelete, ""); code != 200 || a["status"] != nil {
		t.Errorf("DELETE: %d %v", code, a)
	}
	if s := get(t, context.Background(), srv.URL); s != 200 {
		t.Errorf("after DELETE: %d", s)
	}
}

func TestControlHang(t *testing.T) {
	h, srv := serve(t)
	ctl := h.ControlHandler()
	control(t, ctl, http.MethodPost, `{"hang":true}`)
	const n = 3
	var wg sync.WaitGroup
	got := make(chan int, n)
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); got <- get(t, context.Background(), srv.URL) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for h.Active().Hung != n {
		if time.Now().After(deadline) {
			t.Fatalf("hung requests: %d, want %d", h.Active().Hung, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(got) != 0 {
		t.Fatal("a request was answered during the hang")
	}
	if _, a := control(t, ctl, http.MethodGet, ""); a["hang"] != true || a["hung"] != float64(n) {
		t.Errorf("GET during the hang: %v", a)
	}
	control(t, ctl, http.MethodDelete, "")
	wg.Wait()
	close(got)
	for s := range got {
		if s != 200 {
			t.Errorf("released request: %d, want 200", s)
		}
	}
	if a := h.Active(); a.Hang || a.Hung != 0 {
		t.Errorf("after DELETE: %+v", a)
	}
}

func TestControlHangClientGivesUp(t *testing.T) {
	h, srv := serve(t)
	h.Hang()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if s := get(t, ctx, srv.URL); s != 0 {
		t.Errorf("a client that gave up got %d", s)
	}
	// srv.Close in Cleanup waits for the handler: one still hanging would
	// make the test time out.
	h.Release()
}

func TestControlDelayAndDrop(t *testing.T) {
	h, srv := serve(t)
	ctl := h.ControlHandler()
	control(t, ctl, http.MethodPost, `{"delay":"60ms","drop":1}`)
	if a := h.Active(); a.Delay != "60ms" || a.Drop != 1 {
		t.Errorf("Active %+v", a)
	}
	if s := get(t, context.Background(), srv.URL); s != 0 {
		t.Errorf("dropped request answered %d", s)
	}
	start := time.Now()
	if s := get(t, context.Background(), srv.URL); s != 200 || time.Since(start) < 60*time.Millisecond {
		t.Errorf("delayed request: %d after %v", s, time.Since(start))
	}
	control(t, ctl, http.MethodPost, `{"delay":"0s"}`)
	if a := h.Active(); a.Delay != "" || a.Injected != 1 {
		t.Errorf("after delay 0s: %+v", a)
	}
}

func TestControlRefuses(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{}`, "nothing to inject"},
		{`{"status":200}`, "status: 200 is not an error status"},
		{`{"count":2}`, "count and for go with status"},
		{`{"status":503,"count":2,"for":"1s"}`, "give one of them"},
		{`{"status":503,"count":-1}`, "count: -1 is negative"},
		{`{"status":503,"for":"soon"}`, `for: "soon" is not a duration`},
		{`{"status":503,"for":"0s"}`, "for: must be more than 0s"},
		{`{"delay":"-1s"}`, `delay: "-1s" is not a duration`},
		{`{"drop":-2}`, "drop: -2 is negative"},
		{`{"stauts":503}`, `unknown field "stauts"`},
		{`{"status":503} {}`, "more than one JSON value"},
		{`503`, "is not a fault"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			var f Faults
			code, a := control(t, f.ControlHandler(), http.MethodPost, tc.body)
			if msg, _ := a["error"].(string); code != 400 || !strings.Contains(msg, tc.want) {
				t.Errorf("%d %v, want 400 with %q", code, a, tc.want)
			}
			if got := f.Active(); got != (Active{}) {
				t.Errorf("a refused fault applied: %+v", got)
			}
		})
	}
	var f Faults
	rec := httptest.NewRecorder()
	f.ControlHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/fault", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, POST, DELETE" {
		t.Errorf("PUT: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}
