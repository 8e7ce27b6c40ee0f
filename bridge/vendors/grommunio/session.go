package grommunio

import (
	"bytes"
	"context"
	"crypto/sha3"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// session is the shared login: one JWT for every call, one login at a
// time (a Flight), so that a burst of calls after start-up or after the
// token expired logs in once. The JWT keeps its own life: it is used until
// grommunio refuses it.
type session struct {
	login vendorkit.Flight[loginAnswer]
	mu    sync.Mutex
	jwt   string
}

type loginAnswer struct {
	jwt string
	res *fanout.Result
}

func (s *session) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwt
}

// token returns a JWT other than stale ("" when none is stale), logging in
// when there is none.
func (a *Adapter) token(ctx context.Context, stale string) (string, *fanout.Result) {
	if t := a.session.current(); t != "" && t != stale {
		return t, nil
	}
	ans, err := a.session.login.Do(ctx, "login", func(ctx context.Context) loginAnswer {
		// Another call may have logged in since this one looked.
		if t := a.session.current(); t != "" && t != stale {
			return loginAnswer{jwt: t}
		}
		t, res := a.login(ctx)
		if res == nil {
			a.session.mu.Lock()
			a.session.jwt = t
			a.session.mu.Unlock()
		}
		return loginAnswer{t, res}
	})
	if err != nil {
		res := vendorkit.FromError(err)
		return "", &res
	}
	return ans.jwt, ans.res
}

// login is POST /login with the form fields user and pass.
func (a *Adapter) login(ctx context.Context) (string, *fanout.Result) {
	form := url.Values{"user": {a.c.User.Value()}, "pass": {a.c.Password.Value()}}.Encode()
	ctx, cancel := context.WithTimeout(ctx, a.c.Timeout.D())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.c.BaseURL+"/login", strings.NewReader(form))
	if err != nil {
		return "", &fanout.Result{Status: fanout.Permanent, Message: "login: " + a.scrub(err.Error())}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := a.d.HTTP.Do(req)
	if err != nil {
		res := vendorkit.FromError(err, a.secrets()...)
		res.Message = "login: " + res.Message
		return "", &res
	}
	body := vendorkit.ReadBody(resp)
	if resp.StatusCode/100 != 2 {
		res := vendorkit.Failure(resp, "login: "+a.scrub(errorText(resp.StatusCode, body)), a.d.Now())
		return "", &res
	}
	var out struct {
		JWT string `json:"grommunioAuthJwt"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.JWT == "" {
		return "", &fanout.Result{Status: fanout.Permanent, VendorStatus: resp.StatusCode,
			Message: "login: the answer carries no grommunioAuthJwt"}
	}
	a.d.Log.DebugContext(ctx, "grommunio login", "vendor", vendorName)
	return out.JWT, nil
}

// csrf is grommunio's CSRF token for a JWT: base64(SHA3-256(jwt)), the
// value login also returns as "csrf".
func csrf(jwt string) string {
	sum := sha3.Sum256([]byte(jwt))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// send makes one API call (path below base_url) with the session's JWT; on
// 401 it logs in again and repeats the call once. It returns the body of a
// 2xx answer, or the failure.
func (a *Adapter) send(ctx context.Context, method, path string, body []byte) ([]byte, *fanout.Result) {
	jwt, res := a.token(ctx, "")
	if res != nil {
		return nil, res
	}
	resp, err := a.request(ctx, method, path, body, jwt)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		vendorkit.ReadBody(resp)
		a.d.Log.InfoContext(ctx, "grommunio token refused, logging in again", "vendor", vendorName, "path", path)
		if jwt, res = a.token(ctx, jwt); res != nil {
			return nil, res
		}
		resp, err = a.request(ctx, method, path, body, jwt)
	}
	if err != nil {
		res := vendorkit.FromError(err, a.secrets(jwt)...)
		res.Message = method + " " + path + ": " + res.Message
		return nil, &res
	}
	out := vendorkit.ReadBody(resp)
	if resp.StatusCode/100 != 2 {
		res := vendorkit.Failure(resp, method+" "+path+": "+a.scrub(errorText(resp.StatusCode, out), jwt), a.d.Now())
		return nil, &res
	}
	return out, nil
}

func (a *Adapter) request(ctx context.Context, method, path string, body []byte, jwt string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, a.c.Timeout.D())
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.c.BaseURL+path, rd)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// The login answer sets no cookie: the client sends it itself.
	req.AddCookie(&http.Cookie{Name: "grommunioAuthJwt", Value: jwt})
	if method != http.MethodGet {
		req.Header.Set("X-Csrf-Token", csrf(jwt))
	}
	resp, err := a.d.HTTP.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

// cancelOnClose releases a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// errorText is what an error answer says: grommunio's {"message", "error",
// "errors"}, else the start of the body, else the status.
func errorText(status int, body []byte) string {
	var e struct {
		Message string   `json:"message"`
		Error   string   `json:"error"`
		Errors  []string `json:"errors"`
	}
	text := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		text = e.Message
		if e.Error != "" {
			text += ": " + e.Error
		}
		if len(e.Errors) > 0 {
			text += " (" + strings.Join(e.Errors, "; ") + ")"
		}
	}
	if text == "" {
		text = http.StatusText(status)
	}
	return fmt.Sprintf("%d %s", status, vendorkit.Truncate(text, 240))
}

// secrets are what must never reach a message or a log: the password and
// the JWTs in use.
func (a *Adapter) secrets(extra ...string) []string {
	return append([]string{a.c.Password.Value(), a.session.current()}, extra...)
}

func (a *Adapter) scrub(s string, extra ...string) string {
	return vendorkit.Scrub(s, a.secrets(extra...)...)
}
