package vendorkit

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// CheckURL parses raw, the value of the config field field, and requires
// an absolute http(s) URL with a host. The error quotes the value with
// any password masked. What else a vendor forbids in its URL (user info,
// a query, a path it must end in) it checks on the returned URL.
func CheckURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// The text may hold a token (webhook URLs often do): never echo it.
		return nil, fmt.Errorf("%s: must be an absolute http(s) URL; this one does not parse", field)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Only scheme and host are shown: paths and queries can carry tokens.
		return nil, fmt.Errorf("%s: must be an absolute http(s) URL, got scheme %q and host %q", field, u.Scheme, u.Host)
	}
	return u, nil
}

// Post is the whole exchange of an adapter that carries a call as one
// JSON POST (thereforerest, webhook).
type Post struct {
	URL  string
	Body []byte
	// Header is sent besides Content-Type: application/json (which it
	// may replace).
	Header  http.Header
	Timeout time.Duration
	// Secrets are scrubbed from every message.
	Secrets []string
	// Describe reads a non-2xx answer: the result's message, and whether
	// the vendor says it is permanent whatever its HTTP status.
	Describe func(status int, body []byte) (message string, permanent bool)
}

// Do sends p once with d.HTTP and classifies the outcome: 2xx is OK,
// another status is Failure (with the vendor's retry hint), and a request
// that got no answer is FromError.
func (p Post) Do(ctx context.Context, d Deps) fanout.Result {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return fanout.Result{Status: fanout.Permanent, Message: "building the request: " + Scrub(err.Error(), p.Secrets...)}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range p.Header {
		req.Header[k] = v
	}
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return FromError(err, p.Secrets...)
	}
	answer := ReadBody(resp)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return fanout.Result{Status: fanout.OK, VendorStatus: resp.StatusCode}
	}
	msg, permanent := p.Describe(resp.StatusCode, answer)
	res := Failure(resp, Scrub(msg, p.Secrets...), d.Now())
	if permanent {
		res.Status = fanout.Permanent
	}
	return res
}
