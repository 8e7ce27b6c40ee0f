package main

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's resolution: values below 1<<subBits
// nanoseconds are exact, larger ones fall in buckets 1/64 of a power of two
// wide, so a reported percentile is within 0.8% of the true value (the
// bucket's midpoint is reported).
const subBits = 7

// maxExp bounds the largest value recorded (2^(maxExp+subBits) ns, about 39
// hours); anything larger is clamped.
const maxExp = 40

const (
	exact     = 1 << subBits // values 0..exact-1 have a bucket each
	perOctave = exact / 2    // buckets per power of two above that
	nBuckets  = exact + maxExp*perOctave
)

// Histogram records latencies in log-linear buckets, like HdrHistogram:
// constant memory, constant-time Record, percentiles with bounded relative
// error. It is not safe for concurrent use; each load worker keeps its own
// and they are merged at the end.
type Histogram struct {
	counts   [nBuckets]uint64
	n        uint64
	sum      float64 // nanoseconds
	min, max int64
}

// NewHistogram returns an empty Histogram.
func NewHistogram() *Histogram { return &Histogram{min: math.MaxInt64} }

// bucketOf returns the bucket index of v nanoseconds.
func bucketOf(v int64) int {
	if v < exact {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - subBits // >= 1
	if e > maxExp {
		return nBuckets - 1
	}
	m := int(v >> e) // in [perOctave, exact)
	return exact + (e-1)*perOctave + (m - perOctave)
}

// bucketValue returns the midpoint of bucket i, in nanoseconds.
func bucketValue(i int) int64 {
	if i < exact {
		return int64(i)
	}
	e := (i-exact)/perOctave + 1
	m := int64((i-exact)%perOctave + perOctave)
	lo := m << e
	hi := (m+1)<<e - 1
	return lo + (hi-lo)/2
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += float64(v)
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

// Merge adds o's records to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count returns how many latencies were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Mean returns the mean latency (0 when empty).
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Max returns the largest latency recorded (0 when empty).
func (h *Histogram) Max() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.max)
}

// Quantile returns the latency at or below which a fraction q of the
// records lie (the nearest-rank definition), 0 when empty. The result is
// clamped to the recorded minimum and maximum, so Quantile(1) is exact.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	if rank >= h.n {
		return time.Duration(h.max)
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := bucketValue(i)
			return time.Duration(min(max(v, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
