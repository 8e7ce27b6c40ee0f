package soap

import (
	"errors"
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
	if errors.Is(err, mime.ErrInvalidMediaParameter) {
		media, params, err = lenientMediaType(ct)
	}
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

// lenientMediaType reads a content type whose parameters MIME's grammar
// refuses: an action URI left unquoted (its '/' and ':' must be quoted),
// as in "application/soap+xml;charset=utf-8;action=http://...". The media
// type itself must still parse; each parameter is name=value, the value
// taken to the next ';' and unquoted if quoted.
func lenientMediaType(ct string) (string, map[string]string, error) {
	parts := strings.Split(ct, ";")
	media, _, err := mime.ParseMediaType(parts[0])
	if err != nil {
		return "", nil, err
	}
	params := map[string]string{}
	for _, p := range parts[1:] {
		name, value, ok := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			if strings.TrimSpace(p) == "" {
				continue // "text/xml;" or ";;"
			}
			return "", nil, mime.ErrInvalidMediaParameter
		}
		params[name] = unquoteAction(value)
	}
	return media, params, nil
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
