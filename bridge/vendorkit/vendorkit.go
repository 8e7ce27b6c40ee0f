// Package vendorkit is what every vendor adapter shares: its dependencies,
// the configuration keys every vendor has (config.go), the classification
// of HTTP answers into fan-out results (retryable or not, with the
// vendor's own retry hint), secret scrubbing, the one way to cache lookups
// and share token fetches (cache.go), and the templates of out-of-office
// texts. Adapters stay one method long; the
// engine owns retries.
package vendorkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
)

// Deps are what the bridge hands every adapter.
type Deps struct {
	Log       *slog.Logger
	Directory identity.Directory
	HTTP      *http.Client
	Now       func() time.Time
}

// transport is the vendors' shared connection pool. Go's default keeps 2
// idle connections per host: with calls in parallel, every vendor request
// beyond the second dialled a new connection and closed it after, which
// was a third of the bridge's CPU with four vendors at 32 calls at once.
var transport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 128
	return t
}()

// WithDefaults fills what a test left out.
func (d Deps) WithDefaults() Deps {
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.Directory == nil {
		d.Directory = identity.FromConfig(config.Identity{}) // nobody is mapped
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: tracing.Transport(transport)}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// Classify says what an HTTP status means for a retry: 2xx is OK; 408,
// 425, 429 and 5xx other than 501 are worth retrying; the rest are not.
func Classify(status int) fanout.Status {
	switch {
	case status >= 200 && status < 300:
		return fanout.OK
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status == http.StatusTooManyRequests:
		return fanout.Retryable
	case status >= 500 && status != http.StatusNotImplemented:
		return fanout.Retryable
	}
	return fanout.Permanent
}

// RetryAfter reads the vendor's wait hint: Retry-After (seconds or an HTTP
// date) or LINE WORKS' rateLimit-reset (seconds until the window resets).
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	if v := strings.TrimSpace(h.Get("RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			if s > 1_000_000_000 { // an epoch time, not a delay
				if t := time.Unix(s, 0); t.After(now) {
					return t.Sub(now)
				}
				return 0
			}
			return time.Duration(s) * time.Second
		}
	}
	return 0
}

// Failure builds the result of a non-2xx answer: its class, the vendor's
// status and message, and the retry hint.
func Failure(resp *http.Response, message string, now time.Time) fanout.Result {
	return fanout.Result{
		Status:       Classify(resp.StatusCode),
		VendorStatus: resp.StatusCode,
		Message:      Truncate(message, 300),
		RetryAfter:   RetryAfter(resp.Header, now),
	}
}

// FromError classifies a transport error. Timeouts and resets are
// retryable; a cancelled call (the client went away) is reported as such.
// The error text never carries the URL's query or user info.
func FromError(err error, secrets ...string) fanout.Result {
	msg := redactURLError(err)
	switch {
	case errors.Is(err, context.Canceled):
		return fanout.Result{Status: fanout.Retryable, Message: "cancelled: " + Scrub(msg, secrets...)}
	case errors.Is(err, context.DeadlineExceeded):
		return fanout.Result{Status: fanout.Retryable, Message: "timed out: " + Scrub(msg, secrets...)}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "connection refused") {
		return fanout.Result{Status: fanout.Retryable, Message: Scrub(msg, secrets...)}
	}
	return fanout.Result{Status: fanout.Permanent, Message: Scrub(msg, secrets...)}
}

func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			u.User = nil
			u.RawQuery = ""
			return fmt.Sprintf("%s %s: %v", ue.Op, u.Redacted(), ue.Err)
		}
		return fmt.Sprintf("%s: %v", ue.Op, ue.Err)
	}
	return err.Error()
}

// Scrub replaces every occurrence of each secret in s.
func Scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// Truncate shortens s to at most n bytes for messages.
func Truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// ReadBody reads at most 1 MiB of a vendor's answer and closes it.
func ReadBody(resp *http.Response) []byte {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return b
}

// TextData is what out-of-office text templates can use.
type TextData struct {
	Name     string // display name, else user name
	Email    string
	UserName string
	Date     string // today, YYYY-MM-DD
	Enabled  bool
}

// NewTextData describes u (with its account, when mapped) at now.
func NewTextData(u intent.User, acct identity.Account, now time.Time, enabled bool) TextData {
	name := acct.DisplayName
	if name == "" {
		name = u.UserName
	}
	if name == "" {
		name = u.Caller
	}
	return TextData{Name: name, Email: acct.Email, UserName: u.UserName, Date: now.Format("2006-01-02"), Enabled: enabled}
}

// Template is a parsed text template from the config, e.g.
// "{{.Name}} is out of the office".
type Template struct{ t *template.Template }

// ParseTemplate parses s; field names the config field for errors.
func ParseTemplate(field, s string) (Template, error) {
	t, err := template.New(field).Option("missingkey=error").Parse(s)
	if err != nil {
		return Template{}, fmt.Errorf("%s: %v", field, err)
	}
	if err := t.Execute(io.Discard, TextData{}); err != nil {
		return Template{}, fmt.Errorf("%s: %v", field, err)
	}
	return Template{t: t}, nil
}

// Render executes the template; an empty Template renders "".
func (t Template) Render(d TextData) string {
	if t.t == nil {
		return ""
	}
	var b bytes.Buffer
	if err := t.t.Execute(&b, d); err != nil {
		return ""
	}
	return b.String()
}
