// Command loadbench is the bridge's load benchmark (make bench-load, make
// bench-soak): it starts each contender on 127.0.0.1 — the floor (a minimal
// Echo handler), the bridge with a no-op vendor, the bridge with four vendor
// fakes, a node soap server and a gSOAP server built from the bridge's WSDL
// — feeds them the same envelopes at several concurrency levels with its
// own closed-loop load generator, and writes a Markdown table and an SVG
// chart of throughput, latency, CPU per request and peak memory.
//
//	go run ./bridge/internal/loadbench -out testdata/bench/results
//	go run ./bridge/internal/loadbench -out testdata/bench/results -soak 1000000
//
// The server under test runs pinned to one core and the load generator to
// the other (taskset), so that neither starves the other on a 2-core
// machine. Every run is bounded in time and in requests and talks to
// 127.0.0.1 only.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

var selfPID = os.Getpid()

// defaultContenders are the contenders of make bench-load: all but the
// soak's.
const defaultContenders = "floor,bridge-auth,bridge-sqlite,bridge-postgres,bridge-soap,bridge-instant,fanout-floor,bridge-fakes,node-soap,gsoap"

// options are the command line.
type options struct {
	out         string
	scenarios   []string
	contenders  []string
	envelopes   []string
	levels      []int
	warmup      time.Duration
	duration    time.Duration
	maxRequests int64
	minSamples  int64
	maxWindow   time.Duration
	budget      time.Duration
	timeout     time.Duration
	serverCPU   int
	clientCPU   int
	noPin       bool
	cache       string

	soak          int64
	soakC         int
	soakContender string
	soakMaxTime   time.Duration

	pprof           string
	pprofC          int
	pprofContenders []string
	pprofKey        string

	writeEnvelopes string
}

func main() {
	var o options
	var scenarios, contenders, envelopes, levels, pprofFor string
	var serve, addr, debugListen, vendors, store string
	flag.StringVar(&o.out, "out", "testdata/bench/results", "directory for latest.md, latest.svg, latest.json (and soak.*, profiles/)")
	flag.StringVar(&scenarios, "scenarios", "table,pair,flood", "scenarios to run, comma-separated: table (every contender, envelope and level), pair (Basic auth against SOAP only, in alternating windows), flood (a wrong-password flood beside a legitimate caller, against bridge-auth)")
	flag.StringVar(&contenders, "contenders", defaultContenders, "contenders to run, comma-separated")
	flag.StringVar(&envelopes, "envelopes", "oof,portal-10,portal-10000", "envelopes to send, comma-separated")
	flag.StringVar(&levels, "c", "1,8,32,128", "concurrency levels, comma-separated")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up before each measured window (extended until every worker has had an answer, at most 15 s)")
	flag.DurationVar(&o.duration, "duration", 4*time.Second, "measured window per contender, envelope and level")
	flag.Int64Var(&o.maxRequests, "max-requests", 100000, "the window also ends after this many completions")
	flag.Int64Var(&o.minSamples, "min-samples", 10, "the window is extended (up to -max-window) until this many calls completed")
	flag.DurationVar(&o.maxWindow, "max-window", 20*time.Second, "longest a window is extended for -min-samples")
	flag.DurationVar(&o.budget, "budget", 14*time.Minute, "levels not started within this time of the start are skipped (and listed as such)")
	flag.DurationVar(&o.timeout, "timeout", time.Minute, "per-request timeout")
	flag.IntVar(&o.serverCPU, "server-cpu", 1, "core the server under test is pinned to")
	flag.IntVar(&o.clientCPU, "client-cpu", 0, "core the load generator is pinned to")
	flag.BoolVar(&o.noPin, "no-pin", false, "do not pin with taskset")
	flag.StringVar(&o.cache, "cache", "", "build cache (default: os.UserCacheDir()/thereforebridge-bench)")
	flag.Int64Var(&o.soak, "soak", 0, "instead of the load table: a soak of this many calls, RSS sampled every second")
	flag.IntVar(&o.soakC, "soak-c", 8, "soak concurrency")
	flag.StringVar(&o.soakContender, "soak-contender", "bridge-soap", "contender the soak runs against (one of the bridge-* contenders)")
	flag.DurationVar(&o.soakMaxTime, "soak-max-time", 13*time.Minute, "the soak stops after this long even if it has not made -soak calls")
	flag.StringVar(&o.pprof, "pprof", "", "URL of a net/http/pprof debug listener (http://127.0.0.1:6060): save CPU and allocation profiles under load")
	flag.IntVar(&o.pprofC, "pprof-c", 32, "concurrency level at which profiles are taken")
	flag.StringVar(&pprofFor, "pprof-contenders", "bridge-soap,bridge-fakes", "contenders profiled under -pprof (they are started with the debug listener)")
	flag.StringVar(&o.pprofKey, "pprof-key", "debug_listen", "bridge config key that turns the debug listener on (added to the bench config under -pprof)")
	flag.StringVar(&o.writeEnvelopes, "write-envelopes", "", "only write the benchmark's envelopes (NAME.xml, with NAME.action) into this directory, e.g. to replay them with curl")
	flag.StringVar(&serve, "serve", "", "internal: run a helper server (floor, instant, fanout-floor) instead of the benchmark")
	flag.StringVar(&addr, "addr", "127.0.0.1:0", "internal: -serve listen address")
	flag.StringVar(&debugListen, "debug-listen", "", "internal: -serve floor also serves net/http/pprof here")
	flag.StringVar(&vendors, "vendors", "", "internal: -serve fanout-floor's instant vendors, http://host:port")
	flag.StringVar(&store, "store", "", "internal: -serve fanout-floor's SQLite file")
	flag.Parse()
	if serve != "" {
		os.Exit(serveMode(serve, addr, debugListen, vendors, store))
	}
	o.contenders = splitList(contenders)
	o.scenarios = splitList(scenarios)
	o.envelopes = splitList(envelopes)
	o.pprofContenders = splitList(pprofFor)
	for _, s := range splitList(levels) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1024 {
			fatalf("-c: %q is not a concurrency between 1 and 1024", s)
		}
		o.levels = append(o.levels, n)
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadbench: "+format+"\n", args...)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s loadbench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// repoRoot finds the module root (go.mod of thereforebridge) from the
// working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/thereforebridge/thereforebridge") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the thereforebridge repository (no go.mod found above the working directory)")
		}
		dir = parent
	}
}

func run(o options) error {
	began := time.Now()
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if o.writeEnvelopes != "" {
		all, err := loadEnvelopes(root)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(o.writeEnvelopes, 0o755); err != nil {
			return err
		}
		for _, e := range all {
			if err := os.WriteFile(filepath.Join(o.writeEnvelopes, e.Name+".xml"), e.Body, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(o.writeEnvelopes, e.Name+".action"), []byte(e.Action+"\n"), 0o644); err != nil {
				return err
			}
		}
		logf("wrote %d envelopes to %s", len(all), o.writeEnvelopes)
		return nil
	}
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(root, o.out)
	}
	if o.cache == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no cache directory (%v): pass -cache", err)
		}
		o.cache = filepath.Join(uc, "thereforebridge-bench")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	e := &env{root: root, cache: o.cache, self: self, logDir: filepath.Join(o.cache, "logs"), serverCPU: o.serverCPU, clientCPU: o.clientCPU, pprofFor: map[string]bool{}}
	defer e.stopPostgres()
	for _, d := range []string{o.out, e.logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	known := map[string]bool{}
	for _, c := range contenders {
		known[c.Name] = true
	}
	selected := map[string]bool{}
	table, flood, pair := false, false, false
	for _, sc := range o.scenarios {
		switch sc {
		case "table":
			table = true
		case "flood":
			flood = true
		case "pair":
			pair = true
		default:
			return fmt.Errorf("-scenarios: unknown %q (have table, flood, pair)", sc)
		}
	}
	if o.soak > 0 {
		o.contenders = []string{o.soakContender}
	}
	if !table {
		o.contenders = nil
	}
	for _, name := range o.contenders {
		if !known[name] {
			return fmt.Errorf("-contenders: unknown %q (have %s)", name, contenderNames())
		}
		selected[name] = true
	}
	build := maps.Clone(selected)
	if flood {
		build[floodContender] = true
	}
	if pair {
		for _, pc := range pairs {
			build[pc.a], build[pc.b] = true, true
		}
	}
	if o.pprof != "" {
		var addr string
		if _, addr, err = pprofTarget(o.pprof); err != nil {
			return err
		}
		e.pprofAddr, e.pprofKey = addr, o.pprofKey
		for _, n := range o.pprofContenders {
			e.pprofFor[n] = true
		}
	}

	// Build before pinning: the builds would otherwise share one core.
	if err := e.build(build, logf); err != nil {
		return err
	}
	pinNote := ""
	switch {
	case o.noPin:
		pinNote = "not pinned (-no-pin): server and load generator share every core"
	case runtime.NumCPU() < 2:
		pinNote = "not pinned: this machine has one core, so server and load generator share it"
	default:
		if _, err := exec.LookPath("taskset"); err != nil {
			return errors.New("taskset not found (Debian util-linux); or pass -no-pin")
		}
		if err := pinSelf(o.clientCPU); err != nil {
			return err
		}
		runtime.GOMAXPROCS(1)
		e.pin = true
		pinNote = fmt.Sprintf("server under test pinned to CPU %d (`taskset -c %d`, so Go servers run with GOMAXPROCS=1), load generator pinned to CPU %d (`taskset -a -p -c %d`, GOMAXPROCS=1)",
			o.serverCPU, o.serverCPU, o.clientCPU, o.clientCPU)
	}
	logf("%s", pinNote)

	all, err := loadEnvelopes(root)
	if err != nil {
		return err
	}
	var envs []Envelope
	for _, name := range o.envelopes {
		i := slices.IndexFunc(all, func(x Envelope) bool { return x.Name == name })
		if i < 0 {
			return fmt.Errorf("-envelopes: unknown %q (have oof, portal-10, portal-10000)", name)
		}
		envs = append(envs, all[i])
	}

	if o.soak > 0 {
		return runSoak(o, e, all, pinNote)
	}

	rep := &Report{
		Started:  began,
		Machine:  machineInfo(),
		Pinning:  pinNote,
		Settings: settingsOf(o),
		LoadAvg:  [2]string{loadAvg(), ""},
	}
	for _, c := range contenders {
		if selected[c.Name] {
			rep.Contenders = append(rep.Contenders, c)
		}
	}
	for _, env := range envs {
		rep.Envelopes = append(rep.Envelopes, EnvelopeInfo{Name: env.Name, Label: env.Label, Bytes: len(env.Body)})
	}
	for _, env := range envs {
		for _, c := range rep.Contenders {
			if !c.measures(env.Name) {
				continue
			}
			runs, err := measureContender(o, e, c, env, began)
			rep.Runs = append(rep.Runs, runs...)
			if err != nil {
				logf("%s on %s: %v", c.Name, env.Name, err)
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s on %s: %v", c.Label, env.Name, err))
			}
		}
	}
	if flood {
		i := slices.IndexFunc(all, func(x Envelope) bool { return x.Name == "oof" })
		fr, err := runFlood(o, e, contenderNamed(floodContender), all[i])
		rep.Flood = fr
		if err != nil {
			logf("flood: %v", err)
			rep.Problems = append(rep.Problems, "flood: "+err.Error())
		}
	}
	if pair {
		for _, pc := range pairs {
			ec := slices.IndexFunc(all, func(x Envelope) bool { return x.Name == pc.env })
			pr, err := runPair(o, e, contenderNamed(pc.a), contenderNamed(pc.b), all[ec], pairLevel)
			if pr != nil && err == nil {
				rep.Pairs = append(rep.Pairs, pr)
			}
			if err != nil {
				logf("pair: %v", err)
				rep.Problems = append(rep.Problems, "pair: "+err.Error())
			}
		}
	}
	rep.LoadAvg[1] = loadAvg()
	rep.Took = time.Since(began).Round(time.Second).String()
	return writeReport(o.out, rep)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// writeReport writes latest.json, latest.md and latest.svg into dir.
func writeReport(dir string, rep *Report) error {
	j, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.md"), []byte(rep.Markdown()), 0o644); err != nil {
		return err
	}
	var svg strings.Builder
	if err := rep.Chart().WriteSVG(&svg); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.svg"), []byte(svg.String()), 0o644); err != nil {
		return err
	}
	logf("wrote %s/latest.{md,svg,json} in %s", dir, rep.Took)
	return nil
}
