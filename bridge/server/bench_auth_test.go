package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// BenchmarkAuthenticatedCall measures what deployments run: the WCF OOF
// call with HTTP Basic on every call (the embedded demo caller, bcrypt
// cost 10), against the same call with authentication off. No vendor.
func BenchmarkAuthenticatedCall(b *testing.B) {
	hdr, body := mustReadCase(b, "wcf-oof-11")
	open, err := server.New(testConfig(), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default() // the demo caller: demo / demo-password
	basic, err := server.New(cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	withBasic := hdr.Clone()
	withBasic.Set("Authorization", "Basic ZGVtbzpkZW1vLXBhc3N3b3Jk") // demo:demo-password
	for _, s := range []struct {
		name   string
		h      http.Handler
		header http.Header
	}{{"auth=off", open.Handler(), hdr}, {"auth=basic", basic.Handler(), withBasic}} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if rec := post(s.h, s.header, body); rec.Code != 200 {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
