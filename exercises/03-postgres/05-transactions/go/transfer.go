// Package bank moves money between accounts in one PostgreSQL transaction.
// See README.md for the contract.
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
	// TODO: Begin, defer tx.Rollback(ctx), lock both rows (SELECT … FOR UPDATE),
	// check, two UPDATEs and the INSERT on tx, then Commit.
	return Receipt{}, errors.New("TODO: see README.md")
}
