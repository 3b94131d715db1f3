package bank

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func describe(err error) string {
	if err == nil {
		return "succeeded"
	}
	// A *pgconn.PgError's message already ends with its SQLSTATE, e.g. (SQLSTATE 40P01).
	return fmt.Sprintf("failed: %v", err)
}

// expectReleased fails the test when a Transfer that has returned still holds a connection of
// the pool: its transaction was never ended, and it keeps its row locks too.
func expectReleased(t *testing.T, pool *pgxpool.Pool, call string, err error) {
	t.Helper()
	// Generous: a released connection is back at once; only a leaked one stays out.
	deadline := time.Now().Add(5 * time.Second)
	for pool.Stat().AcquiredConns() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s returned %v but kept its connection (%d of %d still taken, with its transaction open and its rows locked): end the transaction on every path, defer tx.Rollback(ctx) right after Begin",
				call, err, pool.Stat().AcquiredConns(), pool.Stat().MaxConns())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testCtx bounds every call of a test: a transfer stuck behind a lock fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTransfer(t *testing.T) {
	t.Run("moves money, records the transfer and returns the new balances", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		r, err := Transfer(ctx, pool, 1, 2, 300)
		if err != nil || r.FromBalance != 700 || r.ToBalance != 1300 || r.TransferID == 0 {
			t.Fatalf("Transfer(ctx, pool, 1, 2, 300) with 1000 on each account = %+v, %v; want {TransferID: <the new row's id>, FromBalance: 700, ToBalance: 1300}, nil", r, err)
		}
		if got := b.balances()[:3]; !reflect.DeepEqual(got, []int64{700, 1300, 1000}) {
			t.Errorf("balances of accounts 1, 2, 3 after Transfer(1→2, 300) = %v, want [700 1300 1000]", got)
		}
		if n := b.ledgerRows(); n != 1 {
			t.Errorf("rows in transfers after one transfer = %d, want 1", n)
		}
		again, err := Transfer(ctx, pool, 2, 3, 1300)
		if err != nil || again.FromBalance != 0 || again.ToBalance != 2300 {
			t.Errorf("Transfer(ctx, pool, 2, 3, 1300), the whole balance of account 2 = %+v, %v; want FromBalance 0, ToBalance 2300, nil (a balance equal to the amount is enough)", again, err)
		}
		if err == nil && again.TransferID == r.TransferID {
			t.Errorf("the second transfer's TransferID = %d, the same as the first's: return the id of the row you inserted (RETURNING id)", again.TransferID)
		}
	})
	t.Run("returns ErrInsufficientFunds and changes nothing when the balance is too low", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		_, err := Transfer(ctx, pool, 1, 2, 1001)
		expectReleased(t, pool, "Transfer(ctx, pool, 1, 2, 1001)", err)
		if !errors.Is(err, ErrInsufficientFunds) {
			t.Errorf("Transfer(ctx, pool, 1, 2, 1001) from a balance of 1000: error %v, want ErrInsufficientFunds", err)
		}
		if got := b.balances(); !reflect.DeepEqual(got, untouched()) {
			t.Errorf("balances after the refused transfer = %v, want %v: a refused transfer must leave no trace (roll back, never commit on an error path)", got, untouched())
		}
		if n := b.ledgerRows(); n != 0 {
			t.Errorf("rows in transfers after the refused transfer = %d, want 0", n)
		}
	})
	t.Run("returns an *AccountNotFoundError and changes nothing when an account does not exist", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		for _, c := range [][2]int64{{1, 99}, {99, 1}} {
			_, err := Transfer(ctx, pool, c[0], c[1], 100)
			expectReleased(t, pool, fmt.Sprintf("Transfer(ctx, pool, %d, %d, 100)", c[0], c[1]), err)
			var nf *AccountNotFoundError
			if !errors.As(err, &nf) || nf.ID != 99 {
				t.Errorf("Transfer(ctx, pool, %d, %d, 100) with account 99 missing: error %v, want &AccountNotFoundError{ID: 99}", c[0], c[1], err)
			}
			if got := b.balances(); !reflect.DeepEqual(got, untouched()) {
				t.Errorf("balances after Transfer(%d→%d) = %v, want %v", c[0], c[1], got, untouched())
			}
		}
		if n := b.ledgerRows(); n != 0 {
			t.Errorf("rows in transfers = %d, want 0", n)
		}
	})
	t.Run("rejects a non-positive amount or a transfer to the same account with ErrInvalidTransfer", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		for _, c := range [][3]int64{{1, 2, 0}, {1, 2, -50}, {3, 3, 10}} {
			if _, err := Transfer(ctx, pool, c[0], c[1], c[2]); !errors.Is(err, ErrInvalidTransfer) {
				t.Errorf("Transfer(ctx, pool, %d, %d, %d): error %v, want ErrInvalidTransfer", c[0], c[1], c[2], err)
			}
		}
		if got := b.balances(); !reflect.DeepEqual(got, untouched()) {
			t.Errorf("balances after the rejected calls = %v, want %v", got, untouched())
		}
	})
}

func TestAllOrNothing(t *testing.T) {
	t.Run("a failing ledger insert rolls back the debit and the credit", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(4)
		_, err := Transfer(ctx, pool, 1, 2, 13)
		expectReleased(t, pool, "Transfer(ctx, pool, 1, 2, 13)", err)
		if err == nil || !strings.Contains(err.Error(), "ledger is down") {
			t.Errorf("Transfer(ctx, pool, 1, 2, 13): the ledger insert raises \"ledger is down\"; error %v, want that error", err)
		}
		if got := b.balances(); !reflect.DeepEqual(got, untouched()) {
			t.Errorf("balances after the failed transfer = %v, want %v: the debit and the credit that ran before the failure must be undone; run the three statements on one transaction (tx.Exec, not pool.Exec)", got, untouched())
		}
	})
	t.Run("gives its connection back to the pool after every failure", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		small := b.pool(2)
		call := func(from, to, amount int64) error {
			// Generous: a free connection is handed out in milliseconds; only a leaked one makes it wait.
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			_, err := Transfer(ctx, small, from, to, amount)
			return err
		}
		for i := 0; i < 3; i++ {
			for _, f := range [][3]int64{{1, 2, 13}, {1, 2, 5000}, {1, 77, 10}} {
				err := call(f[0], f[1], f[2])
				expectReleased(t, small, fmt.Sprintf("Transfer(ctx, pool, %d, %d, %d) on a pool of 2 connections after %d failed transfers", f[0], f[1], f[2], 3*i), err)
			}
		}
		if err := call(1, 2, 10); err != nil {
			t.Fatalf("after 9 failed transfers on a pool of 2 connections, a valid Transfer(ctx, pool, 1, 2, 10) failed: %v (connections still taken: %d of 2)", err, small.Stat().AcquiredConns())
		}
		if got := b.balances()[:2]; !reflect.DeepEqual(got, []int64{990, 1010}) {
			t.Errorf("balances of accounts 1 and 2 afterwards = %v, want [990 1010]", got)
		}
	})
}

func TestConcurrency(t *testing.T) {
	t.Run("200 random transfers at once over 10 connections conserve money", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		pool := b.pool(10)
		type job struct{ from, to, amount int64 }
		var jobs []job
		for len(jobs) < 200 {
			from := 1 + rand.Int64N(accountCount)
			to := 1 + (from+rand.Int64N(accountCount-1))%accountCount
			amount := 1 + rand.Int64N(400)
			if rand.IntN(10) == 0 {
				amount += 1000
			}
			if amount != 13 {
				jobs = append(jobs, job{from, to, amount})
			}
		}
		errs := make([]error, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Go(func() {
				// Generous: the whole storm takes a second or two; only a transaction left open makes a transfer wait.
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				_, errs[i] = Transfer(ctx, pool, j.from, j.to, j.amount)
			})
		}
		wg.Wait()
		want := untouched()
		ok := 0
		var unexpected []string
		for i, j := range jobs {
			switch {
			case errs[i] == nil:
				ok++
				want[j.from-1] -= j.amount
				want[j.to-1] += j.amount
			case !errors.Is(errs[i], ErrInsufficientFunds):
				unexpected = append(unexpected, fmt.Sprintf("Transfer(%d→%d, %d) %s", j.from, j.to, j.amount, describe(errs[i])))
			}
		}
		if len(unexpected) > 0 {
			t.Errorf("errors other than ErrInsufficientFunds among %d concurrent transfers (%d of them), e.g. %s: a deadlock (40P01)? lock the two rows in one statement, in id order", len(jobs), len(unexpected), strings.Join(unexpected[:min(3, len(unexpected))], "; "))
		}
		got := b.balances()
		var sum int64
		for i, v := range got {
			sum += v
			if v < 0 {
				t.Errorf("account %d has a negative balance %d after the storm", i+1, v)
			}
		}
		if sum != startBalance*accountCount {
			t.Errorf("sum of all balances after the storm = %d, want %d", sum, startBalance*accountCount)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("balances after the storm = %v, want %v (start − successful transfers out + successful transfers in)", got, want)
		}
		if n := b.ledgerRows(); n != ok {
			t.Errorf("rows in transfers = %d, want %d (one per successful transfer)", n, ok)
		}
	})
}

func TestForcedInterleavings(t *testing.T) {
	t.Run("two transfers of 60 from a balance of 100: exactly one succeeds", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		b.exec("UPDATE accounts SET balance = 100 WHERE id = 1")
		res := forceRace(b,
			func(db DB) error { _, err := Transfer(ctx, db, 1, 2, 60); return err },
			func(db DB) error { _, err := Transfer(ctx, db, 1, 3, 60); return err })
		bal := b.balances()
		outcome := fmt.Sprintf("Transfer(1→2, 60) %s, Transfer(1→3, 60) %s; balances of accounts 1, 2, 3: %v", describe(res.first), describe(res.second), bal[:3])
		succeeded := 0
		var loser error
		for _, err := range []error{res.first, res.second} {
			if err == nil {
				succeeded++
			} else {
				loser = err
			}
		}
		if succeeded != 1 {
			if res.secondReadWhilePaused && succeeded == 2 {
				t.Fatalf("the second transfer read account 1 while the first was between its read and its write, and both went through (%s): both saw balance 100. Lock the row (SELECT … FOR UPDATE inside the transaction) so the second waits for the first to commit", outcome)
			}
			t.Fatalf("two transfers of 60 from a balance of 100 (%s): exactly one must succeed", outcome)
		}
		if !errors.Is(loser, ErrInsufficientFunds) {
			t.Errorf("the refused transfer: error %v, want ErrInsufficientFunds (%s)", loser, outcome)
		}
		if got := []int64{bal[0], bal[1] + bal[2]}; !reflect.DeepEqual(got, []int64{40, 2*startBalance + 60}) {
			t.Errorf("balance of account 1, and what accounts 2 and 3 hold together = %v, want [40 %d] (%s)", got, 2*startBalance+60, outcome)
		}
	})
	t.Run("transfers 1→2 and 2→1 paused between the two rows both succeed without a deadlock", func(t *testing.T) {
		b := newBankDB(t)
		ctx := testCtx(t)
		res := forceRace(b,
			func(db DB) error { _, err := Transfer(ctx, db, 1, 2, 7); return err },
			func(db DB) error { _, err := Transfer(ctx, db, 2, 1, 5); return err })
		if res.first != nil || res.second != nil {
			t.Fatalf("Transfer(1→2, 7) locked account 1 and was paused; Transfer(2→1, 5) then ran: Transfer(1→2) %s, Transfer(2→1) %s. If each holds one row and waits for the other, PostgreSQL kills one (40P01 deadlock): lock both rows in one statement, in id order", describe(res.first), describe(res.second))
		}
		if got := b.balances()[:2]; !reflect.DeepEqual(got, []int64{startBalance - 2, startBalance + 2}) {
			t.Errorf("balances of accounts 1 and 2 = %v, want [%d %d]", got, startBalance-2, startBalance+2)
		}
	})
}
