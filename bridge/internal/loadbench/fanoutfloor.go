package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"

	_ "modernc.org/sqlite" // the bridge's SQLite, so that the floor pays what the bridge's store pays
)

// fanoutFloor is the "fan-out floor": the least work any Go server can do
// for what "bridge + 4 instant vendors" does with an OOF call, with the
// bridge's own building blocks, and nothing more. It reads the body,
// commits it to SQLite (the bridge's driver, WAL, synchronous=FULL, group
// commit, one row per call), makes the seven requests the four vendors'
// APIs need for it (grommunio's PUT resets what it is not sent, so its
// state and its delegates are each read before they are written:
// vendors.md), four vendors at once over net/http with keep-alive, each
// with the headers its API wants and a body of the size the bridge sends,
// deletes the row in the next commit, and answers floorResponse.
//
// It decodes nothing, validates nothing, keeps no per-vendor state, logs
// nothing and retries nothing: what it adds over the floor is what a
// durable fan-out to these APIs costs at the least on this machine, a
// bound under the bridge's own "four instant vendors over SOAP only".
type fanoutFloor struct {
	db      *sql.DB
	client  *http.Client
	base    string // the instant vendors' address, http://host:port
	ops     chan floorOp
	stopped chan struct{}
	wg      sync.WaitGroup
}

// floorOp is one statement for the committer: an insert (its answer is
// the row's id) or a delete (nobody waits for it).
type floorOp struct {
	body   []byte // insert this
	delete int64  // or delete this row
	done   chan floorResult
}

type floorResult struct {
	id  int64
	err error
}

// floorRequest is one request the fan-out floor makes per call.
type floorRequest struct {
	method, path string
	header       map[string]string
	body         []byte
	signed       bool // signed as the webhook adapter signs (X-Bridge-Timestamp, X-Bridge-Signature)
}

// floorVendors are the floor's requests per call, one list per vendor
// (made in turn; the vendors at once), as the bridge's adapters make them
// to the instant vendors for the OOF envelope, their sizes included.
var floorVendors = [][]floorRequest{
	{ // grommunio: read and write the state, read and write the delegates
		{method: http.MethodGet, path: "/grommunio/api/v1/domains/1/users/7/oof", header: map[string]string{"Cookie": "grommunioAuthJwt=bench.jwt.token"}},
		{method: http.MethodPut, path: "/grommunio/api/v1/domains/1/users/7/oof", header: map[string]string{"Cookie": "grommunioAuthJwt=bench.jwt.token", "X-Csrf-Token": "bench"},
			body: []byte(`{"externalReply":"Thank you for your message. John Doe is out of the office and will answer it after returning.","externalSubject":"Out of Office","internalReply":"John Doe is out of the office and will answer your message after returning.","internalSubject":"Out of Office","state":1}`)},
		{method: http.MethodGet, path: "/grommunio/api/v1/domains/1/users/7/delegates", header: map[string]string{"Cookie": "grommunioAuthJwt=bench.jwt.token"}},
		{method: http.MethodPut, path: "/grommunio/api/v1/domains/1/users/7/delegates", header: map[string]string{"Cookie": "grommunioAuthJwt=bench.jwt.token", "X-Csrf-Token": "bench"},
			body: []byte(`["asmith@example.com","bwong@example.com"]`)},
	},
	{ // SuperOffice: the presence status
		{method: http.MethodPut, path: "/superoffice/api/v1/User/7/UserPresenceStatus", header: map[string]string{"Authorization": "Basic YnJpZGdlOmJlbmNo"},
			body: []byte(`{"Status":"StatusNotAvailable","Message":"John Doe is out of the office (since 2026-12-01)"}`)},
	},
	{ // Therefore REST: the operation
		{method: http.MethodPost, path: "/therefore/theservice/v0001/restun/SaveOutOfOfficeInfoForUser", header: map[string]string{"Authorization": "Basic YnJpZGdlOmJlbmNo"},
			body: []byte(`{"DelegateUsersToAdd":[{"DomainName":"CORP","UserName":"asmith","UserType":1},{"DomainName":"CORP","UserName":"bwong","UserType":1}],"DelegateUsersToDelete":[],"IsOutOfOfficeEnabled":true,"User":{"DomainName":"CORP","UserName":"jdoe","UserType":1}}`)},
	},
	{ // the webhook: the event, signed
		{method: http.MethodPost, path: "/webhook/events", signed: true,
			body: []byte(`{"id":"01a23081-4dbe-784c-8f92-d84b44da7cbd","operation":"SaveOutOfOfficeInfoForUser","request_id":"578fa05e633b11115d868deb","params":{"DelegateUsersToAdd":{"WSUserUniversalIdentifier":[{"DomainName":"CORP","UserName":"asmith","UserType":"SingleUser"},{"DomainName":"CORP","UserName":"bwong","UserType":"SingleUser"}]},"IsOutOfOfficeEnabled":true,"User":{"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"}},"out_of_office":{"User":{"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"},"Enabled":true,"Delegates":{"Add":[{"DomainName":"CORP","UserName":"asmith","UserType":"SingleUser"},{"DomainName":"CORP","UserName":"bwong","UserType":"SingleUser"}]}}}`)},
	},
}

// newFanoutFloor opens (creating) the floor's store at path and starts
// its committer; vendors is the instant vendors' base URL.
func newFanoutFloor(path, vendors string) (*fanoutFloor, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS call (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("the fan-out floor's store %s: %w", path, err)
	}
	f := &fanoutFloor{db: db, base: vendors, ops: make(chan floorOp, 1024), stopped: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 10 * time.Second}}
	f.wg.Add(1)
	go f.commitLoop()
	return f, nil
}

// Close stops the committer once what is queued is committed.
func (f *fanoutFloor) Close() error {
	close(f.stopped)
	f.wg.Wait()
	return f.db.Close()
}

// ServeHTTP is the floor's SOAP endpoint.
func (f *fanoutFloor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	done := make(chan floorResult, 1)
	f.ops <- floorOp{body: body, done: done}
	res := <-done
	if res.err != nil {
		http.Error(w, "storing the call: "+res.err.Error(), http.StatusInternalServerError)
		return
	}
	errs := make(chan error, len(floorVendors))
	for _, reqs := range floorVendors {
		go func() { errs <- f.deliver(r.Context(), reqs) }()
	}
	for range floorVendors {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return // the row stays: it was not delivered
	}
	f.ops <- floorOp{delete: res.id}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, floorResponse)
}

// deliver makes one vendor's requests in turn.
func (f *fanoutFloor) deliver(ctx context.Context, reqs []floorRequest) error {
	for _, fr := range reqs {
		var body io.Reader
		if fr.body != nil {
			body = bytes.NewReader(fr.body)
		}
		req, err := http.NewRequestWithContext(ctx, fr.method, f.base+fr.path, body)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/json")
		if fr.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range fr.header {
			req.Header.Set(k, v)
		}
		if fr.signed {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			req.Header.Set("X-Bridge-Timestamp", ts)
			req.Header.Set("X-Bridge-Signature", webhook.Sign(stubSecret, ts, fr.body))
		}
		resp, err := f.client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: %s", fr.method, fr.path, resp.Status)
		}
	}
	return nil
}

// commitLoop is group commit, as the bridge's: the inserts queued when a
// transaction starts share it, one fsync for the lot. A delete waits for
// the next insert's transaction: nobody waits for it, and lost to a crash
// it would only mean a delivery made again (the bridge commits its
// workers' records without a sync for the same reason).
func (f *fanoutFloor) commitLoop() {
	defer f.wg.Done()
	var inserts []floorOp
	var deletes []int64
	take := func(op floorOp) {
		if op.done == nil {
			deletes = append(deletes, op.delete)
		} else {
			inserts = append(inserts, op)
		}
	}
	for {
		select {
		case op := <-f.ops:
			take(op)
		case <-f.stopped:
			for {
				select {
				case op := <-f.ops:
					take(op)
				default:
					f.commit(inserts, deletes)
					return
				}
			}
		}
		if len(inserts) == 0 {
			continue
		}
		// Take what is queued, and yield while that brings more, as the
		// bridge's committer does: on one busy core, the callers the last
		// commit answered get as far as the queue first.
		for yields := 0; len(inserts) < 128; yields++ {
			n := len(inserts) + len(deletes)
		fill:
			for len(inserts) < 128 {
				select {
				case op := <-f.ops:
					take(op)
				default:
					break fill
				}
			}
			if yields > 0 && len(inserts)+len(deletes) == n || yields == 4 {
				break
			}
			runtime.Gosched()
		}
		f.commit(inserts, deletes)
		clear(inserts)
		inserts, deletes = inserts[:0], deletes[:0]
	}
}

// commit runs the inserts and deletes in one transaction and answers the
// inserts.
func (f *fanoutFloor) commit(inserts []floorOp, deletes []int64) {
	if len(inserts)+len(deletes) == 0 {
		return
	}
	ids := make([]int64, len(inserts))
	err := func() error {
		tx, err := f.db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, id := range deletes {
			if _, err := tx.Exec(`DELETE FROM call WHERE id = ?`, id); err != nil {
				return err
			}
		}
		for i, op := range inserts {
			r, err := tx.Exec(`INSERT INTO call (body) VALUES (?)`, op.body)
			if err != nil {
				return err
			}
			if ids[i], err = r.LastInsertId(); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	for i, op := range inserts {
		op.done <- floorResult{id: ids[i], err: err}
	}
}
