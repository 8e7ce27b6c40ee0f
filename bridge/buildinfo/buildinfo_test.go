package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestGetFillsEveryField(t *testing.T) {
	i := Get()
	if i.Version == "" || i.Commit == "" || i.GoVersion == "" {
		t.Fatalf("empty field in %+v", i)
	}
	if i.GoVersion != runtime.Version() {
		t.Errorf("GoVersion %q, want %q", i.GoVersion, runtime.Version())
	}
}

func TestStampedValuesWin(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	version, commit = "v9.8.7", "abc123"
	i := Get()
	if i.Version != "v9.8.7" || i.Commit != "abc123" {
		t.Fatalf("stamped values lost: %+v", i)
	}
	if s := i.String(); !strings.HasPrefix(s, "thereforebridge v9.8.7 commit abc123 go") {
		t.Errorf("String() = %q", s)
	}
}
