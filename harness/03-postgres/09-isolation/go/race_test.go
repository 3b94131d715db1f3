package isolation

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Deterministic interleavings on real connections: the DB handed to Transfer runs every
// statement through before/after hooks, so one chosen statement waits until the other
// call has made its move. Nothing is mocked; only the timing is steered.

type hooks struct {
	before func(sql string)
	after  func(sql string)
}

type hookedDB struct {
	pool *pgxpool.Pool
	h    hooks
}

func (d *hookedDB) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &hookedTx{Tx: tx, h: d.h}, nil
}

func (d *hookedDB) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	tx, err := d.pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &hookedTx{Tx: tx, h: d.h}, nil
}

func (d *hookedDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return hookedExec(d.h, sql, func() (pgconn.CommandTag, error) { return d.pool.Exec(ctx, sql, args...) })
}

func (d *hookedDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return hookedQuery(d.h, sql, func() (pgx.Rows, error) { return d.pool.Query(ctx, sql, args...) })
}

func (d *hookedDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	d.h.before(sql)
	return &hookedRow{row: d.pool.QueryRow(ctx, sql, args...), sql: sql, h: d.h}
}

type hookedTx struct {
	pgx.Tx
	h hooks
}

func (t *hookedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return hookedExec(t.h, sql, func() (pgconn.CommandTag, error) { return t.Tx.Exec(ctx, sql, args...) })
}

func (t *hookedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return hookedQuery(t.h, sql, func() (pgx.Rows, error) { return t.Tx.Query(ctx, sql, args...) })
}

func (t *hookedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	t.h.before(sql)
	return &hookedRow{row: t.Tx.QueryRow(ctx, sql, args...), sql: sql, h: t.h}
}

func hookedExec(h hooks, sql string, run func() (pgconn.CommandTag, error)) (pgconn.CommandTag, error) {
	h.before(sql)
	tag, err := run()
	h.after(sql)
	return tag, err
}

func hookedQuery(h hooks, sql string, run func() (pgx.Rows, error)) (pgx.Rows, error) {
	h.before(sql)
	rows, err := run()
	if err != nil {
		h.after(sql)
		return rows, err
	}
	return &hookedRows{Rows: rows, sql: sql, h: h}, nil
}

// hookedRow: the statement has answered once Scan returns.
type hookedRow struct {
	row pgx.Row
	sql string
	h   hooks
}

func (r *hookedRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	r.h.after(r.sql)
	return err
}

// hookedRows: the statement has answered once the rows are read or closed.
type hookedRows struct {
	pgx.Rows
	sql  string
	h    hooks
	done bool
}

func (r *hookedRows) finish() {
	if !r.done {
		r.done = true
		r.h.after(r.sql)
	}
}

func (r *hookedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.finish()
	return false
}

func (r *hookedRows) Close() {
	r.Rows.Close()
	r.finish()
}

var touchesAccounts = regexp.MustCompile(`(?i)\baccounts\b`)

type raceResult struct {
	first, second error
	// secondReadWhilePaused: the second call got its own look at the accounts while the
	// first was paused between its read and its write.
	secondReadWhilePaused bool
	// secondBlocked: the second call waited on a lock the first one held.
	secondBlocked bool
}

// forceRace forces the check-then-act race between two calls. The first runs until its
// first statement on accounts (its read, its lock or its atomic update) has answered; its
// next statement is held. The second then runs until its own first statement on accounts has
// answered, or until its connection waits on a lock the first holds, or it ends. Then the
// first goes on. A correct design makes the second wait (or retry); a read-then-write without
// a lock lets both act on the same old balance, every time.
func forceRace(b *bankDB, first, second func(DB) error) raceResult {
	var (
		mu            sync.Mutex
		phase         = "first" // first → held → second-running → released
		firstTouched  bool
		secondDone    bool
		firstReached  = make(chan struct{})
		resume        = make(chan struct{})
		secondSettled = make(chan struct{})
		res           raceResult
	)
	h := hooks{
		before: func(sql string) {
			mu.Lock()
			hold := phase == "first" && firstTouched && strings.TrimSpace(sql) != ""
			if hold {
				phase = "held"
				close(firstReached)
			}
			mu.Unlock()
			if hold {
				<-resume
			}
		},
		after: func(sql string) {
			if !touchesAccounts.MatchString(sql) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case phase == "first":
				firstTouched = true
			case phase == "second-running" && !secondDone:
				secondDone = true
				res.secondReadWhilePaused = true
			}
		},
	}
	db := &hookedDB{pool: b.pool(4), h: h}
	firstDone := make(chan struct{})
	go func() {
		defer close(firstDone)
		res.first = first(db)
	}()
	// Either the first call reached its pause, or it ended without one (it failed early).
	select {
	case <-firstReached:
	case <-firstDone:
	}
	mu.Lock()
	paused := phase == "held"
	if paused {
		phase = "second-running"
	} else {
		phase = "released"
	}
	mu.Unlock()
	go func() {
		defer close(secondSettled)
		res.second = second(db)
	}()
	if paused {
		// A safety net for a wedged run, never a verdict: a correct call gets here in milliseconds.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			done := secondDone
			mu.Unlock()
			if done {
				break
			}
			select {
			case <-secondSettled:
			default:
				if b.lockWaiters() > 0 {
					res.secondBlocked = true
				} else {
					time.Sleep(5 * time.Millisecond)
					continue
				}
			}
			break
		}
		mu.Lock()
		phase = "released"
		mu.Unlock()
		close(resume)
	}
	<-firstDone
	<-secondSettled
	return res
}

// writeSkew runs GoOffCall for alice and bob of one shift so that both have read on_call
// before either writes: each call's first statement after its read waits until the other has
// read too, or until one of them waits on a lock (a design that locks what it reads is
// ordered by the lock instead). Retried attempts run freely once the gate is open.
func writeSkew(b *bankDB, call func(db DB, doctor string) (bool, error)) (left [2]bool, errs [2]error) {
	var (
		mu     sync.Mutex
		read   [2]bool
		open   = make(chan struct{})
		opened bool
	)
	release := func() {
		if !opened {
			opened = true
			close(open)
		}
	}
	pool := b.pool(4)
	var wg sync.WaitGroup
	for i, doctor := range []string{"alice", "bob"} {
		db := &hookedDB{pool: pool, h: hooks{
			before: func(sql string) {
				mu.Lock()
				wait := read[i] && !opened
				mu.Unlock()
				if wait {
					<-open
				}
			},
			after: func(sql string) {
				if !strings.Contains(strings.ToLower(sql), "on_call") {
					return
				}
				mu.Lock()
				read[i] = true
				if read[0] && read[1] {
					release()
				}
				mu.Unlock()
			},
		}}
		wg.Go(func() { left[i], errs[i] = call(db, doctor) })
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	// A safety net for a wedged run, never a verdict: a correct design passes the gate in milliseconds.
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			return left, errs
		case <-time.After(5 * time.Millisecond):
		}
		if b.lockWaiters() > 0 || time.Now().After(deadline) {
			mu.Lock()
			release()
			mu.Unlock()
		}
	}
}
