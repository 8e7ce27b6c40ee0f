package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// httpVendor calls a fake over vendorkit's default client, as adapters
// do.
type httpVendor struct{ url string }

func (v *httpVendor) Name() string      { return "fake" }
func (v *httpVendor) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (v *httpVendor) Deliver(ctx context.Context, _ *fanout.Call) fanout.Result {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, v.url, nil)
	resp, err := vendorkit.Deps{}.WithDefaults().HTTP.Do(req)
	if err != nil {
		return vendorkit.FromError(err)
	}
	resp.Body.Close()
	return fanout.Result{Status: fanout.OK, VendorStatus: resp.StatusCode}
}

// TestTraces: a SOAP call is one server span continuing the caller's
// trace; a delivery attempt, made by a worker after the change is stored,
// is a span of its own with the vendor, operation, attempt and outcome;
// the vendor receives the attempt's traceparent; no span holds a
// credential.
func TestTraces(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { tracing.Use(nil) })

	parents := make(chan string, 10)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parents <- r.Header.Get("Traceparent")
	}))
	defer fake.Close()
	hash, _ := auth.HashPassword("s3cret-pw")
	cfg := testConfig()
	cfg.Auth = config.Auth{Realm: "r", ReplayWindow: cfg.Auth.ReplayWindow, Callers: []config.Caller{{Name: "jdoe", PasswordHash: hash}}}
	srv, err := server.New(cfg, []fanout.Target{{Vendor: &httpVendor{url: fake.URL + "/hook?token=s3cret-token"}, Required: true}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	hdr, body := okCase(t, "wcf-oof-11")
	hdr = hdr.Clone()
	hdr.Set("Authorization", "Basic amRvZTpzM2NyZXQtcHc=") // jdoe:s3cret-pw
	const callerTrace = "0af7651916cd43dd8448eb211c80319c"
	hdr.Set("Traceparent", "00-"+callerTrace+"-b7ad6b7169203331-01")
	if rec := post(srv.Handler(), hdr, body); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var parent string
	select {
	case parent = <-parents:
	case <-time.After(10 * time.Second):
		t.Fatal("the vendor was never called")
	}

	var call, attempt sdktrace.ReadOnlySpan
	for deadline := time.Now().Add(10 * time.Second); attempt == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, s := range rec.Ended() {
			switch s.Name() {
			case "soap SaveOutOfOfficeInfoForUser":
				call = s
			case "vendor fake":
				attempt = s
			}
		}
	}
	if call == nil || attempt == nil {
		t.Fatalf("spans: call %v, attempt %v", call != nil, attempt != nil)
	}
	for _, s := range rec.Ended() {
		for _, a := range s.Attributes() {
			if v := a.Value.Emit(); strings.Contains(v, "s3cret") || strings.Contains(v, "amRvZT") {
				t.Errorf("span %q attribute %s holds a credential: %s", s.Name(), a.Key, v)
			}
		}
	}
	if got := call.SpanContext().TraceID().String(); got != callerTrace {
		t.Errorf("the call span's trace %s does not continue the caller's %s", got, callerTrace)
	}
	if call.SpanKind() != trace.SpanKindServer || attrs(call)["thereforebridge.outcome"] != "ok" || attrs(call)["thereforebridge.operation"] != "SaveOutOfOfficeInfoForUser" {
		t.Errorf("call span kind %v attributes %v", call.SpanKind(), attrs(call))
	}
	a := attrs(attempt)
	if a["thereforebridge.request_id"] != attrs(call)["thereforebridge.request_id"] || a["thereforebridge.vendor"] != "fake" || a["thereforebridge.attempt"] != int64(1) || a["thereforebridge.outcome"] != "ok" || a["thereforebridge.operation"] != "SaveOutOfOfficeInfoForUser" {
		t.Errorf("attempt span attributes %v", a)
	}
	want := "00-" + attempt.SpanContext().TraceID().String() + "-" + attempt.SpanContext().SpanID().String() + "-01"
	if parent != want {
		t.Errorf("the vendor got traceparent %q, want the attempt's %q", parent, want)
	}
}

func attrs(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	for _, a := range s.Attributes() {
		m[string(a.Key)] = a.Value.AsInterface()
	}
	return m
}
