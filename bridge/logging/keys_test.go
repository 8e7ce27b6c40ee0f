package logging_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

var (
	attrKey  = regexp.MustCompile(`slog\.[A-Z]\w*\("([a-z_]+)"`)
	logCall  = regexp.MustCompile(`\.(?:Debug|Info|Warn|Error)(?:Context)?\((?:ctx, )?"[^"]*"(.*)`)
	pairKey  = regexp.MustCompile(`"([a-z_]+)", `)
	tableKey = regexp.MustCompile("`([a-z_]+)`")
)

// readmeSection returns the lines of README.md's section title.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", title)
	}
	sec, _, _ := strings.Cut(rest, "\n## ")
	return sec
}

// TestKeysDocumented fails when the bridge logs a key the README's table
// of log keys does not explain.
func TestKeysDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, line := range strings.Split(readmeSection(t, "Log lines"), "\n") {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| `") {
			for _, m := range tableKey.FindAllStringSubmatch(first, -1) {
				documented[m[1]] = true
			}
		}
	}
	for _, root := range []string{"../../bridge", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.Contains(path, "/fake/") || strings.Contains(path, "/internal/") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				keys := attrKey.FindAllStringSubmatch(line, -1)
				if m := logCall.FindStringSubmatch(line); m != nil {
					keys = append(keys, pairKey.FindAllStringSubmatch(m[1], -1)...)
				}
				for _, k := range keys {
					if !documented[k[1]] {
						t.Errorf("%s:%d: log key %q is not in README.md's table of log keys", path, i+1, k[1])
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestFaultKindsDocumented keeps the README's table of fault kinds and
// soap.Kinds the same list.
func TestFaultKindsDocumented(t *testing.T) {
	sec := readmeSection(t, "Log lines")
	for _, k := range soap.Kinds {
		if !strings.Contains(sec, "| `"+string(k)+"` |") {
			t.Errorf("fault kind %s is not in README.md's table of fault kinds", k)
		}
	}
}
