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
	"syscall"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

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
	log.Info("listening", "address", scheme+ln.Addr().String()+cfg.Endpoint, "wsdl", scheme+ln.Addr().String()+cfg.Endpoint+"?wsdl", "config", cfg.Source)
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
