package resilience

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestStoreDownSQLite is TestStoreDown for the embedded store: while
// SQLite cannot write, calls are answered 503 with Retry-After, never
// 200; once it can write again, the same process (no restart) acknowledges
// calls and delivers them, and what was stored before the failure is
// delivered too.
//
// The store is made unwritable by lowering the bridge process's
// RLIMIT_FSIZE with prlimit(2): chmod does not stop root, and this mounts
// nothing. The limit is 0, not the files' sizes, because the kernel checks
// it against the offset written to, not against growth: a write to a
// regular file at an offset at or past the limit fails with EFBIG, and one
// below it succeeds even when the file is full of old data. With the limit
// at the files' sizes, SQLite commits without growing anything once a
// checkpoint has emptied the WAL: the next writer starts the WAL again at
// its beginning, over old frames (tried: such commits succeed). With 0,
// every write to the WAL (its header, its frames) and to the database
// file (a checkpoint) fails, whatever room the files hold, so the first
// commit fails, with SQLITE_IOERR_WRITE ("disk I/O error (778)"). Reads
// and locks go on: the WAL index (-shm) is written through mmap, which the
// limit does not check; the bridge's output is a pipe, which it does not
// concern either. Each EFBIG comes with SIGXFSZ, which does not kill a Go
// program: the runtime drops it unless signal.Notify asked for it (the
// test checks the process survives).
func TestStoreDownSQLite(t *testing.T) {
	needBinary(t)
	t.Parallel()
	w := newWorld(t, 3)
	b := startBridge(t, w.configFile(settings{store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), applyWait: "2s"}))
	ackedOn := map[string][]bool{} // per user, the on of each call answered 200, in order
	call := func(c oofCall) answer {
		a := send(b.URL(), c)
		if a.outcome == acked {
			ackedOn[c.user] = append(ackedOn[c.user], c.on)
		}
		return a
	}
	// Every vendor holds each user's last acknowledged state (off for a
	// user with none), and the webhook received exactly the acknowledged
	// changes, in order.
	holds := func(vs map[string]view) []string {
		var p []string
		for _, u := range w.users {
			want := false
			if h := ackedOn[u]; len(h) > 0 {
				want = h[len(h)-1]
			}
			for _, name := range vendorNames {
				if vs[name].on[u] != want {
					p = append(p, fmt.Sprintf("%s does not hold %s on=%v", name, u, want))
				}
			}
			if h := vs["webhook"].history[u]; fmt.Sprint(h) != fmt.Sprint(ackedOn[u]) {
				p = append(p, fmt.Sprintf("the webhook's events for %s are on=%v, want the acknowledged changes %v", u, h, ackedOn[u]))
			}
		}
		return p
	}
	if a := call(oofCall{user: "r00", on: true}); a.outcome != acked {
		t.Fatalf("with the store up: %v %d %s", a.outcome, a.status, a.body)
	}
	if p := w.converge(30*time.Second, holds); len(p) > 0 {
		t.Fatalf("before the store went down: %s", firstN(p, 10))
	}
	// r01's change is stored, but the webhook refuses it until after the
	// store is back: its worker then goes on retrying while nothing can be
	// written, so that the workers' writes (a key's backoff, River's job
	// states) fail too, not only the accepts'.
	w.fault("webhook", `{"status":503}`)
	if a := call(oofCall{user: "r01", on: true}); a.outcome != acked {
		t.Fatalf("with the store up and the webhook refusing: %v %d %s", a.outcome, a.status, a.body)
	}

	pid := b.pid()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &old); err != nil {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE): %v", pid, err)
	}
	// The hard limit stays: lowering only the soft one can be undone
	// without privilege.
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 0, Max: old.Max}, nil); err != nil {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE, 0): %v", pid, err)
	}
	// Different users and states, none that of the user's last stored
	// change, so that each is a new change to store and none is taken for
	// a client's retry of a stored one (answered as the original was,
	// possibly without writing). Spread over
	// some 6 s, so that River's own periodic writes (the completer's
	// retries, its leader's re-election every 5 s) meet the limit too.
	down := []oofCall{{user: "r00", on: false}, {user: "r01", on: false}, {user: "r02", on: true},
		{user: "r02", on: false}, {user: "r00", on: false}, {user: "r01", on: false}, {user: "r02", on: true}}
	for i, c := range down {
		if i > 0 {
			time.Sleep(time.Second)
		}
		a := call(c)
		if a.outcome == acked {
			t.Fatalf("call %d (%s on=%v) was acknowledged while the store could not write", i, c.user, c.on)
		}
		if a.status != 503 || a.header.Get("Retry-After") == "" {
			t.Errorf("call %d (%s on=%v) while the store could not write: %v %d, Retry-After %q, want 503 with Retry-After: %s",
				i, c.user, c.on, a.outcome, a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	if !b.alive() {
		t.Fatalf("the bridge died while its store could not write (SIGXFSZ?):\n%s", b.out)
	}
	// One line per refused call, naming SQLite's error: an operator sees
	// why, not only that.
	// The bridge writes the line before it answers, but this test reads
	// the bridge's output in another goroutine: give it a moment to
	// catch up with the last call's line.
	var stored []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		stored = b.out.logged("ERROR", "the change could not be stored")
		if len(stored) >= len(down) || time.Now().After(deadline) {
			break
		}
	}
	if len(stored) != len(down) {
		t.Errorf(`the bridge logged "the change could not be stored" %d times for %d refused calls: %q`, len(stored), len(down), stored)
	}
	for _, l := range stored {
		if !strings.Contains(l, "disk I/O error") {
			t.Errorf(`the bridge logged %s, want SQLite's "disk I/O error"`, l)
		}
	}

	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &old, nil); err != nil {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE, %d): %v", pid, old.Cur, err)
	}
	w.wh.Clear()
	back := time.Now()
	for {
		a := call(oofCall{user: "r00", on: false})
		if a.outcome == acked {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatalf("30s after the store could write again, calls still get %d: %s", a.status, a.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if p := w.converge(30*time.Second, holds); len(p) > 0 {
		t.Fatalf("after the store could write again: %s", firstN(p, 10))
	}
	if !b.alive() || b.pid() != pid {
		t.Fatalf("the bridge was restarted or died: the store must recover in the same process")
	}
	t.Logf("acknowledged and delivered again %s after the limit was lifted; the bridge's errors meanwhile: %s",
		time.Since(back).Round(10*time.Millisecond), strings.Join(b.out.messages("ERROR"), "; "))
}
