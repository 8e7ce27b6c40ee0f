package main

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// TestServeAdmin starts the operators' page as serve does, on the
// -admin-listen address, and reaches it with the demo operator.
func TestServeAdmin(t *testing.T) {
	cfg := config.Default()
	e, err := delivery.OpenAdmin(t.Context(), "sqlite:"+t.TempDir()+"/d.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop(t.Context())
	var logs vendortest.SafeBuffer
	stop, err := serveAdmin(cfg.Admin, "127.0.0.1:0", e, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	m := regexp.MustCompile(`"address":"(http://127\.0\.0\.1:\d+/admin/deliveries)"`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no address logged: %s", logs.String())
	}
	for _, c := range []struct {
		user, pw string
		status   int
	}{{"admin", "admin-password", http.StatusOK}, {"demo", "demo-password", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, m[1], nil)
		req.SetBasicAuth(c.user, c.pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.user, resp.StatusCode, c.status)
		}
		if c.status == http.StatusOK && !strings.Contains(string(b), "Deliveries") {
			t.Errorf("not the page: %s", b)
		}
	}
	if _, err := serveAdmin(cfg.Admin, "nowhere", e, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a bad address was not reported")
	}
}
