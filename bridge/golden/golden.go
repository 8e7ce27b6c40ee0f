// Package golden compares test output with files under testdata/ and
// rewrites them with -update. Every test package of the module imports it,
// so that `go test ./... -update` is accepted everywhere.
package golden

import (
	"bufio"
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Root returns the module's testdata directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Check compares got with the file at path (or writes it with -update) and
// reports the first difference.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept):\n%s", path, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + clip(w) + "\n  got:  " + clip(g)
		}
	}
	return "(no line differs; trailing bytes differ)"
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// ReadCase reads a SOAP case folder under testdata/soap: request.xml, and
// headers.txt (one "Name: value" a line; blank lines and # comments are
// skipped).
func ReadCase(tb testing.TB, dir string) (http.Header, []byte) {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join(dir, "request.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	h := http.Header{}
	f, err := os.Open(filepath.Join(dir, "headers.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			tb.Fatalf("%s/headers.txt: %q is not a header line", dir, line)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s/headers.txt: %v", dir, err)
	}
	return h, body
}
