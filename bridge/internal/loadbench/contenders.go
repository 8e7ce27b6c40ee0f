package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// endpointPath is where every contender serves SOAP (the bridge's path).
const endpointPath = "/theservice/v0001/soapun"

// Contender is one server under test.
type Contender struct {
	Name  string // short, for tables, flags and file names
	Label string // for people
	Desc  string // what it is and does
}

// measures tells whether c is measured with the envelope named env: the
// fan-out floor makes the requests of the OOF call only.
func (c Contender) measures(env string) bool {
	return c.Name != "fanout-floor" || env == "oof"
}

// contenders are all of them, in report order: the floor first, the peers
// last.
var contenders = []Contender{
	{"floor", "floor (Echo)", "a minimal Echo handler at the same path: reads the body, answers the bridge's fixed OOF response; no SOAP work (the harness binary, -serve floor)"},
	{"bridge-auth", "bridge, Basic auth", "the bridge as deployed: testdata/bench/bridge-auth.yaml, the embedded default's demo caller (bcrypt cost 10) with HTTP Basic on every call, as WCF, zeep and PHP send it, and one no-op vendor (the log sink, keep: 0; stdout to /dev/null)"},
	{"bridge-sqlite", "bridge, SQLite store", "the store's cost on the embedded default: testdata/bench/bridge-sqlite.yaml, as bridge-auth with one stored vendor, the webhook, to a stub answering at once (-serve instant, on the load generator's core, not counted), and apply_wait 0: each call is committed (synchronous=FULL, group commit) and answered, its delivery runs meanwhile; the calls go through 10,000 users"},
	{"bridge-postgres", "bridge, Postgres store", "the same on Postgres (testdata/bench/bridge-postgres.yaml): Debian's server, fsync on, started by the harness on the load generator's core as a database on another machine would be (its CPU not counted), a new database per start"},
	{"bridge-flaky", "bridge, vendor failing 10%", "the soak's bridge (testdata/bench/bridge-flaky.yaml): as deployed (Basic auth, SQLite store, apply_wait 2s) with the webhook to a stub that fails one attempt in ten with 503, so a tenth of the deliveries are retried"},
	{"bridge-soap", "bridge, SOAP only", "the bridge binary, testdata/bench/bridge-soap.yaml: the whole SOAP path with authentication off and one no-op vendor (the log sink, keep: 0; stdout to /dev/null)"},
	{"bridge-instant", "bridge + 4 instant vendors", "the bridge binary, testdata/bench/bridge-instant.yaml: fan-out to grommunio, SuperOffice, Therefore REST and webhook adapters whose servers are stubs answering at once (-serve instant, in a helper process on the load generator's core, its CPU not counted): the bridge's own fan-out cost"},
	{"fanout-floor", "fan-out floor", "the least a durable fan-out of an OOF call to the four instant vendors costs in Go on this machine (the harness binary, -serve fanout-floor): the floor, plus a commit of the body to SQLite (the bridge's driver, synchronous=FULL, group commit), the seven requests the vendors' APIs need over net/http, four vendors at once, and the row's delete in the next commit; no decoding, no per-vendor state, no logs. What it adds over the floor bounds what the bridge's four instant vendors can add over SOAP only"},
	{"bridge-fakes", "bridge + 4 fakes", "the bridge binary, testdata/bench/bridge-fakes.yaml: fan-out to the faithful fakes of grommunio, SuperOffice, Therefore REST and the webhook, served by `thereforebridge fakes -rate-limits=false` in a helper process on the load generator's core, as vendors on other machines (their validation's CPU not counted)"},
	{"node-soap", "node soap", "node `soap` 1.13 server (testdata/bench/node-soap/server.js) from wsdl/therefore.wsdl, both operations, empty responses"},
	{"gsoap", "gSOAP", "gSOAP 2.8 C++ service (testdata/bench/gsoap/server.cpp; wsdl2h + soapcpp2 -j -S -1, g++ -O2), both operations, empty responses, one thread per connection"},
}

// demoBasic is the Authorization of the embedded default's demo caller
// (demo / demo-password), sent to the "bridge, Basic auth" contender.
const demoBasic = "Basic ZGVtbzpkZW1vLXBhc3N3b3Jk"

// contenderNames lists the contenders' names, for messages.
func contenderNames() string {
	names := make([]string, len(contenders))
	for i, c := range contenders {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// contenderNamed returns the contender of that name, which must exist.
func contenderNamed(name string) Contender {
	return contenders[slices.IndexFunc(contenders, func(x Contender) bool { return x.Name == name })]
}

// env is what starting contenders needs.
type env struct {
	root      string // repository root
	cache     string // os.UserCacheDir()/thereforebridge-bench
	self      string // this program, re-executed for the floor and the SuperOffice fake
	logDir    string
	pin       bool
	serverCPU int
	clientCPU int

	bridgeBin   string
	gsoapBin    string
	nodeModules string

	pg  *pgtest.Server // started for the first contender on Postgres
	pgN int            // databases made on it

	pprofAddr string          // host:port of the debug listener, when -pprof is set
	pprofKey  string          // the bridge config key that turns it on
	pprofFor  map[string]bool // contenders started with it
}

// proc is a running contender: its processes (the server first) and where
// it answers.
type proc struct {
	name      string
	cmds      []*exec.Cmd
	exited    []chan struct{}
	uncounted map[*exec.Cmd]bool // helpers on the load generator's core
	basic     string             // Authorization sent with every call, if any
	subjects  []string           // the calls' subjects, when not benchSubjects
	state     string             // a bridge's STATE_DIRECTORY (its SQLite store)
	Base      string             // http://127.0.0.1:PORT
	Metrics   string             // Prometheus endpoint, "" when it has none
	logPath   string
}

// Endpoint is the SOAP endpoint URL.
func (p *proc) Endpoint() string { return p.Base + endpointPath }

// Header is what the contender is sent with env: a WCF client's headers,
// and its credentials where it wants them.
func (p *proc) Header(env Envelope) http.Header {
	h := env.Header()
	if p.basic != "" {
		h.Set("Authorization", p.basic)
	}
	return h
}

// PIDs returns the process ids whose CPU counts for the contender.
func (p *proc) PIDs() []int {
	var ids []int
	for _, c := range p.cmds {
		if !p.uncounted[c] {
			ids = append(ids, c.Process.Pid)
		}
	}
	return ids
}

// CPU returns the CPU time used so far by the contender's processes.
func (p *proc) CPU() time.Duration {
	var sum time.Duration
	for _, id := range p.PIDs() {
		d, err := cpuTime(id)
		if err == nil {
			sum += d
		}
	}
	return sum
}

// Stop ends the contender's processes (SIGTERM, then SIGKILL after 3 s),
// the server first.
func (p *proc) Stop() {
	for i, c := range p.cmds {
		c.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited[i]:
		case <-time.After(3 * time.Second):
			c.Process.Kill()
			<-p.exited[i]
		}
	}
}

// Alive reports whether every process is still running.
func (p *proc) Alive() bool {
	for _, ch := range p.exited {
		select {
		case <-ch:
			return false
		default:
		}
	}
	return true
}

// logTail returns the end of the contender's stderr log.
func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}

// spawn starts argv (pinned to the server's core when pinning) and adds it
// to p. Its stderr (and stdout, unless quiet) go to p's log.
func (e *env) spawn(p *proc, argv []string, extraEnv []string, quiet bool) error {
	return e.spawnOn(p, e.serverCPU, argv, extraEnv, quiet)
}

// spawnHelper starts a helper whose CPU is not the contender's, on the
// load generator's core.
func (e *env) spawnHelper(p *proc, argv []string) error {
	if err := e.spawnOn(p, e.clientCPU, argv, nil, false); err != nil {
		return err
	}
	if p.uncounted == nil {
		p.uncounted = map[*exec.Cmd]bool{}
	}
	p.uncounted[p.cmds[len(p.cmds)-1]] = true
	return nil
}

func (e *env) spawnOn(p *proc, cpu int, argv []string, extraEnv []string, quiet bool) error {
	if e.pin {
		argv = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, argv...)
	}
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = e.root
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stderr = log
	if !quiet {
		cmd.Stdout = log
	} // else nil: /dev/null
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	p.cmds = append(p.cmds, cmd)
	p.exited = append(p.exited, done)
	return nil
}

// waitFile waits until path exists, the process p started last exits,
// or 60 s pass.
func waitFile(p *proc, path string) error {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-p.exited[len(p.exited)-1]:
			return fmt.Errorf("%s exited before writing %s: %s", p.name, path, p.logTail())
		default:
		}
	}
	return fmt.Errorf("%s: %s not written after 60 s: %s", p.name, path, p.logTail())
}

// waitPort waits until 127.0.0.1:port accepts connections, the process
// exits, or 60 s pass.
func waitPort(p *proc, port int) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if !p.Alive() {
			return fmt.Errorf("%s exited before listening: %s", p.name, p.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: nothing listens on port %d after 60 s: %s", p.name, port, p.logTail())
}

// isBridge reports whether contender name is the bridge binary (with one
// of testdata/bench/NAME.yaml): the bridge's contenders are all named
// bridge-*.
func isBridge(name string) bool { return strings.HasPrefix(name, "bridge-") }

// start starts contender name and waits until it accepts connections.
func (e *env) start(name string) (*proc, error) {
	port, err := pgtest.FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p := &proc{name: name, Base: "http://" + addr, logPath: filepath.Join(e.logDir, name+".log")}
	os.Remove(p.logPath)
	var argv, extra []string
	quiet := false
	switch {
	case name == "floor":
		argv = []string{e.self, "-serve", "floor", "-addr", addr}
		if e.pprofFor[name] {
			argv = append(argv, "-debug-listen", e.pprofAddr)
		}
	case name == "fanout-floor":
		vendors, err := e.startInstant(p)
		if err != nil {
			p.Stop()
			return nil, err
		}
		p.state = filepath.Join(e.cache, "run", name+"-state")
		if err := os.RemoveAll(p.state); err != nil {
			p.Stop()
			return nil, err
		}
		if err := os.MkdirAll(p.state, 0o755); err != nil {
			p.Stop()
			return nil, err
		}
		argv = []string{e.self, "-serve", "fanout-floor", "-addr", addr, "-vendors", "http://" + vendors, "-store", filepath.Join(p.state, "floor.db")}
		if e.pprofFor[name] {
			argv = append(argv, "-debug-listen", e.pprofAddr)
		}
	case isBridge(name):
		p.state = filepath.Join(e.cache, "run", name+"-state")
		if name == "bridge-auth" || name == "bridge-sqlite" || name == "bridge-postgres" || name == "bridge-flaky" {
			p.basic = demoBasic
		}
		if name == "bridge-fakes" || name == "bridge-instant" {
			// The vendors are told of the users of the configuration's
			// directory (the fakes are seeded with them); another user
			// has no address there, which grommunio's adapter refuses
			// (a permanent failure: a fault).
			p.subjects = []string{"jdoe", "asmith", "bwong"}
		}
		cfg, env, err := e.bridgeConfig(name, p)
		if err != nil {
			p.Stop()
			return nil, err
		}
		// Each start gets an empty state directory in the cache: the
		// delivery store must not grow across runs, nor land in the tree.
		state := p.state
		if err := os.RemoveAll(state); err != nil {
			p.Stop()
			return nil, err
		}
		if err := os.MkdirAll(state, 0o755); err != nil {
			p.Stop()
			return nil, err
		}
		argv = []string{e.bridgeBin, "serve", "-config", cfg, "-listen", addr}
		// The collector's trace goes to the log: the peak heap is read
		// from it (gcTracePeak).
		extra = append(env, "STATE_DIRECTORY="+state, gcTraceEnv())
		quiet = true // one JSON log line per call: not worth keeping
		p.Metrics = p.Base + "/metrics"
	case name == "node-soap":
		argv = []string{"node", filepath.Join(e.root, "testdata", "bench", "node-soap", "server.js"),
			"--wsdl", filepath.Join(e.root, "wsdl", "therefore.wsdl"), "--port", strconv.Itoa(port)}
		extra = []string{"NODE_PATH=" + e.nodeModules}
	case name == "gsoap":
		argv = []string{e.gsoapBin, strconv.Itoa(port)}
	default:
		return nil, fmt.Errorf("unknown contender %q", name)
	}
	if err := e.spawn(p, argv, extra, quiet); err != nil {
		p.Stop()
		return nil, err
	}
	// The server goes first in p.cmds (PIDs, RSS), helpers after it.
	if len(p.cmds) > 1 {
		p.cmds = append(p.cmds[len(p.cmds)-1:], p.cmds[:len(p.cmds)-1]...)
		p.exited = append(p.exited[len(p.exited)-1:], p.exited[:len(p.exited)-1]...)
	}
	if err := waitPort(p, port); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// bridgeConfig writes the configuration the bridge contender name runs
// with (testdata/bench/<name>.yaml, with the SuperOffice fake's address
// filled in and, under -pprof, the debug listener) and starts the helper
// processes it needs. It returns the file and the environment to add.
func (e *env) bridgeConfig(name string, p *proc) (string, []string, error) {
	src := filepath.Join(e.root, "testdata", "bench", name+".yaml")
	b, err := os.ReadFile(src)
	if err != nil {
		return "", nil, err
	}
	var extra []string
	if bytes.Contains(b, []byte("VENDOR_FAKES")) {
		// The bridge's own fakes command, as an operator rehearses with
		// it: every fake on one listener, rate limits off, the demo
		// credentials written to files that the configuration refers to.
		port, err := pgtest.FreePort()
		if err != nil {
			return "", nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		secrets := filepath.Join(e.cache, "run", name+"-fakes")
		if err := os.RemoveAll(secrets); err != nil {
			return "", nil, err
		}
		if err := e.spawnHelper(p, []string{e.bridgeBin, "fakes", "-listen", addr, "-rate-limits=false", "-secrets", secrets}); err != nil {
			return "", nil, err
		}
		if err := waitPort(p, port); err != nil {
			return "", nil, err
		}
		b = bytes.ReplaceAll(b, []byte("VENDOR_FAKES_SECRETS"), []byte(secrets))
		b = bytes.ReplaceAll(b, []byte("VENDOR_FAKES"), []byte(addr))
		// It listens before it writes the credentials: wait for those the
		// configuration names.
		for _, m := range regexp.MustCompile(`file:(\S+)`).FindAllSubmatch(b, -1) {
			if err := waitFile(p, string(m[1])); err != nil {
				return "", nil, err
			}
		}
	}
	if bytes.Contains(b, []byte("INSTANT_VENDORS")) {
		addr, err := e.startInstant(p)
		if err != nil {
			return "", nil, err
		}
		b = bytes.ReplaceAll(b, []byte("INSTANT_VENDORS"), []byte(addr))
		extra = append(extra, "TB_BENCH_STUB_SECRET="+stubSecret)
	}
	if bytes.Contains(b, []byte("TB_BENCH_POSTGRES_DSN")) {
		dsn, err := e.postgresDB()
		if err != nil {
			return "", nil, err
		}
		extra = append(extra, "TB_BENCH_POSTGRES_DSN="+dsn,
			// The key a shared store seals SavePortalUser passwords with.
			"TB_BENCH_STORE_KEY=62656e63682d6b65792d6f662d6e6f2d696d706f7274616e63652d2d2d2d2d2d")
	}
	if e.pprofFor[name] {
		b = append(b, fmt.Sprintf("\n# added by loadbench -pprof\n%s: %s\n", e.pprofKey, e.pprofAddr)...)
	}
	dst := filepath.Join(e.cache, "run", name+".yaml")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", nil, err
	}
	return dst, extra, os.WriteFile(dst, b, 0o644)
}

// stubSecret is every credential the instant vendors' contenders send
// them (TB_BENCH_STUB_SECRET), the webhook's signing secret among them.
const stubSecret = "bench-stub-secret-of-no-importance"

// startInstant starts the instant vendors as a helper of p, on the load
// generator's core, and returns their address once they listen.
func (e *env) startInstant(p *proc) (string, error) {
	port, err := pgtest.FreePort()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := e.spawnHelper(p, []string{e.self, "-serve", "instant", "-addr", addr}); err != nil {
		return "", err
	}
	return addr, waitPort(p, port)
}

// postgresDB returns the DSN of a new database on the benchmark's
// Postgres, which it starts the first time: fsync on, as deployed, and on
// the load generator's core (when pinning), as a database on another
// machine would be.
func (e *env) postgresDB() (string, error) {
	if e.pg == nil {
		o := pgtest.Options{Durable: true}
		if e.pin {
			o.CPU = &e.clientCPU
		}
		logf("starting Postgres (%s)", pgtest.Bin())
		pg, err := pgtest.Launch(o)
		if err != nil {
			return "", fmt.Errorf("postgres: %w", err)
		}
		e.pg = pg
	}
	e.pgN++
	return e.pg.NewDB(fmt.Sprintf("bench%d", e.pgN))
}

// stopPostgres removes the benchmark's Postgres, if it started one.
func (e *env) stopPostgres() {
	if e.pg != nil {
		e.pg.Remove()
		e.pg = nil
	}
}

// check sends env once to p and verifies the answer: HTTP 200 and, except
// from the floor (which answers the same to everything), the operation's
// response element and no fault. It returns the response's size.
func check(p *proc, env Envelope) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint(), bytes.NewReader(env.Body))
	req.Header = p.Header(env)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s answered %s to %s: %s", p.name, resp.Status, env.Name, clip(string(body), 400))
	}
	if p.name != "floor" {
		op := env.Action[strings.LastIndexByte(env.Action, '/')+1:]
		if !bytes.Contains(body, []byte(op+"Response")) || bytes.Contains(body, []byte("Fault>")) {
			return 0, fmt.Errorf("%s did not answer %sResponse to %s: %s", p.name, op, env.Name, clip(string(body), 400))
		}
	}
	return len(body), nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// hashFiles returns a short hex digest of the named files' contents.
func hashFiles(paths ...string) (string, error) {
	h := sha256.New()
	io.WriteString(h, "thereforebridge-bench v1\x00")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(p), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// keyedDir returns cache/<stack>-<key> and removes older keys of stack.
func (e *env) keyedDir(stack, key string) string {
	dir := filepath.Join(e.cache, stack+"-"+key)
	old, _ := filepath.Glob(filepath.Join(e.cache, stack+"-*"))
	for _, o := range old {
		if o != dir && !strings.Contains(filepath.Base(o), ".tmp.") {
			os.RemoveAll(o)
		}
	}
	return dir
}

// build prepares what the selected contenders need: the bridge binary (go
// build), node soap's node_modules (npm ci, cached by the lock file) and
// the gSOAP server (wsdl2h, soapcpp2, g++; cached by the WSDL and sources).
func (e *env) build(selected map[string]bool, logf func(string, ...any)) error {
	if slices.ContainsFunc(slices.Collect(maps.Keys(selected)), isBridge) {
		e.bridgeBin = filepath.Join(e.cache, "bin", "thereforebridge")
		logf("building the bridge (go build ./cmd/thereforebridge)")
		cmd := exec.Command("go", "build", "-o", e.bridgeBin, "./cmd/thereforebridge")
		cmd.Dir = e.root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/thereforebridge: %v\n%s", err, out)
		}
	}
	if selected["node-soap"] {
		// The interop suite's pin of node soap, installed by its script.
		dir := filepath.Join(e.root, "testdata", "interop", "node-soap")
		key, err := hashFiles(filepath.Join(dir, "package.json"), filepath.Join(dir, "package-lock.json"), filepath.Join(dir, "install.sh"))
		if err != nil {
			return err
		}
		build := e.keyedDir("node-soap", key)
		logf("installing node soap (npm ci, cached in %s)", build)
		if err := runScript(e.root, filepath.Join(dir, "install.sh"), "--build-dir", build); err != nil {
			return fmt.Errorf("node soap: %w", err)
		}
		e.nodeModules = filepath.Join(build, "node_modules")
	}
	if selected["gsoap"] {
		dir := filepath.Join(e.root, "testdata", "bench", "gsoap")
		wsdl := filepath.Join(e.root, "wsdl", "therefore.wsdl")
		key, err := hashFiles(wsdl, filepath.Join(dir, "server.cpp"), filepath.Join(dir, "build.sh"))
		if err != nil {
			return err
		}
		build := e.keyedDir("gsoap", key)
		logf("building the gSOAP server (wsdl2h, soapcpp2, g++; cached in %s)", build)
		if err := runScript(e.root, filepath.Join(dir, "build.sh"), "--build-dir", build, "--wsdl", wsdl); err != nil {
			return fmt.Errorf("gSOAP: %w", err)
		}
		e.gsoapBin = filepath.Join(build, "server")
	}
	return nil
}

func runScript(dir, script string, args ...string) error {
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", filepath.Base(script), err, out)
	}
	return nil
}

// pprofTarget parses the -pprof URL into the debug listener's address.
func pprofTarget(raw string) (base, addr string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", "", errors.New("-pprof: want http://HOST:PORT of the debug listener, e.g. http://127.0.0.1:6060")
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", "", fmt.Errorf("-pprof: %s is not a loopback address; the benchmark only talks to this machine", host)
	}
	if u.Port() == "" {
		return "", "", errors.New("-pprof: the URL needs a port")
	}
	return "http://" + u.Host, u.Host, nil
}
