package interop_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// requireEnv is set by `make test` and `make interop`: a missing stack then
// fails the test instead of skipping it.
const requireEnv = "THEREFOREBRIDGE_REQUIRE_INTEROP"

// Paths of the bridge's endpoint and call log (embedded default).
const (
	endpointPath = "/theservice/v0001/soapun"
	callsPath    = "/debug/vendors/log"
)

// The embedded default's demo caller (bridge/config/default.yaml, auth.callers;
// the identity directory maps it to John Doe). Every client authenticates
// with it over HTTP Basic, configured the way its stack's users do; ?wsdl is
// readable without it (auth.public_wsdl).
const (
	demoUser     = "demo"
	demoPassword = "demo-password"
)

// credentials are the run.sh flags that pass the demo caller to a client.
func credentials() []string { return []string{"--user", demoUser, "--password", demoPassword} }

// clientTimeout bounds one client run, including a cold build.
const clientTimeout = 5 * time.Minute

// bridge is one running bridge on its embedded default.
type bridge struct {
	Base string // http://127.0.0.1:PORT
}

func (b bridge) WSDL() string     { return b.Base + endpointPath + "?wsdl" }
func (b bridge) Endpoint() string { return b.Base + endpointPath }
func (b bridge) Calls() string    { return b.Base + callsPath }

// startBridge runs the bridge on its embedded default on a free port of
// 127.0.0.1 and returns its base URL. Each client run gets its own bridge, so
// the last two entries of its call log are that client's two calls.
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
	base := "http://" + ln.Addr().String()
	waitUpstreamWSDL(t, base)
	return base
}

// waitUpstreamWSDL waits until the bridge serves the upstream's WSDL (the
// embedded default passes through to the Therefore fake), so that every
// client is generated from the same contract.
func waitUpstreamWSDL(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body []byte
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if string(body) == "ready\n" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bridge never served the upstream's WSDL: %v %s", err, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newBridge(t *testing.T) bridge { return bridge{Base: startBridge(t)} }

// interopDir is testdata/interop/<stack>.
func interopDir(stack string) string { return filepath.Join(golden.Root(), "interop", stack) }

// expectedPath is the shared file of what every client sends and the bridge
// must decode.
func expectedPath() string { return filepath.Join(golden.Root(), "interop", "expected.json") }

// requireStack skips the test (or, under THEREFOREBRIDGE_REQUIRE_INTEROP=1,
// fails it) unless every probe command runs successfully.
func requireStack(t *testing.T, stack, install string, probes ...[]string) {
	t.Helper()
	for _, probe := range probes {
		cmd := exec.Command(probe[0], probe[1:]...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			continue
		}
		msg := strings.Join(probe, " ") + ": " + err.Error()
		if s := strings.TrimSpace(string(out)); s != "" {
			msg += ": " + firstLine(s)
		}
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s is not usable (%s); install %s (.ci/run does)", stack, msg, install)
		}
		t.Skipf("%s is not installed (%s); install %s", stack, msg, install)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// buildDir returns the cache directory for a stack's build, keyed by the WSDL
// the bridge serves (its address normalised) and the files of the stack's
// folder (not its notes: *.md, captured/), so that a change to either rebuilds and an unchanged rerun reuses
// svcutil's proxy, gSOAP's binaries or node_modules. Older keys of the same
// stack are removed.
func buildDir(t *testing.T, b bridge, stack string) string {
	t.Helper()
	h := sha256.New()
	io.WriteString(h, "thereforebridge-interop v1\x00"+stack+"\x00")
	resp, err := http.Get(b.WSDL())
	if err != nil {
		t.Fatalf("GET ?wsdl: %v", err)
	}
	wsdl, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ?wsdl: status %d, %v", resp.StatusCode, err)
	}
	h.Write(bytes.ReplaceAll(wsdl, []byte(b.Base), []byte("http://bridge")))
	dir := interopDir(stack)
	var files []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "captured") {
			return filepath.SkipDir
		}
		if !d.IsDir() && !strings.HasSuffix(d.Name(), ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		io.WriteString(h, "\x00"+rel+"\x00")
		h.Write(data)
	}
	key := stack + "-" + hex.EncodeToString(h.Sum(nil))[:16]

	root, err := os.UserCacheDir()
	if err != nil {
		root = os.TempDir()
	}
	root = filepath.Join(root, "thereforebridge-interop")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	pruneOld(root, stack, key)
	return filepath.Join(root, key)
}

var keyRE = regexp.MustCompile(`^(.+)-[0-9a-f]{16}(\.tmp\..*)?$`)

// pruneOld removes the cached builds of stack under other keys, leaving
// in-progress (.tmp) builds younger than an hour alone.
func pruneOld(root, stack, key string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		m := keyRE.FindStringSubmatch(e.Name())
		if m == nil || m[1] != stack || e.Name() == key {
			continue
		}
		if m[2] != "" {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) < time.Hour {
				continue
			}
		}
		os.RemoveAll(filepath.Join(root, e.Name()))
	}
}

var summaryRE = regexp.MustCompile(`^(\d+) passed, (\d+) failed$`)

// runClient runs a client (its run script) and fails the test when it exits
// non-zero or its last line is not `N passed, 0 failed`. It logs the summary,
// and everything the client printed when it failed.
func runClient(t *testing.T, label, dir string, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start).Round(10 * time.Millisecond)

	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	summary := lines[len(lines)-1]
	m := summaryRE.FindStringSubmatch(summary)
	// On failure: the FAIL lines and the clients' # notes (fault seen,
	// endpoint), not the ok lines.
	var notes []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "#") {
			notes = append(notes, l)
		}
	}
	switch {
	case m == nil:
		t.Errorf("%s: no `N passed, M failed` summary (%v, %s)\nstdout:\n%s\nstderr:\n%s", label, err, elapsed, stdout.String(), stderr.String())
	case m[2] != "0" || err != nil:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("%s: %v", label, err)
		}
		t.Errorf("%s: %s (%s, %v)\n%s\nstderr:\n%s", label, summary, elapsed, err, strings.Join(notes, "\n"), stderr.String())
	default:
		t.Logf("%s: %s (%s)", label, summary, elapsed)
	}
}
