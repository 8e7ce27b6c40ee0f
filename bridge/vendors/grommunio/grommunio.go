// Package grommunio carries SaveOutOfOfficeInfoForUser to grommunio's admin
// API: it switches the user's out-of-office reply on or off and sets the
// user's delegates ("send on behalf"). It declares only that operation:
// SavePortalUser means nothing to grommunio.
//
// The flow, and the facts of vendors.md it relies on:
//   - Log in with POST /api/v1/login (form fields user and pass), which
//     answers {"grommunioAuthJwt", "csrf"} and sets no cookie: every call
//     sends `Cookie: grommunioAuthJwt=<jwt>` itself, and every non-GET call
//     also `X-Csrf-Token: base64(SHA3-256(jwt))`. A JWT lives about 7 days,
//     so it is kept and shared by all calls; a 401 means log in again (once
//     per call, and one login at a time however many calls are waiting).
//   - The user's ids come from the directory (vendors.grommunio =
//     "<domainID>/<userID>") or are looked up by e-mail address:
//     GET /api/v1/domains for the domain of the address, then
//     GET /api/v1/domains/{domainID}/users?username=<e-mail>; lookups are
//     cached for lookup_ttl.
//   - Out of office: PUT .../oof resets every field it is not sent, so the
//     adapter GETs the current state and PUTs it back whole with `state`
//     (1 on, 0 off) and, when switching on, the configured texts.
//   - Delegates: GET .../delegates is the list of e-mail addresses; an
//     addition or removal is applied to it and PUT back whole. A
//     replacement (DelegateUsers) is PUT without a GET: PUT replaces.
//   - A 200 can carry an error (an invalid delegate address is answered 200
//     with a message), so a write succeeds only when its message is one of
//     success_messages.
//
// Each Deliver makes one attempt; the engine retries what is Retryable.
package grommunio

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// vendorName is the adapter's name and its key in directory ids.
const vendorName = "grommunio"

// Config is the grommunio vendor's configuration.
type Config struct {
	vendorkit.Common  `yaml:",inline"` // timeout: default 10s
	vendorkit.Caching `yaml:",inline"` // cache_ttl of domain and user ids: default 10m
	// BaseURL is the API root, e.g. https://mail.example.com:8443/api/v1.
	BaseURL string `yaml:"base_url"`
	// User and Password are an admin API login with domain admin rights
	// on the users' domains.
	User     config.Secret `yaml:"user"`
	Password config.Secret `yaml:"password"`
	// LookupTTL is cache_ttl's old name, still read.
	LookupTTL config.Duration `yaml:"lookup_ttl"`
	// The out-of-office texts set when switching on; Go templates over
	// vendorkit.TextData ({{.Name}}, {{.Email}}, {{.Date}}, ...).
	InternalSubject string `yaml:"internal_subject"`
	InternalReply   string `yaml:"internal_reply"`
	ExternalSubject string `yaml:"external_subject"`
	ExternalReply   string `yaml:"external_reply"`
	// SuccessMessages are the messages of a 200 that mean success
	// (compared without case and trailing dots); any other message is a
	// failure. Defaults: "Success" (oof) and "Delegates updated".
	SuccessMessages []string `yaml:"success_messages"`
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	vendorkit.Move(c.LookupTTL, &c.CacheTTL)
	c.DefaultTimeout(10 * time.Second)
	c.DefaultCacheTTL(10 * time.Minute)
	if c.InternalSubject == "" {
		c.InternalSubject = "Out of Office"
	}
	if c.InternalReply == "" {
		c.InternalReply = "{{.Name}} is out of the office and will answer your message after returning."
	}
	if c.ExternalSubject == "" {
		c.ExternalSubject = "Out of Office"
	}
	if c.ExternalReply == "" {
		c.ExternalReply = "Thank you for your message. {{.Name}} is out of the office and will answer it after returning."
	}
	if len(c.SuccessMessages) == 0 {
		c.SuccessMessages = []string{"Success", "Delegates updated"}
	}
}

// renamedTTL is the cache TTL's old key.
var renamedTTL = vendorkit.Rename{Old: "lookup_ttl", New: "cache_ttl"}

// Renamed implements vendorkit.Renamed.
func (c *Config) Renamed() []vendorkit.Rename {
	if c.LookupTTL != 0 {
		return []vendorkit.Rename{renamedTTL}
	}
	return nil
}

// Check validates c.
func (c *Config) Check() error {
	u, err := vendorkit.CheckURL("base_url", c.BaseURL)
	if err != nil {
		return fmt.Errorf("%w (e.g. https://mail.example.com:8443/api/v1)", err)
	}
	if u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("base_url: must not carry credentials or a query")
	}
	if !c.User.IsSet() {
		return fmt.Errorf("user: required (env:NAME or file:/path)")
	}
	if !c.Password.IsSet() {
		return fmt.Errorf("password: required (env:NAME or file:/path)")
	}
	if err := c.CheckCommon(); err != nil {
		return err
	}
	if err := vendorkit.CheckMove(renamedTTL, c.LookupTTL, c.CacheTTL); err != nil {
		return err
	}
	if err := c.CheckCaching(); err != nil {
		return err
	}
	_, err = c.templates()
	return err
}

// texts are the parsed out-of-office templates.
type texts struct{ internalSubject, internalReply, externalSubject, externalReply vendorkit.Template }

func (c *Config) templates() (texts, error) {
	var t texts
	for _, f := range []struct {
		field, text string
		into        *vendorkit.Template
	}{
		{"internal_subject", c.InternalSubject, &t.internalSubject},
		{"internal_reply", c.InternalReply, &t.internalReply},
		{"external_subject", c.ExternalSubject, &t.externalSubject},
		{"external_reply", c.ExternalReply, &t.externalReply},
	} {
		tmpl, err := vendorkit.ParseTemplate(f.field, f.text)
		if err != nil {
			return texts{}, err
		}
		*f.into = tmpl
	}
	return t, nil
}

// Adapter is the grommunio vendor.
type Adapter struct {
	c       Config
	d       vendorkit.Deps
	texts   texts
	success map[string]bool
	session session
	users   *vendorkit.Lookups[ids] // by lower-case e-mail
	domains *vendorkit.Lookups[int] // domain ids by lower-case name; -1: none
}

// New returns an Adapter for a Config that passed Defaults and Check.
func New(c Config, d vendorkit.Deps) (*Adapter, error) {
	t, err := c.templates()
	if err != nil {
		return nil, err
	}
	a := &Adapter{c: c, d: d.WithDefaults(), texts: t, success: map[string]bool{}}
	for _, m := range c.SuccessMessages {
		a.success[normalize(m)] = true
	}
	a.users = vendorkit.NewLookups[ids](c.CacheTTL.D(), a.d.Now)
	a.domains = vendorkit.NewLookups[int](c.CacheTTL.D(), a.d.Now)
	return a, nil
}

// Name implements fanout.Vendor.
func (a *Adapter) Name() string { return vendorName }

// Spec implements fanout.Vendor: out of office and delegates, per person.
// Both are read, changed and written back whole, so the engine's one
// delivery at a time per person is what keeps concurrent changes whole.
func (a *Adapter) Spec() fanout.Spec {
	return fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson}
}

// Deliver implements fanout.Vendor.
func (a *Adapter) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	o := call.OutOfOffice
	if o == nil {
		return fanout.Result{Status: fanout.Permanent, Message: "the call carries no out-of-office request"}
	}
	if o.Enabled == nil && o.Delegates == nil {
		return fanout.Result{Status: fanout.OK, Message: "nothing to change"}
	}
	return a.apply(ctx, o.User, o)
}

// normalize is how success messages compare.
func normalize(m string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(m), ".!"))
}
