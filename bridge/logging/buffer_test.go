package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// writes records each Write the buffer makes.
type writes struct {
	mu sync.Mutex
	n  int
	b  bytes.Buffer
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	return w.b.Write(p)
}

func (w *writes) get() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.b.String()
}

// TestBufferBatchesInfoAndFlushesWarnings: info lines are written
// together, a warning is written at once with what came before it, and
// Close writes what is left.
func TestBufferBatchesInfoAndFlushesWarnings(t *testing.T) {
	w := &writes{}
	buf := NewBuffer(w, time.Hour) // no interval write during the test
	log := New(buf, config.Log{})
	for i := range 10 {
		log.Info("soap call", "i", i)
	}
	if n, _ := w.get(); n != 0 {
		t.Fatalf("%d writes for 10 info lines, want none before a flush", n)
	}
	log.With("request_id", "r1").Warn("vendor call")
	n, out := w.get()
	if n != 1 || strings.Count(out, "\n") != 11 || !strings.HasSuffix(out, "\"request_id\":\"r1\"}\n") {
		t.Fatalf("after a warning: %d writes, %q; want one write of the 10 info lines and the warning", n, out)
	}
	log.Info("last")
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
	if n, out := w.get(); n != 2 || !strings.Contains(out, `"msg":"last"`) {
		t.Fatalf("after Close: %d writes, %q; want the last line written", n, out)
	}
}

// TestBufferWritesOnInterval: held lines are written within the interval.
func TestBufferWritesOnInterval(t *testing.T) {
	w := &writes{}
	buf := NewBuffer(w, 10*time.Millisecond)
	defer buf.Close()
	slog.New(slog.NewJSONHandler(buf, nil)).Info("held")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, out := w.get(); strings.Contains(out, "held") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a held line was not written by the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
