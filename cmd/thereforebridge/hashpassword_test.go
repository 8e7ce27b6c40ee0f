package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

func hashWith(t *testing.T, in io.Reader) (code int, stdout, stderr string) {
	t.Helper()
	defer func(old io.Reader) { stdin = old }(stdin)
	stdin = in
	var out, errOut bytes.Buffer
	code = run([]string{"hash-password"}, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHashPasswordFromPipe(t *testing.T) {
	for _, in := range []string{"s3cret", "s3cret\n", "s3cret\r\n"} {
		code, out, errOut := hashWith(t, strings.NewReader(in))
		if code != exitOK {
			t.Fatalf("%q: exit %d: %s", in, code, errOut)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out)), []byte("s3cret")); err != nil {
			t.Errorf("%q: the hash %q does not verify: %v", in, out, err)
		}
	}
	if code, _, errOut := hashWith(t, strings.NewReader("\n")); code != exitUsage || !strings.Contains(errOut, "empty") {
		t.Errorf("empty password: exit %d, %s", code, errOut)
	}
}

// TestHashPasswordFromTerminal types the password into a real
// pseudo-terminal and checks that it is asked for twice, never echoed,
// and hashed.
func TestHashPasswordFromTerminal(t *testing.T) {
	ptm, pts := openPTY(t)
	defer ptm.Close()
	var prompts vendortest.SafeBuffer
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		defer func(old io.Reader) { stdin = old }(stdin)
		stdin = pts
		done <- run([]string{"hash-password"}, &out, &prompts)
	}()
	// Type each entry only once the prompt is out and echo is off: what
	// the terminal echoes is decided when the input arrives.
	for _, prompt := range []string{"Password: ", "Repeat: "} {
		waitFor(t, func() bool {
			asked := strings.Contains(prompts.String(), prompt)
			tio, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
			return asked && err == nil && tio.Lflag&unix.ECHO == 0
		})
		ptm.WriteString("s3cret\n")
	}
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, prompts.String())
	}
	if err := bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out.String())), []byte("s3cret")); err != nil {
		t.Errorf("the hash %q does not verify: %v", out.String(), err)
	}
	pts.Close()
	echoed, _ := io.ReadAll(ptm) // the terminal's output, up to EIO once pts is closed
	if bytes.Contains(echoed, []byte("s3cret")) {
		t.Errorf("the password was echoed: %q", echoed)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openPTY opens a pseudo-terminal pair the Linux way (/dev/ptmx).
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals on this machine:", err)
	}
	fd := int(ptm.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		ptm.Close()
		t.Fatal("unlockpt:", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		ptm.Close()
		t.Fatal("ptsname:", err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		ptm.Close()
		t.Fatal(err)
	}
	return ptm, pts
}
