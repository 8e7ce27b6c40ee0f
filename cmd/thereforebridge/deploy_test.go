package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/metrics"
)

// Files in deploy/ that query the bridge's metrics.
const (
	dashboardFile = "deploy/grafana-dashboard.json"
	rulesFile     = "deploy/alerts.rules.yml"
	rulesTestFile = "deploy/alerts.test.yml"
)

// deliveryMetrics are the delivery store's metrics, which the dashboard's
// "Delivery backlog" row and the thereforebridge-delivery rule group use.
// They are registered by the delivery store, not by metrics.New, so they
// are accepted here by name: keep this list in step with the store.
var deliveryMetrics = []string{
	"thereforebridge_delivery_pending",
	"thereforebridge_delivery_oldest_pending_seconds",
	"thereforebridge_delivery_dead",
}

// metricName matches what can only be a metric name in a query: the
// bridge's own families and the Go and process collectors'. Labels,
// functions and alert names never take these prefixes.
var metricName = regexp.MustCompile(`\b(?:thereforebridge|go|process)_[a-z0-9_]+\b`)

// dashboardQueries returns every PromQL string of the dashboard: panel
// targets (rows included) and template variable queries.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID        string  `json:"uid"`
		Panels     []panel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" {
		t.Errorf("%s: no uid: every import would make a new dashboard", dashboardFile)
	}
	var exprs []string
	ids := map[int]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("%s: panel id %d twice", dashboardFile, p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", dashboardFile, p.Title)
			}
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	return exprs
}

type panel struct {
	ID      int     `json:"id"`
	Type    string  `json:"type"`
	Title   string  `json:"title"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// TestDeployMetricsAreRegistered: a dashboard panel or alert on a metric
// the bridge does not export shows "no data" forever, or never fires.
// Every name they use must be one the bridge registers (from the
// registry's descriptors, so label vectors that have not been observed
// yet count), histogram series by their family.
func TestDeployMetricsAreRegistered(t *testing.T) {
	registered := metrics.New().Names()
	known := func(name string) bool {
		if slices.Contains(registered, name) || slices.Contains(deliveryMetrics, name) {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(registered, base) {
				return true
			}
		}
		return false
	}
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]string{rulesFile: {string(rules)}, dashboardFile: dashboardQueries(t)}
	for file, texts := range sources {
		used := 0
		for _, text := range texts {
			for _, name := range metricName.FindAllString(text, -1) {
				used++
				if !known(name) {
					t.Errorf("%s uses %s, which the bridge does not register", file, name)
				}
			}
		}
		if used < 5 {
			t.Errorf("%s: only %d metric names found: is the pattern still right?", file, used)
		}
	}
}

// TestEveryAlertHasAUnitTest keeps alerts.test.yml complete: promtool
// passes a rule nobody tests.
func TestEveryAlertHasAUnitTest(t *testing.T) {
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	alerts := regexp.MustCompile(`(?m)^\s*- alert: (\S+)`).FindAllStringSubmatch(string(rules), -1)
	if len(alerts) == 0 {
		t.Fatal("no alerts found")
	}
	for _, a := range alerts {
		if !regexp.MustCompile(`(?m)^\s*alertname: ` + a[1] + `$`).Match(tests) {
			t.Errorf("alert %s has no case in %s", a[1], rulesTestFile)
		}
	}
}

// TestAlertRules runs promtool on the rules and their unit tests (Debian:
// the prometheus package; .ci/deps installs it).
func TestAlertRules(t *testing.T) {
	promtool := lookTool(t, "promtool", "prometheus")
	for _, args := range [][]string{{"check", "rules", rulesFile}, {"test", "rules", rulesTestFile}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// lookTool finds a command, or skips the test saying what to install.
func lookTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found (Debian package %s, installed by .ci/deps): skipping", name, debianPackage)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
