package metrics

import (
	"regexp"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thereforebridge/thereforebridge/bridge/buildinfo"
)

// MustRegister registers collectors on m.Registry and remembers them, so
// that Names can list what they export.
func (m *Metrics) MustRegister(cs ...prometheus.Collector) {
	m.Registry.MustRegister(cs...)
	m.collectors = append(m.collectors, cs...)
}

// fqName pulls the metric name out of a descriptor: client_golang keeps
// it private and prints it only in Desc.String.
var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names returns the name of every metric family the registry exports,
// sorted, from the collectors' descriptors: a label vector that has not
// seen a call yet is listed too, which a scrape would miss. Dashboards
// and alert rules are checked against it.
func (m *Metrics) Names() []string {
	ch := make(chan *prometheus.Desc)
	go func() {
		for _, c := range m.collectors {
			c.Describe(ch)
		}
		close(ch)
	}()
	var names []string
	for d := range ch {
		if sub := fqName.FindStringSubmatch(d.String()); sub != nil {
			names = append(names, sub[1])
		}
	}
	sort.Strings(names)
	return names
}

// buildInfo is the conventional constant-1 gauge whose labels say which
// build runs: dashboards show it, and a version change shows up as a new
// series at each deployment.
func buildInfo() prometheus.Collector {
	i := buildinfo.Get()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "thereforebridge_build_info", Help: "Always 1; the labels say which build of the bridge is running.",
	}, []string{"version", "commit", "goversion"})
	g.WithLabelValues(i.Version, i.Commit, i.GoVersion).Set(1)
	return g
}
