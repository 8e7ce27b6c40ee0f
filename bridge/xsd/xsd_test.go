package xsd_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/xsd"
)

// checkLexical fails unless err is a *xsd.LexicalError for typ whose
// message names the type and quotes the input.
func checkLexical(t *testing.T, fn, in, typ string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s(%q): got no error, want a %s LexicalError", fn, in, typ)
	}
	var le *xsd.LexicalError
	if !errors.As(err, &le) {
		t.Fatalf("%s(%q): error %v is a %T, want *xsd.LexicalError", fn, in, err, err)
	}
	if le.Type != typ {
		t.Errorf("%s(%q): LexicalError.Type = %q, want %q", fn, in, le.Type, typ)
	}
	if !strings.Contains(err.Error(), typ) {
		t.Errorf("%s(%q): error %q does not name the type %s", fn, in, err, typ)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in      string
		want    int32
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "+5", want: 5},
		{in: "-0", want: 0},
		{in: " 7 ", want: 7},
		{in: "\t\r\n42\n", want: 42},
		{in: "007", want: 7},
		{in: "2147483647", want: math.MaxInt32},
		{in: "-2147483648", want: math.MinInt32},
		{in: "2147483648", wantErr: true},
		{in: "-2147483649", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
		{in: "1.0", wantErr: true},
		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: "+", wantErr: true},
		{in: "-", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "++1", wantErr: true},
		{in: "+-1", wantErr: true},
		{in: "1 2", wantErr: true},
		{in: "1_000", wantErr: true},
		{in: "١", wantErr: true}, // Arabic-Indic digit one
		{in: "\u00a07", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xsd.ParseInt(tt.in)
			if tt.wantErr {
				checkLexical(t, "ParseInt", tt.in, "xs:int", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseInt(%q): unexpected error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseInt(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseIntOutOfRangeSaysWhy(t *testing.T) {
	_, err := xsd.ParseInt("2147483648")
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf(`ParseInt("2147483648") error = %v, want it to say "out of range"`, err)
	}
}

func TestParseUnsignedLong(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "+5", want: 5},
		{in: " 12 ", want: 12},
		{in: "18446744073709551615", want: math.MaxUint64},
		{in: "18446744073709551616", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "-0", wantErr: true},
		{in: "++1", wantErr: true},
		{in: "", wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "1 2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xsd.ParseUnsignedLong(tt.in)
			if tt.wantErr {
				checkLexical(t, "ParseUnsignedLong", tt.in, "xs:unsignedLong", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseUnsignedLong(%q): unexpected error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseUnsignedLong(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseBoolean(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{in: "true", want: true},
		{in: "false", want: false},
		{in: "1", want: true},
		{in: "0", want: false},
		{in: " true\n", want: true},
		{in: "\t0\r\n", want: false},
		{in: "True", wantErr: true},
		{in: "FALSE", wantErr: true},
		{in: "yes", wantErr: true},
		{in: "t", wantErr: true},
		{in: "f", wantErr: true},
		{in: "01", wantErr: true},
		{in: "", wantErr: true},
		{in: "tr ue", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xsd.ParseBoolean(tt.in)
			if tt.wantErr {
				checkLexical(t, "ParseBoolean", tt.in, "xs:boolean", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseBoolean(%q): unexpected error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseBoolean(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDouble(t *testing.T) {
	tests := []struct {
		in      string
		want    float64 // NaN compares by math.IsNaN
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "INF", want: math.Inf(1)},
		{in: "-INF", want: math.Inf(-1)},
		{in: "NaN", want: math.NaN()},
		{in: " INF ", want: math.Inf(1)},
		{in: "1e10", want: 1e10},
		{in: "1E+10", want: 1e10},
		{in: ".5", want: 0.5},
		{in: "5.", want: 5},
		{in: "-1.5E-3", want: -1.5e-3},
		{in: "+12.25", want: 12.25},
		{in: "1e400", want: math.Inf(1)}, // beyond float64: XSD rounds to INF
		{in: "inf", wantErr: true},
		{in: "Infinity", wantErr: true},
		{in: "nan", wantErr: true},
		{in: "-NaN", wantErr: true},
		{in: "1e", wantErr: true},
		{in: "e5", wantErr: true},
		{in: ".", wantErr: true},
		{in: "", wantErr: true},
		{in: "1e5.5", wantErr: true},
		{in: "1e++5", wantErr: true},
		{in: "--1", wantErr: true},
		{in: "0x1p3", wantErr: true},
		{in: "1,5", wantErr: true},
		{in: "1 .5", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xsd.ParseDouble(tt.in)
			if tt.wantErr {
				checkLexical(t, "ParseDouble", tt.in, "xs:double", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseDouble(%q): unexpected error: %v", tt.in, err)
			}
			if math.IsNaN(tt.want) {
				if !math.IsNaN(got) {
					t.Errorf("ParseDouble(%q) = %v, want NaN", tt.in, got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("ParseDouble(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in      string
		want    xsd.Decimal
		wantErr bool
	}{
		{in: "1234.50", want: "1234.50"}, // trailing zero kept: no float round trip
		{in: " 1234.50\n", want: "1234.50"},
		{in: "-0.00", want: "-0.00"},
		{in: "+.5", want: "+.5"},
		{in: "5.", want: "5."},
		{in: "12345678901234567890.123456789", want: "12345678901234567890.123456789"},
		{in: "1e3", wantErr: true},
		{in: "1E-2", wantErr: true},
		{in: "INF", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: ".", wantErr: true},
		{in: "", wantErr: true},
		{in: "1,5", wantErr: true},
		{in: "1.2.3", wantErr: true},
		{in: "++1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xsd.ParseDecimal(tt.in)
			if tt.wantErr {
				checkLexical(t, "ParseDecimal", tt.in, "xs:decimal", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q): unexpected error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDecimal(%q) = %q, want %q", tt.in, got, tt.want)
			}
			var d xsd.Decimal
			if err := d.UnmarshalText([]byte(tt.in)); err != nil || d != tt.want {
				t.Errorf("Decimal.UnmarshalText(%q) = %q, %v; want %q, nil", tt.in, d, err, tt.want)
			}
			b, _ := d.MarshalText()
			if string(b) != string(tt.want) {
				t.Errorf("Decimal(%q).MarshalText() = %q, want %q", d, b, tt.want)
			}
		})
	}
}

func TestParseDateTime(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	tests := []struct {
		name    string
		in      string
		want    time.Time
		hasZone bool
		isUTC   bool
		why     string // for errors: a substring of the message
	}{
		{name: "no zone", in: "2017-07-23T10:11:12", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.UTC)},
		{name: "Z", in: "2017-07-23T10:11:12Z", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.UTC), hasZone: true, isUTC: true},
		{name: "+00:00 is UTC", in: "2017-07-23T10:11:12+00:00", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.UTC), hasZone: true, isUTC: true},
		{name: "-00:00 is UTC", in: "2017-07-23T10:11:12-00:00", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.UTC), hasZone: true, isUTC: true},
		{name: "+02:00 is not UTC", in: "2017-07-23T10:11:12+02:00", want: time.Date(2017, 7, 23, 10, 11, 12, 0, plus2), hasZone: true},
		{name: "-14:00", in: "2017-07-23T10:11:12-14:00", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.FixedZone("", -14*3600)), hasZone: true},
		{name: "+14:00", in: "2017-07-23T10:11:12+14:00", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.FixedZone("", 14*3600)), hasZone: true},
		{name: "fraction", in: "2017-07-23T10:11:12.5", want: time.Date(2017, 7, 23, 10, 11, 12, 500_000_000, time.UTC)},
		{name: "fraction with zone", in: "2017-07-23T10:11:12.1234567Z", want: time.Date(2017, 7, 23, 10, 11, 12, 123_456_700, time.UTC), hasZone: true, isUTC: true},
		{name: "fraction with offset", in: "2017-07-23T10:11:12.25+02:00", want: time.Date(2017, 7, 23, 10, 11, 12, 250_000_000, plus2), hasZone: true},
		{name: "whitespace collapsed", in: " \n2017-07-23T10:11:12Z\t", want: time.Date(2017, 7, 23, 10, 11, 12, 0, time.UTC), hasZone: true, isUTC: true},
		{name: "24:00:00 is next day", in: "2017-12-31T24:00:00", want: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "24:00:00.000Z", in: "2017-07-23T24:00:00.000Z", want: time.Date(2017, 7, 24, 0, 0, 0, 0, time.UTC), hasZone: true, isUTC: true},
		{name: "leap day", in: "2016-02-29T00:00:00", want: time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)},
		{name: "year 0001", in: "0001-01-01T00:00:00", want: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},

		{name: "bad month and day", in: "2017-13-45T99:00:00", why: "month out of range"},
		{name: "bad day", in: "2017-02-29T00:00:00", why: "day out of range"},
		{name: "hour 25", in: "2017-07-23T25:00:00", why: "out of range"},
		{name: "second 60", in: "2017-07-23T10:11:60", why: "out of range"},
		{name: "24:00:01", in: "2017-07-23T24:00:01", why: "out of range"},
		{name: "24:00:00.5", in: "2017-07-23T24:00:00.5", why: "24:00:00"},
		{name: "missing seconds", in: "2017-07-23T10:11", why: "expected"},
		{name: "missing seconds with zone", in: "2017-07-23T10:11Z", why: "expected"},
		{name: "date only", in: "2017-07-23", why: "expected"},
		{name: "empty", in: "", why: "expected"},
		{name: "negative year", in: "-0001-01-01T00:00:00", why: "years before 1"},
		{name: "year 0000", in: "0000-01-01T00:00:00", why: "years before 1"},
		{name: "five digit year", in: "12017-07-23T10:11:12", why: "expected"},
		{name: "lower t", in: "2017-07-23t10:11:12", why: "expected"},
		{name: "lower z", in: "2017-07-23T10:11:12z", why: "expected"},
		{name: "space for T", in: "2017-07-23 10:11:12", why: "expected"},
		{name: "one digit hour", in: "2017-07-23T1:11:12", why: "expected"},
		{name: "one digit month", in: "2017-7-23T10:11:12", why: "expected"},
		{name: "empty fraction", in: "2017-07-23T10:11:12.", why: "fraction"},
		{name: "comma fraction", in: "2017-07-23T10:11:12,5", why: "expected"},
		{name: "fraction with letters", in: "2017-07-23T10:11:12.5a", why: "fraction"},
		{name: "offset without colon", in: "2017-07-23T10:11:12+0200", why: "expected"},
		{name: "offset one digit hour", in: "2017-07-23T10:11:12+2:00", why: "expected"},
		{name: "offset +15:00", in: "2017-07-23T10:11:12+15:00", why: "zone offset"},
		{name: "offset +24:00", in: "2017-07-23T10:11:12+24:00", why: "zone offset"},
		{name: "offset +14:30", in: "2017-07-23T10:11:12+14:30", why: "zone offset"},
		{name: "offset +02:60", in: "2017-07-23T10:11:12+02:60", why: "zone offset"},
		{name: "offset letters", in: "2017-07-23T10:11:12+ab:cd", why: "zone offset"},
		{name: "ZZ", in: "2017-07-23T10:11:12ZZ", why: "expected"},
		{name: "space before Z", in: "2017-07-23T10:11:12 Z", why: "expected"},
		{name: "inner space", in: "2017-07-23T10: 1:12", why: "xs:dateTime"},
		{name: "letters in date", in: "20l7-07-23T10:11:12", why: "xs:dateTime"},
		{name: "sign in year", in: "+017-07-23T10:11:12", why: "xs:dateTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := xsd.ParseDateTime(tt.in)
			if tt.why != "" {
				checkLexical(t, "ParseDateTime", tt.in, "xs:dateTime", err)
				if !strings.Contains(err.Error(), tt.why) {
					t.Errorf("ParseDateTime(%q) error %q does not contain %q", tt.in, err, tt.why)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDateTime(%q): unexpected error: %v", tt.in, err)
			}
			if !d.Time().Equal(tt.want) {
				t.Errorf("ParseDateTime(%q).Time() = %v, want %v", tt.in, d.Time(), tt.want)
			}
			_, gotOff := d.Time().Zone()
			_, wantOff := tt.want.Zone()
			if gotOff != wantOff {
				t.Errorf("ParseDateTime(%q): zone offset %ds, want %ds", tt.in, gotOff, wantOff)
			}
			if d.HasZone() != tt.hasZone {
				t.Errorf("ParseDateTime(%q).HasZone() = %v, want %v", tt.in, d.HasZone(), tt.hasZone)
			}
			if d.IsUTC() != tt.isUTC {
				t.Errorf("ParseDateTime(%q).IsUTC() = %v, want %v", tt.in, d.IsUTC(), tt.isUTC)
			}
			lexical := strings.Trim(tt.in, " \t\r\n")
			if d.String() != lexical {
				t.Errorf("ParseDateTime(%q).String() = %q, want the collapsed input %q", tt.in, d.String(), lexical)
			}
			b, err := d.MarshalText()
			if err != nil || string(b) != lexical {
				t.Errorf("ParseDateTime(%q).MarshalText() = %q, %v; want %q, nil", tt.in, b, err, lexical)
			}
		})
	}
}

func TestLexicalErrorMessage(t *testing.T) {
	long := strings.Repeat("9", 100)
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{name: "int", err: &xsd.LexicalError{Type: "xs:int", Value: "abc"}, want: []string{`"abc"`, "not a valid xs:int"}},
		{name: "with why", err: &xsd.LexicalError{Type: "xs:int", Value: "1", Why: "out of range"}, want: []string{"xs:int", "(out of range)"}},
		{name: "long value truncated", err: &xsd.LexicalError{Type: "xs:decimal", Value: long}, want: []string{strings.Repeat("9", 64) + `..."`, "xs:decimal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tt.err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Error() = %q, want it to contain %q", msg, w)
				}
			}
			if strings.Contains(msg, strings.Repeat("9", 65)) {
				t.Errorf("Error() = %q, want the value cut at 64 bytes", msg)
			}
		})
	}
}

func TestDateTimeJSON(t *testing.T) {
	type doc struct {
		At  xsd.DateTime  `json:"at"`
		Opt *xsd.DateTime `json:"opt,omitempty"`
	}
	tests := []struct {
		name string
		in   string
	}{
		{name: "no zone", in: "2017-07-23T10:11:12"},
		{name: "Z", in: "2017-07-23T10:11:12Z"},
		{name: "+00:00 kept", in: "2017-07-23T10:11:12+00:00"},
		{name: "offset", in: "2017-07-23T10:11:12.250+02:00"},
		{name: "24:00:00 kept", in: "2017-07-23T24:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := xsd.ParseDateTime(tt.in)
			if err != nil {
				t.Fatalf("ParseDateTime(%q): %v", tt.in, err)
			}
			b, err := json.Marshal(doc{At: d, Opt: &d})
			if err != nil {
				t.Fatalf("json.Marshal(%q): %v", tt.in, err)
			}
			want := `{"at":"` + tt.in + `","opt":"` + tt.in + `"}`
			if string(b) != want {
				t.Errorf("json.Marshal = %s, want %s", b, want)
			}
			var back doc
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", b, err)
			}
			for _, got := range []xsd.DateTime{back.At, *back.Opt} {
				if got.String() != tt.in || got.HasZone() != d.HasZone() || got.IsUTC() != d.IsUTC() || !got.Time().Equal(d.Time()) {
					t.Errorf("round trip of %q gave %q (zone %v, UTC %v, %v), want zone %v, UTC %v, %v",
						tt.in, got, got.HasZone(), got.IsUTC(), got.Time(), d.HasZone(), d.IsUTC(), d.Time())
				}
			}
		})
	}
}

func TestDateTimeUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "string", in: `"2017-07-23T10:11:12Z"`, want: "2017-07-23T10:11:12Z"},
		{name: "null leaves value", in: `null`, want: "2001-01-01T00:00:00"},
		{name: "not a string", in: `12`, wantErr: "cannot unmarshal"},
		{name: "bad date", in: `"2017-07-23"`, wantErr: "xs:dateTime"},
		{name: "RFC 1123", in: `"Sun, 23 Jul 2017 10:11:12 GMT"`, wantErr: "xs:dateTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := xsd.ParseDateTime("2001-01-01T00:00:00")
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("json.Unmarshal(%s) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", tt.in, err)
			}
			if d.String() != tt.want {
				t.Errorf("json.Unmarshal(%s) = %q, want %q", tt.in, d, tt.want)
			}
		})
	}
}

func TestDateTimeXML(t *testing.T) {
	type doc struct {
		XMLName xml.Name      `xml:"doc"`
		At      *xsd.DateTime `xml:"at"`
	}
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "offset kept", in: "<doc><at>2017-07-23T10:11:12+02:00</at></doc>", want: "2017-07-23T10:11:12+02:00"},
		{name: "whitespace collapsed", in: "<doc><at>\n 2017-07-23T10:11:12 </at></doc>", want: "2017-07-23T10:11:12"},
		{name: "bad", in: "<doc><at>2017-07-23T10:11</at></doc>", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := xml.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr {
				checkLexical(t, "xml.Unmarshal", tt.in, "xs:dateTime", err)
				return
			}
			if err != nil {
				t.Fatalf("xml.Unmarshal(%s): %v", tt.in, err)
			}
			b, err := xml.Marshal(d)
			if err != nil {
				t.Fatalf("xml.Marshal: %v", err)
			}
			want := "<doc><at>" + tt.want + "</at></doc>"
			if string(b) != want {
				t.Errorf("xml.Marshal = %s, want %s", b, want)
			}
		})
	}
}

func TestNewDateTime(t *testing.T) {
	at := time.Date(2017, 7, 23, 10, 11, 12, 123_456_789, time.FixedZone("", 2*3600))
	tests := []struct {
		name     string
		t        time.Time
		withZone bool
		want     string
	}{
		{name: "with zone", t: at, withZone: true, want: "2017-07-23T10:11:12.1234567+02:00"},
		{name: "without zone", t: at, withZone: false, want: "2017-07-23T10:11:12.1234567"},
		{name: "UTC", t: time.Date(2017, 7, 23, 0, 0, 0, 0, time.UTC), withZone: true, want: "2017-07-23T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := xsd.NewDateTime(tt.t, tt.withZone)
			if d.String() != tt.want {
				t.Errorf("NewDateTime(%v, %v) = %q, want %q", tt.t, tt.withZone, d, tt.want)
			}
			if d.HasZone() != tt.withZone {
				t.Errorf("NewDateTime(%v, %v).HasZone() = %v", tt.t, tt.withZone, d.HasZone())
			}
			// What NewDateTime writes, ParseDateTime must read back.
			back, err := xsd.ParseDateTime(d.String())
			if err != nil {
				t.Fatalf("ParseDateTime(%q) of NewDateTime output: %v", d, err)
			}
			if back.HasZone() != tt.withZone || back.String() != tt.want {
				t.Errorf("ParseDateTime(%q) = %q (zone %v), want the same back", d, back, back.HasZone())
			}
		})
	}
}

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" a ", "a"},
		{"\t\r\n a b \n", "a b"},
		{"\u00a0a", "\u00a0a"}, // NBSP is not XML whitespace
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := xsd.Collapse(tt.in); got != tt.want {
				t.Errorf("Collapse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{
		"2017-07-23T10:11:12", "2017-07-23T10:11:12Z", "2017-07-23T10:11:12.123+02:00",
		"2017-12-31T24:00:00", "2017-13-45T99:00:00", "-0001-01-01T00:00:00", " 2017-07-23T10:11:12-14:00\n",
		"2017-07-23T24:00:00.000Z", "0000-01-01T00:00:00", "2017-07-23T10:11:12+14:60",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := xsd.ParseDateTime(s)
		if err != nil {
			var le *xsd.LexicalError
			if !errors.As(err, &le) || le.Type != "xs:dateTime" {
				t.Fatalf("ParseDateTime(%q) error %v (%T), want an xs:dateTime LexicalError", s, err, err)
			}
			return
		}
		b, err := d.MarshalText()
		if want := xsd.Collapse(s); err != nil || string(b) != want {
			t.Fatalf("ParseDateTime(%q).MarshalText() = %q, %v; want the collapsed input %q", s, b, err, want)
		}
		if _, err := xsd.ParseDateTime(string(b)); err != nil {
			t.Fatalf("ParseDateTime(%q) accepted, but its lexical form %q is refused: %v", s, b, err)
		}
		if d.IsUTC() && !d.HasZone() {
			t.Fatalf("ParseDateTime(%q): IsUTC without a zone", s)
		}
	})
}
