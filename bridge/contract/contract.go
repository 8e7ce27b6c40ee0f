// Package contract is Therefore's IThereforeService as the bridge serves it:
// the two operations, their actions, and the rules from Therefore's
// operation pages that the schema alone cannot express (one of QueryNo or
// CtgryNo > 0, DataISO8601Value formats, one value per index data item...).
// Types come from generated/; nothing here re-declares them.
package contract

import (
	"encoding/xml"
	"reflect"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
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
		op(SavePortalUser, func() any { return new(generated.SavePortalUser) }, generated.SavePortalUserResponse{}),
	}
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
