package users

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// kataPool gives the test a pool whose connections see only a schema of its own (search_path),
// holding a fresh users table; the schema is dropped when the test ends, so parallel and
// repeated runs never see each other's rows.
func kataPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: the grader hands the tests the URL of PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	schema := fmt.Sprintf("kata_crud_%d_%s", os.Getpid(), hex.EncodeToString(suffix))
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open a pool: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
			_ = conn.Close(ctx)
		}
	})
	if _, err := pool.Exec(ctx, `CREATE TABLE users (
		id    bigserial PRIMARY KEY,
		email text NOT NULL UNIQUE,
		name  text NOT NULL
	)`); err != nil {
		t.Fatalf("create table users: %v", err)
	}
	return pool
}

// tableRows reads the users table directly, ordered by id.
func tableRows(t *testing.T, pool *pgxpool.Pool) []User {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT id, email, name FROM users ORDER BY id")
	if err != nil {
		t.Fatalf("read the users table: %v (was it dropped?)", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
		var u User
		return u, r.Scan(&u.ID, &u.Email, &u.Name)
	})
	if err != nil {
		t.Fatalf("read the users table: %v", err)
	}
	return out
}
