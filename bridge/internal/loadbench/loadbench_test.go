package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// The load harness itself (make bench-load) never runs under go test: these
// are quick checks of its parts.

func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram()
	var exact []int64
	for range 200000 {
		// Log-normal around 1 ms, spanning microseconds to seconds.
		v := int64(math.Exp(rng.NormFloat64()*1.5) * 1e6)
		exact = append(exact, v)
		h.Record(time.Duration(v))
	}
	slices.Sort(exact)
	for _, q := range []float64{0.001, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := int(math.Ceil(q*float64(len(exact)))) - 1
		want := float64(exact[rank])
		got := float64(h.Quantile(q))
		if rel := math.Abs(got-want) / want; rel > 0.01 {
			t.Errorf("Quantile(%v) = %v, want %v (±1%%), off by %.2f%%", q, time.Duration(got), time.Duration(want), 100*rel)
		}
	}
	if h.Count() != 200000 {
		t.Errorf("Count = %d", h.Count())
	}
	if got, want := h.Max(), time.Duration(exact[len(exact)-1]); got != want {
		t.Errorf("Max = %v, want %v", got, want)
	}
}

func TestHistogramSmallAndMerge(t *testing.T) {
	a, b := NewHistogram(), NewHistogram()
	if a.Quantile(0.5) != 0 || a.Mean() != 0 || a.Max() != 0 {
		t.Fatal("an empty histogram must report zeros")
	}
	for _, v := range []time.Duration{5, 50, 127} { // exact below 128 ns
		a.Record(v)
	}
	for _, v := range []time.Duration{time.Millisecond, time.Second, 100 * time.Hour} { // the last is clamped
		b.Record(v)
	}
	a.Merge(b)
	if a.Count() != 6 {
		t.Fatalf("Count = %d, want 6", a.Count())
	}
	if got := a.Quantile(0.5); got != 127 {
		t.Errorf("median = %v, want 127ns", got)
	}
	if got := a.Quantile(0); got != 5 {
		t.Errorf("Quantile(0) = %v, want 5ns (the minimum)", got)
	}
	if got := a.Quantile(1); got != 100*time.Hour {
		t.Errorf("Quantile(1) = %v, want the exact maximum", got)
	}
	for i := range nBuckets {
		if bucketOf(bucketValue(i)) != i {
			t.Fatalf("bucket %d: its midpoint %d falls in bucket %d", i, bucketValue(i), bucketOf(bucketValue(i)))
		}
	}
}

func TestChartSVG(t *testing.T) {
	c := Chart{
		Title:    "a <title> & more",
		Subtitle: "sub",
		Cols:     2,
		Panels: []Panel{
			{Title: "throughput", XLabel: "concurrency", YLabel: "req/s", LogX: true, XTicks: []float64{1, 8, 32, 128},
				Series: []Series{
					{Name: "floor", Color: "#000", X: []float64{1, 8, 32, 128}, Y: []float64{100, 800, 900, 950}},
					{Name: "bridge", Color: "#00f", X: []float64{1, 8, 32, 128}, Y: []float64{50, math.NaN(), 400, 420}},
				}},
			{Title: "p99", XLabel: "concurrency", YLabel: "ms", LogX: true, LogY: true, XTicks: []float64{1, 8, 32, 128},
				Series: []Series{{Name: "floor", Color: "#000", X: []float64{1, 8, 32, 128}, Y: []float64{0.05, 0.2, 3, 40}}}},
			{Title: "empty", Series: []Series{{Name: "x", X: []float64{1}, Y: []float64{math.NaN()}}}},
			{Title: "linear x", Series: []Series{{Name: "rss", Color: "#0a0", X: []float64{0, 10, 20}, Y: []float64{30, 31, 30.5}}}},
		},
	}
	var b strings.Builder
	if err := c.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	// Well-formed XML with the SVG namespace.
	d := xml.NewDecoder(strings.NewReader(svg))
	elems := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			elems[se.Name.Local]++
			if se.Name.Local == "svg" && se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("svg element in namespace %q", se.Name.Space)
			}
		}
	}
	// floor: 1 line each in two panels; bridge: the NaN splits it into a
	// lone point and a 2-point line; rss: 1 line.
	if elems["polyline"] != 4 {
		t.Errorf("%d polylines, want 4", elems["polyline"])
	}
	if elems["circle"] != 4+3+4+3 {
		t.Errorf("%d points, want 14", elems["circle"])
	}
	for _, want := range []string{"a &lt;title&gt; &amp; more", ">128<", ">no data<", ">bridge<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestEnvelopesAcceptedByTheBridge(t *testing.T) {
	envs, err := loadEnvelopes(filepath.Dir(golden.Root()))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(golden.Root(), "bench", "bridge-soap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for _, e := range envs {
		t.Run(e.Name, func(t *testing.T) {
			if e.Name == "portal-10000" {
				if testing.Short() {
					t.Skip("large envelope")
				}
				if n := bytes.Count(e.Body, []byte("<a:WSIndexDataItem>")); n != 10000 {
					t.Fatalf("%d IndexDataItems, want 10000", n)
				}
				if len(e.Body) > int(cfg.Limits.MaxBodyBytes) {
					t.Fatalf("%d bytes: over the bridge's max_body_bytes %d", len(e.Body), cfg.Limits.MaxBodyBytes)
				}
			}
			req := httptest.NewRequest(http.MethodPost, cfg.Endpoint, bytes.NewReader(e.Body))
			req.Header = e.Header()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			op := e.Action[strings.LastIndexByte(e.Action, '/')+1:]
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), op+"Response") {
				t.Fatalf("the bridge answered %d: %.600s", rec.Code, rec.Body.String())
			}
		})
	}
	if n := bytes.Count(portalEnvelope(10).Body, []byte("<a:WSIndexDataItem>")); n != 10 {
		t.Errorf("portal-10 has %d items", n)
	}
}

func TestParseStatAndMetrics(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := []byte("4242 (my (odd) srv) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 130 0 0 20 0 3 0 100 1000 200")
	got, err := parseStat(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3800 * time.Millisecond; got != want {
		t.Errorf("parseStat = %v, want %v (250+130 ticks)", got, want)
	}
	if _, err := parseStat([]byte("garbage")); err == nil {
		t.Error("parseStat accepted garbage")
	}
	text := "# HELP go_goroutines x\n# TYPE go_goroutines gauge\ngo_goroutines 12\ngo_memstats_heap_alloc_bytes 1.5e+06\nthereforebridge_requests_total{op=\"x\"} 3\n"
	m, err := parseMetrics(bufio.NewScanner(strings.NewReader(text)), "go_goroutines", "go_memstats_heap_alloc_bytes")
	if err != nil {
		t.Fatal(err)
	}
	if m["go_goroutines"] != 12 || m["go_memstats_heap_alloc_bytes"] != 1.5e6 {
		t.Errorf("parseMetrics = %v", m)
	}
}

func TestGCTracePeak(t *testing.T) {
	before := "gc 1 @0.010s 1%: 0.01+1.0+0.01 ms clock, 0.01+0.1/0.5/0+0.01 ms cpu, 40->41->3 MB, 8 MB goal, 0 MB stacks, 0 MB globals, 1 P\n"
	window := `{"level":"INFO","msg":"soap call"}
gc 2 @1.000s 5%: 0.02+9.7+0.003 ms clock, 0.02+0.1/2.5/0.2+0.003 ms cpu, 16->21->17 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 1 P
gc 3 @1.050s 5%: 0.02+20+0.003 ms clock, 0.02+0.1/1.7/0+0.003 ms cpu, 19->19->8 MB, 22 MB goal, 0 MB stacks, 0 MB globals, 1 P
`
	after := "gc 4 @9.000s 5%: 0.02+20+0.003 ms clock, 0.02+0.1/1.7/0+0.003 ms cpu, 90->91->8 MB, 22 MB goal, 0 MB stacks, 0 MB globals, 1 P\n"
	log := filepath.Join(t.TempDir(), "bridge.log")
	if err := os.WriteFile(log, []byte(before+window+after), 0o644); err != nil {
		t.Fatal(err)
	}
	from, to := int64(len(before)), int64(len(before)+len(window))
	if peak, ok := gcTracePeak(log, from, to); !ok || peak != 21<<20 {
		t.Errorf("gcTracePeak = %d, %v; want %d (the mark's end in the window), true", peak, ok, 21<<20)
	}
	if _, ok := gcTracePeak(log, from, from+30); ok {
		t.Error("gcTracePeak found a collection in a window without one")
	}
	if _, ok := gcTracePeak(filepath.Join(t.TempDir(), "none.log"), 0, 100); ok {
		t.Error("gcTracePeak found a collection in a missing log")
	}
}

func TestReportMarkdown(t *testing.T) {
	byName := func(names ...string) []Contender {
		var out []Contender
		for _, n := range names {
			out = append(out, contenders[slices.IndexFunc(contenders, func(c Contender) bool { return c.Name == n })])
		}
		return out
	}
	busy := 45.0
	r := &Report{
		Started:    time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC),
		Took:       "1m0s",
		Settings:   Settings{Levels: []int{1, 32}, Warmup: "1s", Duration: "5s", MaxRequests: 1000, Timeout: "1m0s"},
		Contenders: byName("floor", "bridge-auth", "bridge-soap", "bridge-instant", "fanout-floor", "gsoap"),
		Envelopes:  []EnvelopeInfo{{Name: "oof", Label: "OOF", Bytes: 1139}},
		Runs: []Run{
			{Contender: "floor", Envelope: "oof", Concurrency: 32, RPS: 10000, P50: 1, ServerCPUPct: 99, N: 50000, CPUPer1k: 0.020, OtherPct: &busy},
			{Contender: "bridge-auth", Envelope: "oof", Concurrency: 32, RPS: 7500, P50: 2, ServerCPUPct: 99, N: 37500, CPUPer1k: 0.042},
			{Contender: "bridge-soap", Envelope: "oof", Concurrency: 32, RPS: 7600, P50: 2, ServerCPUPct: 99, N: 38000, CPUPer1k: 0.040},
			{Contender: "bridge-instant", Envelope: "oof", Concurrency: 32, RPS: 5000, P50: 3, ServerCPUPct: 99, N: 25000, CPUPer1k: 0.240},
			{Contender: "fanout-floor", Envelope: "oof", Concurrency: 32, RPS: 6000, P50: 3, ServerCPUPct: 99, N: 30000, CPUPer1k: 0.170},
			{Contender: "gsoap", Envelope: "oof", Concurrency: 32, RPS: 2500, P50: 9, ServerCPUPct: 99, N: 12500, CPUPer1k: 0.030},
		},
		Flood: &FloodResult{Contender: "bridge-auth", Envelope: "oof", LegitC: 8, FloodC: 32,
			Alone:          Run{RPS: 1000, P99: 4, N: 4000},
			Flooded:        Run{RPS: 900, P99: 12, N: 3600},
			FloodStatus:    map[string]int64{"429": 64},
			MetricsFlooded: Latencies{N: 40, P99: 3, Max: 5},
		},
	}
	md := r.Markdown()
	contains := func(wants ...string) {
		t.Helper()
		for _, want := range wants {
			if !strings.Contains(md, want) {
				t.Errorf("Markdown lacks %q:\n%s", want, md)
			}
		}
	}
	contains(
		"| bridge, Basic auth | 32 | 7,500 | 0.75 |",
		"| bridge, Basic auth ÷ floor (Echo) | — | 0.75 |",
		"= 75% of the floor's 10,000 (target ≥ 70%): **met**. (Other work took — and 45% of the server's core during these two windows",
		"Against gSOAP: ×3.00 by req/s, ×0.71 by CPU per call (gSOAP 0.030 ms) (aim: > 1): **met**",
		"CPU per call with Basic auth over without, OOF, c=32: 0.042 / 0.040 ms = ×1.05 (target ≤ 1.05): **met**",
		"four instant vendors add over SOAP only, OOF, c=32: +0.200 ms (0.040 → 0.240 ms; target ≤ 0.15 ms): **not met**. The fan-out floor adds +0.150 ms over the floor (0.020 → 0.170 ms), so the bridge's own share is +0.050 ms.",
		"| fan-out floor | 32 | 6,000 |",
		"| beside the flood | 900 | — | 12.0 |",
		"Legitimate caller's p99 beside the flood: 12.0 ms (target ≤ 10 ms): **not met**",
		"Its throughput beside the flood: 90% of alone (target ≥ 80%): **met**",
		"`/metrics` during the flood: at most 5.00 ms, 0 failed (target: within 100 ms throughout): **met**",
		"Not the default settings",
	)
	if strings.Contains(strings.ToLower(md), "issue") {
		t.Error("the report speaks of issues")
	}

	// Measured in turns, the pair decides the cost of authentication.
	r.Pairs = []*PairResult{{A: "bridge-auth", B: "bridge-soap", Envelope: "oof", Level: 32,
		RunsA:     []Run{{RPS: 24000, N: 36000, Elapsed: 1.5, CPUPer1k: 0.0410}, {RPS: 23000, N: 34500, Elapsed: 1.5, CPUPer1k: 0.0430}},
		RunsB:     []Run{{RPS: 25000, N: 37500, Elapsed: 1.5, CPUPer1k: 0.0400}, {RPS: 25000, N: 37500, Elapsed: 1.5, CPUPer1k: 0.0400}},
		CPUPer1kA: 0.0412, CPUPer1kB: 0.0400}}
	md = r.Markdown()
	contains(
		"CPU per call with Basic auth over without, oof, c=32, measured in turns (below): 0.0412 / 0.0400 ms = ×1.030 (target ≤ 1.05): **met**. In the table above, measured minutes apart: ×1.05.",
		"## bridge, Basic auth against bridge, SOAP only, measured in turns",
		"Round by round: ×1.025 to ×1.075, median ×1.075.",
		"| 2 | 23,000 | 0.0430 | 25,000 | 0.0400 |",
		"Calls per second over all the windows: 23,500 and 25,000, ×0.94.",
	)
	if strings.Contains(md, "0.042 / 0.040 ms = ×1.05") {
		t.Error("the table's ratio still decides when the pair was measured")
	}
	var b strings.Builder
	if err := r.Chart().WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
}

// TestRequestsVary: the load generator's calls of an envelope go through
// its subjects, each call's body differing from every other call's in
// the same round and from the same subject's call in the previous round,
// so that the bridge takes none for a client's retry; and each body is
// the envelope with only the varying part replaced.
func TestRequestsVary(t *testing.T) {
	envs, err := loadEnvelopes(filepath.Dir(golden.Root()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(envs[:2:2], portalEnvelope(3)) {
		t.Run(e.Name, func(t *testing.T) {
			subjects := []string{"alice", "bob", "carol"}
			r := e.Request("http://x", nil, subjects)
			if len(r.Variants) != 2*len(subjects) {
				t.Fatalf("%d variants, want %d", len(r.Variants), 2*len(subjects))
			}
			seen := map[string]uint64{}
			for seq := range uint64(4 * len(subjects)) {
				rd, n := r.body(seq)
				b, err := io.ReadAll(rd)
				if err != nil || int64(len(b)) != n {
					t.Fatalf("call %d: %d bytes read of %d (%v)", seq, len(b), n, err)
				}
				subject := subjects[seq%uint64(len(subjects))]
				if !bytes.Contains(b, []byte(">"+subject+"<")) && !bytes.Contains(b, []byte(">"+subject+"@example.com<")) {
					t.Fatalf("call %d does not name %s: %.300s", seq, subject, b)
				}
				if !bytes.HasPrefix(b, r.Prefix) || !bytes.HasSuffix(b, r.Suffix) {
					t.Fatalf("call %d is not the envelope with its varying part replaced", seq)
				}
				if prev, ok := seen[string(b)]; ok && seq-prev < uint64(2*len(subjects)) {
					t.Fatalf("call %d repeats call %d's body", seq, prev)
				}
				seen[string(b)] = seq
			}
		})
	}
}

// TestSoakStoreVerdict: the store's size is judged once the dedupe window
// has filled, however fast the calls were made, and not at all when the
// load ended before.
func TestSoakStoreVerdict(t *testing.T) {
	run := func(seconds int, size func(t int) int64) soakResult {
		r := soakResult{Calls: int64(seconds) * 1000, StoreDrained: size(seconds)}
		for s := 0; s <= seconds; s++ {
			r.Samples = append(r.Samples, soakSample{T: float64(s), Calls: int64(s) * 1000, RSS: 50 << 20, Store: size(s)})
		}
		analyseSoak(&r)
		return r
	}
	// Grows for the window, then stays: flat, although most of the calls
	// were made while it grew.
	w := int(soakDedupeWindow.Seconds())
	window := func(t int) int64 { return int64(min(t, w)) << 22 }
	if r := run(3*w, window); !r.StoreFlat || r.StoreRefAt < storeSettled.Seconds() {
		t.Errorf("a store flat after its window: flat %t, judged from %.0f s", r.StoreFlat, r.StoreRefAt)
	}
	if r := run(10*w, func(t int) int64 { return int64(t) << 22 }); r.StoreFlat {
		t.Error("a store that keeps growing was judged flat")
	}
	if r := run(w+w/2, window); r.StoreRef != 0 || r.StoreFlat {
		t.Errorf("a load shorter than the window and its cleaning was judged: ref %d", r.StoreRef)
	}
}

// The soak's verdict waits for the dedupe window of the configuration
// it runs.
func TestSoakDedupeWindowIsTheConfigs(t *testing.T) {
	b, err := os.ReadFile("../../../testdata/bench/bridge-flaky.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Delivery struct {
			DedupeWindow string `yaml:"dedupe_window"`
		} `yaml:"delivery"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if d, err := time.ParseDuration(cfg.Delivery.DedupeWindow); err != nil || d != soakDedupeWindow {
		t.Errorf("bridge-flaky.yaml's delivery.dedupe_window is %q, the soak waits for %s", cfg.Delivery.DedupeWindow, soakDedupeWindow)
	}
}
