// Package superoffice carries a Therefore out-of-office change to
// SuperOffice as the user presence status of the user's associate.
//
// The flow relies on these facts from ../shared/reference/vendors.md
// (SuperOffice) and superoffice-put-user-presence-status.txt:
//   - base_url is the tenant's WebAPI root, already ending in /api/v1:
//     onsite https://<host>/<site>/api/v1, Online
//     https://<sod|stage|online>.superoffice.com/<CustNNNNN>/api/v1;
//   - auth is Basic (onsite), "SOTicket <ticket>", or "Bearer <token>"
//     plus the SO-AppToken header (Online, server to server). All three
//     are static credentials: there is no login call, so nothing to
//     refresh, and a 401 is reported rather than retried;
//   - the associate id comes first from the directory
//     (Account.ID("superoffice")), else from GET /User/{userName}, whose
//     answer carries AssociateId; the adapter caches it (cache_ttl), as an
//     associate keeps its id;
//   - PUT /User/{associateId}/UserPresenceStatus with {"Status": <name of
//     the UserStatus enum>, "Message": ...}: out of office is
//     StatusNotAvailable with a message, back is StatusNormal; both are
//     configurable by name;
//   - errors are {"Error": true, "ErrorType", "ErrorMessage",
//     "ErrorSource"}, which becomes the result's message;
//   - the rate limit is unconfirmed (about 10 requests/s per tenant, 429):
//     a 429 is Retryable with its Retry-After as RetryAfter.
//
// SuperOffice has no delegates (they are ignored), and nothing in it
// corresponds to SavePortalUser. A user group is expanded through the
// directory and each member is set.
package superoffice

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// name is the vendor's name in the configuration and in the directory's
// vendor ids.
const name = "superoffice"

// Auth modes (the auth field).
const (
	AuthBasic    = "basic"
	AuthSOTicket = "soticket"
	AuthBearer   = "bearer"
)

// userStatuses is SuperOffice's UserStatus enum; the API takes the name.
var userStatuses = map[string]int{
	"StatusNone": 0, "StatusNormal": 1, "StatusNotAvailable": 2, "StatusDeleted": 3,
	"StatusReadOnly": 4, "StatusSpm": 5, "StatusSystem": 127,
}

const statusNames = "StatusNone, StatusNormal, StatusNotAvailable, StatusDeleted, StatusReadOnly, StatusSpm, StatusSystem"

// Config is the SuperOffice vendor's configuration.
type Config struct {
	vendorkit.Common  `yaml:",inline"` // timeout: default 10s
	vendorkit.Caching `yaml:",inline"` // cache_ttl of associate ids: default 10m
	// BaseURL is the WebAPI root, ending in /api/v1.
	BaseURL string `yaml:"base_url"`
	// Auth is basic, soticket or bearer; only that mode's fields are set.
	Auth     string        `yaml:"auth"`
	User     string        `yaml:"user"`      // basic
	Password config.Secret `yaml:"password"`  // basic
	Ticket   config.Secret `yaml:"ticket"`    // soticket
	Token    config.Secret `yaml:"token"`     // bearer
	AppToken config.Secret `yaml:"app_token"` // bearer: SO-AppToken, the partner app
	// RequestTimeout is timeout's old name, still read.
	RequestTimeout config.Duration `yaml:"request_timeout"`
	// AwayStatus and AwayMessage are set when out of office is turned on
	// (defaults StatusNotAvailable and "{{.Name}} is out of the office
	// (since {{.Date}})"); BackStatus and BackMessage when it is turned off
	// (defaults StatusNormal and no message). Messages are templates over
	// vendorkit.TextData.
	AwayStatus  string `yaml:"away_status"`
	AwayMessage string `yaml:"away_message"`
	BackStatus  string `yaml:"back_status"`
	BackMessage string `yaml:"back_message"`
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	vendorkit.Move(c.RequestTimeout, &c.Timeout)
	c.DefaultTimeout(10 * time.Second)
	c.DefaultCacheTTL(10 * time.Minute)
	if c.AwayStatus == "" {
		c.AwayStatus = "StatusNotAvailable"
	}
	if c.AwayMessage == "" {
		c.AwayMessage = "{{.Name}} is out of the office (since {{.Date}})"
	}
	if c.BackStatus == "" {
		c.BackStatus = "StatusNormal"
	}
}

// renamedTimeout is the timeout's old key.
var renamedTimeout = vendorkit.Rename{Old: "request_timeout", New: "timeout"}

// Renamed implements vendorkit.Renamed.
func (c *Config) Renamed() []vendorkit.Rename {
	if c.RequestTimeout != 0 {
		return []vendorkit.Rename{renamedTimeout}
	}
	return nil
}

// Check validates c; errors name the yaml field.
func (c *Config) Check() error {
	u, err := vendorkit.CheckURL("base_url", c.BaseURL)
	if err != nil {
		return err
	}
	if u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("base_url: must be an absolute http(s) URL without user info or query, got %q", c.BaseURL)
	}
	if !strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v1") {
		return fmt.Errorf("base_url: must end in /api/v1 (e.g. https://host/site/api/v1), got %q", c.BaseURL)
	}
	if err := c.checkAuth(); err != nil {
		return err
	}
	if err := vendorkit.CheckMove(renamedTimeout, c.RequestTimeout, c.Timeout); err != nil {
		return err
	}
	if err := c.CheckCommon(); err != nil {
		return err
	}
	if err := c.CheckCaching(); err != nil {
		return err
	}
	for _, f := range []struct{ field, v string }{{"away_status", c.AwayStatus}, {"back_status", c.BackStatus}} {
		if _, ok := userStatuses[f.v]; !ok {
			return fmt.Errorf("%s: %q is not a SuperOffice UserStatus; use one of %s", f.field, f.v, statusNames)
		}
	}
	for _, f := range []struct{ field, v string }{{"away_message", c.AwayMessage}, {"back_message", c.BackMessage}} {
		if _, err := vendorkit.ParseTemplate(f.field, f.v); err != nil {
			return err
		}
	}
	return nil
}

// checkAuth requires exactly the chosen mode's credentials, so that a
// half-edited config (say, a ticket left behind after moving to bearer)
// is caught at start-up rather than silently ignored.
func (c *Config) checkAuth() error {
	var need map[string]bool
	switch c.Auth {
	case AuthBasic:
		need = map[string]bool{"user": true, "password": true}
	case AuthSOTicket:
		need = map[string]bool{"ticket": true}
	case AuthBearer:
		need = map[string]bool{"token": true, "app_token": true}
	default:
		return fmt.Errorf("auth: must be %s, %s or %s, got %q", AuthBasic, AuthSOTicket, AuthBearer, c.Auth)
	}
	for _, f := range []struct {
		field string
		set   bool
	}{{"user", c.User != ""}, {"password", c.Password.IsSet()}, {"ticket", c.Ticket.IsSet()},
		{"token", c.Token.IsSet()}, {"app_token", c.AppToken.IsSet()}} {
		switch {
		case need[f.field] && !f.set:
			return fmt.Errorf("%s: required with auth: %s", f.field, c.Auth)
		case !need[f.field] && f.set:
			return fmt.Errorf("%s: not used with auth: %s; remove it", f.field, c.Auth)
		}
	}
	if strings.Contains(c.User, ":") {
		return fmt.Errorf("user: must not contain ':' (Basic auth separates user and password with it)")
	}
	return nil
}

// Adapter is the SuperOffice vendor.
type Adapter struct {
	base    string // base_url without a trailing slash
	auth    string // the auth mode, for messages
	headers map[string]string
	secrets []string // scrubbed from every message
	away    presence
	back    presence
	timeout time.Duration
	d       vendorkit.Deps
	ids     *vendorkit.Lookups[int32] // associate ids by lower-case user name
}

// presence is what one side of the switch sets.
type presence struct {
	status  string
	message vendorkit.Template
}

// New returns an Adapter for a checked c.
func New(c Config, d vendorkit.Deps) (*Adapter, error) {
	d = d.WithDefaults()
	awayMsg, err := vendorkit.ParseTemplate("away_message", c.AwayMessage)
	if err != nil {
		return nil, err
	}
	backMsg, err := vendorkit.ParseTemplate("back_message", c.BackMessage)
	if err != nil {
		return nil, err
	}
	a := &Adapter{base: strings.TrimSuffix(c.BaseURL, "/"), auth: c.Auth, headers: map[string]string{},
		away: presence{c.AwayStatus, awayMsg}, back: presence{c.BackStatus, backMsg},
		timeout: c.Timeout.D(), d: d, ids: vendorkit.NewLookups[int32](c.CacheTTL.D(), d.Now)}
	switch c.Auth {
	case AuthBasic:
		basic := base64.StdEncoding.EncodeToString([]byte(c.User + ":" + c.Password.Value()))
		a.headers["Authorization"] = "Basic " + basic
		// The encoded form is a secret too: a vendor echoing the header
		// must not leak it through a message.
		a.secrets = []string{c.Password.Value(), basic}
	case AuthSOTicket:
		a.headers["Authorization"] = "SOTicket " + c.Ticket.Value()
		a.secrets = []string{c.Ticket.Value()}
	case AuthBearer:
		a.headers["Authorization"] = "Bearer " + c.Token.Value()
		a.headers["SO-AppToken"] = c.AppToken.Value()
		a.secrets = []string{c.Token.Value(), c.AppToken.Value()}
	default:
		return nil, fmt.Errorf("auth: must be %s, %s or %s, got %q", AuthBasic, AuthSOTicket, AuthBearer, c.Auth)
	}
	return a, nil
}

// Name implements fanout.Vendor.
func (a *Adapter) Name() string { return name }
