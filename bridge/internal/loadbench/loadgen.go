package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one HTTP request the load generator sends, over and over:
// Body, or when Variants are set, Prefix + a variant + Suffix, the
// variants taken in turn across all workers.
type Request struct {
	URL    string
	Body   []byte
	Header http.Header

	Prefix, Suffix []byte
	Variants       [][]byte
}

// body returns the body of the request's seq-th call and its length.
func (r Request) body(seq uint64) (io.Reader, int64) {
	if len(r.Variants) == 0 {
		return bytes.NewReader(r.Body), int64(len(r.Body))
	}
	v := r.Variants[seq%uint64(len(r.Variants))]
	return io.MultiReader(bytes.NewReader(r.Prefix), bytes.NewReader(v), bytes.NewReader(r.Suffix)),
		int64(len(r.Prefix) + len(v) + len(r.Suffix))
}

// Load is one closed-loop run: Concurrency workers, each with its own
// keep-alive connection, send a request as soon as their previous one is
// answered. The first Warmup is not recorded (connections open, caches and
// JIT warm, the pipeline fills); then completions are recorded for Duration
// or until MaxRequests have completed, whichever comes first. Requests in
// flight at the end are abandoned and not counted.
type Load struct {
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	MaxRequests int64
	// MinSamples extends the window past Duration, up to MaxWindow, until
	// that many calls have completed: with large envelopes at high
	// concurrency a server that shares its core among all calls answers
	// them in bursts seconds apart, and a fixed window may catch none.
	MinSamples int64
	MaxWindow  time.Duration
	Timeout    time.Duration // per request
	// Requests are sent round-robin (one request for a plain run, several
	// for a soak that mixes operations).
	Requests []Request
	// Window, when set, is called at the start and at the end of the
	// recorded window (CPU and memory readings of the server).
	Window func(start bool)
	// Progress, when set, is called about every 100 ms during the recorded
	// window with the completions so far.
	Progress func(done int64)
}

// LoadResult is what one Load measured.
type LoadResult struct {
	Hist       *Histogram
	OK         int64         // 2xx completions recorded
	Errors     int64         // non-2xx statuses and transport errors in the window
	FirstError string        // the first of them, for the report
	Elapsed    time.Duration // length of the recorded window
	ClientCPU  time.Duration // the load generator's own CPU during the window
	HitMax     bool          // the window ended at MaxRequests, not Duration
	Warmup     time.Duration // how long the warm-up took
	// Steady is false when the warm-up hit its limit before every worker
	// had an answer: latencies are then those of a pipeline still filling.
	Steady   bool
	Answered int64 // workers with an answer by the end of the warm-up
	// WarmupErrors counts failed calls during the warm-up (not in Errors).
	WarmupErrors     int64
	FirstWarmupError string
}

// callSeq numbers the calls of every run of this process, so that a run
// goes on through the variants where the previous run against the same
// server stopped: starting again at the first would repeat the changes
// the server holds as its subjects' latest, and measure its answer to
// client retries.
var callSeq atomic.Uint64

// maxWarmup bounds the warm-up's extension.
const maxWarmup = 20 * time.Second

// RPS is recorded completions per second.
func (r LoadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

const (
	phaseWarm int32 = iota
	phaseMeasure
	phaseDone
)

// newClient returns an HTTP client with exactly n keep-alive connections to
// one host and no compression.
func newClient(n int, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        n,
		MaxIdleConnsPerHost: n,
		MaxConnsPerHost:     n,
		IdleConnTimeout:     2 * time.Minute,
		DisableCompression:  true,
		// Large envelopes are written in big chunks.
		WriteBufferSize: 64 << 10,
		ReadBufferSize:  16 << 10,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Run performs l against a server and returns what it measured. The
// client is closed (its idle connections dropped) before Run returns.
func (l Load) Run(ctx context.Context) (LoadResult, error) {
	if l.Concurrency < 1 || len(l.Requests) == 0 {
		return LoadResult{}, errors.New("load: need concurrency >= 1 and a request")
	}
	client := newClient(l.Concurrency, l.Timeout)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		phase       atomic.Int32
		recorded    atomic.Int64 // completions recorded, OK or not
		next        atomic.Uint64
		maxHit      = make(chan struct{})
		maxOnce     sync.Once
		answered    atomic.Int64 // workers that have had at least one answer
		warmErrs    atomic.Int64
		warmErrOnce sync.Once
		warmErr     string
		errMu       sync.Mutex
		firstErr    string
	)
	noteErr := func(s string) {
		errMu.Lock()
		if firstErr == "" {
			firstErr = s
		}
		errMu.Unlock()
	}
	type tally struct {
		h       *Histogram
		ok, bad int64
	}
	tallies := make([]*tally, l.Concurrency)
	var wg sync.WaitGroup
	for w := range l.Concurrency {
		t := &tally{h: NewHistogram()}
		tallies[w] = t
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for ctx.Err() == nil {
				r := l.Requests[next.Add(1)%uint64(len(l.Requests))]
				start := time.Now()
				status, err := send(ctx, client, r, callSeq.Add(1)-1)
				took := time.Since(start)
				if first && err == nil && status >= 200 && status <= 299 {
					first = false
					answered.Add(1)
				}
				if phase.Load() != phaseMeasure {
					if err == nil && (status < 200 || status > 299) {
						err = fmt.Errorf("HTTP %d", status)
					}
					if err != nil && ctx.Err() == nil && phase.Load() == phaseWarm {
						warmErrs.Add(1)
						warmErrOnce.Do(func() { warmErr = err.Error() })
					}
					if err != nil && ctx.Err() == nil {
						// Back off a little on warm-up errors (e.g. the
						// server not accepting yet) instead of spinning.
						time.Sleep(10 * time.Millisecond)
					}
					continue
				}
				if ctx.Err() != nil {
					return // abandoned at the end: not counted
				}
				n := recorded.Add(1)
				if l.MaxRequests > 0 && n > l.MaxRequests {
					continue
				}
				switch {
				case err != nil:
					t.bad++
					noteErr(err.Error())
				case status < 200 || status > 299:
					t.bad++
					noteErr(fmt.Sprintf("HTTP %d", status))
				default:
					t.ok++
					t.h.Record(took)
				}
				if l.MaxRequests > 0 && n == l.MaxRequests {
					maxOnce.Do(func() { close(maxHit) })
				}
			}
		}()
	}

	res := LoadResult{Hist: NewHistogram()}
	// Warm up for Warmup, and longer (up to maxWarmup) until every worker
	// has had an answer: with slow calls at high concurrency the pipeline
	// is not full after a fixed second.
	warmStart := time.Now()
	for ctx.Err() == nil {
		spent := time.Since(warmStart)
		if spent >= maxWarmup || (spent >= l.Warmup && answered.Load() == int64(l.Concurrency)) {
			break
		}
		time.Sleep(min(10*time.Millisecond, max(l.Warmup-spent, time.Millisecond)))
	}
	res.Warmup = time.Since(warmStart)
	res.Answered = answered.Load()
	res.Steady = res.Answered == int64(l.Concurrency)
	res.WarmupErrors = warmErrs.Load()
	if l.Window != nil {
		l.Window(true)
	}
	cpu0, _ := cpuTime(selfPID)
	start := time.Now()
	phase.Store(phaseMeasure)
	deadline := time.NewTimer(l.Duration)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-deadline.C:
			if recorded.Load() >= l.MinSamples || time.Since(start) >= l.MaxWindow {
				break wait
			}
			deadline.Reset(20 * time.Millisecond)
		case <-maxHit:
			res.HitMax = true
			break wait
		case <-ctx.Done():
			break wait
		case <-tick.C:
			if l.Progress != nil {
				l.Progress(recorded.Load())
			}
		}
	}
	phase.Store(phaseDone)
	res.Elapsed = time.Since(start)
	cpu1, _ := cpuTime(selfPID)
	res.ClientCPU = cpu1 - cpu0
	if l.Window != nil {
		l.Window(false)
	}
	cancel()
	wg.Wait()
	for _, t := range tallies {
		res.Hist.Merge(t.h)
		res.OK += t.ok
		res.Errors += t.bad
	}
	res.FirstError = firstErr
	if res.WarmupErrors > 0 {
		res.FirstWarmupError = warmErr
	}
	return res, nil
}

// bodyBufs recycles the buffers responses are read into.
var bodyBufs = sync.Pool{New: func() any { return make([]byte, 32<<10) }}

// send does the seq-th call of r and reads the whole answer.
func send(ctx context.Context, c *http.Client, r Request, seq uint64) (int, error) {
	body, n := r.body(seq)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = n
	for k, v := range r.Header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	buf := bodyBufs.Get().([]byte)
	_, err = io.CopyBuffer(discard{}, resp.Body, buf)
	bodyBufs.Put(buf)
	resp.Body.Close()
	return resp.StatusCode, err
}

// discard is io.Discard without its ReaderFrom (which would bypass the
// pooled buffer with one of its own).
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
