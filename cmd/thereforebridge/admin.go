package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/admin"
	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// serveAdmin serves the operators' page on cfg.Listen (listen overrides
// it when set) and returns the function that shuts it down.
func serveAdmin(cfg config.Admin, listen string, store admin.Store, log *slog.Logger) (stop func(), err error) {
	if listen != "" {
		cfg.Listen = listen
	}
	h, err := admin.New(cfg, store, log.With("component", "admin"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("operators' page stopped", "error", err.Error())
		}
	}()
	log.Info("operators' page listening", "address", "http://"+ln.Addr().String()+admin.Path)
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		})
	}, nil
}
