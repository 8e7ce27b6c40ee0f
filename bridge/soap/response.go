package soap

import (
	"bytes"
	"net/http"
)

// XSINamespace is declared on the result element, as WCF does.
const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// AppendResponse writes the empty response of req's operation, byte for
// byte as WCF writes it:
//
//	<OpResponse xmlns="messages"><OpResult xmlns:a="types" xmlns:i="xsi"/></OpResponse>
//
// When the request used WS-Addressing, the reply carries the reply action
// and RelatesTo, so WS-Addressing clients can correlate it.
func AppendResponse(buf *bytes.Buffer, req *Request) {
	op := req.Operation
	buf.WriteString(`<s:Envelope xmlns:s="`)
	buf.WriteString(req.Version.Namespace())
	buf.WriteString(`"`)
	if req.WSA != nil {
		buf.WriteString(` xmlns:a="`)
		buf.WriteString(req.WSA.Namespace)
		buf.WriteString(`"><s:Header><a:Action s:mustUnderstand="1">`)
		escape(buf, op.ReplyAction)
		buf.WriteString(`</a:Action>`)
		if req.WSA.MessageID != "" {
			buf.WriteString(`<a:RelatesTo>`)
			escape(buf, req.WSA.MessageID)
			buf.WriteString(`</a:RelatesTo>`)
		}
		buf.WriteString(`</s:Header>`)
	} else {
		buf.WriteString(`>`)
	}
	buf.WriteString(`<s:Body><`)
	buf.WriteString(op.Response.Local)
	buf.WriteString(` xmlns="`)
	buf.WriteString(op.Response.Space)
	buf.WriteString(`"><`)
	buf.WriteString(op.Result.Local)
	buf.WriteString(` xmlns:a="`)
	buf.WriteString(op.ResultTypes)
	buf.WriteString(`" xmlns:i="` + xsiNS + `"/></`)
	buf.WriteString(op.Response.Local)
	buf.WriteString(`></s:Body></s:Envelope>`)
}

// ResponseHeaders sets the content type of a reply in v; SOAP 1.2 names the
// reply action in it (RFC 3902).
func ResponseHeaders(h http.Header, v Version, replyAction string) {
	ct := v.ContentType()
	if v == V12 && replyAction != "" {
		ct += `; action="` + replyAction + `"`
	}
	h.Set("Content-Type", ct)
}
