package bank

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

const (
	startBalance = 1000
	accountCount = 10
)

// bankDB is one test's own schema: the accounts and transfers tables, ten accounts with
// 1000 each, and a ledger that fails on demand (amount 13). pool(n) opens pools whose
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
	b := &bankDB{t: t, url: url, schema: fmt.Sprintf("kata_tx_%d_%s", os.Getpid(), hex.EncodeToString(suffix))}
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
		CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL);
		CREATE TABLE transfers (
			id         bigserial PRIMARY KEY,
			from_id    bigint NOT NULL REFERENCES accounts,
			to_id      bigint NOT NULL REFERENCES accounts,
			amount     bigint NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now());
		-- A ledger that fails on demand: amount 13 stands for "the last statement of the transaction broke".
		CREATE FUNCTION ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.amount = 13 THEN RAISE EXCEPTION 'ledger is down'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER ledger_guard BEFORE INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION ledger_guard();
		INSERT INTO accounts SELECT g, 'owner ' || g, 1000 FROM generate_series(1, 10) AS g;`); err != nil {
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

// balances reads every account's balance, ordered by id.
func (b *bankDB) balances() []int64 {
	b.t.Helper()
	rows, err := b.admin.Query(context.Background(), "SELECT balance FROM accounts ORDER BY id")
	if err != nil {
		b.t.Fatalf("read balances: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.t.Fatalf("read balances: %v", err)
	}
	return out
}

// ledgerRows counts the rows of transfers.
func (b *bankDB) ledgerRows() int {
	b.t.Helper()
	var n int
	if err := b.admin.QueryRow(context.Background(), "SELECT count(*) FROM transfers").Scan(&n); err != nil {
		b.t.Fatalf("count transfers: %v", err)
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

func untouched() []int64 {
	out := make([]int64, accountCount)
	for i := range out {
		out[i] = startBalance
	}
	return out
}
