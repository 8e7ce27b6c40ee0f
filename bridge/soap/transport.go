package soap

import (
	"mime"
	"net/http"
	"strings"
)

// Transport is what the HTTP layer says about a request before its body
// is read: the SOAP version its content type names, the action, and the
// character set.
type Transport struct {
	Version Version
	Action  string // may be empty: then the body's element decides
	Charset string // lower case; empty when the content type names none
}

// ParseTransport reads Content-Type and SOAPAction. SOAP 1.1 is text/xml
// with a SOAPAction header (quoted or not); SOAP 1.2 is application/soap+xml
// with an action parameter. Mono's WCF sends SOAP 1.2 with the action in a
// SOAPAction header instead, so that is accepted too.
func ParseTransport(h http.Header) (Transport, *Fault) {
	ct := h.Get("Content-Type")
	if ct == "" {
		return Transport{Version: V11}, &Fault{Code: Client, Status: http.StatusUnsupportedMediaType,
			Reason: "the request has no Content-Type; send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)",
			Detail: &Detail{Kind: KindTransport}}
	}
	// What WCF and most SOAP 1.1 clients send, taken as ParseMediaType
	// takes it, without the map it makes for the parameters.
	if strings.EqualFold(ct, "text/xml; charset=utf-8") || strings.EqualFold(ct, "text/xml;charset=utf-8") {
		return Transport{Version: V11, Charset: "utf-8", Action: unquoteAction(h.Get("SOAPAction"))}, nil
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return Transport{Version: V11}, &Fault{Code: Client, Status: http.StatusUnsupportedMediaType,
			Reason: "the Content-Type " + quote(ct) + " cannot be parsed: " + err.Error(),
			Detail: &Detail{Kind: KindTransport}}
	}
	t := Transport{Charset: strings.ToLower(params["charset"])}
	switch media {
	case "text/xml":
		t.Version = V11
		t.Action = unquoteAction(h.Get("SOAPAction"))
	case "application/soap+xml":
		t.Version = V12
		t.Action = params["action"]
		if t.Action == "" {
			t.Action = unquoteAction(h.Get("SOAPAction"))
		}
	default:
		return Transport{Version: V11}, &Fault{Code: Client, Status: http.StatusUnsupportedMediaType,
			Reason: "the content type " + quote(media) + " is not SOAP; send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)",
			Detail: &Detail{Kind: KindTransport}}
	}
	return t, nil
}

func unquoteAction(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return s
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + s + `"`
}
