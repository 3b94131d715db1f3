// Package isolation keeps concurrent updates correct: row locks against lost updates,
// atomic statements, and SERIALIZABLE transactions retried on serialization failures.
package isolation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what these functions need of a connection pool: *pgxpool.Pool has it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// AccountNotFoundError names the account that does not exist.
type AccountNotFoundError struct {
	ID int64
}

func (e *AccountNotFoundError) Error() string { return fmt.Sprintf("account %d not found", e.ID) }

// UpdateBalance reads the balance, computes the new one with change, writes it and returns it.
// The row stays locked from the read to the commit, so no concurrent update is lost.
func UpdateBalance(ctx context.Context, db DB, accountID int64, change func(balance int64) (int64, error)) (int64, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return 0, err
	}
	var balance int64
	err = tx.QueryRow(ctx, "SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", accountID).Scan(&balance)
	if errors.Is(err, pgx.ErrNoRows) {
		tx.Rollback(ctx)
		return 0, &AccountNotFoundError{ID: accountID}
	}
	if err != nil {
		tx.Rollback(ctx)
		return 0, err
	}
	next, err := change(balance)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "UPDATE accounts SET balance = $2 WHERE id = $1", accountID, next); err != nil {
		return 0, err
	}
	return next, tx.Commit(ctx)
}

// AddToBalance adds delta in one atomic statement and returns the new balance.
func AddToBalance(ctx context.Context, db DB, accountID, delta int64) (int64, error) {
	var balance int64
	err := db.QueryRow(ctx, "UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance", accountID, delta).Scan(&balance)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, &AccountNotFoundError{ID: accountID}
	}
	return balance, err
}

// serializationFailure is SQLSTATE 40001: PostgreSQL gave up this transaction to keep the
// result serializable; running it again is the fix.
const serializationFailure = "40001"

func isSerializationFailure(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == serializationFailure
}

// WithSerializable runs fn in a SERIALIZABLE transaction and commits it. On a serialization
// failure (from fn or from COMMIT) it rolls back and runs fn again in a fresh transaction, up to
// maxAttempts calls of fn in all, then returns the last error. Other errors are returned at once.
func WithSerializable(ctx context.Context, db DB, maxAttempts int, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if attempt > 1 {
			// A short, growing pause: retried at once, the transaction would run into the same
			// still-open rival again and again.
			select {
			case <-time.After(min(5*time.Millisecond<<(attempt-2), 200*time.Millisecond)):
			case <-ctx.Done():
				return err
			}
		}
		err = pgx.BeginTxFunc(ctx, db, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
		if !isSerializationFailure(err) {
			return err
		}
	}
	return err
}

// GoOffCall lets doctor leave the shift only while at least two doctors are on call: true if
// they left, false if refused.
func GoOffCall(ctx context.Context, db DB, shiftID int64, doctor string) (bool, error) {
	var left bool
	err := WithSerializable(ctx, db, 10, func(tx pgx.Tx) error {
		left = false
		var onCall int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM on_call WHERE shift_id = $1 AND on_call", shiftID).Scan(&onCall); err != nil {
			return err
		}
		if onCall < 2 {
			return nil
		}
		tag, err := tx.Exec(ctx, "UPDATE on_call SET on_call = false WHERE shift_id = $1 AND doctor = $2 AND on_call", shiftID, doctor)
		left = tag.RowsAffected() == 1
		return err
	})
	return left, err
}
