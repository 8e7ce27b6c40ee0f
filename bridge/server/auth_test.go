package server_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// capture records the calls it gets.
type capture struct {
	mu    sync.Mutex
	calls []*fanout.Call
}

func (c *capture) Name() string      { return "capture" }
func (c *capture) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (c *capture) Deliver(_ context.Context, call *fanout.Call) fanout.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
	return fanout.Result{Status: fanout.OK}
}

func authServer(t *testing.T, publicWSDL bool) (http.Handler, *capture) {
	t.Helper()
	// The lowest bcrypt cost: these tests compare answers and count, they
	// do not time, and 20 checks at once must not queue past max_hash_wait
	// on a busy machine under -race.
	h, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Auth = config.Auth{Realm: "thereforebridge", PublicWSDL: publicWSDL, ReplayWindow: config.Duration(5 * time.Minute),
		MaxHashWait: config.Duration(time.Minute),
		FailureRate: 0.001, FailureBurst: 5, // no refill while a test runs, however slow the machine
		Callers: []config.Caller{{Name: "jdoe", PasswordHash: string(h), DigestSecret: config.NewSecret("s3cret")}}}
	c := &capture{}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: c, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler(), c
}

// nilUserOOF is a SOAP 1.1 call for the connected user, with an optional
// WS-Security header.
func nilUserOOF(security string) []byte {
	return []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>` + security + `</s:Header><s:Body>` +
		`<SaveOutOfOfficeInfoForUser xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types">` +
		`<a:IsOutOfOfficeEnabled>true</a:IsOutOfOfficeEnabled></parameters></SaveOutOfOfficeInfoForUser></s:Body></s:Envelope>`)
}

func wsse(user, pw, typ, nonce, created string) string {
	return `<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` +
		`<wsse:UsernameToken><wsse:Username>` + user + `</wsse:Username><wsse:Password Type="` + typ + `">` + pw + `</wsse:Password>` +
		`<wsse:Nonce>` + nonce + `</wsse:Nonce><wsu:Created>` + created + `</wsu:Created></wsse:UsernameToken></wsse:Security>`
}

func send(h http.Handler, body []byte, setAuth func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"http://schemas.therefore.net/webservices/interop/v0001/messages/IThereforeService/SaveOutOfOfficeInfoForUser"`)
	if setAuth != nil {
		setAuth(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestInboundAuth(t *testing.T) {
	h, c := authServer(t, false)
	now := time.Now().UTC()
	created := now.Format(time.RFC3339)
	nonce := []byte("unique-nonce-1")
	sum := sha1.Sum(append(append(append([]byte(nil), nonce...), created...), "s3cret"...))
	digest := base64.StdEncoding.EncodeToString(sum[:])
	n64 := base64.StdEncoding.EncodeToString(nonce)
	tests := []struct {
		name     string
		body     []byte
		setAuth  func(*http.Request)
		status   int
		contains string
	}{
		{"no credentials: the Basic challenge", nilUserOOF(""), nil, 401, "authentication required"},
		{"no credentials, broken body: the challenge first", []byte("<s:Envelope"), nil, 401, "authentication required"},
		{"Basic ok", nilUserOOF(""), func(r *http.Request) { r.SetBasicAuth("jdoe", "s3cret") }, 200, "SaveOutOfOfficeInfoForUserResult"},
		{"Basic wrong password", nilUserOOF(""), func(r *http.Request) { r.SetBasicAuth("jdoe", "nope") }, 401, "authentication failed"},
		{"Basic unknown user", nilUserOOF(""), func(r *http.Request) { r.SetBasicAuth("mallory", "s3cret") }, 401, "authentication failed"},
		{"WS-Security PasswordText ok", nilUserOOF(wsse("jdoe", "s3cret", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText", "", "")), nil, 200, "SaveOutOfOfficeInfoForUserResult"},
		{"WS-Security PasswordDigest ok", nilUserOOF(wsse("jdoe", digest, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest", n64, created)), nil, 200, "SaveOutOfOfficeInfoForUserResult"},
		{"WS-Security replayed digest", nilUserOOF(wsse("jdoe", digest, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest", n64, created)), nil, 500, `<faultcode xmlns:a="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">a:FailedAuthentication</faultcode>`},
		{"WS-Security wrong password", nilUserOOF(wsse("jdoe", "nope", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText", "", "")), nil, 500, "a:FailedAuthentication"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := send(h, tc.body, tc.setAuth)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Fatalf("%d %s; want %d with %q", rec.Code, rec.Body, tc.status, tc.contains)
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") != `Basic realm="thereforebridge", charset="UTF-8"` {
				t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
	// The connected user of the accepted call is the authenticated caller;
	// the two accepted calls that repeat it (same caller, same body,
	// nothing changed since) are a client's retries, not new changes.
	if len(c.calls) != 1 {
		t.Fatalf("%d calls reached the vendor, want 1", len(c.calls))
	}
	for _, call := range c.calls {
		if u := call.OutOfOffice.User; !u.Connected || u.Caller != "jdoe" {
			t.Errorf("connected user %+v, want the caller jdoe", u)
		}
	}
}

// TestBasicInWindows1252: HTTP Basic credentials are taken in UTF-8, as the
// challenge asks, and in Windows-1252, in which .NET Framework (under WCF
// clients on Windows) sends them whatever the challenge says.
func TestBasicInWindows1252(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("Grüße-2026"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Auth = config.Auth{Realm: "thereforebridge", Callers: []config.Caller{{Name: "jürgen", PasswordHash: string(h)}}}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: &capture{}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	basic := func(credentials []byte) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(credentials))
		}
	}
	cp1252 := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name        string
		credentials []byte
		status      int
	}{
		{"UTF-8", []byte("jürgen:Grüße-2026"), 200},
		{"Windows-1252", cp1252("jürgen:Grüße-2026"), 200},
		{"Windows-1252, wrong password", cp1252("jürgen:Grüsse-2026"), 401},
	} {
		if rec := send(srv.Handler(), nilUserOOF(""), basic(tc.credentials)); rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %.300s", tc.name, rec.Code, tc.status, rec.Body)
		}
	}
}

// TestTokenInUTF16: a UTF-16 call whose only credential is a UsernameToken
// is read and its token checked, not challenged as anonymous.
func TestTokenInUTF16(t *testing.T) {
	h, c := authServer(t, false)
	body := nilUserOOF(wsse("jdoe", "s3cret", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText", "", ""))
	for _, tc := range []struct {
		charset string
		order   unicode.Endianness
	}{{"utf-16le", unicode.LittleEndian}, {"utf-16be", unicode.BigEndian}} {
		wide, err := unicode.UTF16(tc.order, unicode.IgnoreBOM).NewEncoder().Bytes(body)
		if err != nil {
			t.Fatal(err)
		}
		rec := send(h, wide, func(r *http.Request) { r.Header.Set("Content-Type", "text/xml; charset="+tc.charset) })
		if rec.Code != 200 {
			t.Errorf("%s: status %d: %.300s", tc.charset, rec.Code, rec.Body)
		}
	}
	if len(c.calls) != 1 { // the second is the first's retry
		t.Errorf("%d calls reached the vendor, want 1", len(c.calls))
	}
}

// TestUnknownUserAndWrongPasswordIndistinguishable runs both failures
// concurrently and compares everything a client can see.
func TestUnknownUserAndWrongPasswordIndistinguishable(t *testing.T) {
	h, _ := authServer(t, false)
	var wg sync.WaitGroup
	answers := make([]string, 20)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := "jdoe"
			if i%2 == 1 {
				user = "nobody"
			}
			rec := send(h, nilUserOOF(""), func(r *http.Request) {
				r.SetBasicAuth(user, "wrong")
				r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", i+1) // each its own address: no throttling
			})
			hdr := rec.Header().Clone()
			hdr.Del("X-Request-Id")
			var b strings.Builder
			hdr.Write(&b)
			answers[i] = rec.Result().Status + "\n" + b.String() + rec.Body.String()
		}()
	}
	wg.Wait()
	for i := 1; i < len(answers); i++ {
		if answers[i] != answers[0] {
			t.Fatalf("answers differ:\n%s\n---\n%s", answers[0], answers[i])
		}
	}
}

func TestWSDLAuth(t *testing.T) {
	for _, public := range []bool{false, true} {
		h, _ := authServer(t, public)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, endpoint+"?wsdl", nil))
		want := 401
		if public {
			want = 200
		}
		if rec.Code != want {
			t.Errorf("public=%v: ?wsdl without credentials: %d, want %d", public, rec.Code, want)
		}
		req := httptest.NewRequest(http.MethodGet, endpoint+"?wsdl", nil)
		req.SetBasicAuth("jdoe", "s3cret")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("public=%v: ?wsdl with credentials: %d", public, rec.Code)
		}
	}
}

func TestRefusesToStartWithoutCallers(t *testing.T) {
	_, err := config.Parse([]byte("listen: 127.0.0.1:1\n"), "x.yaml")
	if err == nil || !strings.Contains(err.Error(), "x.yaml: auth.callers: no callers are configured") {
		t.Fatalf("err = %v", err)
	}
}

// TestFailureThrottle: wrong credentials from one address for one user are
// answered 429 with Retry-After once the burst is spent, while the
// credential-less first request WCF sends still gets its 401 challenge and
// a credential already verified still gets in.
func TestFailureThrottle(t *testing.T) {
	h, c := authServer(t, false)
	from := func(addr, user, pw string) func(*http.Request) {
		return func(r *http.Request) {
			r.RemoteAddr = addr + ":4321"
			if user != "" {
				r.SetBasicAuth(user, pw)
			}
		}
	}
	if rec := send(h, nilUserOOF(""), from("198.51.100.1", "jdoe", "s3cret")); rec.Code != 200 {
		t.Fatalf("good credential: %d %s", rec.Code, rec.Body)
	}
	// The burst is 5 checks, and the good one took one.
	for i := range 4 {
		if rec := send(h, nilUserOOF(""), from("198.51.100.1", "jdoe", "wrong")); rec.Code != 401 {
			t.Fatalf("failure %d within the burst: %d, want 401", i+1, rec.Code)
		}
	}
	rec := send(h, nilUserOOF(""), from("198.51.100.1", "jdoe", "wrong"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "too many failed sign-ins") {
		t.Fatalf("after the burst: %d Retry-After=%q %s; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	for _, tc := range []struct {
		name         string
		setAuth      func(*http.Request)
		status       int
		contains     string
		wantVendorOK bool
	}{
		{"credential-less first request: the challenge, not 429", from("198.51.100.1", "", ""), 401, "authentication required", false},
		{"the verified credential, same address and user", from("198.51.100.1", "jdoe", "s3cret"), 200, "SaveOutOfOfficeInfoForUserResult", true},
		{"the same user from another address", from("198.51.100.2", "jdoe", "wrong"), 401, "authentication failed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := send(h, nilUserOOF(""), tc.setAuth); rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Fatalf("%d %s; want %d with %q", rec.Code, rec.Body, tc.status, tc.contains)
			}
		})
	}
	// Only the good credential's calls are accepted; the second repeats the
	// first (same caller, same body), a retry rather than a new change.
	if len(c.calls) != 1 {
		t.Errorf("%d calls reached the vendor, want 1: the good credential's", len(c.calls))
	}
}
