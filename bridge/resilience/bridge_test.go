package resilience

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// bin is the thereforebridge binary, built once for the package.
var bin string

// logf, when RESILIENCE_LOG names a file, gets every line the bridges
// write, for a failure's post-mortem.
var logf = func() *os.File {
	if p := os.Getenv("RESILIENCE_LOG"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			return f
		}
	}
	return nil
}()

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		dir, err := os.MkdirTemp("", "resilience-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		bin = filepath.Join(dir, "thereforebridge")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/thereforebridge/thereforebridge/cmd/thereforebridge").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func needBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the built binary under load")
	}
}

// The one SOAP caller of every bridge here; bcrypt's lowest cost, so that
// load measures the store and not password hashing.
const (
	callerName   = "tester"
	callerPass   = "tester-password"
	callerDigest = "tester-digest-secret"
)

var callerHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(callerPass), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

// settings are what a test varies in a bridge's config.
type settings struct {
	store     string // sqlite:PATH or postgres://...
	applyWait string
	replicas  int
	extra     string // more YAML under delivery:
	// vendorTimeout bounds one attempt (fanout.vendor_timeout); default
	// 2s, so that rescue_after may be as low as 17s.
	vendorTimeout string
}

// configFile writes a bridge config for w and returns its path.
func (w *world) configFile(s settings) string {
	w.t.Helper()
	if s.replicas == 0 {
		s.replicas = 1
	}
	if s.vendorTimeout == "" {
		s.vendorTimeout = "2s"
	}
	key := w.secret("store-key", hex.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
endpoint: /theservice/v0001/soapun
shutdown_timeout: 5s
auth:
  callers:
    - {name: %s, password_hash: %q, digest_secret: %s}
fanout:
  vendor_timeout: %s
  initial_backoff: 50ms
  max_backoff: 1s
delivery:
  store: %s
  apply_wait: %s
  replicas: %d
  poll_interval: 50ms
  encryption_key: %s
%s%s%s`, callerName, callerHash, w.secret("digest", callerDigest), s.vendorTimeout, s.store, s.applyWait, s.replicas, key, s.extra,
		w.identityYAML(), w.vendorsYAML())
	f, err := os.CreateTemp(w.secrets, "bridge-*.yaml")
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(cfg); err != nil {
		w.t.Fatal(err)
	}
	return f.Name()
}

// bridge is one thereforebridge serve process; restarted, it keeps its
// address and store.
type bridge struct {
	t      *testing.T
	config string
	addr   string // 127.0.0.1:port
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	out    *tail
}

// startBridge starts serve on config at a free 127.0.0.1 port.
func startBridge(t *testing.T, config string) *bridge {
	t.Helper()
	b := &bridge{t: t, config: config, addr: freeAddr(t), out: &tail{}}
	b.start()
	t.Cleanup(func() {
		b.kill()
		if t.Failed() {
			t.Logf("bridge %s output, last lines:\n%s", b.addr, b.out)
		}
	})
	return b
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// URL is the SOAP endpoint.
func (b *bridge) URL() string { return "http://" + b.addr + "/theservice/v0001/soapun" }

// start runs the process and returns once it listens.
func (b *bridge) start() {
	b.t.Helper()
	cmd := exec.Command(bin, "serve", "-listen", b.addr, b.config)
	cmd.Dir = filepath.Dir(b.config)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); pw.Close(); close(exited) }()
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			b.out.add(line)
			if logf != nil {
				fmt.Fprintln(logf, line)
			}
			var m struct{ Msg string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				once.Do(func() { close(listening) })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case <-listening:
	case <-exited:
		b.t.Fatalf("the bridge exited before listening:\n%s", b.out)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		b.t.Fatalf("the bridge did not listen within 60s:\n%s", b.out)
	}
	b.mu.Lock()
	b.cmd, b.exited = cmd, exited
	b.mu.Unlock()
}

// kill sends SIGKILL and waits for the process to be gone.
func (b *bridge) kill() {
	b.mu.Lock()
	cmd, exited := b.cmd, b.exited
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// pid is the process id of the running bridge.
func (b *bridge) pid() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cmd.Process.Pid
}

// alive reports whether the process started last is still running.
func (b *bridge) alive() bool {
	b.mu.Lock()
	exited := b.exited
	b.mu.Unlock()
	select {
	case <-exited:
		return false
	default:
		return true
	}
}

// restart kills the process and starts it again on the same address and
// store.
func (b *bridge) restart() {
	b.kill()
	b.start()
}

// tail keeps the last lines a process wrote and, for tests that check
// what a bridge logged, the first lines of each level and message.
type tail struct {
	mu    sync.Mutex
	lines []string
	first map[logKey][]string // at most 20 lines each
}

type logKey struct{ level, msg string }

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var k struct{ Level, Msg string }
	if json.Unmarshal([]byte(s), &k) == nil && k.Msg != "" {
		if t.first == nil {
			t.first = map[logKey][]string{}
		}
		if key := (logKey{k.Level, k.Msg}); len(t.first[key]) < 20 {
			t.first[key] = append(t.first[key], s)
		}
	}
	t.lines = append(t.lines, s)
	if len(t.lines) > 60 {
		t.lines = t.lines[len(t.lines)-60:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// logged is the first lines (at most 20) logged at level with message
// msg.
func (t *tail) logged(level, msg string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.first[logKey{level, msg}])
}

// messages is every message logged so far at level (e.g. "ERROR").
func (t *tail) messages(level string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k := range t.first {
		if k.level == level {
			out = append(out, k.msg)
		}
	}
	slices.Sort(out)
	return out
}
