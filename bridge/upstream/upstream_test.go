package upstream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
)

func client(t *testing.T, url string, mutate func(*config.Upstream)) *upstream.Client {
	t.Helper()
	cfg := config.Upstream{URL: url, Timeout: config.Duration(5 * time.Second)}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := upstream.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSendHeaders: end-to-end headers go on, hop-by-hop ones do not, and
// the service account replaces Authorization only for listed operations.
func TestSendHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "1")
		w.Header().Set("X-End", "2")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "answer")
	}))
	defer srv.Close()
	c := client(t, srv.URL, func(u *config.Upstream) {
		u.Auth = config.UpstreamAuth{Username: "svc", Password: config.NewSecret("pw")}
		u.Allow = []string{"GetDocument"}
	})
	for _, tt := range []struct{ op, wantUser string }{{"GetDocument", "svc"}, {"SavePortalUser", "client"}} {
		in := httptest.NewRequest(http.MethodPost, "/", nil)
		in.Header.Set("Content-Type", "text/xml")
		in.Header.Set("SOAPAction", `"a"`)
		in.Header.Set("Connection", "X-Private")
		in.Header.Set("X-Private", "secret")
		in.Header.Set("Keep-Alive", "timeout=5")
		in.SetBasicAuth("client", "pw")
		ans, err := c.Send(context.Background(), upstream.Call{Operation: tt.op, In: in, RequestID: "rid", Body: strings.NewReader("<x/>")})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if _, err := upstream.CopyAnswer(rec, ans); err != nil {
			t.Fatal(err)
		}
		ans.Close()
		r := &http.Request{Header: got}
		user, _, _ := r.BasicAuth()
		if user != tt.wantUser || got.Get("Soapaction") != `"a"` || got.Get("X-Request-Id") != "rid" || got.Get("X-Private") != "" || got.Get("Keep-Alive") != "" {
			t.Errorf("%s: upstream got %v", tt.op, got)
		}
		if rec.Code != http.StatusAccepted || rec.Body.String() != "answer" || rec.Header().Get("X-End") != "2" || rec.Header().Get("Connection") != "" {
			t.Errorf("%s: client got %d %v %q", tt.op, rec.Code, rec.Header(), rec.Body)
		}
	}
}

func TestLimitBody(t *testing.T) {
	for _, tt := range []struct {
		body    string
		max     int64
		wantErr bool
	}{{"12345", 5, false}, {"123456", 5, true}, {"", 0, false}} {
		_, err := io.ReadAll(upstream.LimitBody(strings.NewReader(tt.body), tt.max))
		if (err != nil) != tt.wantErr {
			t.Errorf("%q with limit %d: error %v", tt.body, tt.max, err)
		}
	}
}

func TestLabel(t *testing.T) {
	c := client(t, "http://127.0.0.1:1/svc", func(u *config.Upstream) { u.Allow = []string{"GetDocument"} })
	c.SetOperations([]string{"ExecuteSingleQuery"})
	for op, want := range map[string]string{"GetDocument": "GetDocument", "ExecuteSingleQuery": "ExecuteSingleQuery", "Whatever": "other", "": "other"} {
		if got := c.Label(op); got != want {
			t.Errorf("Label(%q) = %q, want %q", op, got, want)
		}
	}
	if c.Allowed("ExecuteSingleQuery") || !c.Allowed("GetDocument") {
		t.Error("the allow list is not applied")
	}
}

func TestUnreachableNamesOnlyTheHost(t *testing.T) {
	c := client(t, "http://127.0.0.1:1/secret-path?token=abc", nil)
	_, err := c.Send(context.Background(), upstream.Call{In: httptest.NewRequest(http.MethodPost, "/", nil), Body: strings.NewReader("")})
	var ue *upstream.Error
	if !errors.As(err, &ue) || ue.Kind != upstream.Unreachable || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "http://127.0.0.1:1") {
		t.Errorf("error %v", err)
	}
}
