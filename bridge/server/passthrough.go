// This file routes each POST: the operations the bridge handles go to its
// own processing (call.go); with an upstream configured, every other
// operation is authenticated here and then passed through, streamed.

package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
)

// actionPrefix is how Therefore's actions start; the rest is the operation.
const actionPrefix = contract.MessagesNS + "/IThereforeService/"

// route decides by action, and by the body element only when there is no
// action, whether the bridge handles a call or passes it through. It runs
// only with an upstream configured.
func (s *state) route(c echo.Context, id string) error {
	r := c.Request()
	t, f := soap.ParseTransport(r.Header)
	if f != nil {
		return s.call(c, id) // which answers the same fault
	}
	action := t.Action
	var head *soap.Head
	if action == "" || (s.authRequired() && !s.transportCredentials(r)) {
		// The action or the credentials are in the envelope: read up to
		// the first element of the Body, and replay those bytes.
		h, prefix, f := soap.PeekHead(r.Body, gzipped(r), t.Charset)
		r.Body = replay{Reader: io.MultiReader(bytes.NewReader(prefix), r.Body), Closer: r.Body}
		if f != nil {
			return s.call(c, id) // reads the whole body and says what is wrong
		}
		head = &h
		if action == "" {
			action = h.Action
		}
	}
	if action != "" && s.contract.ByAction(action) != nil {
		if s.cfg.Upstream.ForwardHandled {
			withRelay(c)
		}
		return s.call(c, id) // a different body element is call's fault
	}
	if action == "" && (head == nil || s.handledLocalName(head.Body.Local)) {
		if s.cfg.Upstream.ForwardHandled {
			withRelay(c)
		}
		return s.call(c, id) // handled, or a handled name in the wrong namespace
	}
	return s.passThrough(c, id, action, head)
}

// handledLocalName reports whether name is a handled operation's element.
func (s *state) handledLocalName(name string) bool {
	for _, op := range s.contract {
		if op.Request.Local == name {
			return true
		}
	}
	return false
}

// operationName is the Therefore operation an action (or, without one,
// the body element) names; "" when it names none.
func operationName(action string, head *soap.Head) string {
	if action != "" {
		op, _ := strings.CutPrefix(action, actionPrefix)
		if op == action || !operationNameOK(op) {
			return ""
		}
		return op
	}
	if head != nil && head.Body.Space == contract.MessagesNS && operationNameOK(head.Body.Local) {
		return head.Body.Local
	}
	return ""
}

func operationNameOK(op string) bool {
	if op == "" || len(op) > 100 {
		return false
	}
	for _, r := range op {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

type replay struct {
	io.Reader
	io.Closer
}

func gzipped(r *http.Request) bool {
	ce := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	return ce == "gzip" || ce == "x-gzip"
}

func (s *state) authRequired() bool { return s.auth != nil || len(s.cfg.TLS.ClientSubjects) > 0 }

// transportCredentials reports whether the HTTP layer carries credentials
// (a client certificate or HTTP Basic), so the envelope need not be read.
func (s *state) transportCredentials(r *http.Request) bool {
	if _, ok := s.certCaller(r); ok {
		return true
	}
	_, _, ok := r.BasicAuth()
	return ok && s.auth != nil
}

// passCaller authenticates a call to pass through as any other call is:
// client certificate, HTTP Basic, or a WS-Security UsernameToken.
func (s *state) passCaller(r *http.Request, head *soap.Head) (string, *soap.Fault) {
	name, ok, f := s.transportCaller(r)
	if f != nil || ok {
		return name, f
	}
	if !s.authRequired() {
		return "", nil
	}
	if head == nil || head.Security == nil {
		return "", s.challenge("authentication required: send HTTP Basic credentials or a WS-Security UsernameToken")
	}
	return s.tokenCaller(r, head.Security)
}

// passThrough forwards one call to the upstream and streams its answer
// back unchanged; faults are the bridge's only when the upstream never
// answered (or the call was refused before it was sent).
func (s *state) passThrough(c echo.Context, id, action string, head *soap.Head) error {
	start := time.Now()
	r := c.Request()
	version := guessVersion(r.Header.Get("Content-Type"))
	op := operationName(action, head)
	label := s.upstream.Label(op)
	f := s.refuse(r, op, action, head)
	if f == nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
			s.metrics.InFlight.Inc()
			defer s.metrics.InFlight.Dec()
		default:
			c.Response().Header().Set("Retry-After", "1")
			f = &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: "Busy"},
				Reason: fmt.Sprintf("the bridge is handling %d calls, its limit; retry shortly", cap(s.slots))}
		}
	}
	var ans *upstream.Answer
	if f == nil {
		// The upstream may answer before the transport has read the last
		// of the client's body (its EOF); without full duplex, writing our
		// answer would close that body and break the connection upstream.
		_ = http.NewResponseController(c.Response()).EnableFullDuplex()
		// In full duplex the server leaves the body alone until the
		// handler has returned, and what it then reads to reuse the
		// connection starts a read that nobody ends: when the upstream
		// did not read the body to its end (it could not be reached, or
		// answered early), the client's next request on the connection
		// panicked its goroutine (golang/go#68560). Closed here, the body
		// is consumed while the handler runs, and any read the transport
		// still makes of it after Send fails instead.
		defer r.Body.Close()
		var err error
		ans, err = s.upstream.Send(r.Context(), upstream.Call{Operation: op, In: r, RequestID: id,
			Body: upstream.LimitBody(r.Body, s.cfg.Limits.MaxBodyBytes)})
		if err != nil {
			f = s.upstreamFault(err)
		}
	}
	logOp := op
	if logOp == "" {
		logOp = "(none)"
	}
	attrs := []slog.Attr{slog.String("request_id", id), slog.String("operation", logOp), slog.String("route", "upstream")}
	if f != nil {
		outcome := strings.ToLower(string(f.Detail.Kind))
		s.metrics.UpstreamCalls.WithLabelValues(label, outcome).Inc()
		err := s.writeFault(c, version, f)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "soap call", append(attrs, slog.String("outcome", outcome),
			slog.Int("http_status", c.Response().Status), slog.Duration("latency", time.Since(start)), slog.String("fault", f.Reason))...)
		return err
	}
	defer ans.Close()
	n, err := upstream.CopyAnswer(c.Response(), ans)
	elapsed := time.Since(start)
	s.metrics.UpstreamCalls.WithLabelValues(label, strconv.Itoa(ans.Status)).Inc()
	s.metrics.UpstreamDuration.WithLabelValues(label).Observe(elapsed.Seconds())
	attrs = append(attrs, slog.String("outcome", "passed"), slog.Int("http_status", ans.Status), slog.Int64("bytes", n), slog.Duration("latency", elapsed))
	if err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "soap call: the upstream's answer broke off", append(attrs, slog.String("error", err.Error()))...)
		// The status is sent: only a broken connection tells the client
		// that the answer is incomplete.
		panic(http.ErrAbortHandler)
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "soap call", attrs...)
	return nil
}

// refuse returns the fault for a call that must not be passed through:
// no upstream, not allowed, not authenticated, over a limit.
func (s *state) refuse(r *http.Request, op, action string, head *soap.Head) *soap.Fault {
	caller, f := s.passCaller(r, head)
	if f != nil {
		return f
	}
	if f := s.allowCaller(r, caller); f != nil {
		return f
	}
	if !s.upstream.Allowed(op) {
		if op == "" {
			return s.namesNoOperation(action, head)
		}
		return &soap.Fault{Code: soap.Client, Detail: &soap.Detail{Kind: "Refused"},
			Reason: fmt.Sprintf("the bridge does not pass operation %s through to Therefore; it passes only %s", op, strings.Join(s.upstream.AllowList(), ", "))}
	}
	if r.ContentLength > s.cfg.Limits.MaxBodyBytes {
		return &soap.Fault{Code: soap.Client, Status: http.StatusRequestEntityTooLarge, Detail: &soap.Detail{Kind: "Limit"},
			Reason: fmt.Sprintf("the request body is larger than the limit of %d bytes", s.cfg.Limits.MaxBodyBytes)}
	}
	return nil
}

// namesNoOperation is the fault for a message that names no operation of
// IThereforeService, when the allow list keeps it from Therefore: the
// fault Therefore (WCF) answers it with, ActionNotSupported, naming what
// was sent, so that a client with a mistyped action learns which one.
func (s *state) namesNoOperation(action string, head *soap.Head) *soap.Fault {
	var handled []string
	for _, op := range s.contract {
		handled = append(handled, op.Name)
	}
	takes := fmt.Sprintf("this endpoint handles %s and passes %s through to Therefore", strings.Join(handled, " and "), strings.Join(s.upstream.AllowList(), ", "))
	if action != "" || head == nil {
		return soap.ActionNotSupported(fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver: it names no operation of IThereforeService, whose actions are '%s' and the operation's name; %s.", action, actionPrefix, takes))
	}
	return soap.Clientf(soap.KindDispatch, fmt.Sprintf("the message has no action, and its Body's element {%s}%s names no operation of IThereforeService, whose elements are in namespace %s; %s", head.Body.Space, head.Body.Local, contract.MessagesNS, takes))
}

// upstreamFault is the Server fault for an upstream that did not answer:
// 502 when it cannot be reached, 504 when it answered too late.
func (s *state) upstreamFault(err error) *soap.Fault {
	var ue *upstream.Error
	if !errors.As(err, &ue) {
		ue = &upstream.Error{Kind: upstream.Unreachable, Err: err}
	}
	switch ue.Kind {
	case upstream.Timeout:
		return &soap.Fault{Code: soap.Server, Status: http.StatusGatewayTimeout, Detail: &soap.Detail{Kind: "Timeout"}, Reason: ue.Error()}
	case upstream.BadRequest:
		return &soap.Fault{Code: soap.Client, Status: http.StatusRequestEntityTooLarge, Detail: &soap.Detail{Kind: "Limit"},
			Reason: fmt.Sprintf("the request body could not be passed on: %v (the limit is %d bytes)", ue.Err, s.cfg.Limits.MaxBodyBytes)}
	}
	return &soap.Fault{Code: soap.Server, Status: http.StatusBadGateway, Detail: &soap.Detail{Kind: "Unreachable"}, Reason: ue.Error()}
}
