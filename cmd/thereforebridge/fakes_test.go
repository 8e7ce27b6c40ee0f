package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// startFakes runs the fakes command in-process on a free port until the
// test ends; it returns the base URL and what was printed before serving.
func startFakes(t *testing.T, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- serveFakes(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	base, out := readBanner(t, pr)
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("fakes exited %d", code)
			}
		case <-time.After(10 * time.Second):
			t.Error("fakes did not stop within 10s of its context's end")
		}
	})
	return base, out
}

var bannerBase = regexp.MustCompile(`every vendor fake at (http://\S+)/<vendor>/`)

// readBanner reads the fakes command's output up to its last start-up
// line.
func readBanner(t *testing.T, r io.Reader) (string, string) {
	t.Helper()
	var out strings.Builder
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "# serving") {
			m := bannerBase.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no base URL in:\n%s", out.String())
			}
			return m[1], out.String()
		}
	}
	t.Fatalf("fakes stopped before serving: %v\n%s", sc.Err(), out.String())
	return "", ""
}

// do sends one request and returns its status and body.
func do(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// state returns a fake's debug state.
func state(t *testing.T, base, vendor string) map[string]any {
	t.Helper()
	code, b := do(t, http.MethodGet, base+"/debug/vendors/"+vendor, "")
	var s map[string]any
	if err := json.Unmarshal(b, &s); code != 200 || err != nil {
		t.Fatalf("state of %s: %d %v %s", vendor, code, err, b)
	}
	return s
}

// subjectRequests are, per fake, a request about jdoe (with a body, so
// that the fake must read it to notice a client that gives up), its key
// in the fake's overlaps, and a request about asmith.
var subjectRequests = []struct {
	vendor, method, path, body, key, other string
}{
	{"grommunio", "GET", "/api/v1/domains/1/users/101/oof", "", "jdoe@example.com", "/api/v1/domains/1/users/102/oof"},
	{"superoffice", "PUT", "/api/v1/User/17/UserPresenceStatus", `{"Status":"StatusNotAvailable"}`, "17", "/api/v1/User/asmith"},
	{"lineworks", "POST", "/v1.0/users/jdoe@example.com/user-profile-statuses", `{"profileStatusId":"AWAY"}`, "userf7da-f82c-4284-13e7-000000000001",
		"/v1.0/users/externalKey:EMP-1002/user-profile-statuses"},
	{"therefore", "POST", "/theservice/v0001/restun/SaveOutOfOfficeInfoForUser", `{"User":{"DomainName":"CORP","UserName":"jdoe"}}`, `corp\jdoe`, ""},
	{"webhook", "POST", "/events", `{"operation":"SaveOutOfOfficeInfoForUser","request_id":"r1","params":{"User":{"DomainName":"CORP","UserName":"jdoe"}}}`, `corp\jdoe`, ""},
}

func TestFakesFaultsOverHTTP(t *testing.T) {
	base, _ := startFakes(t)
	for _, sr := range subjectRequests {
		t.Run(sr.vendor, func(t *testing.T) {
			fault := base + "/debug/vendors/" + sr.vendor + "/fault"
			call := func() int { c, _ := do(t, sr.method, base+"/"+sr.vendor+sr.path, sr.body); return c }

			// A status for the next N requests.
			if code, b := do(t, http.MethodPost, fault, `{"status":503,"count":2}`); code != 200 || !strings.Contains(string(b), `"count":2`) {
				t.Fatalf("POST count: %d %s", code, b)
			}
			if a, b, c := call(), call(), call(); a != 503 || b != 503 || c == 503 {
				t.Errorf("with 2 injected: %d %d %d, want 503 503 then the fake's own answer", a, b, c)
			}

			// A status for a duration: it holds until the fault says it
			// is over, then requests are served again.
			do(t, http.MethodPost, fault, `{"status":502,"for":"1s"}`)
			if c := call(); c != 502 {
				t.Errorf("within the duration: %d, want 502", c)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, b := do(t, http.MethodGet, fault, "")
				if !strings.Contains(string(b), `"status"`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the 1s fault is still on: %s", b)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if c := call(); c == 502 {
				t.Error("after the duration: still 502")
			}

			// A hang whose client gives up: the request ends with it,
			// so a later request for jdoe is no overlap.
			do(t, http.MethodPost, fault, `{"hang":true}`)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			req, _ := http.NewRequestWithContext(ctx, sr.method, base+"/"+sr.vendor+sr.path, strings.NewReader(sr.body))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Error("a hung request was answered")
			}
			cancel()
			waitHung(t, fault, 0)
			// The handler lets go of jdoe (for overlaps) just after the
			// hang lets go of it; on a loaded machine that can come after
			// the next requests begin, which would count as an overlap.
			time.Sleep(100 * time.Millisecond)

			// Two requests for jdoe held at once: an overlap; released
			// by DELETE, both are answered.
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i := range codes {
				wg.Add(1)
				go func() { defer wg.Done(); codes[i] = call() }()
			}
			waitHung(t, fault, 2)
			if sr.other != "" {
				// asmith, alone: held too, but no overlap.
				wg.Add(1)
				go func() { defer wg.Done(); do(t, "GET", base+"/"+sr.vendor+sr.other, "") }()
				waitHung(t, fault, 3)
			}
			if code, b := do(t, http.MethodDelete, fault, ""); code != 200 || !strings.Contains(string(b), `"hang":false`) {
				t.Errorf("DELETE: %d %s", code, b)
			}
			wg.Wait()
			for _, c := range codes {
				if c == 0 || c == 503 || c == 502 {
					t.Errorf("released request: %d", c)
				}
			}
			overlaps, _ := state(t, base, sr.vendor)["overlaps"].(map[string]any)
			if want := map[string]any{sr.key: 1.0}; !equalJSON(overlaps, want) {
				t.Errorf("overlaps %v, want %v", overlaps, want)
			}
		})
	}
}

// TestFakesRateLimits: SuperOffice's 10 requests/s hold by default and
// are lifted by -rate-limits=false.
func TestFakesRateLimits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool // some 429
	}{{nil, true}, {[]string{"-rate-limits=false"}, false}} {
		base, _ := startFakes(t, tc.args...)
		limited := false
		for range 30 {
			if c, _ := do(t, http.MethodGet, base+"/superoffice/api/v1/User/jdoe", ""); c == http.StatusTooManyRequests {
				limited = true
			}
		}
		if limited != tc.want {
			t.Errorf("%v: 30 quick requests rate limited: %v, want %v", tc.args, limited, tc.want)
		}
	}
}

func waitHung(t *testing.T, fault string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, b := do(t, http.MethodGet, fault, "")
		var a struct{ Hung int }
		json.Unmarshal(b, &a)
		if a.Hung == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %d hung requests: %s", n, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestFakesServeABridge points a bridge at the fakes with the printed
// vendors section and checks that one out-of-office call reaches every
// fake through its prefix (each adapter builds its URLs from base_url;
// LINE WORKS also has its token endpoint there).
func TestFakesServeABridge(t *testing.T) {
	t.Setenv("STATE_DIRECTORY", t.TempDir())
	base, printed := startFakes(t)
	var parsed struct{ Vendors map[string]map[string]any }
	if err := yaml.Unmarshal([]byte(printed), &parsed); err != nil || len(parsed.Vendors) != 5 {
		t.Fatalf("the output is not a YAML vendors section for five fakes (%v):\n%s", err, printed)
	}
	cfgYAML := `listen: 127.0.0.1:0
debug: true
auth:
  insecure_no_auth: true
identity:
  users:
    - therefore: {domain: CORP, name: jdoe}
      email: jdoe@example.com
      display_name: John Doe
` + printed
	cfg, err := config.Parse([]byte(cfgYAML), "fakes.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, cfgYAML)
	}
	srv, err := server.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var out, errOut bytes.Buffer
	if code := run([]string{"call", "oof", "-url", ts.URL + cfg.Endpoint, "-user", `CORP\jdoe`, "-on"}, &out, &errOut); code != 0 {
		t.Fatalf("call: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	checks := map[string]func(s map[string]any) bool{
		"grommunio": func(s map[string]any) bool {
			d := find(s["domains"], "domainname", "example.com")
			oof, _ := find(d["users"], "username", "jdoe@example.com")["oof"].(map[string]any)
			return oof["state"] == 1.0
		},
		"superoffice": func(s map[string]any) bool {
			return find(s["associates"], "UserName", "jdoe")["Status"] == "StatusNotAvailable"
		},
		"lineworks": func(s map[string]any) bool {
			st, _ := find(s["users"], "email", "jdoe@example.com")["statuses"].([]any)
			return len(st) == 1
		},
		"therefore": func(s map[string]any) bool {
			u, _ := s["users"].(map[string]any)[`CORP\jdoe`].(map[string]any)
			return u["out_of_office"] == true
		},
		"webhook": func(s map[string]any) bool {
			return find(s["events"], "operation", "SaveOutOfOfficeInfoForUser") != nil
		},
	}
	for _, sr := range subjectRequests {
		ok := checks[sr.vendor]
		// Delivery may finish after the answer: wait a little for it.
		deadline := time.Now().Add(10 * time.Second)
		s := state(t, base, sr.vendor)
		for ; !ok(s); s = state(t, base, sr.vendor) {
			if time.Now().After(deadline) {
				t.Errorf("%s did not get the change; state: %s", sr.vendor, js(s))
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The history holds that one change, under the same key as
		// overlaps.
		if h, _ := s["history"].(map[string]any)[sr.key].([]any); len(h) != 1 {
			t.Errorf("%s: history of %s: %s", sr.vendor, sr.key, js(s["history"]))
		}
	}
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// find returns the object in the JSON list whose key is val, or nil.
func find(list any, key, val string) map[string]any {
	l, _ := list.([]any)
	for _, e := range l {
		if m, ok := e.(map[string]any); ok && m[key] == val {
			return m
		}
	}
	return nil
}
