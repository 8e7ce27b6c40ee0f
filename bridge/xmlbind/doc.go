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
// It binds the tokens of a bridge/xmltok Reader, which owns
// well-formedness and the Limits; the binder applies the one limit that
// spans tokens (MaxText over text split by comments or CDATA sections).
package xmlbind
