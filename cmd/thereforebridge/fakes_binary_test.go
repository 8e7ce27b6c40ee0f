package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFakesBinary runs the built command, injects a hang, and stops it
// with SIGTERM while a request hangs: the request is answered and the
// command exits 0.
func TestFakesBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "thereforebridge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "fakes", "-listen", "127.0.0.1:0", "-rate-limits=false")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd.Stdout = pw
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})
	base, printed := readBanner(t, pr)
	go io.Copy(io.Discard, pr)
	secret := regexp.MustCompile(`password: file:(\S+)`).FindStringSubmatch(printed)
	if secret == nil {
		t.Fatalf("no password file in:\n%s", printed)
	}
	if b, err := os.ReadFile(secret[1]); err != nil || len(b) == 0 {
		t.Fatalf("the password file: %v", err)
	}

	fault := base + "/debug/vendors/therefore/fault"
	if code, b := do(t, http.MethodPost, fault, `{"hang":true}`); code != 200 {
		t.Fatalf("POST hang: %d %s", code, b)
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post(base+"/therefore/theservice/v0001/restun/SaveOutOfOfficeInfoForUser", "application/json", strings.NewReader(`{}`))
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	waitHung(t, fault, 1)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", waitErr, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within 15s of SIGTERM")
	}
	if code := <-answered; code != http.StatusUnauthorized {
		t.Errorf("the hung request got %d, want the fake's 401 once released", code)
	}
	if _, err := os.Stat(secret[1]); !os.IsNotExist(err) {
		t.Errorf("the demo credentials outlived the command: %v", err)
	}
}
