package xmlbind

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
	"github.com/thereforebridge/thereforebridge/bridge/xsd"
)

// XSINamespace is the XML Schema instance namespace (xsi:nil, xsi:type).
const XSINamespace = "http://www.w3.org/2001/XMLSchema-instance"

// Error is a contract violation at one element.
type Error struct {
	Path string // e.g. SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[3]/IntIndexData/DataValue
	Rule string // what is wrong, in words
	Line int    // input line, 0 when unknown
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: %s (line %d)", e.Path, e.Rule, e.Line)
	}
	return e.Path + ": " + e.Rule
}

// Decode reads the element whose start tag the caller just took from r into
// v, a pointer to a generated struct. name is the path segment for start.
// It returns the alias elements it met.
func Decode(r *xmltok.Reader, start xml.StartElement, v any, name string, o Options) ([]Found, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("xmlbind: Decode needs a non-nil pointer to a struct, got %T", v)
	}
	b := &binder{r: r, path: []segment{{name: name}}, opts: o}
	err := b.decodeStruct(rv.Elem(), start)
	return b.found, err
}

type segment struct {
	name  string
	index int // 1-based position in a list, 0 when not a list item
}

type binder struct {
	r      *xmltok.Reader
	path   []segment
	opts   Options
	found  []Found
	slabs  []slab // by slabType.id
	allocs int    // made one by one, up to unslabbed
}

func (b *binder) fail(format string, args ...any) error {
	return &Error{Path: b.pathString(true), Rule: fmt.Sprintf(format, args...), Line: b.r.Line()}
}

func (b *binder) pathString(indexes bool) string {
	var sb strings.Builder
	for i, s := range b.path {
		if i > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(s.name)
		if indexes && s.index > 0 {
			fmt.Fprintf(&sb, "[%d]", s.index)
		}
	}
	return sb.String()
}

// field is one element a struct may hold.
type field struct {
	name     xml.Name
	index    []int // through embedded structs (FieldNo lives in a base)
	required bool
	nillable bool
	list     bool
	enum     []string // the values allowed, for an enumeration
	// slab is where a value the field points to comes from (the items',
	// for a list), nil when it holds no pointer; via is the same for the
	// embedded pointers on index's way, by depth.
	slab *slabType
	via  []*slabType
}

type plan struct {
	fields  []field
	byName  map[xml.Name]int
	byLocal map[string]int
}

var plans sync.Map // reflect.Type -> *plan

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{byName: map[xml.Name]int{}, byLocal: map[string]int{}}
	addFields(p, t, nil, nil)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

func addFields(p *plan, t reflect.Type, prefix []int, via []*slabType) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		idx := append(append([]int(nil), prefix...), i)
		if sf.Anonymous {
			et := sf.Type
			var st *slabType
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
				st = slabTypeOf(et)
			}
			if et.Kind() == reflect.Struct {
				addFields(p, et, idx, append(append([]*slabType(nil), via...), st))
			}
			continue
		}
		tag := sf.Tag.Get("xml")
		if tag == "" || tag == "-" || sf.Name == "XMLName" {
			continue
		}
		nameTag, _, _ := strings.Cut(tag, ",")
		var name xml.Name
		// Interned: the Reader returns these names as the same strings,
		// so that matching an element to its field compares pointers.
		if ns, local, ok := strings.Cut(nameTag, " "); ok {
			name = xml.Name{Space: xmltok.Intern(ns), Local: xmltok.Intern(local)}
		} else {
			name = xml.Name{Local: xmltok.Intern(nameTag)}
		}
		facts := "," + sf.Tag.Get("xsd") + ","
		f := field{
			name:     name,
			index:    idx,
			required: strings.Contains(facts, ",required,"),
			nillable: strings.Contains(facts, ",nillable,"),
			list:     sf.Type.Kind() == reflect.Slice,
			enum:     enumValues(sf.Type),
			slab:     pointedSlab(sf.Type),
			via:      via,
		}
		p.byName[name] = len(p.fields)
		p.byLocal[name.Local] = len(p.fields)
		p.fields = append(p.fields, f)
	}
}

// fieldValue returns f's settable field in v, allocating embedded
// pointer structs on the way.
func (b *binder) fieldValue(v reflect.Value, f *field) reflect.Value {
	for i, x := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(b.alloc(f.via[i-1]))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// unbound reports whether space is a prefix that no xmlns: declared:
// encoding/xml leaves it in Name.Space, where a namespace name (an
// absolute URI, so with a colon) belongs.
func unbound(space string) bool {
	return space != "" && space != "xmlns" && !strings.Contains(space, ":")
}

// xsiNamespace and nilName are interned, as the Reader returns them.
var xsiNamespace, nilName = xmltok.Intern(XSINamespace), xmltok.Intern("nil")

// xsiNil returns the value of start's xsi:nil attribute, if it has one.
func xsiNil(start xml.StartElement) (string, bool) {
	for _, a := range start.Attr {
		if a.Name.Space == xsiNamespace && a.Name.Local == nilName {
			return a.Value, true
		}
	}
	return "", false
}

func (b *binder) decodeStruct(v reflect.Value, start xml.StartElement) error {
	p := planFor(v.Type())
	var seenBuf [16]bool
	seen := seenBuf[:0]
	if len(p.fields) <= len(seenBuf) {
		seen = seenBuf[:len(p.fields)]
	} else {
		seen = make([]bool, len(p.fields))
	}
	next := 0 // the field after the last one found
	for {
		text, ok, err := b.r.Text()
		if err != nil {
			return b.syntax(err)
		}
		if ok {
			if err := b.onlySpace(text); err != nil {
				return err
			}
			continue
		}
		tok, err := b.r.Token()
		if err != nil {
			return b.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			i, ok := p.index(t.Name, next)
			if !ok {
				var err error
				if a := b.alias(v.Type(), t.Name); a != nil {
					err = b.decodeAlias(a, t)
				} else {
					err = b.skipUnknown(p, t)
				}
				if err != nil {
					return err
				}
				continue
			}
			f := &p.fields[i]
			if seen[i] && !f.list {
				b.path = append(b.path, segment{name: f.name.Local})
				return b.fail("appears more than once")
			}
			seen[i], next = true, i+1
			if f.list {
				next = i // a list's items come one after another
			}
			if err := b.decodeField(b.fieldValue(v, f), f, t); err != nil {
				return err
			}
		case xml.EndElement:
			for i := range p.fields {
				if p.fields[i].required && !seen[i] {
					b.path = append(b.path, segment{name: p.fields[i].name.Local})
					return b.fail("required element is missing")
				}
			}
			return nil
		case xml.CharData: // CDATA
			if err := b.onlySpace(t); err != nil {
				return err
			}
		}
	}
}

// onlySpace refuses text between a struct's elements, but for white space.
func (b *binder) onlySpace(t []byte) error {
	if len(bytes.Trim(t, " \t\r\n")) != 0 {
		return b.fail("text %q is not allowed here, only elements", truncate(string(t)))
	}
	return nil
}

func (b *binder) unexpected(p *plan, t xml.StartElement) error {
	if i, ok := p.byLocal[t.Name.Local]; ok {
		b.path = append(b.path, segment{name: t.Name.Local})
		want := p.fields[i].name.Space
		if t.Name.Space == "" {
			return b.fail("element has no namespace; the contract puts it in namespace %s", want)
		}
		if unbound(t.Name.Space) {
			return b.fail("the prefix %s: is not declared (no xmlns:%s); the contract puts the element in namespace %s", t.Name.Space, t.Name.Space, want)
		}
		return b.fail("element is in namespace %s; the contract puts it in namespace %s", t.Name.Space, want)
	}
	names := make([]string, len(p.fields))
	for i, f := range p.fields {
		names[i] = f.name.Local
	}
	what := "has no members"
	if len(names) > 0 {
		what = "allows only " + strings.Join(names, ", ")
	}
	return b.fail("unexpected element {%s}%s; this element %s", t.Name.Space, t.Name.Local, what)
}

func (b *binder) decodeField(fv reflect.Value, f *field, start xml.StartElement) error {
	seg := segment{name: f.name.Local}
	if f.list {
		seg.index = fv.Len() + 1
	}
	b.path = append(b.path, seg)
	defer func() { b.path = b.path[:len(b.path)-1] }()

	for _, a := range start.Attr {
		// Without its xmlns:xsi, xsi:nil="true" would be an unknown
		// attribute, and the element silently an empty value.
		if a.Name.Local == "nil" && unbound(a.Name.Space) {
			return b.fail("the prefix %s: of %s:nil is not declared (no xmlns:%s=%q)", a.Name.Space, a.Name.Space, a.Name.Space, XSINamespace)
		}
	}
	nilled := false
	if raw, ok := xsiNil(start); ok {
		// xs:boolean rules: an empty or "True" xsi:nil is an error, not false.
		v, err := xsd.ParseBoolean(raw)
		if err != nil {
			return b.fail("xsi:nil=%q is not a valid xs:boolean", truncate(raw))
		}
		nilled = v
	}
	target := fv
	if f.list {
		// Grown in place: reflect.Append allocated a slice header for
		// every item.
		n := fv.Len()
		fv.Grow(1)
		fv.SetLen(n + 1)
		target = fv.Index(n)
	}
	if nilled {
		if !f.nillable {
			return b.fail("xsi:nil is not allowed: the element is not nillable")
		}
		if target.Kind() != reflect.Pointer {
			return b.fail("xsi:nil is not allowed here")
		}
		return b.expectEmpty()
	}
	if target.Kind() == reflect.Pointer {
		target.Set(b.alloc(f.slab))
		target = target.Elem()
	}
	return b.decodeValue(target, f.enum, start)
}

var (
	dateTimeType = reflect.TypeOf(xsd.DateTime{})
	decimalType  = reflect.TypeOf(xsd.Decimal(""))
)

// enum is a generated enumeration: a string type whose values the
// contract lists.
type enum interface {
	Values() []string
}

var enumType = reflect.TypeFor[enum]()

// enumValues returns the values the contract allows for the values of a
// field of type t (its items', for a list; what it points to, for a
// pointer), nil when they are not of an enumeration. They are asked once,
// with the plan: asking each value (v.Interface().(enum)) put every
// decoded string in an interface, an allocation each.
func enumValues(t reflect.Type) []string {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.String || !t.Implements(enumType) {
		return nil
	}
	return reflect.Zero(t).Interface().(enum).Values()
}

// decodeValue decodes start's content into v; allowed are the values v may
// take, if it is an enumeration (enumValues).
func (b *binder) decodeValue(v reflect.Value, allowed []string, start xml.StartElement) error {
	t := v.Type()
	if t.Kind() == reflect.Struct && t != dateTimeType {
		return b.decodeStruct(v, start)
	}
	text, err := b.text()
	if err != nil {
		return err
	}
	switch {
	case t == dateTimeType:
		d, err := xsd.ParseDateTime(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.Set(reflect.ValueOf(d))
	case t == decimalType:
		d, err := xsd.ParseDecimal(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.SetString(string(d))
	case t.Kind() == reflect.String:
		if allowed != nil {
			val := xsd.Collapse(text)
			if !slices.Contains(allowed, val) {
				return b.fail("%q is not a valid %s; expected one of %s", truncate(val), t.Name(), strings.Join(allowed, ", "))
			}
			v.SetString(val)
			return nil
		}
		v.SetString(text) // xs:string keeps its whitespace
	case t.Kind() == reflect.Int32:
		n, err := xsd.ParseInt(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.SetInt(int64(n))
	case t.Kind() == reflect.Uint64:
		n, err := xsd.ParseUnsignedLong(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.SetUint(n)
	case t.Kind() == reflect.Bool:
		x, err := xsd.ParseBoolean(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.SetBool(x)
	case t.Kind() == reflect.Float64:
		x, err := xsd.ParseDouble(text)
		if err != nil {
			return b.fail("%v", err)
		}
		v.SetFloat(x)
	default:
		return b.fail("internal: no XML binding for Go type %s", t)
	}
	return nil
}

// text reads the character content up to the end of the current element.
func (b *binder) text() (string, error) {
	// Nearly every value is one text: keep it as a string at once and
	// build only when comments or CDATA split the text.
	var first string
	var sb *strings.Builder
	n := 0
	for {
		t, ok, err := b.r.Text()
		if err != nil {
			return "", b.syntax(err)
		}
		if !ok {
			tok, err := b.r.Token()
			if err != nil {
				return "", b.syntax(err)
			}
			switch tt := tok.(type) {
			case xml.CharData: // CDATA
				t = tt
			case xml.StartElement:
				return "", b.fail("must hold text only, found element <%s>", tt.Name.Local)
			case xml.EndElement:
				if sb != nil {
					return sb.String(), nil
				}
				return first, nil
			default: // a comment or a processing instruction
				continue
			}
		}
		switch n++; n {
		case 1:
			first = string(t)
			continue
		case 2:
			sb = &strings.Builder{}
			sb.WriteString(first)
		}
		sb.Write(t)
		if max := b.r.Limits().MaxText; max > 0 && sb.Len() > max {
			// A limit, like the Reader's own: it must wrap ErrLimit
			// and not read as a contract error.
			return "", b.syntax(fmt.Errorf("line %d: a text longer than %d bytes: %w", b.r.Line(), max, xmltok.ErrLimit))
		}
	}
}

func (b *binder) expectEmpty() error {
	for {
		tok, err := b.r.Token()
		if err != nil {
			return b.syntax(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			return b.fail("an element with xsi:nil=\"true\" must be empty, found <%s>", t.Name.Local)
		case xml.CharData:
			if strings.Trim(string(t), " \t\r\n") != "" {
				return b.fail("an element with xsi:nil=\"true\" must be empty")
			}
		}
	}
}

// syntax passes malformed-XML and limit errors through unchanged (the SOAP
// layer reports them as such), only adding where they happened.
func (b *binder) syntax(err error) error {
	return &SyntaxError{Err: err, At: b.fail("").(*Error).Path}
}

// SyntaxError is malformed XML or an exceeded limit met while binding.
type SyntaxError struct {
	Err error
	At  string
}

func (e *SyntaxError) Error() string { return e.Err.Error() + " (inside " + e.At + ")" }
func (e *SyntaxError) Unwrap() error { return e.Err }

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// DecodeText reads the text content of the element whose start tag the
// caller just took from r (e.g. a WS-Addressing header).
func DecodeText(r *xmltok.Reader, into *string) error {
	b := &binder{r: r, path: []segment{{name: "Header"}}}
	s, err := b.text()
	if err != nil {
		return err
	}
	*into = s
	return nil
}
