package vendortest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// cfg is a vendor configuration in miniature.
type cfg struct {
	vendorkit.Common `yaml:",inline"`
	URL              string
}

func (c *cfg) Defaults() {
	c.DefaultTimeout(time.Second)
}

func (c *cfg) Check() error {
	if strings.HasPrefix(c.URL, "leak:") { // a careless check, for CheckConfig's own test
		return fmt.Errorf("url: must be an absolute http(s) URL, got %q", c.URL)
	}
	if _, err := vendorkit.CheckURL("url", c.URL); err != nil {
		return err
	}
	return c.CheckCommon()
}

type adapter struct {
	c cfg
	d vendorkit.Deps
}

func TestSetup(t *testing.T) {
	var seen []string
	h := Tap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "fake got "+string(b))
	}), func(r *http.Request, body []byte) { seen = append(seen, r.Method+" "+string(body)) })
	clk := NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	e := Setup(t, h, func(u string) cfg { return cfg{URL: u} }, func(c cfg, d vendorkit.Deps) (*adapter, error) {
		return &adapter{c, d}, nil
	}, func(c *cfg, d *vendorkit.Deps) { d.Now = clk.Now })
	if e.Config.URL != e.Server.URL || e.Config.Timeout.D() != time.Second {
		t.Errorf("config %+v: want the server's URL and the defaults", e.Config)
	}
	if e.Adapter.d.Now() != clk.Now() || e.Adapter.d.Directory == nil || e.Log == nil {
		t.Errorf("deps %+v", e.Adapter.d)
	}
	clk.Advance(time.Hour)
	if e.Adapter.d.Now().Hour() != 4 {
		t.Errorf("after Advance: %v", e.Adapter.d.Now())
	}
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL, strings.NewReader("hello"))
	resp, body := Do(t, e.Adapter.d.HTTP, req)
	if resp.StatusCode != 200 || string(body) != "fake got hello" || len(seen) != 1 || seen[0] != "POST hello" {
		t.Errorf("%d %q, tapped %q", resp.StatusCode, body, seen)
	}
}

// fatal records whether a check failed, without failing the test.
type fatal struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatal) Helper()                        {}
func (f *fatal) Fatalf(format string, a ...any) { f.failed, f.msg = true, format; panic(errStop) }
func (f *fatal) Errorf(format string, a ...any) { f.failed, f.msg = true, format }

var errStop = errors.New("stop")

func TestCheckConfig(t *testing.T) {
	cases := []struct {
		url, want string
		secrets   []string
		fails     bool
	}{
		{"http://h", "", nil, false},
		{"/rel", "url: must be an absolute", nil, false},
		{"/rel", "", nil, true},                                   // fails, valid wanted
		{"http://h", "url:", nil, true},                           // passes, error wanted
		{"/rel", "must be", nil, true},                            // not the error's start
		{"leak:s3cret", "url: must be", []string{"s3cret"}, true}, // quotes a secret
		{"https://h/s3cret?k=s3cret", "", []string{"s3cret"}, false},
		{"ftp://h/s3cret", "url: must be", []string{"s3cret"}, false}, // CheckURL never quotes the path
	}
	for _, tc := range cases {
		f := &fatal{}
		func() {
			defer func() {
				if r := recover(); r != nil && r != errStop {
					panic(r)
				}
			}()
			CheckConfig(f, &cfg{URL: tc.url}, tc.want, tc.secrets...)
		}()
		if f.failed != tc.fails {
			t.Errorf("CheckConfig(%q, want %q, secrets %q): failed %v, want %v", tc.url, tc.want, tc.secrets, f.failed, tc.fails)
		}
	}
}

func TestReadConfig(t *testing.T) {
	c := ReadConfig[cfg](t, "url: https://h.example\n")
	if c.URL != "https://h.example" || c.Timeout.D() != time.Second {
		t.Errorf("read %+v: want the URL and the default timeout", c)
	}
	for _, src := range []string{"url: https://h.example\nextra: 1\n", "url: /relative\n"} {
		f := &fatal{}
		func() {
			defer func() {
				if r := recover(); r != nil && r != errStop {
					panic(r)
				}
			}()
			ReadConfig[cfg](f, src)
		}()
		if !f.failed {
			t.Errorf("ReadConfig(%q) passed", src)
		}
	}
}
