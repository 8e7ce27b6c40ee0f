package wsdlserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/beevik/etree"
)

// Namespaces of the documents a WSDL is made of.
const (
	wsdlNS = "http://schemas.xmlsoap.org/wsdl/"
	xsdNS  = "http://www.w3.org/2001/XMLSchema"
)

// Fetch limits: a WSDL and its imports are the upstream's input to the
// bridge, so they are bounded like any other.
const (
	maxDocuments = 32
	maxDocBytes  = 16 << 20
)

// Fetcher fetches a WSDL over HTTP and resolves its imports into one
// self-contained document, as ?singleWsdl would be.
type Fetcher struct {
	Client *http.Client
	// Authorize, when set, adds credentials to each request.
	Authorize func(*http.Request)
}

// Fetch returns the WSDL at rawURL with every wsdl:import, xsd:import and
// xsd:include that has a location inlined, and its operation names.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*etree.Document, []string, error) {
	base, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, err
	}
	doc, err := f.get(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	root := doc.Root()
	if root == nil || root.Tag != "definitions" || root.NamespaceURI() != wsdlNS {
		return nil, nil, fmt.Errorf("%s is not a WSDL 1.1 document (no wsdl:definitions)", redactURL(base))
	}
	r := &resolver{f: f, ctx: ctx, seen: map[string]bool{base.String(): true}}
	if err := r.wsdlImports(root, base); err != nil {
		return nil, nil, err
	}
	if err := r.schemaImports(root, base); err != nil {
		return nil, nil, err
	}
	if len(addresses(doc)) == 0 {
		return nil, nil, fmt.Errorf("the WSDL at %s has no soap:address or soap12:address", redactURL(base))
	}
	var ops []string
	for _, pt := range children(root, wsdlNS, "portType") {
		for _, op := range children(pt, wsdlNS, "operation") {
			ops = append(ops, op.SelectAttrValue("name", ""))
		}
	}
	return doc, ops, nil
}

type resolver struct {
	f    *Fetcher
	ctx  context.Context
	seen map[string]bool
}

// next fetches a referenced document once; nil when it was inlined already.
func (r *resolver) next(base *url.URL, location string) (*etree.Document, *url.URL, error) {
	ref, err := base.Parse(location)
	if err != nil {
		return nil, nil, fmt.Errorf("import location %q: %w", location, err)
	}
	if r.seen[ref.String()] {
		return nil, ref, nil
	}
	if len(r.seen) >= maxDocuments {
		return nil, nil, fmt.Errorf("the WSDL imports more than %d documents", maxDocuments)
	}
	r.seen[ref.String()] = true
	doc, err := r.f.get(r.ctx, ref)
	return doc, ref, err
}

// wsdlImports moves the content of imported WSDL documents into root.
func (r *resolver) wsdlImports(root *etree.Element, base *url.URL) error {
	for _, im := range children(root, wsdlNS, "import") {
		loc := im.SelectAttrValue("location", "")
		root.RemoveChild(im)
		if loc == "" {
			continue
		}
		doc, ref, err := r.next(base, loc)
		if err != nil || doc == nil {
			return err
		}
		sub := doc.Root()
		if err := r.wsdlImports(sub, ref); err != nil {
			return err
		}
		if err := r.schemaImports(sub, ref); err != nil {
			return err
		}
		for _, el := range sub.ChildElements() {
			if el.Tag == "types" && el.NamespaceURI() == wsdlNS {
				types := typesOf(root)
				for _, sc := range el.ChildElements() {
					types.AddChild(withNamespaces(sc.Copy(), sub))
				}
				continue
			}
			root.AddChild(withNamespaces(el.Copy(), sub))
		}
	}
	return nil
}

// schemaImports inlines every schema that the types' schemas import or
// include by location, as further schemas of the types.
func (r *resolver) schemaImports(root *etree.Element, base *url.URL) error {
	types := typesOf(root)
	// Each schema's locations are relative to the document it came from.
	bases := map[*etree.Element]*url.URL{}
	for i := 0; i < len(types.ChildElements()); i++ {
		sc := types.ChildElements()[i]
		scBase := base
		if b, ok := bases[sc]; ok {
			scBase = b
		}
		for _, im := range sc.ChildElements() {
			if im.NamespaceURI() != xsdNS || (im.Tag != "import" && im.Tag != "include") {
				continue
			}
			loc := im.SelectAttrValue("schemaLocation", "")
			if loc == "" {
				continue
			}
			im.RemoveAttr("schemaLocation")
			if im.Tag == "include" {
				sc.RemoveChild(im) // its content joins the types as a schema of the same namespace
			}
			doc, ref, err := r.next(scBase, loc)
			if err != nil {
				return err
			}
			if doc == nil {
				continue
			}
			s := doc.Root()
			if s == nil || s.Tag != "schema" || s.NamespaceURI() != xsdNS {
				return fmt.Errorf("%s is not an XML schema", redactURL(ref))
			}
			// The loop reaches the new schema and resolves its own imports.
			added := s.Copy()
			bases[added] = ref
			types.AddChild(added)
		}
	}
	return nil
}

// typesOf returns root's wsdl:types, created first in the document if
// it has none.
func typesOf(root *etree.Element) *etree.Element {
	if t := children(root, wsdlNS, "types"); len(t) > 0 {
		return t[0]
	}
	t := etree.NewElement(root.Space + ":types")
	if root.Space == "" {
		t = etree.NewElement("types")
	}
	root.InsertChildAt(0, t)
	return t
}

// withNamespaces gives an element moved out of src the namespace
// declarations it inherited there.
func withNamespaces(el, src *etree.Element) *etree.Element {
	for _, a := range src.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			if el.SelectAttr(a.FullKey()) == nil {
				el.CreateAttr(a.FullKey(), a.Value)
			}
		}
	}
	return el
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func (f *Fetcher) get(ctx context.Context, u *url.URL) (*etree.Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if f.Authorize != nil {
		f.Authorize(req)
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetching %s: %v", redactURL(u), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: HTTP %s", redactURL(u), resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v", redactURL(u), err)
	}
	if len(b) > maxDocBytes {
		return nil, fmt.Errorf("fetching %s: larger than %d bytes", redactURL(u), maxDocBytes)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, fmt.Errorf("%s does not parse: %v", redactURL(u), err)
	}
	return doc, nil
}

// redactURL names a URL by scheme, host and path; queries may hold tokens
// but ?wsdl-style queries are kept, as they say which document it was.
func redactURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host + u.Path
	if q := u.RawQuery; q != "" && len(q) <= 20 && !strings.ContainsAny(q, "&") {
		s += "?" + q
	}
	return s
}
