package config

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The yaml package reports errors as "line N: what" with no field name, and
// sometimes no line (check's own errors). The functions here walk the
// parsed node tree to put the two together: the dotted path of the key on
// a line ("limits.max_depth", "identity.users[0].therefore"), and the line
// of a dotted path.

// root returns the top node of the first document in b, or nil when b does
// not parse (the decoder then reports the syntax error itself).
func root(b []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// match says which node on a line an error is about.
type match struct {
	key        string // a mapping key with this name (unknown and duplicate keys)
	collection bool   // a mapping or sequence ("cannot unmarshal !!map into ...")
}

// find returns the child-index address and dotted path, below prefix, of the
// first node in n on line that m selects; ok is false when there is none.
// Without m.key or m.collection it selects a scalar, or the key it is the
// value of.
func find(n *yaml.Node, prefix string, line int, m match) (addr []int, path string, ok bool) {
	if n == nil {
		return nil, "", false
	}
	self := func() ([]int, string, bool) {
		if m.key == "" && n.Line == line && (m.collection == (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode)) {
			return nil, prefix, true
		}
		return nil, "", false
	}
	switch n.Kind {
	case yaml.MappingNode:
		if m.collection {
			if a, p, ok := self(); ok {
				return a, p, ok
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			if m.key != "" && k.Line == line && k.Value == m.key {
				return []int{i}, p, true
			}
			if a, got, ok := find(v, p, line, m); ok {
				return append([]int{i + 1}, a...), got, true
			}
			if m.key == "" && !m.collection && k.Line == line {
				return []int{i}, p, true
			}
		}
	case yaml.SequenceNode:
		if m.collection {
			if a, p, ok := self(); ok {
				return a, p, ok
			}
		}
		for i, item := range n.Content {
			if a, got, ok := find(item, prefix+"["+strconv.Itoa(i)+"]", line, m); ok {
				return append([]int{i}, a...), got, true
			}
		}
	default:
		return self()
	}
	return nil, "", false
}

// nodeAt follows addr, as returned by find, down from n.
func nodeAt(n *yaml.Node, addr []int) *yaml.Node {
	for _, i := range addr {
		if n == nil || i >= len(n.Content) {
			return nil
		}
		n = n.Content[i]
	}
	return n
}

// lineOf returns the line of the key a dotted path names. When the file
// does not set it (a default failed a check, or a required key is
// missing), it returns the line of the nearest enclosing key or list item
// the file has, and 0 when there is none.
func lineOf(n *yaml.Node, path string) int {
	if n == nil || path == "" {
		return 0
	}
	line := 0
	for _, seg := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(seg, "[")
		if n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				line, next = n.Content[i].Line, n.Content[i+1]
			}
		}
		if next == nil {
			return line
		}
		n = next
		for rest != "" { // "0]" or "0][1]"
			idx, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(idx)
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return line
}

var (
	lineMsg    = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKey = regexp.MustCompile(`^field (.+?) not found in type `)
	dupKey     = regexp.MustCompile(`^mapping key "(.*)" already defined at line \d+$`)
	collection = regexp.MustCompile(`^cannot unmarshal !!(map|seq) `)
)

// locate turns one yaml error message into an *Error in file. tree is
// the node tree the decoded text was parsed into; prefix is its dotted path
// in the file; fileLine maps an address in tree to a line of the file, the
// nil address to tree's own (nil fileLine: tree's lines are the file's).
func locate(file, msg string, tree *yaml.Node, prefix string, fileLine func(addr []int) int) *Error {
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := lineMsg.FindStringSubmatch(msg)
	if m == nil {
		e := &Error{File: file, Field: prefix, Msg: msg}
		if fileLine != nil {
			e.Line = fileLine(nil)
		}
		return e
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	var sel match
	if u := unknownKey.FindStringSubmatch(rest); u != nil {
		sel.key, rest = u[1], "unknown field"
	} else if d := dupKey.FindStringSubmatch(rest); d != nil {
		sel.key = d[1]
	} else {
		sel.collection = collection.MatchString(rest)
	}
	addr, path, ok := find(tree, prefix, line, sel)
	if !ok {
		path = prefix
		if sel.key != "" && rest == "unknown field" {
			path = strings.TrimPrefix(prefix+"."+sel.key, ".")
		}
	}
	if fileLine != nil {
		line = fileLine(addr) // the section's own line when not found
	}
	return &Error{File: file, Line: line, Field: path, Msg: rest}
}

// locateAll is locate for every message a decoder error holds: a
// *yaml.TypeError carries one per problem found.
func locateAll(file string, err error, tree *yaml.Node, prefix string, fileLine func(addr []int) int) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs = te.Errors
	}
	errs := make([]error, len(msgs))
	for i, msg := range msgs {
		errs[i] = locate(file, msg, tree, prefix, fileLine)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// extraDocument returns an error when dec holds a second YAML document:
// Decode reads only the first, and a file of two would lose the rest
// without a word.
func extraDocument(file string, dec *yaml.Decoder) error {
	var extra yaml.Node
	err := dec.Decode(&extra)
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return locateAll(file, err, nil, "", nil)
	}
	if len(extra.Content) == 0 || extra.Content[0].ShortTag() == "!!null" {
		return nil // a trailing "---" alone
	}
	return &Error{File: file, Line: extra.Content[0].Line, Msg: "a config file holds one YAML document; found a second"}
}
