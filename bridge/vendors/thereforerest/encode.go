package thereforerest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/thereforebridge/thereforebridge/bridge/jsonw"
	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Enum and date styles of the JSON body.
const (
	EnumNumbers = "numbers" // {"UserType": 1}: what Therefore's REST sample sends
	EnumNames   = "names"   // {"UserType": "SingleUser"}
	DateWCF     = "wcf"     // "/Date(1500768000000)/": what the sample sends
	DateISO     = "iso"     // the xs:dateTime as the SOAP client wrote it
)

// enumNumbers are the numbers the operation pages give each enum value
// ("SingleUser (1)", "UTC (0)"); Therefore's REST sample serializes enums
// by these numbers, as WCF's DataContractJsonSerializer does.
var enumNumbers = map[reflect.Type]map[string]int{
	reflect.TypeFor[generated.WSUserType](): {
		string(generated.WSUserTypeSingleUser): 1,
		string(generated.WSUserTypeUserGroup):  2,
		string(generated.WSUserTypeSystemUser): 3,
	},
	reflect.TypeFor[generated.WSTimeZone](): {
		string(generated.WSTimeZoneUTC):         0,
		string(generated.WSTimeZoneServerLocal): 1,
	},
}

var (
	dateTimeType = reflect.TypeFor[xsd.DateTime]()
	decimalType  = reflect.TypeFor[xsd.Decimal]()
	enumType     = reflect.TypeFor[interface{ Values() []string }]()
)

// encoder writes a generated *Params value as the body of Therefore's JSON
// REST twin. It walks the generated types instead of re-declaring them, so
// a change to the WSDL reaches the REST body by `make generate` alone. It
// differs from encoding/json on the generated types in four places, each
// a WCF JSON convention:
//   - an ArrayOf<T> wrapper is a plain JSON array (WCF writes collection
//     data contracts as arrays; the XML wrapper element has no JSON twin);
//   - enums are numbers (or names, by configuration);
//   - xs:dateTime is "/Date(<ms since epoch>)/" in UTC (or ISO, by
//     configuration);
//   - xs:decimal is a JSON number written from its lexical form, never
//     rounded through a float.
//
// Members keep the generated order (alphabetical, base type first, as WCF
// orders data members); nil members are omitted.
type encoder struct {
	enumNames bool
	isoDates  bool
}

// encode returns the JSON body for params.
func (e encoder) encode(params any) ([]byte, error) { return e.encodeSized(params, 0) }

// encodeSized is encode with room for size bytes from the start: a body
// of megabytes grown by appending was copied over and over, a third of
// the encoding's CPU for a 10,000-item SavePortalUser.
func (e encoder) encodeSized(params any, size int) ([]byte, error) {
	w := &writer{encoder: e, b: make([]byte, 0, size), path: []step{{name: "body"}}}
	if err := w.value(reflect.ValueOf(params)); err != nil {
		return nil, err
	}
	return w.b, nil
}

// writer is one encoding: the body so far, and where in it the walk is,
// named only when an error needs it (a SavePortalUser of 10,000 items
// has 10,000 places).
type writer struct {
	encoder
	b    []byte
	path []step
}

// step is one step of a path in the body: a member ("/Name") or, when
// name is "", a list item ("[index]").
type step struct {
	name  string
	index int
}

func (w *writer) fail(err error) error {
	var where strings.Builder
	for _, s := range w.path {
		if s.name == "" {
			fmt.Fprintf(&where, "[%d]", s.index)
			continue
		}
		where.WriteString(s.name)
	}
	return fmt.Errorf("%s: %w", where.String(), err)
}

// value writes v, of a type looked up here: the parameters, and what an
// interface holds.
func (w *writer) value(v reflect.Value) error {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			w.b = append(w.b, "null"...)
			return nil
		}
		return w.value(v.Elem())
	}
	return w.write(v, infoOf(pointee(v.Type())))
}

// write writes v, a member or a list item whose type's pointee has the
// info info (looked up once for the member or the list): a nil pointer as
// null (only list items reach here as nil), an interface as what it holds.
func (w *writer) write(v reflect.Value, info *typeInfo) error {
	switch v.Kind() {
	case reflect.Interface:
		return w.value(v)
	case reflect.Pointer:
		if v.IsNil() {
			w.b = append(w.b, "null"...)
			return nil
		}
		v = v.Elem()
	}
	return w.typed(v, info)
}

// pointee is what t points to, or t: a member or an item is written as
// the value it points to.
func pointee(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// typed writes v, not a pointer, whose type's info is info.
func (w *writer) typed(v reflect.Value, info *typeInfo) error {
	switch info.kind {
	case kindDate:
		w.date(v.Interface().(xsd.DateTime))
		return nil
	case kindDecimal:
		n, err := jsonNumber(v.String())
		if err != nil {
			return w.fail(err)
		}
		w.b = append(w.b, n...)
		return nil
	case kindEnum:
		return w.enum(v)
	case kindArrayOf:
		return w.list(v.Field(0))
	case kindStruct:
		w.b = append(w.b, '{')
		if _, err := w.members(v, info.fields, true); err != nil {
			return err
		}
		w.b = append(w.b, '}')
		return nil
	case kindList:
		return w.list(v)
	}
	switch v.Kind() {
	case reflect.String:
		w.b = jsonw.AppendString(w.b, v.String())
	case reflect.Bool:
		w.b = strconv.AppendBool(w.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.b = strconv.AppendInt(w.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.b = strconv.AppendUint(w.b, v.Uint(), 10)
	default: // floats and whatever else a WSDL may bring: as encoding/json writes them
		j, err := json.Marshal(v.Interface())
		if err != nil {
			return w.fail(err)
		}
		w.b = append(w.b, j...)
	}
	return nil
}

// field is a struct member as the body names it.
type field struct {
	index     int
	name      string // quoted, with the colon
	step      string // "/" and the name, for paths in errors
	anonymous bool
	elem      reflect.Type             // its type, or what it points to
	info      atomic.Pointer[typeInfo] // elem's, once asked (types may refer to themselves)
}

// elemInfo is the typeInfo of f.elem.
func (f *field) elemInfo() *typeInfo {
	if i := f.info.Load(); i != nil {
		return i
	}
	i := infoOf(f.elem)
	f.info.Store(i)
	return i
}

// typeInfo is how the body writes a type, worked out once per type:
// walking 10,000 items, asking reflect each time what a type is (its name
// for ArrayOf, its methods for an enum) took a third of the encoding.
type typeInfo struct {
	kind   int
	fields []*field // kindStruct
}

// The kinds of typeInfo; kindOther is written by its reflect.Kind.
const (
	kindOther = iota
	kindDate
	kindDecimal
	kindEnum
	kindArrayOf
	kindStruct
	kindList
)

var infos sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if i, ok := infos.Load(t); ok {
		return i.(*typeInfo)
	}
	info := &typeInfo{}
	switch {
	case t == dateTimeType:
		info.kind = kindDate
	case t == decimalType:
		info.kind = kindDecimal
	case t.Kind() == reflect.String && t.Implements(enumType):
		info.kind = kindEnum
	case t.Kind() == reflect.Struct && isArrayOf(t):
		info.kind = kindArrayOf
	case t.Kind() == reflect.Struct:
		info.kind, info.fields = kindStruct, fields(t)
	case t.Kind() == reflect.Slice:
		info.kind = kindList
	}
	i, _ := infos.LoadOrStore(t, info)
	return i.(*typeInfo)
}

// fields are t's members.
func fields(t reflect.Type) []*field {
	var out []*field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		elem := pointee(f.Type)
		if f.Anonymous { // WSIndexDataBase: an xs:extension base, inlined as WCF does
			out = append(out, &field{index: i, anonymous: true, elem: elem})
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, &field{index: i, name: string(jsonw.AppendString(nil, name)) + ":", step: "/" + name, elem: elem})
	}
	return out
}

// members writes fields, the members of struct v, without braces and
// reports whether the next member is the first one (embedded bases are
// inlined).
func (w *writer) members(v reflect.Value, fields []*field, first bool) (bool, error) {
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.anonymous {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			var err error
			if first, err = w.members(fv, f.elemInfo().fields, first); err != nil {
				return first, err
			}
			continue
		}
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice) && fv.IsNil() {
			continue
		}
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.b = append(w.b, f.name...)
		w.path = append(w.path, step{name: f.step})
		if err := w.write(fv, f.elemInfo()); err != nil {
			return first, err
		}
		w.path = w.path[:len(w.path)-1]
	}
	return first, nil
}

func (w *writer) list(v reflect.Value) error {
	w.b = append(w.b, '[')
	info := infoOf(pointee(v.Type().Elem())) // once for the list, not for each of its items
	for i := range v.Len() {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.path = append(w.path, step{index: i})
		if err := w.write(v.Index(i), info); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	w.b = append(w.b, ']')
	return nil
}

func (w *writer) enum(v reflect.Value) error {
	name := v.String()
	if w.enumNames {
		w.b = jsonw.AppendString(w.b, name)
		return nil
	}
	n, ok := enumNumbers[v.Type()][name]
	if !ok {
		return w.fail(fmt.Errorf("no number is known for %s value %q", v.Type().Name(), name))
	}
	w.b = strconv.AppendInt(w.b, int64(n), 10)
	return nil
}

func (w *writer) date(d xsd.DateTime) {
	if w.isoDates {
		w.b = jsonw.AppendString(w.b, d.String())
		return
	}
	// A value without a zone is a calendar value (.NET Unspecified);
	// xsd.DateTime reads it as UTC wall time, which is what the sample
	// sends for it too.
	w.b = append(w.b, `"/Date(`...)
	w.b = strconv.AppendInt(w.b, d.Time().UnixMilli(), 10)
	w.b = append(w.b, `)/"`...)
}

// isArrayOf reports whether t is a gowsdl list wrapper: ArrayOf<T> with a
// single slice member.
func isArrayOf(t reflect.Type) bool {
	return strings.HasPrefix(t.Name(), "ArrayOf") && t.NumField() == 1 && t.Field(0).Type.Kind() == reflect.Slice
}

// jsonNumber turns an xs:decimal lexical form ("+012.50", ".5", "3.")
// into a JSON number literal with the same digits ("12.50", "0.5", "3").
func jsonNumber(lexical string) (string, error) {
	d, err := xsd.ParseDecimal(lexical)
	if err != nil {
		return "", err
	}
	s := string(d)
	sign := ""
	switch s[0] {
	case '-':
		sign, s = "-", s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	n := sign + intPart
	if frac != "" {
		n += "." + frac
	}
	return n, nil
}
