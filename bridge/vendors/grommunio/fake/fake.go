// Package fake is a faithful stand-in for grommunio's admin API, for the
// adapter's tests and the embedded demo. Every request is checked against
// grommunio's own OpenAPI document (embedded, validated with kin-openapi)
// before it is answered, and every answer is checked against it before it
// is sent. On top of the document it enforces what grommunio does and the
// document does not say (vendors.md and grommunio's sources):
//   - POST /login takes the form fields user and pass and answers
//     {"grommunioAuthJwt", "csrf"}; a wrong login is 401 "Login failed";
//   - every other call needs the cookie grommunioAuthJwt (missing, unknown
//     or expired: 401 {"message":"Access denied","error":...});
//   - every non-GET call needs X-Csrf-Token = base64(SHA3-256(jwt))
//     (missing or wrong: 403 "Access denied: ..."; the status is not
//     documented by grommunio, 403 is its answer to refused permissions);
//   - a request that breaks the document is 400
//     {"message":"Bad Request","errors":[...]};
//   - PUT .../oof with an empty body is 400, and replaces the whole state
//     (omitted fields are reset, null deletes a reply);
//   - PUT .../delegates with an address that is no e-mail answers 200 with
//     a message and changes nothing, as vendors.md warns;
//   - unknown domain or user ids are 404.
//
// It keeps the state of every user (out of office, delegates), counts
// logins and calls, and can be told to fail, delay, drop connections or
// expire its tokens.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha3"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// Demo credentials of the fake's administrator; Demo uses them.
const (
	DemoUser     = "admin"
	DemoPassword = "grommunio-demo-password"
)

// Seeded ids: domain example.com is 1; its users start at 101 so that a
// domain id used as a user id (or the reverse) is a 404, not a silent hit.
const (
	DemoDomainID = 1
	firstUserID  = 101
)

// Fake is the grommunio admin API. It is an http.Handler. FailNext makes
// the next requests (login included) answer in grommunio's error shape;
// 429 and 503 carry Retry-After: 2.
type Fake struct {
	fakekit.Faults

	mu         sync.Mutex
	tokens     map[string]bool // issued JWTs -> still valid
	domains    []*domain
	users      map[int]*user
	nextUser   int
	calls      fakekit.Counts[string] // operationId -> count, logins included
	violations []string
	overlaps   fakekit.Overlaps // by username
	history    fakekit.History  // UserState, by username
}

type domain struct {
	ID   int
	Name string
}

type user struct {
	ID, DomainID int
	Username     string
	oof          map[string]json.RawMessage
	delegates    []string
}

// New returns a fake with domain example.com (id 1) and the users jdoe,
// asmith and bwong @example.com (ids 101, 102, 103).
func New() *Fake {
	if _, err := spec(); err != nil {
		panic(err) // the embedded document is part of the build
	}
	f := &Fake{tokens: map[string]bool{}, users: map[int]*user{}, nextUser: firstUserID}
	f.domains = append(f.domains, &domain{ID: DemoDomainID, Name: "example.com"})
	for _, name := range []string{"jdoe", "asmith", "bwong"} {
		f.AddUser(DemoDomainID, name+"@example.com")
	}
	return f
}

// AddDomain adds a domain and returns its id.
func (f *Fake) AddDomain(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.domains[len(f.domains)-1].ID + 1
	f.domains = append(f.domains, &domain{ID: id, Name: name})
	return id
}

// AddUser adds a user (username is the e-mail address) and returns its id.
func (f *Fake) AddUser(domainID int, username string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := &user{ID: f.nextUser, DomainID: domainID, Username: username,
		oof: map[string]json.RawMessage{"state": json.RawMessage("0"), "externalAudience": json.RawMessage("0")}}
	f.users[u.ID] = u
	f.nextUser++
	return u.ID
}

// ExpireTokens expires every JWT issued so far, as grommunio does after
// about 7 days: the next call with one is 401 "Token has expired".
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for t := range f.tokens {
		f.tokens[t] = false
	}
}

// Logins counts the successful and failed POST /login calls.
func (f *Fake) Logins() int { return f.Calls("postLogin") }

// Calls counts the calls of one operation by its operationId in the
// document (getUserDomains, getUsers, oofSizeLarge, setOofSize,
// getDelegates, putDelegates, postLogin); injected failures are not
// counted.
func (f *Fake) Calls(operationID string) int { return f.calls.Get(operationID) }

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The body is read first so that net/http notices a client that
	// gives up during a Delay (it watches the connection once the body
	// is consumed) and the handler does not outlive it.
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return // the client went away
	}
	defer f.overlaps.Begin(f.subject(r))()
	fail, done := f.Intercept(w, r)
	if done {
		return
	}
	if fail != 0 {
		if fail == http.StatusTooManyRequests || fail == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "2")
		}
		writeJSON(w, fail, errorBody(fail))
		return
	}
	router, _ := spec()
	route, vars, err := router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		writeJSON(w, http.StatusMethodNotAllowed, msg(fmt.Sprintf("Method '%s' not allowed on this endpoint", r.Method)))
		return
	case err != nil:
		writeJSON(w, http.StatusNotFound, msg("Resource not found"))
		return
	}
	f.calls.Add(route.Operation.OperationID)
	in := requestInput(route, vars, r, body, f.authenticate)
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		var ae *authError
		if errors.As(err, &ae) {
			writeJSON(w, ae.status, ae.body)
			return
		}
		writeJSON(w, http.StatusBadRequest, badRequest{"Bad Request", requestErrors(err)})
		return
	}
	status, answer := f.handle(route.Operation.OperationID, &call{r: r, body: body, vars: vars})
	out, err := json.Marshal(answer)
	if err != nil {
		panic(err) // answers are maps and slices built here
	}
	header := http.Header{"Content-Type": {"application/json"}}
	if err := openapi3filter.ValidateResponse(r.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(out)),
		Options: &openapi3filter.Options{MultiError: true},
	}); err != nil {
		f.mu.Lock()
		f.violations = append(f.violations, fmt.Sprintf("%s %s -> %d: %v", r.Method, r.URL.Path, status, err))
		f.mu.Unlock()
		writeJSON(w, http.StatusInternalServerError, msg("The server generated an invalid response."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(out)
}

// subject is the username a request is about: the user of a
// .../users/{userID}/... path ("user <id>" when there is none with that
// id), or the username a user search asks for; "" for other requests.
func (f *Fake) subject(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/domains/")
	parts := strings.Split(rest, "/") // {domainID} users [{userID} ...]
	switch {
	case !ok || len(parts) < 2 || parts[1] != "users":
		return ""
	case len(parts) == 2:
		return r.URL.Query().Get("username")
	}
	id, err := strconv.Atoi(parts[2])
	if err != nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[id]; ok {
		return u.Username
	}
	return "user " + parts[2]
}

// errorBody is grommunio's body for an error status.
func errorBody(status int) any {
	switch status {
	case http.StatusBadRequest:
		return badRequest{"Bad Request", []string{"injected failure"}}
	case http.StatusUnauthorized:
		return map[string]string{"message": "Access denied", "error": "injected failure"}
	case http.StatusForbidden:
		return msg("Access denied: injected failure")
	case http.StatusNotFound:
		return msg("Resource not found")
	case http.StatusServiceUnavailable:
		return msg("Database error.")
	}
	return msg("The server encountered an error while processing the request.")
}

// authenticate is the JWTCookie security requirement, plus the CSRF check
// grommunio makes on every non-GET call.
func (f *Fake) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	c, err := r.Cookie(in.SecurityScheme.Name)
	if err != nil {
		return &authError{http.StatusUnauthorized, map[string]string{"message": "Access denied", "error": "No token provided"}}
	}
	f.mu.Lock()
	valid, known := f.tokens[c.Value]
	f.mu.Unlock()
	switch {
	case !known:
		return &authError{http.StatusUnauthorized, map[string]string{"message": "Access denied", "error": "invalid token"}}
	case !valid:
		return &authError{http.StatusUnauthorized, map[string]string{"message": "Access denied", "error": "Token has expired"}}
	}
	if r.Method != http.MethodGet && r.Header.Get("X-Csrf-Token") != csrfOf(c.Value) {
		return &authError{http.StatusForbidden, msg("Access denied: invalid or missing CSRF token")}
	}
	return nil
}

// csrfOf is grommunio's CSRF token for a JWT: base64(SHA3-256(jwt)).
func csrfOf(jwt string) string {
	sum := sha3.Sum256([]byte(jwt))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// newJWT issues a token shaped like grommunio's RS256 JWT (header, claims,
// signature); the fake only compares it, never verifies it.
func (f *Fake) newJWT(username string) string {
	enc := base64.RawURLEncoding
	sig := make([]byte, 32)
	rand.Read(sig)
	claims, _ := json.Marshal(map[string]any{"usr": username, "exp": time.Now().Add(7 * 24 * time.Hour).Unix()})
	t := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
	f.mu.Lock()
	f.tokens[t] = true
	f.mu.Unlock()
	return t
}

// badRequest is grommunio's 400, message first as Flask writes it.
type badRequest struct {
	Message string   `json:"message"`
	Errors  []string `json:"errors"`
}

func msg(s string) map[string]string { return map[string]string{"message": s} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
