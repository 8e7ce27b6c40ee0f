package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
)

// startTracing exports traces when the config turns them on; stop flushes
// what is buffered, bounded so a collector that is down cannot hold up
// the exit.
func startTracing(c config.Tracing, log *slog.Logger) (stop func(), err error) {
	shutdown, err := tracing.Setup(context.Background(), c)
	if err != nil {
		return nil, err
	}
	if c.Enabled() {
		log.Info("exporting traces", "address", c.Endpoint)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			log.Warn("flushing traces failed", "error", err.Error())
		}
	}, nil
}
