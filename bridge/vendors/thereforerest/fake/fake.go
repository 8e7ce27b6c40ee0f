// Package fake is a faithful stand-in for Therefore's JSON REST twin of
// SaveOutOfOfficeInfoForUser and SavePortalUser. It enforces what the real
// server does (vendors.md, Therefore section): POST to
// /theservice/v0001/restun/<Op> only; HTTP Basic (optionally with a
// connection token and `UseToken: 1`) or Bearer, answering a missing or
// wrong credential with 401 and `WWW-Authenticate: Basic realm=...`, as a
// WCF client expects; the TenantName header (missing -> 500 "Tenant name is
// required"); bodies read strictly as WCF's JSON serializer reads them
// (unknown members -> 400); errors as {"WSError": {...}}. It applies
// Therefore's out-of-office rules to its users, keeps portal users, the
// last body per operation and a log of calls, and can be told to fail.
package fake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/thereforebridge/thereforebridge/bridge/redact"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/fakekit"
)

// Demo credentials; Demo uses the Basic ones and the tenant.
const (
	DemoUser            = "bridge"
	DemoPassword        = "demo-therefore-password"
	DemoConnectionToken = "demo-therefore-connection-token" // Basic password with UseToken: 1
	DemoToken           = "demo-therefore-bearer-token"
	DemoTenant          = "demo"
)

const (
	restPath = "/theservice/v0001/restun/"
	maxCalls = 1000 // calls kept in the log
	maxBody  = 10 << 20
)

// Fake is an http.Handler; start it with httptest.NewServer. FailNext
// makes the next requests fail with a WSError body.
type Fake struct {
	fakekit.Faults

	mu            sync.Mutex
	requireTenant bool
	users         map[string]*user // lower-case key: `corp\jdoe`, `bridge`
	ids           map[int32]string // UserId -> key
	portalUsers   map[string]PortalUser
	lastBodies    map[string][]byte
	calls         []Call
	overlaps      fakekit.Overlaps // by lower-case user name or portal e-mail
	history       fakekit.History  // UserState or PortalUser, keyed as overlaps
}

type user struct {
	name      string // as Therefore shows it: CORP\jdoe
	group     bool
	oof       bool
	delegates []string // keys
}

// New returns a fake seeded with the sample users CORP\jdoe (UserId 101),
// CORP\asmith (102), CORP\bwong (103), the group CORP\sales and the demo
// account the bridge connects as; it requires the demo tenant. The ids 7
// (jdoe) and 42 (asmith) of the embedded demo directory name them too, so
// the demo world agrees with itself.
func New() *Fake {
	f := &Fake{requireTenant: true, users: map[string]*user{}, ids: map[int32]string{},
		portalUsers: map[string]PortalUser{}, lastBodies: map[string][]byte{}}
	for i, n := range []string{`CORP\jdoe`, `CORP\asmith`, `CORP\bwong`} {
		f.users[strings.ToLower(n)] = &user{name: n}
		f.ids[int32(101+i)] = strings.ToLower(n)
	}
	f.ids[7], f.ids[42] = `corp\jdoe`, `corp\asmith`
	f.users[`corp\sales`] = &user{name: `CORP\sales`, group: true}
	f.users[DemoUser] = &user{name: DemoUser}
	return f
}

// RequireTenant sets whether calls must carry TenantName (Therefore Online
// does; an on-premises server does not).
func (f *Fake) RequireTenant(on bool) { f.mu.Lock(); f.requireTenant = on; f.mu.Unlock() }

// LastBody returns the last body received for op, exactly as sent.
func (f *Fake) LastBody(op string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.lastBodies[op]...)
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	call := Call{Operation: strings.TrimPrefix(r.URL.Path, restPath), Tenant: r.Header.Get("TenantName"),
		TimeZone: r.Header.Get("The-Timezone-IANA"), UseToken: r.Header.Get("UseToken") == "1"}
	call.Auth, _ = f.authenticate(r)
	f.serve(rec, r)
	call.Status = rec.status
	f.mu.Lock()
	f.calls = fakekit.AppendBounded(f.calls, call, maxCalls)
	f.mu.Unlock()
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	// Reading the body first lets the server notice a client that gives up
	// during a Delay, so the handler does not outlive it.
	body, bodyErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	defer f.overlaps.Begin(f.subject(body))()
	fail, done := f.Intercept(w, r)
	if done {
		return
	}
	if fail != 0 {
		wsError(w, fail, "InternalError", "injected failure")
		return
	}
	op, ok := strings.CutPrefix(r.URL.Path, restPath)
	if !ok || (op != "SaveOutOfOfficeInfoForUser" && op != "SavePortalUser") {
		wsError(w, http.StatusNotFound, "ObjectNotFound", "no operation at "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		wsError(w, http.StatusMethodNotAllowed, "InvalidArgument", "method "+r.Method+" not allowed; use POST")
		return
	}
	if _, msg := f.authenticate(r); msg != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Therefore"`)
		wsError(w, http.StatusUnauthorized, "AccessDenied", msg)
		return
	}
	f.mu.Lock()
	requireTenant := f.requireTenant
	f.mu.Unlock()
	switch tenant := r.Header.Get("TenantName"); {
	case requireTenant && tenant == "":
		wsError(w, http.StatusInternalServerError, "2684354562", "Tenant name is required")
		return
	case requireTenant && tenant != DemoTenant:
		wsError(w, http.StatusInternalServerError, "ObjectNotFound", fmt.Sprintf("tenant %q does not exist", tenant))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		wsError(w, http.StatusUnsupportedMediaType, "InvalidArgument", fmt.Sprintf("Content-Type %q: expected application/json", ct))
		return
	}
	if bodyErr != nil {
		wsError(w, http.StatusBadRequest, "InvalidArgument", "reading the body: "+bodyErr.Error())
		return
	}
	f.mu.Lock()
	f.lastBodies[op] = body
	f.mu.Unlock()
	var decodeErr error
	var appErr *appError
	if op == "SaveOutOfOfficeInfoForUser" {
		var p oofParams
		if decodeErr = decodeStrict(body, &p); decodeErr == nil {
			appErr = f.saveOOF(&p)
		}
	} else {
		var p portalParams
		if decodeErr = decodeStrict(body, &p); decodeErr == nil {
			appErr = f.savePortalUser(&p)
		}
	}
	switch {
	case decodeErr != nil:
		wsError(w, http.StatusBadRequest, "InvalidArgument", op+": "+decodeErr.Error())
		return
	case appErr != nil:
		wsError(w, http.StatusInternalServerError, appErr.code, appErr.msg)
		return
	}
	w.WriteHeader(http.StatusOK) // both responses are empty
}

// authenticate returns how r authenticated ("basic", "basic+token",
// "bearer"), or a message saying why it did not.
func (f *Fake) authenticate(r *http.Request) (string, string) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case h == "":
		return "", "Authentication required"
	case strings.EqualFold(scheme, "Bearer"):
		if cred == DemoToken {
			return "bearer", ""
		}
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		u, p, _ := strings.Cut(string(raw), ":")
		if err == nil && u == DemoUser {
			if r.Header.Get("UseToken") == "1" && p == DemoConnectionToken {
				return "basic+token", ""
			}
			if r.Header.Get("UseToken") != "1" && p == DemoPassword {
				return "basic", ""
			}
		}
	}
	return "", "Invalid credentials"
}

func wsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"WSError": map[string]any{
		"ErrorCode": -1, "ErrorCodeString": code, "ErrorMessage": msg}})
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack lets DropConnections close the connection under the recorder.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be hijacked")
	}
	return hj.Hijack()
}

// maskSecrets renders body with UserPwd (and any secret-named member)
// masked, numbers kept exact.
func maskSecrets(body []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return json.RawMessage(`"(not JSON)"`)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.Encode(redact.Value(v))
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}

// AddUser adds a user (name as Therefore shows it, e.g. CORP\jdoe) with
// UserId id, so a test can have more users than the three samples.
func (f *Fake) AddUser(name string, id int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[strings.ToLower(name)] = &user{name: name}
	f.ids[id] = strings.ToLower(name)
}
