package server

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

// connectUpstream builds the pass-through client when an upstream is set.
func (s *Server) connectUpstream() error {
	if s.cfg.Upstream.URL == "" {
		return nil
	}
	c, err := upstream.New(s.cfg.Upstream)
	if err != nil {
		return err
	}
	s.upstream = c
	return nil
}

// startFakeUpstream runs the Therefore fake's SOAP face on a loopback port
// when upstream.fake asks for it (the embedded demo), and points the
// upstream section at it with the fake's service account.
func startFakeUpstream(cfg *config.Config) (stop func(), err error) {
	if !cfg.Upstream.Fake {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the upstream fake: %w", err)
	}
	srv := &http.Server{Handler: fake.NewSOAPFace(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	u := &cfg.Upstream
	u.URL = "http://" + ln.Addr().String() + fake.SOAPPath
	if u.WSDLURL == "" {
		u.WSDLURL = u.URL + "?singleWsdl"
	}
	u.Auth = config.UpstreamAuth{Username: fake.DemoUser, Password: config.NewSecret(fake.DemoPassword)}
	if len(u.Allow) == 0 {
		u.Allow = []string{"ExecuteSingleQuery", "GetDocument"}
	}
	return func() { srv.Close() }, nil
}
