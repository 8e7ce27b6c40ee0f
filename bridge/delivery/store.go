package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// shards is how many River jobs can work one vendor's keys at once: a key
// always falls in the same shard (whatever the vendor), a shard is worked
// by at most one job at a time across every replica, so a key is never
// delivered twice at once, while busy keys share a few jobs instead of
// costing one job each.
const shards = 32

func shardOf(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % shards)
}

// queueOf is the River queue of a vendor's shard jobs.
func queueOf(vendor string) string { return "vendor_" + vendor }

// shardArgs is the one kind of River job: "work this vendor's shard".
type shardArgs struct {
	Vendor string `json:"vendor"`
	Shard  int    `json:"shard"`
}

// Kind implements river.JobArgs.
func (shardArgs) Kind() string { return "thereforebridge_deliver" }

// txn is one store transaction, whatever the database: plain SQL with ?
// placeholders, and the three River calls the engine makes inside its own
// transactions.
type txn interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	batch(ctx context.Context, stmts []stmt) error
	insertJobs(ctx context.Context, as []shardArgs) ([]int64, error)
	retryJob(ctx context.Context, id int64) error
	completeJob(ctx context.Context, job *river.Job[shardArgs]) error
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// stmt is one statement of a batch; scan, when set, reads each row it
// returns.
//
// A batch is how the engine keeps round trips to Postgres few: its
// statements go to the server together and are answered together, one
// round trip for the lot (pgx.Batch), where one at a time each cost a
// round trip and a wake-up on both sides; SQLite, in process, just runs
// them in turn. A statement of a batch cannot use what an earlier one
// returned: it refers to it in SQL instead (a subquery).
type stmt struct {
	q    string
	args []any
	scan func(r rows) error
}

// sendBatch sends stmts to Postgres in one round trip.
func sendBatch(ctx context.Context, q interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}, stmts []stmt) error {
	b := &pgx.Batch{}
	queueStmts(b, stmts)
	return q.SendBatch(ctx, b).Close()
}

func queueStmts(b *pgx.Batch, stmts []stmt) {
	for _, s := range stmts {
		qq := b.Queue(rebind(s.q), s.args...)
		if s.scan == nil {
			qq.Exec(func(pgconn.CommandTag) error { return nil })
			continue
		}
		scan := s.scan
		qq.Query(func(r pgx.Rows) error {
			for r.Next() {
				if err := scan(r); err != nil {
					return err
				}
			}
			return r.Err()
		})
	}
}

// backend is what differs between SQLite and Postgres.
type backend interface {
	postgres() bool
	inTx(ctx context.Context, f func(txn) error) error
	// read runs stmts outside a transaction: reads that one statement
	// answers whole, without the two round trips of BEGIN and COMMIT.
	read(ctx context.Context, stmts ...stmt) error
	// durableTx is inTx for what must survive power loss once
	// committed: accepted changes, operators' actions, nonces seen.
	durableTx(ctx context.Context, f func(txn) error) error
	start(ctx context.Context) error
	stop(ctx context.Context) error
	close()
	describe() string
	// compact gives free space back to the file system, a bounded amount
	// per call (Clean calls it after its deletes).
	compact(ctx context.Context) error
}

// StoreOptions are what opening a store needs besides its DSN.
type StoreOptions struct {
	Queues       map[string]int // vendor -> max workers in this process
	Worker       river.Worker[shardArgs]
	PollInterval time.Duration // SQLite (no LISTEN/NOTIFY) polls this often
	JobTimeout   time.Duration
	RescueAfter  time.Duration
	Log          *slog.Logger
	// Insert only: no workers, no maintenance (the CLI).
	InsertOnly bool
}

func riverConfig(o StoreOptions, sqlite bool) *river.Config {
	cfg := &river.Config{
		Logger:                      o.Log,
		JobTimeout:                  o.JobTimeout,
		RescueStuckJobsAfter:        o.RescueAfter,
		CompletedJobRetentionPeriod: time.Minute, // a shard job says nothing once done: keep the store flat
		CancelledJobRetentionPeriod: time.Minute,
		DiscardedJobRetentionPeriod: 24 * time.Hour,
		MaxAttempts:                 1 << 30, // a shard job is never given up: its deliveries have their own max_age
		RetryPolicy:                 storeRetry{},
		PollOnly:                    sqlite,
	}
	if sqlite {
		cfg.FetchPollInterval = o.PollInterval
		cfg.FetchCooldown = min(o.PollInterval, 5*time.Millisecond)
	}
	if !o.InsertOnly {
		cfg.Queues = map[string]river.QueueConfig{}
		for v, n := range o.Queues {
			cfg.Queues[queueOf(v)] = river.QueueConfig{MaxWorkers: max(n, 1)}
		}
		w := river.NewWorkers()
		river.AddWorker(w, o.Worker)
		cfg.Workers = w
	}
	return cfg
}

// storeRetry retries a shard job whose work failed on a store error
// (disk full, a dropped connection) soon and steadily, rather than with
// River's default backoff that reaches days.
type storeRetry struct{}

func (storeRetry) NextRetry(job *rivertype.JobRow) time.Time {
	d := time.Duration(min(job.Attempt, 5)) * 2 * time.Second
	return time.Now().Add(d)
}

// Open opens (creating and migrating) the store named by dsn:
// "sqlite:PATH" or "postgres://...".
func openBackend(ctx context.Context, dsn string, o StoreOptions) (backend, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"), o)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn, o)
	}
	return nil, errors.New("the store must be sqlite:PATH or postgres://...")
}

// --- SQLite ---

type sqliteBackend struct {
	db     *sql.DB
	client *river.Client[*sql.Tx]
	path   string
	// incremental: the file vacuums incrementally (auto_vacuum), so
	// compact can shrink it; a store made by an earlier bridge does not
	// until `thereforebridge migrate` converts it (Vacuum).
	incremental bool
}

func openSQLite(ctx context.Context, path string, o StoreOptions) (*sqliteBackend, error) {
	if path == "" {
		return nil, errors.New("sqlite: needs a file path, e.g. sqlite:/var/lib/thereforebridge/deliveries.db")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the store's directory: %w", err)
		}
	}
	// One connection, as River's SQLite driver advises; WAL so readers do
	// not wait for the writer. Commits are synchronous=NORMAL (no fsync)
	// but for durableTx, which is FULL: an accepted change is on disk
	// before the SOAP answer (group commit makes that one fsync per batch),
	// and its fsync of the log also makes durable whatever was committed
	// before it. What a worker records may be lost to a power cut, and the
	// delivery is then made again, with the same change id.
	//
	// After a backlog the file would keep its largest size: a new store
	// vacuums incrementally (compact gives the pages of settled changes
	// back), and the log is cut back to journalLimit after a checkpoint.
	// (auto_vacuum first: once the file is in WAL mode, it is too late).
	dsn := "file:" + path + "?_pragma=auto_vacuum(INCREMENTAL)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_txlock=immediate" +
		"&_pragma=journal_size_limit(" + strconv.Itoa(journalLimit) + ")"
	db := sql.OpenDB(preparingConnector{dsn: dsn})
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	b := &sqliteBackend{db: db, path: path}
	var err error
	if b.incremental, err = b.vacuumMode(ctx, false); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if b.client, err = newClient(ctx, riversqlite.New(db), b, o); err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

// newClient migrates River's tables and the bridge's own in be, then
// makes the River client: the same steps on either database.
func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], be backend, o StoreOptions) (*river.Client[TTx], error) {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrating River's tables: %w", err)
	}
	if err := be.inTx(ctx, func(t txn) error { return migrate(ctx, t, be.postgres()) }); err != nil {
		return nil, err
	}
	return river.NewClient(driver, riverConfig(o, !be.postgres()))
}

// journalLimit is the size the log is cut back to after a checkpoint.
const journalLimit = 64 << 20

// compactStep and compactBudget bound compact: pages moved per statement
// (each is the one connection's, so calls wait for it), and the time spent
// in one call; compactMin is the free space it leaves alone.
const (
	compactStep   = 1024 // 4 MiB of pages
	compactBudget = 100 * time.Millisecond
	compactMin    = 1024
)

// vacuumMode reports whether the file vacuums incrementally (a new file
// does: the DSN says so before anything is written). With convert, a file
// that does not is made to: that rewrites it (VACUUM), which the migrate
// command does, with the bridge stopped.
func (b *sqliteBackend) vacuumMode(ctx context.Context, convert bool) (bool, error) {
	const incremental = 2
	var mode int
	if err := b.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return false, err
	}
	if mode == incremental || !convert {
		return mode == incremental, nil
	}
	if _, err := b.db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return false, err
	}
	if _, err := b.db.ExecContext(ctx, `VACUUM`); err != nil {
		return false, fmt.Errorf("rewriting the store to vacuum incrementally: %w", err)
	}
	err := b.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode)
	return mode == incremental, err
}

// compact moves the file's free pages to its end and cuts them off,
// compactStep at a time, while more than compactMin are free and within
// compactBudget; the file itself shrinks at the next checkpoint.
func (b *sqliteBackend) compact(ctx context.Context) error {
	if !b.incremental {
		return nil
	}
	for deadline := time.Now().Add(compactBudget); time.Now().Before(deadline); {
		var free int
		if err := b.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return err
		}
		if free <= compactMin {
			return nil
		}
		if _, err := b.db.ExecContext(ctx, `PRAGMA incremental_vacuum(`+strconv.Itoa(compactStep)+`)`); err != nil {
			return err
		}
	}
	return nil
}

// compact: Postgres's autovacuum keeps the space of deleted rows for reuse.
func (b *pgBackend) compact(context.Context) error { return nil }

func (b *sqliteBackend) postgres() bool   { return false }
func (b *sqliteBackend) describe() string { return "sqlite:" + b.path }

func (b *sqliteBackend) read(ctx context.Context, stmts ...stmt) error {
	return sqlStatements{b.db}.batch(ctx, stmts)
}

// sqlStatements runs statements on a database/sql DB (outside a
// transaction) or Tx, as they are: the connection keeps them prepared
// (preparingConnector).
type sqlStatements struct {
	on interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
}

func (st sqlStatements) exec(ctx context.Context, q string, args ...any) (int64, error) {
	r, err := st.on.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (st sqlStatements) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := st.on.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

// batch runs stmts in turn, one at a time: SQLite's batch.
func (st sqlStatements) batch(ctx context.Context, stmts []stmt) error {
	for _, s := range stmts {
		if s.scan == nil {
			if _, err := st.exec(ctx, s.q, s.args...); err != nil {
				return err
			}
			continue
		}
		r, err := st.query(ctx, s.q, s.args...)
		if err != nil {
			return err
		}
		for r.Next() {
			if err := s.scan(r); err != nil {
				r.Close()
				return err
			}
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *sqliteBackend) inTx(ctx context.Context, f func(txn) error) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return b.run(tx, f)
}

// run runs f in tx, then commits, or rolls back when f fails.
func (b *sqliteBackend) run(tx *sql.Tx, f func(txn) error) error {
	if err := f(&sqliteTxn{jobs: jobs[*riversqlite.Driver, *sql.Tx]{tx: tx, client: b.client}, sqlStatements: sqlStatements{tx}}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// durableTx runs f on the one connection held for the whole of it, with
// synchronous=FULL around the transaction, so no other statement runs in
// between and the commit is fsynced.
func (b *sqliteBackend) durableTx(ctx context.Context, f func(txn) error) error {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return b.run(tx, f)
}

func (b *sqliteBackend) start(ctx context.Context) error {
	// The embedded store belongs to one bridge: what a killed process left
	// running is nobody's now, so it is made available again at once
	// instead of after River's rescue delay.
	if _, err := b.db.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running' AND kind = ?`, shardArgs{}.Kind()); err != nil {
		return fmt.Errorf("releasing the jobs of a previous run: %w", err)
	}
	return b.client.Start(ctx)
}

func (b *sqliteBackend) stop(ctx context.Context) error { return b.client.Stop(ctx) }
func (b *sqliteBackend) close()                         { b.db.Close() }

// sqliteTxn is a SQLite transaction: its statements, and River's calls.
type sqliteTxn struct {
	jobs[*riversqlite.Driver, *sql.Tx]
	sqlStatements
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// --- Postgres ---

type pgBackend struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
	dsn    string
}

func openPostgres(ctx context.Context, dsn string, o StoreOptions) (*pgBackend, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("the postgres DSN does not parse: %s", config.RedactDSN(err.Error()))
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to postgres %s: %s", pc.ConnConfig.Host, config.RedactDSN(err.Error()))
	}
	b := &pgBackend{pool: pool, dsn: fmt.Sprintf("postgres://%s:%d/%s", pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database)}
	if b.client, err = newClient(ctx, riverpgxv5.New(pool), b, o); err != nil {
		pool.Close()
		return nil, err
	}
	return b, nil
}

func (b *pgBackend) postgres() bool   { return true }
func (b *pgBackend) describe() string { return b.dsn }

func (b *pgBackend) read(ctx context.Context, stmts ...stmt) error {
	return sendBatch(ctx, b.pool, stmts)
}

// inTx runs f in a transaction whose commit does not wait for the log to
// reach the disk, as the SQLite store's: what a worker records may be
// lost to a crash of the database server, and the delivery is then made
// again, with the same change id. That spares the server a sync per
// worker transaction.
func (b *pgBackend) inTx(ctx context.Context, f func(txn) error) error {
	return b.tx(ctx, false, f)
}

// durableTx runs f in a transaction that is on disk when it returns.
func (b *pgBackend) durableTx(ctx context.Context, f func(txn) error) error {
	return b.tx(ctx, true, f)
}

func (b *pgBackend) tx(ctx context.Context, durable bool, f func(txn) error) error {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	t := &pgTxn{conn: conn.Conn(), durable: durable}
	t.jobs = jobs[*riverpgxv5.Driver, pgx.Tx]{tx: connTx{conn.Conn()}, client: b.client}
	if err := f(t); err != nil {
		t.rollback(ctx)
		return err
	}
	if err := t.commit(ctx); err != nil {
		t.rollback(ctx)
		return err
	}
	return nil
}

func (b *pgBackend) start(ctx context.Context) error { return b.client.Start(ctx) }
func (b *pgBackend) stop(ctx context.Context) error  { return b.client.Stop(ctx) }
func (b *pgBackend) close()                          { b.pool.Close() }

// pgTxn is a transaction on one connection that costs as few round
// trips as its statements allow: BEGIN goes to the server with the first
// statements, a batch that only writes waits to go with the next that
// reads, or with COMMIT. The engine's transactions read, then write: two
// round trips, or one when they only write, instead of one for BEGIN, one
// per statement and one for COMMIT.
type pgTxn struct {
	jobs[*riverpgxv5.Driver, pgx.Tx]
	conn    *pgx.Conn
	durable bool
	begun   bool
	queued  []stmt
}

// send sends what is queued and stmts, after BEGIN when the transaction
// has not begun, and after them COMMIT when commit is set.
func (t *pgTxn) send(ctx context.Context, stmts []stmt, commit bool) error {
	b := &pgx.Batch{}
	if !t.begun {
		if commit && len(t.queued)+len(stmts) == 0 {
			return nil // nothing was done
		}
		b.Queue("BEGIN")
		if !t.durable {
			b.Queue("SET LOCAL synchronous_commit = off")
		}
	}
	queueStmts(b, t.queued)
	queueStmts(b, stmts)
	if commit {
		b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
			if ct.String() == "ROLLBACK" {
				return pgx.ErrTxCommitRollback
			}
			return nil
		})
	}
	t.begun, t.queued = true, nil
	return t.conn.SendBatch(ctx, b).Close()
}

// flush sends what is queued before a statement that runs on its own.
func (t *pgTxn) flush(ctx context.Context) error {
	if t.begun && len(t.queued) == 0 {
		return nil
	}
	return t.send(ctx, nil, false)
}

func (t *pgTxn) commit(ctx context.Context) error { return t.send(ctx, nil, true) }

// rollback ends a transaction that failed; a connection left in a
// transaction is closed by the pool rather than reused.
func (t *pgTxn) rollback(ctx context.Context) {
	if t.begun && !t.conn.IsClosed() && t.conn.PgConn().TxStatus() != 'I' {
		_, _ = t.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
}

func (t *pgTxn) batch(ctx context.Context, stmts []stmt) error {
	for _, s := range stmts {
		if s.scan != nil {
			return t.send(ctx, stmts, false)
		}
	}
	t.queued = append(t.queued, stmts...)
	return nil
}

func (t *pgTxn) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if err := t.flush(ctx); err != nil {
		return 0, err
	}
	tag, err := t.conn.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (t *pgTxn) query(ctx context.Context, q string, args ...any) (rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	r, err := t.conn.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (t *pgTxn) insertJobs(ctx context.Context, as []shardArgs) ([]int64, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.jobs.insertJobs(ctx, as)
}

func (t *pgTxn) retryJob(ctx context.Context, id int64) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	return t.jobs.retryJob(ctx, id)
}

func (t *pgTxn) completeJob(ctx context.Context, job *river.Job[shardArgs]) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	return t.jobs.completeJob(ctx, job)
}

// connTx is the transaction a pgTxn's connection is in, as River's
// functions that work inside a caller's transaction take it (pgx.Tx). The
// pgTxn begins, commits and rolls back; River only runs statements in it.
type connTx struct{ c *pgx.Conn }

var errConnTx = errors.New("delivery: the engine's transaction is begun and ended by the engine")

func (connTx) Begin(context.Context) (pgx.Tx, error) { return nil, errConnTx }
func (connTx) Commit(context.Context) error          { return errConnTx }
func (connTx) Rollback(context.Context) error        { return errConnTx }
func (t connTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.c.CopyFrom(ctx, table, cols, src)
}
func (t connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}
func (t connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} } // unused by River
func (t connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.c.Prepare(ctx, name, sql)
}
func (t connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.c.Exec(ctx, sql, args...)
}
func (t connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.c.Query(ctx, sql, args...)
}
func (t connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}
func (t connTx) Conn() *pgx.Conn { return t.c }

// rebind turns ? placeholders into $1, $2, ...
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// jobs is what a transaction asks of River, the same for both databases:
// the driver and transaction types are all that differ.
type jobs[TDriver riverdriver.Driver[TTx], TTx any] struct {
	tx     TTx
	client *river.Client[TTx]
}

// insertJobs inserts a job per shard, all in one statement (one round
// trip to Postgres), and returns their ids in the order of as, which
// holds each shard once.
func (j jobs[TDriver, TTx]) insertJobs(ctx context.Context, as []shardArgs) ([]int64, error) {
	params := make([]river.InsertManyParams, len(as))
	for i, a := range as {
		params[i] = river.InsertManyParams{Args: a, InsertOpts: &river.InsertOpts{Queue: queueOf(a.Vendor)}}
	}
	res, err := j.client.InsertManyTx(ctx, j.tx, params)
	if err != nil {
		return nil, err
	}
	// The rows come back in no promised order: each is matched to its
	// shard by its arguments.
	byShard := make(map[shardArgs]int64, len(res))
	for _, r := range res {
		var a shardArgs
		if err := json.Unmarshal(r.Job.EncodedArgs, &a); err != nil {
			return nil, fmt.Errorf("a job river inserted: %w", err)
		}
		byShard[a] = r.Job.ID
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		id, ok := byShard[a]
		if !ok {
			return nil, fmt.Errorf("river did not insert the job of %s shard %d", a.Vendor, a.Shard)
		}
		ids[i] = id
	}
	return ids, nil
}

func (j jobs[TDriver, TTx]) retryJob(ctx context.Context, id int64) error {
	_, err := j.client.JobRetryTx(ctx, j.tx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil
	}
	return err
}

func (j jobs[TDriver, TTx]) completeJob(ctx context.Context, job *river.Job[shardArgs]) error {
	_, err := river.JobCompleteTx[TDriver](ctx, j.tx, job)
	return err
}
