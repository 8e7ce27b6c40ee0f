package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // accepts -update
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// do sends one request with the demo Basic credentials; hdr overrides
// headers ("-" removes one).
func do(t *testing.T, srv *httptest.Server, method, path, body string, hdr map[string]string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.SetBasicAuth(fake.DemoUser, fake.DemoPassword)
	for k, v := range hdr {
		if v == "-" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, b := vendortest.Do(t, srv.Client(), req)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("%s %s: the answer is not a JSON object: %q", method, path, b)
	}
	return a
}

func serve(t *testing.T, f *fake.Fake) *httptest.Server { return vendortest.Serve(t, f) }

// isError checks SuperOffice's error shape.
func isError(t *testing.T, a answer, status int, contains string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status = %d, want %d (%v)", a.status, status, a.body)
	}
	if a.body["Error"] != true || a.body["ErrorType"] == "" || a.body["ErrorSource"] == nil ||
		!strings.Contains(a.body["ErrorMessage"].(string), contains) {
		t.Errorf("body = %v, want the error shape with %q", a.body, contains)
	}
}

func TestLookup(t *testing.T) {
	srv := serve(t, fake.New())
	a := do(t, srv, "GET", "/api/v1/User/ASmith", "", nil)
	if a.status != 200 || a.body["AssociateId"] != float64(18) || a.body["UserName"] != "asmith" {
		t.Errorf("by name: %d %v", a.status, a.body)
	}
	a = do(t, srv, "GET", "/api/v1/User/19", "", nil)
	if a.status != 200 || a.body["UserName"] != "bwong" {
		t.Errorf("by id: %d %v", a.status, a.body)
	}
	isError(t, do(t, srv, "GET", "/api/v1/User/nobody", "", nil), 404, `user "nobody" not found`)
}

func TestPresence(t *testing.T) {
	f := fake.New()
	srv := serve(t, f)
	a := do(t, srv, "PUT", "/api/v1/User/17/UserPresenceStatus", `{"Status":"StatusNotAvailable","Message":"away"}`, nil)
	if a.status != 200 || a.body["Status"] != "StatusNotAvailable" || a.body["Message"] != "away" {
		t.Errorf("put: %d %v", a.status, a.body)
	}
	a = do(t, srv, "GET", "/api/v1/user/17/userpresencestatus", "", nil)
	if a.status != 200 || a.body["Status"] != "StatusNotAvailable" {
		t.Errorf("get: %d %v", a.status, a.body)
	}
	if s := f.State(); s.Associates[0].Status != "StatusNotAvailable" || s.Associates[0].Message != "away" ||
		s.Requests["PUT User/{associateId}/UserPresenceStatus"] != 1 {
		t.Errorf("state = %+v", s)
	}
}

func TestRejects(t *testing.T) {
	const put = "/api/v1/User/17/UserPresenceStatus"
	tests := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		contains                 string
	}{
		{"not json", "PUT", put, `Status=StatusNormal`, nil, 400, "must be a JSON object"},
		{"array", "PUT", put, `[]`, nil, 400, "must be a JSON object"},
		{"no status", "PUT", put, `{"Message":"x"}`, nil, 400, "Status: required"},
		{"unknown status", "PUT", put, `{"Status":"Away"}`, nil, 400, `"Away" is not a UserStatus`},
		{"numeric status", "PUT", put, `{"Status":2}`, nil, 400, "Status: must be a string"},
		{"message not a string", "PUT", put, `{"Status":"StatusNormal","Message":5}`, nil, 400, "Message: must be a string"},
		{"unknown member", "PUT", put, `{"Status":"StatusNormal","Comment":"x"}`, nil, 400, `unknown member "Comment"`},
		{"xml", "PUT", put, `<x/>`, map[string]string{"Content-Type": "application/xml"}, 415, "send application/json"},
		{"post", "POST", put, `{"Status":"StatusNormal"}`, nil, 405, "POST User/{associateId}/UserPresenceStatus"},
		{"delete user", "DELETE", "/api/v1/User/jdoe", "", nil, 405, "DELETE User/{userName}"},
		{"unknown associate", "PUT", "/api/v1/User/99/UserPresenceStatus", `{"Status":"StatusNormal"}`, nil, 404, "associate 99 not found"},
		{"id not a number", "PUT", "/api/v1/User/jdoe/UserPresenceStatus", `{"Status":"StatusNormal"}`, nil, 404, "must be a number"},
		{"outside api/v1", "GET", "/User/jdoe", "", nil, 404, "no route matches"},
		{"unknown path", "GET", "/api/v1/Contact/1", "", nil, 404, "no route matches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fake.New()
			isError(t, do(t, serve(t, f), tt.method, tt.path, tt.body, tt.hdr), tt.status, tt.contains)
			if s := f.State().Associates[0]; s.Status != "StatusNormal" || s.Message != "" {
				t.Errorf("jdoe changed: %+v", s)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	basic := map[string]string{}
	tests := []struct {
		mode     fake.AuthMode
		hdr      map[string]string
		status   int
		contains string
	}{
		{fake.AuthBasic, basic, 200, ""},
		{fake.AuthBasic, map[string]string{"Authorization": "-"}, 401, "Authorization header missing"},
		{fake.AuthBasic, map[string]string{"Authorization": "Basic Ym9iOnNlY3JldA=="}, 401, "invalid credentials"},
		{fake.AuthBasic, map[string]string{"Authorization": "SOTicket " + fake.DemoTicket}, 401, "use Basic"},
		{fake.AuthSOTicket, map[string]string{"Authorization": "SoTicket " + fake.DemoTicket}, 200, ""},
		{fake.AuthSOTicket, map[string]string{"Authorization": "SOTicket 7T:other"}, 401, "invalid credentials"},
		{fake.AuthSOTicket, basic, 401, "use SOTicket"},
		{fake.AuthBearer, map[string]string{"Authorization": "Bearer " + fake.DemoToken, "SO-AppToken": fake.DemoAppToken}, 200, ""},
		{fake.AuthBearer, map[string]string{"Authorization": "Bearer " + fake.DemoToken}, 401, "SO-AppToken missing"},
		{fake.AuthBearer, map[string]string{"Authorization": "Bearer 8A:other", "SO-AppToken": fake.DemoAppToken}, 401, "invalid credentials"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+"/"+tt.hdr["Authorization"], func(t *testing.T) {
			a := do(t, serve(t, fake.NewWithAuth(tt.mode)), "GET", "/api/v1/User/jdoe", "", tt.hdr)
			if tt.status == 200 {
				if a.status != 200 {
					t.Errorf("status = %d: %v", a.status, a.body)
				}
				return
			}
			isError(t, a, 401, tt.contains)
			if a.header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate challenge")
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		f := fake.New()
		f.ExpireCredentials()
		isError(t, do(t, serve(t, f), "GET", "/api/v1/User/jdoe", "", nil), 401, "credentials expired")
	})
}

func TestRateLimit(t *testing.T) {
	f := fake.New() // the default: 10 requests per second
	var mu sync.Mutex
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	f.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	srv := serve(t, f)
	for i := range fake.DefaultRateLimit {
		if a := do(t, srv, "GET", "/api/v1/User/jdoe", "", nil); a.status != 200 {
			t.Fatalf("request %d: %d", i+1, a.status)
		}
	}
	a := do(t, srv, "GET", "/api/v1/User/jdoe", "", nil)
	isError(t, a, 429, "rate limit exceeded")
	if a.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", a.header.Get("Retry-After"))
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if a := do(t, srv, "GET", "/api/v1/User/jdoe", "", nil); a.status != 200 {
		t.Errorf("after a second: %d", a.status)
	}
}

func TestFailNext(t *testing.T) {
	f := fake.New()
	srv := serve(t, f)
	f.FailNext(2, 503)
	for range 2 {
		isError(t, do(t, srv, "GET", "/api/v1/User/jdoe", "", nil), 503, "injected failure")
	}
	if a := do(t, srv, "GET", "/api/v1/User/jdoe", "", nil); a.status != 200 {
		t.Errorf("third: %d", a.status)
	}
	if s := f.State(); s.Rejected[503] != 2 || s.Requests["GET User/{userName}"] != 1 {
		t.Errorf("state = %+v", s)
	}
}

func TestDropConnections(t *testing.T) {
	f := fake.New()
	srv := serve(t, f)
	f.DropConnections(1)
	req, _ := http.NewRequest("PUT", srv.URL+"/api/v1/User/17/UserPresenceStatus", strings.NewReader(`{"Status":"StatusNormal"}`))
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d", resp.StatusCode)
	}
}
