package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// TestInProcessFaults drives the fault API of the embedded demo's
// in-process fakes through /debug/vendors/<name>/fault.
func TestInProcessFaults(t *testing.T) {
	srv, err := server.Build(config.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tests := []struct {
		method, path, body string
		status             int
		contains           string
	}{
		{"POST", "/debug/vendors/therefore/fault", `{"status":503,"count":3}`, 200, `"status":503,"count":3`},
		{"GET", "/debug/vendors/therefore/fault", "", 200, `"status":503,"count":3`},
		{"GET", "/debug/vendors/grommunio/fault", "", 200, `"hang":false`}, // each fake has its own
		{"POST", "/debug/vendors/therefore/fault", `{"status":"503"}`, 400, "is not a fault"},
		{"DELETE", "/debug/vendors/therefore/fault", "", 200, `{"hang":false,"hung":0,"injected":0}`},
		{"GET", "/debug/vendors/log/fault", "", 404, "no in-process vendor fake named log"},
		{"GET", "/debug/vendors/nobody/fault", "", 404, "no in-process vendor fake named nobody"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.contains) {
			t.Errorf("%s %s %s: %d %s, want %d with %s", tc.method, tc.path, tc.body, resp.StatusCode, b, tc.status, tc.contains)
		}
	}
}
