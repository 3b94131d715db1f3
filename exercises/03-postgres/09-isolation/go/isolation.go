// Package isolation keeps concurrent updates correct: row locks against lost updates,
// atomic statements, and SERIALIZABLE transactions retried on serialization failures.
// See README.md for the contract.
package isolation

import (
	"context"
	"errors"
	"fmt"

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

var errTODO = errors.New("TODO: see README.md")

// UpdateBalance reads the balance, computes the new one with change, writes it and returns it.
func UpdateBalance(ctx context.Context, db DB, accountID int64, change func(balance int64) (int64, error)) (int64, error) {
	// TODO: a transaction that reads with SELECT … FOR UPDATE, calls change, then UPDATE and Commit.
	return 0, errTODO
}

// AddToBalance adds delta in one atomic statement and returns the new balance.
func AddToBalance(ctx context.Context, db DB, accountID, delta int64) (int64, error) {
	// TODO: one UPDATE … RETURNING.
	return 0, errTODO
}

// WithSerializable runs fn in a SERIALIZABLE transaction, retrying on SQLSTATE 40001.
func WithSerializable(ctx context.Context, db DB, maxAttempts int, fn func(tx pgx.Tx) error) error {
	// TODO: BeginTx with pgx.TxOptions{IsoLevel: pgx.Serializable}, up to maxAttempts calls of fn.
	return errTODO
}

// GoOffCall lets doctor leave the shift only while at least two doctors are on call.
func GoOffCall(ctx context.Context, db DB, shiftID int64, doctor string) (bool, error) {
	// TODO
	return false, errTODO
}
