package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
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
// and keeps the largest value seen: a sampled (so lower-bound) peak heap.
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
