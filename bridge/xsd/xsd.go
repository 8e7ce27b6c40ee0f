// Package xsd checks the lexical forms of the XML Schema built-in types the
// Therefore contract uses, and holds the two value types that gowsdl cannot
// represent faithfully: xs:dateTime (kept with its lexical form, so a value
// sent without a zone stays without one) and xs:decimal (kept exact, never
// rounded through a float).
//
// The checks follow XML Schema 1.0 Part 2 after whitespace collapse: xs:int
// is [+-]?[0-9]+ within 32 bits, xs:boolean is one of true, false, 1, 0, and
// so on. encoding/xml is more lenient (it accepts "True" and "t" as
// booleans), which would let a client's bug through unnoticed.
package xsd

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A LexicalError says that a value is not in the lexical space of an XSD type.
type LexicalError struct {
	Type  string // e.g. "xs:int"
	Value string // the offending value, truncated for display
	Why   string // optional detail, e.g. "out of range"
}

func (e *LexicalError) Error() string {
	v := e.Value
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	if e.Why != "" {
		return fmt.Sprintf("%q is not a valid %s (%s)", v, e.Type, e.Why)
	}
	return fmt.Sprintf("%q is not a valid %s", v, e.Type)
}

// Collapse applies the XSD whiteSpace="collapse" facet used by every
// non-string built-in type: leading and trailing whitespace is dropped.
// (Inner runs of whitespace are never valid in the types we parse.)
// It runs for every scalar of a request, so it does not go through
// strings.Trim, which builds its cutset anew on each call.
func Collapse(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseInt parses an xs:int.
func ParseInt(s string) (int32, error) {
	v := Collapse(s)
	body := v
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:] // one sign; a second is not a digit
	}
	if !digits(body) {
		return 0, &LexicalError{Type: "xs:int", Value: s}
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, &LexicalError{Type: "xs:int", Value: s, Why: "out of range -2147483648..2147483647"}
	}
	return int32(n), nil
}

// ParseUnsignedLong parses an xs:unsignedLong.
func ParseUnsignedLong(s string) (uint64, error) {
	v := strings.TrimPrefix(Collapse(s), "+")
	if !digits(v) {
		return 0, &LexicalError{Type: "xs:unsignedLong", Value: s}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, &LexicalError{Type: "xs:unsignedLong", Value: s, Why: "out of range 0..18446744073709551615"}
	}
	return n, nil
}

// ParseBoolean parses an xs:boolean: true, false, 1 or 0, nothing else.
func ParseBoolean(s string) (bool, error) {
	switch Collapse(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, &LexicalError{Type: "xs:boolean", Value: s, Why: "use true, false, 1 or 0"}
}

// ParseDouble parses an xs:double, including INF, -INF and NaN.
func ParseDouble(s string) (float64, error) {
	v := Collapse(s)
	switch v {
	case "INF", "+INF":
		return math.Inf(1), nil
	case "-INF":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	if !isDecimal(v, true) {
		return 0, &LexicalError{Type: "xs:double", Value: s}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && !isRangeErr(err) {
		return 0, &LexicalError{Type: "xs:double", Value: s}
	}
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isDecimal reports whether v is [+-]?(d+(.d*)?|.d+), optionally followed
// by an exponent when exp is true (the xs:double form).
func isDecimal(v string, exp bool) bool {
	if exp {
		if i := strings.IndexAny(v, "eE"); i >= 0 {
			e := strings.TrimLeft(v[i+1:], "+-")
			if len(v[i+1:])-len(e) > 1 || !digits(e) {
				return false
			}
			v = v[:i]
		}
	}
	body := strings.TrimLeft(v, "+-")
	if len(v)-len(body) > 1 {
		return false
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if !hasDot {
		return digits(intPart)
	}
	if intPart == "" && frac == "" {
		return false
	}
	return (intPart == "" || digits(intPart)) && (frac == "" || digits(frac))
}

// Decimal is an xs:decimal kept as its collapsed lexical form, so that money
// amounts reach the vendors exactly as the client sent them.
type Decimal string

// ParseDecimal parses an xs:decimal.
func ParseDecimal(s string) (Decimal, error) {
	v := Collapse(s)
	if !isDecimal(v, false) {
		return "", &LexicalError{Type: "xs:decimal", Value: s}
	}
	return Decimal(v), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with the xs:decimal rules.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d), nil }

// DateTime is an xs:dateTime. It remembers whether the client gave a zone:
// Therefore treats a DataValue without a zone as "unspecified" (a calendar
// date) and one with Z as UTC, and the vendors need that difference.
type DateTime struct {
	t       time.Time
	hasZone bool
	lexical string
}

// ParseDateTime parses an xs:dateTime:
// '-'? yyyy '-' mm '-' dd 'T' hh ':' mm ':' ss ('.' s+)? (zzzzzz)?
func ParseDateTime(s string) (DateTime, error) {
	v := Collapse(s)
	bad := func(why string) (DateTime, error) {
		return DateTime{}, &LexicalError{Type: "xs:dateTime", Value: s, Why: why}
	}
	if strings.HasPrefix(v, "-") {
		return bad("years before 1 are not supported")
	}
	date, clock, ok := strings.Cut(v, "T")
	if !ok || len(date) != 10 || date[4] != '-' || date[7] != '-' {
		return bad("expected YYYY-MM-DDThh:mm:ss")
	}
	if date[:4] == "0000" {
		// XSD 1.0 has no year zero; time.Parse would take it.
		return bad("years before 1 are not supported")
	}
	zone, hasZone := "", false
	switch {
	case strings.HasSuffix(clock, "Z"):
		clock, zone, hasZone = clock[:len(clock)-1], "Z", true
	case len(clock) > 6 && (clock[len(clock)-6] == '+' || clock[len(clock)-6] == '-'):
		clock, zone, hasZone = clock[:len(clock)-6], clock[len(clock)-6:], true
	}
	if len(clock) < 8 || clock[2] != ':' || clock[5] != ':' {
		return bad("expected YYYY-MM-DDThh:mm:ss")
	}
	frac, hasFrac := strings.CutPrefix(clock[8:], ".")
	if hasFrac {
		if !digits(frac) {
			return bad("bad fraction of a second")
		}
	} else if len(clock) != 8 {
		return bad("expected YYYY-MM-DDThh:mm:ss")
	}
	if hasZone && !validZone(zone) {
		// time.Parse takes offsets up to +24:60; XSD allows -14:00..+14:00.
		return bad("zone offset must be Z or between -14:00 and +14:00")
	}
	layout := "2006-01-02T15:04:05.999999999"
	in := date + "T" + clock
	if hasZone {
		layout += "Z07:00"
		in += zone
	}
	if clock[:8] == "24:00:00" {
		// XSD allows 24:00:00 as the first instant of the next day, and
		// nothing after it: 24:00:00.5 is not a time.
		if strings.Trim(frac, "0") != "" {
			return bad("hour 24 is allowed only as 24:00:00")
		}
		in = strings.Replace(in, "T24:", "T00:", 1)
		t, err := time.Parse(layout, in)
		if err != nil {
			return bad(trimTimeErr(err))
		}
		return DateTime{t: t.AddDate(0, 0, 1), hasZone: hasZone, lexical: v}, nil
	}
	t, err := time.Parse(layout, in)
	if err != nil {
		return bad(trimTimeErr(err))
	}
	return DateTime{t: t, hasZone: hasZone, lexical: v}, nil
}

// validZone reports whether z is Z or an XSD offset (+|-)hh:mm with
// hh:mm at most 14:00.
func validZone(z string) bool {
	if z == "Z" {
		return true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' || !digits(z[1:3]) || !digits(z[4:]) {
		return false
	}
	hh := int(z[1]-'0')*10 + int(z[2]-'0')
	mm := int(z[4]-'0')*10 + int(z[5]-'0')
	return mm <= 59 && (hh < 14 || hh == 14 && mm == 0)
}

func trimTimeErr(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// NewDateTime returns a DateTime for t; withZone false drops the zone, as a
// .NET DateTimeKind.Unspecified value would be written.
func NewDateTime(t time.Time, withZone bool) DateTime {
	layout := "2006-01-02T15:04:05.9999999"
	if withZone {
		layout += "Z07:00"
	}
	return DateTime{t: t, hasZone: withZone, lexical: t.Format(layout)}
}

// Time returns the instant; without a zone it is read as UTC wall time.
func (d DateTime) Time() time.Time { return d.t }

// HasZone reports whether the lexical form carried a zone (Z or ±hh:mm).
func (d DateTime) HasZone() bool { return d.hasZone }

// IsUTC reports whether a zone was given and it is UTC (Z, +00:00 or -00:00).
func (d DateTime) IsUTC() bool {
	_, off := d.t.Zone()
	return d.hasZone && off == 0
}

// String returns the lexical form as received.
func (d DateTime) String() string { return d.lexical }

// UnmarshalText implements encoding.TextUnmarshaler with the xs:dateTime rules.
func (d *DateTime) UnmarshalText(b []byte) error {
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d DateTime) MarshalText() ([]byte, error) { return []byte(d.lexical), nil }

// MarshalJSON writes the lexical form as a JSON string.
func (d DateTime) MarshalJSON() ([]byte, error) { return json.Marshal(d.lexical) }

// UnmarshalJSON reads a JSON string in xs:dateTime form. A JSON null
// leaves d unchanged, as encoding/json does for its own types.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalXML writes the lexical form (the generated Go client uses it).
func (d DateTime) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(d.lexical, start)
}

// UnmarshalXML reads an element with the xs:dateTime rules.
func (d *DateTime) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := dec.DecodeElement(&s, &start); err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}
