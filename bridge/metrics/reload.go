package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reload outcomes, the outcome label of thereforebridge_config_reloads_total.
const (
	ReloadApplied      = "applied"        // the whole new configuration runs
	ReloadNeedsRestart = "restart_needed" // it runs, but some keys wait for a restart
	ReloadInvalid      = "invalid"        // it was refused; the old one runs
)

// Reloads are the metrics of configuration reloads (SIGHUP).
type Reloads struct {
	Total         *prometheus.CounterVec // outcome
	Last          prometheus.Gauge       // unix time of the last reload
	LastOK        prometheus.Gauge       // 1 when the last load was applied, 0 when a reload was refused
	RestartNeeded *prometheus.GaugeVec   // key: 1 while the file's value waits for a restart
}

func newReloads() *Reloads {
	r := &Reloads{
		Total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thereforebridge_config_reloads_total", Help: "Configuration reloads by outcome (applied, restart_needed, invalid).",
		}, []string{"outcome"}),
		Last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "thereforebridge_config_reload_last_timestamp_seconds", Help: "When the configuration was last reloaded (unix time).",
		}),
		LastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "thereforebridge_config_reload_last_success", Help: "1 when the configuration last loaded (at start or by a reload) was applied, 0 when a reload was refused as invalid.",
		}),
		RestartNeeded: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "thereforebridge_config_restart_needed", Help: "1 for each configuration key whose new value waits for a restart.",
		}, []string{"key"}),
	}
	r.LastOK.Set(1) // the configuration the bridge started with; a 0 alerts
	return r
}

func (r *Reloads) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.Total, r.Last, r.LastOK, r.RestartNeeded}
}

// Record counts one reload at now. restart lists the keys waiting for a
// restart after an applied reload; it is ignored for a refused one, whose
// old configuration, and so its pending keys, stays.
func (r *Reloads) Record(now time.Time, outcome string, restart []string) {
	r.Total.WithLabelValues(outcome).Inc()
	r.Last.Set(float64(now.UnixNano()) / 1e9)
	if outcome == ReloadInvalid {
		r.LastOK.Set(0)
		return
	}
	r.LastOK.Set(1)
	r.RestartNeeded.Reset()
	for _, k := range restart {
		r.RestartNeeded.WithLabelValues(k).Set(1)
	}
}
