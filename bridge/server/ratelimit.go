package server

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/keyrate"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// tooMany is the 429 answer of a throttle: the wait in the reason and in
// Retry-After (whole seconds, rounded up).
func tooMany(reason string, wait time.Duration) *soap.Fault {
	secs := keyrate.Seconds(wait)
	return &soap.Fault{Code: soap.Client, Status: http.StatusTooManyRequests, Detail: &soap.Detail{Kind: soap.KindRateLimit},
		Reason: reason + "; retry in " + (time.Duration(secs) * time.Second).String(),
		Header: http.Header{"Retry-After": {strconv.Itoa(secs)}}}
}

// allowCaller takes one token of the per-caller limit (one bucket per
// caller, so one noisy client cannot use up what the vendors' rate limits
// allow everyone), or returns the 429 fault. A caller without a name is
// its address.
func (s *state) allowCaller(r *http.Request, caller string) *soap.Fault {
	if s.perCaller == nil {
		return nil
	}
	key := "caller:" + caller
	if caller == "" {
		key = "ip:" + clientAddr(r)
	}
	if wait := s.perCaller.Take(key); wait > 0 {
		return tooMany("too many calls from this caller", wait)
	}
	return nil
}

// clientAddr is a client's address, without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
