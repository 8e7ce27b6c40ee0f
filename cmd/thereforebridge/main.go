// Command thereforebridge serves Therefore's IThereforeService SOAP
// operations SaveOutOfOfficeInfoForUser and SavePortalUser and carries each
// call to the configured REST vendors.
//
//	thereforebridge serve [-config file.yaml] [-listen addr]
//	thereforebridge check-config [-config file.yaml]
//	thereforebridge call oof|portal [flags]
//	thereforebridge version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: thereforebridge <command> [flags]

commands:
  serve         run the bridge (default config: the embedded local demo)
  check-config  validate a config file and print what would be called
  call          send one SOAP call (oof or portal) and print the reply
  hash-password read a password on stdin, print its bcrypt hash for auth.callers
  version       print the version
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "check-config":
		return checkConfig(args[1:], stdout, stderr)
	case "fakes":
		return fakes(args[1:], stdout, stderr)
	case "call":
		return call(args[1:], stdout, stderr)
	case "hash-password":
		return hashPassword(os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "thereforebridge", version())
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "thereforebridge: unknown command %q\n%s", args[0], usage)
	return 2
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return bi.Main.Version + " " + s.Value
			}
		}
		return bi.Main.Version
	}
	return "unknown"
}

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "YAML config file (default: the embedded local demo config)")
	listen := fs.String("listen", "", "listen address, overriding the config (e.g. 127.0.0.1:0)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stdout, nil))
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return 1
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if err := prepareStore(cfg); err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return 1
	}
	srv, err := server.Build(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return 1
	}
	plain, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return 1
	}
	ln, err := srv.Listen(plain)
	if err != nil {
		plain.Close()
		fmt.Fprintln(stderr, "thereforebridge:", err)
		return 1
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
	if cfg.Auth.InsecureNoAuth {
		log.Warn("inbound authentication is OFF (auth.insecure_no_auth): anybody who reaches this address may call the bridge; for development only")
	}

	if cfg.DebugListen != "" {
		stopDebug, err := servePprof(cfg.DebugListen)
		if err != nil {
			fmt.Fprintln(stderr, "thereforebridge: debug_listen:", err)
			return 1
		}
		defer stopDebug()
		log.Info("pprof listening", "address", "http://"+cfg.DebugListen+"/debug/pprof/")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintln(stderr, "thereforebridge:", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownTimeout.D().String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout.D())
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "thereforebridge: shutdown:", err)
		return 1
	}
	return 0
}

func checkConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "YAML config file (default: the embedded config)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	set, err := vendors.Build(cfg, vendorkit.Deps{Directory: identity.FromConfig(cfg.Identity)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer set.Close()
	targets := set.Targets
	fmt.Fprintf(stdout, "%s: ok\nendpoint http://%s%s\n", cfg.Source, cfg.Listen, cfg.Endpoint)
	for _, op := range []string{"SaveOutOfOfficeInfoForUser", "SavePortalUser"} {
		fmt.Fprintf(stdout, "%s ->", op)
		for _, t := range targets {
			if len(t.Operations) == 0 || t.Operations[op] {
				kind := "required"
				if !t.Required {
					kind = "best-effort"
				}
				fmt.Fprintf(stdout, " %s (%s)", t.Vendor.Name(), kind)
			}
		}
		fmt.Fprintln(stdout)
	}
	return 0
}

func hashPassword(stdin io.Reader, stdout, stderr io.Writer) int {
	b, err := io.ReadAll(io.LimitReader(stdin, 1024))
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return 1
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		fmt.Fprintln(stderr, "hash-password: give the password on standard input")
		return 2
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return 1
	}
	fmt.Fprintln(stdout, h)
	return 0
}
