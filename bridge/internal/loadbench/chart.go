package main

import (
	"fmt"
	"math"
	"strings"
)

// Chart draws throughput and p99 against concurrency, one row per
// envelope.
func (r *Report) Chart() Chart {
	c := Chart{
		Title:    "thereforebridge load benchmark: throughput, p99 latency and CPU per call against concurrency",
		Subtitle: fmt.Sprintf("%s · %d cores · %s · %s · window %s", r.Started.UTC().Format("2006-01-02"), r.Machine.Cores, clip(r.Machine.CPU, 50), pinShort(r.Pinning), r.Settings.Duration),
		Cols:     3,
	}
	var ticks []float64
	for _, lv := range r.Settings.Levels {
		ticks = append(ticks, float64(lv))
	}
	for _, e := range r.Envelopes {
		thr := Panel{Title: e.Label + ": throughput", XLabel: "concurrency", YLabel: "requests/s", LogX: true, XTicks: ticks}
		lat := Panel{Title: e.Label + ": p99", XLabel: "concurrency", YLabel: "p99 latency, ms (log)", LogX: true, LogY: true, XTicks: ticks}
		for i, ct := range r.Contenders {
			st := Series{Name: ct.Label, Color: palette[i%len(palette)]}
			sl := st
			for _, lv := range r.Settings.Levels {
				x := r.find(ct.Name, e.Name, lv)
				y1, y2 := math.NaN(), math.NaN()
				if x != nil && x.N > 0 {
					y1, y2 = x.RPS, x.P99
				}
				st.X, st.Y = append(st.X, float64(lv)), append(st.Y, y1)
				sl.X, sl.Y = append(sl.X, float64(lv)), append(sl.Y, y2)
			}
			thr.Series = append(thr.Series, st)
			lat.Series = append(lat.Series, sl)
		}
		// Throughputs a hundred times apart (the 10,000-item call) read
		// better on a log axis.
		var ys []float64
		for _, sr := range thr.Series {
			ys = append(ys, sr.Y...)
		}
		if lo, hi, ok := extent(ys, true); ok && hi/lo > 50 {
			thr.LogY, thr.YLabel = true, "requests/s (log)"
		}
		thr.Title = shortTitle(e) + ": throughput"
		lat.Title = shortTitle(e) + ": p99 latency"
		// CPU per call: the figure other work on a shared machine disturbs
		// least.
		cpu := Panel{Title: shortTitle(e) + ": server CPU per call", XLabel: "concurrency", YLabel: "CPU ms per call (log)", LogX: true, LogY: true, XTicks: ticks}
		for i, ct := range r.Contenders {
			s := Series{Name: ct.Label, Color: palette[i%len(palette)]}
			for _, lv := range r.Settings.Levels {
				y := math.NaN()
				if x := r.find(ct.Name, e.Name, lv); x != nil && x.N > 0 {
					y = x.CPUPer1k // CPU seconds per 1,000 calls = ms per call
				}
				s.X, s.Y = append(s.X, float64(lv)), append(s.Y, y)
			}
			cpu.Series = append(cpu.Series, s)
		}
		c.Panels = append(c.Panels, thr, lat, cpu)
	}
	return c
}

func shortTitle(e EnvelopeInfo) string {
	switch {
	case e.Name == "oof":
		return "SaveOutOfOfficeInfoForUser"
	case strings.HasPrefix(e.Name, "portal-"):
		return "SavePortalUser, " + thousands(int64(atoiOr(strings.TrimPrefix(e.Name, "portal-")))) + " items"
	}
	return e.Name
}

func atoiOr(s string) int {
	var n int
	fmt.Sscanf(s, "%d", &n)
	return n
}

func pinShort(pin string) string {
	if strings.HasPrefix(pin, "not pinned") {
		return "not pinned"
	}
	return "server and load generator pinned to separate cores"
}
