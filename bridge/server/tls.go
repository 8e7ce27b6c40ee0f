package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// tlsConfig builds the HTTPS settings: TLS 1.2 at least and, with a client
// CA, certificates requested and verified when sent (a caller may still
// use Basic or WS-Security instead). It reads the files each time, so a
// reload picks up a renewed certificate.
func tlsConfig(cfg *config.Config) (*tls.Config, error) {
	t := cfg.TLS
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("%s: tls: %w", cfg.Source, err)
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: tls.client_ca_file: %w", cfg.Source, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: tls.client_ca_file: no PEM certificates in %s", cfg.Source, t.ClientCAFile)
		}
		c.ClientCAs = pool
		c.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return c, nil
}

// Listen wraps ln in TLS when the config asks for it. Each handshake
// uses the live state's certificate and client CAs, so a reload changes
// them for new connections; whether TLS is on at all is fixed at start.
func (s *Server) Listen(ln net.Listener) (net.Listener, error) {
	if s.live.Load().tls == nil {
		return ln, nil
	}
	c := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return s.live.Load().tls, nil
		},
	}
	return tls.NewListener(ln, c), nil
}

// certCaller returns the caller a verified client certificate maps to.
func (s *state) certCaller(r *http.Request) (string, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(s.cfg.TLS.ClientSubjects) == 0 {
		return "", false
	}
	subject := r.TLS.VerifiedChains[0][0].Subject.String()
	name, ok := s.cfg.TLS.ClientSubjects[subject]
	return name, ok
}
