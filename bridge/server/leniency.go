package server

import (
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// skipLogEvery is how often one unknown-element path is logged again.
const skipLogEvery = time.Hour

// maxSkipPaths bounds the paths remembered: element names are client
// input, so a client could otherwise grow the set without end.
const maxSkipPaths = 1024

// skipLog counts the unknown elements the binder skipped and logs each
// path at most once per hour, so a client built from another WSDL version
// is visible to operators without flooding the log.
type skipLog struct {
	log     *slog.Logger
	counter prometheus.Counter
	now     func() time.Time

	mu   sync.Mutex
	last map[string]time.Time
}

func newSkipLog(log *slog.Logger, counter prometheus.Counter) *skipLog {
	return &skipLog{log: log, counter: counter, now: time.Now, last: map[string]time.Time{}}
}

// decoding returns the soap layer's options for one request.
func (l *skipLog) decoding(strict bool, requestID string) soap.Decoding {
	if strict {
		return soap.Decoding{Strict: true}
	}
	return soap.Decoding{Skipped: func(path string) { l.skipped(path, requestID) }}
}

func (l *skipLog) skipped(path, requestID string) {
	l.counter.Inc()
	now := l.now()
	l.mu.Lock()
	t, seen := l.last[path]
	due := !seen || now.Sub(t) >= skipLogEvery
	if due {
		if !seen && len(l.last) >= maxSkipPaths {
			for p, at := range l.last {
				if now.Sub(at) >= skipLogEvery {
					delete(l.last, p)
				}
			}
		}
		if seen || len(l.last) < maxSkipPaths {
			l.last[path] = now
		} else {
			due = false // full of recent paths: counted, not logged
		}
	}
	l.mu.Unlock()
	if due {
		l.log.Warn("skipped an element the contract does not know (logged once per hour per path; decode.strict: true faults instead)",
			"request_id", requestID, "path", path)
	}
}
