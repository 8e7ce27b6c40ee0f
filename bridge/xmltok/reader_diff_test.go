package xmltok_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// stricter lists where the Reader refuses what encoding/xml's strict
// Decoder accepts, each with the rule of the XML 1.0 (fifth edition) or
// Namespaces in XML 1.0 (third edition) recommendation that makes the
// input ill-formed, the words of the Reader's error, and an example. The
// package documentation lists the same cases. Any other disagreement with
// encoding/xml is a bug.
var stricter = []struct {
	rule xmltok.Rule
	why  string
	msg  string // in the Reader's error
	doc  string // encoding/xml accepts it
}{
	{xmltok.RuleDocument, "XML 1.0 §2.1 [1] document, §2.8 [27] Misc: no text outside the root element", "text is not allowed outside the root element", `<a/>x`},
	{xmltok.RuleDocument, "XML 1.0 §2.1 [1] document: no text before the root element either", "text is not allowed outside the root element", `x<a/>`},
	{xmltok.RuleDocument, "XML 1.0 §2.1 [1], §2.8 [27]: no reference outside the root element", "text is not allowed outside the root element", `<a/>&#32;`},
	{xmltok.RuleDocument, "XML 1.0 §2.1 [1], §2.8 [27]: no CDATA section outside the root element", "CDATA section is not allowed outside the root element", `<a/><![CDATA[x]]>`},
	{xmltok.RuleDocument, "XML 1.0 §2.1 [1] document: exactly one root element", "after the end of the root element", `<a/><b/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [22] prolog: the XML declaration only at the very start", "allowed only at the very start", ` <?xml version="1.0"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [22]: not after the root element either", "allowed only at the very start", `<a/><?xml version="1.0"?>`},
	{xmltok.RulePITarget, "XML 1.0 §2.6 [17] PITarget: other targets matching [Xx][Mm][Ll] are reserved", "is reserved", `<a><?XML x?></a>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [23] XMLDecl: the version is required", "malformed XML declaration", `<?xml?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [23] XMLDecl: version comes first", "malformed XML declaration", `<?xml encoding="UTF-8" version="1.0"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [23] XMLDecl: only version, encoding and standalone", "malformed XML declaration", `<?xml version="1.0" foo="bar"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §4.3.3 [80]-[81] EncodingDecl: EncName", "malformed XML declaration", `<?xml version="1.0" encoding="utf 8"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.9 [32] SDDecl: standalone is yes or no", "malformed XML declaration", `<?xml version="1.0" standalone="maybe"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [24] VersionInfo: whitespace before version", "malformed XML declaration", `<?xml version="1.0"encoding="UTF-8"?><a/>`},
	{xmltok.RuleXMLDecl, "XML 1.0 §2.8 [26]: only version 1.0 is supported, as by encoding/xml, which misses it around a spaced '='", "unsupported XML version", `<?xml version = "1.1"?><a/>`},
	{xmltok.RulePISpace, "XML 1.0 §2.6 [16] PI: whitespace between target and data", "must be followed by whitespace or ?>", `<a><?pi"x"?></a>`},
	{xmltok.RuleAttrSpace, "XML 1.0 §3.1 [40] STag, [44] EmptyElemTag: whitespace before each attribute", "must be separated from what precedes it by whitespace", `<a x="1"y="2"/>`},
	{xmltok.RuleUniqueAttr, "XML 1.0 §3.1 WFC: Unique Att Spec", "appears twice", `<a x="1" x="2"/>`},
	{xmltok.RuleNSUniqueAttr, "Namespaces §6.3 NSC: Attributes Unique (by namespace and local name)", "have the same namespace and name", `<a xmlns:p="urn:x" xmlns:q="urn:x" p:y="1" q:y="2"/>`},
	{xmltok.RuleLegalCharRef, "XML 1.0 §4.1 WFC: Legal Character (encoding/xml makes U+FFFD of a surrogate)", "not a legal XML character", `<a>&#xD800;</a>`},
	{xmltok.RuleChar, "XML 1.0 §2.5 [15] Comment: only Char", "in a comment", "<a><!-- \x01 --></a>"},
	{xmltok.RuleChar, "XML 1.0 §2.5 [15] Comment, §2.2: only Char, in UTF-8", "in a comment", "<a><!-- \xff --></a>"},
	{xmltok.RuleChar, "XML 1.0 §2.6 [16] PI: only Char", "in a processing instruction", "<a><?pi \x01?></a>"},
	{xmltok.RuleQName, "Namespaces §3 [7] QName: a prefix before the colon", "invalid qualified name", `<:a/>`},
	{xmltok.RuleQName, "Namespaces §3 [7] QName: a local part after the colon", "invalid qualified name", `<a b:="1"/>`},
	{xmltok.RuleQName, "Namespaces §3 [4] NCName: the local part starts like a name", "invalid qualified name", `<a:1b xmlns:a="urn:a"/>`},
	{xmltok.RuleQName, "Namespaces §7: no colon in a processing instruction target", "contains a colon", `<a><?p:i x?></a>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3 NSC: Reserved Prefixes: xmlns is not declared", "the prefix xmlns must not be declared", `<a xmlns:xmlns="urn:x"/>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3 NSC: Reserved Prefixes: no element has the prefix xmlns", "the prefix xmlns is reserved", `<xmlns:a/>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3 NSC: Reserved Prefixes: xml is bound to its namespace only", "the prefix xml is bound to", `<a xmlns:xml="urn:x"/>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3 NSC: Reserved Prefixes: no other prefix for the xml namespace", "that namespace is reserved", `<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3 NSC: Reserved Prefixes: the xmlns namespace is not the default", "cannot be the default namespace", `<a xmlns="http://www.w3.org/2000/xmlns/"/>`},
	{xmltok.RuleReservedPrefix, "Namespaces §3: the value of a prefix's declaration MUST NOT be empty", "cannot be undeclared", `<a xmlns:p=""/>`},
}

// refReader is the Reader as it was over encoding/xml: RawToken in strict
// mode, with the same namespace resolution, tag matching and DOCTYPE
// refusal, without limits.
type refReader struct {
	d    *xml.Decoder
	open []refOpen
	ns   [][2]string // prefix, uri
}

type refOpen struct {
	name  xml.Name
	scope int
}

func newRefReader(doc []byte) *refReader {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf"))))
	d.Strict = true
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return &refReader{d: d}
}

func (r *refReader) resolve(prefix string, element bool) string {
	switch {
	case prefix == "xmlns":
		return prefix
	case prefix == "" && !element:
		return ""
	case prefix == "xml":
		return "http://www.w3.org/XML/1998/namespace"
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if r.ns[i][0] == prefix {
			return r.ns[i][1]
		}
	}
	return prefix
}

func (r *refReader) Token() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err != nil {
		if err == io.EOF && len(r.open) > 0 {
			return nil, &xml.SyntaxError{Msg: "unexpected EOF"}
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.open = append(r.open, refOpen{t.Name, len(r.ns)})
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				r.ns = append(r.ns, [2]string{a.Name.Local, a.Value})
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				r.ns = append(r.ns, [2]string{"", a.Value})
			}
		}
		if t.Name.Space != "" || len(r.ns) > 0 {
			t.Name.Space = r.resolve(t.Name.Space, true)
		}
		for i := range t.Attr {
			if n := &t.Attr[i].Name; n.Space != "" {
				n.Space = r.resolve(n.Space, false)
			}
		}
		return t, nil
	case xml.EndElement:
		if len(r.open) == 0 {
			return nil, &xml.SyntaxError{Msg: "unexpected end element"}
		}
		top := r.open[len(r.open)-1]
		if top.name != t.Name {
			return nil, &xml.SyntaxError{Msg: "element closed by another"}
		}
		r.ns = r.ns[:top.scope]
		r.open = r.open[:len(r.open)-1]
	case xml.Directive:
		return nil, xmltok.ErrDirective
	}
	return tok, nil
}

// collect reads tokens (copied) up to EOF or the first error.
func collect(next func() (xml.Token, error)) ([]xml.Token, error) {
	var toks []xml.Token
	for len(toks) < 1_000_000 {
		tok, err := next()
		if err == io.EOF {
			return toks, nil
		}
		if err != nil {
			return toks, err
		}
		if tok == nil {
			continue // encoding/xml's empty CDATA before any other text: no token
		}
		toks = append(toks, xml.CopyToken(tok))
	}
	return toks, errors.New("endless token stream")
}

func sameToken(a, b xml.Token) bool {
	switch a := a.(type) {
	case xml.StartElement:
		b, ok := b.(xml.StartElement)
		if !ok || a.Name != b.Name || len(a.Attr) != len(b.Attr) {
			return false
		}
		for i := range a.Attr {
			if a.Attr[i] != b.Attr[i] {
				return false
			}
		}
		return true
	case xml.EndElement:
		b, ok := b.(xml.EndElement)
		return ok && a == b
	case xml.CharData:
		b, ok := b.(xml.CharData)
		return ok && bytes.Equal(a, b)
	case xml.Comment:
		b, ok := b.(xml.Comment)
		return ok && bytes.Equal(a, b)
	case xml.ProcInst:
		b, ok := b.(xml.ProcInst)
		return ok && a.Target == b.Target && bytes.Equal(a.Inst, b.Inst)
	}
	return false
}

// textFirst reads r as a binder does: a text with Text when one comes
// next, anything else with Token.
func textFirst(r *xmltok.Reader) func() (xml.Token, error) {
	return func() (xml.Token, error) {
		data, ok, err := r.Text()
		if err != nil || ok {
			return xml.CharData(data), err
		}
		if data != nil {
			return nil, errors.New("Text returned data without ok")
		}
		return r.Token()
	}
}

// sameAsText checks that reading doc with Text where it can gives the
// tokens and the error that Token alone gives.
func sameAsText(t *testing.T, doc []byte, toks []xml.Token, tokErr error) {
	t.Helper()
	got, err := collect(textFirst(xmltok.NewReaderBytes(doc, xmltok.Limits{})))
	if fmt.Sprint(err) != fmt.Sprint(tokErr) {
		t.Fatalf("with Text: error %v, with Token alone %v:\n%q", err, tokErr, doc)
	}
	if len(got) != len(toks) {
		t.Fatalf("with Text: %d tokens, with Token alone %d:\n%q", len(got), len(toks), doc)
	}
	for i := range got {
		if !sameToken(got[i], toks[i]) {
			t.Fatalf("token %d: with Text %#v, with Token alone %#v:\n%q", i, got[i], toks[i], doc)
		}
	}
}

// agree checks the Reader against encoding/xml on doc: both accept with
// the same tokens, or both refuse, or the Reader refuses by one of the
// stricter rules; and what the Reader returned before refusing is what
// encoding/xml returned too.
func agree(t *testing.T, doc []byte) {
	t.Helper()
	ours, ourErr := collect(xmltok.NewReaderBytes(doc, xmltok.Limits{}).Token)
	ref, refErr := collect(newRefReader(doc).Token)
	sameAsText(t, doc, ours, ourErr)
	if ourErr != nil {
		var se *xml.SyntaxError
		switch {
		case errors.As(ourErr, &se):
			if lines := 1 + bytes.Count(doc, []byte("\n")); se.Line < 1 || se.Line > lines {
				t.Errorf("error %q: line %d of a document of %d lines", ourErr, se.Line, lines)
			}
		case !errors.Is(ourErr, xmltok.ErrDirective):
			t.Errorf("error %q (%T) is not an *xml.SyntaxError", ourErr, ourErr)
		}
	}
	switch {
	case ourErr == nil && refErr != nil:
		t.Fatalf("Reader accepts what encoding/xml refuses (%v):\n%q", refErr, doc)
	case ourErr != nil && refErr == nil:
		// Only a refusal that the Reader itself marks as one of the listed
		// rules is excused; its words do not count.
		var se *xmltok.StricterError
		if !errors.As(ourErr, &se) || !listed(se.Rule) {
			t.Fatalf("Reader refuses (%v) what encoding/xml accepts, and by no listed rule:\n%q", ourErr, doc)
		}
	}
	if ourErr == nil && len(ours) != len(ref) {
		t.Fatalf("Reader returns %d tokens, encoding/xml %d:\n%q", len(ours), len(ref), doc)
	}
	if len(ours) > len(ref) {
		t.Fatalf("Reader returns %d tokens before its error %v, encoding/xml only %d before %v:\n%q", len(ours), ourErr, len(ref), refErr, doc)
	}
	for i := range ours {
		if !sameToken(ours[i], ref[i]) {
			t.Fatalf("token %d: Reader %#v, encoding/xml %#v:\n%q", i, ours[i], ref[i], doc)
		}
	}
}

// listed reports whether rule is one the stricter table lists.
func listed(rule xmltok.Rule) bool {
	for _, s := range stricter {
		if s.rule == rule {
			return true
		}
	}
	return false
}

// corpus returns every file under testdata/soap.
func corpus(tb testing.TB) map[string][]byte {
	files := map[string][]byte{}
	root := filepath.Join(golden.Root(), "soap")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no files under testdata/soap")
	}
	return files
}

// TestTokenizerAgreesWithEncodingXML runs the differential check over the
// SOAP corpus and the rule tables.
func TestTokenizerAgreesWithEncodingXML(t *testing.T) {
	for name, b := range corpus(t) {
		t.Run(name, func(t *testing.T) { agree(t, b) })
	}
	for _, tt := range rules {
		t.Run("rule/"+tt.name, func(t *testing.T) { agree(t, []byte(tt.doc)) })
	}
	for _, tt := range tokenCases {
		t.Run("tokens/"+tt.name, func(t *testing.T) { agree(t, []byte(tt.doc)) })
	}
}

// TestStricterThanEncodingXML checks the list: encoding/xml accepts each
// example, and the Reader refuses it with the listed words.
func TestStricterThanEncodingXML(t *testing.T) {
	for _, s := range stricter {
		t.Run(s.why, func(t *testing.T) {
			if _, err := collect(newRefReader([]byte(s.doc)).Token); err != nil {
				t.Errorf("encoding/xml refuses %q too (%v): not a difference", s.doc, err)
			}
			_, err := collect(xmltok.NewReaderBytes([]byte(s.doc), xmltok.Limits{}).Token)
			if err == nil || !strings.Contains(err.Error(), s.msg) {
				t.Errorf("Reader on %q: error %v, want one saying %q", s.doc, err, s.msg)
			}
			var se *xml.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Reader on %q: error %v is not an *xml.SyntaxError", s.doc, err)
			}
			var st *xmltok.StricterError
			if !errors.As(err, &st) || st.Rule != s.rule {
				t.Errorf("Reader on %q: error %#v, want a *StricterError for %q", s.doc, err, s.rule)
			}
		})
	}
}

// FuzzTokenizerAgreesWithEncodingXML: for any input, the Reader and
// encoding/xml accept or refuse alike (but for the stricter rules listed
// above) and agree on the tokens.
func FuzzTokenizerAgreesWithEncodingXML(f *testing.F) {
	for _, b := range corpus(f) {
		f.Add(b)
	}
	for _, s := range stricter {
		f.Add([]byte(s.doc))
	}
	for _, tt := range rules {
		f.Add([]byte(tt.doc))
	}
	for _, tt := range tokenCases {
		f.Add([]byte(tt.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		agree(t, doc)
	})
}
