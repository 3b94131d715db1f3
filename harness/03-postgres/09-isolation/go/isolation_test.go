package isolation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testCtx bounds every call of a test: a call stuck behind a lock fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// expectReleased fails the test when a call that has returned still holds a connection of
// the pool: its transaction was never ended, and it keeps its row locks too.
func expectReleased(t *testing.T, pool *pgxpool.Pool, call string, err error) {
	t.Helper()
	// Generous: a released connection is back at once; only a leaked one stays out.
	deadline := time.Now().Add(5 * time.Second)
	for pool.Stat().AcquiredConns() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s returned %v but kept its connection (%d of %d still taken, with its transaction open and the row locked): end the transaction on every path, defer tx.Rollback(ctx) right after Begin",
				call, err, pool.Stat().AcquiredConns(), pool.Stat().MaxConns())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func plusOne(b int64) (int64, error) { return b + 1, nil }

func TestUpdateBalance(t *testing.T) {
	t.Run("writes what change returns and returns it", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		var seen int64 = -1
		got, err := UpdateBalance(ctx, b.pool(4), 1, func(bal int64) (int64, error) { seen = bal; return bal*2 + 5, nil })
		if err != nil || got != 205 || seen != 100 {
			t.Errorf("UpdateBalance(ctx, pool, 1, b → 2b+5) with a balance of 100: change saw %d, returned %d, %v; want change to see 100 and 205, nil", seen, got, err)
		}
		if v := b.balance(1); v != 205 {
			t.Errorf("balance of account 1 afterwards = %d, want 205", v)
		}
	})
	t.Run("an unknown account is an *AccountNotFoundError", func(t *testing.T) {
		b := newBankDB(t)
		pool := b.pool(4)
		_, err := UpdateBalance(testCtx(t), pool, 99, plusOne)
		var nf *AccountNotFoundError
		if !errors.As(err, &nf) || nf.ID != 99 {
			t.Errorf("UpdateBalance(ctx, pool, 99, …) for an account that does not exist: error %v, want &AccountNotFoundError{ID: 99}", err)
		}
		expectReleased(t, pool, "UpdateBalance(ctx, pool, 99, …)", err)
	})
	t.Run("40 concurrent +1 calls add exactly 40", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(10)
		errs := make([]error, 40)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = UpdateBalance(ctx, pool, 1, func(bal int64) (int64, error) {
					time.Sleep(time.Millisecond) // the caller's logic takes a moment
					return bal + 1, nil
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Errorf("40 concurrent UpdateBalance(ctx, pool, 1, b → b+1): errors %v, want none", err)
		}
		if v := b.balance(1); v != 140 {
			t.Errorf("balance after 40 concurrent UpdateBalance(+1) from 100 = %d, want 140: %d updates were lost (lock the row you read: SELECT … FOR UPDATE)", v, 140-v)
		}
	})
	t.Run("a call paused after its read does not lose the other's update", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		res := forceRace(b,
			func(db DB) error { _, err := UpdateBalance(ctx, db, 1, plusOne); return err },
			func(db DB) error {
				_, err := UpdateBalance(ctx, db, 1, func(v int64) (int64, error) { return v + 10, nil })
				return err
			})
		if res.first != nil || res.second != nil {
			t.Fatalf("UpdateBalance(+1) paused after its read while UpdateBalance(+10) ran: errors %v and %v, want none", res.first, res.second)
		}
		if v := b.balance(1); v != 111 {
			if res.secondReadWhilePaused {
				t.Fatalf("balance = %d, want 111: the second call read the balance while the first was between its read and its write, so both computed from 100 and one update was lost; read with SELECT … FOR UPDATE inside the transaction", v)
			}
			t.Fatalf("balance after +1 and +10 from 100 = %d, want 111", v)
		}
	})
	t.Run("an error from change reaches the caller, changes nothing and leaves the row unlocked", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(2)
		boom := errors.New("no bonus today")
		_, err := UpdateBalance(ctx, pool, 1, func(int64) (int64, error) { return 0, boom })
		if !errors.Is(err, boom) {
			t.Errorf("UpdateBalance(ctx, pool, 1, change) where change fails with %q: error %v, want that error", boom, err)
		}
		expectReleased(t, pool, "UpdateBalance(ctx, pool, 1, change) with a failing change", err)
		if got, err := UpdateBalance(ctx, pool, 1, plusOne); err != nil || got != 101 {
			t.Errorf("UpdateBalance(ctx, pool, 1, +1) after the failed call = %d, %v; want 101, nil", got, err)
		}
	})
}

func TestAddToBalance(t *testing.T) {
	t.Run("100 concurrent +1 calls give 100 and return 101…200, each once", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(10)
		got := make([]int64, 100)
		errs := make([]error, 100)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], errs[i] = AddToBalance(ctx, pool, 1, 1) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("100 concurrent AddToBalance(ctx, pool, 1, 1): errors %v", err)
		}
		slices.Sort(got)
		want := make([]int64, 100)
		for i := range want {
			want[i] = 101 + int64(i)
		}
		if !slices.Equal(got, want) || b.balance(1) != 200 {
			t.Errorf("100 concurrent AddToBalance(+1) from 100: balance %d and sorted results %v; want 200 and 101…200 each once", b.balance(1), got)
		}
	})
	t.Run("a call paused after its first statement does not lose the other's update", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		res := forceRace(b,
			func(db DB) error { _, err := AddToBalance(ctx, db, 1, 5); return err },
			func(db DB) error { _, err := AddToBalance(ctx, db, 1, -30); return err })
		if res.first != nil || res.second != nil {
			t.Fatalf("AddToBalance(+5) and AddToBalance(-30) forced to overlap: errors %v and %v, want none", res.first, res.second)
		}
		if v := b.balance(1); v != 75 {
			t.Errorf("balance after +5 and -30 from 100 = %d, want 75: read, add in Go and write back loses an update; let one UPDATE … SET balance = balance + $2 … RETURNING balance do it", v)
		}
	})
	t.Run("an unknown account is an *AccountNotFoundError", func(t *testing.T) {
		b := newBankDB(t)
		_, err := AddToBalance(testCtx(t), b.pool(4), 99, 1)
		var nf *AccountNotFoundError
		if !errors.As(err, &nf) || nf.ID != 99 {
			t.Errorf("AddToBalance(ctx, pool, 99, 1) for an account that does not exist: error %v, want &AccountNotFoundError{ID: 99}", err)
		}
	})
}

var errSerialization = &pgconn.PgError{Code: "40001", Message: "could not serialize access (raised by the test)"}

func TestWithSerializable(t *testing.T) {
	t.Run("runs fn in a SERIALIZABLE transaction and commits it", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		var level string
		err := WithSerializable(ctx, b.pool(4), 3, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, "SHOW transaction_isolation").Scan(&level); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE accounts SET balance = 1 WHERE id = 2")
			return err
		})
		if err != nil || level != "serializable" {
			t.Errorf("WithSerializable(ctx, pool, 3, fn): fn saw transaction_isolation %q, returned %v; want \"serializable\", nil", level, err)
		}
		if v := b.balance(2); v != 1 {
			t.Errorf("balance written by fn = %d after WithSerializable returned, want 1 (committed)", v)
		}
	})
	t.Run("retries a 40001 from fn in a fresh transaction", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		calls := 0
		err := WithSerializable(ctx, b.pool(4), 5, func(tx pgx.Tx) error {
			calls++
			if _, err := tx.Exec(ctx, "UPDATE accounts SET balance = balance + 1 WHERE id = 2"); err != nil {
				return err
			}
			if calls < 3 {
				return fmt.Errorf("attempt %d: %w", calls, errSerialization)
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Errorf("WithSerializable(ctx, pool, 5, fn) where fn fails with SQLSTATE 40001 twice: %d calls of fn, error %v; want 3 calls, nil", calls, err)
		}
		if v := b.balance(2); v != 101 {
			t.Errorf("balance after two failed attempts and one success, each adding 1 = %d, want 101: roll back a failed attempt before the next", v)
		}
	})
	t.Run("stops after maxAttempts calls and returns the last 40001", func(t *testing.T) {
		b := newBankDB(t)
		calls := 0
		err := WithSerializable(testCtx(t), b.pool(4), 4, func(pgx.Tx) error { calls++; return errSerialization })
		var pgErr *pgconn.PgError
		if calls != 4 || !errors.As(err, &pgErr) || pgErr.Code != "40001" {
			t.Errorf("WithSerializable(ctx, pool, 4, fn) where fn always fails with 40001: %d calls, error %v; want 4 calls (maxAttempts in all) and the 40001 error", calls, err)
		}
	})
	t.Run("returns any other error at once, without a retry", func(t *testing.T) {
		b := newBankDB(t)
		boom := errors.New("not a serialization failure")
		calls := 0
		err := WithSerializable(testCtx(t), b.pool(4), 5, func(pgx.Tx) error { calls++; return boom })
		if calls != 1 || !errors.Is(err, boom) {
			t.Errorf("WithSerializable(ctx, pool, 5, fn) where fn fails with %q: %d calls, error %v; want 1 call and that error", boom, calls, err)
		}
	})
}

func TestGoOffCall(t *testing.T) {
	t.Run("a doctor leaves while two are on call, not when alone", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		if left, err := GoOffCall(ctx, pool, 1, "alice"); err != nil || !left {
			t.Errorf("GoOffCall(ctx, pool, 1, \"alice\") with alice and bob on call = %v, %v; want true, nil", left, err)
		}
		if left, err := GoOffCall(ctx, pool, 1, "bob"); err != nil || left {
			t.Errorf("GoOffCall(ctx, pool, 1, \"bob\") with only bob on call = %v, %v; want false, nil", left, err)
		}
		if n := b.onCall(1); n != 1 {
			t.Errorf("doctors on call for shift 1 = %d, want 1", n)
		}
		if n := b.onCall(2); n != 2 {
			t.Errorf("doctors on call for shift 2 (untouched) = %d, want 2", n)
		}
	})
	t.Run("alice and bob leaving at the same moment: exactly one leaves", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		left, errs := writeSkew(b, func(db DB, doctor string) (bool, error) { return GoOffCall(ctx, db, 3, doctor) })
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatalf("GoOffCall for alice and bob of shift 3 at once: errors %v, want none (retry on 40001)", err)
		}
		if n := b.onCall(3); left[0] == left[1] || n != 1 {
			t.Errorf("alice and bob both read 2 doctors on call before either wrote: GoOffCall returned alice %v, bob %v, and %d are on call now; want exactly one true and 1 on call. At READ COMMITTED both counts see 2 (write skew): run it SERIALIZABLE and retry on 40001", left[0], left[1], n)
		}
	})
}
