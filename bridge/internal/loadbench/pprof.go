package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler saves a contender's profiles from its net/http/pprof listener
// around one measured run: the allocation profile before and after the
// window (compare with `go tool pprof -base before after`) and a CPU
// profile of the window itself.
type profiler struct {
	base   string // http://HOST:PORT
	dir    string // where the files go
	prefix string // <contender>-<envelope>-c<N>
	secs   int    // CPU profile length

	cpuDone chan error
	saved   []string
}

// fetch saves base+path into dir/prefix.name.
func (p *profiler) fetch(ctx context.Context, path, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("pprof %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("pprof %s: %s: %s", path, resp.Status, b)
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(p.dir, p.prefix+"."+name)
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	p.saved = append(p.saved, file)
	return f.Close()
}

// begin is called as the window opens: allocations so far, then the CPU
// profile in the background.
func (p *profiler) begin() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.fetch(ctx, "/debug/pprof/allocs", "allocs-before.pb.gz"); err != nil {
		return err
	}
	p.cpuDone = make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(p.secs+30)*time.Second)
		defer cancel()
		p.cpuDone <- p.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", p.secs), "cpu.pb.gz")
	}()
	return nil
}

// end is called as the window closes: allocations and heap after, then
// waits for the CPU profile.
func (p *profiler) end() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.fetch(ctx, "/debug/pprof/allocs", "allocs.pb.gz")
	if err == nil {
		err = p.fetch(ctx, "/debug/pprof/heap", "heap.pb.gz")
	}
	if p.cpuDone != nil {
		if cerr := <-p.cpuDone; err == nil {
			err = cerr
		}
	}
	return err
}
