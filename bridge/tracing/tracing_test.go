package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
)

// record turns tracing on with an in-memory exporter for one test.
func record(t *testing.T) *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { tracing.Use(nil) })
	return rec
}

func attrs(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	for _, a := range s.Attributes() {
		m[string(a.Key)] = a.Value.AsInterface()
	}
	return m
}

func TestAttempt(t *testing.T) {
	tests := []struct {
		outcome    string
		status     int
		wantStatus codes.Code
	}{
		{"ok", 200, codes.Unset},
		{"retryable", 503, codes.Error},
		{"permanent", 0, codes.Error},
	}
	for _, tt := range tests {
		t.Run(tt.outcome, func(t *testing.T) {
			rec := record(t)
			_, end := tracing.Attempt(context.Background(), "grommunio", "SavePortalUser", 2)
			end(tt.outcome, tt.status)
			spans := rec.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			s := spans[0]
			a := attrs(s)
			if s.Name() != "vendor grommunio" || s.SpanKind() != trace.SpanKindClient {
				t.Errorf("span %q kind %v", s.Name(), s.SpanKind())
			}
			want := map[string]any{"thereforebridge.vendor": "grommunio", "thereforebridge.operation": "SavePortalUser",
				"thereforebridge.attempt": int64(2), "thereforebridge.outcome": tt.outcome}
			for k, v := range want {
				if a[k] != v {
					t.Errorf("%s = %v, want %v", k, a[k], v)
				}
			}
			if _, has := a["thereforebridge.vendor_http_status"]; has != (tt.status != 0) {
				t.Errorf("vendor_http_status present = %v for status %d", has, tt.status)
			}
			if s.Status().Code != tt.wantStatus {
				t.Errorf("status %v, want %v", s.Status().Code, tt.wantStatus)
			}
		})
	}
}

func TestOffRecordsNothing(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracing.Use(nil)
	_, end := tracing.Attempt(context.Background(), "v", "op", 1)
	end("ok", 200)
	if len(rec.Ended()) != 0 || tracing.Enabled() {
		t.Error("tracing off still records")
	}
	shutdown, err := tracing.Setup(context.Background(), config.Tracing{})
	if err != nil || shutdown(context.Background()) != nil || tracing.Enabled() {
		t.Errorf("Setup without an endpoint turned tracing on (err %v)", err)
	}
}

// TestTransportSendsTraceparent: a vendor fake sees the attempt's span as
// the traceparent parent, and nothing when tracing is off.
func TestTransportSendsTraceparent(t *testing.T) {
	got := make(chan string, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Traceparent")
	}))
	defer fake.Close()
	client := &http.Client{Transport: tracing.Transport(http.DefaultTransport)}
	send := func(ctx context.Context) (string, http.Header) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-got, req.Header
	}

	if tp, _ := send(context.Background()); tp != "" {
		t.Errorf("tracing off: traceparent %q sent", tp)
	}
	record(t)
	ctx, end := tracing.Attempt(context.Background(), "webhook", "SavePortalUser", 1)
	defer end("ok", 200)
	sc := trace.SpanContextFromContext(ctx)
	tp, sent := send(ctx)
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	if tp != want {
		t.Errorf("traceparent %q, want %q", tp, want)
	}
	if sent.Get("Traceparent") != "" {
		t.Error("the transport changed the caller's request")
	}
}
