// Package xmltok is the bridge's XML tokenizer: it hands out
// encoding/xml's token types for a SOAP body held in memory, and bounds
// what one document may cost (Limits: depth, element count, text size,
// attributes), which encoding/xml cannot.
//
// # Why not encoding/xml
//
// The bridge used encoding/xml's Decoder (RawToken, with its own namespace
// resolution) until large requests showed where the time went: a
// SavePortalUser with 10,000 index data items took 46-55 ms to decode and
// validate with encoding/xml, and 17-27 ms with this package.
// BenchmarkTokenize measures the tokenizer alone on the most verbose form,
// WCF's (every unset member sent as i:nil, 5.6 MB for 10,000 items). In
// one run on a shared 2-core machine (load 11, so wall times are inflated
// alike), encoding/xml took 344-440 ms, 38.5 MB and 1.08 million
// allocations; this package 59-70 ms, 0.67 MB and 28,000: five to seven times
// faster, and fifty times less memory churned.
//
// The Decoder reads through a bufio.Reader a byte at a time, copies every
// name and text, and boxes a token per call. This package scans the body's
// bytes in place: text without references is a window on the body, names
// and short attribute values are interned (nameCache), and the tokens of
// elements without attributes, or with one (WCF's i:nil="true"), are
// boxed once per name.
//
// # What it guarantees
//
// The Reader hands out encoding/xml's token types and, for every document
// that encoding/xml's strict Decoder (RawToken, with the namespace
// resolution below) accepts and that is well-formed, the same tokens. It
// is a strict XML 1.0 + Namespaces 1.0 parser; where encoding/xml accepts
// ill-formed input it refuses, by these rules, with a *StricterError that
// names the Rule (reader_diff_test.go checks every disagreement with
// encoding/xml against them, and fuzzes for others):
//
//   - Outside the root element only whitespace, comments and processing
//     instructions: no text, no CDATA section, no reference, and no second
//     root element (XML 1.0 §2.1 [1] document, §2.8 [27] Misc). A document
//     with no element at all still ends with io.EOF, as with encoding/xml:
//     the caller reports the empty body.
//   - The XML declaration only at the very start (after a BOM) and in its
//     grammar: version first, then encoding, then standalone, each after
//     whitespace and quoted (§2.8 [23]-[26], §2.9 [32], §4.3.3 [80]-[81]).
//     Any other processing instruction target matching [Xx][Mm][Ll] is
//     reserved (§2.6 [17]). A version other than 1.0 is refused, as
//     encoding/xml does, also when written `version = "1.1"`, which
//     encoding/xml's looser parsing overlooks.
//   - Whitespace between a processing instruction's target and its data
//     (§2.6 [16]), and before each attribute (§3.1 [40] and [44]).
//   - No attribute twice on one element, by name (§3.1 WFC: Unique Att
//     Spec) nor by namespace and local name (Namespaces §6.3 NSC:
//     Attributes Unique).
//   - A character reference must name a legal character: encoding/xml turns
//     &#xD800; to &#xDFFF; into U+FFFD (§4.1 WFC: Legal Character).
//   - Comments and processing instructions hold only legal characters in
//     valid UTF-8, as text does (§2.2 [2] Char, §2.5 [15], §2.6 [16]).
//   - Element and attribute names have at most one colon, with a name on
//     each side; processing instruction targets have none (Namespaces §3
//     [7]-[9] QName, §7).
//   - The reserved prefixes: xmlns is never declared nor used on an
//     element, xml is bound only to its namespace, and neither namespace
//     to another prefix or as the default; and xmlns:p="" is not allowed
//     (Namespaces §3 NSC: Reserved Prefixes and Namespace Names, and its
//     rule that a prefix's declaration MUST NOT be empty).
//
// Kept as encoding/xml and the Reader always had them: a prefix that no
// xmlns: declares stays in Name.Space and the binder reports it by name
// (Namespaces NSC: Prefix Declared is its job); names are checked with
// encoding/xml's character tables (XML 1.0 4th edition, Appendix B, a
// subset of the 5th edition's Name production: names made of the
// characters only the 5th edition added are refused by both); only
// version 1.0; attribute values are not whitespace-normalized (§3.3.3);
// line ends are normalized in text and attribute values, but comments and
// processing instructions come as written. A leading UTF-8 BOM is the
// encoding signature, not text (§4.3.3), and is skipped.
//
// Errors are *xml.SyntaxError with the line of the offending byte (counted
// only when there is an error; a refusal by one of the rules above wraps
// it in a *StricterError), but for the DOCTYPE refusal (ErrDirective) and
// the Limits (ErrLimit), which name the line the Reader has reached.
package xmltok

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Limits bound what one document may cost. Zero means "no limit".
type Limits struct {
	MaxDepth    int // nesting depth of elements, the Envelope being 1
	MaxElements int // start tags in the whole document
	MaxText     int // bytes of text in one element, and of one attribute value
	MaxAttrs    int // attributes (namespace declarations included) on one element
}

// DefaultLimits fit any real Therefore call with room to spare: a
// SavePortalUser with 100,000 index data items is about 700,000 elements.
var DefaultLimits = Limits{MaxDepth: 64, MaxElements: 2_000_000, MaxText: 1 << 20, MaxAttrs: 64}

// ErrLimit is wrapped by every error that a Limits bound caused.
var ErrLimit = errors.New("limit exceeded")

// ErrDirective is wrapped by the refusal of a DOCTYPE or another <!...>
// directive: SOAP forbids a DTD, and entity tricks start there.
var ErrDirective = errors.New("a DOCTYPE or other directive is not allowed in a SOAP message")

// A Rule is a well-formedness rule that the Reader enforces and
// encoding/xml does not; its text names the recommendation's section.
type Rule string

// The rules by which the Reader is stricter than encoding/xml.
const (
	RuleDocument       Rule = "XML 1.0 §2.1 [1] document, §2.8 [27] Misc: one root element, and outside it only whitespace, comments and processing instructions"
	RuleXMLDecl        Rule = "XML 1.0 §2.8 [22]-[26], §2.9 [32], §4.3.3 [80]-[81]: the XML declaration, at the very start and in its grammar, version 1.0"
	RulePITarget       Rule = "XML 1.0 §2.6 [17] PITarget: targets matching [Xx][Mm][Ll] are reserved"
	RulePISpace        Rule = "XML 1.0 §2.6 [16] PI: whitespace between the target and the data"
	RuleAttrSpace      Rule = "XML 1.0 §3.1 [40] STag, [44] EmptyElemTag: whitespace before each attribute"
	RuleUniqueAttr     Rule = "XML 1.0 §3.1 WFC: Unique Att Spec"
	RuleNSUniqueAttr   Rule = "Namespaces §6.3 NSC: Attributes Unique"
	RuleLegalCharRef   Rule = "XML 1.0 §4.1 WFC: Legal Character"
	RuleChar           Rule = "XML 1.0 §2.2 [2] Char, §2.5 [15], §2.6 [16]: comments and processing instructions hold only legal characters"
	RuleQName          Rule = "Namespaces §3 [7]-[9] QName, §7: at most one colon, between a prefix and a local name, none in a PI target"
	RuleReservedPrefix Rule = "Namespaces §3 NSC: Reserved Prefixes and Namespace Names, and no empty prefix declaration"
)

// A StricterError is a refusal by one of the Rules: encoding/xml would
// have accepted the document (or refused it for another reason).
type StricterError struct {
	Rule Rule
	Err  *xml.SyntaxError
}

// Error is the syntax error's message: the rule does not change the words.
func (e *StricterError) Error() string { return e.Err.Error() }

// Unwrap returns the *xml.SyntaxError, so that every well-formedness
// error is one.
func (e *StricterError) Unwrap() error { return e.Err }

// Reader hands out the tokens of one document and enforces Limits.
type Reader struct {
	buf    []byte
	pos    int // next byte to read
	start  int // where the document starts, after a BOM: the XML declaration's place
	limits Limits

	elements  int
	rootDone  bool       // the root element has been closed
	selfEnd   bool       // the last start tag was <x/>: its end comes next
	err       error      // sticky: every later Token returns it
	names     *nameCache // nil once the document is done (back in namePool)
	bufs      *buffers   // where the slices below came from (back in bufferPool)
	scratch   []byte     // unescaped text, valid until the next Token
	attrs     []rawAttr  // the start tag being scanned
	attrBlock []xml.Attr // where attrSlice cuts from

	// open holds the open elements (their raw names) and ns the prefix
	// bindings in scope, innermost last. nsGen changes whenever ns does,
	// to a value no Reader had before (nsGenerations), so that a name's
	// resolution can be kept with it (nameEntry.resolved).
	open  []openElement
	ns    []binding
	nsGen uint64

	lastStart *nameEntry // the name of the last start tag, for hints
}

var nsGenerations atomic.Uint64

type openElement struct {
	e     *nameEntry // raw name: Space is the prefix
	scope int        // len(ns) before this element's declarations
}

type binding struct{ prefix, uri string }

// buffers are a Reader's working slices, kept between documents so that
// a steady stream of requests does not grow them anew each time.
type buffers struct {
	scratch []byte
	attrs   []rawAttr
	open    []openElement
	ns      []binding
}

var bufferPool = sync.Pool{New: func() any { return new(buffers) }}

// release returns the Reader's name cache and buffers to their pools at
// the end of the document; buffers that grew large are dropped, since a
// huge document should not pin its memory.
func (r *Reader) release() {
	r.names.clearHints()
	namePool.Put(r.names)
	bb := r.bufs
	bb.scratch, bb.attrs, bb.open, bb.ns = r.scratch[:0], r.attrs[:0], r.open[:0], r.ns[:0]
	if cap(bb.scratch) <= 64<<10 && cap(bb.attrs) <= 1024 && cap(bb.open) <= 1024 && cap(bb.ns) <= 1024 {
		bufferPool.Put(bb)
	}
	r.names, r.bufs, r.scratch, r.attrs, r.open, r.ns, r.lastStart = nil, nil, nil, nil, nil, nil, nil
}

const (
	xmlnsPrefix = "xmlns"
	xmlPrefix   = "xml"
	xmlURL      = "http://www.w3.org/XML/1998/namespace"
	xmlnsURL    = "http://www.w3.org/2000/xmlns/"
)

// NewReaderBytes returns a Reader over body, which must be UTF-8 (the SOAP
// layer transcodes first; an encoding in the XML declaration is not acted
// upon). Tokens may refer to body: it must not change while they are used.
func NewReaderBytes(body []byte, l Limits) *Reader {
	bb := bufferPool.Get().(*buffers)
	names := namePool.Get().(*nameCache)
	names.fresh()
	r := &Reader{buf: body, limits: l, names: names, bufs: bb,
		scratch: bb.scratch, attrs: bb.attrs, open: bb.open, ns: bb.ns, nsGen: nsGenerations.Add(1)}
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		r.pos, r.start = 3, 3
	}
	return r
}

// Line returns the line the reader has reached (the end of the last
// token), for error messages.
func (r *Reader) Line() int { return r.lineAt(r.pos) }

func (r *Reader) lineAt(p int) int { return 1 + bytes.Count(r.buf[:p], []byte{'\n'}) }

// resolve maps a prefix to its namespace; an undeclared prefix stays as it
// is, as xml.Decoder leaves it (the binder names it in its errors). bound
// reports whether a declaration (or the fixed xml prefix) resolved it.
func (r *Reader) resolve(prefix string, element bool) (uri string, bound bool) {
	switch {
	case prefix == xmlnsPrefix:
		return prefix, false
	case prefix == "" && !element:
		return "", false
	case prefix == xmlPrefix:
		return xmlURL, true
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if r.ns[i].prefix == prefix {
			return r.ns[i].uri, true
		}
	}
	return prefix, false
}

// resolved is resolve(e's prefix, true), kept with e while the bindings in
// scope stay the same: in a SOAP body they are declared once near the top,
// and resolving every element's prefix again was a tenth of the work.
func (r *Reader) resolved(e *nameEntry) string {
	if e.nsGen != r.nsGen {
		e.nsURI, _ = r.resolve(e.name.Space, true)
		e.nsGen = r.nsGen
	}
	return e.nsURI
}

// Token returns the next token, start elements with namespaces resolved
// (end elements keep their raw prefix). Directives
// (DOCTYPE) are refused: SOAP forbids a DTD and entity tricks start there.
// Slices in a token (CharData, Comment, ProcInst.Inst) are valid until the
// next call, as with xml.Decoder; attribute slices stay valid. Start and
// end tokens may be handed out again for a later element of the same name
// and attribute: treat tokens as read-only (xml.CopyToken to change one).
func (r *Reader) Token() (xml.Token, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.selfEnd {
		r.selfEnd = false
		return r.pop(), nil
	}
	tok, err := r.next()
	if err != nil {
		return nil, r.stop(err)
	}
	return tok, nil
}

// stop makes err the answer to every later call and lets the buffers go:
// the document is done.
func (r *Reader) stop(err error) error {
	r.err = err
	r.release()
	return err
}

// Text returns the character data that comes next, if that is what comes
// next (ok), as Token would return it in an xml.CharData, and valid as
// long. It does not put it in an interface: texts are a good part of a
// document's tokens, and each one boxed was an allocation. When something
// else comes next, ok is false and nothing is read: Token takes it.
func (r *Reader) Text() (data []byte, ok bool, err error) {
	if r.err != nil {
		return nil, false, r.err
	}
	if r.selfEnd || r.pos >= len(r.buf) || r.buf[r.pos] == '<' {
		return nil, false, nil
	}
	data, err = r.charBytes()
	if err != nil {
		return nil, false, r.stop(err)
	}
	return data, true, nil
}

// pop closes the innermost open element and returns its end token.
func (r *Reader) pop() xml.Token {
	top := r.open[len(r.open)-1]
	if top.scope < len(r.ns) {
		r.ns = r.ns[:top.scope]
		r.nsGen = nsGenerations.Add(1)
	}
	r.open = r.open[:len(r.open)-1]
	if len(r.open) == 0 {
		r.rootDone = true
	}
	// The name stays raw (prefix, not namespace): every reader of an end
	// tag only needs to know it is one, and resolving it would cost an
	// allocation per element.
	return top.e.endToken()
}

// startElement resolves the start tag just scanned (name e, attributes in
// r.attrs), opens it and applies the limits.
func (r *Reader) startElement(e *nameEntry, tagStart int, empty bool) (xml.Token, error) {
	raw := r.attrs
	r.open = append(r.open, openElement{e: e, scope: len(r.ns)})
	// In XML namespaces the declarations apply to the element name and to
	// the other attribute names: take them first.
	for i := range raw {
		a := &raw[i]
		switch {
		case a.e.name.Space == xmlnsPrefix:
			if err := r.checkDeclaration(a.e.name.Local, a.value, tagStart); err != nil {
				return nil, err
			}
			r.ns = append(r.ns, binding{a.e.name.Local, a.value})
		case a.e.name.Space == "" && a.e.name.Local == xmlnsPrefix:
			if a.value == xmlURL || a.value == xmlnsURL {
				return nil, r.stricter(tagStart, RuleReservedPrefix, "xmlns=\""+a.value+"\": that namespace cannot be the default namespace")
			}
			r.ns = append(r.ns, binding{"", a.value})
		}
	}
	if len(r.ns) != r.open[len(r.open)-1].scope {
		r.nsGen = nsGenerations.Add(1)
	}
	if e.name.Space == xmlnsPrefix {
		return nil, r.stricter(tagStart, RuleReservedPrefix, "element <"+e.raw+">: the prefix xmlns is reserved for namespace declarations")
	}
	space := e.name.Space
	if space != "" || len(r.ns) > 0 {
		space = r.resolved(e)
	}
	var tok xml.Token
	switch {
	case len(raw) == 0:
		tok = e.startToken(space)
	case len(raw) == 1 && raw[0].e.name.Space != xmlnsPrefix && raw[0].e.raw != xmlnsPrefix:
		// One attribute that declares nothing, like WCF's i:nil="true" on
		// every unset member: the token is kept with the name (attrStart).
		a := &raw[0]
		ns := a.e.name.Space
		if ns != "" { // as an element's prefix: only "" differs for attributes
			ns = r.resolved(a.e)
		}
		tok = e.attrStart(space, a.e, ns, a.value, r.attrSlice)
	default:
		attr := r.attrSlice(len(raw))
		bound := false
		for i := range raw {
			a := &attr[i]
			a.Name, a.Value = raw[i].e.name, raw[i].value
			if a.Name.Space != "" {
				var ok bool
				a.Name.Space, ok = r.resolve(a.Name.Space, false)
				raw[i].bound = ok
				bound = bound || ok
			}
		}
		// Past MaxAttrs the limit refuses the element below, at no cost.
		if r.limits.MaxAttrs == 0 || len(raw) <= r.limits.MaxAttrs {
			if err := r.checkUnique(e, raw, attr, bound, tagStart); err != nil {
				return nil, err
			}
		}
		tok = xml.StartElement{Name: xml.Name{Space: space, Local: e.name.Local}, Attr: attr}
	}
	r.elements++
	if r.limits.MaxDepth > 0 && len(r.open) > r.limits.MaxDepth {
		return nil, fmt.Errorf("line %d: elements nested more than %d deep: %w", r.Line(), r.limits.MaxDepth, ErrLimit)
	}
	if r.limits.MaxElements > 0 && r.elements > r.limits.MaxElements {
		return nil, fmt.Errorf("line %d: more than %d elements: %w", r.Line(), r.limits.MaxElements, ErrLimit)
	}
	if r.limits.MaxAttrs > 0 && len(raw) > r.limits.MaxAttrs {
		return nil, fmt.Errorf("line %d: <%s> has more than %d attributes: %w", r.Line(), e.name.Local, r.limits.MaxAttrs, ErrLimit)
	}
	if r.limits.MaxText > 0 {
		for _, a := range raw {
			if len(a.value) > r.limits.MaxText {
				return nil, fmt.Errorf("line %d: an attribute value longer than %d bytes: %w", r.Line(), r.limits.MaxText, ErrLimit)
			}
		}
	}
	r.selfEnd = empty
	return tok, nil
}

// attrSlice returns a new slice of n attributes, cut from a larger block
// so that a document of small elements does not allocate one per element.
// The block is never reused: tokens may keep their attributes.
func (r *Reader) attrSlice(n int) []xml.Attr {
	if n > len(r.attrBlock) {
		r.attrBlock = make([]xml.Attr, max(n, 32))
	}
	a := r.attrBlock[:n:n]
	r.attrBlock = r.attrBlock[n:]
	return a
}

// checkDeclaration applies the namespace rules to xmlns:prefix="uri".
func (r *Reader) checkDeclaration(prefix, uri string, at int) error {
	var why string
	switch {
	case prefix == xmlnsPrefix:
		why = "the prefix xmlns must not be declared"
	case prefix == xmlPrefix && uri != xmlURL:
		why = "the prefix xml is bound to " + xmlURL + " only"
	case prefix != xmlPrefix && (uri == xmlURL || uri == xmlnsURL):
		why = "that namespace is reserved"
	case uri == "":
		why = "a prefix cannot be undeclared in XML 1.0"
	default:
		return nil
	}
	return r.stricter(at, RuleReservedPrefix, "xmlns:"+prefix+"=\""+uri+"\": "+why)
}

// checkUnique refuses an attribute written twice, by raw name or by
// namespace and local name (bound reports whether any prefix was declared).
func (r *Reader) checkUnique(e *nameEntry, raw []rawAttr, attr []xml.Attr, bound bool, at int) error {
	if len(raw) <= 16 {
		for j := 1; j < len(raw); j++ {
			for i := 0; i < j; i++ {
				if raw[i].e.raw == raw[j].e.raw || raw[i].bound && raw[j].bound && attr[i].Name == attr[j].Name {
					return r.duplicate(e, raw, i, j, at)
				}
			}
		}
		return nil
	}
	byRaw := make(map[string]int, len(raw))
	var byName map[xml.Name]int
	if bound {
		byName = make(map[xml.Name]int)
	}
	for j := range raw {
		if i, ok := byRaw[raw[j].e.raw]; ok {
			return r.duplicate(e, raw, i, j, at)
		}
		byRaw[raw[j].e.raw] = j
		if raw[j].bound {
			if i, ok := byName[attr[j].Name]; ok {
				return r.duplicate(e, raw, i, j, at)
			}
			byName[attr[j].Name] = j
		}
	}
	return nil
}

func (r *Reader) duplicate(e *nameEntry, raw []rawAttr, i, j, at int) error {
	if raw[i].e.raw == raw[j].e.raw {
		return r.stricter(at, RuleUniqueAttr, "attribute "+raw[j].e.raw+" appears twice in element <"+e.raw+">")
	}
	return r.stricter(at, RuleNSUniqueAttr, "attributes "+raw[i].e.raw+" and "+raw[j].e.raw+" of element <"+e.raw+"> have the same namespace and name")
}

// Skip consumes tokens up to the end of the element whose start was just
// read, within the same limits.
func (r *Reader) Skip() error {
	for depth := 1; depth > 0; {
		tok, err := r.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// ReadRaw returns the element whose start tag was just read, re-encoded
// with resolved namespaces, for a small header block that a struct with
// namespaced tags then unmarshals. Limits apply as to any other token.
func ReadRaw(r *Reader, start xml.StartElement) ([]byte, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeToken(start.Copy()); err != nil {
		return nil, err
	}
	open := []xml.Name{start.Name}
	for len(open) > 0 {
		tok, err := r.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name)
			tok = t.Copy()
		case xml.EndElement:
			// End tags come with their raw prefix: close what was opened.
			tok = xml.EndElement{Name: open[len(open)-1]}
			open = open[:len(open)-1]
		default:
			tok = xml.CopyToken(tok)
		}
		if err := enc.EncodeToken(tok); err != nil {
			return nil, err
		}
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Limits returns the bounds the Reader enforces.
func (r *Reader) Limits() Limits { return r.limits }
