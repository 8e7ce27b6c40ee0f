package delivery

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"modernc.org/sqlite" // the embedded store: pure Go, so CGO_ENABLED=0 builds work
)

// stmtCacheSize bounds the statements each SQLite connection keeps
// prepared: the bridge's and River's together are fewer than a hundred.
const stmtCacheSize = 256

// preparingConnector opens modernc.org/sqlite connections that keep the
// statements they run prepared, keyed by their text. modernc parses a
// statement every time it is queried or executed without a prepared
// statement, and River runs all of its SQL that way: parsing was half of
// an idle bridge's CPU (River polls SQLite for work several times a
// second) and a quarter of an accepted call's.
type preparingConnector struct{ dsn string }

func (c preparingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newPreparingConn(conn), nil
}

func (preparingConnector) Driver() driver.Driver { return &sqlite.Driver{} }

// sqliteConn is what preparingConn needs of a modernc connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// preparingConn is one connection and its prepared statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type preparingConn struct {
	sqliteConn
	lru   *list.List               // of *cachedStmt, most recently used first
	byKey map[string]*list.Element // query text -> element of lru
}

type cachedStmt struct {
	query string
	stmt  sqliteStmt
	// busy: rows of the statement are still open. SQLite steps a
	// statement for one query at a time, so a second query of the same
	// text while they are (a loop reading rows that queries again) gets a
	// statement of its own.
	busy bool
}

func newPreparingConn(c driver.Conn) driver.Conn {
	sc, ok := c.(sqliteConn)
	if !ok {
		return c // not what this wrapper knows: run it as it is
	}
	return &preparingConn{sqliteConn: sc, lru: list.New(), byKey: map[string]*list.Element{}}
}

// statement returns the prepared statement of query, preparing it the
// first time; nil when it is in use or cannot be kept (a script of
// several statements, which modernc parses anew each time anyway).
func (c *preparingConn) statement(ctx context.Context, query string) *cachedStmt {
	if el, ok := c.byKey[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil
		}
		c.lru.MoveToFront(el)
		return cs
	}
	s, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	st, ok := s.(sqliteStmt)
	if !ok {
		s.Close()
		return nil
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.byKey[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		ocs := old.Value.(*cachedStmt)
		if ocs.busy {
			break // closed when its rows are; the cache is over size until then
		}
		c.lru.Remove(old)
		delete(c.byKey, ocs.query)
		ocs.stmt.Close()
	}
	return cs
}

// CheckNamedValue passes the values the store's statements bind as they
// are, and an int as the int64 it binds as: database/sql's default
// converter reached an int by reflection, and boxed the result anew, for
// every argument of every statement. Any other type gets that default
// (driver.ErrSkip).
func (c *preparingConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case int:
		nv.Value = int64(v)
		return nil
	case nil, int64, float64, bool, string, []byte, time.Time:
		return nil
	}
	return driver.ErrSkip
}

func (c *preparingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if cs := c.statement(ctx, query); cs != nil {
		return cs.stmt.ExecContext(ctx, args)
	}
	return c.sqliteConn.ExecContext(ctx, query, args)
}

func (c *preparingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.statement(ctx, query)
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &stmtRows{Rows: r, cs: cs}, nil
}

func (c *preparingConn) Close() error {
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		errs = append(errs, el.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byKey)
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// stmtRows frees its statement for the next query when closed.
type stmtRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *stmtRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}
