package delivery

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A store made by an earlier bridge, with tb_change_message over every
// row, loses that index at start-up for the partial one; the query that
// recognises a retry by its MessageID uses the partial one.
func TestMigrateReplacesMessageIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	e, err := Open(context.Background(), Config{Store: "sqlite:" + path}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := e.be.(*sqliteBackend).db
	if _, err := db.Exec(`DROP INDEX tb_change_by_message; CREATE INDEX tb_change_message ON tb_change (caller, message_id)`); err != nil {
		t.Fatal(err)
	}
	e.Stop(context.Background())

	e, err = Open(context.Background(), Config{Store: "sqlite:" + path}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop(context.Background())
	db = e.be.(*sqliteBackend).db
	indexes := map[string]bool{}
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tb_change'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes[name] = true
	}
	rows.Close()
	if indexes["tb_change_message"] || !indexes["tb_change_by_message"] {
		t.Fatalf("indexes of tb_change after start-up: %v; want tb_change_by_message and not tb_change_message", indexes)
	}
	var plan []string
	r, err := db.Query(`EXPLAIN QUERY PLAN `+byMessageQuery, "c", "m", "h", 0)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id, parent, unused int
		var detail string
		if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	r.Close()
	if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, "tb_change_by_message") }) {
		t.Errorf("the MessageID lookup does not use the partial index: %q", plan)
	}
}
