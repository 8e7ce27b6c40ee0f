package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

// newTestServer returns the bridge on the embedded default with a log sink
// that the test can read.
func newTestServer(t testing.TB) (http.Handler, *logsink.Sink) {
	t.Helper()
	keep := 10
	sink := logsink.New(logsink.Config{Keep: &keep}, nil)
	srv, err := newServer(t, testConfig(), []fanout.Target{{Vendor: sink, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler(), sink
}

func mustReadCase(tb testing.TB, name string) (http.Header, []byte) {
	return golden.ReadCase(tb, filepath.Join(golden.Root(), "soap", "ok", name))
}

func post(h http.Handler, header http.Header, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "http://bridge.test/theservice/v0001/soapun", bytes.NewReader(body))
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func caseDirs(t *testing.T, kind string) []string {
	dirs, err := filepath.Glob(filepath.Join(golden.Root(), "soap", kind, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under testdata/soap/%s", kind)
	}
	return dirs
}

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("reply is not well-formed XML: %v\n%s", err, b)
		}
	}
}

// TestGoldenOK posts every envelope real stacks send and compares the reply
// and what the bridge decoded with the goldens beside it.
func TestGoldenOK(t *testing.T) {
	for _, dir := range caseDirs(t, "ok") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			h, sink := newTestServer(t)
			header, body := golden.ReadCase(t, dir)
			rec := post(h, header, body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200; body:\n%s", rec.Code, rec.Body)
			}
			wantCT := "text/xml; charset=utf-8"
			if strings.HasPrefix(header.Get("Content-Type"), "application/soap+xml") {
				wantCT = "application/soap+xml; charset=utf-8"
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, wantCT) {
				t.Errorf("Content-Type %q, want %q", ct, wantCT)
			}
			wellFormed(t, rec.Body.Bytes())
			golden.Check(t, filepath.Join(dir, "response.xml"), rec.Body.Bytes())
			calls := sink.Calls()
			if len(calls) != 1 {
				t.Fatalf("the vendor got %d calls, want 1", len(calls))
			}
			decoded := struct {
				Operation string          `json:"operation"`
				Params    json.RawMessage `json:"params"`
			}{calls[0].Operation, calls[0].Params}
			js, err := json.MarshalIndent(decoded, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "decoded.json"), append(js, '\n'))
		})
	}
}

// TestGoldenOKInUTF16 posts every envelope of TestGoldenOK again in UTF-16,
// as a WCF client with writeEncoding utf-16 (little-endian, with a byte
// order mark) or utf-16BE (the charset alone) sends it, and wants the reply
// and the decoded call the envelope gets in UTF-8.
func TestGoldenOKInUTF16(t *testing.T) {
	for i, dir := range caseDirs(t, "ok") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			header, body := golden.ReadCase(t, dir)
			ct := header.Get("Content-Type")
			if cs := strings.ToLower(ct); strings.Contains(cs, "charset=") && !strings.Contains(cs, "charset=utf-8") && !strings.Contains(cs, `charset="utf-8"`) {
				t.Skipf("in %s, not UTF-8", ct)
			}
			want, wantCall := postOK(t, header, body)
			order, charset, bom := unicode.LittleEndian, "utf-16", "\xff\xfe"
			if i%2 == 1 {
				order, charset, bom = unicode.BigEndian, "utf-16BE", ""
			}
			wide, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes(body)
			if err != nil {
				t.Fatal(err)
			}
			header = header.Clone()
			header.Set("Content-Type", withCharset(ct, charset))
			got, gotCall := postOK(t, header, append([]byte(bom), wide...))
			if !bytes.Equal(got, want) {
				t.Errorf("in %s, the reply is\n%s\nwant, as in UTF-8,\n%s", charset, got, want)
			}
			if gotCall.Operation != wantCall.Operation || !bytes.Equal(gotCall.Params, wantCall.Params) {
				t.Errorf("in %s, the call decoded as %s %s\nwant, as in UTF-8, %s %s", charset, gotCall.Operation, gotCall.Params, wantCall.Operation, wantCall.Params)
			}
		})
	}
}

// postOK posts one envelope to a new bridge and returns its 200 reply and
// the one call its vendor got.
func postOK(t *testing.T, header http.Header, body []byte) ([]byte, logsink.Record) {
	t.Helper()
	h, sink := newTestServer(t)
	rec := post(h, header, body)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body:\n%s", rec.Code, rec.Body)
	}
	calls := sink.Calls()
	if len(calls) != 1 {
		t.Fatalf("the vendor got %d calls, want 1", len(calls))
	}
	return rec.Body.Bytes(), calls[0]
}

// withCharset is the Content-Type ct with its charset parameter set to cs.
func withCharset(ct, cs string) string {
	var params []string
	for i, p := range strings.Split(ct, ";") {
		if i > 0 && strings.HasPrefix(strings.ToLower(strings.TrimSpace(p)), "charset=") {
			continue
		}
		params = append(params, p)
	}
	return strings.Join(params, ";") + "; charset=" + cs
}

// TestGoldenBad posts every bad and every hostile input and checks the
// fault: its golden, the code, the HTTP status, and the words the case says
// the reason must hold.
func TestGoldenBad(t *testing.T) {
	for _, dir := range append(caseDirs(t, "bad"), caseDirs(t, "hostile")...) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			h, sink := newTestServer(t)
			header, body := golden.ReadCase(t, dir)
			rec := post(h, header, body)
			exp := readExpect(t, dir)
			if rec.Code != exp.status {
				t.Errorf("status %d, want %d", rec.Code, exp.status)
			}
			wellFormed(t, rec.Body.Bytes())
			code, reason := faultOf(t, rec.Body.Bytes())
			if !strings.HasSuffix(code, exp.code) && !(exp.code == "Client" && strings.HasSuffix(code, "Sender")) &&
				!(exp.code == "Server" && strings.HasSuffix(code, "Receiver")) && !strings.Contains(code, "ActionNotSupported") {
				t.Errorf("fault code %q, want %s", code, exp.code)
			}
			if !strings.Contains(reason, exp.substring) {
				t.Errorf("fault reason %q does not mention %q", reason, exp.substring)
			}
			if n := len(sink.Calls()); n != 0 {
				t.Errorf("a bad request reached the vendor (%d calls)", n)
			}
			golden.Check(t, filepath.Join(dir, "fault.xml"), rec.Body.Bytes())
		})
	}
}

type expectation struct {
	substring string
	code      string
	status    int
}

func readExpect(t *testing.T, dir string) expectation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expect.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	e := expectation{substring: lines[0], code: "Client", status: 500}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "code":
			e.code = v
		case "http":
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s/expect.txt: http: %v", dir, err)
			}
			e.status = n
		}
	}
	return e
}

// faultOf returns the fault code and reason of a 1.1 or 1.2 fault.
func faultOf(t *testing.T, b []byte) (code, reason string) {
	t.Helper()
	var env struct {
		Body struct {
			Fault struct {
				FaultCode   string `xml:"faultcode"`
				FaultString string `xml:"faultstring"`
				Code        struct {
					Value   string `xml:"Value"`
					Subcode struct {
						Value string `xml:"Value"`
					} `xml:"Subcode"`
				} `xml:"Code"`
				Reason struct {
					Text string `xml:"Text"`
				} `xml:"Reason"`
			} `xml:"Fault"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(b, &env); err != nil {
		t.Fatalf("reply is not a fault: %v\n%s", err, b)
	}
	f := env.Body.Fault
	if f.FaultCode != "" {
		return f.FaultCode, f.FaultString
	}
	if f.Code.Value == "" {
		t.Fatalf("reply is not a fault:\n%s", b)
	}
	code = f.Code.Value
	if f.Code.Subcode.Value != "" {
		code += " " + f.Code.Subcode.Value
	}
	return code, f.Reason.Text
}

// faultKind returns the Kind of the bridge's machine-readable detail in
// the fault b ("" when it has none).
func faultKind(t *testing.T, b []byte) string {
	t.Helper()
	var env struct {
		Kind string `xml:"Body>Fault>detail>BridgeFault>Kind"`
		// SOAP 1.2 spells the detail element with a capital D.
		Kind12 string `xml:"Body>Fault>Detail>BridgeFault>Kind"`
	}
	if err := xml.Unmarshal(b, &env); err != nil {
		t.Fatalf("reply is not XML: %v\n%s", err, b)
	}
	return env.Kind + env.Kind12
}

// FuzzEndpoint posts arbitrary bodies, as SOAP 1.1 or 1.2 in each charset
// the bridge reads (the golden cases, and each again in UTF-16, seed it), to
// the whole handler: it must never panic, and must always answer with
// well-formed XML, a 200 response or a fault naming the client's mistake
// (or a vendor's). An Internal fault fails it: the handler's recover turns
// a panic into one, and a panic is a bug whatever the input. Seeds: every
// case in testdata/soap.
func FuzzEndpoint(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join(golden.Root(), "soap", "*", "*"))
	for _, dir := range dirs {
		body, err := os.ReadFile(filepath.Join(dir, "request.xml"))
		if err == nil {
			soap12 := strings.HasPrefix(filepath.Base(dir), "php-portaluser-12") || strings.HasSuffix(dir, "-12")
			f.Add(body, soap12, uint8(0))
			if wide, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes(body); err == nil {
				f.Add(wide, soap12, uint8(3)) // utf-16le
			}
		}
	}
	h, _ := newTestServer(f)
	// The charsets the bridge reads, and none (the body's own declaration
	// or byte order mark then decides).
	charsets := []string{"utf-8", "", "utf-16", "utf-16le", "utf-16be", "iso-8859-1"}
	f.Fuzz(func(t *testing.T, body []byte, soap12 bool, charset uint8) {
		ct := "text/xml"
		if soap12 {
			ct = "application/soap+xml"
		}
		if cs := charsets[int(charset)%len(charsets)]; cs != "" {
			ct += "; charset=" + cs
		}
		header := http.Header{"Content-Type": {ct}}
		rec := post(h, header, body)
		if rec.Code != 200 {
			faultOf(t, rec.Body.Bytes())
			if kind := faultKind(t, rec.Body.Bytes()); kind == "Internal" {
				t.Fatalf("an Internal fault (a panic or an internal error) for:\n%q\nreply:\n%s", body, rec.Body.Bytes())
			}
		} else {
			wellFormed(t, rec.Body.Bytes())
		}
	})
}

// newServer builds a server that is shut down (its delivery workers
// stopped) when the test ends.
func newServer(t testing.TB, cfg *config.Config, targets []fanout.Target) (*server.Server, error) {
	t.Helper()
	srv, err := server.New(cfg, targets, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		})
	}
	return srv, err
}

// testConfig is the embedded default with inbound authentication off: these
// tests are about SOAP handling; auth_test.go covers authentication.
func testConfig() *config.Config {
	c := config.Default()
	c.Auth.InsecureNoAuth = true
	c.Delivery.Store = config.NewStoreRef("sqlite::memory:")
	// Tests read what a vendor got once the call is answered: wait for the
	// first attempts as long as a loaded machine (-race) may need. A call
	// is answered as soon as they are known, so this costs nothing else.
	wait := config.Duration(20 * time.Second)
	c.Delivery.ApplyWait = &wait
	return c
}
