// Package jsonw writes a Go value as encoding/json encodes it without
// HTML escaping, byte for byte, appending straight to the caller's
// buffer.
//
// encoding/json encodes into a pooled buffer and copies the result out:
// for a 10,000-item SavePortalUser, a megabyte encoded, copied, and the
// pooled buffer (twice that, as it grew) kept reachable between calls.
// Here the encoding goes where it is needed (the store's row, behind the
// change's head), and nothing outlives the call.
//
// Structs, pointers, slices, strings, booleans, numbers and the values of
// a MarshalJSON or MarshalText method are written here, from a plan made
// once per type, as encoding/json's rules have them (field names and
// tags, omitempty, embedded structs, float formatting, compacting). What
// these plans do not cover (a method only a pointer has, a map, an
// array, []byte, json.Number, a ",string" or ",omitzero" field, two
// fields of one name) is handed to encoding/json itself, value by value,
// so the output stays its output.
//
// Values are walked as trees: the decoded parameters cannot hold a cycle,
// which encoding/json would report and this would not end.
package jsonw

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Append appends the encoding of v to dst: encoding/json's, without
// HTML escaping and without the newline json.Encoder ends a value with.
// On error dst is returned as it was.
func Append(dst []byte, v any) ([]byte, error) {
	out, err := appendValue(dst, reflect.ValueOf(v))
	if err != nil {
		return dst, err
	}
	return out, nil
}

// encodeFunc appends v, of the type it was made for.
type encodeFunc func(b []byte, v reflect.Value) ([]byte, error)

var plans sync.Map // reflect.Type -> encodeFunc

func appendValue(b []byte, v reflect.Value) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	return planOf(v.Type())(b, v)
}

// planOf returns the encoder of t, making it once. A type that refers to
// itself gets, while its plan is made, one that waits for that plan.
func planOf(t reflect.Type) encodeFunc {
	if f, ok := plans.Load(t); ok {
		return f.(encodeFunc)
	}
	var (
		wg sync.WaitGroup
		f  encodeFunc
	)
	wg.Add(1)
	fi, loaded := plans.LoadOrStore(t, encodeFunc(func(b []byte, v reflect.Value) ([]byte, error) {
		wg.Wait()
		return f(b, v)
	}))
	if loaded {
		return fi.(encodeFunc)
	}
	f = newPlan(t)
	wg.Done()
	plans.Store(t, f)
	return f
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

func newPlan(t reflect.Type) encodeFunc {
	// encoding/json's order of precedence; a method that only a pointer
	// has (used when the value is addressable) is left to it.
	switch {
	case t == numberType:
		return byEncodingJSON
	case t.Implements(marshalerType):
		return appendMarshaler
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType):
		return byEncodingJSON
	case t.Implements(textMarshalerType):
		return appendTextMarshaler
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType):
		return byEncodingJSON
	}
	switch t.Kind() {
	case reflect.Bool:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendBool(b, v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(b, v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(b, v.Uint(), 10), nil }
	case reflect.Float32:
		return floatPlan(32)
	case reflect.Float64:
		return floatPlan(64)
	case reflect.String:
		return func(b []byte, v reflect.Value) ([]byte, error) { return AppendString(b, v.String()), nil }
	case reflect.Interface:
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			return appendValue(b, v.Elem())
		}
	case reflect.Pointer:
		elem := planOf(t.Elem())
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			return elem(b, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return byEncodingJSON // base64, or the elements' own marshalers
		}
		elem := planOf(t.Elem())
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			b = append(b, '[')
			var err error
			for i := range v.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				if b, err = elem(b, v.Index(i)); err != nil {
					return b, err
				}
			}
			return append(b, ']'), nil
		}
	case reflect.Struct:
		if f := structPlan(t); f != nil {
			return f
		}
	}
	return byEncodingJSON
}

// byEncodingJSON appends what encoding/json writes for v. An addressable
// v is passed by its address, so that encoding/json finds the methods it
// would find on it in place (a MarshalJSON on the pointer).
func byEncodingJSON(b []byte, v reflect.Value) ([]byte, error) {
	x := v.Interface()
	if v.CanAddr() {
		x = v.Addr().Interface()
	}
	var w bytes.Buffer
	enc := json.NewEncoder(&w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(w.Bytes(), []byte("\n"))...), nil
}

// appendMarshaler appends what v's MarshalJSON writes, compacted, as
// encoding/json does (a nil pointer is null).
func appendMarshaler(b []byte, v reflect.Value) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return append(b, "null"...), nil
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok {
		return append(b, "null"...), nil // a nil interface
	}
	out, err := m.MarshalJSON()
	if err != nil {
		return b, &json.MarshalerError{Type: v.Type(), Err: err}
	}
	w := bytes.NewBuffer(b)
	if err := json.Compact(w, out); err != nil {
		return b, &json.MarshalerError{Type: v.Type(), Err: err}
	}
	return w.Bytes(), nil
}

// appendTextMarshaler appends v's MarshalText as a JSON string, as
// encoding/json does (a nil pointer is null).
func appendTextMarshaler(b []byte, v reflect.Value) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return append(b, "null"...), nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return append(b, "null"...), nil
	}
	text, err := m.MarshalText()
	if err != nil {
		return b, &json.MarshalerError{Type: v.Type(), Err: err}
	}
	return AppendString(b, string(text)), nil
}

// floatPlan writes a float as encoding/json does: ES6's shortest form,
// with exponents for very small and very large magnitudes.
func floatPlan(bits int) encodeFunc {
	return func(b []byte, v reflect.Value) ([]byte, error) {
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return byEncodingJSON(b, v) // its error
		}
		format := byte('f')
		if abs := math.Abs(f); abs != 0 {
			if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
				format = 'e'
			}
		}
		b = strconv.AppendFloat(b, f, format, -1, bits)
		if format == 'e' {
			// e-09 to e-9
			if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
				b[n-2] = b[n-1]
				b = b[:n-1]
			}
		}
		return b, nil
	}
}

// field is one member of a struct's encoding: where it is (through
// embedded structs), its quoted name and colon, and how it is written.
type field struct {
	index     []int
	key       string // `"Name":`
	omitEmpty bool
	nilable   bool // a pointer or interface: empty when nil
	typ       reflect.Type
	enc       encodeFunc
}

// structPlan returns the encoder of struct type t, or nil when its
// fields take a rule left to encoding/json.
func structPlan(t reflect.Type) encodeFunc {
	fields, ok := structFields(t)
	if !ok {
		return nil
	}
	for i := range fields {
		fields[i].enc = planOf(fields[i].typ)
		k := fields[i].typ.Kind()
		fields[i].nilable = k == reflect.Pointer || k == reflect.Interface
	}
	return func(b []byte, v reflect.Value) ([]byte, error) {
		b = append(b, '{')
		first := true
		var err error
	members:
		for i := range fields {
			f := &fields[i]
			var fv reflect.Value
			if len(f.index) == 1 {
				fv = v.Field(f.index[0])
			} else {
				fv = v
				for _, x := range f.index {
					if fv.Kind() == reflect.Pointer {
						if fv.IsNil() {
							continue members // in a nil embedded struct
						}
						fv = fv.Elem()
					}
					fv = fv.Field(x)
				}
			}
			if f.omitEmpty {
				if f.nilable {
					if fv.IsNil() {
						continue
					}
				} else if isEmpty(fv) {
					continue
				}
			}
			b = grow(b, len(f.key)+24) // the member's number or bool, too
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.key...)
			if b, err = f.enc(b, fv); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
}

// structFields lists t's members as encoding/json's typeFields does, for
// the cases taken here: exported fields and the fields of embedded
// structs (or pointers to them) without a name in their tag, in the
// order of their index, and ok is false for what is not taken here (a
// ",string" or ",omitzero" option, a name that occurs twice, an
// unexported embedded type).
func structFields(t reflect.Type) (_ []field, ok bool) {
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int) bool
	walk = func(t reflect.Type, index []int) bool {
		for i := range t.NumField() {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() {
					// Promoted from an unexported type: its fields cannot
					// be handed to encoding/json one by one.
					return false
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !validName(name) {
				name = ""
			}
			for _, o := range strings.Split(opts, ",") {
				if o == "string" || o == "omitzero" {
					return false
				}
			}
			idx := append(slices.Clip(index), i)
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				if !walk(ft, idx) {
					return false
				}
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] {
				return false // dominance rules: left to encoding/json
			}
			seen[name] = true
			key := AppendString(nil, name)
			out = append(out, field{index: idx, key: string(append(key, ':')), omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: sf.Type})
		}
		return true
	}
	// Depth first, in index order: the order of encoding/json's sort by
	// index sequence.
	if !walk(t, nil) {
		return nil, false
	}
	return out, true
}

// validName is encoding/json's isValidTag.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// isEmpty is encoding/json's isEmptyValue, for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// grow makes room for n more bytes in b, doubling it when it must grow:
// append grows a large slice by a quarter at a time, which copied a
// megabyte's encoding over and over.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	return append(make([]byte, 0, max(2*cap(b), len(b)+n, 512)), b...)
}

// AppendString appends s as a JSON string, as encoding/json writes it
// without HTML escaping: quotes, backslashes and control characters
// escaped, U+2028 and U+2029 too (JavaScript reads them as line ends),
// invalid UTF-8 as U+FFFD.
func AppendString(b []byte, s string) []byte { return appendString(b, s, true) }

// AppendSlogString appends s as log/slog's JSONHandler writes a string:
// as AppendString does, but for \b and \f, which it writes as \u0008 and
// \u000c.
func AppendSlogString(b []byte, s string) []byte { return appendString(b, s, false) }

// appendString is AppendString, with \b and \f written short or not.
func appendString(b []byte, s string, short bool) []byte {
	const hex = "0123456789abcdef"
	b = grow(b, len(s)+2)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				if short {
					b = append(b, '\\', 'b')
				} else {
					b = append(b, `\u0008`...)
				}
			case '\f':
				if short {
					b = append(b, '\\', 'f')
				} else {
					b = append(b, `\u000c`...)
				}
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
