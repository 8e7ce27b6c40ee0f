package superoffice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// send makes one request to base_url+path (body, when not nil, as JSON)
// and returns the answer with its body read, bounded by request_timeout.
func (a *Adapter) send(ctx context.Context, method, path string, body any) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, fmt.Errorf("encoding the %s %s body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	for k, v := range a.headers {
		req.Header.Set(k, v)
	}
	resp, err := a.d.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	return resp, vendorkit.ReadBody(resp), nil
}

// soError is SuperOffice's error answer.
type soError struct {
	Error        bool   `json:"Error"`
	ErrorType    string `json:"ErrorType"`
	ErrorMessage string `json:"ErrorMessage"`
	ErrorSource  string `json:"ErrorSource"`
}

// describe turns an error answer into text: SuperOffice's error fields
// when the body has them, else the body itself, else the status text.
func describe(status int, body []byte) string {
	var e soError
	if json.Unmarshal(body, &e) == nil && (e.ErrorType != "" || e.ErrorMessage != "") {
		var parts []string
		for _, p := range []string{e.ErrorType, e.ErrorMessage} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		s := strings.Join(parts, ": ")
		if e.ErrorSource != "" {
			s += " (source: " + e.ErrorSource + ")"
		}
		return s
	}
	if t := strings.TrimSpace(string(body)); t != "" {
		return vendorkit.Truncate(t, 200)
	}
	return http.StatusText(status)
}

// failure is the result of a non-2xx answer to what (e.g. "setting the
// presence of CORP\jdoe (associate 17)").
func (a *Adapter) failure(resp *http.Response, body []byte, what string) fanout.Result {
	msg := fmt.Sprintf("%s: HTTP %d: %s", what, resp.StatusCode, describe(resp.StatusCode, body))
	if resp.StatusCode == http.StatusUnauthorized {
		// Static credentials: nothing to refresh, the operator must act.
		msg = fmt.Sprintf("%s: SuperOffice rejected the %s credentials (HTTP 401): %s", what, a.auth, describe(resp.StatusCode, body))
	}
	return vendorkit.Failure(resp, vendorkit.Scrub(msg, a.secrets...), a.d.Now())
}

// transportFailure is the result of a request that got no answer.
func (a *Adapter) transportFailure(err error, what string) fanout.Result {
	res := vendorkit.FromError(err, a.secrets...)
	res.Message = what + ": " + res.Message
	return res
}
