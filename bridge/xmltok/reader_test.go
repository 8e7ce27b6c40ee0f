package xmltok_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// drain reads every token of doc through a Reader with limits l.
func drain(doc string, l xmltok.Limits) (starts int, err error) {
	r := xmltok.NewReaderBytes([]byte(doc), l)
	for {
		tok, err := r.Token()
		if errors.Is(err, io.EOF) {
			return starts, nil
		}
		if err != nil {
			return starts, err
		}
		if _, ok := tok.(xml.StartElement); ok {
			starts++
		}
	}
}

func TestReaderLimits(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		limits    xmltok.Limits
		wantErr   string // "" when the document must pass
		wantLimit bool
	}{
		{name: "no limits", doc: "<a><b><c>" + strings.Repeat("x", 5000) + "</c></b></a>"},
		{name: "depth at the limit", doc: "<a><b><c/></b></a>", limits: xmltok.Limits{MaxDepth: 3}},
		{name: "depth over", doc: "<a><b><c/></b></a>", limits: xmltok.Limits{MaxDepth: 2}, wantErr: "nested more than 2 deep", wantLimit: true},
		{name: "siblings do not add depth", doc: "<a><b/><b/><b><c/></b><b/></a>", limits: xmltok.Limits{MaxDepth: 3}},
		{name: "elements at the limit", doc: "<a><b/><b/></a>", limits: xmltok.Limits{MaxElements: 3}},
		{name: "elements over", doc: "<a><b/><b/><b/></a>", limits: xmltok.Limits{MaxElements: 3}, wantErr: "more than 3 elements", wantLimit: true},
		{name: "text at the limit", doc: "<a>" + strings.Repeat("x", 10) + "</a>", limits: xmltok.Limits{MaxText: 10}},
		{name: "text over", doc: "<a>" + strings.Repeat("x", 11) + "</a>", limits: xmltok.Limits{MaxText: 10}, wantErr: "longer than 10 bytes", wantLimit: true},
		{name: "CDATA over", doc: "<a><![CDATA[" + strings.Repeat("x", 11) + "]]></a>", limits: xmltok.Limits{MaxText: 10}, wantErr: "longer than 10 bytes", wantLimit: true},
		{name: "attributes at the limit", doc: `<a x="1" y="2"/>`, limits: xmltok.Limits{MaxAttrs: 2}},
		{name: "attributes over", doc: `<a x="1" y="2" xmlns:z="urn:z"/>`, limits: xmltok.Limits{MaxAttrs: 2}, wantErr: "more than 2 attributes", wantLimit: true},
		{name: "attribute value over", doc: `<a x="` + strings.Repeat("v", 11) + `"/>`, limits: xmltok.Limits{MaxText: 10}, wantErr: "attribute value longer than 10 bytes", wantLimit: true},
		{name: "DOCTYPE", doc: `<!DOCTYPE a [<!ENTITY e "x">]><a/>`, wantErr: "DOCTYPE"},
		{name: "comments and PIs pass", doc: "<?xml version=\"1.0\"?><!-- c --><a><?pi x?></a>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drain(tt.doc, tt.limits)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Token over %q with %+v: %v", tt.doc, tt.limits, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Token over %q with %+v: error %v, want %q", tt.doc, tt.limits, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "line 1: ") {
				t.Errorf("Token: error %q does not name the line", err)
			}
			if got := errors.Is(err, xmltok.ErrLimit); got != tt.wantLimit {
				t.Errorf("Token: errors.Is(%q, ErrLimit) = %v, want %v", err, got, tt.wantLimit)
			}
		})
	}
}

func TestReaderSkip(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		limits  xmltok.Limits
		next    string // local name of the start element after the skipped one
		wantErr string
	}{
		{name: "nested", doc: "<r><skip><a><b>t</b></a><a/></skip><next/></r>", next: "next"},
		{name: "empty", doc: "<r><skip/><next/></r>", next: "next"},
		{name: "limits apply while skipping", doc: "<r><skip><a><b/></a></skip></r>", limits: xmltok.Limits{MaxDepth: 3}, wantErr: "nested more than 3 deep"},
		{name: "truncated", doc: "<r><skip><a>", wantErr: "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := xmltok.NewReaderBytes([]byte(tt.doc), tt.limits)
			for i := 0; i < 2; i++ { // <r>, <skip>
				if _, err := r.Token(); err != nil {
					t.Fatalf("Token: %v", err)
				}
			}
			err := r.Skip()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Skip over %q: error %v, want %q", tt.doc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Skip over %q: %v", tt.doc, err)
			}
			tok, err := r.Token()
			if start, ok := tok.(xml.StartElement); err != nil || !ok || start.Name.Local != tt.next {
				t.Errorf("after Skip over %q: Token = %#v, %v; want <%s>", tt.doc, tok, err, tt.next)
			}
		})
	}
}

// rules has, for each well-formedness rule the tokenizer enforces, input
// that keeps it and input that breaks it. err is "" when the document must
// pass, else words of the error; line, when not 0, is the error's line.
var rules = []struct {
	name string
	doc  string
	err  string
	line int
}{
	// Tags and attributes (XML 1.0 §3.1).
	{name: "attributes", doc: "<a x=\"1\" y='2' z = \"3\"\n\tw=''/>"},
	{name: "end tag with space", doc: `<a></a >`},
	{name: "unquoted value", doc: `<a x=1/>`, err: "unquoted or missing attribute value in element"},
	{name: "attribute without value", doc: `<a x/>`, err: "attribute name without = in element"},
	{name: "< in a value", doc: `<a x="<"/>`, err: "unescaped < inside quoted string"},
	{name: "other quote in a value", doc: `<a x="'" y='"'/>`},
	{name: "value to EOF", doc: `<a x="1/>`, err: "unexpected EOF"},
	{name: "no whitespace between attributes", doc: `<a x="1"y="2"/>`, err: "attribute y in element <a> must be separated"},
	{name: "duplicate attribute", doc: `<a x="1" y="2" x="3"/>`, err: "attribute x appears twice in element <a>"},
	{name: "duplicate attribute among many", doc: "<a" + manyAttrs(20) + ` a7="x"/>`, err: "attribute a7 appears twice"},
	{name: "many attributes", doc: "<a" + manyAttrs(40) + "/>"},
	{name: "same local name, other namespaces", doc: `<a xmlns:p="urn:p" x="1" p:x="2" xml:x="3"/>`},
	{name: "same namespace by two prefixes", doc: `<a xmlns:p="urn:x" xmlns:q="urn:x" p:y="1" q:y="2"/>`, err: "attributes p:y and q:y of element <a> have the same namespace and name"},
	{name: "same namespace among many", doc: `<a xmlns:p="urn:x" xmlns:q="urn:x"` + manyAttrs(20) + ` p:y="1" q:y="2"/>`, err: "have the same namespace and name"},
	{name: "undeclared prefixes stay", doc: `<p:a q:x="1" r:x="2"/>`},
	{name: "bad empty tag", doc: `<a/ >`, err: "expected /> in element"},
	{name: "space before the name", doc: `< a/>`, err: "expected element name after <"},
	{name: "no attribute name", doc: `<a "x"/>`, err: "expected attribute name in element"},
	{name: "junk in an end tag", doc: `<a></a x>`, err: "invalid characters between </a and >"},

	// Names (XML 1.0 §2.3 [4]-[5]; Namespaces §3 [4], [7]-[9]).
	{name: "ASCII names", doc: `<_a.b-c:d1 xmlns:_a.b-c="urn:x" e.f-g_h1="1"/>`},
	{name: "non-ASCII names", doc: `<été 日本語="1"><données/></été>`},
	{name: "name starts with a digit", doc: `<1a/>`, err: "invalid XML name: 1a"},
	{name: "name starts with -", doc: `<a><-b/></a>`, err: "invalid XML name: -b"},
	{name: "name starts with a space", doc: `<a>< b/></a>`, err: "expected element name after <"},
	{name: "name with a non-name character", doc: `<a×b/>`, err: "invalid XML name: a×b"},
	{name: "name with invalid UTF-8", doc: "<a\xffb/>", err: "invalid XML name"},
	{name: "two colons", doc: `<a:b:c/>`, err: "invalid qualified name a:b:c"},
	{name: "empty prefix", doc: `<:a/>`, err: "invalid qualified name :a"},
	{name: "empty local name", doc: `<a b:="1"/>`, err: "invalid qualified name b:"},
	{name: "local name starts with a digit", doc: `<a:1/>`, err: "invalid qualified name a:1"},
	{name: "invalid end tag name", doc: `<a></1>`, err: "invalid XML name: 1"},

	// References (XML 1.0 §4.1, §4.6).
	{name: "predefined and character references", doc: `<a x="&lt;&#x41;">&lt;&gt;&amp;&apos;&quot;&#65;&#x41;&#x1F600;&#0065;&#xe9;</a>`},
	{name: "undeclared entity", doc: `<a>&foo;</a>`, err: "invalid character entity &foo;"},
	{name: "undeclared entity in a value", doc: `<a x="&foo;"/>`, err: "invalid character entity &foo;"},
	{name: "no semicolon", doc: `<a>&amp </a>`, err: "invalid character entity &amp (no semicolon)"},
	{name: "lone ampersand", doc: `<a>a & b</a>`, err: "invalid character entity & (no semicolon)"},
	{name: "reference to NUL", doc: `<a>&#0;</a>`, err: "&#0; names U+0000, which is not a legal XML character"},
	{name: "reference to a surrogate", doc: `<a>&#xD800;</a>`, err: "names U+D800, which is not a legal XML character"},
	{name: "reference to U+FFFE", doc: `<a>&#xFFFE;</a>`, err: "not a legal XML character"},
	{name: "reference beyond Unicode", doc: `<a>&#x110000;</a>`, err: "invalid character entity &#x110000;"},
	{name: "reference overflowing", doc: `<a>&#99999999999999999999999;</a>`, err: "invalid character entity &#99999999999999999999999;"},
	{name: "reference without digits", doc: `<a>&#;</a>`, err: "invalid character entity &#;"},
	{name: "hex reference without digits", doc: `<a>&#x;</a>`, err: "invalid character entity &#x;"},
	{name: "upper-case X", doc: `<a>&#X41;</a>`, err: "invalid character entity &# (no semicolon)"},
	{name: "bad hex digit", doc: `<a>&#x4G;</a>`, err: "invalid character entity &#x4 (no semicolon)"},
	{name: "reference to EOF", doc: `<a>&am`, err: "unexpected EOF"},

	// CDATA sections (XML 1.0 §2.7).
	{name: "CDATA", doc: `<a><![CDATA[<x>&amp;]]]]><![CDATA[]]></a>`},
	{name: "CDATA to EOF", doc: `<a><![CDATA[x</a>`, err: "unexpected EOF in CDATA section"},
	{name: "not CDATA", doc: `<a><![CDAT[x]]></a>`, err: "invalid <![ sequence"},
	{name: "control character in CDATA", doc: "<a><![CDATA[\x01]]></a>", err: "illegal character code U+0001"},

	// Comments (XML 1.0 §2.5).
	{name: "comments", doc: `<!----><a><!-- - x - --></a><!-- after -->`},
	{name: "-- in a comment", doc: `<a><!-- a -- b --></a>`, err: `invalid sequence "--" not allowed in comments`},
	{name: "comment ending in ---", doc: `<a><!-- x ---></a>`, err: `invalid sequence "--" not allowed in comments`},
	{name: "<!- without -", doc: `<a><!- x --></a>`, err: "invalid sequence <!- not part of <!--"},
	{name: "comment to EOF", doc: `<a><!-- x`, err: "unexpected EOF"},
	{name: "control character in a comment", doc: "<a><!-- \x02 --></a>", err: "illegal character code U+0002 in a comment"},
	{name: "invalid UTF-8 in a comment", doc: "<a><!-- \xc3( --></a>", err: "invalid UTF-8 in a comment"},

	// Processing instructions and the XML declaration (XML 1.0 §2.6, §2.8).
	{name: "declaration and PIs", doc: "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n<?pi data?><a><?pi?><?pi ?></a><?xml-stylesheet href=\"x\"?>"},
	{name: "declaration in single quotes", doc: "<?xml version='1.0' encoding='iso-8859-1'?><a/>"},
	{name: "declaration after a BOM", doc: "\xef\xbb\xbf<?xml version=\"1.0\"?><a/>"},
	{name: "declaration after space", doc: ` <?xml version="1.0"?><a/>`, err: "the XML declaration <?xml ...?> is allowed only at the very start", line: 1},
	{name: "declaration inside", doc: "<a>\n<?xml version=\"1.0\"?></a>", err: "allowed only at the very start", line: 2},
	{name: "reserved target", doc: `<?XmL version="1.0"?><a/>`, err: "processing instruction target XmL is reserved"},
	{name: "version 1.1", doc: `<?xml version="1.1"?><a/>`, err: `unsupported XML version "1.1"`},
	{name: "declaration without version", doc: `<?xml encoding="UTF-8"?><a/>`, err: "malformed XML declaration: the version must come first"},
	{name: "empty encoding", doc: `<?xml version="1.0" encoding=""?><a/>`, err: `malformed XML declaration: "" is not an encoding name`},
	{name: "standalone before encoding", doc: `<?xml version="1.0" standalone="no" encoding="UTF-8"?><a/>`, err: "malformed XML declaration"},
	{name: "pseudo-attribute without a name", doc: `<?xml version="1.0" ="x"?><a/>`, err: "malformed XML declaration: expected version, encoding or standalone"},
	{name: "declaration ending in space", doc: "<?xml version=\"1.0\"\n?><a/>"},
	{name: "declaration with junk", doc: `<?xml version="1.0" x?><a/>`, err: "malformed XML declaration"},
	{name: "unterminated version", doc: `<?xml version="1.0?><a/>`, err: "malformed XML declaration: unterminated value"},
	{name: "PI target missing", doc: `<a><? pi?></a>`, err: "expected target name after <?"},
	{name: "PI without whitespace", doc: `<a><?pi"x"?></a>`, err: "processing instruction target pi must be followed by whitespace or ?>"},
	{name: "PI target with a colon", doc: `<a><?p:i x?></a>`, err: "processing instruction target p:i contains a colon"},
	{name: "PI to EOF", doc: `<a><?pi x`, err: "unexpected EOF"},
	{name: "control character in a PI", doc: "<a><?pi \x03?></a>", err: "illegal character code U+0003 in a processing instruction"},

	// ]]> in text (XML 1.0 §2.4).
	{name: "]] and ]> in text", doc: `<a>]] > ]> ]]</a>`},
	{name: "]]> in a value", doc: `<a x="]]>"/>`},
	{name: "]]> in text", doc: `<a>x]]>y</a>`, err: "unescaped ]]> not in CDATA section"},

	// Characters (XML 1.0 §2.2).
	{name: "legal characters", doc: "<a>\t\n\r é € 😀 \x7f \u0085 \ufffd</a>"},
	{name: "NUL", doc: "<a>\x00</a>", err: "illegal character code U+0000"},
	{name: "control character", doc: "<a>x\x1f</a>", err: "illegal character code U+001F"},
	{name: "control character in a value", doc: "<a x=\"\x0b\"/>", err: "illegal character code U+000B"},
	{name: "U+FFFE", doc: "<a>\xef\xbf\xbe</a>", err: "illegal character code U+FFFE"},
	{name: "invalid UTF-8", doc: "<a>\xff</a>", err: "invalid UTF-8"},
	{name: "encoded surrogate", doc: "<a>\xed\xa0\x80</a>", err: "invalid UTF-8"},
	{name: "overlong encoding", doc: "<a>\xc0\x80</a>", err: "invalid UTF-8"},
	{name: "truncated sequence", doc: "<a>\xe2\x82</a>", err: "invalid UTF-8"},

	// Matching end tags, EOF (XML 1.0 §3 WFC: Element Type Match).
	{name: "crossed tags", doc: `<a><b></a></b>`, err: "element <b> closed by </a>"},
	{name: "prefix counts", doc: `<p:a xmlns:p="urn:p" xmlns:q="urn:p"></q:a>`, err: "element <p:a> closed by </q:a>"},
	{name: "EOF in an element", doc: `<a><b/>`, err: "unexpected EOF"},
	{name: "EOF in text", doc: `<a>text`, err: "unexpected EOF"},
	{name: "EOF in a start tag", doc: `<a x="1"`, err: "unexpected EOF"},
	{name: "EOF in a name", doc: `<a`, err: "unexpected EOF"},
	{name: "EOF in an end tag", doc: `<a></a`, err: "unexpected EOF"},
	{name: "EOF after <", doc: `<a><`, err: "unexpected EOF"},

	// Outside the root element (XML 1.0 §2.1 [1], §2.8 [27]).
	{name: "whitespace, comments and PIs around the root", doc: " \r\n<!--c--><?pi?><a/>\n<!--d--><?pi?> "},
	{name: "empty document", doc: ``},
	{name: "only a comment", doc: `<!-- nothing -->`},
	{name: "text before the root", doc: `x<a/>`, err: "text is not allowed outside the root element"},
	{name: "text after the root", doc: "<a/>\n  x", err: "text is not allowed outside the root element", line: 2},
	{name: "reference after the root", doc: `<a/>&#32;`, err: "text is not allowed outside the root element"},
	{name: "CDATA after the root", doc: `<a/><![CDATA[ ]]>`, err: "a CDATA section is not allowed outside the root element"},
	{name: "second root", doc: `<a/><b/>`, err: "element <b> after the end of the root element"},
	{name: "end tag after the root", doc: `<a/></a>`, err: "unexpected end element </a>"},
	{name: "DOCTYPE", doc: "<!DOCTYPE a [\n<!ENTITY e \"x\">\n]><a/>", err: "line 3: a DOCTYPE or other directive is not allowed"},

	// Namespaces (Namespaces in XML 1.0 §3).
	{name: "declarations", doc: `<a xmlns="urn:d" xmlns:p="urn:p" xmlns:xml="http://www.w3.org/XML/1998/namespace"><b xmlns=""/></a>`},
	{name: "declaring xmlns", doc: `<a xmlns:xmlns="urn:x"/>`, err: "the prefix xmlns must not be declared"},
	{name: "element prefix xmlns", doc: `<xmlns:a/>`, err: "element <xmlns:a>: the prefix xmlns is reserved"},
	{name: "rebinding xml", doc: `<a xmlns:xml="urn:x"/>`, err: "the prefix xml is bound to http://www.w3.org/XML/1998/namespace only"},
	{name: "another prefix for xml's namespace", doc: `<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>`, err: "that namespace is reserved"},
	{name: "a prefix for xmlns's namespace", doc: `<a xmlns:x="http://www.w3.org/2000/xmlns/"/>`, err: "that namespace is reserved"},
	{name: "xml's namespace as the default", doc: `<a xmlns="http://www.w3.org/XML/1998/namespace"/>`, err: "cannot be the default namespace"},
	{name: "undeclaring a prefix", doc: `<a xmlns:p=""/>`, err: `xmlns:p="": a prefix cannot be undeclared in XML 1.0`},

	// Lines.
	{name: "line of a bad character", doc: "<a>\n\n<b>\x00</b></a>", err: "illegal character code U+0000", line: 3},
	{name: "line of a bad end tag", doc: "<a>\n</b>", err: "closed by", line: 2},
	{name: "line of EOF", doc: "<a>\n\n", err: "unexpected EOF", line: 3},
}

func manyAttrs(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, ` a%d="%d"`, i, i)
	}
	return sb.String()
}

func TestTokenizerRules(t *testing.T) {
	for _, tt := range rules {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drain(tt.doc, xmltok.Limits{})
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Token over %q: %v", tt.doc, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Token over %q: error %v, want %q", tt.doc, err, tt.err)
			}
			var se *xml.SyntaxError
			if !errors.As(err, &se) {
				if !strings.Contains(err.Error(), "DOCTYPE") {
					t.Errorf("Token over %q: error %v is a %T, want an *xml.SyntaxError", tt.doc, err, err)
				}
				return
			}
			if tt.line != 0 && se.Line != tt.line {
				t.Errorf("Token over %q: error on line %d, want line %d", tt.doc, se.Line, tt.line)
			}
		})
	}
}

func start(space, local string, attrs ...string) xml.StartElement {
	s := xml.StartElement{Name: xml.Name{Space: space, Local: local}}
	for i := 0; i < len(attrs); i += 3 {
		s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Space: attrs[i], Local: attrs[i+1]}, Value: attrs[i+2]})
	}
	return s
}

func end(space, local string) xml.EndElement {
	return xml.EndElement{Name: xml.Name{Space: space, Local: local}}
}

// tokenCases pin the exact tokens.
var tokenCases = []struct {
	name string
	doc  string
	want []xml.Token
}{
	{
		name: "namespaces",
		doc:  `<s:E xmlns:s="urn:s"><s:B a="1" s:c="2" xml:lang="en">t</s:B><d xmlns="urn:d" i:nil="1"/><u:x/></s:E>`,
		want: []xml.Token{
			start("urn:s", "E", "xmlns", "s", "urn:s"),
			start("urn:s", "B", "", "a", "1", "urn:s", "c", "2", "http://www.w3.org/XML/1998/namespace", "lang", "en"),
			xml.CharData("t"),
			end("s", "B"),
			start("urn:d", "d", "", "xmlns", "urn:d", "i", "nil", "1"),
			end("", "d"),
			start("u", "x"),
			end("u", "x"),
			end("s", "E"),
		},
	},
	{
		name: "default namespace undeclared",
		doc:  `<a xmlns="urn:a"><b xmlns=""><c/></b></a>`,
		want: []xml.Token{
			start("urn:a", "a", "", "xmlns", "urn:a"),
			start("", "b", "", "xmlns", ""),
			start("", "c"), end("", "c"),
			end("", "b"),
			end("", "a"),
		},
	},
	{
		name: "line ends",
		doc:  "<a x='1\r\n2\r3\n'>a\r\nb\rc<![CDATA[\r\n\r]]><!--\r\n--><?pi x\r\n?></a>",
		want: []xml.Token{
			start("", "a", "", "x", "1\n2\n3\n"),
			xml.CharData("a\nb\nc"),
			xml.CharData("\n\n"),
			xml.Comment("\r\n"),
			xml.ProcInst{Target: "pi", Inst: []byte("x\r\n")},
			end("", "a"),
		},
	},
	{
		name: "references",
		doc:  `<a x="&lt;&#x41;&#10;">&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;&#13;&#10;</a>`,
		want: []xml.Token{
			start("", "a", "", "x", "<A\n"),
			xml.CharData("<>&'\"A😀\r\n"),
			end("", "a"),
		},
	},
	{
		name: "prolog and epilog",
		doc:  "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!--c--><a/>\r\n",
		want: []xml.Token{
			xml.ProcInst{Target: "xml", Inst: []byte(`version="1.0"`)},
			xml.CharData("\n"),
			xml.Comment("c"),
			start("", "a"), end("", "a"),
			xml.CharData("\n"),
		},
	},
	{
		// The names guessed from the last time (a start tag's successor, an
		// element's first attribute, the open element at an end tag) must
		// not match a longer or shorter name, nor keep an old namespace or
		// attribute value.
		name: "repeated shapes with near names",
		doc:  `<r xmlns:p="urn:1"><ab x="1"/><abc/><ab xy="2"/><abc/><ab x="3"><abc/></ab><p:a/><q xmlns:p="urn:2"><p:a p:x="4"/><p:a/></q><p:a p:x="4"/></r>`,
		want: []xml.Token{
			start("", "r", "xmlns", "p", "urn:1"),
			start("", "ab", "", "x", "1"), end("", "ab"),
			start("", "abc"), end("", "abc"),
			start("", "ab", "", "xy", "2"), end("", "ab"),
			start("", "abc"), end("", "abc"),
			start("", "ab", "", "x", "3"), start("", "abc"), end("", "abc"), end("", "ab"),
			start("urn:1", "a"), end("p", "a"),
			start("", "q", "xmlns", "p", "urn:2"),
			start("urn:2", "a", "urn:2", "x", "4"), end("p", "a"),
			start("urn:2", "a"), end("p", "a"),
			end("", "q"),
			start("urn:1", "a", "urn:1", "x", "4"), end("p", "a"),
			end("", "r"),
		},
	},
	{
		name: "empty CDATA",
		doc:  `<a><![CDATA[]]></a>`,
		want: []xml.Token{start("", "a"), xml.CharData(""), end("", "a")},
	},
}

func TestTokenizerTokens(t *testing.T) {
	for _, tt := range tokenCases {
		t.Run(tt.name, func(t *testing.T) {
			r := xmltok.NewReaderBytes([]byte(tt.doc), xmltok.Limits{})
			var got []xml.Token
			for {
				tok, err := r.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				if s, ok := tok.(xml.StartElement); ok && len(s.Attr) == 0 && s.Attr != nil {
					t.Errorf("<%s>: an empty attribute slice was allocated", s.Name.Local)
				}
				got = append(got, xml.CopyToken(tok))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d tokens %#v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !sameToken(got[i], tt.want[i]) {
					t.Errorf("token %d: got %#v, want %#v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestTokenizerNoCopies checks that plain text is a window on the body and
// that a document of repeated names allocates little beyond its text
// tokens.
func TestTokenizerNoCopies(t *testing.T) {
	doc := []byte(`<a:r xmlns:a="urn:a"><a:x>plain</a:x><a:x>&lt;</a:x></a:r>`)
	r := xmltok.NewReaderBytes(doc, xmltok.Limits{})
	var texts []xml.CharData
	for {
		tok, err := r.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			texts = append(texts, cd)
		}
	}
	if len(texts) != 2 || string(texts[0]) != "plain" || &texts[0][0] != &doc[bytes.Index(doc, []byte("plain"))] {
		t.Errorf("text without references is not a subslice of the body: %q", texts)
	}

	var sb strings.Builder
	sb.WriteString(`<a:r xmlns:a="urn:a" xmlns:i="urn:i">`)
	const n = 200
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<a:item><a:no>%d</a:no><a:name i:nil="true"/></a:item>`, i)
	}
	sb.WriteString(`</a:r>`)
	big := []byte(sb.String())
	allocs := testing.AllocsPerRun(20, func() {
		r := xmltok.NewReaderBytes(big, xmltok.DefaultLimits)
		for {
			if _, err := r.Token(); err != nil {
				break
			}
		}
	})
	// One boxed CharData per item and a few for the Reader itself: the
	// start tokens, with or without their one attribute, are kept with
	// their names.
	if max := float64(n + 20); allocs > max {
		t.Errorf("%.0f allocations for %d items, want at most %.0f", allocs, n, max)
	}
}
