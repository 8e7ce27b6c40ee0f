// Package thereforerest forwards both operations to Therefore's own JSON
// REST twin of the SOAP service, unchanged: the Therefore server behind it
// applies its own rules, so this adapter maps no users and reads no intent.
//
// Flow of one Deliver: encode the generated *Params as the REST body, POST
// it once to <base_url>/theservice/v0001/restun/<Op>, and classify the
// answer. Facts from vendors.md (Therefore section) it relies on:
//   - `POST .../theservice/v0001/restun/<Op>`, `Content-Type:
//     application/json`, body = the OpParams object itself (no `parameters`
//     wrapper), PascalCase member names (the generated JSON names);
//   - `Authorization: Basic` or `Bearer`, plus `UseToken: 1` when the Basic
//     password is a connection token;
//   - the tenant header `TenantName` on every call to Therefore Online,
//     whose absence is a 500 "Tenant name is required"; `The-Timezone-IANA`
//     decides what `TimeZone: ServerLocal` conditions mean;
//   - the official REST sample serializes enums as integers and dates as
//     "/Date(<ms since epoch>)/" in UTC: the defaults here follow the
//     sample (enum_style: numbers, date_style: wcf); names and ISO dates
//     are options for servers that read them (unconfirmed);
//   - both responses are empty;
//   - `User` nil on SaveOutOfOfficeInfoForUser means the connected user:
//     it is forwarded nil, so it is the account configured here that
//     Therefore sees as connected.
//
// Errors come back as JSON faults ({"WSError": {...}}, WCF's {"Message":
// ...}) or text, read defensively into the result message. Therefore
// reports application errors (an unknown user, a bad argument) as 500
// WSErrors; the error codes in permanent_error_codes make those permanent
// instead of retried (unconfirmed list, hence configurable).
package thereforerest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Name is the vendor's name in the configuration and in results.
const Name = "therefore"

// restPath is where the REST twin lives under the server's base URL.
const restPath = "/theservice/v0001/restun/"

// Config is the Therefore REST vendor's configuration.
type Config struct {
	vendorkit.Common `yaml:",inline"` // timeout: default 30s
	// BaseURL is the server, e.g. https://acme.thereforeonline.com or
	// https://therefore.corp.example; restPath is appended.
	BaseURL string `yaml:"base_url"`
	// User and Password are HTTP Basic credentials; Token is a Bearer
	// token instead. UseToken sends `UseToken: 1`: the Password is a
	// connection token, not the user's password.
	User     config.Secret `yaml:"user"`
	Password config.Secret `yaml:"password"`
	Token    config.Secret `yaml:"token"`
	UseToken bool          `yaml:"use_token"`
	// Tenant goes in the TenantHeader header (default TenantName) on every
	// call; Therefore Online requires it, on-premises servers do not.
	Tenant       string `yaml:"tenant"`
	TenantHeader string `yaml:"tenant_header"`
	// TimezoneIANA, when set, is sent as The-Timezone-IANA: the zone of
	// conditions with TimeZone ServerLocal.
	TimezoneIANA string `yaml:"timezone_iana"`
	// EnumStyle is numbers (default, as the official sample) or names;
	// DateStyle is wcf (default, "/Date(ms)/") or iso.
	EnumStyle string `yaml:"enum_style"`
	DateStyle string `yaml:"date_style"`
	// PermanentErrorCodes are WSError codes (ErrorCodeString) that are
	// never worth retrying although Therefore sends them with a 500.
	PermanentErrorCodes []string `yaml:"permanent_error_codes"`
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.TenantHeader == "" {
		c.TenantHeader = "TenantName"
	}
	if c.EnumStyle == "" {
		c.EnumStyle = EnumNumbers
	}
	if c.DateStyle == "" {
		c.DateStyle = DateWCF
	}
	c.DefaultTimeout(30 * time.Second)
	if c.PermanentErrorCodes == nil {
		c.PermanentErrorCodes = []string{"ObjectNotFound", "AccessDenied", "InvalidArgument"}
	}
}

var (
	headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	ianaZone   = regexp.MustCompile(`^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$`)
)

// Check validates c; errors name the YAML field.
func (c *Config) Check() error {
	u, err := vendorkit.CheckURL("base_url", c.BaseURL)
	if err != nil {
		return err
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("base_url: must hold no credentials, query or fragment")
	}
	basic := c.User.IsSet() || c.Password.IsSet()
	switch {
	case basic && c.Token.IsSet():
		return errors.New("token: use either user and password (Basic) or token (Bearer), not both")
	case !basic && !c.Token.IsSet():
		return errors.New("user: set user and password (Basic) or token (Bearer)")
	case basic && !c.User.IsSet():
		return errors.New("user: required with password")
	case basic && !c.Password.IsSet():
		return errors.New("password: required with user")
	case c.UseToken && !basic:
		return errors.New("use_token: needs user and password (the password is the connection token)")
	case strings.Contains(c.User.Value(), ":"):
		return errors.New("user: must not contain ':' (HTTP Basic)")
	}
	if !headerName.MatchString(c.TenantHeader) {
		return fmt.Errorf("tenant_header: %q is not an HTTP header name", c.TenantHeader)
	}
	if strings.ContainsFunc(c.Tenant, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return errors.New("tenant: must not contain control characters")
	}
	if c.TimezoneIANA != "" && !ianaZone.MatchString(c.TimezoneIANA) {
		return fmt.Errorf("timezone_iana: %q is not an IANA zone name such as Europe/Berlin", c.TimezoneIANA)
	}
	if c.EnumStyle != EnumNumbers && c.EnumStyle != EnumNames {
		return fmt.Errorf("enum_style: must be %s or %s, got %q", EnumNumbers, EnumNames, c.EnumStyle)
	}
	if c.DateStyle != DateWCF && c.DateStyle != DateISO {
		return fmt.Errorf("date_style: must be %s or %s, got %q", DateWCF, DateISO, c.DateStyle)
	}
	if err := c.CheckCommon(); err != nil {
		return err
	}
	if slices.Contains(c.PermanentErrorCodes, "") {
		return errors.New("permanent_error_codes: must not hold an empty code")
	}
	return nil
}

// Adapter is the Therefore REST vendor.
type Adapter struct {
	c         Config
	base      string
	authz     string // the Authorization header value
	enc       encoder
	permanent map[string]bool
	secrets   []string
	d         vendorkit.Deps
}

// New returns an Adapter for c.
func New(c Config, d vendorkit.Deps) (*Adapter, error) {
	c.Defaults()
	if err := c.Check(); err != nil {
		return nil, err
	}
	a := &Adapter{
		c:         c,
		base:      strings.TrimRight(c.BaseURL, "/") + restPath,
		enc:       encoder{enumNames: c.EnumStyle == EnumNames, isoDates: c.DateStyle == DateISO},
		permanent: map[string]bool{},
		d:         d.WithDefaults(),
	}
	if c.Token.IsSet() {
		a.authz = "Bearer " + c.Token.Value()
		a.secrets = []string{c.Token.Value()}
	} else {
		cred := base64.StdEncoding.EncodeToString([]byte(c.User.Value() + ":" + c.Password.Value()))
		a.authz = "Basic " + cred
		a.secrets = []string{c.Password.Value(), cred}
	}
	for _, code := range c.PermanentErrorCodes {
		a.permanent[code] = true
	}
	return a, nil
}

// Name implements fanout.Vendor.
func (a *Adapter) Name() string { return Name }

// Spec implements fanout.Vendor: Therefore's REST twin takes both
// operations, as state per person (out of office) and per portal user.
func (a *Adapter) Spec() fanout.Spec {
	return fanout.Spec{Operations: fanout.Operations, Key: fanout.ByPerson}
}

// Deliver implements fanout.Vendor: one POST of the call's parameters.
func (a *Adapter) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	var params any
	switch call.Operation {
	case fanout.SaveOutOfOfficeInfoForUser:
		p, ok := call.Params.(*generated.SaveOutOfOfficeInfoForUserParams)
		if !ok || p == nil {
			return fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("%s parameters are %T, not *generated.SaveOutOfOfficeInfoForUserParams", call.Operation, call.Params)}
		}
		params = p
	case fanout.SavePortalUser:
		p, ok := call.Params.(*generated.SavePortalUserParams)
		if !ok || p == nil {
			return fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("%s parameters are %T, not *generated.SavePortalUserParams", call.Operation, call.Params)}
		}
		params = p
	default:
		return fanout.Result{Status: fanout.Permanent, Message: "unexpected operation " + call.Operation}
	}
	// The parameters' JSON, when the engine has it, is as long as the
	// body give or take: ArrayOf wrappers and enum names shrink, dates
	// grow a little.
	body, err := a.enc.encodeSized(params, len(call.ParamsJSON)+len(call.ParamsJSON)/8)
	if err != nil {
		return fanout.Result{Status: fanout.Permanent, Message: "cannot encode the call as Therefore REST JSON: " + err.Error()}
	}
	return a.post(ctx, call.Operation, body)
}

func (a *Adapter) post(ctx context.Context, op string, body []byte) fanout.Result {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("Authorization", a.authz)
	if a.c.UseToken {
		h.Set("UseToken", "1")
	}
	if a.c.Tenant != "" {
		h.Set(a.c.TenantHeader, a.c.Tenant)
	}
	if a.c.TimezoneIANA != "" {
		h.Set("The-Timezone-IANA", a.c.TimezoneIANA)
	}
	post := vendorkit.Post{URL: a.base + op, Body: body, Header: h, Timeout: a.c.Timeout.D(), Secrets: a.secrets, Describe: a.describe}
	return post.Do(ctx, a.d)
}

// describe reads Therefore's error answer; the configured error codes and
// a missing tenant are permanent although Therefore sends them as 500s.
func (a *Adapter) describe(status int, body []byte) (string, bool) {
	f := parseFault(status, body)
	return f.String(), a.permanent[f.Code] || strings.Contains(f.Message, tenantRequired)
}
