// Package metrics declares the bridge's Prometheus metrics once, labelled
// by operation and vendor, and implements the delivery engine's Observer.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// Metrics is every metric of one bridge.
type Metrics struct {
	Registry        *prometheus.Registry
	Requests        *prometheus.CounterVec   // operation, outcome (ok, fault kind)
	RequestDuration *prometheus.HistogramVec // operation
	InFlight        prometheus.Gauge
	VendorCalls     *prometheus.CounterVec   // vendor, outcome, code
	VendorDuration  *prometheus.HistogramVec // vendor
	VendorRetries   *prometheus.CounterVec   // vendor
	BestEffortFails *prometheus.CounterVec   // vendor
	DeliveriesDead  *prometheus.CounterVec   // vendor
	// DecodeSkipped counts unknown elements skipped while decoding; no
	// labels, since element names are client input.
	DecodeSkipped prometheus.Counter
	// UpstreamCalls counts calls passed through to the upstream Therefore,
	// by operation (the upstream WSDL's names, else "other") and outcome
	// (the upstream's HTTP status, or refused, unreachable, timeout).
	UpstreamCalls    *prometheus.CounterVec
	UpstreamDuration *prometheus.HistogramVec // operation
	Reloads          *Reloads

	collectors []prometheus.Collector // everything registered, for Names
}

// New registers the metrics on a fresh registry (with Go and process
// collectors).
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_requests_total", Help: "SOAP requests by operation and outcome (ok, or the fault kind).",
		}, []string{"operation", "outcome"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "thereforebridge_request_duration_seconds", Help: "Time from request to answer, by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "thereforebridge_requests_in_flight", Help: "SOAP requests being handled.",
		}),
		VendorCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_vendor_calls_total", Help: "Vendor call attempts by vendor, outcome (ok, retryable, permanent) and vendor HTTP status.",
		}, []string{"vendor", "outcome", "code"}),
		VendorDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "thereforebridge_vendor_call_duration_seconds", Help: "Duration of one vendor call attempt.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"vendor"}),
		VendorRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_vendor_retries_total", Help: "Retries of vendor calls.",
		}, []string{"vendor"}),
		BestEffortFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_best_effort_failures_total", Help: "Calls whose best-effort vendor failed while the SOAP call succeeded.",
		}, []string{"vendor"}),
		DeliveriesDead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_deliveries_dead_total", Help: "Deliveries given up after delivery.max_age (kept for operators to retry or discard).",
		}, []string{"vendor"}),
		DecodeSkipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "thereforebridge_decode_skipped_elements_total", Help: "Unknown elements skipped (not bound) while decoding requests.",
		}),
	}
	m.UpstreamCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "thereforebridge_upstream_calls_total", Help: "Calls passed through to the upstream Therefore, by operation and outcome (HTTP status, refused, unreachable, timeout).",
	}, []string{"operation", "outcome"})
	m.UpstreamDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "thereforebridge_upstream_call_duration_seconds", Help: "Time from request to the end of the upstream's answer, by operation.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"operation"})
	m.Reloads = newReloads()
	m.MustRegister(m.Reloads.collectors()...)
	m.MustRegister(m.Requests, m.RequestDuration, m.InFlight, m.VendorCalls, m.VendorDuration, m.VendorRetries, m.BestEffortFails, m.DeliveriesDead, m.DecodeSkipped,
		m.UpstreamCalls, m.UpstreamDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.MustRegister(buildInfo())
	return m
}

// Attempt implements delivery.Observer.
func (m *Metrics) Attempt(vendor string, res fanout.Result, latency time.Duration) {
	code := "none"
	if res.VendorStatus != 0 {
		code = strconv.Itoa(res.VendorStatus)
	}
	m.VendorCalls.WithLabelValues(vendor, res.Status.String(), code).Inc()
	m.VendorDuration.WithLabelValues(vendor).Observe(latency.Seconds())
}

// Retry implements delivery.Observer.
func (m *Metrics) Retry(vendor string) { m.VendorRetries.WithLabelValues(vendor).Inc() }

// Dead implements delivery.Observer.
func (m *Metrics) Dead(vendor string) { m.DeliveriesDead.WithLabelValues(vendor).Inc() }
