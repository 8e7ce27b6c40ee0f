// Package webhook is the generic vendor: it POSTs every decoded call, as
// JSON, to one configured URL, signed so that the receiver can trust it.
//
// The body is an Event: {"operation", "request_id", "params", and, for
// SaveOutOfOfficeInfoForUser, "out_of_office"}. params is the operation's
// parameters as the generated types marshal them (PascalCase members, lists
// as their ArrayOf wrappers, enums as names, dates as sent), with UserPwd
// masked unless include_secrets is set; out_of_office is the call with
// Therefore's rules applied (package intent), so a receiver need not know
// them. Headers: Content-Type: application/json, the timestamp header
// (default X-Bridge-Timestamp, unix seconds) and the signature header
// (default X-Bridge-Signature) = Sign(secret, timestamp, body); Verify
// checks both, the timestamp against a replay window.
//
// A 2xx answer is success; other statuses are classified by vendorkit
// (408, 425, 429 and 5xx but 501 retryable), honouring Retry-After. Retries
// are the engine's: each is a new request (new timestamp, new signature)
// with the same request_id, which receivers use to apply an event once.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/redact"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Name is the vendor's name in the configuration and in results.
const Name = "webhook"

// minSecret is the shortest secret accepted: an HMAC key is only as
// strong as it is long.
const minSecret = 16

// Config is the webhook vendor's configuration.
type Config struct {
	vendorkit.Common `yaml:",inline"` // timeout: default 30s
	// URL receives the events, e.g. https://hooks.example.com/therefore.
	URL string `yaml:"url"`
	// Secret signs every request (HMAC-SHA256); at least 16 bytes.
	Secret config.Secret `yaml:"secret"`
	// TimestampHeader and SignatureHeader name the two signing headers.
	TimestampHeader string `yaml:"timestamp_header"`
	SignatureHeader string `yaml:"signature_header"`
	// IncludeSecrets sends SavePortalUser's UserPwd in clear; by default
	// it is masked.
	IncludeSecrets bool `yaml:"include_secrets"`
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.TimestampHeader == "" {
		c.TimestampHeader = "X-Bridge-Timestamp"
	}
	if c.SignatureHeader == "" {
		c.SignatureHeader = "X-Bridge-Signature"
	}
	c.DefaultTimeout(30 * time.Second)
}

var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// Check validates c; errors name the YAML field.
func (c *Config) Check() error {
	u, err := vendorkit.CheckURL("url", c.URL)
	if err != nil {
		return err
	}
	if u.User != nil {
		return errors.New("url: must hold no credentials; the signature authenticates the bridge")
	}
	if len(c.Secret.Value()) < minSecret {
		return fmt.Errorf("secret: required, at least %d bytes", minSecret)
	}
	for _, h := range []struct{ field, name string }{{"timestamp_header", c.TimestampHeader}, {"signature_header", c.SignatureHeader}} {
		if !headerName.MatchString(h.name) {
			return fmt.Errorf("%s: %q is not an HTTP header name", h.field, h.name)
		}
		if strings.EqualFold(h.name, "Content-Type") || strings.EqualFold(h.name, "Content-Length") {
			return fmt.Errorf("%s: %q is used for the body", h.field, h.name)
		}
	}
	if strings.EqualFold(c.TimestampHeader, c.SignatureHeader) {
		return errors.New("signature_header: must differ from timestamp_header")
	}
	if err := c.CheckCommon(); err != nil {
		return err
	}
	return nil
}

// Event is the body of one request.
type Event struct {
	// ID is the change's stable id: a receiver that sees an id twice has
	// seen a redelivery, not a second change.
	ID          string              `json:"id"`
	Operation   string              `json:"operation"`
	RequestID   string              `json:"request_id"`
	Params      json.RawMessage     `json:"params"`
	OutOfOffice *intent.OutOfOffice `json:"out_of_office,omitempty"`
}

// Adapter is the webhook vendor.
type Adapter struct {
	c Config
	d vendorkit.Deps
}

// New returns an Adapter for c.
func New(c Config, d vendorkit.Deps) (*Adapter, error) {
	c.Defaults()
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &Adapter{c: c, d: d.WithDefaults()}, nil
}

// Name implements fanout.Vendor.
func (a *Adapter) Name() string { return Name }

// Spec implements fanout.Vendor: the webhook is an event stream; it receives
// every change of both operations, in order per subject, unfolded.
func (a *Adapter) Spec() fanout.Spec {
	return fanout.Spec{Operations: fanout.Operations, Events: true, Key: fanout.ByCall}
}

// Deliver implements fanout.Vendor: one signed POST of the call, whose
// event id is the change id, so a redelivery carries the same id.
func (a *Adapter) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	if call.ChangeID == "" {
		// Receivers deduplicate by id; an event without one could not be
		// told from its redelivery.
		return fanout.Result{Status: fanout.Permanent, Message: "the call has no change id to send as the event id"}
	}
	body, err := a.body(call)
	if err != nil {
		return fanout.Result{Status: fanout.Permanent, Message: "cannot encode the call as JSON: " + err.Error()}
	}
	ts := strconv.FormatInt(a.d.Now().Unix(), 10)
	h := http.Header{}
	h.Set("User-Agent", "thereforebridge-webhook")
	h.Set(a.c.TimestampHeader, ts)
	h.Set(a.c.SignatureHeader, Sign(a.c.Secret.Value(), ts, body))
	post := vendorkit.Post{URL: a.c.URL, Body: body, Header: h, Timeout: a.c.Timeout.D(), Secrets: []string{a.c.Secret.Value()},
		Describe: func(status int, answer []byte) (string, bool) { return answerMessage(status, answer), false }}
	return post.Do(ctx, a.d)
}

// body encodes the Event of call, UserPwd masked unless configured not to.
func (a *Adapter) body(call *fanout.Call) ([]byte, error) {
	raw := call.ParamsJSON
	if raw == nil {
		var err error
		if raw, err = marshal(call.Params); err != nil {
			return nil, err
		}
	}
	var mask *generated.SavePortalUserParams
	if p, ok := call.Params.(*generated.SavePortalUserParams); ok && !a.c.IncludeSecrets && p != nil && p.PortalUser != nil && p.PortalUser.UserPwd != nil {
		mask = p
	}
	return eventJSON(Event{ID: call.ChangeID, Operation: call.Operation, RequestID: call.RequestID, Params: raw, OutOfOffice: call.OutOfOffice}, mask)
}

// eventJSON is marshal(ev) with ev.Params spliced in as they are (but for
// mask's UserPwd, masked as they are copied, when mask is set):
// encoding/json would read them through again to compact them, megabytes
// for a large SavePortalUser.
func eventJSON(ev Event, mask *generated.SavePortalUserParams) ([]byte, error) {
	params, oof := ev.Params, ev.OutOfOffice
	ev.Params, ev.OutOfOffice = nil, nil
	head, err := marshal(ev) // {"id":...,"request_id":...,"params":null}
	if err != nil {
		return nil, err
	}
	head = bytes.TrimSuffix(head, []byte(`null}`))
	var tail []byte
	if oof != nil {
		if tail, err = marshal(oof); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, len(head)+len(params)+len(redact.Mask)+len(tail)+20)
	b = append(b, head...)
	if mask != nil {
		if b, err = fanout.AppendPortalPasswordJSON(b, mask, params, redact.Mask); err != nil {
			return nil, err
		}
	} else {
		b = append(b, params...)
	}
	if oof != nil {
		b = append(append(b, `,"out_of_office":`...), tail...)
	}
	return append(b, '}'), nil
}

// marshal is json.Marshal without HTML escaping: the body is not HTML.
var marshal = fanout.MarshalJSON

// answerMessage reads a receiver's error answer: the "error" or "message"
// member of a JSON object, else the text.
func answerMessage(status int, body []byte) string {
	var m struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil {
		if s, ok := m.Error.(string); ok && s != "" {
			return s
		}
		if m.Message != "" {
			return m.Message
		}
	}
	if s := strings.TrimSpace(string(body)); s != "" && s[0] != '<' && s[0] != '{' {
		return s
	}
	return http.StatusText(status)
}
