package isolation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// bankDB is one test's own schema: accounts 1 and 2 with a balance of 100, and the on_call
// table with shifts 1 to 3, each with alice and bob on call. pool(n) opens pools whose
// connections see only this schema; everything is dropped when the test ends.
type bankDB struct {
	t      *testing.T
	url    string
	schema string
	admin  *pgxpool.Pool
	mu     sync.Mutex
	pools  []*pgxpool.Pool
}

func newBankDB(t *testing.T) *bankDB {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: the grader hands the tests the URL of PostgreSQL")
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	b := &bankDB{t: t, url: url, schema: fmt.Sprintf("kata_iso_%d_%s", os.Getpid(), hex.EncodeToString(suffix))}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+b.schema)
	_ = conn.Close(ctx)
	if err != nil {
		t.Fatalf("create schema %s: %v", b.schema, err)
	}
	t.Cleanup(b.cleanup)
	b.admin = b.pool(4)
	if _, err := b.admin.Exec(ctx, `
		CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
		CREATE TABLE on_call (shift_id bigint NOT NULL, doctor text NOT NULL, on_call boolean NOT NULL,
		                      PRIMARY KEY (shift_id, doctor));
		INSERT INTO accounts VALUES (1, 100), (2, 100);
		INSERT INTO on_call SELECT s, d, true FROM generate_series(1, 3) AS s, unnest(ARRAY['alice', 'bob']) AS d;`); err != nil {
		t.Fatalf("create the bank tables: %v", err)
	}
	return b
}

// pool opens a pool of at most max connections on the test's schema, closed when the test ends.
// Its connections detect a deadlock after 50 ms instead of 1 s, so a deadlock fails fast.
func (b *bankDB) pool(max int32) *pgxpool.Pool {
	b.t.Helper()
	cfg, err := pgxpool.ParseConfig(b.url)
	if err != nil {
		b.t.Fatalf("parse DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = b.schema
	cfg.ConnConfig.RuntimeParams["application_name"] = b.schema
	cfg.ConnConfig.RuntimeParams["deadlock_timeout"] = "50ms"
	cfg.MaxConns = max
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.t.Fatalf("open a pool: %v", err)
	}
	b.mu.Lock()
	b.pools = append(b.pools, p)
	b.mu.Unlock()
	return p
}

// cleanup ends the test's connections, its pools and its schema. A transfer that never ended
// its transaction keeps its connection (and its row locks) forever, and pgxpool's Close waits
// for every connection: so the backends are terminated first and Close is not waited for long.
func (b *bankDB) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, b.url)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", b.schema)
	b.mu.Lock()
	pools := b.pools
	b.mu.Unlock()
	closed := make(chan struct{})
	go func() {
		for _, p := range pools {
			p.Close()
		}
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
	}
	_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+b.schema+" CASCADE")
}

// balance reads one account's balance.
func (b *bankDB) balance(id int64) int64 {
	b.t.Helper()
	var v int64
	if err := b.admin.QueryRow(context.Background(), "SELECT balance FROM accounts WHERE id = $1", id).Scan(&v); err != nil {
		b.t.Fatalf("read the balance of account %d: %v", id, err)
	}
	return v
}

// onCall counts the doctors on call for a shift.
func (b *bankDB) onCall(shift int64) int {
	b.t.Helper()
	var n int
	if err := b.admin.QueryRow(context.Background(), "SELECT count(*) FROM on_call WHERE shift_id = $1 AND on_call", shift).Scan(&n); err != nil {
		b.t.Fatalf("count doctors on call: %v", err)
	}
	return n
}

func (b *bankDB) exec(sql string, args ...any) {
	b.t.Helper()
	if _, err := b.admin.Exec(context.Background(), sql, args...); err != nil {
		b.t.Fatalf("%s: %v", sql, err)
	}
}

// lockWaiters counts this test's backends that wait for a lock another transaction holds:
// the proof that a row lock, not luck, is ordering two transfers.
func (b *bankDB) lockWaiters() int {
	var n int
	err := b.admin.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'", b.schema).Scan(&n)
	if err != nil {
		b.t.Errorf("read pg_stat_activity: %v", err)
	}
	return n
}
