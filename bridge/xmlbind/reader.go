// Package xmlbind reads XML into the structs gowsdl generated from the WSDL,
// strictly and by the contract: element names and namespaces from the `xml`
// tags, minOccurs and nillable from the `xsd` tags that genfix writes, and
// the XSD lexical rules for every scalar (bridge/xsd). Element order does
// not matter (WCF writes alphabetically, the Therefore pages document
// another order, SoapUI users type their own).
//
// Every error names the element path and the rule, e.g.
// "SavePortalUser/parameters/PortalUser/QueryNo: "abc" is not a valid xs:int".
//
// It reads from a Reader, which bounds depth, element count and text size so
// that hostile input costs little; encoding/xml itself has no such limits.
package xmlbind

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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

// Reader hands out the tokens of one document and enforces Limits.
type Reader struct {
	d        *xml.Decoder
	limits   Limits
	depth    int
	elements int

	// Namespaces are resolved here rather than by xml.Decoder.Token, which
	// costs a map and an allocation per element; open holds the raw names
	// of the open elements (RawToken does not check that tags match) and
	// ns the prefix bindings in scope, innermost last.
	open []openElement
	ns   []binding
}

type openElement struct {
	name  xml.Name // raw: Space is the prefix
	scope int      // len(ns) before this element's declarations
}

type binding struct{ prefix, uri string }

const (
	xmlnsPrefix = "xmlns"
	xmlPrefix   = "xml"
	xmlURL      = "http://www.w3.org/XML/1998/namespace"
)

// resolve maps a prefix to its namespace; an undeclared prefix stays as it
// is, as xml.Decoder leaves it (the binder names it in its errors).
func (r *Reader) resolve(prefix string, element bool) string {
	switch {
	case prefix == xmlnsPrefix:
		return prefix
	case prefix == "" && !element:
		return ""
	case prefix == xmlPrefix:
		return xmlURL
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if r.ns[i].prefix == prefix {
			return r.ns[i].uri
		}
	}
	return prefix
}

// NewReader returns a Reader over d.
func NewReader(d *xml.Decoder, l Limits) *Reader { return &Reader{d: d, limits: l} }

// Line returns the line the decoder has reached, for error messages.
func (r *Reader) Line() int {
	line, _ := r.d.InputPos()
	return line
}

// Token returns the next token, start elements with namespaces resolved
// (end elements keep their raw prefix). Directives
// (DOCTYPE) are refused: SOAP forbids a DTD and entity tricks start there.
func (r *Reader) Token() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err != nil {
		if err == io.EOF && len(r.open) > 0 {
			return nil, &xml.SyntaxError{Msg: "unexpected EOF", Line: r.Line()}
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.open = append(r.open, openElement{name: t.Name, scope: len(r.ns)})
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == xmlnsPrefix:
				r.ns = append(r.ns, binding{a.Name.Local, a.Value})
			case a.Name.Space == "" && a.Name.Local == xmlnsPrefix:
				r.ns = append(r.ns, binding{"", a.Value})
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
		tok = t
		r.depth++
		r.elements++
		if r.limits.MaxDepth > 0 && r.depth > r.limits.MaxDepth {
			return nil, fmt.Errorf("line %d: elements nested more than %d deep: %w", r.Line(), r.limits.MaxDepth, ErrLimit)
		}
		if r.limits.MaxElements > 0 && r.elements > r.limits.MaxElements {
			return nil, fmt.Errorf("line %d: more than %d elements: %w", r.Line(), r.limits.MaxElements, ErrLimit)
		}
		if r.limits.MaxAttrs > 0 && len(t.Attr) > r.limits.MaxAttrs {
			return nil, fmt.Errorf("line %d: <%s> has more than %d attributes: %w", r.Line(), t.Name.Local, r.limits.MaxAttrs, ErrLimit)
		}
		if r.limits.MaxText > 0 {
			for _, a := range t.Attr {
				if len(a.Value) > r.limits.MaxText {
					return nil, fmt.Errorf("line %d: an attribute value longer than %d bytes: %w", r.Line(), r.limits.MaxText, ErrLimit)
				}
			}
		}
	case xml.EndElement:
		if len(r.open) == 0 {
			return nil, &xml.SyntaxError{Msg: "unexpected end element </" + t.Name.Local + ">", Line: r.Line()}
		}
		top := r.open[len(r.open)-1]
		if top.name != t.Name {
			return nil, &xml.SyntaxError{Msg: "element <" + qname(top.name) + "> closed by </" + qname(t.Name) + ">", Line: r.Line()}
		}
		// The name stays raw (prefix, not namespace): every reader of an
		// end tag only needs to know it is one, and re-boxing the token
		// would cost an allocation per element.
		r.ns = r.ns[:top.scope]
		r.open = r.open[:len(r.open)-1]
		r.depth--
	case xml.CharData:
		if r.limits.MaxText > 0 && len(t) > r.limits.MaxText {
			return nil, fmt.Errorf("line %d: a text node longer than %d bytes: %w", r.Line(), r.limits.MaxText, ErrLimit)
		}
	case xml.Directive:
		return nil, fmt.Errorf("line %d: a DOCTYPE or other directive is not allowed in a SOAP message", r.Line())
	}
	return tok, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
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
