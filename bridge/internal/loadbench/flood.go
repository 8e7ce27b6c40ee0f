package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floodContender is the contender the flood scenario runs against.
const floodContender = "bridge-auth"

// wrongBasic is the demo caller with a wrong password.
const wrongBasic = "Basic ZGVtbzp3cm9uZy1wYXNzd29yZA==" // demo:wrong-password

// FloodResult is the flood scenario: a legitimate caller (the demo caller,
// right password) at LegitC, measured alone and then beside a flood of
// wrong passwords for the same user from the same address at FloodC, with
// /metrics polled throughout.
type FloodResult struct {
	Contender string `json:"contender"`
	Envelope  string `json:"envelope"`
	LegitC    int    `json:"legit_concurrency"`
	FloodC    int    `json:"flood_concurrency"`
	Alone     Run    `json:"alone"`
	Flooded   Run    `json:"flooded"`
	// Flood answers by HTTP status during the flooded window, and per second.
	FloodStatus map[string]int64 `json:"flood_status"`
	FloodRPS    float64          `json:"flood_rps"`
	// /metrics latency (ms) while alone and while flooded.
	MetricsAlone   Latencies `json:"metrics_alone"`
	MetricsFlooded Latencies `json:"metrics_flooded"`
}

// Latencies summarises polled requests.
type Latencies struct {
	N      uint64  `json:"n"`
	Failed int64   `json:"failed"`
	P50    float64 `json:"p50_ms"`
	P99    float64 `json:"p99_ms"`
	Max    float64 `json:"max_ms"`
}

// runFlood measures the flood scenario against contender (which must take
// the demo caller's HTTP Basic credentials).
func runFlood(o options, e *env, c Contender, env Envelope) (*FloodResult, error) {
	p, err := e.start(c.Name)
	if err != nil {
		return nil, err
	}
	defer func() { p.Stop() }()
	if p.basic == "" || p.Metrics == "" {
		return nil, fmt.Errorf("%s takes no HTTP Basic credentials or has no /metrics: the flood needs both", c.Name)
	}
	if _, err := check(p, env); err != nil {
		return nil, err
	}
	const legitC, floodC = 8, 32
	fr := &FloodResult{Contender: c.Name, Envelope: env.Name, LegitC: legitC, FloodC: floodC, FloodStatus: map[string]int64{}}

	poll := startPoller(p.Metrics, 100*time.Millisecond)
	fr.Alone, err = measure(o, e, p, c, env, legitC)
	fr.MetricsAlone = poll.Stop()
	if err != nil {
		return nil, err
	}
	logf("flood: %s alone at c=%d: %.0f req/s, p99 %.2f ms", c.Name, legitC, fr.Alone.RPS, fr.Alone.P99)
	settle(p)

	ctx, cancel := context.WithCancel(context.Background())
	var statuses sync.Map
	var sent atomic.Int64
	var wg sync.WaitGroup
	client := newClient(floodC, o.timeout)
	hdr := p.Header(env)
	hdr.Set("Authorization", wrongBasic)
	for range floodC {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				// The flood's body never reaches the store: it is refused first.
				status, err := send(ctx, client, Request{URL: p.Endpoint(), Body: env.Body, Header: hdr}, 0)
				key := fmt.Sprint(status)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					key = "error"
					time.Sleep(10 * time.Millisecond)
				}
				n, _ := statuses.LoadOrStore(key, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
				sent.Add(1)
			}
		}()
	}
	// Let the flood spend its burst and settle into its throttle first.
	time.Sleep(2 * time.Second)
	before := sent.Load()
	began := time.Now()
	poll = startPoller(p.Metrics, 100*time.Millisecond)
	fr.Flooded, err = measure(o, e, p, c, env, legitC)
	fr.MetricsFlooded = poll.Stop()
	fr.FloodRPS = float64(sent.Load()-before) / time.Since(began).Seconds()
	cancel()
	wg.Wait()
	client.CloseIdleConnections()
	statuses.Range(func(k, v any) bool {
		fr.FloodStatus[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	if err != nil {
		return fr, err
	}
	logf("flood: %s flooded at c=%d: %.0f req/s, p99 %.2f ms; flood %.0f req/s %v; /metrics p99 %.1f ms, max %.1f ms",
		c.Name, legitC, fr.Flooded.RPS, fr.Flooded.P99, fr.FloodRPS, fr.FloodStatus, fr.MetricsFlooded.P99, fr.MetricsFlooded.Max)
	return fr, nil
}

// poller GETs a URL at a steady pace and records how long each answer
// took (a failure or a non-200 counts as failed).
type poller struct {
	hist   *Histogram
	failed atomic.Int64
	stop   chan struct{}
	done   chan struct{}
}

func startPoller(url string, every time.Duration) *poller {
	pl := &poller{hist: NewHistogram(), stop: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: 10 * time.Second}
	go func() {
		defer close(pl.done)
		defer client.CloseIdleConnections()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			start := time.Now()
			resp, err := client.Get(url)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("HTTP %d", resp.StatusCode)
				}
			}
			if err != nil {
				pl.failed.Add(1)
			} else {
				pl.hist.Record(time.Since(start))
			}
			select {
			case <-pl.stop:
				return
			case <-t.C:
			}
		}
	}()
	return pl
}

// Stop ends the polling and summarises it.
func (pl *poller) Stop() Latencies {
	close(pl.stop)
	<-pl.done
	return Latencies{N: pl.hist.Count(), Failed: pl.failed.Load(), P50: ms(pl.hist.Quantile(0.5)), P99: ms(pl.hist.Quantile(0.99)), Max: ms(pl.hist.Max())}
}

// markdown renders the flood scenario and its targets.
func (f *FloodResult) markdown(b *strings.Builder) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**not met**"
	}
	p("## Wrong-password flood\n\n")
	p("The legitimate caller (the demo caller, right password, HTTP Basic on every call, %s) at c=%d against %s, alone and then beside a flood of wrong passwords for the same user from the same address (127.0.0.1) at c=%d; `/metrics` polled every 100 ms throughout. The flood started 2 s before the flooded window.\n\n", f.Envelope, f.LegitC, f.Contender, f.FloodC)
	p("| legitimate caller | req/s | p50 ms | p99 ms | p99.9 ms | errors | CPU s/1k | /metrics p50 ms | /metrics p99 ms | /metrics max ms | /metrics failed |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range []struct {
		name string
		r    Run
		m    Latencies
	}{{"alone", f.Alone, f.MetricsAlone}, {"beside the flood", f.Flooded, f.MetricsFlooded}} {
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n", row.name, fmtRPS(row.r.RPS), fmtMS(row.r.P50), fmtMS(row.r.P99), fmtMS(row.r.P999),
			thousands(row.r.Errors), fmtCPU(row.r.CPUPer1k), fmtMS(row.m.P50), fmtMS(row.m.P99), fmtMS(row.m.Max), row.m.Failed)
	}
	var codes []string
	for k, v := range f.FloodStatus {
		codes = append(codes, fmt.Sprintf("%s × %s", k, thousands(v)))
	}
	p("\nThe flood: %.1f requests/s answered (%s over the whole flood).\n\n", f.FloodRPS, strings.Join(codes, ", "))
	ratio := 0.0
	if f.Alone.RPS > 0 {
		ratio = f.Flooded.RPS / f.Alone.RPS
	}
	p("- Legitimate caller's p99 beside the flood: %s ms (target ≤ 10 ms): %s.\n", fmtMS(f.Flooded.P99), verdict(f.Flooded.N > 0 && f.Flooded.P99 <= 10))
	p("- Its throughput beside the flood: %.0f%% of alone (target ≥ 80%%): %s.\n", 100*ratio, verdict(ratio >= 0.8))
	p("- `/metrics` during the flood: at most %s ms, %d failed (target: within 100 ms throughout): %s.\n\n", fmtMS(f.MetricsFlooded.Max), f.MetricsFlooded.Failed,
		verdict(f.MetricsFlooded.N > 0 && f.MetricsFlooded.Failed == 0 && f.MetricsFlooded.Max <= 100))
}
