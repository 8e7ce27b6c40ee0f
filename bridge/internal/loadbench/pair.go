package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The table measures contenders one after the other, minutes apart, and
// on a shared machine their CPU per call then moves by more than the 5%
// that separates the bridge with authentication from the bridge without.
// The paired scenario measures such two contenders together: both are
// started, then measured in short alternating windows (A B B A A B ...),
// so that the machine's drift weighs on both alike and its noise averages
// out over the rounds.

// pairRounds and pairWindow make each pair's length: some 40 s.
const (
	pairRounds = 8
	pairWindow = 1500 * time.Millisecond
	pairWarmup = 500 * time.Millisecond
	pairLevel  = 32
)

// pairs are the paired comparisons the scenario makes: the cost of
// authentication, whose target is tighter than the noise. gSOAP is not
// paired with the bridge: measured in turns, its CPU per call rose round
// after round (0.036 to 0.049 ms over eight rounds) while the bridge's
// did not, which would flatter the bridge.
var pairs = []struct{ a, b, env string }{{"bridge-auth", "bridge-soap", "oof"}}

// PairResult is one paired comparison: A's and B's windows, in the order
// they ran, and their CPU per call pooled over all of them.
type PairResult struct {
	A         string  `json:"a"`
	B         string  `json:"b"`
	Envelope  string  `json:"envelope"`
	Level     int     `json:"concurrency"`
	RunsA     []Run   `json:"runs_a"`
	RunsB     []Run   `json:"runs_b"`
	CPUPer1kA float64 `json:"server_cpu_s_per_1k_a"`
	CPUPer1kB float64 `json:"server_cpu_s_per_1k_b"`
}

// Ratio is A's CPU per call over B's, pooled: total CPU over total calls.
func (pr *PairResult) Ratio() float64 {
	if pr.CPUPer1kB <= 0 {
		return 0
	}
	return pr.CPUPer1kA / pr.CPUPer1kB
}

// pooledRPS is the calls per second of runs taken together.
func pooledRPS(runs []Run) float64 {
	var n int64
	var secs float64
	for _, r := range runs {
		n, secs = n+r.N, secs+r.Elapsed
	}
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}

// roundRatios are A over B within each round, to show the spread.
func (pr *PairResult) roundRatios() []float64 {
	var k []float64
	for i := range min(len(pr.RunsA), len(pr.RunsB)) {
		if pr.RunsB[i].CPUPer1k > 0 {
			k = append(k, pr.RunsA[i].CPUPer1k/pr.RunsB[i].CPUPer1k)
		}
	}
	slices.Sort(k)
	return k
}

// runPair measures a against b at level in alternating windows.
func runPair(o options, e *env, a, b Contender, env Envelope, level int) (*PairResult, error) {
	// Neither is profiled: the two would want the one debug listener.
	pe := *e
	pe.pprofFor = map[string]bool{}
	o.pprofC, o.warmup, o.duration, o.maxWindow = -1, pairWarmup, pairWindow, pairWindow
	cs := [2]Contender{a, b}
	var procs [2]*proc
	for i, c := range cs {
		p, err := pe.start(c.Name)
		if err != nil {
			return nil, err
		}
		defer func() { p.Stop() }()
		if _, err := check(p, env); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		procs[i] = p
	}
	pr := &PairResult{A: a.Name, B: b.Name, Envelope: env.Name, Level: level}
	var cpu, calls [2]float64
	for round := range pairRounds {
		order := []int{0, 1}
		if round%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			c, p := cs[i], procs[i]
			settle(p)
			r, err := measure(o, &pe, p, c, env, level)
			if err != nil {
				return pr, fmt.Errorf("%s, round %d: %w", c.Name, round+1, err)
			}
			if !p.Alive() {
				return pr, fmt.Errorf("%s died in round %d: %s", c.Name, round+1, p.logTail())
			}
			cpu[i] += r.CPU
			calls[i] += float64(r.N + r.Errors)
			if i == 0 {
				pr.RunsA = append(pr.RunsA, r)
			} else {
				pr.RunsB = append(pr.RunsB, r)
			}
		}
	}
	if calls[0] > 0 && calls[1] > 0 {
		pr.CPUPer1kA, pr.CPUPer1kB = cpu[0]/calls[0]*1000, cpu[1]/calls[1]*1000
	}
	logf("pair: %s over %s, %s, c=%d: %.4f / %.4f ms = ×%.3f over %d rounds", a.Name, b.Name, env.Name, level, pr.CPUPer1kA, pr.CPUPer1kB, pr.Ratio(), pairRounds)
	return pr, nil
}

// markdown renders a paired comparison.
func (pr *PairResult) markdown(b *strings.Builder, label func(string) string) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## %s against %s, measured in turns\n\n", label(pr.A), label(pr.B))
	p("Both started together and measured in %d rounds of alternating %s windows (after %s of warm-up each, in the order A B, B A, A B, ...), %s at c=%d: the machine's drift weighs on both alike. CPU per call pooled over the rounds: %s %.4f ms, %s %.4f ms, ×%.3f.",
		len(pr.RunsA), pairWindow, pairWarmup, pr.Envelope, pr.Level, label(pr.A), pr.CPUPer1kA, label(pr.B), pr.CPUPer1kB, pr.Ratio())
	if k := pr.roundRatios(); len(k) > 0 {
		p(" Round by round: ×%.3f to ×%.3f, median ×%.3f.", k[0], k[len(k)-1], k[len(k)/2])
	}
	if a, b := pooledRPS(pr.RunsA), pooledRPS(pr.RunsB); a > 0 && b > 0 {
		p(" Calls per second over all the windows: %s and %s, ×%.2f.", fmtRPS(a), fmtRPS(b), a/b)
	}
	p("\n\n| round | %s req/s | %s CPU s/1k | %s req/s | %s CPU s/1k |\n|--:|--:|--:|--:|--:|\n", label(pr.A), label(pr.A), label(pr.B), label(pr.B))
	for i := range min(len(pr.RunsA), len(pr.RunsB)) {
		ra, rb := pr.RunsA[i], pr.RunsB[i]
		p("| %d | %s | %.4f | %s | %.4f |\n", i+1, fmtRPS(ra.RPS), ra.CPUPer1k, fmtRPS(rb.RPS), rb.CPUPer1k)
	}
	p("\n")
}
