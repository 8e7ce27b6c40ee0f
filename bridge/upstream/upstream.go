// Package upstream forwards SOAP calls to the Therefore server the bridge
// stands in front of: the request goes on unchanged and streamed (body,
// SOAPAction, Content-Type, SOAP headers, Authorization), and the answer
// comes back unchanged (status, headers, body, faults), never buffered
// whole, so a large document costs the bridge a copy buffer, not its size.
// It knows nothing of SOAP beyond the operation name it is told.
package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// Kind says why a call did not get an answer from the upstream.
type Kind int

// The ways a forward fails before the upstream answered.
const (
	Unreachable Kind = iota // connection refused, DNS, TLS, reset: HTTP 502
	Timeout                 // no answer within upstream.timeout: HTTP 504
	BadRequest              // the client's body could not be read (or was too large)
)

// Error is a forward that got no answer from the upstream.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Client forwards calls to one upstream.
type Client struct {
	url     *url.URL
	http    *http.Client
	timeout time.Duration
	auth    config.UpstreamAuth
	allow   []string // empty: every operation

	mu  sync.RWMutex
	ops map[string]bool // metric labels: the upstream WSDL's operation names
}

// hopByHop are the headers of one connection (RFC 9110, 7.6.1), never
// forwarded.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// New builds a client for cfg (cfg.URL set).
func New(cfg config.Upstream) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("upstream.url: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// The body goes back as the upstream sent it, compressed or not.
	tr.DisableCompression = true
	tr.ResponseHeaderTimeout = cfg.Timeout.D()
	tr.MaxIdleConnsPerHost = 64
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("upstream.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("upstream.ca_file: no PEM certificates in %s", cfg.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
	}
	c := &Client{url: u, timeout: cfg.Timeout.D(), auth: cfg.Auth, allow: cfg.Allow, ops: map[string]bool{},
		http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.SetOperations(cfg.Allow)
	return c, nil
}

// URL returns the upstream's endpoint.
func (c *Client) URL() string { return c.url.String() }

// HTTP returns the client used for the upstream (the WSDL is fetched with
// the same TLS settings).
func (c *Client) HTTP() *http.Client { return c.http }

// AuthorizeWSDL adds the service account, when there is one, to a request
// for the upstream's WSDL.
func (c *Client) AuthorizeWSDL(r *http.Request) {
	if c.auth.Enabled() {
		r.SetBasicAuth(c.auth.Username, c.auth.Password.Value())
	}
}

// Allowed reports whether op may be passed through.
func (c *Client) Allowed(op string) bool { return len(c.allow) == 0 || slices.Contains(c.allow, op) }

// AllowList returns the configured allow list (empty: everything).
func (c *Client) AllowList() []string { return c.allow }

// SetOperations sets the operation names metrics may use as labels (the
// upstream WSDL's, and the allow list's).
func (c *Client) SetOperations(names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range names {
		c.ops[n] = true
	}
	for _, n := range c.allow {
		c.ops[n] = true
	}
}

// Label returns op when it is a known operation, else "other": operation
// names come from the client and must not grow the metrics without bound.
func (c *Client) Label(op string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ops[op] {
		return op
	}
	return "other"
}

// Call is one call to forward.
type Call struct {
	Operation string        // the operation name, for the allow list and the service account
	In        *http.Request // the client's request, for its headers
	Body      io.Reader     // what to send: the client's body, possibly partly read already
	RequestID string
}

// Answer is the upstream's answer; the caller must close Body.
type Answer struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
	cancel context.CancelFunc
}

// Close releases the answer and its deadline.
func (a *Answer) Close() error {
	err := a.Body.Close()
	a.cancel()
	return err
}

// Send forwards one call and returns the upstream's answer with its body
// unread, within upstream.timeout (body included).
func (c *Client) Send(ctx context.Context, call Call) (*Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url.String(), io.NopCloser(call.Body))
	if err != nil {
		cancel()
		return nil, &Error{Kind: Unreachable, Err: err}
	}
	for k, vs := range call.In.Header {
		req.Header[k] = slices.Clone(vs)
	}
	for _, h := range hopByHop {
		req.Header.Del(h)
	}
	for _, h := range call.In.Header.Values("Connection") {
		req.Header.Del(h) // headers a client marked as its connection's own
	}
	req.ContentLength = call.In.ContentLength
	if call.RequestID != "" {
		req.Header.Set("X-Request-ID", call.RequestID)
	}
	if c.auth.Enabled() && slices.Contains(c.allow, call.Operation) {
		// The service account only ever for the operations listed.
		req.SetBasicAuth(c.auth.Username, c.auth.Password.Value())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		cancel()
		return nil, classify(ctx, err, c.url)
	}
	return &Answer{Status: resp.StatusCode, Header: resp.Header, Body: resp.Body, cancel: cancel}, nil
}

// classify turns a transport error into an Error that names the upstream
// by scheme and host only (paths and queries may carry tokens).
func classify(ctx context.Context, err error, u *url.URL) error {
	where := u.Scheme + "://" + u.Host
	var bodyErr *bodyError
	if errors.As(err, &bodyErr) {
		return &Error{Kind: BadRequest, Err: bodyErr.err}
	}
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Kind: Timeout, Err: fmt.Errorf("the upstream Therefore server at %s did not answer in time", where)}
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	return &Error{Kind: Unreachable, Err: fmt.Errorf("the upstream Therefore server at %s cannot be reached: %v", where, cause)}
}

// bodyError marks a failure reading the client's body, so it is not
// mistaken for the upstream's.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }

// LimitBody bounds the client's body while it streams; reading past max
// fails the forward as the client's fault.
func LimitBody(r io.Reader, max int64) io.Reader { return &limitedBody{r: r, left: max} }

type limitedBody struct {
	r    io.Reader
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &bodyError{fmt.Errorf("the request body is larger than the limit")}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, &bodyError{fmt.Errorf("the request body is larger than the limit")}
	}
	if err != nil && err != io.EOF {
		return n, &bodyError{err}
	}
	return n, err
}

// CopyAnswer writes a to w: status, end-to-end headers and the body,
// streamed and flushed as it arrives. It returns the bytes copied.
func CopyAnswer(w http.ResponseWriter, a *Answer) (int64, error) {
	h := w.Header()
	for k, vs := range a.Header {
		h[k] = slices.Clone(vs)
	}
	for _, k := range hopByHop {
		h.Del(k)
	}
	w.WriteHeader(a.Status)
	buf := make([]byte, 32<<10)
	var n int64
	rc := http.NewResponseController(w)
	for {
		m, err := a.Body.Read(buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
			_ = rc.Flush()
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
