package server

import (
	"errors"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/metrics"
)

// Reload replaces the configuration calls run on with the one load
// returns (the operator edited the file and sent SIGHUP).
//
// The new configuration is checked whole, and everything built from it
// (the credential verifier, the TLS certificate) is built, before
// anything changes: when any of it fails, the error (file:line:field) is
// logged and returned and the running configuration stays. Otherwise it
// becomes live in one atomic swap: calls in flight finish on the old one,
// new calls start on the new one, and none is refused in between.
//
// Keys a running bridge cannot change (config.KeepRunning) keep their old
// value; they are returned, logged and exposed as
// thereforebridge_config_restart_needed until a restart. Credentials are
// verified afresh by a verifier built from the new configuration, so
// nothing a previous one cached survives.
func (s *Server) Reload(load func() (*config.Config, error)) (restart []string, err error) {
	s.reload.Lock()
	defer s.reload.Unlock()
	if s.closed {
		return nil, errors.New("the bridge is shutting down; the configuration was not reloaded")
	}
	m := s.metrics.Reloads
	old := s.live.Load()
	cfg, err := load()
	var st *state
	if err == nil {
		restart = config.KeepRunning(old.cfg, cfg)
		st, err = s.newState(cfg, old)
	}
	if err != nil {
		m.Record(time.Now(), metrics.ReloadInvalid, nil)
		s.log.Error("configuration reload refused; the running configuration stays", "error", err.Error())
		return nil, err
	}
	s.live.Store(st)
	logging.SetLevel(s.log, cfg.Log.SlogLevel())
	changed := config.Changed(old.cfg, cfg)
	if len(restart) > 0 {
		m.Record(time.Now(), metrics.ReloadNeedsRestart, restart)
		s.log.Warn("configuration reloaded; some changes wait for a restart", "config", cfg.Source, "changed", changed, "restart_needed", restart)
	} else {
		m.Record(time.Now(), metrics.ReloadApplied, nil)
		s.log.Info("configuration reloaded", "config", cfg.Source, "changed", changed)
	}
	return restart, nil
}
