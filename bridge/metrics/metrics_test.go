package metrics

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestNamesListUnobservedVectors: Names comes from descriptors, so label
// vectors appear before their first observation, unlike in a scrape.
func TestNamesListUnobservedVectors(t *testing.T) {
	m := New()
	names := m.Names()
	for _, want := range []string{
		"thereforebridge_requests_total", "thereforebridge_request_duration_seconds", "thereforebridge_requests_in_flight",
		"thereforebridge_vendor_calls_total", "thereforebridge_vendor_call_duration_seconds", "thereforebridge_vendor_retries_total",
		"thereforebridge_best_effort_failures_total", "thereforebridge_build_info",
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %s: %v", want, names)
		}
	}
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "thereforebridge_vendor_calls_total" {
			t.Fatal("vendor_calls_total scraped before any call: the test no longer shows that Names sees more than a scrape")
		}
	}
}

func TestBuildInfo(t *testing.T) {
	m := New()
	want := `
# HELP thereforebridge_build_info Always 1; the labels say which build of the bridge is running.
# TYPE thereforebridge_build_info gauge
thereforebridge_build_info{commit="COMMIT",goversion="` + runtime.Version() + `",version="VERSION"} 1
`
	// The version and commit depend on how the test binary was built:
	// read them back and check the rest exactly.
	mfs, _ := m.Registry.Gather()
	var commit, version string
	for _, mf := range mfs {
		if mf.GetName() != "thereforebridge_build_info" {
			continue
		}
		for _, l := range mf.GetMetric()[0].GetLabel() {
			switch l.GetName() {
			case "commit":
				commit = l.GetValue()
			case "version":
				version = l.GetValue()
			}
		}
	}
	if commit == "" || version == "" {
		t.Fatalf("build_info without commit or version")
	}
	want = strings.NewReplacer("COMMIT", commit, "VERSION", version).Replace(want)
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "thereforebridge_build_info"); err != nil {
		t.Error(err)
	}
}
