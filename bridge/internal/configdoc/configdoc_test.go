package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/golden"
)

// TestReference fails when REFERENCE.md is not what `make docs` writes
// now (go test -update, or make docs, rewrites it) or a key lacks a doc
// comment.
func TestReference(t *testing.T) {
	keys, err := collect(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range undocumented(keys) {
		t.Errorf("config key %s has no doc comment: document its field", k)
	}
	golden.Check(t, filepath.Join(repoRoot(), "bridge", "config", "REFERENCE.md"), render(keys))
}

// TestExamplesCovered walks the shipped config files: every key they set
// must be in the reference, so the walk of the types misses none.
func TestExamplesCovered(t *testing.T) {
	keys, err := collect(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range keys {
		known[k.Path] = true
	}
	for _, file := range []string{"bridge/config/default.yaml", "testdata/config/production.yaml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(), file))
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		var visit func(n2 *yaml.Node, prefix string)
		visit = func(node *yaml.Node, prefix string) {
			switch node.Kind {
			case yaml.DocumentNode:
				for _, c := range node.Content {
					visit(c, prefix)
				}
			case yaml.SequenceNode:
				for _, c := range node.Content {
					visit(c, prefix+"[]")
				}
			case yaml.MappingNode:
				for i := 0; i+1 < len(node.Content); i += 2 {
					path := strings.TrimPrefix(prefix+"."+node.Content[i].Value, ".")
					if !known[path] {
						if mapParent(keys, prefix) {
							continue // a key of a map value (identity vendors, tls.client_subjects)
						}
						t.Errorf("%s:%s: key %s is not in the reference", file, strconv.Itoa(node.Content[i].Line), path)
						continue
					}
					n++
					visit(node.Content[i+1], path)
				}
			}
		}
		visit(&doc, "")
		if n < 10 {
			t.Errorf("%s: only %d keys found; the walk is broken", file, n)
		}
	}
}

// mapParent reports whether path is a key whose value is a map.
func mapParent(keys []key, path string) bool {
	for _, k := range keys {
		if k.Path == path && strings.HasPrefix(k.Type, "map of") {
			return true
		}
	}
	return false
}
