package migrations

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
)

func migration(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n\n-- +goose Down\n" + down + "\n")}
}

// failedVersion is the version goose reports as failed in err, and whether err carries it.
func failedVersion(err error) (int64, bool) {
	var partial *goose.PartialError
	if errors.As(err, &partial) && partial.Failed != nil && partial.Failed.Source != nil {
		return partial.Failed.Source.Version, true
	}
	return 0, false
}

func TestMigrate(t *testing.T) {
	t.Run("applies 00001, 00002 and 00003 to an empty database and records each in goose_db_version", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		applied, err := migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)")
		if err != nil || !reflect.DeepEqual(applied, []int64{1, 2, 3}) {
			t.Fatalf("Migrate(ctx, db, Files) on an empty database = %v, %s; want [1 2 3], nil", applied, describe(err))
		}
		if got := s.recorded(); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
			t.Errorf("versions recorded in goose_db_version = %v, want [1 2 3]", got)
		}
	})
	t.Run("builds the tables, constraints, index and trigger of README.md", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		if applied, err := migrate(t, ctx, s.open(), Files, "Migrate(ctx, db, Files)"); err != nil {
			t.Fatalf("Migrate(ctx, db, Files) = %v, %s; want [1 2 3], nil", applied, describe(err))
		}
		checkShopSchema(t, s)
	})
	t.Run("a second Migrate applies nothing and changes nothing", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		if applied, err := migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)"); err != nil {
			t.Fatalf("Migrate(ctx, db, Files) = %v, %s; want [1 2 3], nil", applied, describe(err))
		}
		before := s.schemaObjects()
		again, err := migrate(t, ctx, s.open(), Files, "a second Migrate(ctx, db, Files)")
		if err != nil || len(again) != 0 {
			t.Fatalf("a second Migrate(ctx, db, Files) = %v, %s; want no versions and nil: everything is applied already", again, describe(err))
		}
		if got := s.recorded(); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
			t.Errorf("versions recorded after the second Migrate = %v, want [1 2 3]", got)
		}
		if d := diff(s.schemaObjects(), before); d != "" {
			t.Errorf("the second Migrate changed the schema: %s", d)
		}
	})
	t.Run("applies only what is pending: versions 1 and 2, then 3 once its file exists", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		applied, err := migrate(t, ctx, db, upTo(t, Files, 2), "Migrate(ctx, db, <your files 00001 and 00002>)")
		if err != nil || !reflect.DeepEqual(applied, []int64{1, 2}) {
			t.Fatalf("Migrate(ctx, db, <your files 00001 and 00002 only>) = %v, %s; want [1 2], nil", applied, describe(err))
		}
		s.mustExec("INSERT INTO users (email) VALUES ('early@example.com')")
		applied, err = migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)")
		if err != nil || !reflect.DeepEqual(applied, []int64{3}) {
			t.Fatalf("then Migrate(ctx, db, Files) = %v, %s; want [3], nil: only 00003 is pending", applied, describe(err))
		}
		var name string
		if err := s.admin.QueryRow(ctx, "SELECT name FROM users WHERE email = 'early@example.com'").Scan(&name); err != nil || name != "" {
			t.Errorf("a user inserted at version 2, after 00003: name = %q, %v; want \"\" (the column's default) and the row kept", name, err)
		}
	})
}

// checkShopSchema proves the schema of README.md by what it does, whatever the constraints are called.
func checkShopSchema(t *testing.T, s *shopDB) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.admin.Query(ctx, `
		SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
		  FROM information_schema.columns
		 WHERE table_schema = $1 AND table_name IN ('users', 'orders') ORDER BY 1`, s.schema)
	if err != nil {
		t.Fatalf("read the columns: %v", err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("read the columns: %v", err)
	}
	want := []string{
		"orders.created_at timestamp with time zone NOT NULL",
		"orders.id bigint NOT NULL",
		"orders.total_cents bigint NOT NULL",
		"orders.user_id bigint NOT NULL",
		"users.created_at timestamp with time zone NOT NULL",
		"users.email text NOT NULL",
		"users.id bigint NOT NULL",
		"users.name text NOT NULL",
		"users.updated_at timestamp with time zone NOT NULL",
	}
	if !slices.Equal(cols, want) {
		t.Errorf("columns of users and orders after all three migrations: %s", diff(cols, want))
	}
	var id int64
	if err := s.admin.QueryRow(ctx, "INSERT INTO users (email) VALUES ('Ann@Example.com') RETURNING id").Scan(&id); err != nil {
		t.Fatalf("INSERT INTO users (email) VALUES ('Ann@Example.com'): %v; want a row with an id, a name '' and the timestamps by default", err)
	}
	for _, c := range []struct{ sql, state, why string }{
		{"INSERT INTO users (email) VALUES ('Ann@Example.com')", "23505", "emails are unique"},
		{"INSERT INTO users (email) VALUES ('ann@example.COM')", "23505", "emails are unique whatever their case (a unique index on lower(email))"},
		{"INSERT INTO orders (user_id, total_cents) VALUES (987654, 100)", "23503", "orders.user_id references users"},
		{fmt.Sprintf("INSERT INTO orders (user_id, total_cents) VALUES (%d, -1)", id), "23514", "total_cents >= 0 is checked"},
	} {
		if err := s.exec(c.sql); sqlState(err) != c.state {
			t.Errorf("%s: error %v, want SQLSTATE %s: %s", c.sql, err, c.state, c.why)
		}
	}
	s.mustExec("INSERT INTO orders (user_id, total_cents) VALUES ($1, 500), ($1, 0)", id)
	var n int
	if err := s.admin.QueryRow(ctx, "SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'orders' AND indexdef LIKE '%(user_id)'", s.schema).Scan(&n); err != nil || n == 0 {
		t.Errorf("indexes of orders on (user_id): %d (%v), want one: orders are looked up by user", n, err)
	}
	var updated time.Time
	err = s.admin.QueryRow(ctx, "UPDATE users SET name = 'Ann', updated_at = '2000-01-01' WHERE id = $1 RETURNING updated_at", id).Scan(&updated)
	if err != nil || updated.Year() < 2020 {
		t.Errorf("UPDATE users SET name = 'Ann', updated_at = '2000-01-01' … RETURNING updated_at = %v, %v; want now(): a BEFORE UPDATE trigger sets updated_at", updated, err)
	}
	s.mustExec("DELETE FROM users WHERE id = $1", id)
	if err := s.admin.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 0 {
		t.Errorf("orders left after deleting their user: %d (%v), want 0 (ON DELETE CASCADE)", n, err)
	}
}

func TestFailingMigration(t *testing.T) {
	t.Run("a migration that fails is rolled back whole, the next ones are not run, and Migrate returns goose's error", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		broken := fstest.MapFS{
			"00001_create_a.sql": migration("CREATE TABLE a (id int);", "DROP TABLE a;"),
			"00002_create_b.sql": migration("CREATE TABLE b (x int NOT NULL);\nINSERT INTO b VALUES (NULL);", "DROP TABLE b;"),
			"00003_create_c.sql": migration("CREATE TABLE c (id int);", "DROP TABLE c;"),
		}
		applied, err := migrate(t, ctx, db, broken, "Migrate(ctx, db, <1 creates a; 2 creates b, then fails; 3 creates c>)")
		v, ok := failedVersion(err)
		if err == nil || !ok || v != 2 {
			t.Fatalf("Migrate(ctx, db, <1 creates a; 2 creates b, then fails; 3 creates c>) = %v, %v; want an error for version 2 that wraps goose's *goose.PartialError (return it, or wrap it with %%w)", applied, err)
		}
		var tables []string
		rows, qerr := s.admin.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('a', 'b', 'c') ORDER BY 1", s.schema)
		if qerr == nil {
			tables, qerr = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if qerr != nil {
			t.Fatalf("read the tables: %v", qerr)
		}
		if !reflect.DeepEqual(tables, []string{"a"}) {
			t.Errorf("tables after migration 2 failed = %v, want [a]: 1 stays applied, 2 is rolled back with its CREATE TABLE b, 3 never runs", tables)
		}
		if got := s.recorded(); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("versions recorded after migration 2 failed = %v, want [1]", got)
		}
		broken["00002_create_b.sql"] = migration("CREATE TABLE b (x int NOT NULL);\nINSERT INTO b VALUES (1);", "DROP TABLE b;")
		applied, err = migrate(t, ctx, db, broken, "Migrate(ctx, db, <2 fixed>)")
		if err != nil || !reflect.DeepEqual(applied, []int64{2, 3}) {
			t.Errorf("with migration 2 fixed, Migrate(ctx, db, …) = %v, %s; want [2 3], nil", applied, describe(err))
		}
	})
	t.Run("00003 on two emails that differ only in case fails and leaves the schema of version 2 untouched", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		if applied, err := migrate(t, ctx, db, upTo(t, Files, 2), "Migrate(ctx, db, <your 00001 and 00002>)"); err != nil {
			t.Fatalf("Migrate(ctx, db, <your files 00001 and 00002 only>) = %v, %s; want [1 2], nil", applied, describe(err))
		}
		s.mustExec("INSERT INTO users (email) VALUES ('ann@example.com'), ('ANN@example.com')")
		before := s.schemaObjects()
		applied, err := migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)")
		if err == nil {
			t.Fatalf("Migrate(ctx, db, Files) with users 'ann@example.com' and 'ANN@example.com' = %v, nil; want an error: 00003's unique index on lower(email) cannot be built on them", applied)
		}
		if v, ok := failedVersion(err); !ok || v != 3 {
			t.Errorf("Migrate(ctx, db, Files) on emails that differ only in case: error %v, want goose's *goose.PartialError for version 3 (wrapped with %%w)", err)
		}
		if d := diff(s.schemaObjects(), before); d != "" {
			t.Errorf("the failed 00003 changed the schema (%s): it must run in one transaction, goose's default; -- +goose NO TRANSACTION (which CREATE INDEX CONCURRENTLY needs) lets every statement before the failure stay", d)
		}
		if got := s.recorded(); !reflect.DeepEqual(got, []int64{1, 2}) {
			t.Errorf("versions recorded after 00003 failed = %v, want [1 2]", got)
		}
		s.mustExec("DELETE FROM users WHERE email = 'ANN@example.com'")
		applied, err = migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)")
		if err != nil || !reflect.DeepEqual(applied, []int64{3}) {
			t.Errorf("with the duplicate removed, Migrate(ctx, db, Files) = %v, %s; want [3], nil", applied, describe(err))
		}
	})
}

func TestRollback(t *testing.T) {
	t.Run("reverts one migration at a time, newest first, down to an empty schema, and up again gives the same schema", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		// The schema at each version, built with your files 1, then 1–2, then all.
		states := [][]string{nil}
		for v := int64(1); v <= 3; v++ {
			applied, err := migrate(t, ctx, db, upTo(t, Files, v), fmt.Sprintf("Migrate(ctx, db, <your files up to %05d>)", v))
			if err != nil || !reflect.DeepEqual(applied, []int64{v}) {
				t.Fatalf("Migrate(ctx, db, <your files up to %05d>) = %v, %s; want [%d], nil", v, applied, describe(err), v)
			}
			states = append(states, s.schemaObjects())
		}
		for v := int64(3); v >= 1; v-- {
			got, err := rollback(t, ctx, db, Files, "Rollback(ctx, db, Files)")
			if err != nil || got != v {
				t.Fatalf("Rollback(ctx, db, Files) at version %d = %d, %s; want %d, nil: revert only the newest applied migration", v, got, describe(err), v)
			}
			if d := diff(s.schemaObjects(), states[v-1]); d != "" {
				t.Fatalf("after Rollback of %05d the schema differs from version %d's (%s): its Down must undo exactly what its Up did, and only that migration is reverted", v, v-1, d)
			}
			want := []int64{1, 2, 3}[:v-1]
			if rec := s.recorded(); !slices.Equal(rec, want) {
				t.Fatalf("versions recorded after Rollback of %05d = %v, want %v", v, rec, want)
			}
		}
		got, err := rollback(t, ctx, db, Files, "Rollback(ctx, db, Files)")
		if err != nil || got != 0 {
			t.Fatalf("Rollback(ctx, db, Files) with nothing applied = %d, %s; want 0, nil (goose says goose.ErrNoNextVersion: nothing to revert is not an error here)", got, describe(err))
		}
		applied, err := migrate(t, ctx, db, Files, "Migrate(ctx, db, Files)")
		if err != nil || !reflect.DeepEqual(applied, []int64{1, 2, 3}) {
			t.Fatalf("Migrate(ctx, db, Files) after rolling everything back = %v, %s; want [1 2 3], nil", applied, describe(err))
		}
		if d := diff(s.schemaObjects(), states[3]); d != "" {
			t.Errorf("up, all the way down and up again: the schema differs from the first time (%s)", d)
		}
	})
	t.Run("reverts only the newest migration of a hidden set, keeping the data of the others", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		set := fstest.MapFS{
			"00001_create_a.sql": migration("CREATE TABLE a (id int);\nINSERT INTO a VALUES (7);", "DROP TABLE a;"),
			"00002_create_b.sql": migration("CREATE TABLE b (id int);", "DROP TABLE b;"),
		}
		if applied, err := migrate(t, ctx, db, set, "Migrate(ctx, db, <1 creates a; 2 creates b>)"); err != nil {
			t.Fatalf("Migrate(ctx, db, <1 creates a; 2 creates b>) = %v, %s; want [1 2], nil", applied, describe(err))
		}
		got, err := rollback(t, ctx, db, set, "Rollback(ctx, db, <1 creates a; 2 creates b>)")
		if err != nil || got != 2 {
			t.Fatalf("Rollback(ctx, db, <1 creates a; 2 creates b>) = %d, %s; want 2, nil", got, describe(err))
		}
		var n int
		if err := s.admin.QueryRow(ctx, "SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
			t.Errorf("rows of a after Rollback reverted 2: %d (%v), want 1: migration 1 stays applied", n, err)
		}
		if rec := s.recorded(); !slices.Equal(rec, []int64{1}) {
			t.Errorf("versions recorded after one Rollback = %v, want [1]", rec)
		}
	})
}

func TestOutOfOrder(t *testing.T) {
	t.Run("refuses a pending migration numbered below the newest applied one, and applies nothing", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		db := s.open()
		set := fstest.MapFS{
			"00001_create_a.sql": migration("CREATE TABLE a (id int);", "DROP TABLE a;"),
			"00003_create_c.sql": migration("CREATE TABLE c (id int);", "DROP TABLE c;"),
		}
		if applied, err := migrate(t, ctx, db, set, "Migrate(ctx, db, <1, 3>)"); err != nil {
			t.Fatalf("Migrate(ctx, db, <migrations 1 and 3>) = %v, %s; want [1 3], nil", applied, describe(err))
		}
		set["00002_create_b.sql"] = migration("CREATE TABLE b (id int);", "DROP TABLE b;")
		set["00004_create_d.sql"] = migration("CREATE TABLE d (id int);", "DROP TABLE d;")
		applied, err := migrate(t, ctx, db, set, "Migrate(ctx, db, <1, 2, 3, 4>)")
		if err == nil {
			t.Errorf("Migrate(ctx, db, <1, 2, 3, 4>) on a database at version 3 without 2 = %v, nil; want an error: 2 was written before 3 but never applied here, and running it after 3 may break (renumber it); goose refuses it unless told WithAllowOutofOrder", applied)
		}
		if rec := s.recorded(); !slices.Equal(rec, []int64{1, 3}) {
			t.Errorf("versions recorded after the refused Migrate = %v, want [1 3]: nothing is applied", rec)
		}
	})
}

func TestTwoRunners(t *testing.T) {
	t.Run("two Migrate calls at once on two *sql.DB apply each migration exactly once, and neither fails", func(t *testing.T) {
		s := newShopDB(t)
		ctx := testCtx(t)
		// Migration 1 waits at a gate (an advisory lock the test holds) until both runners had
		// their chance to reach it: with a lock around the run, only one ever gets there.
		gate := 1_000_000 + rand.Int64N(1_000_000_000)
		holder, err := s.admin.Acquire(ctx)
		if err != nil {
			t.Fatalf("acquire a connection: %v", err)
		}
		defer holder.Release()
		if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", gate); err != nil {
			t.Fatalf("take the gate: %v", err)
		}
		released := false
		release := func() {
			if !released {
				released = true
				_, _ = holder.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", gate)
			}
		}
		defer release()
		set := fstest.MapFS{
			"00001_create_a.sql": migration(fmt.Sprintf("SELECT pg_advisory_xact_lock_shared(%d);\nCREATE TABLE a (id int);", gate), "DROP TABLE a;"),
			"00002_create_b.sql": migration("CREATE TABLE b (id int);", "DROP TABLE b;"),
		}
		type outcome struct {
			applied []int64
			err     error
		}
		results := make([]chan outcome, 2)
		for i := range results {
			results[i] = make(chan outcome, 1)
			db := s.open()
			go func() {
				applied, err := Migrate(ctx, db, set)
				results[i] <- outcome{applied, err}
			}()
		}
		// Wait for a runner at the gate, then for the other one to reach it too, to wait for
		// a lock of its own, to ask again for goose's lock, or to end.
		done := func() bool { return len(results[0])+len(results[1]) > 0 }
		atGate, others := 0, 0
		watch := func(until func() bool, limit time.Duration) {
			for end := time.Now().Add(limit); time.Now().Before(end) && !done(); time.Sleep(10 * time.Millisecond) {
				atGate, others = s.waiters(ctx, gate)
				if until() {
					return
				}
			}
		}
		watch(func() bool { return atGate > 0 }, 20*time.Second)
		watch(func() bool { return atGate > 1 || others > 0 }, 5*time.Second)
		release()
		a, b := <-results[0], <-results[1]
		outcomeText := fmt.Sprintf("runner A returned %v, %s; runner B returned %v, %s", a.applied, describe(a.err), b.applied, describe(b.err))
		if atGate == 2 {
			t.Errorf("both runners were inside migration 1 at the same time (%s): take a lock in PostgreSQL around the whole run, goose.WithSessionLocker(lock.NewPostgresSessionLocker(…))", outcomeText)
		}
		if a.err != nil || b.err != nil {
			t.Fatalf("two Migrate calls at once on two *sql.DB: %s; want both to succeed: the second waits for the first, then finds nothing pending", outcomeText)
		}
		all := append(slices.Clone(a.applied), b.applied...)
		slices.Sort(all)
		if !slices.Equal(all, []int64{1, 2}) {
			t.Errorf("versions applied by the two runners together = %v, want [1 2], each once (%s)", all, outcomeText)
		}
		if rec := s.recorded(); !slices.Equal(rec, []int64{1, 2}) {
			t.Errorf("versions recorded in goose_db_version = %v, want [1 2], each once (%s)", rec, outcomeText)
		}
	})
}
