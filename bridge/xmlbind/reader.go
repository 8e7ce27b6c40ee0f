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
}

// NewReader returns a Reader over d.
func NewReader(d *xml.Decoder, l Limits) *Reader { return &Reader{d: d, limits: l} }

// Line returns the line the decoder has reached, for error messages.
func (r *Reader) Line() int {
	line, _ := r.d.InputPos()
	return line
}

// Token returns the next token with namespaces resolved. Directives
// (DOCTYPE) are refused: SOAP forbids a DTD and entity tricks start there.
func (r *Reader) Token() (xml.Token, error) {
	tok, err := r.d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
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
	for depth := 1; depth > 0; {
		tok, err := r.Token()
		if err != nil {
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			return nil, err
		}
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
