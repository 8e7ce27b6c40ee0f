// This file is the life of one SOAP call: body, envelope, auth, validation,
// fan-out, and the answer.

package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
)

// call handles a POST: one SOAP call from bytes to answer, with one log
// line and the request metrics.
func (s *state) call(c echo.Context, id string) error {
	start := time.Now()
	var version soap.Version
	var req *soap.Request
	var f *soap.Fault
	select {
	case s.slots <- struct{}{}:
		s.metrics.InFlight.Inc()
		version, req, f = s.process(c.Request(), id)
		s.metrics.InFlight.Dec()
		<-s.slots
		s.tarpit(c.Request().Context(), f)
	default:
		version = guessVersion(c.Request().Header.Get("Content-Type"))
		c.Response().Header().Set("Retry-After", "1")
		f = &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: soap.KindBusy},
			Reason: fmt.Sprintf("the bridge is handling %d calls, its limit; retry shortly", cap(s.slots))}
	}
	op, outcome := "unknown", "ok"
	if req != nil {
		op = req.Operation.Name
	}
	var err error
	if rl := relayed(c.Request(), f); rl != nil {
		outcome, err = rl.write(c)
	} else if f != nil {
		outcome = "fault"
		if f.Detail != nil {
			outcome = strings.ToLower(string(f.Detail.Kind))
		}
		err = s.writeFault(c, version, f)
	} else {
		err = s.writeResponse(c, req)
	}
	elapsed := time.Since(start)
	s.metrics.Requests.WithLabelValues(op, outcome).Inc()
	s.metrics.RequestDuration.WithLabelValues(op).Observe(elapsed.Seconds())
	attrs := []slog.Attr{slog.String("request_id", id), slog.String("operation", op), slog.String("outcome", outcome),
		slog.Int("http_status", c.Response().Status), slog.Duration("latency", elapsed)}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.Reason))
	}
	logging.LogAttrs(c.Request().Context(), s.log, slog.LevelInfo, "soap call", attrs...)
	tracing.Call(c.Request().Context(), op, outcome, id)
	return err
}

// process decodes, validates and fans out one call. It returns the
// version to answer in, the request once decoded, and the fault, if any.
func (s *state) process(r *http.Request, id string) (soap.Version, *soap.Request, *soap.Fault) {
	t, f := soap.ParseTransport(r.Header)
	if f != nil {
		return t.Version, nil, f
	}
	caller, basic, f := s.transportCaller(r)
	if f != nil {
		return t.Version, nil, f
	}
	body, taken, f := s.readBody(r)
	if f != nil {
		return t.Version, nil, f
	}
	defer s.bodies.give(taken)
	defer func() {
		// Decoding copies what it keeps, so the body's buffer can serve
		// the next call; but one sent upstream may still be read by the
		// transport after its answer (http.RoundTripper), so a call that
		// could be forwarded keeps its own.
		if relayOf(r) == nil {
			s.bodies.recycle(body)
		}
	}()
	authRequired := s.auth != nil || len(s.cfg.TLS.ClientSubjects) > 0
	if authRequired && !basic && !mayCarryToken(body) {
		// No credentials of any kind: challenge before decoding, as WCF on
		// IIS does, so an anonymous caller costs little and learns nothing.
		return t.Version, nil, s.challenge("authentication required: send HTTP Basic credentials or a WS-Security UsernameToken")
	}
	req, f := soap.Read(body, t, s.contract, s.limits, s.skips.decoding(s.cfg.Decode.Strict, id))
	if f != nil {
		return t.Version, nil, f
	}
	if authRequired && !basic {
		if req.Security == nil {
			// WCF clients send credentials only after this challenge.
			return t.Version, req, s.challenge("authentication required: send HTTP Basic credentials or a WS-Security UsernameToken")
		}
		name, f := s.tokenCaller(r, req.Security)
		if f != nil {
			return t.Version, req, f
		}
		caller = name
	}
	if f := s.allowCaller(r, caller); f != nil {
		return t.Version, req, f
	}
	if err := contract.Validate(req.Body); err != nil {
		var v *contract.Violation
		if !errors.As(err, &v) {
			s.log.Error("validation failed internally", "request_id", id, "error", err.Error())
			return t.Version, req, &soap.Fault{Code: soap.Server, Detail: &soap.Detail{Kind: soap.KindInternal},
				Reason: "the bridge failed internally; quote request id " + id + " to its operators"}
		}
		return t.Version, req, &soap.Fault{Code: soap.Client, Reason: v.Error(), Detail: &soap.Detail{Kind: soap.KindValidation, Path: v.Path, Rule: v.Rule}}
	}
	if f := s.forwardFirst(r, id, req.Operation.Name, body); f != nil {
		return t.Version, req, f
	}
	return t.Version, req, s.accept(r, id, caller, req)
}

// accept stores the call's change (answering 503 when the store cannot
// commit: nothing is acknowledged that is not stored), then waits up to
// delivery.apply_wait for the first attempts: a required vendor's
// permanent failure seen in that time is a fault, anything else is 200
// because the change will be delivered. A client's retry of a call gets
// the original's answer and makes no second change.
func (s *state) accept(r *http.Request, id, caller string, req *soap.Request) *soap.Fault {
	messageID := ""
	if req.WSA != nil {
		messageID = req.WSA.MessageID
	}
	change, err := delivery.NewChange(id, caller, messageID, req.Operation.Name, contract.Params(req.Body), time.Now())
	if err != nil {
		return &soap.Fault{Code: soap.Client, Reason: err.Error(), Detail: &soap.Detail{Kind: soap.KindValidation}}
	}
	rc, err := s.engine.Accept(r.Context(), change)
	if err != nil {
		s.log.Error("the change could not be stored", "request_id", id, "error", err.Error())
		return &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: soap.KindStore},
			Header: http.Header{"Retry-After": {"5"}},
			Reason: "the change could not be stored, so nothing was applied; retry shortly (request id " + id + ")"}
	}
	if rc.Duplicate {
		if rc.Answer == nil {
			return nil
		}
		var f soap.Fault
		if json.Unmarshal(rc.Answer, &f) != nil {
			return nil
		}
		return &f
	}
	outcomes := rc.Wait(r.Context())
	failed := false
	for _, o := range outcomes {
		if o.State != delivery.StateFailed {
			continue
		}
		if o.Required {
			failed = true
		} else {
			s.metrics.BestEffortFails.WithLabelValues(o.Vendor).Inc()
		}
	}
	if !failed {
		return nil
	}
	f := vendorFault(outcomes)
	if b, err := json.Marshal(f); err == nil {
		if err := s.engine.RecordAnswer(context.WithoutCancel(r.Context()), rc.ChangeID, b); err != nil {
			s.log.Warn("the fault answered could not be kept for a retry of the call", "request_id", id, "error", err.Error())
		}
	}
	return f
}

// challenge is the answer to missing or wrong HTTP Basic credentials: 401
// with WWW-Authenticate, and a fault saying the same; it is one answer for
// an unknown user and a wrong password alike.
func (s *state) challenge(reason string) *soap.Fault {
	return &soap.Fault{Code: soap.Client, Status: http.StatusUnauthorized, Reason: reason, Detail: &soap.Detail{Kind: soap.KindAuth},
		Header: http.Header{"WWW-Authenticate": {`Basic realm="` + s.cfg.Auth.Realm + `", charset="UTF-8"`}}}
}

func (s *state) writeResponse(c echo.Context, req *soap.Request) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	soap.AppendResponse(buf, req)
	soap.ResponseHeaders(c.Response().Header(), req.Version, req.Operation.ReplyAction)
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// readBody reads the body within the size limit. A gzip body is accepted
// and its decompressed size is what counts, so compression cannot carry a
// larger message past the limit; chunked bodies are cut at the limit too.
// Its size is taken from the bodies in flight (budget): the caller gives
// taken back when it is done with the call.
func (s *state) readBody(r *http.Request) (_ []byte, taken int64, _ *soap.Fault) {
	max := s.cfg.Limits.MaxBodyBytes
	tooLarge := func() *soap.Fault { // made only when needed: this runs on every call
		return &soap.Fault{Code: soap.Client, Status: http.StatusRequestEntityTooLarge, Detail: &soap.Detail{Kind: soap.KindLimit},
			Reason: fmt.Sprintf("the request body is larger than the limit of %d bytes", max)}
	}
	busy := func() *soap.Fault {
		return &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: soap.KindBusy}, Header: http.Header{"Retry-After": {"1"}},
			Reason: fmt.Sprintf("the bridge is handling %d bytes of requests, its limit (limits.max_inflight_body_bytes), and none finished within %s; retry shortly", s.bodies.max, s.bodies.wait)}
	}
	var in io.Reader = r.Body
	size := r.ContentLength
	switch ce := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); ce {
	case "", "identity":
		if r.ContentLength > max {
			return nil, 0, tooLarge()
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, max+1))
		if err != nil {
			return nil, 0, &soap.Fault{Code: soap.Client, Status: http.StatusBadRequest, Detail: &soap.Detail{Kind: soap.KindTransport},
				Reason: "the gzip body cannot be read: " + err.Error()}
		}
		defer zr.Close()
		in, size = zr, -1
	default:
		return nil, 0, &soap.Fault{Code: soap.Client, Status: http.StatusUnsupportedMediaType, Detail: &soap.Detail{Kind: soap.KindTransport},
			Reason: "Content-Encoding " + ce + " is not supported; send the body uncompressed or gzip-compressed"}
	}
	if size < 0 || size > max {
		size = 0
	}
	// A declared length is taken before the body is read; an undeclared
	// one (chunked, gzip) once it is (budget).
	taken = size
	if taken > 0 && !s.bodies.take(r.Context(), taken) {
		return nil, 0, busy()
	}
	buf := bytes.NewBuffer(s.bodies.buffer(size))
	n, err := buf.ReadFrom(io.LimitReader(in, max+1))
	if n > max {
		s.bodies.give(taken)
		return nil, 0, tooLarge()
	}
	if err != nil {
		s.bodies.give(taken)
		return nil, 0, &soap.Fault{Code: soap.Client, Status: http.StatusBadRequest, Detail: &soap.Detail{Kind: soap.KindTransport},
			Reason: "the request body could not be read: " + err.Error()}
	}
	if taken == 0 && n > 0 {
		if !s.bodies.take(r.Context(), n) {
			return nil, 0, busy()
		}
		taken = n
	}
	return buf.Bytes(), taken, nil
}

// vendorFault reports a change that a required vendor refused for good.
// The other vendors' outcomes say what else happened: ok (applied),
// retrying or pending (stored, and will be delivered).
func vendorFault(outcomes []delivery.Outcome) *soap.Fault {
	d := &soap.Detail{Kind: soap.KindVendors}
	var failed []string
	for _, o := range outcomes {
		vo := soap.VendorOutcome{Name: o.Vendor, Outcome: o.State, Attempts: o.Attempts, Status: o.Result.VendorStatus, Message: o.Result.Message}
		if o.State == delivery.StateFailed && o.Required && !slices.Contains(failed, o.Vendor) {
			failed = append(failed, o.Vendor)
		}
		d.Vendors = append(d.Vendors, vo)
	}
	return &soap.Fault{Code: soap.Server, Detail: d,
		Reason: "the change was refused by a required vendor: " + strings.Join(failed, ", ") + " failed permanently; see the fault detail for each vendor's outcome"}
}

func (s *state) writeFault(c echo.Context, v soap.Version, f *soap.Fault) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	soap.AppendFault(buf, v, f)
	for k, vs := range f.Header {
		for _, v := range vs {
			c.Response().Header().Add(k, v)
		}
	}
	c.Response().Header().Set("Content-Type", v.ContentType())
	c.Response().WriteHeader(f.HTTPStatus())
	_, err := c.Response().Write(buf.Bytes())
	return err
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // do not keep a huge fault's buffer
	}
	b.Reset()
	bufPool.Put(b)
}
