package jsonw

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

// want is encoding/json's encoding of v without HTML escaping, without
// the newline.
func want(t testing.TB, v any) (string, error) {
	if t != nil {
		t.Helper()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

// same checks that Append writes what encoding/json writes for v, or
// fails where it fails, and leaves dst's bytes before it.
func same(t *testing.T, name string, v any) {
	t.Helper()
	w, werr := want(t, v)
	got, err := Append([]byte("head:"), v)
	if (err != nil) != (werr != nil) {
		t.Errorf("%s: error %v, encoding/json's %v", name, err, werr)
		return
	}
	if err != nil {
		if string(got) != "head:" {
			t.Errorf("%s: on error dst became %q", name, got)
		}
		return
	}
	if string(got) != "head:"+w {
		t.Errorf("%s:\n got %s\nwant head:%s", name, got, w)
	}
}

type text string

func (t text) MarshalText() ([]byte, error) { return []byte("<" + string(t) + ">"), nil }

type ptrMarshal struct{ N int }

func (p *ptrMarshal) MarshalJSON() ([]byte, error) { return []byte(`{"by": "pointer" }`), nil }

type valMarshal struct{ N int }

func (v valMarshal) MarshalJSON() ([]byte, error) { return []byte(`[ 1, "<&>" ]`), nil }

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

type Base struct {
	ID   int    `json:"id"`
	Note string `json:",omitempty"`
}

type inner struct{ X int }

type Embeds struct {
	*Base
	Name   string
	Tagged inner `json:"tagged"`
	Inner  inner
}

type EmbedsValue struct {
	Base
	Extra bool `json:"extra,omitempty"`
}

type Tags struct {
	A       int     `json:"-"`
	B       int     `json:"-,"`
	C       int     `json:"bad\"name"`
	D       string  `json:"d,omitempty"`
	E       *int    `json:"e,omitempty"`
	F       []int   `json:"f,omitempty"`
	G       float64 `json:"g,omitempty"`
	H       any     `json:"h,omitempty"`
	I       uint8   `json:"i"`
	unseen  int
	Unicode string `json:"ünï"`
}

type Special struct {
	Num   json.Number
	Bytes []byte
	Map   map[string]int
	Array [2]string
	Text  text
	PtrM  ptrMarshal
	PtrMP *ptrMarshal
	ValM  valMarshal
	ValMP *valMarshal
	Iface any
	Date  *xsd.DateTime
	Dec   *xsd.Decimal
}

type Quoted struct {
	N int `json:",string"`
}

type Dup struct {
	Base
	ID string `json:"id"`
}

type Zero struct {
	T *inner `json:",omitzero"`
}

type Self struct {
	Name string
	Next *Self `json:",omitempty"`
}

func TestAppendAgreesWithEncodingJSON(t *testing.T) {
	n := 7
	date, err := xsd.ParseDateTime("2026-11-30T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	dec := xsd.Decimal("12.50")
	cases := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"string", "a \"quoted\" <b>&\u2028\xff"},
		{"ints", []any{int8(-8), int64(math.MinInt64), uint64(math.MaxUint64), uintptr(9)}},
		{"floats", []float64{0, math.Copysign(0, -1), 1, -1.5, 123.456, 1e-6, 1e-7, 9.99e20, 1e21, 1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64}},
		{"float32", []float32{0.1, 1e-7, 1e21, 3.4e38, 16777216}},
		{"NaN", math.NaN()},
		{"Inf in a struct", struct{ F float64 }{math.Inf(1)}},
		{"bools", []bool{true, false}},
		{"nil slice", []int(nil)},
		{"empty slice", []int{}},
		{"nested", [][]*string{{nil}, nil, {}}},
		{"embedded pointer, set", Embeds{Base: &Base{ID: 1, Note: "n"}, Name: "x", Tagged: inner{2}}},
		{"embedded pointer, nil", Embeds{Name: "x"}},
		{"embedded pointer, by pointer", &Embeds{Base: &Base{ID: 3}}},
		{"embedded value", EmbedsValue{Base: Base{ID: 4}, Extra: true}},
		{"tags, zero", Tags{A: 1, unseen: 2}},
		{"tags, set", Tags{A: 1, B: 2, C: 3, D: "d", E: &n, F: []int{1}, G: 0.5, H: map[string]any{"k": []any{1, "v"}}, I: 200, Unicode: "ü"}},
		{"tags, empty set", Tags{E: new(int), F: []int{}, H: (*int)(nil)}},
		{"special", Special{Num: "12.5e3", Bytes: []byte("bytes"), Map: map[string]int{"b": 2, "a": 1}, Array: [2]string{"x", "<y>"},
			Text: "t", PtrM: ptrMarshal{1}, PtrMP: &ptrMarshal{2}, ValM: valMarshal{3}, ValMP: &valMarshal{4}, Iface: text("i"),
			Date: &date, Dec: &dec}},
		{"string option", []Quoted{{5}}},
		{"special, by pointer", &Special{PtrM: ptrMarshal{1}, Iface: &ptrMarshal{}}},
		{"special, nil", Special{}},
		{"a marshaler that fails", struct{ F failing }{}},
		{"duplicate names", Dup{Base: Base{ID: 1}, ID: "outer"}},
		{"omitzero", []Zero{{}, {T: &inner{}}}},
		{"recursive", &Self{Name: "a", Next: &Self{Name: "b"}}},
		{"map", map[string]any{"z": 1, "a": []string{"<"}}},
		{"interface holding a struct", []any{Base{ID: 9}, &Base{}, nil}},
	}
	for _, tc := range cases {
		same(t, tc.name, tc.v)
	}
}

// The parameters the bridge stores and sends: random values of the
// generated types, every field set or not at random.
func TestAppendAgreesOnGeneratedParams(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		for _, typ := range []reflect.Type{reflect.TypeFor[generated.SavePortalUserParams](), reflect.TypeFor[generated.SaveOutOfOfficeInfoForUserParams]()} {
			v := reflect.New(typ)
			fill(r, v.Elem(), 0)
			same(t, typ.Name()+" #"+string(rune('0'+i%10)), v.Interface())
		}
	}
}

// fill sets v to a random value; nil pointers and slices stay nil one
// time in three.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 8 || r.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeFor[xsd.DateTime]():
			d, _ := xsd.ParseDateTime([]string{"2026-11-30T12:00:00Z", "2001-02-03T04:05:06.789+01:00", "1999-12-31T23:59:59"}[r.IntN(3)])
			v.Set(reflect.ValueOf(d))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if r.IntN(3) == 0 {
			return
		}
		s := reflect.MakeSlice(v.Type(), r.IntN(4), 4)
		for i := range s.Len() {
			fill(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.String:
		words := []string{"", "plain", `q"uote\`, "<&>", "ünï 漢字", "\u2028", "\x01", "\xff"}
		v.SetString(words[r.IntN(len(words))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(r.Int64N(1<<31) - 1<<30)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> (r.IntN(64)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -2e-7, 3e22, 12345.678}[r.IntN(5)])
	}
}

// FuzzAppend: any parameters that decode from JSON encode as
// encoding/json encodes them.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{
		`{"PortalUser":{"Email":"a@b.c","QueryNo":7,"IndexDataItems":{"WSIndexDataItem":[{"StringIndexData":{"FieldNo":1,"DataValue":"x<y>"}},{"MoneyIndexData":{"FieldNo":2,"DataValue":1e-7,"DecimalDataValue":"12.50"}},{"DateIndexData":{"DataValue":"2026-11-30T00:00:00Z"}}]},"UserPwd":"p"}}`,
		`{"User":{"UserName":"jdoe","UserType":"SingleUser"},"IsOutOfOfficeEnabled":true,"DelegateUsers":{"WSUserUniversalIdentifier":[{"UserId":42}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p generated.SavePortalUserParams
		if json.Unmarshal(data, &p) == nil {
			same(t, "portal", &p)
		}
		var o generated.SaveOutOfOfficeInfoForUserParams
		if json.Unmarshal(data, &o) == nil {
			same(t, "oof", &o)
		}
	})
}

// FuzzAppendString: a string is written as encoding/json writes it
// without HTML escaping.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"q" \ /`, "\x00\x01\b\f\n\r\t\x1f\x7f", "é ü 漢字 😀", "\u2028\u2029", "\xff\xfe bad", "<a>&</a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := want(t, s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != w {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, w)
		}
	})
}

// The generated types are written here, not handed to encoding/json:
// every struct reached from the parameters has a plan of its own, but
// for the xsd types that marshal themselves.
func TestGeneratedTypesArePlanned(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[generated.SavePortalUserParams]().PkgPath() {
			return
		}
		seen[typ] = true
		fields, ok := structFields(typ)
		if !ok {
			t.Errorf("%s is left to encoding/json", typ)
		}
		for _, f := range fields {
			walk(f.typ)
		}
	}
	walk(reflect.TypeFor[generated.SavePortalUserParams]())
	walk(reflect.TypeFor[generated.SaveOutOfOfficeInfoForUserParams]())
	if len(seen) < 10 {
		t.Errorf("only %d generated types reached", len(seen))
	}
}

// bigPortal is a SavePortalUser of n index data items, as the load
// benchmark's 10,000-item call decodes.
func bigPortal(n int) *generated.SavePortalUserParams {
	email, name := "portal@example.com", "Customer name"
	items := make([]*generated.WSIndexDataItem, n)
	for i := range items {
		v, f := "value of the field, with some length", "FieldName"
		items[i] = &generated.WSIndexDataItem{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: &generated.WSIndexDataBase{FieldNo: int32(i)}, DataValue: &v, FieldName: &f}}
	}
	return &generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserName: &name, QueryNo: 7,
		IndexDataItems: &generated.ArrayOfWSIndexDataItem{WSIndexDataItem: items}}}
}

func BenchmarkAppend(b *testing.B) {
	p := bigPortal(10000)
	b.Run("jsonw", func(b *testing.B) {
		for b.Loop() {
			if _, err := Append(nil, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			if _, err := want(nil, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The plans cover what the parameters hold; the rest goes to
// encoding/json, type by type.
func TestWhatIsPlanned(t *testing.T) {
	for _, tc := range []struct {
		v       any
		planned bool
	}{
		{Special{}, true}, {Embeds{}, true}, {EmbedsValue{}, true}, {Tags{}, true}, {Self{}, true},
		{Quoted{}, false}, {Dup{}, false}, {Zero{}, false},
	} {
		_, ok := structFields(reflect.TypeOf(tc.v))
		if ok != tc.planned {
			t.Errorf("%T: planned %v, want %v", tc.v, ok, tc.planned)
		}
	}
}
