// This file is who is calling: a client certificate, HTTP Basic, or a
// WS-Security UsernameToken, and the answers to failed, throttled and
// saturated checks.

package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// transportCaller names the caller from the transport alone (client
// certificate, then HTTP Basic), before the body is read. ok is false when
// the transport carries no credentials; a fault when they are wrong.
func (s *state) transportCaller(r *http.Request) (name string, ok bool, f *soap.Fault) {
	if name, ok := s.certCaller(r); ok {
		return name, true, nil
	}
	u, p, ok := basicCredentials(r)
	if !ok || s.auth == nil {
		return "", false, nil
	}
	name, err := s.auth.Password(r.Context(), clientAddr(r), u, p)
	if err != nil {
		return "", false, s.authFault(err, true)
	}
	return name, true, nil
}

// basicCredentials is r's HTTP Basic user and password. Credentials that
// are not UTF-8 are read as Windows-1252: the bridge's challenge asks for
// UTF-8 (RFC 7617), but .NET Framework's HTTP stack, under WCF clients on
// Windows, encodes them in the system's ANSI code page (Windows-1252 in
// Western Europe and the Americas), and a password with an umlaut would
// never match. Credentials in UTF-8 are taken as they are.
func basicCredentials(r *http.Request) (user, password string, ok bool) {
	user, password, ok = r.BasicAuth()
	if ok && (!utf8.ValidString(user) || !utf8.ValidString(password)) {
		user, password = fromWindows1252(user), fromWindows1252(password)
	}
	return user, password, ok
}

func fromWindows1252(s string) string {
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return s
	}
	return out
}

// wsseMarks are the WS-Security namespace as a body holds it in UTF-8 (or
// any charset that keeps ASCII as it is) and in UTF-16 of either byte
// order.
var wsseMarks = func() [][]byte {
	le, be := make([]byte, 0, 2*len(soap.WSSE)), make([]byte, 0, 2*len(soap.WSSE))
	for i := range len(soap.WSSE) {
		le = append(le, soap.WSSE[i], 0)
		be = append(be, 0, soap.WSSE[i])
	}
	return [][]byte{[]byte(soap.WSSE), le, be}
}()

// mayCarryToken reports whether body may hold a WS-Security header: a
// call with neither that nor HTTP Basic is challenged before it is read.
func mayCarryToken(body []byte) bool {
	for _, m := range wsseMarks {
		if bytes.Contains(body, m) {
			return true
		}
	}
	return false
}

// tokenCaller names the caller from a decoded WS-Security UsernameToken.
func (s *state) tokenCaller(r *http.Request, t *soap.UsernameToken) (string, *soap.Fault) {
	if s.auth == nil {
		return "", s.authFault(auth.ErrFailed, false)
	}
	name, err := s.auth.Token(r.Context(), clientAddr(r), t)
	if err != nil {
		return "", s.authFault(err, false)
	}
	return name, nil
}

// throttledReason starts the answer to a throttled sign-in, which is
// also how tarpit recognises it.
const throttledReason = "too many failed sign-ins for this user from this address"

// authFault is the answer to a failed check: 429 when throttled, 503 when
// no check could start, else one answer for an unknown user and a wrong
// password alike (a 401 challenge for HTTP Basic, WS-Security's
// FailedAuthentication for a token).
func (s *state) authFault(err error, basic bool) *soap.Fault {
	var th *auth.Throttled
	switch {
	case errors.As(err, &th):
		return tooMany(throttledReason, th.Wait)
	case errors.Is(err, auth.ErrBusy):
		return &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: "Busy"},
			Reason: err.Error(), Header: http.Header{"Retry-After": {"1"}}}
	case basic:
		return s.challenge("authentication failed")
	}
	return &soap.Fault{Code: soap.Client, Subcode: soap.FailedAuthentication, Reason: auth.ErrFailed.Error(), Detail: &soap.Detail{Kind: "Auth"}}
}

// maxTarpitWait bounds how long a throttled answer is held back.
const maxTarpitWait = time.Second

// tarpit holds back the answer to a throttled sign-in, outside the call
// slots, for maxTarpitWait (Retry-After is at least that long): a client hammering wrong credentials then costs a
// sleeping goroutine instead of a stream of answers competing with
// everyone else's calls. At most max_concurrent answers are held at once;
// beyond that they go out at once.
func (s *state) tarpit(ctx context.Context, f *soap.Fault) {
	if f == nil || f.Status != http.StatusTooManyRequests || len(f.Reason) < len(throttledReason) || f.Reason[:len(throttledReason)] != throttledReason {
		return
	}
	if s.tarpitted.Add(1) > int64(cap(s.slots)) {
		s.tarpitted.Add(-1)
		return
	}
	defer s.tarpitted.Add(-1)
	t := time.NewTimer(maxTarpitWait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
