package thereforerest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// tenantRequired is the answer of Therefore Online to a call without the
// TenantName header (vendors.md: 500 "Tenant name is required"). It is a
// 500, but repeating the call cannot help: the configuration is wrong.
const tenantRequired = "Tenant name is required"

// fault is what a Therefore error answer says.
type fault struct {
	Code    string // ErrorCodeString, else ErrorCode; "" when none
	Message string
}

// wsError covers the JSON error shapes a Therefore server sends: its own
// {"WSError": {...}}, the same members at the top level, and WCF's generic
// {"Message": ..., "ExceptionType": ...}.
type wsError struct {
	ErrorCode       json.RawMessage `json:"ErrorCode"`
	ErrorCodeString string          `json:"ErrorCodeString"`
	ErrorMessage    string          `json:"ErrorMessage"`
	Message         string          `json:"Message"`
	ExceptionType   string          `json:"ExceptionType"`
}

var htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// parseFault reads an error answer defensively: any of the JSON shapes,
// a JSON string, plain text, or an HTML page from a proxy in front.
func parseFault(status int, body []byte) fault {
	body = bytes.TrimSpace(body)
	var env struct {
		WSError *wsError `json:"WSError"`
		wsError
	}
	if json.Unmarshal(body, &env) == nil {
		e := env.wsError
		if env.WSError != nil {
			e = *env.WSError
		}
		f := fault{Code: e.ErrorCodeString, Message: e.ErrorMessage}
		if f.Code == "" && len(e.ErrorCode) > 0 && string(e.ErrorCode) != "null" {
			f.Code = strings.Trim(string(e.ErrorCode), `"`)
		}
		if f.Message == "" {
			f.Message = e.Message
		}
		if f.Message == "" && e.ExceptionType != "" {
			f.Message = e.ExceptionType
		}
		if f.Message != "" || f.Code != "" {
			return f
		}
	}
	var text string
	if json.Unmarshal(body, &text) == nil && text != "" {
		return fault{Message: text}
	}
	if len(body) > 0 && body[0] == '<' {
		if m := htmlTitle.FindSubmatch(body); m != nil {
			return fault{Message: strings.TrimSpace(string(m[1]))}
		}
		return fault{Message: http.StatusText(status)}
	}
	if len(body) == 0 || body[0] == '{' || body[0] == '[' { // JSON of no known shape
		return fault{Message: http.StatusText(status)}
	}
	return fault{Message: string(body)}
}

// String is the fault as a result message.
func (f fault) String() string {
	if f.Code != "" {
		return fmt.Sprintf("%s: %s", f.Code, f.Message)
	}
	return f.Message
}
