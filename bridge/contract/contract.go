// Package contract is Therefore's IThereforeService as the bridge serves it:
// the two operations, their actions, and the rules from Therefore's
// operation pages that the schema alone cannot express (one of QueryNo or
// CtgryNo > 0, DataISO8601Value formats, one value per index data item...).
// Types come from generated/; nothing here re-declares them.
package contract

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/xmlbind"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Namespaces of the contract.
const (
	MessagesNS = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	TypesNS    = "http://schemas.therefore.net/webservices/interop/v0001/types"
	actionBase = MessagesNS + "/IThereforeService/"
)

// Operation names.
const (
	SaveOutOfOfficeInfoForUser = "SaveOutOfOfficeInfoForUser"
	SavePortalUser             = "SavePortalUser"
)

// Operations returns the contract the SOAP endpoint serves, with element
// names read from the generated types' tags so that the WSDL leads.
func Operations() soap.Contract {
	return soap.Contract{
		op(SaveOutOfOfficeInfoForUser, func() any { return new(generated.SaveOutOfOfficeInfoForUser) }, generated.SaveOutOfOfficeInfoForUserResponse{}),
		portalUserOp(),
	}
}

// portalUserOp accepts IsOneTimePwd inside PortalUser too. Therefore's page
// lists it after the whole PortalUser subtree without saying at which
// level it sits, so clients put it in either place; both mean the same.
// It is an alias in the binder rather than a second member in the WSDL,
// so that the served contract stays Therefore's own.
func portalUserOp() soap.Operation {
	o := op(SavePortalUser, func() any { return new(generated.SavePortalUser) }, generated.SavePortalUserResponse{})
	o.Aliases = []xmlbind.Alias{{
		In:       reflect.TypeFor[generated.WSPortalUser](),
		Name:     xml.Name{Space: TypesNS, Local: "IsOneTimePwd"},
		Type:     reflect.TypeFor[*bool](),
		Nillable: true,
	}}
	o.Resolve = resolveOneTimePwd
	return o
}

// resolveOneTimePwd moves an IsOneTimePwd found inside PortalUser to the
// parameters, where the generated type has it; both set and different is
// an error, since the bridge cannot know which the client meant.
func resolveOneTimePwd(body any, found []xmlbind.Found) error {
	p := body.(*generated.SavePortalUser).Parameters
	for _, f := range found {
		inner := f.Value.Interface().(*bool)
		if inner == nil || p == nil {
			continue // nil means not set, as in the parameters
		}
		if p.IsOneTimePwd != nil && *p.IsOneTimePwd != *inner {
			return &xmlbind.Error{Path: f.Path, Rule: fmt.Sprintf(
				"is %t here but %t in parameters/IsOneTimePwd; send it in one place, or the same value in both", *inner, *p.IsOneTimePwd)}
		}
		p.IsOneTimePwd = inner
	}
	return nil
}

func op(name string, newReq func() any, resp any) soap.Operation {
	rt := reflect.TypeOf(resp)
	result, _ := rt.FieldByName(name + "Result")
	return soap.Operation{
		Name:        name,
		Action:      actionBase + name,
		ReplyAction: actionBase + name + "Response",
		Request:     xmlName(reflect.TypeOf(newReq()).Elem()),
		Response:    xmlName(rt),
		Result:      tagName(result.Tag.Get("xml")),
		ResultTypes: TypesNS,
		New:         newReq,
	}
}

func xmlName(t reflect.Type) xml.Name {
	f, _ := t.FieldByName("XMLName")
	return tagName(f.Tag.Get("xml"))
}

func tagName(tag string) xml.Name {
	tag, _, _ = strings.Cut(tag, ",")
	ns, local, _ := strings.Cut(tag, " ")
	return xml.Name{Space: ns, Local: local}
}

// Params returns the operation's `parameters` (a *generated.<Op>Params),
// or nil when the client sent none.
func Params(body any) any {
	switch b := body.(type) {
	case *generated.SaveOutOfOfficeInfoForUser:
		if b.Parameters != nil {
			return b.Parameters
		}
	case *generated.SavePortalUser:
		if b.Parameters != nil {
			return b.Parameters
		}
	}
	return nil
}
