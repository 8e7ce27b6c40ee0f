// Package wsdl embeds the Therefore contract (therefore.wsdl), the single
// source of truth for the SOAP face: make generate builds generated/ from
// it, and the bridge serves it at <endpoint>?wsdl.
package wsdl

import _ "embed"

// Document is therefore.wsdl as committed.
//
//go:embed therefore.wsdl
var Document []byte
