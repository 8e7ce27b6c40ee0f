package vendorkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

func TestCheckURL(t *testing.T) {
	cases := []struct {
		raw  string
		want string // "" when valid
	}{
		{"https://host.example/api/v1", ""},
		{"http://127.0.0.1:8080", ""},
		{"/api/v1", `base_url: must be an absolute http(s) URL, got scheme "" and host ""`},
		{"host.example", `base_url: must be an absolute http(s) URL, got scheme "" and host ""`},
		{"ftp://host.example", `base_url: must be an absolute http(s) URL, got scheme "ftp" and host "host.example"`},
		{"https://", `base_url: must be an absolute http(s) URL, got scheme "https" and host ""`},
		{"ftp://u:Pa55word@host.example/t0ken", `base_url: must be an absolute http(s) URL, got scheme "ftp" and host "host.example"`},
		{"::", `base_url: must be an absolute http(s) URL; this one does not parse`},
	}
	for _, tc := range cases {
		u, err := CheckURL("base_url", tc.raw)
		switch {
		case tc.want == "" && (err != nil || u == nil):
			t.Errorf("CheckURL(%q) = %v, %v; want a URL", tc.raw, u, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("CheckURL(%q) = %v, want %s", tc.raw, err, tc.want)
		}
	}
}

func TestPost(t *testing.T) {
	const secret = "s3cret-value"
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotBody = r, must(io.ReadAll(r.Body))
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusNoContent)
		case "/busy":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "busy, key "+secret)
		case "/final":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "PERMANENT")
		}
	}))
	defer srv.Close()
	d := Deps{}.WithDefaults()
	describe := func(status int, body []byte) (string, bool) {
		return string(body), bytes.Equal(body, []byte("PERMANENT"))
	}
	post := func(path string) fanout.Result {
		h := http.Header{}
		h.Set("X-Sig", "abc")
		p := Post{URL: srv.URL + path, Body: []byte(`{"a":1}`), Header: h, Timeout: time.Second,
			Secrets: []string{secret}, Describe: describe}
		return p.Do(context.Background(), d)
	}

	if res := post("/ok"); res.Status != fanout.OK || res.VendorStatus != 204 {
		t.Errorf("2xx: %+v", res)
	}
	if got.Method != http.MethodPost || got.Header.Get("Content-Type") != "application/json" ||
		got.Header.Get("X-Sig") != "abc" || string(gotBody) != `{"a":1}` {
		t.Errorf("sent %s %v %s", got.Method, got.Header, gotBody)
	}
	if res := post("/busy"); res.Status != fanout.Retryable || res.VendorStatus != 503 ||
		res.RetryAfter != 7*time.Second || res.Message != "busy, key [redacted]" {
		t.Errorf("503: %+v", res)
	}
	if res := post("/final"); res.Status != fanout.Permanent || res.VendorStatus != 500 {
		t.Errorf("500 the vendor calls permanent: %+v", res)
	}
	srv.Close()
	if res := post("/ok"); res.Status != fanout.Retryable || res.VendorStatus != 0 {
		t.Errorf("no answer: %+v", res)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
