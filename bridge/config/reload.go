package config

import (
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// restartKeys are the settings a running bridge cannot change: its
// listening sockets and what is bound to them, and what lives for the
// whole process: the delivery engine (its store and workers) and the
// vendors and directory it delivers with, the pass-through client and
// the WSDL it keeps fetched. A dotted path the Config does
// not have is skipped, so the list may name sections before they exist.
var restartKeys = []string{
	"listen", "endpoint", "debug", "debug_listen",
	"limits.header_timeout", "limits.read_timeout", "limits.write_timeout", "limits.idle_timeout",
	"log.format", "tracing", "admin", "delivery", "fanout", "identity", "vendors",
	"upstream", "wsdl",
}

// KeepRunning prepares next to replace running in a live bridge: every
// setting that needs a restart and differs is set back to running's
// value, and its key returned, so that the rest can apply at once. TLS
// stays on or off as it started (its certificate and client CAs still
// change).
func KeepRunning(running, next *Config) (restart []string) {
	for _, key := range restartKeys {
		r, n := fieldAt(running, key), fieldAt(next, key)
		if !r.IsValid() || !n.IsValid() || equal(r, n) {
			continue
		}
		n.Set(r)
		restart = append(restart, key)
	}
	if running.TLS.Enabled() != next.TLS.Enabled() {
		next.TLS = running.TLS
		restart = append(restart, "tls")
	}
	return restart
}

// equal compares two values of a key; YAML trees (vendor sections) by
// what they say, not on which lines.
func equal(a, b reflect.Value) bool {
	av, aok := a.Interface().(map[string]yaml.Node)
	bv, bok := b.Interface().(map[string]yaml.Node)
	if !aok || !bok {
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
	if len(av) != len(bv) {
		return false
	}
	for name, an := range av {
		bn, ok := bv[name]
		if !ok || !sameNode(an, bn) {
			return false
		}
	}
	return true
}

// Changed returns the dotted keys whose values differ between a and b,
// down to the settings of each section and each vendor's section.
func Changed(a, b *Config) []string {
	var keys []string
	diff(reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem(), "", &keys)
	for name, an := range a.Vendors {
		bn, ok := b.Vendors[name]
		if !ok || !sameNode(an, bn) {
			keys = append(keys, "vendors."+name)
		}
	}
	for name := range b.Vendors {
		if _, ok := a.Vendors[name]; !ok {
			keys = append(keys, "vendors."+name)
		}
	}
	slices.Sort(keys)
	return keys
}

func diff(a, b reflect.Value, prefix string, keys *[]string) {
	t := a.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" || name == "vendors" {
			continue
		}
		key := strings.TrimPrefix(prefix+"."+name, ".")
		av, bv := a.Field(i), b.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Secret]() {
			diff(av, bv, key, keys)
			continue
		}
		if !reflect.DeepEqual(av.Interface(), bv.Interface()) {
			*keys = append(*keys, key)
		}
	}
}

// sameNode compares two YAML trees by what they say, not where or in
// which style (lines, flow or block).
func sameNode(a, b yaml.Node) bool {
	var av, bv any
	return a.Decode(&av) == nil && b.Decode(&bv) == nil && reflect.DeepEqual(av, bv)
}

// fieldAt returns the settable field of c at a dotted key, or the zero
// Value when c has no such key.
func fieldAt(c *Config, key string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	for _, name := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		found := reflect.Value{}
		for i := range v.NumField() {
			if yamlName(v.Type().Field(i)) == name {
				found = v.Field(i)
				break
			}
		}
		if !found.IsValid() {
			return found
		}
		v = found
	}
	return v
}

// yamlName is the key a struct field has in the file; "" when it has none.
func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}
