package logging

import (
	"io"
	"sync"
	"time"
)

// bufferLimit is how much a Buffer holds before it writes at once.
const bufferLimit = 64 << 10

// Buffer holds the lines written to it for at most an interval (or until
// 64 KiB) and then writes them to its writer in one write: a busy bridge
// writes two lines a call, and a write to stdout (a pipe to journald, a
// terminal, a file) per line was a system call per line. Lines at the
// warning level and above are written at once (New's logger flushes
// after them), and Close writes what is left, so what is held at most is
// an interval's worth of info lines, lost only if the process is killed.
type Buffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	stop chan struct{}
	done chan struct{}
}

// NewBuffer returns a Buffer writing to w at least every interval.
func NewBuffer(w io.Writer, interval time.Duration) *Buffer {
	b := &Buffer{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.Flush()
			}
		}
	}()
	return b
}

// Write holds p (a whole line: slog writes each record in one call).
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= bufferLimit {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is held.
func (b *Buffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *Buffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	if cap(b.buf) > 4*bufferLimit {
		b.buf = nil // a burst of long lines: do not keep its memory
	}
	return err
}

// Close stops the interval writes and writes what is held.
func (b *Buffer) Close() error {
	select {
	case <-b.stop:
	default:
		close(b.stop)
		<-b.done
	}
	return b.Flush()
}
