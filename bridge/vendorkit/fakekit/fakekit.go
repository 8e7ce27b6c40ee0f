// Package fakekit is what every vendor fake shares: being told to fail
// (FailNext, FailFor, Delay, Hang, DropConnections; in-process or over HTTP
// with ControlHandler), counting what it was sent, recording requests for
// one subject that overlap in time (Overlaps), and keeping bounded logs. What a failure looks like (the vendor's error body,
// its Retry-After or rate-limit headers) stays in each fake; fakekit only
// decides when to fail, and with which status.
package fakekit

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// Failures is which requests to fail (the next n, those until a moment,
// or all until cleared) and the status to fail them with. The zero value
// fails nothing.
type Failures struct {
	mu       sync.Mutex
	n        int
	until    time.Time
	forever  bool
	status   int
	injected int
}

// FailNext makes the next n requests fail with status, in the vendor's
// error shape; it replaces what was set before.
func (f *Failures) FailNext(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.status, f.until, f.forever = n, status, time.Time{}, false
}

// FailFor makes every request fail with status for d from now (d <= 0:
// until cleared with FailNext(0, 0)); it replaces what was set before.
func (f *Failures) FailFor(d time.Duration, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.status, f.until, f.forever = 0, status, time.Now().Add(d), d <= 0
}

// NextFailure takes one of the requests to fail: its status, or 0 when
// none is left.
func (f *Failures) NextFailure() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.forever || time.Now().Before(f.until):
	case f.n > 0:
		f.n--
	default:
		return 0
	}
	f.injected++
	return f.status
}

// failing describes the failures still to come, for ControlHandler.
func (f *Failures) failing(a *Active) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a.Injected += f.injected
	switch {
	case f.forever:
		a.Status = f.status
	case time.Now().Before(f.until):
		a.Status, a.Until = f.status, f.until.UTC().Format(time.RFC3339Nano)
	case f.n > 0:
		a.Status, a.Count = f.status, f.n
	}
}

// Faults is what a fake can be told to do wrong: fail requests
// (Failures), hold every request for a while (Delay) or until released
// (Hang), or drop the next connections (DropConnections). A fake embeds it and calls Intercept first thing in
// ServeHTTP (or Hold, when it fails only some requests and takes their
// failures itself with NextFailure). The zero value does nothing wrong.
type Faults struct {
	Failures

	mu      sync.Mutex
	drop    int
	dropped int
	delay   time.Duration
	hang    chan struct{} // non-nil: requests wait until it is closed
	hung    int           // requests waiting on hang now
}

// Hang holds every request from now on until Release (or Clear), or until
// its client gives up; a released request is then served as usual.
func (f *Faults) Hang() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang == nil {
		f.hang = make(chan struct{})
	}
}

// Release lets the requests held by Hang go on, and stops holding new
// ones.
func (f *Faults) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang != nil {
		close(f.hang)
		f.hang = nil
	}
}

// Clear removes every fault: no failures, delay, hang or drops; held
// requests are released.
func (f *Faults) Clear() {
	f.FailNext(0, 0)
	f.Release()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop, f.delay = 0, 0
}

// Delay holds every request for d before answering (0: none); a request
// whose client gives up is released at once.
func (f *Faults) Delay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// DropConnections makes the next n requests lose their connection without
// an answer.
func (f *Faults) DropConnections(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop = n
}

// Intercept applies DropConnections, Delay, Hang and the failures
// (FailNext, FailFor) to one request, in that order. done is true when the
// request is over: its connection was dropped or its client gave up during
// the delay or hang. Otherwise fail is the
// status the fake must answer with, in its own error shape, or 0 to serve
// the request. A dropped request does not use up a failure.
//
// A fake that wants a client giving up during the delay noticed must read
// the request body before calling Intercept: net/http watches the
// connection only once the body is consumed.
func (f *Faults) Intercept(w http.ResponseWriter, r *http.Request) (fail int, done bool) {
	if f.Hold(w, r) {
		return 0, true
	}
	return f.NextFailure(), false
}

// Hold applies DropConnections, Delay and Hang to one request, not the
// failures; true when the request is over (see Intercept).
func (f *Faults) Hold(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	drop := f.drop > 0
	if drop {
		f.drop--
		f.dropped++
	}
	delay := f.delay
	f.mu.Unlock()
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // no hijacking (HTTP/2): abort the stream
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
	}
	return f.wait(r)
}

// wait holds r while Hang is on; true when its client gave up.
func (f *Faults) wait(r *http.Request) bool {
	f.mu.Lock()
	hang := f.hang
	if hang == nil {
		f.mu.Unlock()
		return false
	}
	f.hung++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.hung--
		f.mu.Unlock()
	}()
	select {
	case <-hang:
		return false
	case <-r.Context().Done():
		return true
	}
}

// Counts counts requests by a key (an operation, a route, a status). The
// zero value is ready to use.
type Counts[K comparable] struct {
	mu sync.Mutex
	m  map[K]int
}

// Add counts one more k.
func (c *Counts[K]) Add(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]int{}
	}
	c.m[k]++
}

// Get returns the count of k.
func (c *Counts[K]) Get(k K) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

// Snapshot returns a copy of every count; never nil, so that a State
// shows {} rather than null.
func (c *Counts[K]) Snapshot() map[K]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[K]int, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// AppendBounded appends v to log and drops the oldest entries beyond max,
// so that a fake serving for days keeps only its recent history.
func AppendBounded[T any](log []T, v T, max int) []T {
	log = append(log, v)
	if len(log) > max {
		log = append(log[:0:0], log[len(log)-max:]...)
	}
	return log
}

// maxBody bounds what a fake reads of a request.
const maxBody = 1 << 20

// ReadBody reads r's body (up to 1 MiB) and puts it back, so handlers
// further on read it again; false when the client went away. A fake reads
// the body first so that net/http notices a client that gives up during a
// Delay or Hang (it watches the connection once the body is consumed):
// the request then ends, and does not count as still in progress for
// Overlaps.
func ReadBody(r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}
