// Package fake is a faithful stand-in for the part of the SuperOffice
// WebAPI the bridge uses (../shared/reference/vendors.md, SuperOffice, and
// superoffice-put-user-presence-status.txt), for tests and the embedded
// demo. It serves, under /api/v1:
//
//	GET /User/{userName}                     the user, with its AssociateId
//	GET /User/{associateId}                  the same, by id
//	GET /User/{associateId}/UserPresenceStatus
//	PUT /User/{associateId}/UserPresenceStatus  {"Status": <enum name>, "Message": "..."}
//
// It enforces one auth mode chosen at creation (Basic, SOTicket, or Bearer
// plus SO-AppToken), answers every error with SuperOffice's JSON shape
// {"Error": true, "ErrorType", "ErrorMessage", "ErrorSource"}, rate limits
// (the limit is unconfirmed by SuperOffice: 10 requests/s by default, 429
// with Retry-After), keeps each associate's presence status, and can be
// told to fail.
//
// It is deliberately stricter than SuperOffice in one way: a presence body
// may hold only Status and Message (SuperOffice ignores other members), so
// that an adapter sending anything else is caught.
package fake

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// Demo credentials: Demo configures the Basic ones.
const (
	DemoUser     = "bridge"
	DemoPassword = "demo-Passw0rd"
	DemoTicket   = "7T:ZGVtby1zb3RpY2tldA=="
	DemoToken    = "8A:demo-bearer-token"
	DemoAppToken = "demo-app-token-0001"
)

// DefaultRateLimit is the requests per second the fake accepts before it
// answers 429 (vendors.md: plan for about 10 requests/s per tenant).
const DefaultRateLimit = 10

// AuthMode is the one authentication scheme a fake accepts.
type AuthMode string

// Auth modes.
const (
	AuthBasic    AuthMode = "basic"    // Authorization: Basic base64(user:password), onsite
	AuthSOTicket AuthMode = "soticket" // Authorization: SOTicket <ticket>
	AuthBearer   AuthMode = "bearer"   // Authorization: Bearer <token> and SO-AppToken, Online
)

// userStatuses is SuperOffice's UserStatus enum, by name. The fake keeps
// its own copy rather than sharing the adapter's, so that it checks the
// adapter instead of agreeing with it.
var userStatuses = map[string]int{
	"StatusNone": 0, "StatusNormal": 1, "StatusNotAvailable": 2, "StatusDeleted": 3,
	"StatusReadOnly": 4, "StatusSpm": 5, "StatusSystem": 127,
}

// Associate is one SuperOffice user and its presence status.
type Associate struct {
	AssociateID int    `json:"AssociateId"`
	UserName    string `json:"UserName"` // login name, what GET /User/{userName} matches
	FullName    string `json:"FullName"`
	Email       string `json:"Email"`
	Status      string `json:"Status"`
	Message     string `json:"Message"`
}

// State is a snapshot of the fake, for tests and /debug.
type State struct {
	Auth       AuthMode    `json:"auth"`
	Associates []Associate `json:"associates"` // by AssociateId
	// Requests counts requests that passed authentication, by route
	// ("GET User/{userName}", "PUT User/{associateId}/UserPresenceStatus").
	Requests map[string]int `json:"requests"`
	// Rejected counts requests answered with an error, by HTTP status.
	Rejected map[int]int `json:"rejected"`
	// Overlaps counts, per associate id, requests that began while
	// another for the same associate was in progress.
	Overlaps map[string]int `json:"overlaps"`
	// History is, per associate id, the associate after each presence
	// change, oldest first.
	History map[string][]fakekit.Applied `json:"history"`
}

// Fake is the SuperOffice fake; it is an http.Handler. FailNext makes the
// next requests answer SuperOffice's error shape; a 429 carries
// Retry-After: 1.
type Fake struct {
	fakekit.Faults
	mode AuthMode

	mu         sync.Mutex
	associates map[int]*Associate
	requests   fakekit.Counts[string]
	rejected   fakekit.Counts[int]
	overlaps   fakekit.Overlaps // by associate id
	history    fakekit.History  // Associate, by associate id
	expired    bool             // the configured credentials are no longer accepted
	rateLimit  int              // requests per second; 0: none
	window     []time.Time      // arrivals within the last second
	now        func() time.Time
}

// New returns a fake with the demo's auth mode (Basic) and the sample
// associates jdoe (17), asmith (18) and bwong (19).
func New() *Fake { return NewWithAuth(AuthBasic) }

// NewWithAuth returns a fake that accepts only mode, with the demo
// credentials of that mode.
func NewWithAuth(mode AuthMode) *Fake {
	f := &Fake{mode: mode, associates: map[int]*Associate{}, rateLimit: DefaultRateLimit, now: time.Now}
	for _, a := range []Associate{
		{AssociateID: 17, UserName: "jdoe", FullName: "John Doe", Email: "jdoe@example.com"},
		{AssociateID: 18, UserName: "asmith", FullName: "Anna Smith", Email: "asmith@example.com"},
		{AssociateID: 19, UserName: "bwong", FullName: "Ben Wong", Email: "bwong@example.com"},
	} {
		a.Status = "StatusNormal"
		f.associates[a.AssociateID] = &a
	}
	return f
}

// SetRateLimit sets the requests per second accepted before 429 (0: no
// limit).
func (f *Fake) SetRateLimit(perSecond int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rateLimit, f.window = perSecond, nil
}

// SetClock replaces the fake's clock (the rate limit's window), so tests
// need not depend on wall time.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// ExpireCredentials makes the fake reject its credentials from now on, as
// SuperOffice does once a ticket expires or a password is changed.
func (f *Fake) ExpireCredentials() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expired = true
}

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := State{Auth: f.mode, Requests: f.requests.Snapshot(), Rejected: f.rejected.Snapshot(), Overlaps: f.overlaps.Snapshot(),
		History: f.history.Snapshot()}
	for _, a := range f.associates {
		s.Associates = append(s.Associates, *a)
	}
	sort.Slice(s.Associates, func(i, j int) bool { return s.Associates[i].AssociateID < s.Associates[j].AssociateID })
	return s
}

// DebugState implements the bridge's /debug/vendors view.
func (f *Fake) DebugState() any { return f.State() }

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, ok := fakekit.ReadBody(r) // first: see ReadBody
	if !ok {
		return // the client went away
	}
	defer f.overlaps.Begin(f.subject(r))()
	fail, done := f.Intercept(w, r)
	if done {
		return
	}
	if fail != 0 {
		if fail == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		f.fail(w, fail, "SoException", "injected failure")
		return
	}
	if wait, limited := f.limit(); limited {
		w.Header().Set("Retry-After", wait)
		f.fail(w, http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded: more than the allowed requests per second")
		return
	}
	if msg := f.authenticate(r); msg != "" {
		f.challenge(w)
		f.fail(w, http.StatusUnauthorized, "UnauthorizedAccessException", msg)
		return
	}
	f.route(w, r)
}

// limit records an arrival and reports whether it is over the limit, with
// the Retry-After value (whole seconds until the oldest arrival leaves the
// one-second window).
func (f *Fake) limit() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rateLimit <= 0 {
		return "", false
	}
	now := f.now()
	keep := f.window[:0]
	for _, t := range f.window {
		if now.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	f.window = keep
	if len(f.window) >= f.rateLimit {
		return "1", true // the window is one second long
	}
	f.window = append(f.window, now)
	return "", false
}

// authenticate returns "" when r carries the mode's valid credentials,
// else why not.
func (f *Fake) authenticate(r *http.Request) string {
	f.mu.Lock()
	expired := f.expired
	f.mu.Unlock()
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	if h == "" {
		return "Authorization header missing"
	}
	var ok bool
	switch f.mode {
	case AuthBasic:
		user, pass, isBasic := r.BasicAuth()
		if !isBasic {
			return "Authorization scheme " + scheme + " is not accepted here; use Basic"
		}
		ok = user == DemoUser && pass == DemoPassword
	case AuthSOTicket:
		if !strings.EqualFold(scheme, "SOTicket") {
			return "Authorization scheme " + scheme + " is not accepted here; use SOTicket"
		}
		ok = strings.TrimSpace(cred) == DemoTicket
	case AuthBearer:
		if !strings.EqualFold(scheme, "Bearer") {
			return "Authorization scheme " + scheme + " is not accepted here; use Bearer"
		}
		if r.Header.Get("SO-AppToken") != DemoAppToken {
			return "SO-AppToken missing or not valid for this tenant"
		}
		ok = strings.TrimSpace(cred) == DemoToken
	}
	switch {
	case !ok:
		return "invalid credentials"
	case expired:
		return "credentials expired"
	}
	return ""
}

func (f *Fake) challenge(w http.ResponseWriter) {
	switch f.mode {
	case AuthBasic:
		w.Header().Set("WWW-Authenticate", `Basic realm="SuperOffice"`)
	case AuthSOTicket:
		w.Header().Set("WWW-Authenticate", "SOTicket")
	case AuthBearer:
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
}

// AddAssociate adds an associate (status normal) and returns its id, so a
// test can have more users than the three samples.
func (f *Fake) AddAssociate(userName, fullName, email string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := 1
	for k := range f.associates {
		id = max(id, k+1)
	}
	f.associates[id] = &Associate{AssociateID: id, UserName: userName, FullName: fullName, Email: email, Status: "StatusNormal"}
	return id
}
