package migrations

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// shopDB is one test's own schema. open() gives *sql.DB handles (pgx's database/sql driver,
// as a service would open them) whose connections see only that schema; admin reads it.
// Everything is dropped when the test ends.
type shopDB struct {
	t      *testing.T
	url    string
	schema string
	admin  *pgxpool.Pool
	mu     sync.Mutex
	dbs    []*sql.DB
}

func newShopDB(t *testing.T) *shopDB {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: the grader hands the tests the URL of PostgreSQL")
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	s := &shopDB{t: t, url: url, schema: fmt.Sprintf("kata_mig_%d_%s", os.Getpid(), hex.EncodeToString(suffix))}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+s.schema)
	_ = conn.Close(ctx)
	if err != nil {
		t.Fatalf("create schema %s: %v", s.schema, err)
	}
	t.Cleanup(s.cleanup)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = s.schema
	cfg.ConnConfig.RuntimeParams["application_name"] = s.schema + "_admin"
	cfg.MaxConns = 4
	if s.admin, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		t.Fatalf("open a pool: %v", err)
	}
	return s
}

// open returns a *sql.DB on the test's schema, as a service opens it: pgx's database/sql driver.
func (s *shopDB) open() *sql.DB {
	s.t.Helper()
	cfg, err := pgx.ParseConfig(s.url)
	if err != nil {
		s.t.Fatalf("parse DATABASE_URL: %v", err)
	}
	cfg.RuntimeParams["search_path"] = s.schema
	cfg.RuntimeParams["application_name"] = s.schema
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(4)
	s.mu.Lock()
	s.dbs = append(s.dbs, db)
	s.mu.Unlock()
	return db
}

// cleanup ends the test's connections (a runner stuck on a lock keeps its own), its handles
// and its schema.
func (s *shopDB) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", s.schema)
	s.mu.Lock()
	dbs := s.dbs
	s.mu.Unlock()
	for _, db := range dbs {
		_ = db.Close()
	}
	if s.admin != nil {
		s.admin.Close()
	}
	_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+s.schema+" CASCADE")
}

func (s *shopDB) exec(sql string, args ...any) error {
	_, err := s.admin.Exec(context.Background(), sql, args...)
	return err
}

func (s *shopDB) mustExec(sql string, args ...any) {
	s.t.Helper()
	if err := s.exec(sql, args...); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
}

// recorded reads the versions goose recorded as applied (goose_db_version, without its row 0), in
// the order they were applied; nil when goose never ran here.
func (s *shopDB) recorded() []int64 {
	s.t.Helper()
	ctx := context.Background()
	var exists bool
	if err := s.admin.QueryRow(ctx, "SELECT to_regclass('goose_db_version') IS NOT NULL").Scan(&exists); err != nil {
		s.t.Fatalf("look for goose_db_version: %v", err)
	}
	if !exists {
		return nil
	}
	rows, err := s.admin.Query(ctx, "SELECT version_id FROM goose_db_version WHERE version_id > 0 AND is_applied ORDER BY id")
	if err != nil {
		s.t.Fatalf("read goose_db_version: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		s.t.Fatalf("read goose_db_version: %v", err)
	}
	return out
}

// schemaObjects lists what the migrations made in the test's schema (goose's own table left
// out): columns with type, nullability and default, indexes, constraints, functions, triggers.
func (s *shopDB) schemaObjects() []string {
	s.t.Helper()
	rows, err := s.admin.Query(context.Background(), `
		SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
		       || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
		       || coalesce(' DEFAULT ' || column_default, '')
		  FROM information_schema.columns WHERE table_schema = $1 AND table_name <> 'goose_db_version'
		UNION ALL
		SELECT 'index ' || replace(pg_get_indexdef(i.indexrelid), $1 || '.', '')
		       || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END
		  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		 WHERE c.relnamespace = $1::regnamespace AND i.indrelid <> to_regclass('goose_db_version')::oid
		UNION ALL
		SELECT 'constraint on ' || conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
		  FROM pg_constraint WHERE connamespace = $1::regnamespace AND conrelid <> coalesce(to_regclass('goose_db_version')::oid, 0)
		UNION ALL
		SELECT 'function ' || proname || '()' FROM pg_proc WHERE pronamespace = $1::regnamespace
		UNION ALL
		SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text
		  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		 WHERE NOT t.tgisinternal AND c.relnamespace = $1::regnamespace
		UNION ALL
		SELECT 'sequence ' || relname FROM pg_class
		 WHERE relkind = 'S' AND relnamespace = $1::regnamespace AND relname NOT LIKE 'goose\_db\_version%'
		ORDER BY 1`, s.schema)
	if err != nil {
		s.t.Fatalf("read the schema: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		s.t.Fatalf("read the schema: %v", err)
	}
	return out
}

// diff says what two schema listings do not share, for a message.
func diff(got, want []string) string {
	var extra, missing []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	var parts []string
	if len(extra) > 0 {
		parts = append(parts, "left behind or added: "+strings.Join(extra, "; "))
	}
	if len(missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(missing, "; "))
	}
	return strings.Join(parts, "; ")
}

// upTo is fsys with only its migrations of version max or lower: the state of the repository
// before the newer files were written.
func upTo(t *testing.T, fsys fs.FS, max int64) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("Files holds no .sql migration (%v): embed them with //go:embed *.sql", err)
	}
	for _, name := range names {
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: its name must start with its version and an underscore, e.g. 00001_create_users.sql", name)
		}
		if v > max {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatalf("read %s from Files: %v", name, err)
		}
		out[name] = &fstest.MapFile{Data: data}
	}
	return out
}

// migrate calls Migrate and checks that it left db open: the handle belongs to the caller.
func migrate(t *testing.T, ctx context.Context, db *sql.DB, fsys fs.FS, call string) ([]int64, error) {
	t.Helper()
	applied, err := Migrate(ctx, db, fsys)
	expectOpen(t, db, call, err)
	return applied, err
}

func rollback(t *testing.T, ctx context.Context, db *sql.DB, fsys fs.FS, call string) (int64, error) {
	t.Helper()
	v, err := Rollback(ctx, db, fsys)
	expectOpen(t, db, call, err)
	return v, err
}

func expectOpen(t *testing.T, db *sql.DB, call string, err error) {
	t.Helper()
	if perr := db.PingContext(context.Background()); perr != nil && strings.Contains(perr.Error(), "database is closed") {
		t.Fatalf("%s returned %v and closed db: the *sql.DB belongs to the caller, who goes on using it. goose.Provider.Close closes the db it was given: do not call it", call, err)
	}
}

// describe prints an error for a message, with what goose says of a failed SQL migration.
func describe(err error) string {
	if err == nil {
		return "nil"
	}
	msg := err.Error()
	if strings.Contains(msg, "dollar-quoted") || strings.Contains(msg, "unterminated") {
		msg += " (a function body holds semicolons: wrap the whole CREATE FUNCTION in -- +goose StatementBegin / -- +goose StatementEnd, or goose cuts it at the first ;)"
	}
	return msg
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func sqlState(err error) string {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState()
	}
	return ""
}

// waiters counts the test's runner connections waiting at the gate (an advisory lock the test
// holds), and those waiting their turn otherwise: on another lock, or idle after asking for an
// advisory lock they did not get (goose's session locker asks again every few seconds).
func (s *shopDB) waiters(ctx context.Context, gate int64) (atGate, others int) {
	s.t.Helper()
	err := s.admin.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE l.pid IS NOT NULL AND l.locktype = 'advisory' AND l.objid::bigint = $2 AND l.classid::bigint = 0),
		       count(*) FILTER (WHERE (l.pid IS NOT NULL AND NOT (l.locktype = 'advisory' AND l.objid::bigint = $2 AND l.classid::bigint = 0))
		                           OR (l.pid IS NULL AND a.state = 'idle' AND a.query ILIKE '%advisory%lock%'))
		  FROM pg_stat_activity a
		  LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
		 WHERE a.application_name = $1 AND a.datname = current_database()`, s.schema, gate).Scan(&atGate, &others)
	if err != nil {
		s.t.Fatalf("read pg_stat_activity: %v", err)
	}
	return atGate, others
}
