package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/encoding/unicode"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

const actionBase = "http://schemas.therefore.net/webservices/interop/v0001/messages/IThereforeService/"

// recordingUpstream wraps an upstream handler and keeps the last request
// (headers and body bytes) and response body bytes it saw.
type recordingUpstream struct {
	h        http.Handler
	mu       sync.Mutex
	header   http.Header
	body     []byte
	response []byte
}

func (u *recordingUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rw := &teeWriter{ResponseWriter: w}
	if r.Method == http.MethodPost {
		u.mu.Lock()
		u.header, u.body = r.Header.Clone(), body
		u.mu.Unlock()
	}
	u.h.ServeHTTP(rw, r)
	if r.Method == http.MethodPost {
		u.mu.Lock()
		u.response = rw.buf.Bytes()
		u.mu.Unlock()
	}
}

func (u *recordingUpstream) last() (http.Header, []byte, []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.header, u.body, u.response
}

type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// passServer runs the bridge, with caller jdoe / s3cret, in front of
// upstream; mutate adjusts the configuration.
func passServer(t *testing.T, upstream http.Handler, mutate func(*config.Config)) (*httptest.Server, *capture) {
	t.Helper()
	return passServerLogging(t, upstream, mutate, t.Output())
}

// passServerLogging is passServer with the HTTP server's own log (its
// recovered panics, among others) written to errorLog.
func passServerLogging(t *testing.T, upstream http.Handler, mutate func(*config.Config), errorLog io.Writer) (*httptest.Server, *capture) {
	t.Helper()
	cfg := config.Default()
	cfg.Auth = config.Auth{Realm: "thereforebridge", ReplayWindow: config.Duration(5 * time.Minute),
		Callers: []config.Caller{{Name: "jdoe", PasswordHash: cheapHash(t, "s3cret"), DigestSecret: config.NewSecret("s3cret")}}}
	if upstream != nil {
		up := httptest.NewServer(upstream)
		t.Cleanup(up.Close)
		cfg.Upstream.URL = up.URL + fake.SOAPPath
		cfg.Upstream.WSDLURL = cfg.Upstream.URL + "?singleWsdl"
	}
	if mutate != nil {
		mutate(cfg)
	}
	c := &capture{}
	cfg.Delivery.Store = config.NewStoreRef("sqlite::memory:")
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: c, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.ErrorLog = log.New(errorLog, "", 0)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, c
}

// cheapHash is a bcrypt hash at the lowest cost: these tests are about
// routing, and every call verifies its caller's password (slow under -race
// at the default cost).
func cheapHash(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func soapPost(t *testing.T, url string, header http.Header, body []byte, user, pw string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/theservice/v0001/soapun", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withServiceAccount sets the fake's demo account as upstream.auth for
// the operations listed.
func withServiceAccount(ops ...string) func(*config.Config) {
	return func(c *config.Config) {
		c.Upstream.Auth = config.UpstreamAuth{Username: fake.DemoUser, Password: config.NewSecret(fake.DemoPassword)}
		c.Upstream.Allow = ops
	}
}

// TestPassThroughByteFidelity: the upstream receives the client's bytes
// and headers, and the client receives the upstream's bytes, status and
// headers, faults included.
func TestPassThroughByteFidelity(t *testing.T) {
	for _, name := range []string{"executesinglequery-11", "getdocument-fault-12"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(golden.Root(), "passthrough", name)
			header, body := golden.ReadCase(t, dir)
			up := &recordingUpstream{h: fake.NewSOAPFace()}
			// The client's own Therefore account is a bridge caller too.
			demo := base64.StdEncoding.EncodeToString([]byte(fake.DemoUser + ":" + fake.DemoPassword))
			header.Set("Authorization", "Basic "+demo)
			ts, vendor := passServer(t, up, func(c *config.Config) {
				c.Auth.Callers = append(c.Auth.Callers, config.Caller{Name: fake.DemoUser, PasswordHash: cheapHash(t, fake.DemoPassword)})
			})
			resp := soapPost(t, ts.URL, header, body, "", "")
			got := readAll(t, resp.Body)
			upHeader, upBody, upResponse := up.last()
			if !bytes.Equal(upBody, body) {
				t.Errorf("the upstream received other bytes than the client sent:\n%q\nvs\n%q", upBody, body)
			}
			for _, k := range []string{"Content-Type", "Soapaction", "Authorization", "Tenantname"} {
				if upHeader.Get(k) != header.Get(k) {
					t.Errorf("upstream header %s = %q, the client sent %q", k, upHeader.Get(k), header.Get(k))
				}
			}
			if upHeader.Get("X-Request-Id") == "" {
				t.Error("the upstream got no X-Request-ID")
			}
			if !bytes.Equal(got, upResponse) {
				t.Errorf("the client received other bytes than the upstream sent:\n%q\nvs\n%q", got, upResponse)
			}
			golden.Check(t, filepath.Join(dir, "response.xml"), got)
			wantStatus := http.StatusOK
			if strings.Contains(name, "fault") {
				wantStatus = http.StatusInternalServerError
			}
			if resp.StatusCode != wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, strings.Split(header.Get("Content-Type"), ";")[0]) {
				t.Errorf("Content-Type %q does not match the upstream's", ct)
			}
			if len(vendor.calls) != 0 {
				t.Errorf("a passed-through call reached the vendors")
			}
		})
	}
}

func TestPassThroughDispatchAndAuth(t *testing.T) {
	query := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ExecuteSingleQuery xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:CategoryNo>7</a:CategoryNo></parameters></ExecuteSingleQuery></s:Body></s:Envelope>`)
	soap11 := func(action string) http.Header {
		h := http.Header{"Content-Type": {"text/xml; charset=utf-8"}}
		if action != "" {
			h.Set("SOAPAction", `"`+action+`"`)
		}
		return h
	}
	up := &recordingUpstream{h: fake.NewSOAPFace()}
	tests := []struct {
		name       string
		mutate     func(*config.Config)
		header     http.Header
		body       []byte
		user, pw   string
		wantStatus int
		want       string // in the body
		upstream   string // the Basic user the upstream saw; "-" when it saw nothing
	}{
		{name: "service account for an allowed operation", mutate: withServiceAccount("ExecuteSingleQuery"),
			header: soap11(actionBase + "ExecuteSingleQuery"), body: query, user: "jdoe", pw: "s3cret",
			wantStatus: 200, want: "<a:DocNo>1003</a:DocNo>", upstream: fake.DemoUser},
		{name: "no action: the body element decides", mutate: withServiceAccount("ExecuteSingleQuery"),
			header: soap11(""), body: query, user: "jdoe", pw: "s3cret", wantStatus: 500, want: "ContractFilter mismatch", upstream: fake.DemoUser},
		{name: "operation outside the allow list", mutate: withServiceAccount("GetDocument"),
			header: soap11(actionBase + "ExecuteSingleQuery"), body: query, user: "jdoe", pw: "s3cret",
			wantStatus: 500, want: "does not pass operation ExecuteSingleQuery through to Therefore; it passes only GetDocument", upstream: "-"},
		{name: "an action that names no Therefore operation is Therefore's ActionNotSupported", mutate: withServiceAccount("GetDocument"),
			header: soap11("http://schemas.therefore.net/webservices/interop/v0001/IThereforeService/SaveOutOfOfficeInfoForUser"), body: query, user: "jdoe", pw: "s3cret",
			wantStatus: 500, want: "ActionNotSupported</faultcode><faultstring xml:lang=\"en-US\">The message with Action 'http://schemas.therefore.net/webservices/interop/v0001/IThereforeService/SaveOutOfOfficeInfoForUser' cannot be processed", upstream: "-"},
		{name: "no action and a body element of no Therefore operation", mutate: withServiceAccount("GetDocument"),
			header: soap11(""), body: []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Ping xmlns="urn:example:other"/></s:Body></s:Envelope>`), user: "jdoe", pw: "s3cret",
			wantStatus: 500, want: "its Body's element {urn:example:other}Ping names no operation of IThereforeService", upstream: "-"},
		{name: "the client's own Authorization without a service account",
			header: soap11(actionBase + "ExecuteSingleQuery"), body: query, user: "jdoe", pw: "s3cret",
			wantStatus: 401, upstream: "jdoe"},
		{name: "unauthenticated callers never reach the upstream", mutate: withServiceAccount("ExecuteSingleQuery"),
			header: soap11(actionBase + "ExecuteSingleQuery"), body: query,
			wantStatus: 401, want: "authentication required", upstream: "-"},
		{name: "wrong password", mutate: withServiceAccount("ExecuteSingleQuery"),
			header: soap11(actionBase + "ExecuteSingleQuery"), body: query, user: "jdoe", pw: "nope",
			wantStatus: 401, want: "authentication failed", upstream: "-"},
		{name: "WS-Security UsernameToken in the envelope", mutate: withServiceAccount("ExecuteSingleQuery"),
			header:     soap11(actionBase + "ExecuteSingleQuery"),
			body:       bytes.Replace(query, []byte("<s:Body>"), []byte("<s:Header>"+wsse("jdoe", "s3cret", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText", "", "")+"</s:Header><s:Body>"), 1),
			wantStatus: 200, want: "Contract Acme &amp; Co</a:IndexValue>", upstream: fake.DemoUser},
		{name: "a handled action with another body element is a fault",
			header: soap11(actionBase + "SavePortalUser"), body: query, user: "jdoe", pw: "s3cret",
			wantStatus: 500, want: "the action is SavePortalUser but the Body holds &lt;ExecuteSingleQuery&gt;", upstream: "-"},
		{name: "a handled operation without an action stays with the bridge",
			header: soap11(""), body: nilUserOOF(""), user: "jdoe", pw: "s3cret", wantStatus: 200, want: "SaveOutOfOfficeInfoForUserResponse", upstream: "-"},
		{name: "a body over the limit", mutate: func(c *config.Config) { c.Limits.MaxBodyBytes = 1024 },
			header: soap11(actionBase + "ExecuteSingleQuery"), body: bytes.Replace(query, []byte("<s:Body>"), []byte("<s:Body>"+strings.Repeat(" ", 2000)), 1),
			user: "jdoe", pw: "s3cret", wantStatus: 413, want: "larger than the limit of 1024 bytes", upstream: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up.mu.Lock()
			up.header = nil
			up.mu.Unlock()
			ts, _ := passServer(t, up, tt.mutate)
			resp := soapPost(t, ts.URL, tt.header, tt.body, tt.user, tt.pw)
			got := string(readAll(t, resp.Body))
			if resp.StatusCode != tt.wantStatus || !strings.Contains(got, tt.want) {
				t.Errorf("status %d, want %d; body should contain %q:\n%s", resp.StatusCode, tt.wantStatus, tt.want, got)
			}
			h, _, _ := up.last()
			seen := "-"
			if h != nil {
				r := &http.Request{Header: h}
				seen, _, _ = r.BasicAuth()
			}
			if seen != tt.upstream {
				t.Errorf("the upstream saw user %q, want %q", seen, tt.upstream)
			}
		})
	}
}

// TestPassThroughUTF16: a call in UTF-16 whose dispatch or credentials are
// in the envelope (no action in HTTP, a UsernameToken) is read far enough
// to route and authenticate it, and passed on byte for byte.
func TestPassThroughUTF16(t *testing.T) {
	query := `<?xml version="1.0" encoding="utf-16"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">%s<s:Body><ExecuteSingleQuery xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:CategoryNo>7</a:CategoryNo></parameters></ExecuteSingleQuery></s:Body></s:Envelope>`
	token := "<s:Header>" + wsse("jdoe", "s3cret", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText", "", "") + "</s:Header>"
	answer := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ExecuteSingleQueryResponse xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`)
	for _, tc := range []struct {
		name, charset, action, header string
		order                         unicode.Endianness
		bom, basic                    bool
	}{
		{name: "no action, Basic, byte order mark", charset: "utf-16", order: unicode.LittleEndian, bom: true, basic: true},
		{name: "no action, Basic, utf-16BE", charset: "utf-16BE", order: unicode.BigEndian, basic: true},
		{name: "UsernameToken, no byte order mark", charset: "utf-16", order: unicode.LittleEndian, action: actionBase + "ExecuteSingleQuery", header: token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := &recordingUpstream{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				w.Write(answer)
			})}
			ts, vendor := passServer(t, up, withServiceAccount("ExecuteSingleQuery"))
			body, err := unicode.UTF16(tc.order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(fmt.Sprintf(query, tc.header)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.bom {
				body = append([]byte{0xff, 0xfe}, body...)
			}
			header := http.Header{"Content-Type": {"text/xml; charset=" + tc.charset}}
			if tc.action != "" {
				header.Set("SOAPAction", `"`+tc.action+`"`)
			}
			user, pw := "", ""
			if tc.basic {
				user, pw = "jdoe", "s3cret"
			}
			resp := soapPost(t, ts.URL, header, body, user, pw)
			got := readAll(t, resp.Body)
			if resp.StatusCode != 200 || !bytes.Equal(got, answer) {
				t.Fatalf("status %d:\n%s", resp.StatusCode, got)
			}
			if _, upBody, _ := up.last(); !bytes.Equal(upBody, body) {
				t.Errorf("the upstream received other bytes than the client sent")
			}
			if len(vendor.calls) != 0 {
				t.Errorf("a passed-through call reached the vendors")
			}
		})
	}
}

// TestNoUpstreamKeepsUnknownActionFault: without upstream.url nothing is
// forwarded and an unknown action gets today's ActionNotSupported fault.
func TestNoUpstreamKeepsUnknownActionFault(t *testing.T) {
	ts, _ := passServer(t, nil, nil)
	resp := soapPost(t, ts.URL, http.Header{"Content-Type": {"text/xml"}, "Soapaction": {actionBase + "GetDocument"}},
		[]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`), "jdoe", "s3cret")
	if got := string(readAll(t, resp.Body)); resp.StatusCode != 500 || !strings.Contains(got, "ActionNotSupported") {
		t.Errorf("status %d:\n%s", resp.StatusCode, got)
	}
}

// TestUpstreamDown: an unreachable upstream is a 502 Server fault, a slow
// one a 504, and both say so.
func TestUpstreamDown(t *testing.T) {
	header := http.Header{"Content-Type": {"application/soap+xml; charset=utf-8; action=\"" + actionBase + "GetDocument\""}}
	body := []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`)

	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	ts, _ := passServer(t, nil, func(c *config.Config) { c.Upstream.URL = deadURL + fake.SOAPPath })
	resp := soapPost(t, ts.URL, header, body, "jdoe", "s3cret")
	got := string(readAll(t, resp.Body))
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(got, "s:Receiver") || !strings.Contains(got, "cannot be reached") {
		t.Errorf("unreachable: status %d:\n%s", resp.StatusCode, got)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	ts, _ = passServer(t, nil, func(c *config.Config) {
		c.Upstream.URL = slow.URL + fake.SOAPPath
		c.Upstream.Timeout = config.Duration(time.Second)
	})
	resp = soapPost(t, ts.URL, header, body, "jdoe", "s3cret")
	got = string(readAll(t, resp.Body))
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(got, "did not answer in time") {
		t.Errorf("timeout: status %d:\n%s", resp.StatusCode, got)
	}
}

// TestPassThroughFailureKeepsTheConnection: a call the upstream never
// read (it could not be reached) leaves the client's connection fit for
// its next call. In full duplex, Go's server consumes what the handler
// left of the body only after the handler, which starts a read of the
// connection that nobody ends: the next request on it panicked the
// connection's goroutine, and the client had to connect again
// (golang/go#68560).
func TestPassThroughFailureKeepsTheConnection(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	var logged vendortest.SafeBuffer
	ts, _ := passServerLogging(t, nil, func(c *config.Config) { c.Upstream.URL = deadURL + fake.SOAPPath }, &logged)
	body := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`
	var reused []bool
	trace := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }})
	for i := range 3 {
		req, err := http.NewRequestWithContext(trace, http.MethodPost, ts.URL+"/theservice/v0001/soapun", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+actionBase+`GetDocument"`)
		req.SetBasicAuth("jdoe", "s3cret")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		got := string(readAll(t, resp.Body))
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(got, "cannot be reached") {
			t.Fatalf("call %d: status %d:\n%s", i+1, resp.StatusCode, got)
		}
	}
	ts.Close() // the server's goroutines have ended, and logged what they did
	if strings.Contains(logged.String(), "panic") {
		t.Errorf("the server panicked:\n%s", logged.String())
	}
	if len(reused) != 3 || !reused[1] || !reused[2] {
		t.Errorf("connections reused by the calls: %v, want [false true true]", reused)
	}
}

// TestPassThroughTLS: upstream.ca_file is the trust for the upstream's
// certificate; without it a private CA's server is refused (502).
func TestPassThroughTLS(t *testing.T) {
	up := httptest.NewTLSServer(fake.NewSOAPFace())
	defer up.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	header := http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "Soapaction": {`"` + actionBase + `GetDocument"`}}
	body := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:DocNo>1003</a:DocNo></parameters></GetDocument></s:Body></s:Envelope>`)
	for _, tt := range []struct {
		ca     string
		status int
		want   string
	}{{ca, 200, "Contract Acme"}, {"", 502, "certificate"}} {
		ts, _ := passServer(t, nil, func(c *config.Config) {
			c.Upstream.URL = up.URL + fake.SOAPPath
			c.Upstream.CAFile = tt.ca
			withServiceAccount("GetDocument")(c)
		})
		resp := soapPost(t, ts.URL, header, body, "jdoe", "s3cret")
		if got := string(readAll(t, resp.Body)); resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
			t.Errorf("ca_file %q: status %d, want %d with %q:\n%s", tt.ca, resp.StatusCode, tt.status, tt.want, got)
		}
	}
}

// TestPassThroughGzipNoAction: a gzip body without an action is read up to
// its Body element to dispatch it, then forwarded as the same gzip bytes.
func TestPassThroughGzipNoAction(t *testing.T) {
	plain := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:DocNo>1001</a:DocNo></parameters></GetDocument></s:Body></s:Envelope>`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	up := &recordingUpstream{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<answer/>")) })}
	ts, _ := passServer(t, up, nil)
	resp := soapPost(t, ts.URL, http.Header{"Content-Type": {"text/xml"}, "Content-Encoding": {"gzip"}}, gz.Bytes(), "jdoe", "s3cret")
	if got := string(readAll(t, resp.Body)); resp.StatusCode != 200 || got != "<answer/>" {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}
	h, b, _ := up.last()
	if !bytes.Equal(b, gz.Bytes()) || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("the upstream got %d bytes with Content-Encoding %q, want the client's %d gzip bytes", len(b), h.Get("Content-Encoding"), gz.Len())
	}
}

// TestPassThroughBrokenAnswer: when the upstream's answer breaks off after
// its status was passed on, the client's connection is dropped too, so it
// never takes a truncated answer for a whole one.
func TestPassThroughBrokenAnswer(t *testing.T) {
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<s:Envelope>partial"))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	ts, _ := passServer(t, up, nil)
	header := http.Header{"Content-Type": {"text/xml"}, "Soapaction": {actionBase + "GetDocument"}}
	resp := soapPost(t, ts.URL, header, []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`), "jdoe", "s3cret")
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the client read a truncated answer without an error")
	}
}
