package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakSample is one reading taken every second of a soak.
type soakSample struct {
	T          float64 // seconds since the start
	Calls      int64
	RSS        int64
	Heap       float64 // go_memstats_heap_alloc_bytes
	Goroutines float64
	Store      int64   // bytes of the SQLite store's files (0: none)
	Pending    float64 // thereforebridge_delivery_pending, all vendors
}

// soakResult is what a soak found.
type soakResult struct {
	Contender      string
	Target, Calls  int64
	Errors         int64
	FirstError     string
	Concurrency    int
	Elapsed        time.Duration
	RPS            float64
	P50, P99, P999 float64
	Samples        []soakSample
	WarmCalls      int64   // calls counted as warm-up (the first 10%)
	RefRSS         int64   // RSS when the warm-up ended
	MaxRSS         int64   // largest RSS after it
	LastRSS        int64   // RSS at the end of the load
	Growth         float64 // MaxRSS / RefRSS - 1
	Flat           bool
	IdleBefore     float64 // goroutines before any load
	IdleWarm       float64 // goroutines idle after the warm-up burst
	PeakGoroutines float64
	IdleAfter      float64 // goroutines after the load, connections closed
	IdleAfterWait  time.Duration
	BackToIdle     bool
	HitTimeLimit   bool

	// The store (a bridge on SQLite): its files' size once it should
	// have stopped growing (half-way through the calls, and not before
	// the dedupe window filled: storeSettled), at most after that, and
	// once every delivery was made after the load (Drained, DrainTook).
	StoreRef, StoreMax, StoreDrained int64
	StoreRefAt                       float64 // seconds into the load
	StoreFlat                        bool
	Drained                          bool
	DrainTook                        time.Duration
	MaxPending                       float64
}

// runSoak runs -soak calls against one bridge contender, mixing both
// operations (the OOF envelope and SavePortalUser with 10 items), sampling
// RSS, heap and goroutines every second.
func runSoak(o options, e *env, all []Envelope, pinNote string) error {
	if !isBridge(o.soakContender) {
		return fmt.Errorf("-soak-contender: want one of the bridge's contenders (the soak reads the bridge's /metrics), got %q", o.soakContender)
	}
	var reqs []Request
	p, err := e.start(o.soakContender)
	if err != nil {
		return err
	}
	defer func() { p.Stop() }()
	for _, env := range all {
		if env.Name != "oof" && env.Name != "portal-10" {
			continue
		}
		if _, err := check(p, env); err != nil {
			return err
		}
		reqs = append(reqs, env.Request(p.Endpoint(), p.Header(env), p.subjects))
	}
	res := soakResult{Contender: o.soakContender, Target: o.soak, Concurrency: o.soakC}
	goroutines := func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		m, err := scrape(ctx, p.Metrics, "go_goroutines")
		if err != nil {
			return math.NaN()
		}
		return m["go_goroutines"]
	}
	res.IdleBefore = goroutines()

	// A short burst first, so that pools (connections to the vendor fakes)
	// exist before the idle goroutine count is taken as the baseline.
	logf("soak: warm-up burst (2 s at c=%d)", o.soakC)
	if _, err := (Load{Concurrency: o.soakC, Duration: 2 * time.Second, Timeout: o.timeout, Requests: reqs}).Run(context.Background()); err != nil {
		return err
	}
	time.Sleep(time.Second)
	res.IdleWarm = goroutines()

	pid := p.PIDs()[0]
	var done atomic.Int64
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		lastLog := time.Now()
		for {
			s := soakSample{T: time.Since(start).Seconds(), Calls: done.Load(), Heap: math.NaN(), Goroutines: math.NaN()}
			if m, err := readMem(pid); err == nil {
				s.RSS = m.RSS
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if m, err := scrape(ctx, p.Metrics, "go_goroutines", "go_memstats_heap_alloc_bytes", "thereforebridge_delivery_pending"); err == nil {
				s.Heap, s.Goroutines, s.Pending = m["go_memstats_heap_alloc_bytes"], m["go_goroutines"], m["thereforebridge_delivery_pending"]
			}
			s.Store = dirSize(p.state)
			cancel()
			mu.Lock()
			res.Samples = append(res.Samples, s)
			mu.Unlock()
			if time.Since(lastLog) >= 10*time.Second {
				lastLog = time.Now()
				logf("soak: %s calls, %.0f/s, RSS %s, %0.f goroutines, store %s, %0.f deliveries pending", thousands(s.Calls), float64(s.Calls)/s.T, mib(s.RSS), s.Goroutines, mib(s.Store), s.Pending)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	logf("soak: %s calls at c=%d against %s (at most %s)", thousands(o.soak), o.soakC, o.soakContender, o.soakMaxTime)
	lr, err := Load{
		Concurrency: o.soakC,
		Duration:    o.soakMaxTime,
		MaxRequests: o.soak,
		Timeout:     o.timeout,
		Requests:    reqs,
		Progress:    func(n int64) { done.Store(n) },
	}.Run(context.Background())
	if err != nil {
		return err
	}
	done.Store(lr.OK + lr.Errors)
	if m, err := readMem(pid); err == nil {
		res.LastRSS = m.RSS
	}
	close(stop)
	wg.Wait()

	res.Calls, res.Errors, res.FirstError = lr.OK, lr.Errors, lr.FirstError
	res.Elapsed, res.RPS = lr.Elapsed, lr.RPS()
	res.HitTimeLimit = !lr.HitMax
	res.P50, res.P99, res.P999 = ms(lr.Hist.Quantile(0.5)), ms(lr.Hist.Quantile(0.99)), ms(lr.Hist.Quantile(0.999))

	// The deliveries still pending are made (the failing vendor's after
	// their backoff); the store's size is read once they are.
	if p.state != "" {
		drainFrom := time.Now()
		for time.Since(drainFrom) < 5*time.Minute {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			m, err := scrape(ctx, p.Metrics, "thereforebridge_delivery_pending")
			cancel()
			if err == nil && m["thereforebridge_delivery_pending"] == 0 {
				res.Drained = true
				break
			}
			time.Sleep(time.Second)
		}
		res.DrainTook = time.Since(drainFrom).Round(time.Second)
		res.StoreDrained = dirSize(p.state)
		logf("soak: deliveries drained: %t after %s; store %s", res.Drained, res.DrainTook, mib(res.StoreDrained))
	}

	// The load generator has closed its connections: the bridge's
	// per-connection goroutines must go. Its pools of connections to the
	// vendors may hold more idle connections than after the warm-up (two
	// goroutines each) until they expire, after 90 s idle
	// (http.Transport's IdleConnTimeout): so much is waited for, and no
	// more.
	waitFrom := time.Now()
	for {
		res.IdleAfter = goroutines()
		if res.IdleAfter <= res.IdleWarm || time.Since(waitFrom) > idleConnTimeout+10*time.Second {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	res.IdleAfterWait = time.Since(waitFrom).Round(10 * time.Millisecond)
	res.BackToIdle = res.IdleAfter <= res.IdleWarm
	analyseSoak(&res)

	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "soak.md"), []byte(res.Markdown(pinNote)), 0o644); err != nil {
		return err
	}
	var svg strings.Builder
	if err := res.Chart().WriteSVG(&svg); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "soak.svg"), []byte(svg.String()), 0o644); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("seconds,calls,rss_bytes,heap_alloc_bytes,goroutines,store_bytes,pending\n")
	for _, s := range res.Samples {
		fmt.Fprintf(&csv, "%.1f,%d,%d,%.0f,%.0f,%d,%.0f\n", s.T, s.Calls, s.RSS, s.Heap, s.Goroutines, s.Store, s.Pending)
	}
	if err := os.WriteFile(filepath.Join(o.out, "soak.csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}
	logf("soak: %s calls in %s; RSS %s -> max %s (%+.1f%%, flat: %t); goroutines %0.f idle, %0.f after (back to idle: %t); wrote %s/soak.{md,svg,csv}",
		thousands(res.Calls), res.Elapsed.Round(time.Second), mib(res.RefRSS), mib(res.MaxRSS), 100*res.Growth, res.Flat, res.IdleWarm, res.IdleAfter, res.BackToIdle, o.out)
	return nil
}

// analyseSoak fills in the RSS verdict: the warm-up is the first 10% of
// the calls made; RSS is flat when no later sample exceeds the RSS at the
// end of the warm-up by more than 10%.
func analyseSoak(r *soakResult) {
	total := r.Calls + r.Errors
	r.WarmCalls = total / 10
	ref := -1
	for i, s := range r.Samples {
		if s.Calls >= r.WarmCalls {
			ref = i
			break
		}
		r.PeakGoroutines = max(r.PeakGoroutines, s.Goroutines)
	}
	if ref < 0 {
		return
	}
	r.RefRSS = r.Samples[ref].RSS
	for _, s := range r.Samples[ref:] {
		r.MaxRSS = max(r.MaxRSS, s.RSS)
		if !math.IsNaN(s.Goroutines) {
			r.PeakGoroutines = max(r.PeakGoroutines, s.Goroutines)
		}
	}
	if r.RefRSS > 0 {
		r.Growth = float64(r.MaxRSS)/float64(r.RefRSS) - 1
		r.Flat = r.Growth <= 0.10
	}
	for _, s := range r.Samples {
		r.MaxPending = max(r.MaxPending, s.Pending)
		if s.Calls < total/2 || s.T < storeSettled.Seconds() {
			continue
		}
		if r.StoreRef == 0 {
			r.StoreRef, r.StoreRefAt = s.Store, s.T
		}
		r.StoreMax = max(r.StoreMax, s.Store)
	}
	r.StoreFlat = r.StoreRef > 0 && float64(max(r.StoreMax, r.StoreDrained)) <= 1.10*float64(r.StoreRef)
}

// soakDedupeWindow is the soak contender's delivery.dedupe_window
// (testdata/bench/bridge-flaky.yaml): that long of changes is kept to
// recognise client retries, so the store grows for that long.
const soakDedupeWindow = time.Minute

// storeSettled is when a store's files should have stopped growing: the
// dedupe window and a minute of cleaning.
const storeSettled = soakDedupeWindow + time.Minute

// dirSize is the size of the files in dir ("" or unreadable: 0).
func dirSize(dir string) int64 {
	if dir == "" {
		return 0
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}

// Markdown renders a soak's result.
func (r soakResult) Markdown(pinNote string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Soak: %s\n\n", r.Contender)
	p("Written by `make bench-soak` (`go run ./bridge/internal/loadbench -soak %d -soak-contender %s -soak-c %d`) on %s. Load average at the end: %s.\n\n", r.Target, r.Contender, r.Concurrency, time.Now().UTC().Format("2006-01-02 15:04 MST"), loadAvg())
	p("- **Load**: %s calls asked, %s made (%s errors) in %s at c=%d, alternating SaveOutOfOfficeInfoForUser (wcf-oof-11) and SavePortalUser (10 items): %s req/s, p50 %s ms, p99 %s ms, p99.9 %s ms.\n",
		thousands(r.Target), thousands(r.Calls), thousands(r.Errors), r.Elapsed.Round(time.Second), r.Concurrency, fmtRPS(r.RPS), fmtMS(r.P50), fmtMS(r.P99), fmtMS(r.P999))
	if r.HitTimeLimit {
		p("- **The time limit ended the soak before %s calls** (-soak-max-time): it shows what %s calls do.\n", thousands(r.Target), thousands(r.Calls))
	}
	if r.FirstError != "" {
		p("- First error: %s\n", r.FirstError)
	}
	p("- **Pinning**: %s.\n", pinNote)
	verdict := map[bool]string{true: "**yes**", false: "**no**"}
	p("- **RSS flat** (no sample after the warm-up — the first %s calls — more than 10%% above the RSS at its end): %s. RSS %s at the end of the warm-up, at most %s after it (%+.1f%%), %s when the load stopped.\n",
		thousands(r.WarmCalls), verdict[r.Flat], mib(r.RefRSS), mib(r.MaxRSS), 100*r.Growth, mib(r.LastRSS))
	p("- **Goroutines back to idle** once the load generator closed its connections: %s. Idle before any load %0.f, idle after a 2 s warm-up burst %0.f (vendor connection pools), at most %0.f under load, %0.f after the soak (%s after the connections closed).\n",
		verdict[r.BackToIdle], r.IdleBefore, r.IdleWarm, r.PeakGoroutines, r.IdleAfter, r.IdleAfterWait)
	switch {
	case r.StoreRef > 0:
		p("- **Store size flat** (its files, from half-way through the calls and the end of the first dedupe window on, and once drained, at most 10%% above their size then): %s. %s at %.0f s, at most %s after, %s once the deliveries had drained (%s after the load: %s). At most %0.f deliveries were pending. SQLite reuses the pages of settled changes and finished jobs, so its files stop growing once a dedupe window's worth of changes (delivery.dedupe_window, %s in the soak's configuration) is kept; once the load stops and that window has passed, the cleaning gives the space back to the file system, a few MiB every 10 s (not waited for here).\n",
			verdict[r.StoreFlat], mib(r.StoreRef), r.StoreRefAt, mib(r.StoreMax), mib(r.StoreDrained), r.DrainTook, map[bool]string{true: "drained", false: "**not drained within 5 minutes**"}[r.Drained], r.MaxPending, soakDedupeWindow)
	case r.StoreDrained > 0:
		p("- **Store size flat**: not judged: the load ended before %s, when a dedupe window's worth of changes (%s) is kept and the files stop growing.\n", storeSettled, soakDedupeWindow)
	}
	p("\n![RSS and goroutines during the soak](soak.svg)\n\nSamples (one a second) are in soak.csv.\n")
	return b.String()
}

// idleConnTimeout is how long the bridge's vendor pools keep an idle
// connection: http.DefaultTransport's, which vendorkit's transport clones.
var idleConnTimeout = http.DefaultTransport.(*http.Transport).IdleConnTimeout

// Chart draws RSS, heap and goroutines against calls made.
func (r soakResult) Chart() Chart {
	mem := Panel{Title: "memory", XLabel: "calls made (thousands)", YLabel: "MiB"}
	gor := Panel{Title: "goroutines", XLabel: "calls made (thousands)", YLabel: "go_goroutines"}
	rss := Series{Name: "RSS", Color: palette[1]}
	heap := Series{Name: "heap (go_memstats_heap_alloc_bytes)", Color: palette[2]}
	gs := Series{Name: "goroutines", Color: palette[3]}
	st := Series{Name: "store files", Color: palette[4]}
	for _, s := range r.Samples {
		x := float64(s.Calls) / 1000
		rss.X, rss.Y = append(rss.X, x), append(rss.Y, float64(s.RSS)/(1<<20))
		heap.X, heap.Y = append(heap.X, x), append(heap.Y, s.Heap/(1<<20))
		gs.X, gs.Y = append(gs.X, x), append(gs.Y, s.Goroutines)
		if s.Store > 0 {
			st.X, st.Y = append(st.X, x), append(st.Y, float64(s.Store)/(1<<20))
		}
	}
	mem.Series = []Series{rss, heap}
	if len(st.X) > 0 {
		mem.Series = append(mem.Series, st)
	}
	gor.Series = []Series{gs}
	return Chart{
		Title:    fmt.Sprintf("thereforebridge soak: %s calls against %s at c=%d", thousands(r.Calls), r.Contender, r.Concurrency),
		Subtitle: fmt.Sprintf("RSS flat: %t (%+.1f%% after the warm-up) · goroutines back to idle: %t (%0.f → %0.f)", r.Flat, 100*r.Growth, r.BackToIdle, r.IdleWarm, r.IdleAfter),
		Cols:     2,
		Panels:   []Panel{mem, gor},
	}
}
