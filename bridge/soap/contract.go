package soap

import (
	"encoding/xml"

	"github.com/thereforebridge/thereforebridge/bridge/xmlbind"
)

// Operation is what the SOAP layer needs to know of one operation.
type Operation struct {
	Name        string   // e.g. SavePortalUser
	Action      string   // the SOAPAction of requests
	ReplyAction string   // the action of responses
	Request     xml.Name // the body element of requests
	Response    xml.Name // the body element of responses
	Result      xml.Name // the single (empty) child of Response
	ResultTypes string   // namespace of the result's type, declared as WCF does
	New         func() any
	// Aliases are members the operation accepts at another level than its
	// schema puts them; Resolve folds what was found into the decoded body,
	// or returns an *xmlbind.Error saying why it cannot.
	Aliases []xmlbind.Alias
	Resolve func(body any, found []xmlbind.Found) error
}

// Contract is the set of operations an endpoint serves.
type Contract []Operation

// ByAction returns the operation for a SOAP action.
func (c Contract) ByAction(action string) *Operation {
	for i := range c {
		if c[i].Action == action {
			return &c[i]
		}
	}
	return nil
}

// ByElement returns the operation whose request body element is name.
func (c Contract) ByElement(name xml.Name) *Operation {
	for i := range c {
		if c[i].Request == name {
			return &c[i]
		}
	}
	return nil
}
