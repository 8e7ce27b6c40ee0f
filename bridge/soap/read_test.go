package soap_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
	"github.com/thereforebridge/thereforebridge/generated"
)

const (
	env11   = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">`
	env12   = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">`
	oofBody = `<SaveOutOfOfficeInfoForUser xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters/></SaveOutOfOfficeInfoForUser>`
	oofAct  = contract.MessagesNS + "/IThereforeService/SaveOutOfOfficeInfoForUser"
	puAct   = contract.MessagesNS + "/IThereforeService/SavePortalUser"
	wsa     = `xmlns:a="http://www.w3.org/2005/08/addressing"`
	wsse    = `xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"`
)

func soap11(body string) string { return env11 + `<s:Body>` + body + `</s:Body></s:Envelope>` }

func utf16le(s string) string { return encodeUTF16(s, unicode.LittleEndian) }
func utf16be(s string) string { return encodeUTF16(s, unicode.BigEndian) }

func encodeUTF16(s string, order unicode.Endianness) string {
	out, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

func TestRead(t *testing.T) {
	v11 := soap.Transport{Version: soap.V11, Action: oofAct}
	v11NoAction := soap.Transport{Version: soap.V11}
	v12 := soap.Transport{Version: soap.V12, Action: oofAct}
	tests := []struct {
		name string
		t    soap.Transport
		body string
		// A request: the operation it reads as; a fault: its code, kind and words.
		wantOp                      string
		wantCode, wantKind, wantSay string
		check                       func(*testing.T, *soap.Request)
	}{
		{name: "by action", t: v11, body: soap11(oofBody), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "by element, without an action", t: v11NoAction, body: soap11(oofBody), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "SOAP 1.2", t: v12, body: env12 + `<s:Body>` + oofBody + `</s:Body></s:Envelope>`, wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "comments, PIs and whitespace around", t: v11, body: "<?xml version=\"1.0\"?>\n<!-- c -->" + env11 + " <s:Body> <!-- x -->" + oofBody + " </s:Body>\n</s:Envelope><!-- after -->\n", wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "latin-1 by the HTTP charset", t: soap.Transport{Version: soap.V11, Action: puAct, Charset: "iso-8859-1"},
			body:   soap11(`<SavePortalUser xmlns="` + contract.MessagesNS + `"><parameters xmlns:a="` + contract.TypesNS + `"><a:PortalUser><a:CtgryNo>0</a:CtgryNo><a:Email>M` + "\xfc" + `ller</a:Email><a:QueryNo>1</a:QueryNo></a:PortalUser></parameters></SavePortalUser>`),
			wantOp: "SavePortalUser", check: func(t *testing.T, r *soap.Request) {
				if got := *r.Body.(*generated.SavePortalUser).Parameters.PortalUser.Email; got != "Müller" {
					t.Errorf("Email %q, want Müller", got)
				}
			}},
		{name: "windows-1252 by the XML declaration", t: v11, body: `<?xml version="1.0" encoding='Windows-1252'?>` + soap11(oofBody), wantOp: "SaveOutOfOfficeInfoForUser"},
		// UTF-16 as WCF writes it with writeEncoding utf-16, utf-16LE or
		// utf-16BE: with a byte order mark, or by the charset alone.
		{name: "UTF-16LE with a byte order mark, no charset", t: v11, body: "\xff\xfe" + utf16le(`<?xml version="1.0" encoding="utf-16"?>`+soap11(oofBody)), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "UTF-16BE with a byte order mark, charset utf-16", t: soap.Transport{Version: soap.V12, Action: oofAct, Charset: "utf-16"},
			body: "\xfe\xff" + utf16be(env12+`<s:Body>`+oofBody+`</s:Body></s:Envelope>`), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "charset utf-16le, no byte order mark", t: soap.Transport{Version: soap.V11, Action: puAct, Charset: "utf-16le"},
			body:   utf16le(soap11(`<SavePortalUser xmlns="` + contract.MessagesNS + `"><parameters xmlns:a="` + contract.TypesNS + `"><a:PortalUser><a:CtgryNo>0</a:CtgryNo><a:Email>Müller</a:Email><a:QueryNo>1</a:QueryNo></a:PortalUser></parameters></SavePortalUser>`)),
			wantOp: "SavePortalUser", check: func(t *testing.T, r *soap.Request) {
				if got := *r.Body.(*generated.SavePortalUser).Parameters.PortalUser.Email; got != "Müller" {
					t.Errorf("Email %q, want Müller", got)
				}
			}},
		{name: "charset utf-16be, no byte order mark", t: soap.Transport{Version: soap.V11, Action: oofAct, Charset: "utf-16be"}, body: utf16be(soap11(oofBody)), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "charset utf-16, no byte order mark: the order of the first '<'", t: soap.Transport{Version: soap.V11, Action: oofAct, Charset: "utf-16"}, body: utf16le(soap11(oofBody)), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "UTF-16BE, no charset, no byte order mark: the order of the first '<'", t: v11, body: utf16be(`<?xml version="1.0" encoding="utf-16"?>` + soap11(oofBody)), wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "charset utf-16 over UTF-8", t: soap.Transport{Version: soap.V11, Charset: "utf-16"}, body: soap11(oofBody), wantCode: "Client", wantKind: "Transport", wantSay: "the charset is utf-16, but the body is not UTF-16"},
		{name: "a declared utf-16 over UTF-8", t: v11, body: `<?xml version="1.0" encoding="UTF-16"?>` + soap11(oofBody), wantCode: "Client", wantKind: "Transport", wantSay: "the XML declaration says utf-16, but the body is not UTF-16"},
		{name: "a byte order mark against the charset", t: soap.Transport{Version: soap.V11, Action: oofAct, Charset: "utf-16be"}, body: "\xff\xfe" + utf16le(soap11(oofBody)), wantCode: "Client", wantKind: "Transport", wantSay: "the byte order mark says the other byte order"},
		{name: "UTF-16 cut in the middle of a character", t: v11, body: "\xff\xfe" + utf16le(soap11(oofBody)) + "<", wantCode: "Client", wantKind: "Transport", wantSay: "an odd number of bytes"},
		{name: "an unsupported charset", t: soap.Transport{Version: soap.V11, Charset: "shift_jis"}, body: soap11(oofBody), wantCode: "Client", wantKind: "Transport", wantSay: `"shift_jis" is not supported`},
		{name: "an unsupported declared encoding", t: v11, body: `<?xml version="1.0" encoding="EBCDIC"?>` + soap11(oofBody), wantCode: "Client", wantKind: "Transport", wantSay: `"ebcdic" is not supported`},
		{name: "WS-Addressing", t: soap.Transport{Version: soap.V12},
			body:   `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` + wsa + `><s:Header><a:Action s:mustUnderstand="1"> ` + oofAct + ` </a:Action><a:MessageID>urn:uuid:42</a:MessageID><a:To s:mustUnderstand="1">http://x</a:To><a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantOp: "SaveOutOfOfficeInfoForUser", check: func(t *testing.T, r *soap.Request) {
				if r.WSA == nil || r.WSA.Namespace != soap.WSA10 || r.WSA.Action != oofAct || r.WSA.MessageID != "urn:uuid:42" || r.Action != oofAct {
					t.Errorf("WSA %+v, action %q", r.WSA, r.Action)
				}
			}},
		{name: "WS-Addressing and transport actions differ", t: soap.Transport{Version: soap.V11, Action: puAct},
			body:     env11[:len(env11)-1] + ` ` + wsa + `><s:Header><a:Action>` + oofAct + `</a:Action></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantCode: "Client", wantKind: "Dispatch", wantSay: "differ"},
		{name: "a UsernameToken", t: v11,
			body:   env11 + `<s:Header><o:Security ` + wsse + ` s:mustUnderstand="1"><o:UsernameToken><o:Username> jdoe </o:Username><o:Password>s3cret</o:Password></o:UsernameToken></o:Security></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantOp: "SaveOutOfOfficeInfoForUser", check: func(t *testing.T, r *soap.Request) {
				s := r.Security
				if s == nil || s.Username != "jdoe" || s.Password != "s3cret" || s.PasswordType != soap.PasswordText || s.Digest() {
					t.Errorf("Security %+v", s)
				}
			}},
		{name: "a digest UsernameToken", t: v11,
			body:   env11 + `<s:Header><o:Security ` + wsse + `><o:UsernameToken><o:Username>jdoe</o:Username><o:Password Type="` + soap.PasswordDigest + `">ZGln</o:Password><o:Nonce>bm9uY2U=</o:Nonce><u:Created xmlns:u="` + soap.WSU + `">2024-01-01T00:00:00Z</u:Created></o:UsernameToken></o:Security></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantOp: "SaveOutOfOfficeInfoForUser", check: func(t *testing.T, r *soap.Request) {
				s := r.Security
				if s == nil || !s.Digest() || s.Nonce != "bm9uY2U=" || s.Created != "2024-01-01T00:00:00Z" {
					t.Errorf("Security %+v", s)
				}
			}},
		{name: "a Security header without a UsernameToken, mustUnderstand", t: v11,
			body:     env11 + `<s:Header><o:Security ` + wsse + ` s:mustUnderstand="1"><Signature/></o:Security></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantCode: "MustUnderstand", wantKind: "Header", wantSay: "The header 'Security'"},
		{name: "an unknown header, mustUnderstand", t: v11,
			body:     env11 + `<s:Header><h:T xmlns:h="urn:x" s:mustUnderstand="true"><x/></h:T></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantCode: "MustUnderstand", wantKind: "Header", wantSay: "from the namespace 'urn:x'"},
		{name: "an unknown header for another actor", t: v11,
			body:   env11 + `<s:Header><h:T xmlns:h="urn:x" s:mustUnderstand="1" s:actor="urn:someone-else"/></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantOp: "SaveOutOfOfficeInfoForUser"},
		{name: "an unknown header for the next role (1.2)", t: v12,
			body:     env12 + `<s:Header><h:T xmlns:h="urn:x" s:mustUnderstand="1" s:role="http://www.w3.org/2003/05/soap-envelope/role/next"/></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantCode: "MustUnderstand", wantKind: "Header", wantSay: "'T'"},
		{name: "an unknown header, optional", t: v11,
			body:   env11 + `<s:Header><h:T xmlns:h="urn:x" s:mustUnderstand="0">x</h:T></s:Header><s:Body>` + oofBody + `</s:Body></s:Envelope>`,
			wantOp: "SaveOutOfOfficeInfoForUser"},

		{name: "an empty body", t: v11, body: "", wantCode: "Client", wantKind: "Envelope", wantSay: "the request body is empty"},
		{name: "text before the Envelope", t: v11, body: "hello", wantCode: "Client", wantKind: "Envelope", wantSay: "not well-formed XML"},
		{name: "not an Envelope", t: v11, body: `<Envelope/>`, wantCode: "VersionMismatch", wantKind: "Envelope", wantSay: "found <Envelope>"},
		{name: "a 1.2 Envelope as 1.1", t: v11, body: env12 + `<s:Body/></s:Envelope>`, wantCode: "VersionMismatch", wantKind: "Envelope", wantSay: "send it as application/soap+xml"},
		{name: "a 1.1 Envelope as 1.2", t: v12, body: soap11(oofBody), wantCode: "VersionMismatch", wantKind: "Envelope", wantSay: "send it as text/xml"},
		{name: "no Body", t: v11, body: env11 + `</s:Envelope>`, wantCode: "Client", wantKind: "Envelope", wantSay: "has no Body"},
		{name: "text in the Envelope", t: v11, body: env11 + `x<s:Body/></s:Envelope>`, wantCode: "Client", wantKind: "Envelope", wantSay: "text is not allowed in the Envelope"},
		{name: "an empty Body", t: v11, body: soap11(""), wantCode: "Client", wantKind: "Envelope", wantSay: "the Body is empty"},
		{name: "two operations", t: v11, body: soap11(oofBody + oofBody), wantCode: "Client", wantKind: "Envelope", wantSay: "more than one element"},
		{name: "something after the Body", t: v11, body: env11 + `<s:Body>` + oofBody + `</s:Body><s:Body/></s:Envelope>`, wantCode: "Client", wantKind: "Envelope", wantSay: "nothing after its Body"},
		{name: "cut short", t: v11, body: env11 + `<s:Body>`, wantCode: "Client", wantKind: "Envelope", wantSay: "not well-formed XML: XML syntax error on line 1: unexpected EOF"},
		{name: "a second root", t: v11, body: soap11(oofBody) + `<x/>`, wantCode: "Client", wantKind: "Envelope", wantSay: "one root element"},
		{name: "an unknown action", t: soap.Transport{Version: soap.V11, Action: "urn:nope"}, body: soap11(oofBody), wantCode: "Client", wantKind: "Dispatch", wantSay: "The message with Action 'urn:nope' cannot be processed"},
		{name: "action and element disagree", t: soap.Transport{Version: soap.V11, Action: puAct}, body: soap11(oofBody), wantCode: "Client", wantKind: "Dispatch", wantSay: "the action is SavePortalUser but the Body holds <SaveOutOfOfficeInfoForUser>"},
		{name: "an element in the wrong namespace", t: v11, body: soap11(`<SaveOutOfOfficeInfoForUser xmlns="urn:wrong"/>`), wantCode: "Client", wantKind: "Dispatch", wantSay: `is in namespace "urn:wrong"`},
		{name: "an unknown element without an action", t: v11NoAction, body: soap11(`<Nope/>`), wantCode: "Client", wantKind: "Dispatch", wantSay: "serves SaveOutOfOfficeInfoForUser and SavePortalUser"},
		{name: "a contract violation in the body", t: v11, body: soap11(`<SaveOutOfOfficeInfoForUser xmlns="` + contract.MessagesNS + `"><parameters><x/></parameters></SaveOutOfOfficeInfoForUser>`), wantCode: "Client", wantKind: "Decode", wantSay: "unexpected element"},
		{name: "a limit", t: v11, body: env11 + "<s:Header>" + strings.Repeat("<x>", 70) + strings.Repeat("</x>", 70) + "</s:Header><s:Body/></s:Envelope>", wantCode: "Client", wantKind: "Limit", wantSay: "the message is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, f := soap.Read([]byte(tt.body), tt.t, contract.Operations(), xmltok.DefaultLimits, soap.Decoding{Strict: true})
			if tt.wantOp != "" {
				if f != nil {
					t.Fatalf("fault %s: %s", f.Code, f.Reason)
				}
				if req.Operation.Name != tt.wantOp || req.Version != tt.t.Version {
					t.Errorf("read as %s in %v, want %s in %v", req.Operation.Name, req.Version, tt.wantOp, tt.t.Version)
				}
				if tt.check != nil {
					tt.check(t, req)
				}
				return
			}
			if f == nil {
				t.Fatalf("read as %s, want a %s fault saying %q", req.Operation.Name, tt.wantCode, tt.wantSay)
			}
			if string(f.Code) != tt.wantCode || f.Detail == nil || string(f.Detail.Kind) != tt.wantKind || !strings.Contains(f.Reason, tt.wantSay) {
				t.Errorf("fault %s (%+v): %s\nwant %s, kind %s, saying %q", f.Code, f.Detail, f.Reason, tt.wantCode, tt.wantKind, tt.wantSay)
			}
		})
	}
}

func TestParseTransport(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   soap.Transport
		fault  string // in the reason; "" when none
	}{
		{"SOAP 1.1, quoted action", http.Header{"Content-Type": {"text/xml; charset=UTF-8"}, "Soapaction": {` "urn:a" `}}, soap.Transport{Version: soap.V11, Action: "urn:a", Charset: "utf-8"}, ""},
		{"SOAP 1.1, as WCF sends it", http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "Soapaction": {`"urn:a"`}}, soap.Transport{Version: soap.V11, Action: "urn:a", Charset: "utf-8"}, ""},
		{"SOAP 1.1, no space, upper case", http.Header{"Content-Type": {"TEXT/XML;CHARSET=UTF-8"}, "Soapaction": {`"urn:a"`}}, soap.Transport{Version: soap.V11, Action: "urn:a", Charset: "utf-8"}, ""},
		{"SOAP 1.1, another charset", http.Header{"Content-Type": {"text/xml; charset=utf-16"}, "Soapaction": {`"urn:a"`}}, soap.Transport{Version: soap.V11, Action: "urn:a", Charset: "utf-16"}, ""},
		{"SOAP 1.1, bare action, no charset", http.Header{"Content-Type": {"text/xml"}, "Soapaction": {"urn:a"}}, soap.Transport{Version: soap.V11, Action: "urn:a"}, ""},
		{"SOAP 1.2, action parameter", http.Header{"Content-Type": {`application/soap+xml; charset=utf-8; action="urn:b"`}}, soap.Transport{Version: soap.V12, Action: "urn:b", Charset: "utf-8"}, ""},
		{"SOAP 1.2, action in SOAPAction (Mono)", http.Header{"Content-Type": {"application/soap+xml"}, "Soapaction": {`"urn:c"`}}, soap.Transport{Version: soap.V12, Action: "urn:c"}, ""},
		{"SOAP 1.2, unquoted action URI", http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8;action=http://x.example/a/b"}}, soap.Transport{Version: soap.V12, Action: "http://x.example/a/b", Charset: "utf-8"}, ""},
		{"no content type", http.Header{}, soap.Transport{Version: soap.V11}, "has no Content-Type"},
		{"an unparseable content type", http.Header{"Content-Type": {"text/xml; ="}}, soap.Transport{Version: soap.V11}, "cannot be parsed"},
		{"JSON", http.Header{"Content-Type": {"application/json"}}, soap.Transport{Version: soap.V11}, `"application/json" is not SOAP`},
		{"a long content type is cut in the reason", http.Header{"Content-Type": {"text/" + strings.Repeat("x", 200) + "; ="}}, soap.Transport{Version: soap.V11}, "xxx...\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, f := soap.ParseTransport(tt.header)
			if got != tt.want {
				t.Errorf("Transport %+v, want %+v", got, tt.want)
			}
			switch {
			case tt.fault == "" && f != nil:
				t.Errorf("fault: %s", f.Reason)
			case tt.fault != "" && (f == nil || !strings.Contains(f.Reason, tt.fault) || f.HTTPStatus() != http.StatusUnsupportedMediaType || f.Detail.Kind != "Transport"):
				t.Errorf("fault %+v, want a 415 Transport fault saying %q", f, tt.fault)
			}
		})
	}
}
