package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	"github.com/thereforebridge/thereforebridge/bridge/wsdlserve"
)

// connectUpstream builds the pass-through client into fixed when an
// upstream is set, and keeps the upstream's WSDL fetched.
func (s *Server) connectUpstream(cfg *config.Config, fixed *state) error {
	if cfg.Upstream.URL == "" {
		return nil
	}
	c, err := upstream.New(cfg.Upstream)
	if err != nil {
		return err
	}
	fixed.upstream, fixed.cfg, fixed.log = c, cfg, s.log
	fixed.wsdlProblem.Store("the upstream's WSDL is being fetched; serving the bridge's own until then")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); fixed.watchUpstreamWSDL(ctx) }()
	s.closers = append(s.closers, func() { cancel(); <-done })
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

// wsdlRetry is how soon a failed fetch of the upstream's WSDL is retried
// while the bridge has no copy of it.
const wsdlRetry = 30 * time.Second

// watchUpstreamWSDL fetches the upstream's WSDL now and then every
// upstream.wsdl_refresh, and serves it at ?wsdl. A failed fetch keeps the
// last copy; without one the bridge serves its own WSDL and /readyz says
// why.
func (s *state) watchUpstreamWSDL(ctx context.Context) {
	f := &wsdlserve.Fetcher{Client: s.upstream.HTTP(), Authorize: s.upstream.AuthorizeWSDL}
	have := false
	for {
		fctx, cancel := context.WithTimeout(ctx, s.cfg.Upstream.Timeout.D())
		doc, ops, err := f.Fetch(fctx, s.cfg.Upstream.WSDLURL)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && have:
			s.log.Warn("the upstream's WSDL could not be fetched again; serving the last copy", "error", err.Error())
		case err != nil:
			s.wsdlProblem.Store("serving the bridge's own WSDL (only its two operations): the upstream's could not be fetched: " + err.Error())
			s.log.Warn("the upstream's WSDL could not be fetched; serving the bridge's own", "error", err.Error())
		default:
			s.wsdl.Use(doc)
			s.upstream.SetOperations(ops)
			s.wsdlProblem.Store("")
			have = true
		}
		wait := s.cfg.Upstream.WSDLRefresh.D()
		if !have {
			wait = min(wait, wsdlRetry)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
