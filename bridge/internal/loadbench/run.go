package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"
)

// measureContender starts c once for env, checks its answer, and measures
// every concurrency level.
func measureContender(o options, e *env, c Contender, env Envelope, began time.Time) ([]Run, error) {
	if time.Since(began) > o.budget {
		return nil, fmt.Errorf("skipped: the time budget (-budget %s) was spent", o.budget)
	}
	p, err := e.start(c.Name)
	if err != nil {
		return nil, err
	}
	defer func() { p.Stop() }()
	if _, err := check(p, env); err != nil {
		return nil, err
	}
	var runs []Run
	for _, level := range o.levels {
		if time.Since(began) > o.budget {
			return runs, fmt.Errorf("c=%d and above skipped: the time budget (-budget %s) was spent", level, o.budget)
		}
		if !settle(p) {
			logf("%s still busy after the previous level: restarting it", c.Name)
			p.Stop()
			if p, err = e.start(c.Name); err != nil {
				return runs, err
			}
		}
		r, err := measure(o, e, p, c, env, level)
		if err != nil {
			return runs, err
		}
		logf("%-12s %-12s c=%-3d %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  cpu %.3f s/1k  rss %s  n=%d err=%d",
			c.Name, env.Name, level, r.RPS, r.P50, r.P99, r.CPUPer1k, mib(r.PeakRSS), r.N, r.Errors)
		runs = append(runs, r)
		if !p.Alive() {
			return runs, fmt.Errorf("%s died at c=%d: %s", c.Name, level, p.logTail())
		}
	}
	return runs, nil
}

// settle waits until p uses (almost) no CPU, i.e. it has finished the
// requests abandoned at the end of the previous window; false after 5 s
// (restarting the contender is then quicker than waiting).
func settle(p *proc) bool {
	deadline := time.Now().Add(5 * time.Second)
	prev := p.CPU()
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		now := p.CPU()
		if now-prev <= 20*time.Millisecond {
			return true
		}
		prev = now
	}
	return false
}

// measure runs one level.
func measure(o options, e *env, p *proc, c Contender, env Envelope, level int) (Run, error) {
	var (
		cpu0, cpu1  time.Duration
		busy0       map[int]uint64
		tot0        map[int]uint64
		otherPct    = math.NaN()
		windowStart time.Time
		peak        int64
		heap        *heapSampler
		// the contender's log around the window, for its collector trace
		traceFrom, traceTo int64
		prof               *profiler
		profErr            error
	)
	if e.pprofFor[c.Name] && level == o.pprofC {
		base, _, _ := pprofTarget(o.pprof)
		prof = &profiler{base: base, dir: filepath.Join(o.out, "profiles"), prefix: fmt.Sprintf("%s-%s-c%d", c.Name, env.Name, level),
			secs: max(1, int(o.duration/time.Second))}
	}
	pid := p.PIDs()[0]
	l := Load{
		Concurrency: level,
		Warmup:      o.warmup,
		Duration:    o.duration,
		MaxRequests: o.maxRequests,
		MinSamples:  o.minSamples,
		MaxWindow:   max(o.duration, o.maxWindow),
		Timeout:     o.timeout,
		Requests:    []Request{env.Request(p.Endpoint(), p.Header(env), p.subjects)},
		Window: func(start bool) {
			if start {
				if prof != nil {
					profErr = prof.begin()
				}
				for _, id := range p.PIDs() {
					resetPeak(id)
				}
				if p.Metrics != "" {
					heap = startHeapSampler(p.Metrics, 200*time.Millisecond)
				}
				traceFrom = fileSize(p.logPath)
				cpu0 = p.CPU()
				busy0, tot0, _ = cpuTicks()
				windowStart = time.Now()
				return
			}
			cpu1 = p.CPU()
			// What else ran on the server's core: its busy time less the
			// contender's own (a sign of noise from other work).
			if busy1, tot1, err := cpuTicks(); err == nil && e.pin && tot1[o.serverCPU] > tot0[o.serverCPU] {
				b := float64(busy1[o.serverCPU]-busy0[o.serverCPU]) / float64(tot1[o.serverCPU]-tot0[o.serverCPU])
				otherPct = max(0, 100*(b-(cpu1-cpu0).Seconds()/max(time.Since(windowStart).Seconds(), 1e-3)))
			}
			if m, err := readMem(pid); err == nil {
				peak = m.HWM
			}
			if heap != nil {
				heap.Stop()
			}
			traceTo = fileSize(p.logPath)
			if prof != nil && profErr == nil {
				profErr = prof.end()
			}
		},
	}
	res, err := l.Run(context.Background())
	if err != nil {
		return Run{}, err
	}
	r := Run{
		Contender:   c.Name,
		Envelope:    env.Name,
		Concurrency: level,
		N:           res.OK,
		Errors:      res.Errors,
		FirstError:  res.FirstError,
		Elapsed:     res.Elapsed.Seconds(),
		HitMax:      res.HitMax,
		Steady:      res.Steady,
		WarmupS:     res.Warmup.Seconds(),
		RPS:         res.RPS(),
		P50:         ms(res.Hist.Quantile(0.50)),
		P99:         ms(res.Hist.Quantile(0.99)),
		P999:        ms(res.Hist.Quantile(0.999)),
		Mean:        ms(res.Hist.Mean()),
		Max:         ms(res.Hist.Max()),
		CPU:         (cpu1 - cpu0).Seconds(),
		PeakRSS:     peak,
	}
	if res.Elapsed > 0 {
		r.ServerCPUPct = 100 * r.CPU / res.Elapsed.Seconds()
		r.ClientCPUPct = 100 * res.ClientCPU.Seconds() / res.Elapsed.Seconds()
	}
	if !res.Steady {
		r.Note = fmt.Sprintf("only %d of %d connections had an answer after the %s warm-up", res.Answered, level, res.Warmup.Round(time.Second))
		logf("%s c=%d: %s", c.Name, level, r.Note)
	}
	if res.WarmupErrors > 0 {
		r.Note = strings.TrimPrefix(r.Note+"; ", "; ") + fmt.Sprintf("%d calls failed during the warm-up, the first: %s", res.WarmupErrors, clip(res.FirstWarmupError, 200))
		logf("%s c=%d: %s", c.Name, level, r.Note)
	}
	if !math.IsNaN(otherPct) {
		r.OtherPct = &otherPct
	}
	if total := res.OK + res.Errors; total > 0 {
		r.CPUPer1k = r.CPU / float64(total) * 1000
	}
	if heap != nil {
		r.PeakHeap = heap.Peak()
		if t, ok := gcTracePeak(p.logPath, traceFrom, traceTo); ok {
			r.PeakHeap, r.HeapTraced = max(r.PeakHeap, t), true
		}
	}
	if prof != nil {
		if profErr != nil {
			r.Note = "profile: " + profErr.Error()
			logf("%s: %v", c.Name, profErr)
		} else {
			r.Profiles = prof.saved
			logf("profiles of %s saved: %s", c.Name, strings.Join(prof.saved, ", "))
		}
	}
	return r, nil
}
