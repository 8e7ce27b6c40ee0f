// Package tracing is the bridge's OpenTelemetry tracing, off unless the
// `tracing:` config turns it on: a server span per SOAP call (otelhttp),
// named by the operation; a client span per delivery attempt; and the W3C
// traceparent header on every request the bridge sends, so a vendor's or
// the upstream's own traces join the bridge's. Spans carry the operation,
// vendor, outcome and attempt number; never a URL, header or body, which
// may hold credentials.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
)

// Span attribute keys.
const (
	KeyOperation  = attribute.Key("thereforebridge.operation")
	KeyOutcome    = attribute.Key("thereforebridge.outcome")
	KeyRequestID  = attribute.Key("thereforebridge.request_id")
	KeyVendor     = attribute.Key("thereforebridge.vendor")
	KeyAttempt    = attribute.Key("thereforebridge.attempt")
	KeyVendorHTTP = attribute.Key("thereforebridge.vendor_http_status")
)

const tracerName = "github.com/thereforebridge/thereforebridge"

var enabled atomic.Bool

// Enabled reports whether spans are recorded and traceparent sent.
func Enabled() bool { return enabled.Load() }

// Setup exports spans as c says, over OTLP/HTTP, and returns what flushes
// and stops the export at shutdown. With tracing off it does nothing.
func Setup(ctx context.Context, c config.Tracing) (shutdown func(context.Context) error, err error) {
	if !c.Enabled() {
		return func(context.Context) error { return nil }, nil
	}
	headers := make(map[string]string, len(c.Headers))
	for k, v := range c.Headers {
		headers[k] = v.Value()
	}
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(strings.TrimRight(c.Endpoint, "/")+"/v1/traces"),
		otlptracehttp.WithHeaders(headers))
	if err != nil {
		return nil, fmt.Errorf("tracing.endpoint: %w", err)
	}
	ratio := 1.0
	if c.SampleRatio != nil {
		ratio = *c.SampleRatio
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", c.ServiceName))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	Use(tp)
	return func(ctx context.Context) error {
		Use(nil)
		return tp.Shutdown(ctx)
	}, nil
}

// Use makes tp the provider of the bridge's spans and turns propagation
// on (tests pass an in-memory one); nil turns tracing off.
func Use(tp trace.TracerProvider) {
	if tp == nil {
		enabled.Store(false)
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
		return
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	enabled.Store(true)
}

// Handler gives each request to endpoint a server span (continuing the
// caller's traceparent) when tracing is on; otherwise it returns h as is,
// so an untraced bridge pays nothing. Other paths (metrics scrapes,
// health checks) are not traced.
func Handler(h http.Handler, endpoint string) http.Handler {
	if !Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "soap",
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path == endpoint }),
		otelhttp.WithSpanNameFormatter(func(string, *http.Request) string { return "soap" }))
}

// Call names the request's server span after the SOAP operation and
// records how the call ended.
func Call(ctx context.Context, operation, outcome, requestID string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetName("soap " + operation)
	span.SetAttributes(KeyOperation.String(operation), KeyOutcome.String(outcome), KeyRequestID.String(requestID))
	if outcome != "ok" {
		span.SetStatus(codes.Error, outcome)
	}
}

func noEnd(string, int) {}

// Attempt starts the span of one attempt at a vendor, to be given the
// context the attempt runs under; end records the outcome (ok, retryable,
// permanent) and the vendor's HTTP status (0: none), and ends the span.
// The delivery engine calls it around every attempt. Attempts are made by
// workers after the change is stored, often after the SOAP call has been
// answered, so the span starts a trace of its own; it carries the call's
// request id (from the context) to find the call's trace.
func Attempt(ctx context.Context, vendor, operation string, attempt int) (_ context.Context, end func(outcome string, vendorHTTPStatus int)) {
	if !Enabled() {
		return ctx, noEnd
	}
	ctx, span := otel.Tracer(tracerName).Start(ctx, "vendor "+vendor, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(KeyVendor.String(vendor), KeyOperation.String(operation), KeyAttempt.Int(attempt)))
	if id := logging.RequestID(ctx); id != "" {
		span.SetAttributes(KeyRequestID.String(id)) // the SOAP call's, to find its trace
	}
	return ctx, func(outcome string, status int) {
		span.SetAttributes(KeyOutcome.String(outcome))
		if status != 0 {
			span.SetAttributes(KeyVendorHTTP.Int(status))
		}
		if outcome != "ok" {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
}

// Transport sends the request context's trace as a traceparent header
// through next when tracing is on. It adds no span of its own: the
// attempt's span is the parent, and an HTTP client span would record the
// URL, where webhook and vendor URLs may carry tokens.
func Transport(next http.RoundTripper) http.RoundTripper { return propagating{next} }

type propagating struct{ next http.RoundTripper }

func (p propagating) RoundTrip(r *http.Request) (*http.Response, error) {
	if Enabled() {
		r = r.Clone(r.Context()) // a RoundTripper must not change its request
		otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	}
	return p.next.RoundTrip(r)
}
