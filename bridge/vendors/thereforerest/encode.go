package thereforerest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

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
func (e encoder) encode(params any) ([]byte, error) {
	var b bytes.Buffer
	if err := e.value(&b, reflect.ValueOf(params), "body"); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (e encoder) value(b *bytes.Buffer, v reflect.Value, where string) error {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("null") // only list items reach here as nil
			return nil
		}
		return e.value(b, v.Elem(), where)
	}
	t := v.Type()
	switch {
	case t == dateTimeType:
		return e.date(b, v.Interface().(xsd.DateTime), where)
	case t == decimalType:
		n, err := jsonNumber(string(v.Interface().(xsd.Decimal)))
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		b.WriteString(n)
		return nil
	case t.Kind() == reflect.String && t.Implements(enumType):
		return e.enum(b, v, where)
	case t.Kind() == reflect.Struct && isArrayOf(t):
		return e.list(b, v.Field(0), where)
	case t.Kind() == reflect.Struct:
		b.WriteByte('{')
		if _, err := e.members(b, v, where, true); err != nil {
			return err
		}
		b.WriteByte('}')
		return nil
	case t.Kind() == reflect.Slice:
		return e.list(b, v, where)
	}
	return writeJSON(b, v.Interface(), where)
}

// writeJSON writes v as encoding/json does, without HTML escaping: the
// body is not HTML, and "\u003e" for ">" in a condition only obscures it.
func writeJSON(b *bytes.Buffer, v any, where string) error {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
	return nil
}

// members writes the members of struct v without braces and reports
// whether the next member is the first one (embedded bases are inlined).
func (e encoder) members(b *bytes.Buffer, v reflect.Value, where string, first bool) (bool, error) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous { // WSIndexDataBase: an xs:extension base, inlined as WCF does
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			var err error
			if first, err = e.members(b, fv, where, first); err != nil {
				return first, err
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice) && fv.IsNil() {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		if err := writeJSON(b, name, where); err != nil {
			return first, err
		}
		b.WriteByte(':')
		if err := e.value(b, fv, where+"/"+name); err != nil {
			return first, err
		}
	}
	return first, nil
}

func (e encoder) list(b *bytes.Buffer, v reflect.Value, where string) error {
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := e.value(b, v.Index(i), fmt.Sprintf("%s[%d]", where, i)); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func (e encoder) enum(b *bytes.Buffer, v reflect.Value, where string) error {
	name := v.String()
	if e.enumNames {
		return writeJSON(b, name, where)
	}
	n, ok := enumNumbers[v.Type()][name]
	if !ok {
		return fmt.Errorf("%s: no number is known for %s value %q", where, v.Type().Name(), name)
	}
	b.WriteString(strconv.Itoa(n))
	return nil
}

func (e encoder) date(b *bytes.Buffer, d xsd.DateTime, where string) error {
	s := d.String()
	if !e.isoDates {
		// A value without a zone is a calendar value (.NET Unspecified);
		// xsd.DateTime reads it as UTC wall time, which is what the sample
		// sends for it too.
		s = "/Date(" + strconv.FormatInt(d.Time().UnixMilli(), 10) + ")/"
	}
	return writeJSON(b, s, where)
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
