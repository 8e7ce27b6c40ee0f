package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Run is what one contender did with one envelope at one concurrency.
type Run struct {
	Contender    string  `json:"contender"`
	Envelope     string  `json:"envelope"`
	Concurrency  int     `json:"concurrency"`
	RPS          float64 `json:"rps"`
	P50          float64 `json:"p50_ms"`
	P99          float64 `json:"p99_ms"`
	P999         float64 `json:"p999_ms"`
	Mean         float64 `json:"mean_ms"`
	Max          float64 `json:"max_ms"`
	N            int64   `json:"n"`
	Errors       int64   `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	Elapsed      float64 `json:"window_s"`
	HitMax       bool    `json:"hit_max_requests,omitempty"`
	Steady       bool    `json:"steady"`
	WarmupS      float64 `json:"warmup_s"`
	CPU          float64 `json:"server_cpu_s"`
	CPUPer1k     float64 `json:"server_cpu_s_per_1k"`
	ServerCPUPct float64 `json:"server_cpu_pct"`
	ClientCPUPct float64 `json:"loadgen_cpu_pct"`
	// OtherPct is how busy other processes kept the server's core during
	// the window, in % (nil when not pinned).
	OtherPct *float64 `json:"other_on_server_core_pct,omitempty"`
	PeakRSS  int64    `json:"peak_rss_bytes"`
	PeakHeap int64    `json:"peak_heap_bytes,omitempty"`
	// HeapTraced: PeakHeap includes the collector trace's peaks, not
	// only samples of heap_alloc.
	HeapTraced bool     `json:"peak_heap_traced,omitempty"`
	Profiles   []string `json:"profiles,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// EnvelopeInfo describes one envelope in the report.
type EnvelopeInfo struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Bytes int    `json:"bytes"`
}

// Settings are the load parameters of a report.
type Settings struct {
	Levels      []int  `json:"concurrency"`
	Warmup      string `json:"warmup"`
	Duration    string `json:"duration"`
	MaxRequests int64  `json:"max_requests"`
	MinSamples  int64  `json:"min_samples"`
	MaxWindow   string `json:"max_window"`
	Timeout     string `json:"timeout"`
	Default     bool   `json:"default"` // the settings of make bench-load
}

func settingsOf(o options) Settings {
	s := Settings{Levels: o.levels, Warmup: o.warmup.String(), Duration: o.duration.String(), MaxRequests: o.maxRequests,
		MinSamples: o.minSamples, MaxWindow: max(o.duration, o.maxWindow).String(), Timeout: o.timeout.String()}
	s.Default = o.warmup == time.Second && o.duration == 4*time.Second && o.maxRequests == 100000 &&
		o.minSamples == 10 && o.maxWindow == 20*time.Second &&
		fmt.Sprint(o.levels) == "[1 8 32 128]" && len(o.envelopes) == 3 && strings.Join(o.contenders, ",") == defaultContenders
	return s
}

// Machine says where a report was made.
type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Memory string `json:"memory"`
	Kernel string `json:"kernel"`
	Go     string `json:"go"`
	Node   string `json:"node"`
	GSOAP  string `json:"gsoap"`
}

func machineInfo() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:")), "%d", &kb)
				m.Memory = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "gsoap").Output(); err == nil {
		m.GSOAP = strings.TrimSpace(string(out))
	}
	return m
}

// Report is one run of the benchmark.
type Report struct {
	Started    time.Time      `json:"started"`
	Took       string         `json:"took"`
	Machine    Machine        `json:"machine"`
	Pinning    string         `json:"pinning"`
	Settings   Settings       `json:"settings"`
	LoadAvg    [2]string      `json:"loadavg_start_end"`
	Contenders []Contender    `json:"contenders"`
	Envelopes  []EnvelopeInfo `json:"envelopes"`
	Runs       []Run          `json:"runs"`
	Flood      *FloodResult   `json:"flood,omitempty"`
	Pairs      []*PairResult  `json:"pairs,omitempty"`
	Problems   []string       `json:"problems,omitempty"`
}

// find returns the run of contender at env and level, or nil.
func (r *Report) find(contender, env string, level int) *Run {
	for i := range r.Runs {
		x := &r.Runs[i]
		if x.Contender == contender && x.Envelope == env && x.Concurrency == level {
			return x
		}
	}
	return nil
}

func (r *Report) label(name string) string {
	for _, c := range contenders {
		if c.Name == name {
			return c.Label
		}
	}
	return name
}

// bound says what limited a run: the server's core, the load generator's,
// or neither (latency-bound: too few requests in flight to fill a core).
func bound(x *Run) string {
	s, c := x.ServerCPUPct >= 85, x.ClientCPUPct >= 85
	switch {
	case s && c:
		return "both"
	case s:
		return "server"
	case c:
		return "load gen"
	}
	return "latency"
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Load benchmark: the bridge against the floor, node soap and gSOAP\n\n")
	p("Written by `make bench-load` (`go run ./bridge/internal/loadbench`) on %s; the run took %s. ", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Took)
	if !r.Settings.Default {
		p("**Not the default settings of `make bench-load`** (a smaller or partial run): compare with care. ")
	}
	p("\n\n")
	m := r.Machine
	p("- **Machine**: %s, %d cores, %s, Linux %s; %s, node %s, gSOAP %s.\n", orDash(m.CPU), m.Cores, orDash(m.Memory), orDash(m.Kernel), m.Go, orDash(m.Node), orDash(m.GSOAP))
	p("- **Load average** at the start / end: %s / %s. Other work on the machine shares its cores and shows up as noise in every figure.\n", orDash(r.LoadAvg[0]), orDash(r.LoadAvg[1]))
	p("- **Pinning**: %s.\n", r.Pinning)
	s := r.Settings
	p("- **Load**: closed loop over HTTP/1.1 keep-alive, one connection per worker, concurrency %s; warm-up %s (extended until every worker has had an answer, at most %s), then a window of %s or %s completions, whichever ends first, extended up to %s until at least %d calls completed (large envelopes at high concurrency complete in bursts); requests still in flight then are abandoned and not counted. Per-request timeout %s.\n",
		joinInts(s.Levels), s.Warmup, maxWarmup, s.Duration, thousands(s.MaxRequests), s.MaxWindow, s.MinSamples, s.Timeout)
	p("- **Columns**: latency is from sending the request to reading the whole response (histogram, < 1%% error). *CPU s/1k*: the contender's CPU seconds (utime+stime of every process it runs, from /proc/PID/stat, 10 ms resolution) per 1,000 requests; *srv CPU*: its CPU over the window, in %% of one core; *LG CPU*: the load generator's; *bound*: which of the two was ≥ 85%% busy (\"latency\": neither, too few calls in flight to fill a core, or other work took the core); *other*: how busy other processes kept the server's core during the window (from /proc/stat: the core's busy time less the contender's) — where it is high, wall-clock figures understate the contender and CPU s/1k is the figure to trust; *peak RSS*: VmHWM of the server process, reset before the window; *×floor*: throughput over the floor's at the same envelope and level.\n\n")

	p("## Contenders\n\n| contender | what it is |\n|---|---|\n")
	for _, c := range r.Contenders {
		p("| %s | %s |\n", c.Label, c.Desc)
	}
	p("\n![throughput, p99 and CPU per call against concurrency](latest.svg)\n\n")

	for _, e := range r.Envelopes {
		unsteady := false
		p("## %s — %s bytes\n\n", e.Label, thousands(int64(e.Bytes)))
		p("| contender | c | req/s | ×floor | p50 ms | p99 ms | p99.9 ms | CPU s/1k | srv CPU | LG CPU | bound | other | peak RSS | n | errors |\n")
		p("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n")
		for _, c := range r.Contenders {
			for _, lv := range s.Levels {
				x := r.find(c.Name, e.Name, lv)
				if x == nil {
					continue
				}
				ratio := "—"
				if f := r.find("floor", e.Name, lv); f != nil && f.RPS > 0 {
					ratio = fmt.Sprintf("%.2f", x.RPS/f.RPS)
				}
				errs := thousands(x.Errors)
				if x.Errors > 0 && x.FirstError != "" {
					errs += " (" + clip(x.FirstError, 60) + ")"
				}
				n := thousands(x.N)
				if !x.Steady {
					n += " †"
					unsteady = true
				}
				cpu := fmtCPU(x.CPUPer1k)
				if x.N+x.Errors == 0 {
					cpu = "—"
				}
				other := otherOf(x)
				p("| %s | %d | %s | %s | %s | %s | %s | %s | %.0f%% | %.0f%% | %s | %s | %.1f MiB | %s | %s |\n",
					c.Label, lv, fmtRPS(x.RPS), ratio, fmtMS(x.P50), fmtMS(x.P99), fmtMS(x.P999), cpu,
					x.ServerCPUPct, x.ClientCPUPct, bound(x), other, float64(x.PeakRSS)/(1<<20), n, errs)
			}
		}
		p("\n")
		if unsteady {
			p("† The warm-up reached its %s limit before every connection had an answer: either a round of c calls takes longer than that, or the server leaves some connections unanswered while it serves others. The latencies shown are then those of the connections it did serve, below the steady state of a fair server (about c × the c=1 latency):", maxWarmup)
			for _, c := range r.Contenders {
				for _, lv := range s.Levels {
					if x := r.find(c.Name, e.Name, lv); x != nil && !x.Steady && x.Note != "" {
						p(" %s c=%d: %s.", c.Label, lv, x.Note)
					}
				}
			}
			p("\n\n")
		}
		r.ratioTable(&b, e.Name)
	}

	r.targets(&b)
	for _, pr := range r.Pairs {
		pr.markdown(&b, r.label)
	}
	if r.Flood != nil {
		r.Flood.markdown(&b)
	}
	r.limits(&b)
	if len(r.Problems) > 0 {
		p("## Problems in this run\n\n")
		for _, pr := range r.Problems {
			p("- %s\n", strings.ReplaceAll(pr, "\n", " "))
		}
		p("\n")
	}
	for _, x := range r.Runs {
		if len(x.Profiles) > 0 {
			p("Profiles (%s, %s, c=%d): %s\n\n", x.Contender, x.Envelope, x.Concurrency, strings.Join(x.Profiles, ", "))
		}
	}
	return b.String()
}

// ratioTable writes throughput ratios of every pair of contenders at every
// level: each bridge against the floor and each peer, and the peers
// against the floor and each other.
func (r *Report) ratioTable(b *strings.Builder, env string) {
	var pairs [][2]string
	names := make([]string, 0, len(r.Contenders))
	for _, c := range r.Contenders {
		names = append(names, c.Name)
	}
	// Rows: every contender but the floor, against every contender listed
	// before it, the floor first.
	for i := 1; i < len(names); i++ {
		for j := 0; j < i; j++ {
			pairs = append(pairs, [2]string{names[i], names[j]})
		}
	}
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintf(b, "Throughput ratios (req/s of the first over the second; > 1: the first is faster):\n\n| ratio |")
	for _, lv := range r.Settings.Levels {
		fmt.Fprintf(b, " c=%d |", lv)
	}
	b.WriteString("\n|---|")
	for range r.Settings.Levels {
		b.WriteString("--:|")
	}
	b.WriteString("\n")
	for _, pr := range pairs {
		fmt.Fprintf(b, "| %s ÷ %s |", r.label(pr[0]), r.label(pr[1]))
		for _, lv := range r.Settings.Levels {
			x, y := r.find(pr[0], env, lv), r.find(pr[1], env, lv)
			if x == nil || y == nil || y.RPS == 0 {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(b, " %.2f |", x.RPS/y.RPS)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// targets checks the figures against the bridge's performance targets.
func (r *Report) targets(b *strings.Builder) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Against the targets\n\n")
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**not met**"
	}
	lv := 32
	au, so, fl := r.find("bridge-auth", "oof", lv), r.find("bridge-soap", "oof", lv), r.find("floor", "oof", lv)
	if au != nil && fl != nil && fl.RPS > 0 {
		share := au.RPS / fl.RPS
		p("- Authenticated throughput (bridge, Basic auth) at c=32, OOF: %s req/s = %.0f%% of the floor's %s (target ≥ 70%%): %s.", fmtRPS(au.RPS), 100*share, fmtRPS(fl.RPS), verdict(share >= 0.7))
		if noisy(au) || noisy(fl) {
			p(" (Other work took %s and %s of the server's core during these two windows: their req/s say more about it than about them.)", otherOf(au), otherOf(fl))
		}
		if au.CPUPer1k > 0 && fl.CPUPer1k > 0 {
			// CPU per call does not depend on which core saturated first
			// (the floor is often held back by the load generator's core).
			p(" By CPU per call: the floor %.3f ms, the bridge %.3f ms, so on a saturated core the bridge does %.0f%% of the floor's calls.", fl.CPUPer1k, au.CPUPer1k, 100*fl.CPUPer1k/au.CPUPer1k)
		}
		if g := r.find("gsoap", "oof", lv); g != nil && g.RPS > 0 {
			p(" Against gSOAP: ×%.2f by req/s", au.RPS/g.RPS)
			if au.CPUPer1k > 0 && g.CPUPer1k > 0 {
				p(", ×%.2f by CPU per call (gSOAP %.3f ms)", g.CPUPer1k/au.CPUPer1k, g.CPUPer1k)
			}
			p(" (aim: > 1): %s.", verdict(au.RPS > g.RPS))
		}
		p("\n")
	} else {
		p("- Authenticated throughput against the floor at c=32: not measured in this run.\n")
	}
	// The pair measured in turns decides, when it ran: the table's two
	// windows are minutes apart.
	if pr := r.pair("bridge-auth", "bridge-soap"); pr != nil && pr.Ratio() > 0 {
		k := pr.Ratio()
		p("- CPU per call with Basic auth over without, %s, c=%d, measured in turns (below): %.4f / %.4f ms = ×%.3f (target ≤ 1.05): %s.", pr.Envelope, pr.Level, pr.CPUPer1kA, pr.CPUPer1kB, k, verdict(k <= 1.05))
		if au != nil && so != nil && so.CPUPer1k > 0 {
			p(" In the table above, measured minutes apart: ×%.2f.", au.CPUPer1k/so.CPUPer1k)
		}
		p("\n")
	} else if au != nil && so != nil && so.CPUPer1k > 0 {
		k := au.CPUPer1k / so.CPUPer1k
		p("- CPU per call with Basic auth over without, OOF, c=32: %.3f / %.3f ms = ×%.2f (target ≤ 1.05): %s.\n", au.CPUPer1k, so.CPUPer1k, k, verdict(k <= 1.05))
	}
	for _, level := range []int{1, 32} {
		so, in := r.find("bridge-soap", "oof", level), r.find("bridge-instant", "oof", level)
		if so == nil || in == nil {
			continue
		}
		d := in.CPUPer1k - so.CPUPer1k
		p("- CPU per call that four instant vendors add over SOAP only, OOF, c=%d: %+.3f ms (%.3f → %.3f ms; target ≤ 0.15 ms): %s.", level, d, so.CPUPer1k, in.CPUPer1k, verdict(d <= 0.15))
		// What the same fan-out costs at the least, over the floor: the
		// part of d that no implementation on these building blocks
		// avoids, and what is the bridge's own.
		if fl, ff := r.find("floor", "oof", level), r.find("fanout-floor", "oof", level); fl != nil && ff != nil && fl.CPUPer1k > 0 && ff.CPUPer1k > 0 {
			least := ff.CPUPer1k - fl.CPUPer1k
			p(" The fan-out floor adds %+.3f ms over the floor (%.3f → %.3f ms), so the bridge's own share is %+.3f ms.", least, fl.CPUPer1k, ff.CPUPer1k, d-least)
		}
		p("\n")
	}
	for _, st := range []struct {
		name   string
		target float64
	}{{"bridge-sqlite", 2000}, {"bridge-postgres", 3000}} {
		x := r.find(st.name, "oof", lv)
		if x == nil {
			continue
		}
		p("- Accepted calls on the %s at c=32, OOF over 10,000 users, apply_wait 0: %s/s, p99 %s ms (target ≥ %s/s with p99 ≤ 50 ms): %s.",
			strings.TrimPrefix(r.label(st.name), "bridge, "), fmtRPS(x.RPS), fmtMS(x.P99), thousands(int64(st.target)), verdict(x.RPS >= st.target && x.P99 <= 50 && x.Errors == 0))
		if x.Errors > 0 {
			p(" %d calls failed (%s).", x.Errors, x.FirstError)
		}
		if au != nil && au.CPUPer1k > 0 && x.CPUPer1k > 0 {
			p(" The store and the call's one delivery add %.3f ms of CPU per call over bridge, Basic auth (%.3f → %.3f ms).", x.CPUPer1k-au.CPUPer1k, au.CPUPer1k, x.CPUPer1k)
		}
		if noisy(x) {
			p(" (Other work took %s of the server's core.)", otherOf(x))
		}
		p("\n")
	}
	for _, e := range r.Envelopes {
		if e.Name != "portal-10000" {
			continue
		}
		for _, name := range []string{"bridge-soap", "bridge-auth", "bridge-sqlite", "bridge-instant", "bridge-fakes"} {
			x := r.find(name, e.Name, 1)
			if x == nil {
				continue
			}
			p("- SavePortalUser with 10,000 items, %s, c=1: %.1f ms of CPU per call (target < 50 ms): %s; p50 %s ms, p99 %s ms end to end.", r.label(name), x.CPUPer1k, verdict(x.N > 0 && x.CPUPer1k < 50), fmtMS(x.P50), fmtMS(x.P99))
			if x.PeakHeap > 0 {
				k := float64(x.PeakHeap) / float64(e.Bytes)
				how := "go_memstats_heap_alloc_bytes sampled every 200 ms, so a lower bound"
				if x.HeapTraced {
					how = "the largest in the collector's trace, GODEBUG=gctrace=1, over the window, to the MiB"
				}
				p(" Peak heap (%s) %.1f MiB = %.1f× the %.1f MiB payload (target ≤ 5×): %s; peak RSS %.1f MiB = %.1f×.",
					how, float64(x.PeakHeap)/(1<<20), k, float64(e.Bytes)/(1<<20), verdict(k <= 5), float64(x.PeakRSS)/(1<<20), float64(x.PeakRSS)/float64(e.Bytes))
			}
			p("\n")
		}
	}
	p("- Wrong-password flood: below, when the flood scenario ran. Soak (flat RSS, goroutines back to idle): `make bench-soak`, written to soak.md.\n\n")
}

// pair returns the paired comparison of a against b, or nil.
func (r *Report) pair(a, b string) *PairResult {
	for _, pr := range r.Pairs {
		if pr.A == a && pr.B == b {
			return pr
		}
	}
	return nil
}

// noisy says whether other work took a fifth or more of the server's core
// during x's window.
func noisy(x *Run) bool { return x.OtherPct != nil && *x.OtherPct >= 20 }

func otherOf(x *Run) string {
	if x.OtherPct == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *x.OtherPct)
}

// limits summarises what bounded the runs.
func (r *Report) limits(b *strings.Builder) {
	count := map[string][]string{}
	for i := range r.Runs {
		x := &r.Runs[i]
		k := bound(x)
		count[k] = append(count[k], fmt.Sprintf("%s/%s/c=%d", x.Contender, x.Envelope, x.Concurrency))
	}
	fmt.Fprintf(b, "## What limited the numbers\n\n")
	fmt.Fprintf(b, "- Server core saturated (≥ 85%%): %d runs; load generator's core saturated: %d; both: %d; neither (latency-bound, mostly c=1): %d.\n",
		len(count["server"]), len(count["load gen"]), len(count["both"]), len(count["latency"]))
	if n := len(count["load gen"]) + len(count["both"]); n > 0 {
		fmt.Fprintf(b, "- Where the load generator's core is saturated, the contender may be faster than shown: the figure is a lower bound set by the Go client on one core (%s).\n",
			clip(strings.Join(append(count["load gen"], count["both"]...), ", "), 400))
	}
	var others []float64
	noisy := 0
	for _, x := range r.Runs {
		if x.OtherPct != nil {
			others = append(others, *x.OtherPct)
			if *x.OtherPct >= 20 {
				noisy++
			}
		}
	}
	if len(others) > 0 {
		slices.Sort(others)
		fmt.Fprintf(b, "- Other work on the server's core: ≥ 20%% of it in %d of %d runs (median %.0f%%, worst %.0f%%). Those runs' req/s and latencies understate the contender; their CPU s/1k is still its own.\n",
			noisy, len(others), others[len(others)/2], others[len(others)-1])
	}
	fmt.Fprintf(b, "- One core per side: the Go servers run with GOMAXPROCS=1, node is single-threaded anyway, gSOAP's threads share one core. CPU s/1k is the figure that transfers to other machines best; req/s scales with the core.\n\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func fmtRPS(v float64) string {
	if v >= 100 {
		return thousands(int64(math.Round(v)))
	}
	return fmt.Sprintf("%.1f", v)
}

// fmtMS writes milliseconds with three significant digits.
func fmtMS(v float64) string {
	switch {
	case v == 0:
		return "—"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func fmtCPU(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}
