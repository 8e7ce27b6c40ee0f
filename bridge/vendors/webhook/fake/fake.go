// Package fake is a webhook receiver as the webhook vendor's documentation
// asks receivers to be: it accepts POST /events only, verifies the
// signature and the timestamp window with webhook.Verify (a bad one ->
// 401), reads the body strictly as a webhook.Event (unknown members ->
// 400), keeps the events it accepted, and can be told to fail, including
// 429 with Retry-After.
package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
)

// DemoSecret is the secret the fake verifies with (webhook.Demo's).
const DemoSecret = webhook.DemoSecret

const (
	path      = "/events"
	maxEvents = 1000 // events kept
	maxBody   = 10 << 20
)

// Fake is an http.Handler; start it with httptest.NewServer.
type Fake struct {
	mu         sync.Mutex
	events     []Event
	rejected   []Rejection
	failNext   int
	failStatus int
	retryAfter time.Duration // with failNext: sent as Retry-After
	drop       int
	delay      time.Duration
}

// Event is an accepted request.
type Event struct {
	Timestamp   string          `json:"timestamp"`
	Operation   string          `json:"operation"`
	RequestID   string          `json:"request_id"`
	Params      json.RawMessage `json:"params"`
	OutOfOffice json.RawMessage `json:"out_of_office,omitempty"`
}

// Rejection is a refused request.
type Rejection struct {
	Status int    `json:"status"`
	Reason string `json:"reason"`
}

// State is a snapshot of the fake.
type State struct {
	Events   []Event     `json:"events"`
	Rejected []Rejection `json:"rejected"`
}

// New returns an empty fake.
func New() *Fake { return &Fake{} }

// FailNext makes the next n requests fail with status.
func (f *Fake) FailNext(n, status int) {
	f.mu.Lock()
	f.failNext, f.failStatus, f.retryAfter = n, status, 0
	f.mu.Unlock()
}

// TooManyRequests makes the next n requests answer 429 with Retry-After
// (whole seconds).
func (f *Fake) TooManyRequests(n int, retryAfter time.Duration) {
	f.mu.Lock()
	f.failNext, f.failStatus, f.retryAfter = n, http.StatusTooManyRequests, retryAfter
	f.mu.Unlock()
}

// Delay holds every answer for d.
func (f *Fake) Delay(d time.Duration) { f.mu.Lock(); f.delay = d; f.mu.Unlock() }

// DropConnections closes the next n connections without an answer.
func (f *Fake) DropConnections(n int) { f.mu.Lock(); f.drop = n; f.mu.Unlock() }

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return State{Events: append([]Event{}, f.events...), Rejected: append([]Rejection{}, f.rejected...)}
}

// DebugState implements the bridge's Debugger.
func (f *Fake) DebugState() any { return f.State() }

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Reading the body first lets the server notice a client that gives up
	// during a Delay.
	body, bodyErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	f.mu.Lock()
	delay, drop := f.delay, f.drop > 0
	if drop {
		f.drop--
	}
	fail, retryAfter := 0, time.Duration(0)
	if !drop && f.failNext > 0 {
		f.failNext--
		fail, retryAfter = f.failStatus, f.retryAfter
	}
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if fail != 0 {
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
		}
		f.reject(w, fail, "injected failure")
		return
	}
	switch {
	case r.URL.Path != path:
		f.reject(w, http.StatusNotFound, "no receiver at "+r.URL.Path)
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		f.reject(w, http.StatusMethodNotAllowed, "use POST")
		return
	case bodyErr != nil:
		f.reject(w, http.StatusBadRequest, "reading the body: "+bodyErr.Error())
		return
	}
	ts := r.Header.Get("X-Bridge-Timestamp")
	if err := webhook.Verify(DemoSecret, ts, string(body), r.Header.Get("X-Bridge-Signature"), time.Now(), webhook.DefaultTolerance); err != nil {
		f.reject(w, http.StatusUnauthorized, err.Error())
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.reject(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: expected application/json", ct))
		return
	}
	ev, err := decode(body)
	if err != nil {
		f.reject(w, http.StatusBadRequest, err.Error())
		return
	}
	ev.Timestamp = ts
	f.mu.Lock()
	f.events = append(f.events, ev)
	if len(f.events) > maxEvents {
		f.events = append(f.events[:0:0], f.events[len(f.events)-maxEvents:]...)
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// decode reads body strictly as a webhook.Event.
func decode(body []byte) (Event, error) {
	var ev webhook.Event
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return Event{}, fmt.Errorf("the body is not an event: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Event{}, errors.New("the body is not an event: data after the JSON object")
	}
	if ev.Operation == "" || ev.RequestID == "" {
		return Event{}, errors.New("the event has no operation or request_id")
	}
	out := Event{Operation: ev.Operation, RequestID: ev.RequestID, Params: ev.Params}
	if ev.OutOfOffice != nil {
		out.OutOfOffice, _ = json.Marshal(ev.OutOfOffice)
	}
	return out, nil
}

func (f *Fake) reject(w http.ResponseWriter, status int, reason string) {
	f.mu.Lock()
	f.rejected = append(f.rejected, Rejection{Status: status, Reason: reason})
	if len(f.rejected) > maxEvents {
		f.rejected = append(f.rejected[:0:0], f.rejected[len(f.rejected)-maxEvents:]...)
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": reason})
}
