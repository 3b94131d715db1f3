// Package bank moves money between accounts in one PostgreSQL transaction.
package bank

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what Transfer needs of a connection pool: *pgxpool.Pool has it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Receipt is what a transfer returns: the ledger row's id and the two new balances.
type Receipt struct {
	TransferID  int64
	FromBalance int64
	ToBalance   int64
}

// ErrInvalidTransfer: the amount is not positive, or both accounts are the same.
var ErrInvalidTransfer = errors.New("invalid transfer")

// ErrInsufficientFunds: the payer's balance is lower than the amount.
var ErrInsufficientFunds = errors.New("insufficient funds")

// AccountNotFoundError names the account that does not exist.
type AccountNotFoundError struct {
	ID int64
}

func (e *AccountNotFoundError) Error() string { return fmt.Sprintf("account %d not found", e.ID) }

// Transfer takes amount from account fromID, adds it to toID and records the transfer:
// the three changes commit together or not at all.
//
// pgx.BeginFunc owns the transaction: it commits when the function returns nil and
// rolls back on any error. The rows are locked one statement each, always the lower id
// first, so opposite transfers queue on the same row; one UPDATE then moves the money.
func Transfer(ctx context.Context, db DB, fromID, toID, amount int64) (Receipt, error) {
	if amount <= 0 || fromID == toID {
		return Receipt{}, fmt.Errorf("%w: amount %d from %d to %d", ErrInvalidTransfer, amount, fromID, toID)
	}
	var r Receipt
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		balance := map[int64]int64{}
		for _, id := range []int64{min(fromID, toID), max(fromID, toID)} {
			var b int64
			err := tx.QueryRow(ctx, "SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", id).Scan(&b)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			balance[id] = b
		}
		for _, id := range []int64{fromID, toID} {
			if _, ok := balance[id]; !ok {
				return &AccountNotFoundError{ID: id}
			}
		}
		if balance[fromID] < amount {
			return ErrInsufficientFunds
		}

		rows, err := tx.Query(ctx,
			`UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$3::bigint ELSE $3::bigint END
			 WHERE id IN ($1, $2) RETURNING id, balance`, fromID, toID, amount)
		if err != nil {
			return err
		}
		var id, b int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &b}, func() error {
			if id == fromID {
				r.FromBalance = b
			} else {
				r.ToBalance = b
			}
			return nil
		}); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "INSERT INTO transfers (from_id, to_id, amount) VALUES ($1, $2, $3) RETURNING id", fromID, toID, amount).Scan(&r.TransferID); err != nil {
			return fmt.Errorf("record transfer: %w", err)
		}
		return nil
	})
	if err != nil {
		return Receipt{}, err
	}
	return r, nil
}
