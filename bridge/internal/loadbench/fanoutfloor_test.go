package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
)

// TestFanoutFloor checks that the fan-out floor does the work it stands
// for: each call's seven vendor requests (the webhook's signed as a
// receiver checks it), its row committed before them and deleted once
// they succeeded, and a failed delivery answered as a failure with its
// row kept.
func TestFanoutFloor(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	var failWebhook atomic.Bool
	instant := instantVendors()
	vendors := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/webhook/events" {
			if err := webhook.Verify(stubSecret, r.Header.Get("X-Bridge-Timestamp"), string(body), r.Header.Get("X-Bridge-Signature"), time.Now(), 0); err != nil {
				t.Errorf("webhook: %v", err)
			}
			if failWebhook.Load() {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		instant.ServeHTTP(w, r)
	}))
	defer vendors.Close()
	path := filepath.Join(t.TempDir(), "floor.db")
	f, err := newFanoutFloor(path, vendors.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	call := func() (int, string) {
		resp, err := http.Post(srv.URL+endpointPath, "text/xml; charset=utf-8", strings.NewReader("<s:Envelope/>"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const calls = 3
	for range calls {
		if code, body := call(); code != http.StatusOK || body != floorResponse {
			t.Fatalf("answered %d %q, want 200 and the floor's response", code, body)
		}
	}
	want := floorRequests(calls)
	mu.Lock()
	for k, n := range want {
		if seen[k] != n {
			t.Errorf("%s: %d requests, want %d", k, seen[k], n)
		}
	}
	if len(seen) != len(want) || len(want) != 7 {
		t.Errorf("requests %v, want the seven of each call: %v", seen, want)
	}
	mu.Unlock()

	failWebhook.Store(true)
	if code, _ := call(); code != http.StatusBadGateway {
		t.Errorf("a failed delivery answered %d, want 502", code)
	}
	srv.Close()
	if err := f.Close(); err != nil { // commits the deletes still queued
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored, last int
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(MAX(id), 0) FROM call`).Scan(&stored, &last); err != nil {
		t.Fatal(err)
	}
	if stored != 1 || last != calls+1 {
		t.Errorf("the store holds %d calls (last %d), want only the undelivered one, %d", stored, last, calls+1)
	}
}

// TestFanoutFloorMakesTheBridgesRequests checks the floor against the
// bridge it bounds: the bridge of "bridge + 4 instant vendors", given an
// OOF call once its caches are warm, makes the floor's requests, no more
// and no fewer. When an adapter changes what it sends, the floor must
// follow.
func TestFanoutFloorMakesTheBridgesRequests(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	instant := instantVendors()
	vendors := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		instant.ServeHTTP(w, r)
	}))
	defer vendors.Close()
	b, err := os.ReadFile(filepath.Join(golden.Root(), "bench", "bridge-instant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bridge-instant.yaml")
	b = bytes.ReplaceAll(b, []byte("INSTANT_VENDORS"), []byte(strings.TrimPrefix(vendors.URL, "http://")))
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TB_BENCH_STUB_SECRET", stubSecret)
	t.Setenv("STATE_DIRECTORY", t.TempDir())
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.Build(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	envs, err := loadEnvelopes(filepath.Dir(golden.Root()))
	if err != nil {
		t.Fatal(err)
	}
	oof := envs[slices.IndexFunc(envs, func(e Envelope) bool { return e.Name == "oof" })]
	req := oof.Request(cfg.Endpoint, oof.Header(), []string{"jdoe"})
	// The first call fills the adapters' caches (a session, ids); the
	// second, the subject's other state, is a call as under load.
	want := floorRequests(1)
	for i := range 2 {
		mu.Lock()
		seen = nil
		mu.Unlock()
		body, _ := req.body(uint64(i))
		r := httptest.NewRequest(http.MethodPost, cfg.Endpoint, body)
		r.Header = req.Header
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("call %d: the bridge answered %d: %.600s", i, rec.Code, rec.Body.String())
		}
		// The answer waits for first attempts (apply_wait), not for
		// their every request: wait for the last to land.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(seen)
			mu.Unlock()
			if i == 0 || n >= 7 {
				break
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	got := map[string]int{}
	for _, s := range seen {
		got[s]++
	}
	if !maps.Equal(got, want) {
		t.Errorf("the bridge made %v\nthe floor makes %v", got, want)
	}
}

// floorRequests counts the floor's requests of calls calls by "METHOD
// path".
func floorRequests(calls int) map[string]int {
	n := map[string]int{}
	for _, reqs := range floorVendors {
		for _, r := range reqs {
			n[r.method+" "+r.path] += calls
		}
	}
	return n
}
