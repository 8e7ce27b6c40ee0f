package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/generated"
)

// fileSize is the size of the store's database file once its log is
// checkpointed into it.
func fileSize(t *testing.T, e *Engine, path string) int64 {
	t.Helper()
	b := e.be.(*sqliteBackend)
	if _, err := b.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// bigPortal is a SavePortalUser of some 64 KB of parameters.
func bigPortal(t *testing.T, email string) *Change {
	t.Helper()
	items := make([]*generated.WSIndexDataItem, 256)
	for i := range items {
		v := strings.Repeat(fmt.Sprintf("value %d ", i), 24)
		items[i] = &generated.WSIndexDataItem{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: &generated.WSIndexDataBase{FieldNo: int32(i)}, DataValue: &v}}
	}
	p := &generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, IndexDataItems: &generated.ArrayOfWSIndexDataItem{WSIndexDataItem: items}}}
	c, err := NewChange("req", "caller", "", fanout.SavePortalUser, p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A new store's file gives the space of settled changes back: after a
// backlog is delivered and cleaned, it is a fraction of its largest size.
func TestCleanShrinksTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	v := &noop{}
	e := openTest(t, Config{Store: "sqlite:" + path, DedupeWindow: time.Millisecond}, v)
	if !e.be.(*sqliteBackend).incremental {
		t.Fatal("a new store does not vacuum incrementally")
	}
	ctx := context.Background()
	const n = 300 // some 20 MB
	for i := range n {
		if _, err := e.Accept(ctx, bigPortal(t, fmt.Sprintf("user%03d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "every change delivered", func() bool { return v.n.Load() == n })
	full := fileSize(t, e, path)
	time.Sleep(5 * time.Millisecond) // past the dedupe window
	for range 20 {                   // each Clean compacts within its budget
		if err := e.Clean(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after := fileSize(t, e, path)
	t.Logf("store file: %.1f MiB with the backlog, %.1f MiB once it is cleaned", float64(full)/(1<<20), float64(after)/(1<<20))
	if full < 10<<20 || after > full/4 {
		t.Errorf("store file %d bytes with the backlog, %d once cleaned: want it to shrink to under a quarter", full, after)
	}
}

// A store made by an earlier bridge (no incremental vacuum) keeps working
// as it is; Vacuum, which the migrate command runs, converts it once.
func TestVacuumConvertsAnOldStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE made_before (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ctx := context.Background()
	e, err := OpenAdmin(ctx, "sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.be.(*sqliteBackend).incremental {
		t.Fatal("a store with tables was converted without being asked")
	}
	for i, want := range []bool{true, false} { // the second time, nothing to do
		done, err := e.Vacuum(ctx)
		if err != nil || done != want {
			t.Fatalf("Vacuum #%d = %v, %v; want %v", i+1, done, err, want)
		}
	}
	e.Stop(ctx)
	e, err = OpenAdmin(ctx, "sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop(ctx)
	if !e.be.(*sqliteBackend).incremental {
		t.Error("reopened, the converted store does not vacuum incrementally")
	}
}
