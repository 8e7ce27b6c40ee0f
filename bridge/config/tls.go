package config

import "os"

// TLS configures HTTPS and, optionally, client certificates (mTLS).
type TLS struct {
	// CertFile and KeyFile are the PEM certificate (chain) and key;
	// setting both serves HTTPS. A reload reads them again.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCAFile turns on client-certificate authentication: a client
	// whose certificate chains to these CAs and whose subject is listed in
	// ClientSubjects is that caller.
	ClientCAFile   string            `yaml:"client_ca_file"`
	ClientSubjects map[string]string `yaml:"client_subjects"` // subject (e.g. "CN=app1,O=Acme") -> caller name
}

// Enabled reports whether the bridge serves HTTPS.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

func (c *Config) checkTLS() error {
	t := c.TLS
	if (t.CertFile == "") != (t.KeyFile == "") {
		return c.errf("tls", "set both cert_file and key_file")
	}
	for field, path := range map[string]string{"tls.cert_file": t.CertFile, "tls.key_file": t.KeyFile, "tls.client_ca_file": t.ClientCAFile} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return c.errf(field, "%v", err)
		}
	}
	if t.ClientCAFile != "" && !t.Enabled() {
		return c.errf("tls.client_ca_file", "client certificates need cert_file and key_file")
	}
	if len(t.ClientSubjects) > 0 && t.ClientCAFile == "" {
		return c.errf("tls.client_subjects", "needs tls.client_ca_file")
	}
	return nil
}
