package xmltok

import (
	"encoding/xml"
	"io"
	"testing"
	"unsafe"
)

// readNames reads doc to its end and returns its element and attribute
// names, in order.
func readNames(t *testing.T, doc string) []xml.Name {
	t.Helper()
	r := NewReaderBytes([]byte(doc), DefaultLimits)
	var out []xml.Name
	for {
		tok, err := r.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			out = append(out, s.Name)
			for _, a := range s.Attr {
				out = append(out, a.Name)
			}
		}
	}
}

func same(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// A namespace URI and a local name that were interned are returned as the
// interned strings themselves, also by a Reader whose pooled cache held
// them from before they were interned; others are returned as they are.
func TestIntern(t *testing.T) {
	const doc = `<p:Outer xmlns:p="urn:test:intern:ns" xmlns:i="urn:test:intern:attr"><p:InternedLocal i:flag="1"/><p:Other/></p:Outer>`
	// The cache now holds them, not interned: Outer, its two xmlns,
	// InternedLocal, its attribute, Other.
	before := readNames(t, doc)
	if len(before) != 6 {
		t.Fatalf("names %v", before)
	}
	ns, local, attr := Intern("urn:test:intern:ns"), Intern("InternedLocal"), Intern("urn:test:intern:attr")
	if Intern(string([]byte("urn:test:intern:ns"))) != ns || !same(Intern(string([]byte("urn:test:intern:ns"))), ns) {
		t.Error("Intern of an equal string is not the first one")
	}
	for round := range 2 { // a new cache, then the same one from its pool
		got := readNames(t, doc)
		if !same(got[0].Space, ns) || !same(got[3].Space, ns) || !same(got[3].Local, local) || !same(got[4].Space, attr) {
			t.Errorf("round %d: names not the interned strings: %v", round, got)
		}
		if got[3].Local != "InternedLocal" || got[5].Local != "Other" || got[0].Space != "urn:test:intern:ns" {
			t.Errorf("round %d: names changed: %v", round, got)
		}
	}
}
