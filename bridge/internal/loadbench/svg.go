package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Chart is a grid of line-chart panels sharing one legend, written as a
// self-contained SVG by hand (no library, no script, no external font).
type Chart struct {
	Title    string
	Subtitle string
	Cols     int // panels per row
	Panels   []Panel
}

// Panel is one set of axes.
type Panel struct {
	Title  string
	XLabel string
	YLabel string
	LogX   bool      // log2 x axis (concurrency levels)
	LogY   bool      // log10 y axis (latencies spanning decades)
	XTicks []float64 // where the x axis is labelled; nil: automatic
	Series []Series
}

// Series is one line; NaN values leave a gap.
type Series struct {
	Name  string
	Color string
	X, Y  []float64
}

// palette colours series in a stable order.
var palette = []string{"#555555", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b"}

const (
	panelW   = 440
	panelH   = 250
	marginL  = 70
	marginR  = 20
	marginT  = 34
	marginB  = 46
	headerH  = 64
	legendH  = 28
	fontFace = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\""
)

// WriteSVG writes c.
func (c Chart) WriteSVG(out io.Writer) error {
	w := bufio.NewWriter(out)
	cols := max(1, c.Cols)
	rows := (len(c.Panels) + cols - 1) / cols
	cellW := marginL + panelW + marginR
	cellH := marginT + panelH + marginB
	width := cols * cellW
	height := headerH + legendH + rows*cellH
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s font-size="12">`+"\n", width, height, width, height, fontFace)
	fmt.Fprintf(w, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(w, `<text x="12" y="24" font-size="17" font-weight="bold">%s</text>`+"\n", esc(c.Title))
	fmt.Fprintf(w, `<text x="12" y="46" font-size="12" fill="#444444">%s</text>`+"\n", esc(c.Subtitle))

	// One legend for all panels: the union of series names, in order.
	var names []string
	colors := map[string]string{}
	for _, p := range c.Panels {
		for _, s := range p.Series {
			if _, ok := colors[s.Name]; !ok {
				names = append(names, s.Name)
				colors[s.Name] = s.Color
			}
		}
	}
	x := 12
	for _, n := range names {
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`, x, headerH+8, x+22, headerH+8, colors[n])
		fmt.Fprintf(w, `<text x="%d" y="%d">%s</text>`+"\n", x+28, headerH+12, esc(n))
		x += 40 + 7*len(n)
	}

	for i, p := range c.Panels {
		ox := (i % cols) * cellW
		oy := headerH + legendH + (i/cols)*cellH
		p.write(w, ox, oy)
	}
	fmt.Fprintln(w, `</svg>`)
	return w.Flush()
}

// axis maps data values to pixels along one dimension.
type axis struct {
	log        bool
	base       float64
	lo, hi     float64 // in data units (positive when log)
	p0, p1     float64 // pixels for lo and hi
	ticks      []float64
	tickFormat func(float64) string
}

func (a axis) pos(v float64) float64 {
	f := func(x float64) float64 {
		if a.log {
			return math.Log(x) / math.Log(a.base)
		}
		return x
	}
	lo, hi := f(a.lo), f(a.hi)
	if hi == lo {
		return (a.p0 + a.p1) / 2
	}
	return a.p0 + (f(v)-lo)/(hi-lo)*(a.p1-a.p0)
}

// usable reports whether v can be drawn on a.
func (a axis) usable(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!a.log || v > 0)
}

// extent returns the min and max of the usable values.
func extent(vals []float64, log bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) || (log && v <= 0) {
			continue
		}
		lo, hi, ok = min(lo, v), max(hi, v), true
	}
	return
}

// niceLinear returns a linear axis from 0 (or below) to a round number
// above hi, with about five ticks.
func niceLinear(lo, hi float64) (float64, float64, []float64) {
	lo = min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	var ticks []float64
	for v := lo; v <= hi+step/2; v += step {
		ticks = append(ticks, v)
	}
	return lo, hi, ticks
}

// niceLog returns a log10 axis spanning whole decades around lo..hi.
func niceLog(lo, hi float64) (float64, float64, []float64) {
	a := math.Floor(math.Log10(lo))
	b := math.Ceil(math.Log10(hi))
	if b == a {
		b = a + 1
	}
	var ticks []float64
	for e := a; e <= b; e++ {
		ticks = append(ticks, math.Pow(10, e))
	}
	return math.Pow(10, a), math.Pow(10, b), ticks
}

// formatNum writes a tick label: 1.5k, 20, 0.25, 1e-3 ...
func formatNum(v float64) string {
	av := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case av >= 1e6:
		return trimZeros(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case av >= 1e4:
		return trimZeros(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case av >= 1:
		return trimZeros(strconv.FormatFloat(v, 'f', 2, 64))
	case av >= 0.001:
		return trimZeros(strconv.FormatFloat(v, 'f', 3, 64))
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func (p Panel) write(w *bufio.Writer, ox, oy int) {
	left, top := float64(ox+marginL), float64(oy+marginT)
	right, bottom := left+panelW, top+panelH
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" font-size="13" font-weight="bold">%s</text>`+"\n", left, top-12, esc(p.Title))

	var xs, ys []float64
	for _, s := range p.Series {
		xs = append(xs, s.X...)
		ys = append(ys, s.Y...)
	}
	xlo, xhi, okx := extent(xs, p.LogX)
	ylo, yhi, oky := extent(ys, p.LogY)
	if !okx || !oky {
		fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="none" stroke="#999999"/>`, left, top, panelW, panelH)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#777777">no data</text>`+"\n", left+panelW/2, top+panelH/2)
		return
	}
	ax := axis{log: p.LogX, base: 2, lo: xlo, hi: xhi, p0: left + 12, p1: right - 12, ticks: p.XTicks}
	if ax.ticks == nil {
		if p.LogX {
			_, _, ax.ticks = niceLog(xlo, xhi)
		} else {
			ax.lo, ax.hi, ax.ticks = niceLinear(xlo, xhi)
			ax.p0, ax.p1 = left, right
		}
	}
	ay := axis{log: p.LogY, base: 10, p0: bottom, p1: top}
	if p.LogY {
		ay.lo, ay.hi, ay.ticks = niceLog(ylo, yhi)
	} else {
		ay.lo, ay.hi, ay.ticks = niceLinear(ylo, yhi)
	}

	// Frame, grid and tick labels.
	fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="#fbfbfb" stroke="#999999"/>`+"\n", left, top, panelW, panelH)
	for _, t := range ay.ticks {
		y := ay.pos(t)
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e2e2e2"/>`, left, y, right, y)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#333333">%s</text>`+"\n", left-6, y+4, formatNum(t))
	}
	for _, t := range ax.ticks {
		if !ax.usable(t) || t < ax.lo || t > ax.hi {
			continue
		}
		x := ax.pos(t)
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e2e2e2"/>`, x, top, x, bottom)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333333">%s</text>`+"\n", x, bottom+16, formatNum(t))
	}
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333333">%s</text>`+"\n", left+panelW/2, bottom+36, esc(p.XLabel))
	fmt.Fprintf(w, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle" fill="#333333">%s</text>`+"\n", float64(ox)+16, top+panelH/2, esc(p.YLabel))

	// Lines and points.
	for _, s := range p.Series {
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(w, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", s.Color, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i := range s.X {
			if i >= len(s.Y) || !ax.usable(s.X[i]) || !ay.usable(s.Y[i]) {
				flush()
				continue
			}
			x, y := ax.pos(s.X[i]), ay.pos(s.Y[i])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			if len(s.X) > 40 {
				continue // a dense series (the soak's samples) reads better as a bare line
			}
			fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s</title></circle>`+"\n", x, y, s.Color, esc(s.Name), formatNum(s.Y[i]))
		}
		flush()
	}
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
