package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/gcfloor"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

const serveSynopsis = `usage: thereforebridge serve [flags] [FILE]

Runs the bridge on the YAML config FILE until SIGINT or SIGTERM, then drains
calls for shutdown_timeout. Without FILE it runs the embedded local demo
(every vendor an in-process fake, HTTP Basic demo:demo-password) on
127.0.0.1:8080: never for production. Flags may come before or after FILE.

Under systemd (Type=notify) it reports READY=1 once listening and
STOPPING=1 when it starts to drain.
`

const serveFooter = `exit status: 0 after a clean shutdown, 1 when the config is invalid or the
bridge cannot listen or serve, 2 for a wrong command line.`

// serveOptions is the command line of serve, parsed.
type serveOptions struct {
	configPath string // "" runs the embedded demo
	listen     string // overrides the config's listen when set
	adminAddr  string // overrides admin.listen when set
}

func serve(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseServe(args, stdout, stderr)
	if !ok {
		return code
	}
	return runServe(opts, stdout, stderr)
}

// parseServe turns serve's command line into options. ok false means exit
// with code (usage printed, or help asked for).
func parseServe(args []string, stdout, stderr io.Writer) (opts serveOptions, code int, ok bool) {
	fs := newCmdFlags("serve", serveSynopsis, stdout, stderr)
	fs.footer = serveFooter
	fs.StringVar(&opts.configPath, "config", "", "the config file, same as FILE")
	fs.StringVar(&opts.listen, "listen", "", "listen address, overriding the config's listen (e.g. 0.0.0.0:8443, 127.0.0.1:0)")
	fs.StringVar(&opts.adminAddr, "admin-listen", "", "the operators' page address, overriding the config's admin.listen")
	pos, code, ok := fs.parse(args, 1)
	if !ok {
		return opts, code, false
	}
	if opts.configPath, ok = configArg(fs, pos, opts.configPath); !ok {
		return opts, exitUsage, false
	}
	return opts, exitOK, true
}

// configArg reconciles the positional FILE with -config: either names the
// file, both must agree.
// parseFileCommand parses the command line of a command whose one
// argument is the config FILE (or -config FILE): the path, or the exit
// code of a usage error or of -h.
func parseFileCommand(fs *cmdFlags, args []string) (path string, code int, ok bool) {
	cfgFlag := fs.String("config", "", "the config file, same as FILE")
	pos, code, ok := fs.parse(args, 1)
	if !ok {
		return "", code, false
	}
	if path, ok = configArg(fs, pos, *cfgFlag); !ok {
		return "", exitUsage, false
	}
	return path, 0, true
}

func configArg(fs *cmdFlags, pos []string, flagPath string) (string, bool) {
	if len(pos) == 0 {
		return flagPath, true
	}
	if flagPath != "" && flagPath != pos[0] {
		fs.usageError("two config files: -config %s and %s", flagPath, pos[0])
		return "", false
	}
	return pos[0], true
}

// runServe loads the config and serves until a signal.
func runServe(opts serveOptions, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(opts)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return exitError
	}
	// Lines are written in batches, at least every 100 ms (warnings and
	// errors at once), and what is held is written before the process
	// ends.
	out := logging.NewBuffer(stdout, 100*time.Millisecond)
	defer out.Close()
	// The collector waits for the heap to reach a floor while little is
	// live (GOGC in the environment overrides it).
	defer gcfloor.Start(gcfloor.Default)()
	log := logging.New(out, cfg.Log)
	stopTracing, err := startTracing(cfg.Tracing, log)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return exitError
	}
	defer stopTracing()
	srv, err := server.Build(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return exitError
	}
	defer reloadOnHangup(srv, func() (*config.Config, error) { return loadConfig(opts) })() // before "listening": a SIGHUP after it reloads
	plain, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return exitError
	}
	ln, err := srv.Listen(plain)
	if err != nil {
		plain.Close()
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return exitError
	}
	scheme := "http://"
	if cfg.TLS.Enabled() {
		scheme = "https://"
	}
	log.Info("listening", "address", scheme+ln.Addr().String()+cfg.Endpoint, "wsdl", scheme+ln.Addr().String()+cfg.Endpoint+"?wsdl", "config", cfg.Source,
		"delivery_store", srv.Engine().Describe())
	if cfg.Source == config.DefaultName {
		log.Info("embedded demo configuration: call with HTTP Basic user demo, password demo-password (every vendor is an in-process fake)")
	}
	if cfg.Admin.Enabled() {
		stopAdmin, err := serveAdmin(cfg.Admin, opts.adminAddr, srv.Engine(), log)
		if err != nil {
			fmt.Fprintln(stderr, "thereforebridge: admin.listen:", err)
			return exitError
		}
		defer stopAdmin()
		if cfg.Source == config.DefaultName {
			log.Info("embedded demo configuration: the operators' page takes user admin, password admin-password")
		}
	}
	if cfg.Auth.InsecureNoAuth {
		log.Warn("inbound authentication is OFF (auth.insecure_no_auth): anybody who reaches this address may call the bridge; for development only")
	}

	if cfg.DebugListen != "" {
		stopDebug, err := servePprof(cfg.DebugListen)
		if err != nil {
			fmt.Fprintln(stderr, "thereforebridge: debug_listen:", err)
			return exitError
		}
		defer stopDebug()
		log.Info("pprof listening", "address", "http://"+cfg.DebugListen+"/debug/pprof/")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if err := sdNotify("READY=1"); err != nil {
		log.Warn("systemd notify", "error", err.Error())
	}
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintln(stderr, "thereforebridge:", err)
			return exitError
		}
		return exitOK
	case <-ctx.Done():
	}
	sdNotify("STOPPING=1")
	log.Info("shutting down", "grace", cfg.ShutdownTimeout.D().String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout.D())
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "thereforebridge: shutdown:", err)
		return exitError
	}
	return exitOK
}
