// Command configdoc writes bridge/config/REFERENCE.md, the reference of
// every configuration key, from the config types themselves: the key
// from the yaml tag, the type from the Go type, the default from what the
// config (or the vendor's Defaults) fills in, and the meaning from the
// field's doc comment. `make docs` runs it; its test fails when the file
// is stale or a key has no comment.
//
//	go run ./bridge/internal/configdoc -o bridge/config/REFERENCE.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

func main() {
	out := flag.String("o", "bridge/config/REFERENCE.md", "file to write")
	flag.Parse()
	keys, err := collect(repoRoot())
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
	if missing := undocumented(keys); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "configdoc: keys without a doc comment: %v\n", missing)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, render(keys), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

// repoRoot is the module's root, found from this file's place in it.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}
