package interop_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// startBridge runs the bridge on its embedded default on a free port of
// 127.0.0.1 and returns its base URL.
func startBridge(t *testing.T) string {
	t.Helper()
	cfg := config.Default()
	srv, err := server.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// debianPython is the interpreter Debian's python3-zeep is installed for;
// a python3 earlier on PATH (pyenv) would not see it.
const debianPython = "/usr/bin/python3"

func requireZeep(t *testing.T) {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import zeep").Run(); err != nil {
		if os.Getenv("THEREFOREBRIDGE_REQUIRE_INTEROP") == "1" {
			t.Fatalf("python3-zeep is not importable by %s (.ci/run installs it): %v", debianPython, err)
		}
		t.Skip("python3-zeep is not installed")
	}
}

// TestZeep drives Python zeep, over both bindings, through both operations
// and an invalid call.
func TestZeep(t *testing.T) {
	requireZeep(t)
	base := startBridge(t)
	script := filepath.Join(golden.Root(), "interop", "zeep", "client.py")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, debianPython, script, "--soap", soap,
				"--wsdl", base+"/theservice/v0001/soapun?wsdl", "--calls", base+"/debug/vendors/log")
			out, err := cmd.CombinedOutput()
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			summary := lines[len(lines)-1]
			t.Logf("zeep SOAP %s: %s", soap, summary)
			if err != nil || !strings.HasSuffix(summary, " 0 failed") {
				t.Fatalf("zeep client failed (%v):\n%s", err, out)
			}
		})
	}
}
