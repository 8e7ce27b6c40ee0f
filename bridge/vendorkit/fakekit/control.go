package fakekit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Fault is the body of a POST to ControlHandler: the faults to inject.
// Each member given replaces that kind of fault; the others stay.
type Fault struct {
	// Status fails requests with this HTTP status (400-599), in the
	// vendor's error shape: the next Count requests, every request for
	// the duration For, or, with neither, every request until DELETE.
	Status int    `json:"status,omitempty"`
	Count  int    `json:"count,omitempty"`
	For    string `json:"for,omitempty"`
	// Delay holds every request this long (a Go duration, "2s") before
	// it is answered, until DELETE; "0s" ends it.
	Delay string `json:"delay,omitempty"`
	// Hang holds every request until DELETE (or until its client gives
	// up); released requests are then answered as usual.
	Hang bool `json:"hang,omitempty"`
	// Drop closes the connection of the next Drop requests unanswered.
	Drop int `json:"drop,omitempty"`
}

// Active is what ControlHandler shows: the faults in force and what they
// did so far.
type Active struct {
	// Status is the status injected failures answer (0: none pending);
	// Count is how many requests it still fails, Until until when
	// (RFC 3339); with neither, it fails until cleared.
	Status int    `json:"status,omitempty"`
	Count  int    `json:"count,omitempty"`
	Until  string `json:"until,omitempty"`
	Delay  string `json:"delay,omitempty"`
	Hang   bool   `json:"hang"`
	// Hung is the number of requests held by the hang right now.
	Hung int `json:"hung"`
	// Drop is the number of connections still to drop.
	Drop int `json:"drop,omitempty"`
	// Injected counts the requests failed or dropped so far (cleared
	// faults included).
	Injected int `json:"injected"`
}

// Active returns the faults in force.
func (f *Faults) Active() Active {
	var a Active
	f.failing(&a)
	f.mu.Lock()
	defer f.mu.Unlock()
	a.Hang, a.Hung, a.Drop = f.hang != nil, f.hung, f.drop
	a.Injected += f.dropped
	if f.delay > 0 {
		a.Delay = f.delay.String()
	}
	return a
}

// Inject applies a Fault; an error names the member that is wrong and
// nothing is applied.
func (f *Faults) Inject(in Fault) error {
	var forD, delay time.Duration
	var err error
	switch {
	case in.Status == 0 && (in.Count != 0 || in.For != ""):
		return errors.New("count and for go with status")
	case in.Status == 0 && in.Delay == "" && !in.Hang && in.Drop == 0:
		return errors.New(`nothing to inject: give status (with count or for), delay, hang or drop`)
	case in.Status != 0 && (in.Status < 400 || in.Status > 599):
		return fmt.Errorf("status: %d is not an error status (400-599)", in.Status)
	case in.Count != 0 && in.For != "":
		return errors.New("count and for: give one of them")
	case in.Count < 0:
		return fmt.Errorf("count: %d is negative", in.Count)
	case in.Drop < 0:
		return fmt.Errorf("drop: %d is negative", in.Drop)
	}
	if forD, err = duration("for", in.For); err != nil {
		return err
	}
	if in.For != "" && forD == 0 {
		return errors.New("for: must be more than 0s")
	}
	if delay, err = duration("delay", in.Delay); err != nil {
		return err
	}
	switch {
	case in.Count > 0:
		f.FailNext(in.Count, in.Status)
	case in.Status != 0:
		f.FailFor(forD, in.Status) // forD 0: until cleared
	}
	if in.Delay != "" {
		f.Delay(delay)
	}
	if in.Hang {
		f.Hang()
	}
	if in.Drop > 0 {
		f.DropConnections(in.Drop)
	}
	return nil
}

func duration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: %q is not a duration such as 2s or 1m30s", field, s)
	}
	return d, nil
}

// ControlHandler is the HTTP face of f: GET shows the Active faults, POST
// a JSON Fault injects it, DELETE clears every fault (releasing hung
// requests). POST and DELETE answer the faults then in force.
func (f *Faults) ControlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			in, err := decodeFault(r.Body)
			if err == nil {
				err = f.Inject(in)
			}
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		case http.MethodDelete:
			f.Clear()
		default:
			w.Header().Set("Allow", "GET, POST, DELETE")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
			return
		}
		writeJSON(w, http.StatusOK, f.Active())
	})
}

// decodeFault reads one Fault strictly: an unknown member is a typo that
// would otherwise inject nothing.
func decodeFault(body io.Reader) (Fault, error) {
	b, err := io.ReadAll(io.LimitReader(body, 1<<16))
	if err != nil {
		return Fault{}, fmt.Errorf("reading the body: %v", err)
	}
	var in Fault
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Fault{}, fmt.Errorf(`the body is not a fault such as {"status":503,"count":3}: %v`, err)
	}
	if dec.More() {
		return Fault{}, errors.New("the body holds more than one JSON value")
	}
	return in, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
