package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// prepareStore completes cfg's delivery settings for this machine: with no
// delivery.store, a SQLite file in the state directory ($STATE_DIRECTORY
// when systemd sets it, else ./state/); for a SQLite store with no
// delivery.encryption_key, a key file beside the database, made on first
// start (0600), so portal passwords are sealed at rest out of the box.
func prepareStore(cfg *config.Config) error {
	if !cfg.Delivery.Store.IsSet() {
		cfg.Delivery.Store = config.NewStoreRef(config.DefaultStore(os.Getenv("STATE_DIRECTORY")))
	}
	dsn := cfg.Delivery.Store.DSN()
	if !strings.HasPrefix(dsn, "sqlite:") || cfg.Delivery.EncryptionKey.IsSet() {
		return nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
	if path == ":memory:" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		cfg.Delivery.EncryptionKey = config.NewSecret(hex.EncodeToString(key))
		return nil
	}
	keyPath := path + ".key"
	b, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return fmt.Errorf("delivery store: %w", err)
		}
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		b = []byte(hex.EncodeToString(key) + "\n")
		if err := os.WriteFile(keyPath, b, 0o600); err != nil {
			return fmt.Errorf("delivery store: writing its key: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("delivery store: reading its key: %w", err)
	}
	cfg.Delivery.EncryptionKey = config.NewSecret(strings.TrimSpace(string(b)))
	return nil
}
