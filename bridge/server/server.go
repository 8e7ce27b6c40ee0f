// Package server wires the bridge onto Echo: the SOAP endpoint (POST for
// calls, GET ?wsdl for the contract), /healthz, and /debug/vendors/<name>
// when debugging is on. Every answer on the endpoint is SOAP: a response
// or a fault, never an HTML page, a JSON error or a dropped connection.
package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/keyrate"
	"github.com/thereforebridge/thereforebridge/bridge/metrics"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
	"github.com/thereforebridge/thereforebridge/bridge/upstream"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
	"github.com/thereforebridge/thereforebridge/bridge/wsdlserve"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
	"github.com/thereforebridge/thereforebridge/wsdl"
)

// Server is one bridge instance: what lives as long as the process (the
// HTTP server, the delivery engine and the vendors it delivers to), and
// the live state every call runs on, which Reload replaces.
type Server struct {
	log     *slog.Logger
	metrics *metrics.Metrics
	engine  *delivery.Engine
	http    *http.Server
	ready   atomic.Bool
	live    atomic.Pointer[state]
	closers []func()
	reload  sync.Mutex // one reload at a time; guards closed
	closed  bool       // shut down: no reload any more
}

// state is everything a call needs that comes from the configuration. A
// call takes the live state once, at its start, and keeps it to its end,
// so a reload never changes the rules under a call in flight. Its
// engine, targets, debug and directory are the Server's, shared by every
// state: the delivery engine keeps them for its life.
type state struct {
	cfg       *config.Config
	log       *slog.Logger
	wsdl      *wsdlserve.Server
	contract  soap.Contract
	engine    *delivery.Engine
	limits    xmltok.Limits
	targets   []fanout.Target
	debug     map[string]vendors.Debugger
	metrics   *metrics.Metrics
	slots     chan struct{}       // one per SOAP call in flight
	bodies    *budget             // the bytes of their bodies
	auth      *auth.Authenticator // nil when auth is off (insecure development mode)
	perCaller *keyrate.Limits     // nil when off
	tarpitted atomic.Int64        // throttled answers held back now
	directory identity.Directory
	tls       *tls.Config // nil without TLS
	// Pass-through lives as long as the process (upstream.* needs a
	// restart): every state shares the fixed one's.
	skips    *skipLog
	upstream *upstream.Client // nil without upstream.url: unknown operations fault
	// wsdlProblem says why ?wsdl is not the upstream's, in pass-through
	// mode ("" when it is).
	wsdlProblem *atomic.Value
}

// New builds a server for cfg with the given fan-out targets, opening
// (and migrating) the delivery store and starting its workers.
func New(cfg *config.Config, targets []fanout.Target, log *slog.Logger) (*Server, error) {
	return newServer(cfg, targets, nil, log)
}

func newServer(cfg *config.Config, targets []fanout.Target, debug map[string]vendors.Debugger, log *slog.Logger) (*Server, error) {
	store := cfg.Delivery.Store.DSN()
	if store == "" {
		// serve always sets a store (the state directory's by default);
		// a server built in code without one keeps deliveries in memory.
		store = "sqlite::memory:"
		log.Warn("delivery.store is not set: deliveries are kept in memory and lost when the process ends")
	}
	s := &Server{log: log, metrics: metrics.New()}
	fixed := &state{targets: targets, debug: debug, directory: identity.FromConfig(cfg.Identity), wsdlProblem: &atomic.Value{}}
	ws, err := wsdlserve.New(wsdl.Document, cfg.WSDL.TrustForwardedHeaders)
	if err != nil {
		return nil, err
	}
	fixed.wsdl, fixed.skips = ws, newSkipLog(log, s.metrics.DecodeSkipped)
	st, err := s.newState(cfg, fixed) // checked before the store is opened
	if err != nil {
		return nil, err
	}
	engine, err := delivery.Open(context.Background(), delivery.Config{
		Store:          store,
		ApplyWait:      cfg.Delivery.ApplyWait.D(),
		MaxAge:         cfg.Delivery.MaxAge.D(),
		DedupeWindow:   cfg.Delivery.DedupeWindow.D(),
		AttemptTimeout: cfg.Fanout.VendorTimeout.D(),
		Backoff:        delivery.Backoff{Initial: cfg.Fanout.InitialBackoff.D(), Max: cfg.Fanout.MaxBackoff.D()},
		MaxConcurrency: cfg.Fanout.MaxConcurrencyPerVendor,
		Replicas:       cfg.Delivery.Replicas,
		EncryptionKey:  cfg.Delivery.Key(),
		PollInterval:   cfg.Delivery.PollInterval.D(),
		RescueAfter:    cfg.Delivery.RescueAfter.D(),
	}, targets, fixed.directory, log, s.metrics)
	if err != nil {
		return nil, fmt.Errorf("%s: delivery.store %s: %w", cfg.Source, cfg.Delivery.Store, err)
	}
	shareNonces(st.auth, engine)
	s.metrics.Registry.MustRegister(engine.Collector())
	if err := engine.Start(context.Background()); err != nil {
		engine.Stop(context.Background())
		return nil, fmt.Errorf("%s: delivery.store %s: %w", cfg.Source, cfg.Delivery.Store, err)
	}
	s.engine, st.engine, fixed.engine = engine, engine, engine
	if err := s.connectUpstream(cfg, fixed); err != nil {
		engine.Stop(context.Background())
		return nil, fmt.Errorf("%s: %w", cfg.Source, err)
	}
	st.upstream = fixed.upstream
	s.live.Store(st)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// No middleware: the SOAP endpoint makes its own request id, and the
	// probes and /metrics need none; each would cost every call.
	e.Any(cfg.Endpoint, s.onLive((*state).endpoint))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", func(c echo.Context) error {
		if !s.ready.Load() {
			return c.String(http.StatusServiceUnavailable, "shutting down\n")
		}
		if why, _ := fixed.wsdlProblem.Load().(string); why != "" {
			// Calls are served; only ?wsdl lacks the upstream's operations.
			return c.String(http.StatusOK, "ready, degraded: "+why+"\n")
		}
		return c.String(http.StatusOK, "ready\n")
	})
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})))
	e.RouteNotFound("/*", func(c echo.Context) error {
		path := c.Request().URL.Path
		if len(path) > 200 {
			path = path[:200] + "..."
		}
		c.Response().Header().Set("X-Content-Type-Options", "nosniff") // the path is the client's
		return c.String(http.StatusNotFound, fmt.Sprintf("404 not found: nothing is served at %q; the SOAP endpoint is %s (its WSDL: %s?wsdl)\n",
			path, cfg.Endpoint, cfg.Endpoint))
	})
	if cfg.Debug {
		e.GET("/debug/vendors/:name", s.onLive((*state).debugVendor))
		e.Match([]string{http.MethodGet, http.MethodPost, http.MethodDelete}, "/debug/vendors/:name/fault", s.onLive((*state).vendorFault))
	}
	s.ready.Store(true)
	s.http = &http.Server{
		Handler:           foldEndpoint(tracing.Handler(e, cfg.Endpoint), cfg.Endpoint),
		ReadHeaderTimeout: cfg.Limits.HeaderTimeout.D(),
		ReadTimeout:       cfg.Limits.ReadTimeout.D(),
		WriteTimeout:      cfg.Limits.WriteTimeout.D(),
		IdleTimeout:       cfg.Limits.IdleTimeout.D(),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// foldEndpoint serves the endpoint's path in any letter case, as Therefore
// does: its WCF endpoint is bound through HTTP.sys, whose URLs match
// without case, so a client configured with /TheService/v0001/SoapUn works
// against it and must work against the bridge.
func foldEndpoint(next http.Handler, endpoint string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != endpoint && strings.EqualFold(p, endpoint) {
			u := *r.URL
			u.Path, u.RawPath = endpoint, ""
			r2 := *r
			r2.URL = &u
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

// newState builds what calls under cfg run on, with what lives as long as
// the process taken from fixed; nothing of it is live yet.
func (s *Server) newState(cfg *config.Config, fixed *state) (*state, error) {
	authn, err := auth.New(cfg.Auth)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Source, err)
	}
	if fixed.engine != nil {
		shareNonces(authn, fixed.engine)
	}
	var tc *tls.Config
	if cfg.TLS.Enabled() {
		if tc, err = tlsConfig(cfg); err != nil {
			return nil, err
		}
	}
	return &state{
		auth: authn,
		// Each replica enforces its share of the per-caller rate.
		perCaller:   keyrate.New(cfg.Limits.PerCallerRate/float64(max(1, cfg.Delivery.Replicas)), cfg.Limits.PerCallerBurst),
		metrics:     s.metrics,
		cfg:         cfg,
		log:         s.log,
		wsdl:        fixed.wsdl,
		contract:    contract.Operations(),
		engine:      fixed.engine,
		directory:   fixed.directory,
		limits:      xmltok.Limits{MaxDepth: cfg.Limits.MaxDepth, MaxElements: cfg.Limits.MaxElements, MaxText: cfg.Limits.MaxTextBytes, MaxAttrs: cfg.Limits.MaxAttributes},
		slots:       make(chan struct{}, cfg.Limits.MaxConcurrent),
		bodies:      newBudget(cfg.Limits.MaxInflightBodyBytes, time.Duration(cfg.Limits.ReadTimeout)),
		targets:     fixed.targets,
		debug:       fixed.debug,
		tls:         tc,
		skips:       fixed.skips,
		upstream:    fixed.upstream,
		wsdlProblem: fixed.wsdlProblem,
	}, nil
}

// shareNonces makes a verifier refuse a WS-Security nonce any replica on
// the same store has seen, not only this process.
func shareNonces(authn *auth.Authenticator, engine *delivery.Engine) {
	if authn != nil && engine.Shared() {
		authn.ShareNonces(engine)
	}
}

// onLive runs h on the live state, taken once for the whole request.
func (s *Server) onLive(h func(*state, echo.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error { return h(s.live.Load(), c) }
}

// Build is New with the vendors the configuration names (and their
// in-process fakes, where it asks for them).
func Build(cfg *config.Config, log *slog.Logger) (*Server, error) {
	set, err := vendors.Build(cfg, vendorkit.Deps{Log: log, Directory: identity.FromConfig(cfg.Identity)})
	if err != nil {
		return nil, err
	}
	stopFake, err := startFakeUpstream(cfg)
	if err != nil {
		set.Close()
		return nil, err
	}
	s, err := newServer(cfg, set.Targets, set.Debug, log)
	if err != nil {
		set.Close()
		stopFake()
		return nil, err
	}
	s.closers = append(s.closers, set.Close, stopFake)
	return s, nil
}

// Handler returns the HTTP handler (for httptest).
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, waits for calls in flight (each is answered:
// a call waits at most delivery.apply_wait), then stops the delivery
// workers (attempts in flight may finish within ctx; past it they are
// released for the next run), then the fakes.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	s.reload.Lock()
	s.closed = true
	s.reload.Unlock()
	err := s.http.Shutdown(ctx)
	if serr := s.engine.Stop(ctx); serr != nil && err == nil && !errors.Is(serr, context.DeadlineExceeded) {
		err = serr
	}
	for _, c := range s.closers {
		c()
	}
	return err
}

// Engine is the delivery engine (operators' tools and tests).
func (s *Server) Engine() *delivery.Engine { return s.engine }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *state) endpoint(c echo.Context) (err error) {
	r := c.Request()
	id := requestID(c)
	version := guessVersion(r.Header.Get("Content-Type"))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // a pass-through answer broke off: drop the connection
			}
			s.log.Error("panic in the SOAP handler", "request_id", id, "panic", fmt.Sprint(p))
			err = s.writeFault(c, version, &soap.Fault{Code: soap.Server, Detail: &soap.Detail{Kind: soap.KindInternal},
				Reason: "the bridge failed internally; quote request id " + id + " to its operators"})
		}
	}()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if wantsWSDL(r) {
			if s.auth != nil && !s.cfg.Auth.PublicWSDL {
				u, p, ok := basicCredentials(r)
				if !ok {
					return s.writeFault(c, version, s.challenge("authentication required to read the contract: send HTTP Basic credentials"))
				}
				if _, err := s.auth.Password(r.Context(), clientAddr(r), u, p); err != nil {
					return s.writeFault(c, version, s.authFault(err, true))
				}
			}
			return s.serveWSDL(c)
		}
		c.Response().Header().Set("Allow", "GET, POST")
		return s.writeFault(c, version, &soap.Fault{Code: soap.Client, Status: http.StatusMethodNotAllowed, Detail: &soap.Detail{Kind: soap.KindTransport},
			Reason: "GET is only for the contract: use " + s.cfg.Endpoint + "?wsdl, and POST for SOAP calls"})
	case http.MethodPost:
		if s.upstream != nil {
			return s.route(c, id)
		}
		return s.call(c, id)
	}
	c.Response().Header().Set("Allow", "GET, POST")
	return s.writeFault(c, version, &soap.Fault{Code: soap.Client, Status: http.StatusMethodNotAllowed, Detail: &soap.Detail{Kind: soap.KindTransport},
		Reason: "method " + r.Method + " is not allowed; POST SOAP calls, GET ?wsdl for the contract"})
}

func wantsWSDL(r *http.Request) bool {
	for k := range r.URL.Query() {
		switch strings.ToLower(k) {
		case "wsdl", "singlewsdl":
			return true
		}
	}
	return false
}

func (s *state) serveWSDL(c echo.Context) error {
	b, err := s.wsdl.Render(s.wsdl.EndpointURL(c.Request(), s.cfg.Endpoint))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", b)
}

func guessVersion(contentType string) soap.Version {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/soap+xml") {
		return soap.V12
	}
	return soap.V11
}

func (s *state) debugVendor(c echo.Context) error {
	name := c.Param("name")
	if d, ok := s.debug[name]; ok {
		return c.JSON(http.StatusOK, d.DebugState())
	}
	for _, t := range s.targets {
		if d, ok := t.Vendor.(vendors.Debugger); ok && t.Vendor.Name() == name {
			return c.JSON(http.StatusOK, d.DebugState())
		}
	}
	return c.String(http.StatusNotFound, "no vendor with debug state named "+name+"\n")
}
