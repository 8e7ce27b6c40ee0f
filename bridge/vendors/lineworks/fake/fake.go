// Package fake is a faithful stand-in for LINE WORKS API 2.0, for the
// adapter's tests and the embedded demo. It serves the token endpoint
// (TokenPath) and the member status API (APIPath + /users/{userId}/
// user-profile-statuses) and enforces what the service does, per
// vendors.md and the POST user-profile-statuses page:
//   - the token endpoint takes the form assertion, grant_type
//     (urn:ietf:params:oauth:grant-type:jwt-bearer), client_id,
//     client_secret and scope; the assertion is an RS256 JWT that must
//     verify with the demo public key, with iss = client id, sub = the
//     service account, exp after now and at most 60 minutes after iat.
//     Errors are OAuth's {"error","error_description"}; the answer carries
//     expires_in as a string of seconds, as LINE WORKS sends it;
//   - every API call needs Authorization: Bearer <token> (missing, unknown
//     or expired: 401 {"code":"UNAUTHORIZED",...}) with a scope that
//     covers it (403 otherwise);
//   - userId is the member id, the e-mail or externalKey:<key>; "me" is
//     refused because a service account has no "me";
//   - bodies are checked against the page: profileStatusId from the
//     allowed list and in use in the domain ("Not used status."),
//     statusMessage at most 50 characters, startTime needs endTime, a
//     scheduled status lies in the future, auto replies at most 300
//     characters, unknown members are 400;
//   - a member has at most one PRESENT and one RESERVED status (a second
//     is 409 CONFLICT, as two writers racing to create one get:
//     RaceNextCreate); DELETE answers 204, then 404;
//   - 240 requests a minute per API operation, with the rateLimit-*
//     headers, and 429 TOO_MANY_REQUESTS with rateLimit-reset (no
//     Retry-After).
//
// Errors use LINE WORKS' {"code","description"} shape. The fake keeps every
// member's statuses, counts token requests and calls, records the API
// requests it was sent, and can be told to fail, delay, drop connections or
// expire its tokens. Codes the page does not name (CONFLICT,
// UNSUPPORTED_MEDIA_TYPE, METHOD_NOT_ALLOWED) are this fake's guesses.
package fake

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// Where the fake serves the token endpoint and the API, below its base URL.
const (
	TokenPath = "/oauth2/v2.0/token"
	APIPath   = "/v1.0"
)

// Fake is LINE WORKS API 2.0. It is an http.Handler. FailNext makes the
// next API requests answer in LINE WORKS' error shape (a 429 carries
// rateLimit-reset); token requests are not affected: see FailNextToken.
// DropConnections and Delay apply to token and API requests alike.
type Fake struct {
	fakekit.Faults
	tokenFailures fakekit.Failures

	mu         sync.Mutex
	now        func() time.Time
	pub        *rsa.PublicKey
	tokens     map[string]*grant
	tokenTTL   time.Duration
	users      []*user
	nextStatus int
	inUse      map[string]bool // profileStatusIds the domain uses
	statusesOn bool            // the domain has member statuses enabled
	// races are, per member id, the bodies another writer's POST stores
	// just before the next POST for that member is handled.
	races map[string][]byte

	limit   int
	window  time.Duration
	windows map[string]*rateWindow // per API operation

	tokenRequests, tokensIssued, unauthorized int
	calls                                     fakekit.Counts[string] // per API operation
	requests                                  []Request
	overlaps                                  fakekit.Overlaps // by member id
	history                                   fakekit.History  // statuses, by member id
}

type grant struct {
	expires time.Time
	scopes  map[string]bool
}

type user struct {
	ID, Email, ExternalKey string
	statuses               []*Status
}

type rateWindow struct {
	start time.Time
	count int
}

// Request is one API request the fake received (token requests excluded),
// as sent: method, escaped path and body.
type Request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// maxRequests bounds the recorded requests.
const maxRequests = 1000

// New returns a fake with the members jdoe, asmith and bwong @example.com
// (external keys EMP-1001..EMP-1003), tokens valid for 24 hours as LINE
// WORKS issues them, and the statuses BUSY, AWAY, LEAVE_OFFICE and ABSENCE
// in use (the CUSTOM ones are not, until UseStatus).
func New() *Fake {
	block, _ := pem.Decode([]byte(DemoPublicKeyPEM))
	if block == nil {
		panic("lineworks fake: the demo public key is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		panic("lineworks fake: the demo public key: " + err.Error())
	}
	f := &Fake{now: time.Now, pub: pub.(*rsa.PublicKey), tokens: map[string]*grant{}, tokenTTL: 24 * time.Hour,
		inUse: map[string]bool{}, statusesOn: true, limit: 240, window: time.Minute,
		windows: map[string]*rateWindow{}, races: map[string][]byte{}}
	for _, id := range []string{"BUSY", "AWAY", "LEAVE_OFFICE", "ABSENCE"} {
		f.inUse[id] = true
	}
	for i, name := range []string{"jdoe", "asmith", "bwong"} {
		f.AddUser(name+"@example.com", fmt.Sprintf("EMP-%d", 1001+i))
	}
	return f
}

// AddUser adds a member and returns its id.
func (f *Fake) AddUser(email, externalKey string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("userf7da-f82c-4284-13e7-%012d", len(f.users)+1)
	f.users = append(f.users, &user{ID: id, Email: email, ExternalKey: externalKey})
	return id
}

// AddStatus gives a member a PRESENT status of their own, as if they had
// set it in the app, and returns its id; "" when the member is unknown.
func (f *Fake) AddStatus(userID, profileStatusID, message string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.findUser(userID)
	if u == nil {
		return ""
	}
	s := newStatus(profileStatusID, &message, nil, nil, nil, "PRESENT")
	f.add(u, s)
	return s.UserProfileStatusID
}

// RaceNextCreate makes the next POST for the member lose a race, as two
// writers setting a status at the same moment do (two bridge replicas, or
// the member in the app): just before that POST is handled, another POST
// of body is stored for the member, so the one handled answers 409 when
// both are PRESENT statuses. An empty body races the POST with its own
// body, as a second writer of the same state would.
func (f *Fake) RaceNextCreate(userID, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.findUser(userID); u != nil {
		f.races[u.ID] = []byte(body)
	}
}

// SetNow replaces the fake's clock (token and assertion expiry, rate
// windows, scheduled statuses).
func (f *Fake) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// SetTokenLifetime sets the lifetime of the tokens issued from now on.
func (f *Fake) SetTokenLifetime(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenTTL = d
}

// SetRateLimit allows n requests per window for each API operation.
func (f *Fake) SetRateLimit(n int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.window, f.windows = n, window, map[string]*rateWindow{}
}

// UseStatus sets whether the domain uses a profileStatusId.
func (f *Fake) UseStatus(profileStatusID string, inUse bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inUse[profileStatusID] = inUse
}

// EnableStatuses turns the domain's member statuses on or off.
func (f *Fake) EnableStatuses(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statusesOn = on
}

// ExpireTokens expires every token issued so far: the next API call with
// one is 401.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.tokens {
		g.expires = f.now().Add(-time.Second)
	}
}

// FailNextToken makes the next n token requests answer status in OAuth's
// error shape.
func (f *Fake) FailNextToken(n, status int) { f.tokenFailures.FailNext(n, status) }

// TokenRequests counts the requests to the token endpoint, failed or not.
func (f *Fake) TokenRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenRequests
}

// Tokens returns every access token issued, for tests that prove none
// leaks; State never shows them.
func (f *Fake) Tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.tokens))
	for t := range f.tokens {
		out = append(out, t)
	}
	return out
}

// Requests returns the API requests received, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// State is a JSON-able snapshot of the fake.
type State struct {
	Users         []UserState    `json:"users"`
	TokenRequests int            `json:"token_requests"`
	TokensIssued  int            `json:"tokens_issued"`
	Unauthorized  int            `json:"unauthorized"` // API calls refused with 401
	Calls         map[string]int `json:"calls"`        // per API operation
	// Overlaps counts, per member id, API requests that began while
	// another for the same member was in progress.
	Overlaps map[string]int `json:"overlaps"`
	// History is, per subject (keyed as in Overlaps), the member's
	// statuses after each change, oldest first.
	History map[string][]fakekit.Applied `json:"history"`
}

// UserState is one member with their statuses.
type UserState struct {
	UserID      string   `json:"userId"`
	Email       string   `json:"email"`
	ExternalKey string   `json:"externalKey"`
	Statuses    []Status `json:"statuses"`
}

// State returns a snapshot.
func (f *Fake) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := State{Users: []UserState{}, TokenRequests: f.tokenRequests, TokensIssued: f.tokensIssued,
		Unauthorized: f.unauthorized, Calls: f.calls.Snapshot(), Overlaps: f.overlaps.Snapshot(),
		History: f.history.Snapshot()}
	for _, u := range f.users {
		s.Users = append(s.Users, UserState{UserID: u.ID, Email: u.Email, ExternalKey: u.ExternalKey, Statuses: u.copyStatuses()})
	}
	return s
}

// DebugState implements the bridge's debug endpoint.
func (f *Fake) DebugState() any { return f.State() }

// Statuses returns a member's statuses (by id, e-mail or externalKey:),
// nil when the member is unknown.
func (f *Fake) Statuses(userID string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.findUser(userID)
	if u == nil {
		return nil
	}
	return u.copyStatuses()
}

// copyStatuses copies u's statuses; f.mu is held. A stored status is
// replaced, never changed in place, so a shallow copy stays true.
func (u *user) copyStatuses() []Status {
	out := []Status{}
	for _, s := range u.statuses {
		out = append(out, *s)
	}
	return out
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, ok := fakekit.ReadBody(r) // first: see ReadBody
	if !ok {
		return // the client went away
	}
	defer f.overlaps.Begin(f.subject(r))()
	if f.Hold(w, r) { // FailNext is taken by serveAPI only
		return
	}
	switch path := r.URL.EscapedPath(); {
	case path == TokenPath:
		f.serveToken(w, r)
	case strings.HasPrefix(path, APIPath+"/"):
		f.serveAPI(w, r)
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested URL is not supported.")
	}
}

// subject is the member an API request is about, by member id (the
// userId of the path when no member has it); "" for other requests.
func (f *Fake) subject(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), APIPath+"/users/")
	seg, _, _ := strings.Cut(rest, "/")
	id, err := url.PathUnescape(seg)
	if !ok || err != nil || id == "" {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.findUser(id); u != nil {
		return u.ID
	}
	return id
}

// writeError writes LINE WORKS' error shape.
func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"code": code, "description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// codeFor names an injected failure's status the way LINE WORKS would.
func codeFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_PARAMETER"
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "CONFLICT"
	case http.StatusTooManyRequests:
		return "TOO_MANY_REQUESTS"
	case http.StatusServiceUnavailable:
		return "SERVICE_UNAVAILABLE"
	}
	if status >= 500 {
		return "INTERNAL_SERVER_ERROR"
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
