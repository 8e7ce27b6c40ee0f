package config

import "log/slog"

// Log configures the bridge's own log lines (on standard output).
type Log struct {
	// Level is the least severe level written: debug, info, warn or
	// error. A reload applies a new level at once.
	Level string `yaml:"level"`
	// Format is json (one object per line, for collectors) or text
	// (key=value, for people). Changing it needs a restart.
	Format string `yaml:"format"`
}

var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// SlogLevel returns Level as a slog.Level (info when unset).
func (l Log) SlogLevel() slog.Level { return logLevels[l.Level] }

func (c *Config) logDefaults() {
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
}

func (c *Config) checkLog() error {
	if _, ok := logLevels[c.Log.Level]; !ok {
		return c.errf("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		return c.errf("log.format", "must be json or text, got %q", c.Log.Format)
	}
	return nil
}
