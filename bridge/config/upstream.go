package config

import (
	"net/url"
	"os"
	"regexp"
	"time"
)

// Decode configures how forgiving request decoding is.
type Decode struct {
	// Strict faults on elements the contract does not know. Off by
	// default: like WCF, the bridge skips them (and counts them), so
	// clients generated from another version of the WSDL keep working.
	Strict bool `yaml:"strict"`
}

// Upstream is the Therefore server the bridge stands in front of. With a
// URL, every operation the bridge does not handle itself is passed through
// to it, unchanged and streamed.
type Upstream struct {
	// URL is Therefore's SOAP endpoint, e.g.
	// https://tenant.thereforeonline.com/theservice/v0001/soapun.
	URL string `yaml:"url"`
	// Fake runs the in-process Therefore fake's SOAP face as the upstream
	// (the embedded demo); it sets URL, Auth and Allow itself.
	Fake bool `yaml:"fake"`
	// WSDLURL is where the upstream's WSDL is fetched; default URL?singleWsdl.
	WSDLURL string `yaml:"wsdl_url"`
	// WSDLRefresh is how often the upstream's WSDL is fetched again.
	WSDLRefresh Duration `yaml:"wsdl_refresh"`
	// Timeout bounds one forwarded call, response body included.
	Timeout Duration `yaml:"timeout"`
	// CAFile trusts these CAs (PEM) for the upstream's TLS certificate,
	// in addition to none other: a private CA for an on-premises server.
	CAFile string `yaml:"ca_file"`
	// Auth, when set, replaces the client's Authorization with this
	// service account, only for the operations in Allow.
	Auth UpstreamAuth `yaml:"auth"`
	// Allow, when set, lists the only operations passed through; others
	// get a fault.
	Allow []string `yaml:"allow"`
	// ForwardHandled sends the two handled operations upstream first,
	// synchronously; only after the upstream succeeded does the bridge
	// process them itself.
	ForwardHandled bool `yaml:"forward_handled"`
}

// UpstreamAuth is the service account the bridge calls the upstream as.
type UpstreamAuth struct {
	// Username is the service account's Therefore user name, sent with
	// HTTP Basic instead of the client's credentials.
	Username string `yaml:"username"`
	// Password is the service account's password (env:NAME or file:/path).
	Password Secret `yaml:"password"`
}

// Enabled reports whether a service account is configured.
func (a UpstreamAuth) Enabled() bool { return a.Username != "" }

// Enabled reports whether an upstream is configured.
func (u Upstream) Enabled() bool { return u.URL != "" || u.Fake }

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (c *Config) upstreamDefaults() {
	u := &c.Upstream
	if u.Timeout == 0 {
		u.Timeout = Duration(60 * time.Second)
	}
	if u.WSDLRefresh == 0 {
		u.WSDLRefresh = Duration(time.Hour)
	}
	if u.URL != "" && u.WSDLURL == "" {
		u.WSDLURL = u.URL + "?singleWsdl"
	}
}

func (c *Config) checkUpstream() error {
	u := c.Upstream
	if !u.Enabled() {
		for _, o := range []struct {
			field string
			set   bool
		}{{"upstream.auth", u.Auth.Enabled()}, {"upstream.allow", len(u.Allow) > 0}, {"upstream.forward_handled", u.ForwardHandled},
			{"upstream.ca_file", u.CAFile != ""}, {"upstream.wsdl_url", u.WSDLURL != ""}} {
			if o.set {
				return c.errf(o.field, "needs upstream.url")
			}
		}
		return nil
	}
	if u.Fake && u.URL != "" {
		return c.errf("upstream.fake", "set either upstream.url or upstream.fake, not both")
	}
	for _, o := range []struct{ field, raw string }{{"upstream.url", u.URL}, {"upstream.wsdl_url", u.WSDLURL}} {
		field, raw := o.field, o.raw
		if raw == "" {
			continue
		}
		p, err := url.Parse(raw)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return c.errf(field, "must be an absolute http or https URL, e.g. https://tenant.thereforeonline.com/theservice/v0001/soapun")
		}
		if p.User != nil {
			return c.errf(field, "must not carry credentials; use upstream.auth")
		}
	}
	if u.Timeout < Duration(time.Second) {
		return c.errf("upstream.timeout", "must be at least 1s, got %s", u.Timeout.D())
	}
	if u.WSDLRefresh < Duration(time.Minute) {
		return c.errf("upstream.wsdl_refresh", "must be at least 1m, got %s", u.WSDLRefresh.D())
	}
	if u.CAFile != "" {
		if _, err := os.Stat(u.CAFile); err != nil {
			return c.errf("upstream.ca_file", "%v", err)
		}
	}
	if u.Auth.Enabled() != u.Auth.Password.IsSet() {
		return c.errf("upstream.auth", "set both username and password (env:NAME or file:/path)")
	}
	if u.Auth.Enabled() && len(u.Allow) == 0 {
		return c.errf("upstream.auth", "needs upstream.allow, the operations the service account may be used for")
	}
	seen := map[string]bool{}
	for i, op := range u.Allow {
		f := fieldIndex("upstream.allow", i)
		if !operationName.MatchString(op) {
			return c.errf(f, "%q is not an operation name such as ExecuteSingleQuery", op)
		}
		if seen[op] {
			return c.errf(f, "%q is listed twice", op)
		}
		seen[op] = true
	}
	return nil
}
