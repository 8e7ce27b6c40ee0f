package fake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update is accepted by every test package
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// client talks to a fake as a raw HTTP client would.
type client struct {
	t   *testing.T
	url string
	jwt string
}

func newClient(t *testing.T) (*Fake, *client) {
	f := New()
	srv := vendortest.Serve(t, f)
	return f, &client{t: t, url: srv.URL + "/api/v1"}
}

func (c *client) login() {
	c.t.Helper()
	status, body := c.do("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"user": {DemoUser}, "pass": {DemoPassword}}.Encode(), nil)
	var out map[string]string
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil {
		c.t.Fatalf("login: %d %s", status, body)
	}
	if out["csrf"] != csrfOf(out["grommunioAuthJwt"]) {
		c.t.Fatalf("login: csrf %q is not base64(SHA3-256(jwt))", out["csrf"])
	}
	c.jwt = out["grommunioAuthJwt"]
}

// do sends a request; hdr adds or (with "") removes headers.
func (c *client) do(method, path, ctype, body string, hdr map[string]string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.jwt != "" {
		req.Header.Set("Cookie", "grommunioAuthJwt="+c.jwt)
		if method != "GET" {
			req.Header.Set("X-Csrf-Token", csrfOf(c.jwt))
		}
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, b := vendortest.Do(c.t, nil, req)
	return resp.StatusCode, string(b)
}

func TestFakeEnforces(t *testing.T) {
	const oof = "/domains/1/users/101/oof"
	const js = "application/json"
	tests := []struct {
		name          string
		login         bool
		method, path  string
		ctype, body   string
		hdr           map[string]string
		status        int
		bodyHas       string
		wantViolation bool
	}{
		{name: "login without pass", method: "POST", path: "/login", ctype: "application/x-www-form-urlencoded", body: "user=admin", status: 400, bodyHas: "Incomplete login form"},
		{name: "login wrong pass", method: "POST", path: "/login", ctype: "application/x-www-form-urlencoded", body: "user=admin&pass=nope", status: 401, bodyHas: "Login failed"},
		{name: "no cookie", method: "GET", path: oof, status: 401, bodyHas: `"message":"Access denied"`},
		{name: "unknown token", method: "GET", path: oof, hdr: map[string]string{"Cookie": "grommunioAuthJwt=forged"}, status: 401, bodyHas: "invalid token"},
		{name: "get needs no csrf", login: true, method: "GET", path: oof, status: 200, bodyHas: `"state":0`},
		{name: "put without csrf", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":1}`, hdr: map[string]string{"X-Csrf-Token": ""}, status: 403},
		{name: "put with wrong csrf", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":1}`, hdr: map[string]string{"X-Csrf-Token": "AAAA"}, status: 403},
		{name: "state out of enum", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":7}`, status: 400, bodyHas: `"message":"Bad Request","errors":[`},
		{name: "state as string", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":"on"}`, status: 400, bodyHas: "Bad Request"},
		{name: "bad start time", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":2,"startTime":"2024-01-01T10:00:00Z"}`, status: 400, bodyHas: "Bad Request"},
		{name: "null start time", login: true, method: "PUT", path: oof, ctype: js, body: `{"state":0,"startTime":null}`, status: 200, bodyHas: "Success"},
		{name: "not json", login: true, method: "PUT", path: oof, ctype: "text/plain", body: `state=1`, status: 400, bodyHas: "Bad Request"},
		{name: "empty oof body", login: true, method: "PUT", path: oof, ctype: js, body: ``, status: 400, bodyHas: "Missing or incomplete data"},
		{name: "empty oof object", login: true, method: "PUT", path: oof, ctype: js, body: `{}`, status: 400, bodyHas: "Missing or incomplete data"},
		{name: "user id not integer", login: true, method: "GET", path: "/domains/1/users/jdoe/oof", status: 400, bodyHas: "Bad Request"},
		{name: "unknown user", login: true, method: "GET", path: "/domains/1/users/999/oof", status: 404, bodyHas: "User not found"},
		{name: "user of another domain", login: true, method: "GET", path: "/domains/2/users/101/oof", status: 404},
		{name: "delegates not a list", login: true, method: "PUT", path: "/domains/1/users/101/delegates", ctype: js, body: `{"a":1}`, status: 400, bodyHas: "Bad Request"},
		{name: "invalid delegate is a 200", login: true, method: "PUT", path: "/domains/1/users/101/delegates", ctype: js, body: `["nobody"]`, status: 200, bodyHas: "Invalid delegates e-mail 'nobody'"},
		{name: "unknown path", login: true, method: "GET", path: "/nothing", status: 404},
		{name: "wrong method", login: true, method: "DELETE", path: oof, status: 405},
		{name: "user lookup", login: true, method: "GET", path: "/domains/1/users?username=ASMITH@example.com", status: 200, bodyHas: `"ID":102`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newClient(t)
			if tt.login {
				c.login()
			}
			status, body := c.do(tt.method, tt.path, tt.ctype, tt.body, tt.hdr)
			if status != tt.status || !strings.Contains(body, tt.bodyHas) {
				t.Errorf("got %d %s, want %d with %q", status, body, tt.status, tt.bodyHas)
			}
			if v := f.State().Violations; len(v) > 0 {
				t.Errorf("the fake broke the document: %v", v)
			}
		})
	}
}

func TestFakeState(t *testing.T) {
	f, c := newClient(t)
	c.login()
	put := func(path, body string) {
		t.Helper()
		if status, out := c.do("PUT", path, "application/json", body, nil); status != 200 {
			t.Fatalf("PUT %s: %d %s", path, status, out)
		}
	}
	put("/domains/1/users/101/oof", `{"state":1,"externalAudience":2,"internalSubject":"Away","internalReply":"Back soon","externalReply":null}`)
	put("/domains/1/users/101/delegates", `["asmith@example.com"]`)
	u, _ := f.User("jdoe@example.com")
	got, _ := json.Marshal(u)
	want := `{"ID":101,"username":"jdoe@example.com","oof":{"externalAudience":2,"internalReply":"Back soon","internalSubject":"Away","state":1},"delegates":["asmith@example.com"]}`
	if string(got) != want {
		t.Errorf("state\n got %s\nwant %s", got, want)
	}
	// PUT replaces the whole state: what is not sent is reset.
	put("/domains/1/users/101/oof", `{"state":0}`)
	if _, body := c.do("GET", "/domains/1/users/101/oof", "", "", nil); body != `{"externalAudience":0,"state":0}` {
		t.Errorf("after a PUT of state alone: %s", body)
	}
	f.ExpireTokens()
	if status, body := c.do("GET", "/domains/1/users/101/oof", "", "", nil); status != 401 || !strings.Contains(body, "Token has expired") {
		t.Errorf("expired token: %d %s", status, body)
	}
	if n := f.Logins(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
}

func TestFakeFailures(t *testing.T) {
	f, c := newClient(t)
	c.login()
	f.FailNext(1, 429)
	req, _ := http.NewRequest("GET", c.url+"/domains", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("FailNext(1, 429): %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if status, _ := c.do("GET", "/domains", "", "", nil); status != 200 {
		t.Errorf("after the injected failure: %d", status)
	}
	f.DropConnections(1)
	// A fresh connection: net/http repeats an idempotent request whose
	// reused connection closed, which would hide the drop.
	fresh := &http.Client{Transport: &http.Transport{}}
	if _, err := fresh.Get(c.url + "/domains"); err == nil {
		t.Errorf("DropConnections(1): the request got an answer")
	}
}
