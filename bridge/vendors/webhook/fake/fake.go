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
	"strings"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
)

// DemoSecret is the secret the fake verifies with (Demo's).
const DemoSecret = "demo-webhook-signing-secret"

const (
	path      = "/events"
	maxEvents = 1000 // events kept
	maxBody   = 10 << 20
)

// Fake is an http.Handler; start it with httptest.NewServer. Its own
// FailNext and TooManyRequests stand in for fakekit's FailNext, so that an
// injected failure can carry Retry-After.
type Fake struct {
	fakekit.Faults

	mu         sync.Mutex
	events     []Event
	rejected   []Rejection
	overlaps   fakekit.Overlaps // by subject
	history    fakekit.History  // Event, by subject
	retryAfter time.Duration    // with the injected failures: sent as Retry-After
}

// Event is an accepted request.
type Event struct {
	Timestamp   string          `json:"timestamp"`
	ID          string          `json:"id"`
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
	// Events are the accepted events, oldest first (the last 1,000).
	Events   []Event     `json:"events"`
	Rejected []Rejection `json:"rejected"`
	// Overlaps counts, per subject (see Subject), requests that began
	// while another for the same subject was in progress.
	Overlaps map[string]int `json:"overlaps"`
	// History is, per subject, the accepted events, oldest first: the
	// last ones of each subject, however many events came after them.
	History map[string][]fakekit.Applied `json:"history"`
}

// New returns an empty fake.
func New() *Fake { return &Fake{} }

// FailNext makes the next n requests fail with status, without
// Retry-After.
func (f *Fake) FailNext(n, status int) { f.failNext(n, status, 0) }

// TooManyRequests makes the next n requests answer 429 with Retry-After
// (whole seconds).
func (f *Fake) TooManyRequests(n int, retryAfter time.Duration) {
	f.failNext(n, http.StatusTooManyRequests, retryAfter)
}

func (f *Fake) failNext(n, status int, retryAfter time.Duration) {
	f.mu.Lock()
	f.retryAfter = retryAfter
	f.mu.Unlock()
	f.Faults.FailNext(n, status)
}

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return State{Events: append([]Event{}, f.events...), Rejected: append([]Rejection{}, f.rejected...),
		Overlaps: f.overlaps.Snapshot(), History: f.history.Snapshot()}
}

// DebugState implements the bridge's Debugger.
func (f *Fake) DebugState() any { return f.State() }

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Reading the body first lets the server notice a client that gives up
	// during a Delay.
	body, bodyErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	subject := Subject(body)
	defer f.overlaps.Begin(subject)()
	fail, done := f.Intercept(w, r)
	if done {
		return
	}
	if fail != 0 {
		f.mu.Lock()
		retryAfter := f.retryAfter
		f.mu.Unlock()
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
	f.events = fakekit.AppendBounded(f.events, ev, maxEvents)
	f.history.Record(subject, ev)
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// Subject is the user an event body is about, in lower case: a portal
// user's e-mail, or the out-of-office user as DOMAIN\name, name or
// "id <UserId>" ("" when the event names none: the connected user).
func Subject(body []byte) string {
	var ev struct {
		Params struct {
			User *struct {
				DomainName, UserName *string
				UserId               *int32
			}
			PortalUser *struct{ Email *string }
		}
	}
	if json.Unmarshal(body, &ev) != nil {
		return ""
	}
	s := ""
	switch u, p := ev.Params.User, ev.Params.PortalUser; {
	case p != nil && p.Email != nil:
		s = *p.Email
	case u == nil:
	case u.UserId != nil && *u.UserId != 0:
		s = "id " + strconv.Itoa(int(*u.UserId))
	case u.UserName != nil && u.DomainName != nil && *u.DomainName != "":
		s = *u.DomainName + `\` + *u.UserName
	case u.UserName != nil:
		s = *u.UserName
	}
	return strings.ToLower(s)
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
	// Each missing member gets its own answer, so that a sender sees
	// which one it forgot.
	switch {
	case ev.ID == "":
		return Event{}, errors.New("the event has no id")
	case ev.Operation == "":
		return Event{}, errors.New("the event has no operation")
	case ev.RequestID == "":
		return Event{}, errors.New("the event has no request_id")
	}
	out := Event{ID: ev.ID, Operation: ev.Operation, RequestID: ev.RequestID, Params: ev.Params}
	if ev.OutOfOffice != nil {
		out.OutOfOffice, _ = json.Marshal(ev.OutOfOffice)
	}
	return out, nil
}

func (f *Fake) reject(w http.ResponseWriter, status int, reason string) {
	f.mu.Lock()
	f.rejected = fakekit.AppendBounded(f.rejected, Rejection{Status: status, Reason: reason}, maxEvents)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": reason})
}
