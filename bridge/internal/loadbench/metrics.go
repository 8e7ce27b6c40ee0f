package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scrape fetches a Prometheus text endpoint and returns the values of the
// named metrics that have no labels.
func scrape(ctx context.Context, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return parseMetrics(bufio.NewScanner(resp.Body), names...)
}

// parseMetrics reads `name value` lines of the Prometheus text format.
func parseMetrics(sc *bufio.Scanner, names ...string) (map[string]float64, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if i := strings.IndexByte(name, '{'); i >= 0 {
			// A series with labels: the name's values are summed.
			end := strings.LastIndexByte(line, '}')
			if end < 0 {
				continue
			}
			name, val, ok = name[:i], strings.TrimSpace(line[end+1:]), true
		}
		if !ok || !want[name] {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(val)[0], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

// heapSampler polls a Go server's /metrics for go_memstats_heap_alloc_bytes
// and keeps the largest value seen: a sampled (so lower-bound) peak heap;
// the bridge's collector trace (gcTracePeak) has the peaks it misses.
type heapSampler struct {
	mu   sync.Mutex
	peak float64
	stop chan struct{}
	done chan struct{}
}

func startHeapSampler(url string, every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			m, err := scrape(ctx, url, "go_memstats_heap_alloc_bytes")
			cancel()
			if err == nil {
				h.mu.Lock()
				h.peak = max(h.peak, m["go_memstats_heap_alloc_bytes"])
				h.mu.Unlock()
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends the sampling.
func (h *heapSampler) Stop() { close(h.stop); <-h.done }

// Peak returns the largest heap seen, in bytes.
func (h *heapSampler) Peak() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return int64(h.peak)
}

// gcTraceEnv turns the Go runtime's collector trace on (one line per
// collection on stderr), keeping what else the environment has in
// GODEBUG.
func gcTraceEnv() string {
	if v := os.Getenv("GODEBUG"); v != "" {
		return "GODEBUG=" + v + ",gctrace=1"
	}
	return "GODEBUG=gctrace=1"
}

// gcLine is a collection's line in a GODEBUG=gctrace=1 trace:
// "gc 12 @1.234s 5%: ... ms cpu, 16->21->17 MB, 18 MB goal, ...": the heap
// when the collection started, when its mark ended, and what was marked
// live, in MiB.
var gcLine = regexp.MustCompile(`(?m)^gc \d+ @[^,]*, [^,]* ms cpu, (\d+)->(\d+)->(\d+) MB`)

// gcTracePeak returns the largest heap the collector trace in log
// reports between the offsets from and to: the heap at the end of a
// collection's mark, its peak in the cycle (it grows until the sweep that
// follows frees what was not marked). It is exact to the MiB, where a
// sample of heap_alloc misses what lives between two samples. ok is false
// when no collection ran in between.
func gcTracePeak(log string, from, to int64) (peak int64, ok bool) {
	if to <= from {
		return 0, false
	}
	f, err := os.Open(log)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	b := make([]byte, to-from)
	n, _ := f.ReadAt(b, from)
	for _, m := range gcLine.FindAllSubmatch(b[:n], -1) {
		for _, g := range m[1:3] {
			v, err := strconv.ParseInt(string(g), 10, 64)
			if err == nil && v<<20 > peak {
				peak, ok = v<<20, true
			}
		}
	}
	return peak, ok
}

// fileSize is the size of path, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
