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
func Transfer(ctx context.Context, db DB, fromID, toID, amount int64) (Receipt, error) {
	if amount <= 0 || fromID == toID {
		return Receipt{}, fmt.Errorf("%w: amount %d from %d to %d", ErrInvalidTransfer, amount, fromID, toID)
	}
	// Read the balances first, and open the transaction only for the writes.
	rows, err := db.Query(ctx, "SELECT id, balance FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE", fromID, toID)
	if err != nil {
		return Receipt{}, err
	}
	balances := map[int64]int64{}
	var id, balance int64
	_, err = pgx.ForEachRow(rows, []any{&id, &balance}, func() error {
		balances[id] = balance
		return nil
	})
	if err != nil {
		return Receipt{}, err
	}
	for _, id := range []int64{fromID, toID} {
		if _, ok := balances[id]; !ok {
			return Receipt{}, &AccountNotFoundError{ID: id}
		}
	}
	if balances[fromID] < amount {
		return Receipt{}, ErrInsufficientFunds
	}

	tx, err := db.Begin(ctx)
	if err != nil {
		return Receipt{}, err
	}
	defer tx.Rollback(ctx)

	var r Receipt
	if err := tx.QueryRow(ctx, "UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", fromID, amount).Scan(&r.FromBalance); err != nil {
		return Receipt{}, err
	}
	if err := tx.QueryRow(ctx, "UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance", toID, amount).Scan(&r.ToBalance); err != nil {
		return Receipt{}, err
	}
	if err := tx.QueryRow(ctx, "INSERT INTO transfers (from_id, to_id, amount) VALUES ($1, $2, $3) RETURNING id", fromID, toID, amount).Scan(&r.TransferID); err != nil {
		return Receipt{}, fmt.Errorf("record transfer: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Receipt{}, err
	}
	return r, nil
}
