package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// gate holds each call until released and says when one has arrived.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 100), release: make(chan struct{})} }

func (g *gate) Name() string      { return "gate" }
func (g *gate) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (g *gate) Deliver(context.Context, *fanout.Call) fanout.Result {
	g.entered <- struct{}{}
	<-g.release
	return fanout.Result{Status: fanout.OK}
}

func scrape(t *testing.T, srv *server.Server) string {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/metrics", nil))
	return rec.Body.String()
}

func wantMetric(t *testing.T, srv *server.Server, line string) {
	t.Helper()
	if m := scrape(t, srv); !strings.Contains(m, line+"\n") {
		t.Errorf("metrics lack %q", line)
	}
}

func fixed(c *config.Config) func() (*config.Config, error) {
	return func() (*config.Config, error) { return c, nil }
}

// TestReloadInFlight: a call in flight when the configuration changes (it
// waits for its first delivery attempt) finishes on the old one; the next
// call runs on the new one.
func TestReloadInFlight(t *testing.T) {
	g := newGate()
	cfg := testConfig()
	wait := config.Duration(time.Minute)
	cfg.Delivery.ApplyWait = &wait
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: g, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	done := make(chan int)
	go func() { done <- post(srv.Handler(), hdr, body).Code }()
	<-g.entered

	hash, _ := auth.HashPassword("s3cret")
	next := testConfig()
	next.Delivery.ApplyWait = &wait
	next.Auth = config.Auth{Realm: "thereforebridge", ReplayWindow: config.Duration(time.Minute),
		Callers: []config.Caller{{Name: "jdoe", PasswordHash: hash}}}
	if restart, err := srv.Reload(fixed(next)); err != nil || len(restart) != 0 {
		t.Fatalf("Reload = %v, %v; want no restart keys, no error", restart, err)
	}
	if code := post(srv.Handler(), hdr, body).Code; code != http.StatusUnauthorized {
		t.Errorf("a call without credentials after auth was turned on: status %d, want 401", code)
	}
	close(g.release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("the call in flight during the reload: status %d, want 200 (its old configuration let it in)", code)
	}
	wantMetric(t, srv, `thereforebridge_config_reloads_total{outcome="applied"} 1`)
	wantMetric(t, srv, `thereforebridge_config_reload_last_success 1`)
}

// TestReloadInvalid: a configuration that does not load is logged with
// its file, line and field, and the running one stays.
func TestReloadInvalid(t *testing.T) {
	var logs vendortest.SafeBuffer
	srv, err := server.New(testConfig(), []fanout.Target{{Vendor: &capture{}, Required: true}}, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	_, err = srv.Reload(func() (*config.Config, error) {
		return config.Parse([]byte("auth:\n  insecure_no_auth: true\nlimits:\n  max_depth: 3\n"), "bridge.yaml")
	})
	want := "bridge.yaml:4: limits.max_depth: must be at least 16"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Reload error = %v, want %q", err, want)
	}
	if !strings.Contains(logs.String(), want) {
		t.Errorf("the log does not name the place: %s", logs.String())
	}
	hdr, body := okCase(t, "wcf-oof-11")
	if code := post(srv.Handler(), hdr, body).Code; code != http.StatusOK {
		t.Errorf("after a refused reload: status %d, want 200 on the old configuration", code)
	}
	wantMetric(t, srv, `thereforebridge_config_reloads_total{outcome="invalid"} 1`)
	wantMetric(t, srv, `thereforebridge_config_reload_last_success 0`)
}

// TestReloadRestartKeys: keys a running bridge cannot change are reported
// and keep their value; the rest applies.
func TestReloadRestartKeys(t *testing.T) {
	srv, err := newServer(t, testConfig(), []fanout.Target{{Vendor: &capture{}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	next := testConfig()
	next.Listen = "0.0.0.0:9999"
	next.Endpoint = "/elsewhere"
	next.Limits.MaxBodyBytes = 2048
	restart, err := srv.Reload(fixed(next))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"listen", "endpoint"}; !slices.Equal(restart, want) {
		t.Errorf("restart keys %v, want %v", restart, want)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	if rec := post(srv.Handler(), hdr, append(body, bytes.Repeat([]byte(" "), 4096)...)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("limits.max_body_bytes did not apply: status %d, want 413", rec.Code)
	}
	if rec := post(srv.Handler(), hdr, body); rec.Code != http.StatusOK {
		t.Errorf("the old endpoint no longer serves: status %d", rec.Code)
	}
	wantMetric(t, srv, `thereforebridge_config_reloads_total{outcome="restart_needed"} 1`)
	wantMetric(t, srv, `thereforebridge_config_restart_needed{key="listen"} 1`)

	// Back to the running values: nothing waits for a restart any more.
	if restart, err := srv.Reload(fixed(testConfig())); err != nil || len(restart) != 0 {
		t.Errorf("Reload back = %v, %v", restart, err)
	}
	if m := scrape(t, srv); strings.Contains(m, `thereforebridge_config_restart_needed{`) {
		t.Errorf("restart_needed still set after the file went back")
	}
}

// TestNoCallRefusedDuringReloads reloads over and over under a steady
// stream of calls: every call is answered 200.
func TestNoCallRefusedDuringReloads(t *testing.T) {
	srv, err := newServer(t, testConfig(), []fanout.Target{{Vendor: &capture{}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code := post(srv.Handler(), hdr, body).Code
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	for i := range 30 {
		next := testConfig()
		next.Limits.MaxConcurrent = 100 + i
		if _, err := srv.Reload(fixed(next)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if len(codes) != 1 || codes[http.StatusOK] == 0 {
		t.Errorf("status counts %v, want only 200", codes)
	}
}

// TestReloadCertificate: a reload re-reads the TLS certificate; new
// connections get the new one.
func TestReloadCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, pkix.Name{CommonName: "test CA"}, nil, true, x509.ExtKeyUsageServerAuth)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	install := func(cn string) {
		kp := issue(t, pkix.Name{CommonName: cn}, ca, false, x509.ExtKeyUsageServerAuth)
		writePEM(t, certFile, "CERTIFICATE", kp.der)
		kb, _ := x509.MarshalECPrivateKey(kp.key)
		writePEM(t, keyFile, "EC PRIVATE KEY", kb)
	}
	install("first")
	cfg := testConfig()
	cfg.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: &capture{}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, srv)
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	served := func() string {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := served(); got != "first" {
		t.Fatalf("served %q, want first", got)
	}
	install("second")
	next := testConfig()
	next.TLS = cfg.TLS
	if _, err := srv.Reload(fixed(next)); err != nil {
		t.Fatal(err)
	}
	if got := served(); got != "second" {
		t.Errorf("after the reload: served %q, want second", got)
	}
	// A broken certificate is refused; the running one stays.
	writePEM(t, certFile, "CERTIFICATE", []byte("not a certificate"))
	if _, err := srv.Reload(fixed(next)); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("Reload with a broken certificate = %v, want a tls error", err)
	}
	if got := served(); got != "second" {
		t.Errorf("after a refused reload: served %q, want second", got)
	}

}

// TestReloadLogLevel: log.level applies at once, for the lines of every
// part of the bridge.
func TestReloadLogLevel(t *testing.T) {
	cfg := testConfig()
	var logs vendortest.SafeBuffer
	log := logging.New(&logs, cfg.Log)
	srv, err := server.New(cfg, []fanout.Target{{Vendor: &capture{}, Required: true}}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	if log.Enabled(context.Background(), slog.LevelDebug) {
		t.Fatal("debug is on before the reload")
	}
	next := testConfig()
	next.Log.Level = "debug"
	if _, err := srv.Reload(fixed(next)); err != nil {
		t.Fatal(err)
	}
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("log.level debug did not apply")
	}
	if !strings.Contains(logs.String(), `"changed":["log.level"]`) {
		t.Errorf("the reload line does not name the change: %s", logs.String())
	}
}

// TestReloadAfterShutdown: a SIGHUP racing the shutdown starts nothing.
func TestReloadAfterShutdown(t *testing.T) {
	srv, err := newServer(t, testConfig(), []fanout.Target{{Vendor: &capture{}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Shutdown(context.Background())
	if _, err := srv.Reload(fixed(testConfig())); err == nil {
		t.Error("Reload after Shutdown succeeded")
	}
}
