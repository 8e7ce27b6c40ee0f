package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	lineworksfake "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

func TestCallAgainstTheBridge(t *testing.T) {
	srv, err := server.Build(config.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	url := ts.URL + "/theservice/v0001/soapun"
	const demo = "demo:demo-password"
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"call", "oof", "-url", url, "-basic", demo, "-user", `CORP\jdoe`, "-on", "-add", `CORP\asmith`}, 0, "SaveOutOfOfficeInfoForUserResult"},
		{[]string{"call", "oof", "-url", url, "-basic", demo, "-soap12", "-user", `CORP\jdoe`, "-off"}, 0, "application/soap+xml"},
		{[]string{"call", "oof", "-url", url, "-basic", demo, "-off"}, 0, "SaveOutOfOfficeInfoForUserResult"}, // the connected user: demo is John Doe
		{[]string{"call", "oof", "-url", url, "-off"}, exitFault, "authentication required"},
		{[]string{"call", "oof", "-url", url, "-basic", "demo:wrong", "-off"}, exitFault, "authentication failed"},
		{[]string{"call", "portal", "-url", url, "-basic", demo, "-email", "p@example.com", "-query", "3", "-name", "p1", "-password", "pw"}, 0, "SavePortalUserResult"},
		{[]string{"call", "portal", "-url", url, "-basic", demo, "-email", "p@example.com"}, exitFault, "one of QueryNo or CtgryNo"},
		{[]string{"call", "portal", "-soap12", "-url", url, "-basic", demo, "-email", "p@example.com"}, exitFault, "one of QueryNo or CtgryNo"},
		{[]string{"call", "oof", "-url", ts.URL + "/nowhere", "-basic", demo, "-off"}, exitError, "HTTP 404"},
		{[]string{"call", "oof", "-on", "-off"}, 2, ""},
		{[]string{"call", "nonsense"}, 2, ""},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		if code := run(tc.args, &out, &errOut); code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, tc.code, out.String(), errOut.String())
		}
		if !strings.Contains(out.String(), tc.contains) {
			t.Errorf("%v: output lacks %q:\n%s", tc.args, tc.contains, out.String())
		}
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("listen: 127.0.0.1:9000\nauth:\n  insecure_no_auth: true\nvendors:\n  log:\n    operations: [SavePortalUser]\n"), 0o644)
	os.WriteFile(bad, []byte("listen: 127.0.0.1:9000\nauth:\n  insecure_no_auth: true\nvendors:\n  log:\n    keeep: 3\n"), 0o644)
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config", good}, &out, &errOut); code != 0 {
		t.Fatalf("good config: exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"good.yaml: ok", "SaveOutOfOfficeInfoForUser ->\n", "SavePortalUser -> log (required)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check-config output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"check-config", bad}, &out, &errOut); code != 1 {
		t.Fatalf("bad config: exit %d", code)
	}
	if want := "bad.yaml:6: vendors.log.keeep: unknown field"; !strings.Contains(errOut.String(), want) {
		t.Errorf("error %q lacks %q", errOut.String(), want)
	}
}

// TestProductionExample keeps testdata/config/production.yaml, the example
// the README points to, valid.
func TestProductionExample(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"cert.pem", "key.pem"} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600)
	}
	b, err := os.ReadFile(filepath.Join(golden.Root(), "config", "production.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "production.yaml")
	os.WriteFile(cfgFile, []byte(strings.ReplaceAll(string(b), "/etc/thereforebridge/tls", dir)), 0o600)
	for _, k := range []string{"GROMMUNIO_USER", "GROMMUNIO_PASSWORD", "SUPEROFFICE_TOKEN", "SUPEROFFICE_APP_TOKEN", "LINEWORKS_CLIENT_SECRET", "THEREFORE_USER", "THEREFORE_PASSWORD", "WEBHOOK_SECRET"} {
		t.Setenv(k, "value-of-"+k)
	}
	t.Setenv("LINEWORKS_PRIVATE_KEY", lineworksfake.DemoPrivateKeyPEM)
	t.Setenv("THEREFOREBRIDGE_STORE", "postgres://bridge:pw@db.internal/thereforebridge")
	t.Setenv("THEREFOREBRIDGE_STORE_KEY", strings.Repeat("ab", 32))
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config", cfgFile}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		"SaveOutOfOfficeInfoForUser -> grommunio (required) lineworks (required) superoffice (best-effort) therefore (required) webhook (required)",
		"SavePortalUser -> therefore (required) webhook (required)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check-config output lacks %q:\n%s", want, out.String())
		}
	}
	// Without its environment the file is refused, naming the variable.
	os.Unsetenv("WEBHOOK_SECRET")
	errOut.Reset()
	if code := run([]string{"check-config", cfgFile}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "WEBHOOK_SECRET is not set") {
		t.Errorf("missing env: exit %d, %s", code, errOut.String())
	}
}
