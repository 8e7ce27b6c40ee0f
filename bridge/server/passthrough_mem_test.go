package server_test

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// TestPassThroughStreamsLargeAnswers: a 50 MiB answer goes through the
// bridge in a copy buffer. Everything allocated in the process while it
// streams (bridge, upstream and client together) stays under 10 MiB, so
// the bridge never holds the body whole. Allocation is counted, not time.
func TestPassThroughStreamsLargeAnswers(t *testing.T) {
	const size = 50 << 20
	chunk := bytes.Repeat([]byte("<a:IndexValue>0123456789abcdef</a:IndexValue>"), 1456) // ~64 KiB
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.NotFound(w, r) // no WSDL: the bridge serves its own
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for left := size; left > 0; {
			n := min(left, len(chunk))
			if _, err := w.Write(chunk[:n]); err != nil {
				return
			}
			left -= n
		}
	})
	ts, _ := passServer(t, up, nil)
	body := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocumentStream xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"/></s:Body></s:Envelope>`)
	header := http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "Soapaction": {`"` + actionBase + `GetDocumentStream"`}}
	// Warm up connections and pools so that they are not counted.
	warm := soapPost(t, ts.URL, header, body, "jdoe", "s3cret")
	io.Copy(io.Discard, warm.Body)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp := soapPost(t, ts.URL, header, body, "jdoe", "s3cret")
	buf := make([]byte, 32<<10)
	n, err := io.CopyBuffer(io.Discard, resp.Body, buf)
	runtime.ReadMemStats(&after)
	if err != nil || n != size || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %d bytes (want %d), err %v", resp.StatusCode, n, size, err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("50 MiB passed through; allocated meanwhile: %.2f MiB; heap in use %.2f -> %.2f MiB",
		float64(allocated)/(1<<20), float64(before.HeapInuse)/(1<<20), float64(after.HeapInuse)/(1<<20))
	if allocated >= 10<<20 {
		t.Errorf("streaming 50 MiB allocated %.1f MiB, want < 10 MiB: the answer is buffered somewhere", float64(allocated)/(1<<20))
	}
}
