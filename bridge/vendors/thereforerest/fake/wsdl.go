package fake

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/beevik/etree"

	"github.com/thereforebridge/thereforebridge/wsdl"
)

//go:embed operations.wsdl
var operationsWSDL []byte

// UpstreamWSDL returns the SOAP face's contract: the bridge's own WSDL
// with the fake's further operations merged in, so the two never drift.
func UpstreamWSDL() *etree.Document {
	upstreamOnce.Do(func() { upstreamDoc, upstreamErr = mergeWSDL(wsdl.Document, operationsWSDL) })
	if upstreamErr != nil {
		panic("fake: " + upstreamErr.Error()) // both documents are embedded; the tests catch this
	}
	return upstreamDoc.Copy()
}

var (
	upstreamOnce sync.Once
	upstreamDoc  *etree.Document
	upstreamErr  error
)

func mergeWSDL(base, extra []byte) (*etree.Document, error) {
	doc, add := etree.NewDocument(), etree.NewDocument()
	if err := doc.ReadFromBytes(base); err != nil {
		return nil, err
	}
	if err := add.ReadFromBytes(extra); err != nil {
		return nil, err
	}
	root := doc.Root()
	if d := child(root, "documentation", ""); d != nil {
		d.SetText("Therefore IThereforeService as the Therefore fake serves it: the two operations the bridge handles, and ExecuteSingleQuery and GetDocument, which it passes through.")
	}
	portType := child(root, "portType", "")
	for _, el := range add.Root().ChildElements() {
		switch el.Tag {
		case "types":
			types := child(root, "types", "")
			for _, sc := range el.ChildElements() {
				ns := sc.SelectAttrValue("targetNamespace", "")
				target := child(types, "schema", ns)
				if target == nil {
					return nil, fmt.Errorf("the WSDL has no schema for %s", ns)
				}
				for _, c := range sc.ChildElements() {
					target.AddChild(c.Copy())
				}
			}
		case "message":
			root.InsertChildAt(portType.Index(), el.Copy())
		case "portType", "binding":
			target := child(root, el.Tag, el.SelectAttrValue("name", ""))
			if target == nil {
				return nil, fmt.Errorf("the WSDL has no %s %s", el.Tag, el.SelectAttrValue("name", ""))
			}
			for _, c := range el.ChildElements() {
				target.AddChild(c.Copy())
			}
		}
	}
	return doc, nil
}

// child returns el's first child with tag whose name (or, for a schema,
// target namespace) is key; any when key is "".
func child(el *etree.Element, tag, key string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag != tag {
			continue
		}
		if key == "" || c.SelectAttrValue("name", "") == key || c.SelectAttrValue("targetNamespace", "") == key {
			return c
		}
	}
	return nil
}
