package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
)

// tlsConfig builds the HTTPS settings: TLS 1.2 at least and, with a client
// CA, certificates requested and verified when sent (a caller may still
// use Basic or WS-Security instead).
func (s *Server) tlsConfig() (*tls.Config, error) {
	t := s.cfg.TLS
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("%s: tls: %w", s.cfg.Source, err)
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: tls.client_ca_file: %w", s.cfg.Source, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: tls.client_ca_file: no PEM certificates in %s", s.cfg.Source, t.ClientCAFile)
		}
		c.ClientCAs = pool
		c.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return c, nil
}

// Listen wraps ln in TLS when the config asks for it.
func (s *Server) Listen(ln net.Listener) (net.Listener, error) {
	if !s.cfg.TLS.Enabled() {
		return ln, nil
	}
	c, err := s.tlsConfig()
	if err != nil {
		return nil, err
	}
	return tls.NewListener(ln, c), nil
}

// certCaller returns the caller a verified client certificate maps to.
func (s *Server) certCaller(r *http.Request) (string, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(s.cfg.TLS.ClientSubjects) == 0 {
		return "", false
	}
	subject := r.TLS.VerifiedChains[0][0].Subject.String()
	name, ok := s.cfg.TLS.ClientSubjects[subject]
	return name, ok
}
