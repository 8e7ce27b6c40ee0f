package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGHUPReloads builds the binary, serves, and edits its config file
// under it: SIGHUP applies what can change, names what waits for a
// restart, refuses a broken file with its line and field, and never stops
// the bridge.
func TestSIGHUPReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "thereforebridge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfgPath := filepath.Join(dir, "bridge.yaml")
	const base = "listen: 127.0.0.1:0\nauth:\n  insecure_no_auth: true\nvendors:\n  log: {}\n"
	write := func(s string) {
		if err := os.WriteFile(cfgPath, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(base)
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Env = append(os.Environ(), "STATE_DIRECTORY="+dir) // the delivery store
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	await := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case m, ok := <-lines:
				if !ok {
					t.Fatalf("the bridge exited waiting for %q: %s", msg, stderr.String())
				}
				if m["msg"] == msg {
					return m
				}
			case <-timeout:
				t.Fatalf("no %q line", msg)
			}
		}
	}
	addr, _ := await("listening")["address"].(string)
	base0, _, _ := strings.Cut(addr, "/theservice")
	metrics := func() string {
		resp, err := http.Get(base0 + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	callOK := func() {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run([]string{"call", "oof", "-url", addr, "-off"}, &out, &errOut); code != 0 {
			t.Errorf("a call after the reload failed: exit %d\n%s%s", code, out.String(), errOut.String())
		}
	}

	// A level that applies and a listen address that waits for a restart.
	write("listen: 127.0.0.1:1\nlog:\n  level: debug\nauth:\n  insecure_no_auth: true\nvendors:\n  log: {}\n")
	cmd.Process.Signal(syscall.SIGHUP)
	m := await("configuration reloaded; some changes wait for a restart")
	if got := m["restart_needed"]; !jsonHas(got, "listen") {
		t.Errorf("restart_needed = %v, want [listen]", got)
	}
	if got := m["changed"]; !jsonHas(got, "log.level") {
		t.Errorf("changed = %v, want log.level in it", got)
	}
	if !strings.Contains(metrics(), `thereforebridge_config_reloads_total{outcome="restart_needed"} 1`) {
		t.Error("the reload metric did not count the reload")
	}
	callOK()

	// A broken file is refused with its place; the bridge goes on.
	write(base + "limits:\n  max_depth: 3\n")
	cmd.Process.Signal(syscall.SIGHUP)
	m = await("configuration reload refused; the running configuration stays")
	if e, _ := m["error"].(string); !strings.HasPrefix(e, cfgPath+":7: limits.max_depth:") {
		t.Errorf("error = %q, want it to name %s:7: limits.max_depth", e, cfgPath)
	}
	if !strings.Contains(metrics(), `thereforebridge_config_reloads_total{outcome="invalid"} 1`) {
		t.Error("the reload metric did not count the refused reload")
	}
	callOK()

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
}

func jsonHas(v any, s string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
