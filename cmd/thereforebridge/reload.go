package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

// loadConfig reads the configuration as serve runs it, at start and at
// each reload: the file, -listen over its listen, and this machine's
// delivery store, so that neither is taken for an edit of the file.
func loadConfig(opts serveOptions) (*config.Config, error) {
	cfg, err := config.Load(opts.configPath)
	if err != nil {
		return nil, err
	}
	if opts.listen != "" {
		cfg.Listen = opts.listen
	}
	if err := prepareStore(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// reloadOnHangup reloads srv's configuration with load each time the
// process gets SIGHUP (without it, SIGHUP ends the process), until the
// returned stop is called.
func reloadOnHangup(srv *server.Server, load func() (*config.Config, error)) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-done:
				return
			case <-hup:
				_, _ = srv.Reload(load) // the server logs and counts the outcome either way
			}
		}
	}()
	return func() { close(done) }
}
