// This file is upstream.forward_handled: the two handled operations go to
// the upstream Therefore first, synchronously, and the client gets its
// answer; only after the upstream succeeded does the bridge process the
// change itself, so Therefore stays the system of record.

package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
)

// maxRelayed bounds the upstream's answer to a handled operation, which
// the bridge holds until its own processing is done (Therefore's answers
// to both are empty).
const maxRelayed = 1 << 20

type relayKey struct{}

// relay carries the upstream's answer from process to the writer.
type relay struct {
	answered bool
	status   int
	header   http.Header
	body     []byte
}

// errUpstreamAnswered is the "fault" process returns when the upstream
// refused a handled call: the client gets the upstream's own answer.
var errUpstreamAnswered = &soap.Fault{Code: soap.Server, Detail: &soap.Detail{Kind: "Upstream"}, Reason: "the upstream Therefore refused the call"}

// withRelay marks a handled call to be forwarded first.
func withRelay(c echo.Context) {
	r := c.Request()
	c.SetRequest(r.WithContext(context.WithValue(r.Context(), relayKey{}, &relay{})))
}

// relayOf returns the relay withRelay put on r, nil when the call is not
// forwarded first.
func relayOf(r *http.Request) *relay {
	rl, _ := r.Context().Value(relayKey{}).(*relay)
	return rl
}

// forwardFirst sends a validated handled call to the upstream, when
// forward_handled is on, and keeps its answer. It returns nil when the
// upstream succeeded (the bridge's own processing goes on), and a fault
// otherwise: errUpstreamAnswered for an answer other than 2xx, which is
// then relayed as it is.
func (s *state) forwardFirst(r *http.Request, id, op string, body []byte) *soap.Fault {
	rl := relayOf(r)
	if rl == nil {
		return nil
	}
	in := r.Clone(r.Context())
	// body is what the bridge decoded: sent as it is, uncompressed.
	in.Header.Del("Content-Encoding")
	in.ContentLength = int64(len(body))
	ans, err := s.upstream.Send(r.Context(), upstream.Call{Operation: op, In: in, RequestID: id, Body: bytes.NewReader(body)})
	label := s.upstream.Label(op)
	if err != nil {
		f := s.upstreamFault(err)
		s.metrics.UpstreamCalls.WithLabelValues(label, string(f.Detail.Kind)).Inc()
		return f
	}
	defer ans.Close()
	b, err := io.ReadAll(io.LimitReader(ans.Body, maxRelayed+1))
	s.metrics.UpstreamCalls.WithLabelValues(label, strconv.Itoa(ans.Status)).Inc()
	switch {
	case err != nil:
		return s.upstreamFault(err)
	case len(b) > maxRelayed:
		return &soap.Fault{Code: soap.Server, Status: http.StatusBadGateway, Detail: &soap.Detail{Kind: "Upstream"},
			Reason: fmt.Sprintf("the upstream Therefore answered %s with more than %d bytes; nothing was applied", op, maxRelayed)}
	}
	*rl = relay{answered: true, status: ans.Status, header: ans.Header, body: b}
	if ans.Status/100 != 2 {
		return errUpstreamAnswered
	}
	return nil
}

// relayed returns the upstream's answer to write instead of the bridge's
// own, if the call was forwarded first and f does not override it.
func relayed(r *http.Request, f *soap.Fault) *relay {
	rl := relayOf(r)
	if rl == nil || !rl.answered || (f != nil && f != errUpstreamAnswered) {
		return nil
	}
	return rl
}

// write sends the upstream's answer to the client unchanged.
func (rl *relay) write(c echo.Context) (string, error) {
	_, err := upstream.CopyAnswer(c.Response(), &upstream.Answer{Status: rl.status, Header: rl.header, Body: io.NopCloser(bytes.NewReader(rl.body))})
	if rl.status/100 != 2 {
		return "upstream-" + strconv.Itoa(rl.status), err
	}
	return "ok", err
}
