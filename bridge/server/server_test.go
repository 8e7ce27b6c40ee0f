package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/gcfloor"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

const endpoint = "http://bridge.test/theservice/v0001/soapun"

func okCase(t *testing.T, name string) (http.Header, []byte) { return mustReadCase(t, name) }

// TestTransport covers what is wrong before any XML is read.
func TestTransport(t *testing.T) {
	h, _ := newTestServer(t)
	hdr, body := okCase(t, "wcf-oof-11")
	tests := []struct {
		name, method, target string
		header               http.Header
		body                 []byte
		status               int
		contains             string
	}{
		{"GET without ?wsdl", http.MethodGet, endpoint, nil, nil, 405, "GET is only for the contract"},
		{"PUT", http.MethodPut, endpoint, hdr, body, 405, "method PUT is not allowed"},
		{"DELETE", http.MethodDelete, endpoint, nil, nil, 405, "not allowed"},
		{"no content type", http.MethodPost, endpoint, http.Header{}, body, 415, "no Content-Type"},
		{"brotli", http.MethodPost, endpoint, http.Header{"Content-Type": {"text/xml"}, "Content-Encoding": {"br"}}, body, 415, "Content-Encoding br"},
		{"gzip bomb", http.MethodPost, endpoint, http.Header{"Content-Type": {"text/xml"}, "Content-Encoding": {"gzip"}}, gzipped(bytes.Repeat([]byte(" "), 11<<20)), 413, "larger than the limit"},
		{"not gzip", http.MethodPost, endpoint, http.Header{"Content-Type": {"text/xml"}, "Content-Encoding": {"gzip"}}, body, 400, "gzip body cannot be read"},
		{"utf-16 charset over UTF-8", http.MethodPost, endpoint, http.Header{"Content-Type": {"text/xml; charset=utf-16"}}, body, 415, "the charset is utf-16, but the body is not UTF-16"},
		{"unsupported charset", http.MethodPost, endpoint, http.Header{"Content-Type": {"text/xml; charset=shift_jis"}}, body, 415, `"shift_jis" is not supported`},
		{"too large", http.MethodPost, endpoint, hdr, append(body, bytes.Repeat([]byte(" "), 10<<20)...), 413, "larger than the limit of 10485760 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
				t.Errorf("Content-Type %q, want a SOAP 1.1 fault", ct)
			}
			_, reason := faultOf(t, rec.Body.Bytes())
			if !strings.Contains(reason, tc.contains) {
				t.Errorf("reason %q does not contain %q", reason, tc.contains)
			}
		})
	}
}

// TestEndpointPath: the endpoint answers in any letter case of its path,
// as Therefore's (HTTP.sys matches URLs without case), and a path that
// serves nothing says where the endpoint is.
func TestEndpointPath(t *testing.T) {
	h, _ := newTestServer(t)
	hdr, body := okCase(t, "wcf-oof-11")
	const path = "/theservice/v0001/soapun"
	upper := strings.ToUpper(path)
	req := httptest.NewRequest(http.MethodPost, "http://bridge.test"+upper, bytes.NewReader(body))
	req.Header = hdr.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "SaveOutOfOfficeInfoForUserResponse") {
		t.Errorf("POST %s: status %d:\n%s", upper, rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/TheService/v0001/SoapUn?wsdl", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "wsdl:definitions") {
		t.Errorf("GET ?wsdl in another case: status %d:\n%.300s", rec.Code, rec.Body)
	}
	for _, wrong := range []string{"/theservice/v0001/soap", "/"} {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "http://bridge.test"+wrong, bytes.NewReader(body)))
		if want := "the SOAP endpoint is " + path; rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("POST %s: status %d, %q; want 404 saying %q", wrong, rec.Code, rec.Body, want)
		}
	}
}

// TestChunkedBodyOverLimit checks that a body without Content-Length is
// still cut at the limit.
func TestChunkedBodyOverLimit(t *testing.T) {
	h, sink := newTestServer(t)
	hdr, body := okCase(t, "wcf-oof-11")
	big := append(bytes.Repeat([]byte(" "), 11<<20), body...)
	req := httptest.NewRequest(http.MethodPost, endpoint, io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header = hdr.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 || len(sink.Calls()) != 0 {
		t.Fatalf("status %d, calls %d; want 413 and none", rec.Code, len(sink.Calls()))
	}
}

func TestWSDLAddress(t *testing.T) {
	tests := []struct {
		name    string
		trust   bool
		query   string
		headers map[string]string
		want    string
	}{
		{"host as used", false, "?wsdl", nil, `location="http://bridge.test/theservice/v0001/soapun"`},
		{"singleWsdl", false, "?singleWsdl", nil, `location="http://bridge.test/theservice/v0001/soapun"`},
		{"forwarded ignored unless trusted", false, "?wsdl", map[string]string{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}, `location="http://bridge.test/theservice/v0001/soapun"`},
		{"forwarded trusted", true, "?WSDL", map[string]string{"X-Forwarded-Host": "bridge.example.com", "X-Forwarded-Proto": "https"}, `location="https://bridge.example.com/theservice/v0001/soapun"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.WSDL.TrustForwardedHeaders = tc.trust
			srv, err := newServer(t, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, endpoint+tc.query, nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			if n := strings.Count(rec.Body.String(), tc.want); n != 2 {
				t.Errorf("%d addresses are %s, want both (soap and soap12)", n, tc.want)
			}
		})
	}
}

func TestHealthzAndRequestID(t *testing.T) {
	h, _ := newTestServer(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/healthz", nil))
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("healthz: %d %q", rec.Code, rec.Body)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	for _, tc := range []struct{ sent, wantSame bool }{{true, true}, {false, false}} {
		req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
		req.Header = hdr.Clone()
		if tc.sent {
			req.Header.Set("X-Request-ID", "abc-123")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-ID")
		if tc.wantSame && got != "abc-123" || !tc.wantSame && got == "" {
			t.Errorf("sent=%v: X-Request-ID %q", tc.sent, got)
		}
	}
	// A forged id (log injection) is replaced.
	req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header = hdr.Clone()
	req.Header.Set("X-Request-ID", "x\ny")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-ID"); got == "x\ny" || got == "" {
		t.Errorf("forged id kept or dropped: %q", got)
	}
}

type stubVendor struct {
	name  string
	res   fanout.Result
	panic bool
}

func (v stubVendor) Name() string      { return v.name }
func (v stubVendor) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (v stubVendor) Deliver(context.Context, *fanout.Call) fanout.Result {
	if v.panic {
		panic("boom")
	}
	return v.res
}

// TestVendorFailures checks the outcome rules: a required vendor's
// permanent failure within apply_wait is a Server fault listing every
// vendor; a transient one is 200 (the change is stored and retried); a
// best-effort vendor's failure never faults.
func TestVendorFailures(t *testing.T) {
	down := stubVendor{name: "down", res: fanout.Result{Status: fanout.Retryable, VendorStatus: 503, Message: "Service Unavailable"}}
	refuses := stubVendor{name: "refuses", res: fanout.Result{Status: fanout.Permanent, VendorStatus: 404, Message: "no such user"}}
	up := stubVendor{name: "up", res: fanout.Result{Status: fanout.OK}}
	tests := []struct {
		name     string
		targets  []fanout.Target
		status   int
		contains []string
	}{
		{"required refuses", []fanout.Target{{Vendor: up, Required: true}, {Vendor: refuses, Required: true}}, 500,
			[]string{"<faultcode>s:Server</faultcode>", `<Vendor name="up" outcome="ok" attempts="1">`, `<Vendor name="refuses" outcome="failed" attempts="1" status="404">no such user</Vendor>`, "refuses failed"}},
		{"required down is stored and retried", []fanout.Target{{Vendor: up, Required: true}, {Vendor: down, Required: true}}, 200,
			[]string{"SaveOutOfOfficeInfoForUserResult"}},
		{"best effort refuses", []fanout.Target{{Vendor: up, Required: true}, {Vendor: refuses, Required: false}}, 200,
			[]string{"SaveOutOfOfficeInfoForUserResult"}},
		{"panicking vendor", []fanout.Target{{Vendor: stubVendor{name: "broken", panic: true}, Required: true}}, 500,
			[]string{"the broken adapter failed internally"}},
	}
	hdr, body := okCase(t, "wcf-oof-11")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Fanout.InitialBackoff = config.Duration(time.Millisecond) // keep retries quick
			srv, err := newServer(t, cfg, tc.targets)
			if err != nil {
				t.Fatal(err)
			}
			rec := post(srv.Handler(), hdr, body)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			for _, c := range tc.contains {
				if !strings.Contains(rec.Body.String(), c) {
					t.Errorf("reply lacks %s:\n%s", c, rec.Body)
				}
			}
		})
	}
}

// TestOperationRouting checks that an operation reaches only the vendors
// configured for it.
func TestOperationRouting(t *testing.T) {
	oofOnly := &countingVendor{name: "oof"}
	srv, err := newServer(t, testConfig(), []fanout.Target{{Vendor: oofOnly, Required: true, Operations: map[string]bool{"SaveOutOfOfficeInfoForUser": true}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"wcf-oof-11", "minimal-portaluser-11"} {
		hdr, body := okCase(t, c)
		if rec := post(srv.Handler(), hdr, body); rec.Code != 200 {
			t.Fatalf("%s: status %d", c, rec.Code)
		}
	}
	if n := oofOnly.count(); n != 1 {
		t.Errorf("oof vendor got %d calls, want 1", n)
	}
}

type countingVendor struct {
	name string
	mu   sync.Mutex
	n    int
}

func (v *countingVendor) Name() string      { return v.name }
func (v *countingVendor) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (v *countingVendor) Deliver(context.Context, *fanout.Call) fanout.Result {
	v.mu.Lock()
	v.n++
	v.mu.Unlock()
	return fanout.Result{Status: fanout.OK}
}

func (v *countingVendor) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.n
}

// TestMetricsAndReadyz: the counters the operators read move with calls.
func TestMetricsAndReadyz(t *testing.T) {
	down := stubVendor{name: "down", res: fanout.Result{Status: fanout.Permanent, VendorStatus: 503}}
	up := stubVendor{name: "up", res: fanout.Result{Status: fanout.OK}}
	cfg := testConfig()
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: up, Required: true}, {Vendor: down, Required: false}})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hdr, body := okCase(t, "wcf-oof-11")
	if rec := post(h, hdr, body); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	badHdr, badBody := golden.ReadCase(t, filepath.Join(golden.Root(), "soap", "bad", "queryno-not-int-11"))
	post(h, badHdr, badBody)
	wants := []string{
		`thereforebridge_requests_total{operation="SaveOutOfOfficeInfoForUser",outcome="ok"} 1`,
		`thereforebridge_requests_total{operation="unknown",outcome="decode"} 1`,
		`thereforebridge_best_effort_failures_total{vendor="down"} 1`,
		`thereforebridge_vendor_calls_total{code="503",outcome="permanent",vendor="down"} 1`,
		`thereforebridge_delivery_failed{vendor="down"} 1`,
		`thereforebridge_delivery_pending{vendor="up"} 0`,
		`thereforebridge_vendor_calls_total{code="none",outcome="ok",vendor="up"} 1`,
		`thereforebridge_requests_in_flight 0`,
	}
	// The answer comes once each vendor's first attempt is known; the
	// store records it a moment later (and the backlog gauges are read at
	// most once a second), so the scrape is repeated until it settles.
	var missing []string
	for deadline := time.Now().Add(15 * time.Second); ; {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/metrics", nil))
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(rec.Body.String(), want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, m := range missing {
		t.Errorf("/metrics lacks %s", m)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/readyz", nil))
	if rec.Code != 200 {
		t.Errorf("readyz %d before shutdown", rec.Code)
	}
	srv.Shutdown(context.Background())
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/readyz", nil))
	if rec.Code != 503 {
		t.Errorf("readyz %d after shutdown, want 503", rec.Code)
	}
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// TestGzipBody: a gzip-compressed call is decoded like a plain one.
func TestGzipBody(t *testing.T) {
	h, sink := newTestServer(t)
	hdr, body := okCase(t, "wcf-oof-11")
	hdr = hdr.Clone()
	hdr.Set("Content-Encoding", "gzip")
	if rec := post(h, hdr, gzipped(body)); rec.Code != 200 || len(sink.Calls()) != 1 {
		t.Fatalf("status %d, %d calls", rec.Code, len(sink.Calls()))
	}
}

// blocking holds calls until released, to fill the concurrency limit.
type blocking struct{ release chan struct{} }

func (b blocking) Name() string      { return "blocking" }
func (b blocking) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (b blocking) Deliver(ctx context.Context, _ *fanout.Call) fanout.Result {
	<-b.release
	return fanout.Result{Status: fanout.OK}
}

// waitInFlight waits until n calls are inside the handler (the in-flight
// gauge says so).
func waitInFlight(t *testing.T, srv *server.Server, n int) {
	t.Helper()
	for i := 0; ; i++ {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://bridge.test/metrics", nil))
		if strings.Contains(rec.Body.String(), fmt.Sprintf("thereforebridge_requests_in_flight %d\n", n)) {
			return
		}
		if i > 5000 {
			t.Fatalf("%d calls never got in", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestMaxConcurrent: past the limit a call is refused at once with a
// Server fault and 503, not queued.
func TestMaxConcurrent(t *testing.T) {
	cfg := testConfig()
	cfg.Limits.MaxConcurrent = 2
	b := blocking{release: make(chan struct{})}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: b, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	done := make(chan int, 2)
	// Two different changes (an identical second call would be a retry,
	// answered at once with the first's outcome).
	for _, c := range []string{"wcf-oof-11", "minimal-portaluser-11"} {
		hdr, body := okCase(t, c)
		go func() { done <- post(srv.Handler(), hdr, body).Code }()
	}
	waitInFlight(t, srv, 2)
	rec := post(srv.Handler(), hdr, body)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "its limit") || rec.Header().Get("Retry-After") == "" {
		t.Errorf("third call: %d %s", rec.Code, rec.Body)
	}
	close(b.release)
	for range 2 {
		if code := <-done; code != 200 {
			t.Errorf("held call: %d", code)
		}
	}
}

// TestMaxInflightBodyBytes: a call whose body would take the bodies in
// flight past the limit waits for room, and is refused with a Server
// fault and 503 when none is made in time.
func TestMaxInflightBodyBytes(t *testing.T) {
	cfg := testConfig()
	cfg.Limits.MaxBodyBytes = 64 << 10
	cfg.Limits.MaxInflightBodyBytes = 64 << 10
	cfg.Limits.ReadTimeout = config.Duration(2 * time.Second) // a call waits half of it for room
	b := blocking{release: make(chan struct{})}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: b, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, body := okCase(t, "wcf-oof-11")
	done := make(chan int, 1)
	go func() { done <- post(srv.Handler(), hdr, body).Code }()
	waitInFlight(t, srv, 1)
	// The collector's tuner is told of the body held (its goal makes
	// room for it), and of its end below.
	if got := gcfloor.Held(); got != int64(len(body)) {
		t.Errorf("gcfloor.Held() = %d while a call of %d bytes is in flight", got, len(body))
	}
	// The same call padded past what is left, within max_body_bytes.
	_, portal := okCase(t, "minimal-portaluser-11")
	big := append(append([]byte{}, portal...), bytes.Repeat([]byte(" "), 64<<10-len(portal)-len(body)+1)...)
	phdr, _ := okCase(t, "minimal-portaluser-11")
	rec := post(srv.Handler(), phdr, big)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "max_inflight_body_bytes") || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a body past the bytes in flight: %d %s", rec.Code, rec.Body)
	}
	// Sent again, it waits for the held call, and gets in when it ends.
	waited := make(chan *httptest.ResponseRecorder, 1)
	go func() { waited <- post(srv.Handler(), phdr, big) }()
	time.Sleep(100 * time.Millisecond)
	close(b.release)
	if code := <-done; code != 200 {
		t.Errorf("held call: %d", code)
	}
	if rec := <-waited; rec.Code != 200 {
		t.Errorf("the large body, once the held call ended: %d %s", rec.Code, rec.Body)
	}
	if got := gcfloor.Held(); got != 0 {
		t.Errorf("gcfloor.Held() = %d once every call was answered, want 0", got)
	}
}

// TestLargeBodyBufferReused: the buffer of a large body serves the next
// large call once its call is done, and what a call decoded (the log sink
// keeps it) is not disturbed by the next body read into the same buffer.
func TestLargeBodyBufferReused(t *testing.T) {
	h, sink := newTestServer(t)
	const items = 12_000 // some 2 MB: past the least body whose buffer is kept
	first := portalUserEnvelope(items)
	second := bytes.ReplaceAll(first, []byte("value number"), []byte("other number"))
	call := func(body []byte) uint64 {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec := post(h, soap11, body)
		runtime.ReadMemStats(&after)
		if rec.Code != 200 {
			t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	call(portalUserEnvelope(10)) // plans and pools made once, a small body's buffer not kept
	a := call(first)
	b := call(second)
	if a < b+uint64(len(second))/2 {
		t.Errorf("the first large call allocated %d bytes, the second %d: the %d-byte body's buffer was not reused", a, b, len(second))
	}
	calls := sink.Calls()
	if len(calls) < 2 {
		t.Fatalf("the sink has %d calls", len(calls))
	}
	last := fmt.Sprintf("number %d", items-1)
	for i, want := range []string{"value " + last, "other " + last} {
		got := string(calls[len(calls)-2+i].Params)
		if !strings.Contains(got, want) || strings.Count(got, "value number")+strings.Count(got, "other number") != items {
			t.Errorf("call %d as the sink kept it: want %d items ending in %q, got %d value and %d other", i+1, items, want,
				strings.Count(got, "value number"), strings.Count(got, "other number"))
		}
	}
}

// TestSlowClient: a client that trickles its headers or its body is cut
// off by the header and read timeouts instead of holding a connection.
func TestSlowClient(t *testing.T) {
	cfg := testConfig()
	cfg.Limits.HeaderTimeout = config.Duration(150 * time.Millisecond)
	cfg.Limits.ReadTimeout = config.Duration(300 * time.Millisecond)
	srv, err := newServer(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	for _, partial := range []string{
		"POST /theservice/v0001/soapun HTTP/1.1\r\nHost: x\r\n",                                                             // headers never end
		"POST /theservice/v0001/soapun HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<s:Env", // body never ends
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte(partial))
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.ReadAll(conn) // returns when the server closes the connection
		conn.Close()
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("the server kept a slow connection open for 10s: %q", partial[:40])
		}
	}
}
