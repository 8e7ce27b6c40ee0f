// Package soap speaks SOAP 1.1 and 1.2 over HTTP the way WCF does: it finds
// the version and action of a request, walks the envelope (headers,
// mustUnderstand, exactly one body element), decodes the body element into
// the operation's generated type, and writes responses and faults that WCF,
// zeep, gSOAP and the rest accept. It knows the operations only as a
// Contract; it knows nothing of vendors.
package soap

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

// Envelope namespaces.
const (
	NS11 = "http://schemas.xmlsoap.org/soap/envelope/"
	NS12 = "http://www.w3.org/2003/05/soap-envelope"
)

// FaultNamespace is the namespace of the bridge's machine-readable fault detail.
const FaultNamespace = "urn:thereforebridge:fault:v1"

// Version is a SOAP version.
type Version int

// The two SOAP versions.
const (
	V11 Version = 11
	V12 Version = 12
)

func (v Version) String() string {
	if v == V12 {
		return "SOAP 1.2"
	}
	return "SOAP 1.1"
}

// Namespace returns the envelope namespace of v.
func (v Version) Namespace() string {
	if v == V12 {
		return NS12
	}
	return NS11
}

// ContentType returns the media type of messages in v.
func (v Version) ContentType() string {
	if v == V12 {
		return "application/soap+xml; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// Code is a fault code, named as in SOAP 1.1; SOAP 1.2 spells Client as
// Sender and Server as Receiver.
type Code string

// Fault codes.
const (
	Client          Code = "Client"
	Server          Code = "Server"
	MustUnderstand  Code = "MustUnderstand"
	VersionMismatch Code = "VersionMismatch"
)

func (c Code) in(v Version) string {
	if v == V12 {
		switch c {
		case Client:
			return "Sender"
		case Server:
			return "Receiver"
		}
	}
	return string(c)
}

// Kind says what a fault is about, for programs: it is the BridgeFault's
// Kind element, the Type of WCF's ExceptionDetail (thereforebridge.<Kind>Fault)
// and, lower-cased, the outcome label of the request metric and log line.
type Kind string

// The fault kinds. A new kind is a change to the fault contract: add it
// here and to the README's table of faults.
const (
	KindTransport  Kind = "Transport"  // HTTP: method, Content-Type, Content-Encoding, an unreadable body
	KindEnvelope   Kind = "Envelope"   // not well-formed XML, or not a SOAP envelope of either version
	KindHeader     Kind = "Header"     // a mustUnderstand header the bridge does not understand
	KindDispatch   Kind = "Dispatch"   // an action or body element naming no operation of the contract
	KindDecode     Kind = "Decode"     // the body does not fit the operation's types (Path and Rule say where)
	KindValidation Kind = "Validation" // Therefore's own rules are broken (Path and Rule say where)
	KindLimit      Kind = "Limit"      // the message is larger, deeper or longer than limits: allows
	KindAuth       Kind = "Auth"       // missing or wrong credentials
	KindRateLimit  Kind = "RateLimit"  // the caller exceeded limits.per_caller_rate
	KindBusy       Kind = "Busy"       // the bridge is at limits.max_concurrent
	KindVendors    Kind = "Vendors"    // a required vendor refused the change for good (Vendor elements say which, with what)
	KindStore      Kind = "Store"      // the change could not be stored, so nothing was applied; retry
	KindInternal   Kind = "Internal"   // the bridge failed; the reason quotes the request id
)

// Kinds lists every fault kind, for documentation and tests.
var Kinds = []Kind{KindTransport, KindEnvelope, KindHeader, KindDispatch, KindDecode, KindValidation,
	KindLimit, KindAuth, KindRateLimit, KindBusy, KindVendors, KindStore, KindInternal}

// Detail is the machine-readable part of a fault, written in FaultNamespace.
type Detail struct {
	XMLName xml.Name        `xml:"urn:thereforebridge:fault:v1 BridgeFault"`
	Kind    Kind            `xml:"Kind"`
	Path    string          `xml:"Path,omitempty"` // element path, for Decode and Validation
	Rule    string          `xml:"Rule,omitempty"` // the rule broken, for Decode and Validation
	Vendors []VendorOutcome `xml:"Vendor,omitempty"`
}

// VendorOutcome is one vendor's result in a Vendors fault.
type VendorOutcome struct {
	Name     string `xml:"name,attr"`
	Outcome  string `xml:"outcome,attr"` // ok, failed, skipped
	Attempts int    `xml:"attempts,attr,omitempty"`
	Status   int    `xml:"status,attr,omitempty"`
	Message  string `xml:",chardata"`
}

// Fault is a SOAP fault ready to be written in either version.
type Fault struct {
	Code    Code
	Subcode xml.Name // optional, e.g. WS-Addressing ActionNotSupported
	Reason  string
	Status  int // HTTP status; 0 means 500
	Detail  *Detail
	// NotUnderstood lists the headers of a MustUnderstand fault.
	NotUnderstood []xml.Name
	// Header holds HTTP headers to send with the fault (WWW-Authenticate).
	Header http.Header
}

func (f *Fault) Error() string { return string(f.Code) + ": " + f.Reason }

// HTTPStatus returns the status to send with f.
func (f *Fault) HTTPStatus() int {
	if f.Status != 0 {
		return f.Status
	}
	return http.StatusInternalServerError
}

// Clientf returns a Client (1.2: Sender) fault of the given kind.
func Clientf(kind Kind, reason string) *Fault {
	return &Fault{Code: Client, Reason: reason, Detail: &Detail{Kind: kind}}
}

// ActionNotSupported returns WCF's fault for an action the endpoint does
// not serve (WS-Addressing's ActionNotSupported subcode), with reason.
func ActionNotSupported(reason string) *Fault {
	return &Fault{Code: Client, Subcode: xml.Name{Space: "http://schemas.microsoft.com/ws/2005/05/addressing/none", Local: "ActionNotSupported"},
		Reason: reason, Detail: &Detail{Kind: KindDispatch}}
}

// AppendFault writes f as a complete envelope in version v, as WCF does.
func AppendFault(buf *bytes.Buffer, v Version, f *Fault) {
	buf.WriteString(`<s:Envelope xmlns:s="`)
	buf.WriteString(v.Namespace())
	buf.WriteString(`">`)
	if v == V12 && len(f.NotUnderstood) > 0 {
		buf.WriteString(`<s:Header>`)
		for _, n := range f.NotUnderstood {
			buf.WriteString(`<s:NotUnderstood qname="h:`)
			escapeAttr(buf, n.Local)
			buf.WriteString(`" xmlns:h="`)
			escapeAttr(buf, n.Space)
			buf.WriteString(`"/>`)
		}
		buf.WriteString(`</s:Header>`)
	}
	buf.WriteString(`<s:Body><s:Fault>`)
	if v == V12 {
		buf.WriteString(`<s:Code><s:Value>s:`)
		buf.WriteString(f.Code.in(v))
		buf.WriteString(`</s:Value>`)
		if f.Subcode.Local != "" {
			buf.WriteString(`<s:Subcode><s:Value xmlns:a="`)
			escapeAttr(buf, f.Subcode.Space)
			buf.WriteString(`">a:`)
			escape(buf, f.Subcode.Local)
			buf.WriteString(`</s:Value></s:Subcode>`)
		}
		buf.WriteString(`</s:Code><s:Reason><s:Text xml:lang="en-US">`)
		escape(buf, f.Reason)
		buf.WriteString(`</s:Text></s:Reason>`)
		if f.Detail != nil {
			buf.WriteString(`<s:Detail>`)
			appendDetail(buf, f.Detail, f.Reason)
			buf.WriteString(`</s:Detail>`)
		}
	} else {
		if f.Subcode.Local != "" {
			// SOAP 1.1 has no subcodes: WCF writes the subcode as the faultcode.
			buf.WriteString(`<faultcode xmlns:a="`)
			escapeAttr(buf, f.Subcode.Space)
			buf.WriteString(`">a:`)
			escape(buf, f.Subcode.Local)
		} else {
			buf.WriteString(`<faultcode>s:`)
			buf.WriteString(string(f.Code))
		}
		buf.WriteString(`</faultcode><faultstring xml:lang="en-US">`)
		escape(buf, f.Reason)
		buf.WriteString(`</faultstring>`)
		if f.Detail != nil {
			buf.WriteString(`<detail>`)
			appendDetail(buf, f.Detail, f.Reason)
			buf.WriteString(`</detail>`)
		}
	}
	buf.WriteString(`</s:Fault></s:Body></s:Envelope>`)
}

// appendDetail writes WCF's own ExceptionDetail first, then the bridge's
// machine-readable BridgeFault. WCF clients read the first detail element
// as an ExceptionDetail (Mono's throws when it is anything else), so they
// get a FaultException<ExceptionDetail> carrying the reason; other stacks
// and operators' tools read BridgeFault.
func appendDetail(buf *bytes.Buffer, d *Detail, reason string) {
	buf.WriteString(`<ExceptionDetail xmlns="http://schemas.datacontract.org/2004/07/System.ServiceModel" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
		`<HelpLink i:nil="true"/><InnerException i:nil="true"/><Message>`)
	escape(buf, reason)
	buf.WriteString(`</Message><StackTrace i:nil="true"/><Type>thereforebridge.`)
	escape(buf, string(d.Kind))
	buf.WriteString(`Fault</Type></ExceptionDetail>`)
	b, err := xml.Marshal(d)
	if err != nil { // cannot happen for this struct; never lose the fault over it
		buf.WriteString(`<BridgeFault xmlns="` + FaultNamespace + `"><Kind>` + string(KindInternal) + `</Kind></BridgeFault>`)
		return
	}
	buf.Write(b)
}

// escape writes s as XML text the way WCF does: only &, < and > are
// escaped, and
// characters XML cannot carry (client input may hold them) become U+FFFD.
func escape(buf *bytes.Buffer, s string) {
	escapeXML(buf, s, false)
}

// escapeAttr writes s as a double-quoted attribute value.
func escapeAttr(buf *bytes.Buffer, s string) { escapeXML(buf, s, true) }

func escapeXML(buf *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			buf.WriteString("&amp;")
		case r == '<':
			buf.WriteString("&lt;")
		case r == '>':
			buf.WriteString("&gt;")
		case r == '"' && attr:
			buf.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF):
			buf.WriteRune(r)
		default:
			buf.WriteRune('\uFFFD')
		}
	}
}
