package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

// lenientCases are the ok cases that carry elements the contract does not
// know, at every level of both operations.
var lenientCases = []string{"lenient-portaluser-every-level-11", "lenient-oof-every-level-11"}

// TestLenientCasesDecodeLikeTheirOriginals: skipping unknown members must
// bind exactly what the same envelope without them binds.
func TestLenientCasesDecodeLikeTheirOriginals(t *testing.T) {
	for _, pair := range [][2]string{
		{"lenient-portaluser-every-level-11", "wcf-portaluser-11"},
		{"lenient-oof-every-level-11", "wcf-oof-11"},
		{"onetimepwd-in-portaluser-12", "php-portaluser-12"},
		{"onetimepwd-both-places-12", "php-portaluser-12"},
	} {
		a := readFile(t, filepath.Join(golden.Root(), "soap", "ok", pair[0], "decoded.json"))
		b := readFile(t, filepath.Join(golden.Root(), "soap", "ok", pair[1], "decoded.json"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s decodes differently from %s:\n%s\nvs\n%s", pair[0], pair[1], a, b)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStrictDecodingFaults: decode.strict restores the faults on unknown
// elements, and nothing reaches a vendor.
func TestStrictDecodingFaults(t *testing.T) {
	cfg := testConfig()
	cfg.Decode.Strict = true
	keep := 10
	sink := logsink.New(logsink.Config{Keep: &keep}, nil)
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: sink, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lenientCases {
		header, body := mustReadCase(t, name)
		rec := post(srv.Handler(), header, body)
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s: status %d, want 500", name, rec.Code)
		}
		if _, reason := faultOf(t, rec.Body.Bytes()); !strings.Contains(reason, "unexpected element") {
			t.Errorf("%s: reason %q does not name the unexpected element", name, reason)
		}
		golden.Check(t, filepath.Join(golden.Root(), "soap", "ok", name, "strict-fault.xml"), rec.Body.Bytes())
	}
	// The alias is part of the contract, not leniency: strict accepts it.
	header, body := mustReadCase(t, "onetimepwd-in-portaluser-12")
	if rec := post(srv.Handler(), header, body); rec.Code != http.StatusOK {
		t.Errorf("strict: IsOneTimePwd inside PortalUser: status %d, want 200:\n%s", rec.Code, rec.Body)
	}
	if n := len(sink.Calls()); n != 1 {
		t.Errorf("the vendor got %d calls, want 1", n)
	}
}

// TestSkippedElementsCountedAndLoggedOnce: one counter without labels,
// each path logged once however often it is met.
func TestSkippedElementsCountedAndLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	srv, err := server.New(testConfig(), nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil {
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
	}
	if err != nil {
		t.Fatal(err)
	}
	header, body := mustReadCase(t, "lenient-oof-every-level-11")
	for range 3 {
		if rec := post(srv.Handler(), header, body); rec.Code != http.StatusOK {
			t.Fatalf("status %d:\n%s", rec.Code, rec.Body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
	rec := httptestRecorder(srv.Handler(), req)
	if !strings.Contains(rec, "thereforebridge_decode_skipped_elements_total 18\n") {
		t.Errorf("metrics do not count 3 x 6 skipped elements:\n%s", grepLines(rec, "skipped"))
	}
	const path = "SaveOutOfOfficeInfoForUser/FutureMember"
	if n := strings.Count(logs.String(), "path="+path+"\n"); n != 1 {
		t.Errorf("path logged %d times, want once:\n%s", n, logs.String())
	}
}

func httptestRecorder(h http.Handler, req *http.Request) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.String()
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// unknownMembers are the elements the lenient cases add to their originals.
var unknownMembers = []string{
	`<FutureMember>1</FutureMember>`,
	`<a:FutureMember><a:Nested i:nil="true"/><a:Text>from a newer WSDL</a:Text></a:FutureMember>`,
	`<x:Extension xmlns:x="urn:example:extension"><x:Any>1</x:Any></x:Extension>`,
}

// TestEachLevelAlone: every unknown member of the lenient cases, alone in
// its envelope, is skipped by default and faults under decode.strict with
// the path of its own level.
func TestEachLevelAlone(t *testing.T) {
	lenient, _ := newTestServer(t)
	cfg := testConfig()
	cfg.Decode.Strict = true
	srv, err := newServer(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lenientCases {
		header, body := mustReadCase(t, name)
		type hit struct{ at, n int }
		var hits []hit
		for _, m := range unknownMembers {
			for i := 0; ; {
				j := bytes.Index(body[i:], []byte(m))
				if j < 0 {
					break
				}
				hits = append(hits, hit{i + j, len(m)})
				i += j + len(m)
			}
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
		paths := map[string]bool{}
		for k := range hits {
			// Remove every other member, from the end so offsets hold.
			one := append([]byte(nil), body...)
			for i := len(hits) - 1; i >= 0; i-- {
				if i != k {
					h := hits[i]
					one = append(one[:h.at:h.at], one[h.at+h.n:]...)
				}
			}
			if rec := post(lenient, header, one); rec.Code != http.StatusOK {
				t.Errorf("%s, member %d alone: status %d by default:\n%s", name, k, rec.Code, rec.Body)
			}
			rec := post(srv.Handler(), header, one)
			_, reason := faultOf(t, rec.Body.Bytes())
			if rec.Code != http.StatusInternalServerError || !strings.Contains(reason, "unexpected element") {
				t.Errorf("%s, member %d alone: strict answered %d %q", name, k, rec.Code, reason)
			}
			path, _, _ := strings.Cut(reason, ": unexpected")
			paths[path] = true
		}
		if len(hits) < 6 || len(paths) < 6 {
			t.Errorf("%s: %d members at %d distinct paths; the case should cover every level", name, len(hits), len(paths))
		}
		t.Logf("%s: %d unknown members, strict faults at %d distinct paths", name, len(hits), len(paths))
	}
}
