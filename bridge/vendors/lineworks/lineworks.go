// Package lineworks carries out-of-office to LINE WORKS 2.0 as the member's
// status (user-profile-statuses), relying on these facts of vendors.md and
// the POST user-profile-statuses page:
//
//   - Auth is OAuth 2.0 with a service account: POST token_url with the form
//     assertion, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer,
//     client_id, client_secret and scope; the assertion is an RS256 JWT
//     signed with the app's private key (iss = client id, sub = service
//     account, exp at most 60 minutes after iat), signed here with the
//     standard library. The answer's expires_in is a string of seconds.
//     The token is cached and renewed refresh_margin before it expires;
//     concurrent calls share one token request; a 401 from the API drops
//     the token and the request is sent once more with a new one.
//   - API calls go to base_url with Authorization: Bearer <token>. The
//     userId in paths may be the member id, the e-mail or
//     externalKey:<key> (URL-encoded): the identity mapping's "lineworks"
//     id is used, else the directory's e-mail, so no lookup call is needed.
//   - A member has at most one PRESENT and one RESERVED status, and POST is
//     the one call that is not idempotent. So out of office on lists the
//     member's statuses first, then updates (PUT) the status the bridge made
//     (its statusMessage starts with marker), or the member's own PRESENT
//     status, or else creates one (POST): a retry never makes a second one.
//     Out of office off deletes the bridge's status (404: already gone).
//     Calls for one member are serialised so that two at once cannot both
//     create.
//   - Errors are {"code","description"}; 429 carries rateLimit-reset (no
//     Retry-After), which becomes the result's RetryAfter.
//
// LINE WORKS has no delegates and no portal users: those parts of a call
// are not applicable. A Therefore user group is expanded to its members,
// since a status belongs to one member.
package lineworks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// Config is the lineworks vendor's configuration.
type Config struct {
	vendorkit.Common `yaml:",inline"` // timeout: default 15s
	// BaseURL is the API; default https://www.worksapis.com/v1.0.
	BaseURL string `yaml:"base_url"`
	// TokenURL is the token endpoint; default
	// https://auth.worksmobile.com/oauth2/v2.0/token.
	TokenURL string `yaml:"token_url"`
	// ClientID, ClientSecret, ServiceAccount and PrivateKey (PEM) are the
	// app's, from the Developer Console.
	ClientID       string        `yaml:"client_id"`
	ClientSecret   config.Secret `yaml:"client_secret"`
	ServiceAccount string        `yaml:"service_account"`
	PrivateKey     config.Secret `yaml:"private_key"`
	// Scope of the token; default "user" (the statuses need user or
	// directory).
	Scope string `yaml:"scope"`
	// AssertionLifetime is exp - iat of the JWT; default and maximum 60m.
	AssertionLifetime config.Duration `yaml:"assertion_lifetime"`
	// RefreshMargin renews a token this long before it expires; default 5m.
	RefreshMargin config.Duration `yaml:"refresh_margin"`
	// StatusType is the profileStatusId set while out of office (one the
	// domain uses); default ABSENCE.
	StatusType string `yaml:"status_type"`
	// Marker starts the message of every status the bridge sets, which is
	// how it finds its own status again; default "[OOF]".
	Marker string `yaml:"marker"`
	// StatusMessage is a template (vendorkit.TextData) written after the
	// marker; default "{{.Name}} is out of the office". The whole message
	// is cut to the 50 characters LINE WORKS allows.
	StatusMessage string `yaml:"status_message"`
	// AutoReplyInternal and AutoReplyExternal are templates of automatic
	// mail replies (at most 300 characters); empty: no reply is set.
	AutoReplyInternal string `yaml:"auto_reply_internal"`
	AutoReplyExternal string `yaml:"auto_reply_external"`
}

// profileStatusIDs are the values the page allows.
var profileStatusIDs = []string{"BUSY", "AWAY", "LEAVE_OFFICE", "ABSENCE",
	"CUSTOM01", "CUSTOM02", "CUSTOM03", "CUSTOM04", "CUSTOM05", "CUSTOM06",
	"CUSTOM07", "CUSTOM08", "CUSTOM09", "CUSTOM10", "CUSTOM11", "CUSTOM12"}

// Limits of the page.
const (
	maxStatusMessage = 50
	maxAutoReply     = 300
	maxMarker        = 20
)

// Defaults fills unset fields.
func (c *Config) Defaults() {
	set := func(p *string, v string) {
		if strings.TrimSpace(*p) == "" {
			*p = v
		}
	}
	set(&c.BaseURL, "https://www.worksapis.com/v1.0")
	set(&c.TokenURL, "https://auth.worksmobile.com/oauth2/v2.0/token")
	set(&c.Scope, "user")
	set(&c.StatusType, "ABSENCE")
	set(&c.Marker, "[OOF]")
	set(&c.StatusMessage, "{{.Name}} is out of the office")
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.AssertionLifetime == 0 {
		c.AssertionLifetime = config.Duration(time.Hour)
	}
	if c.RefreshMargin == 0 {
		c.RefreshMargin = config.Duration(5 * time.Minute)
	}
	c.DefaultTimeout(15 * time.Second)
}

// Check validates c; errors name the yaml field.
func (c *Config) Check() error {
	for _, u := range []struct{ field, v string }{{"base_url", c.BaseURL}, {"token_url", c.TokenURL}} {
		if _, err := vendorkit.CheckURL(u.field, u.v); err != nil {
			return err
		}
	}
	switch {
	case c.ClientID == "":
		return fmt.Errorf("client_id: required (the app's Client ID)")
	case !c.ClientSecret.IsSet():
		return fmt.Errorf("client_secret: required (env:NAME or file:/path)")
	case c.ServiceAccount == "":
		return fmt.Errorf("service_account: required (the app's service account id)")
	case !c.PrivateKey.IsSet():
		return fmt.Errorf("private_key: required (the app's PEM private key, file:/path)")
	case strings.TrimSpace(c.Scope) == "":
		return fmt.Errorf("scope: required")
	case c.AssertionLifetime.D() < time.Second || c.AssertionLifetime.D() > time.Hour:
		return fmt.Errorf("assertion_lifetime: must be between 1s and 60m (LINE WORKS refuses longer), got %v", c.AssertionLifetime.D())
	case c.RefreshMargin < 0:
		return fmt.Errorf("refresh_margin: must not be negative, got %v", c.RefreshMargin.D())
	}
	if err := c.CheckCommon(); err != nil {
		return err
	}
	switch {
	case !contains(profileStatusIDs, c.StatusType):
		return fmt.Errorf("status_type: must be one of %s, got %q", strings.Join(profileStatusIDs, ", "), c.StatusType)
	case utf8.RuneCountInString(c.Marker) > maxMarker || strings.Contains(c.Marker, "{{"):
		return fmt.Errorf("marker: must be plain text of at most %d characters, got %q", maxMarker, c.Marker)
	}
	if _, err := parsePrivateKey(c.PrivateKey.Value()); err != nil {
		return fmt.Errorf("private_key: %v", err)
	}
	for _, t := range [][2]string{{"status_message", c.StatusMessage},
		{"auto_reply_internal", c.AutoReplyInternal}, {"auto_reply_external", c.AutoReplyExternal}} {
		if _, err := vendorkit.ParseTemplate(t[0], t[1]); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Adapter is the LINE WORKS vendor.
type Adapter struct {
	c      Config
	log    *slog.Logger
	dir    identity.Directory
	http   *http.Client
	now    func() time.Time
	tokens *tokens
	locks  locks
	marker string

	message, replyInternal, replyExternal vendorkit.Template
}

// New returns an Adapter for c (defaulted and checked here too).
func New(c Config, d vendorkit.Deps) (*Adapter, error) {
	d = d.WithDefaults()
	c.Defaults()
	if err := c.Check(); err != nil {
		return nil, err
	}
	key, err := parsePrivateKey(c.PrivateKey.Value())
	if err != nil {
		return nil, fmt.Errorf("private_key: %v", err)
	}
	a := &Adapter{c: c, log: d.Log, dir: d.Directory, http: d.HTTP, now: d.Now,
		locks: locks{m: map[string]*memberLock{}}, marker: c.Marker}
	a.tokens = &tokens{c: &a.c, key: key, http: d.HTTP, now: d.Now}
	for _, t := range []struct {
		field, text string
		into        *vendorkit.Template
	}{{"status_message", c.StatusMessage, &a.message}, {"auto_reply_internal", c.AutoReplyInternal, &a.replyInternal},
		{"auto_reply_external", c.AutoReplyExternal, &a.replyExternal}} {
		if *t.into, err = vendorkit.ParseTemplate(t.field, t.text); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Name implements fanout.Vendor.
func (a *Adapter) Name() string { return "lineworks" }

// Spec implements fanout.Vendor: a user status follows out of office, per
// person.
func (a *Adapter) Spec() fanout.Spec {
	return fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson}
}

// Deliver implements fanout.Vendor: one attempt (plus one token renewal on
// 401); the engine retries what is Retryable.
func (a *Adapter) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	o := call.OutOfOffice
	if o == nil {
		return fanout.Result{Status: fanout.Permanent, Message: "the call carries no out-of-office request"}
	}
	if o.Enabled == nil { // delegates alone: not a LINE WORKS concept
		return fanout.Result{Status: fanout.OK, Message: "nothing to change: IsOutOfOfficeEnabled is not set"}
	}
	return a.deliverUser(ctx, call.RequestID, o.User, *o.Enabled)
}

// deliverUser sets or clears one member's status.
func (a *Adapter) deliverUser(ctx context.Context, requestID string, u intent.User, on bool) fanout.Result {
	acct, ok := a.dir.Lookup(u)
	id := acct.ID("lineworks")
	if id == "" {
		id = acct.Email
	}
	if !ok || id == "" {
		return fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("%s is not mapped to a lineworks user", u)}
	}
	m := member{id: id, label: fmt.Sprintf("%s (%s)", u, id)}
	unlock, err := a.locks.lock(ctx, strings.ToLower(id))
	if err != nil {
		return vendorkit.FromError(err)
	}
	defer unlock()
	var res fanout.Result
	if on {
		res = a.setOn(ctx, m, a.body(vendorkit.NewTextData(u, acct, a.now(), true)))
	} else {
		res = a.setOff(ctx, m)
	}
	a.log.LogAttrs(ctx, slog.LevelDebug, "lineworks status", slog.String("vendor", "lineworks"),
		slog.String("request_id", requestID), slog.String("user", m.label), slog.Bool("out_of_office", on),
		slog.String("outcome", res.Status.String()), slog.Int("vendor_http_status", res.VendorStatus), slog.String("message", res.Message))
	return res
}

// body renders the status the bridge sets.
func (a *Adapter) body(d vendorkit.TextData) statusBody {
	msg := a.marker
	if text := strings.TrimSpace(a.message.Render(d)); text != "" {
		msg += " " + text
	}
	b := statusBody{ProfileStatusID: a.c.StatusType, StatusMessage: cut(msg, maxStatusMessage)}
	in, ex := strings.TrimSpace(a.replyInternal.Render(d)), strings.TrimSpace(a.replyExternal.Render(d))
	if in != "" || ex != "" {
		b.AutoReplyMail = &autoReplyMail{}
		if in != "" {
			b.AutoReplyMail.Internal = &autoReply{Content: cut(in, maxAutoReply)}
		}
		if ex != "" {
			b.AutoReplyMail.External = &autoReply{Content: cut(ex, maxAutoReply)}
		}
	}
	return b
}

// cut shortens s to n characters (not bytes: the limits count characters).
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// secrets are what no message may carry.
func (a *Adapter) secrets(extra ...string) []string {
	return append([]string{a.c.ClientSecret.Value(), a.c.PrivateKey.Value(), a.tokens.current()}, extra...)
}
