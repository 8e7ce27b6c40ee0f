// This file is the life of one SOAP call: body, envelope, auth, validation,
// fan-out, and the answer.

package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/generated"
)

// call handles a POST: one SOAP call from bytes to answer, with one log
// line and the request metrics.
func (s *Server) call(c echo.Context, id string) error {
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
	default:
		version = guessVersion(c.Request().Header.Get("Content-Type"))
		c.Response().Header().Set("Retry-After", "1")
		f = &soap.Fault{Code: soap.Server, Status: http.StatusServiceUnavailable, Detail: &soap.Detail{Kind: "Busy"},
			Reason: fmt.Sprintf("the bridge is handling %d calls, its limit; retry shortly", cap(s.slots))}
	}
	op, outcome := "unknown", "ok"
	if req != nil {
		op = req.Operation.Name
	}
	var err error
	if f != nil {
		outcome = "fault"
		if f.Detail != nil {
			outcome = strings.ToLower(f.Detail.Kind)
		}
		err = s.writeFault(c, version, f)
	} else {
		err = s.writeResponse(c, req)
	}
	elapsed := time.Since(start)
	s.metrics.Requests.WithLabelValues(op, outcome).Inc()
	s.metrics.RequestDuration.WithLabelValues(op).Observe(elapsed.Seconds())
	attrs := []slog.Attr{slog.String("request_id", id), slog.String("operation", op), slog.String("outcome", outcome),
		slog.Int("status", c.Response().Status), slog.Duration("latency", elapsed)}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.Reason))
	}
	s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "soap call", attrs...)
	return err
}

// process decodes, validates and fans out one call. It returns the
// version to answer in, the request once decoded, and the fault, if any.
func (s *Server) process(r *http.Request, id string) (soap.Version, *soap.Request, *soap.Fault) {
	t, f := soap.ParseTransport(r.Header)
	if f != nil {
		return t.Version, nil, f
	}
	caller, basic := "", false
	if name, ok := s.certCaller(r); ok {
		caller, basic = name, true
	} else if u, p, ok := r.BasicAuth(); ok && s.auth != nil {
		name, err := s.auth.Password(u, p)
		if err != nil {
			return t.Version, nil, s.challenge("authentication failed")
		}
		caller, basic = name, true
	}
	body, f := s.readBody(r)
	if f != nil {
		return t.Version, nil, f
	}
	authRequired := s.auth != nil || len(s.cfg.TLS.ClientSubjects) > 0
	if authRequired && !basic && !bytes.Contains(body, []byte(soap.WSSE)) {
		// No credentials of any kind: challenge before decoding, as WCF on
		// IIS does, so an anonymous caller costs little and learns nothing.
		return t.Version, nil, s.challenge("authentication required: send HTTP Basic credentials or a WS-Security UsernameToken")
	}
	req, f := soap.Read(body, t, s.contract, s.limits)
	if f != nil {
		return t.Version, nil, f
	}
	if authRequired && !basic {
		if req.Security == nil {
			// WCF clients send credentials only after this challenge.
			return t.Version, req, s.challenge("authentication required: send HTTP Basic credentials or a WS-Security UsernameToken")
		}
		if s.auth == nil {
			return t.Version, req, &soap.Fault{Code: soap.Client, Subcode: soap.FailedAuthentication, Reason: auth.ErrFailed.Error(), Detail: &soap.Detail{Kind: "Auth"}}
		}
		name, err := s.auth.Token(req.Security)
		if err != nil {
			return t.Version, req, &soap.Fault{Code: soap.Client, Subcode: soap.FailedAuthentication, Reason: err.Error(), Detail: &soap.Detail{Kind: "Auth"}}
		}
		caller = name
	}
	key := "caller:" + caller
	if caller == "" {
		key = clientKey(r)
	}
	if f := s.perCaller.allow(key); f != nil {
		return t.Version, req, f
	}
	if err := contract.Validate(req.Body); err != nil {
		var v *contract.Violation
		if !errors.As(err, &v) {
			s.log.Error("validation failed internally", "request_id", id, "error", err.Error())
			return t.Version, req, &soap.Fault{Code: soap.Server, Detail: &soap.Detail{Kind: "Internal"},
				Reason: "the bridge failed internally; quote request id " + id + " to its operators"}
		}
		return t.Version, req, &soap.Fault{Code: soap.Client, Reason: v.Error(), Detail: &soap.Detail{Kind: "Validation", Path: v.Path, Rule: v.Rule}}
	}
	call := &fanout.Call{RequestID: id, Operation: req.Operation.Name, Params: contract.Params(req.Body)}
	if p, ok := call.Params.(*generated.SaveOutOfOfficeInfoForUserParams); ok {
		o := intent.FromOOF(p, caller)
		call.OutOfOffice = &o
	}
	outcomes, ok := s.engine.Dispatch(r.Context(), call)
	for _, o := range outcomes {
		if !o.Required && o.State() != "ok" {
			s.metrics.BestEffortFails.WithLabelValues(o.Vendor).Inc()
		}
	}
	if !ok {
		return t.Version, req, vendorFault(outcomes)
	}
	return t.Version, req, nil
}

// challenge is the answer to missing or wrong HTTP Basic credentials: 401
// with WWW-Authenticate, and a fault saying the same; it is one answer for
// an unknown user and a wrong password alike.
func (s *Server) challenge(reason string) *soap.Fault {
	return &soap.Fault{Code: soap.Client, Status: http.StatusUnauthorized, Reason: reason, Detail: &soap.Detail{Kind: "Auth"},
		Header: http.Header{"WWW-Authenticate": {`Basic realm="` + s.cfg.Auth.Realm + `", charset="UTF-8"`}}}
}

func (s *Server) writeResponse(c echo.Context, req *soap.Request) error {
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
func (s *Server) readBody(r *http.Request) ([]byte, *soap.Fault) {
	max := s.cfg.Limits.MaxBodyBytes
	tooLarge := &soap.Fault{Code: soap.Client, Status: http.StatusRequestEntityTooLarge, Detail: &soap.Detail{Kind: "Limit"},
		Reason: fmt.Sprintf("the request body is larger than the limit of %d bytes", max)}
	var in io.Reader = r.Body
	size := r.ContentLength
	switch ce := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); ce {
	case "", "identity":
		if r.ContentLength > max {
			return nil, tooLarge
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, max+1))
		if err != nil {
			return nil, &soap.Fault{Code: soap.Client, Status: http.StatusBadRequest, Detail: &soap.Detail{Kind: "Transport"},
				Reason: "the gzip body cannot be read: " + err.Error()}
		}
		defer zr.Close()
		in, size = zr, -1
	default:
		return nil, &soap.Fault{Code: soap.Client, Status: http.StatusUnsupportedMediaType, Detail: &soap.Detail{Kind: "Transport"},
			Reason: "Content-Encoding " + ce + " is not supported; send the body uncompressed or gzip-compressed"}
	}
	if size < 0 || size > max {
		size = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	n, err := buf.ReadFrom(io.LimitReader(in, max+1))
	if n > max {
		return nil, tooLarge
	}
	if err != nil {
		return nil, &soap.Fault{Code: soap.Client, Status: http.StatusBadRequest, Detail: &soap.Detail{Kind: "Transport"},
			Reason: "the request body could not be read: " + err.Error()}
	}
	return buf.Bytes(), nil
}

func vendorFault(outcomes []fanout.Outcome) *soap.Fault {
	d := &soap.Detail{Kind: "Vendors"}
	var failed []string
	for _, o := range outcomes {
		vo := soap.VendorOutcome{Name: o.Vendor, Outcome: o.State(), Attempts: o.Attempts, Status: o.Result.VendorStatus, Message: o.Result.Message}
		if o.Result.Status != fanout.OK && o.Required {
			failed = append(failed, o.Vendor)
		}
		d.Vendors = append(d.Vendors, vo)
	}
	return &soap.Fault{Code: soap.Server, Detail: d,
		Reason: "the change was not applied at every required vendor: " + strings.Join(failed, ", ") + " failed; see the fault detail for each vendor's outcome"}
}

func (s *Server) writeFault(c echo.Context, v soap.Version, f *soap.Fault) error {
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
