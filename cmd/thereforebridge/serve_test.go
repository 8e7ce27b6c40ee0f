package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// notifySocket listens where $NOTIFY_SOCKET points, as systemd does for a
// Type=notify unit, and returns the states received.
func notifySocket(t *testing.T) <-chan string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	states := make(chan string, 8)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(states)
				return
			}
			states <- string(buf[:n])
		}
	}()
	return states
}

func next(t *testing.T, states <-chan string) string {
	t.Helper()
	select {
	case s := <-states:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("no notification")
		return ""
	}
}

func TestSdNotify(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := sdNotify("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
	states := notifySocket(t)
	if err := sdNotify("READY=1"); err != nil {
		t.Fatal(err)
	}
	if got := next(t, states); got != "READY=1" {
		t.Errorf("got %q", got)
	}
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "absent"))
	if err := sdNotify("READY=1"); err == nil {
		t.Error("a missing socket was not reported")
	}
}

// TestServeFileThenFlags runs `serve FILE -listen ADDR` as systemd would:
// the file's listen is overridden by the flag after it, READY=1 comes once
// it listens, and SIGTERM gives STOPPING=1 and a clean exit.
func TestServeFileThenFlags(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taken := ln.Addr().String() // the file names a busy port: serving there would fail
	defer ln.Close()
	cfg := filepath.Join(t.TempDir(), "bridge.yaml")
	os.WriteFile(cfg, []byte("listen: "+taken+"\nauth:\n  insecure_no_auth: true\nvendors:\n  log: {}\n"), 0o644)
	states := notifySocket(t)
	var out, errOut vendortest.SafeBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", cfg, "-listen", "127.0.0.1:0"}, &out, &errOut) }()
	select {
	case s := <-states:
		if s != "READY=1" {
			t.Fatalf("first state %q", s)
		}
	case code := <-done:
		t.Fatalf("serve exited %d before READY=1: %s", code, errOut.String())
	}
	if log := out.String(); !strings.Contains(log, `"config":"`+cfg+`"`) || strings.Contains(log, taken) {
		t.Errorf("not serving %s on the -listen address:\n%s", cfg, log)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // serve has the signal: the test process lives on
	if s := next(t, states); s != "STOPPING=1" {
		t.Errorf("second state %q", s)
	}
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}
