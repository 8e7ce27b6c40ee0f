package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStart starts a cluster, creates a database, and sees a stopped
// server refuse connections and a restarted one accept them again.
func TestStart(t *testing.T) {
	s := Start(t)
	dsn := s.CreateDB(t, "probe")
	ctx := context.Background()
	ping := func() error {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		var one int
		return c.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
	if err := ping(); err != nil {
		t.Fatalf("a started server: %v", err)
	}
	s.Stop()
	if err := ping(); err == nil {
		t.Fatal("a stopped server still answers")
	}
	s.Restart(t)
	if err := ping(); err != nil {
		t.Fatalf("a restarted server: %v", err)
	}
}
