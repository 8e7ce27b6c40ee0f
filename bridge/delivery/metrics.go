package delivery

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	pendingDesc = prometheus.NewDesc("thereforebridge_delivery_pending",
		"Deliveries waiting to be made (pending or retrying), by vendor.", []string{"vendor"}, nil)
	oldestDesc = prometheus.NewDesc("thereforebridge_delivery_oldest_pending_seconds",
		"Age of the oldest delivery waiting to be made, by vendor; 0 when none.", []string{"vendor"}, nil)
	deadDesc = prometheus.NewDesc("thereforebridge_delivery_dead",
		"Deliveries given up after delivery.max_age and kept for operators, by vendor.", []string{"vendor"}, nil)
	failedDesc = prometheus.NewDesc("thereforebridge_delivery_failed",
		"Deliveries that failed permanently and are kept for operators, by vendor.", []string{"vendor"}, nil)
)

// collector reads the store's backlog on scrape, at most once a second,
// so that a busy scraper cannot load the store.
type collector struct {
	e    *Engine
	mu   sync.Mutex
	at   time.Time
	last []Backlog
}

// Collector returns a Prometheus collector of the delivery backlog.
func (e *Engine) Collector() prometheus.Collector { return &collector{e: e} }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- oldestDesc
	ch <- deadDesc
	ch <- failedDesc
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if time.Since(c.at) > time.Second {
		// Within a scrape's usual timeout; a busy store is slow, not absent.
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		b, err := c.e.Backlog(ctx)
		cancel()
		if err == nil {
			c.last, c.at = b, time.Now()
		}
	}
	last := c.last
	c.mu.Unlock()
	for _, b := range last {
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(b.Pending), b.Vendor)
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, b.OldestPending.Seconds(), b.Vendor)
		ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(b.Dead), b.Vendor)
		ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(b.Failed), b.Vendor)
	}
}

// Backlog is one vendor's deliveries not yet made.
type Backlog struct {
	Vendor        string
	Pending       int
	OldestPending time.Duration
	Failed, Dead  int
}

// Backlog counts, per configured vendor, what waits in the store.
func (e *Engine) Backlog(ctx context.Context) ([]Backlog, error) {
	by := map[string]*Backlog{}
	var out []Backlog
	for _, t := range e.targets {
		by[t.Vendor.Name()] = &Backlog{Vendor: t.Vendor.Name()}
	}
	now := e.now()
	err := e.be.inTx(ctx, func(t txn) error {
		r, err := t.query(ctx, `SELECT vendor, state, COUNT(*), MIN(created_at) FROM tb_delivery GROUP BY vendor, state`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var vendor, state string
			var n int
			var oldest int64
			if err := r.Scan(&vendor, &state, &n, &oldest); err != nil {
				return err
			}
			b := by[vendor]
			if b == nil {
				b = &Backlog{Vendor: vendor}
				by[vendor] = b
			}
			switch state {
			case "pending":
				b.Pending, b.OldestPending = n, now.Sub(time.UnixMilli(oldest))
			case "failed":
				b.Failed = n
			case "dead":
				b.Dead = n
			}
		}
		return r.Err()
	})
	for _, b := range by {
		out = append(out, *b)
	}
	return out, err
}
