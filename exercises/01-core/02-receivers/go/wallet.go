// Package receivers is a wallet: a balance in cents and the history of its changes.
package receivers

import "errors"

var (
	// ErrAmount is returned for an amount that is not positive.
	ErrAmount = errors.New("wallet: the amount must be positive")
	// ErrFunds is returned for a withdrawal of more than the balance.
	ErrFunds = errors.New("wallet: not enough funds")
	// ErrNoWallet is returned by a change to a nil *Wallet.
	ErrNoWallet = errors.New("wallet: no wallet")
)

// Entry is one change of a wallet's balance.
type Entry struct {
	Kind  string // "deposit" or "withdraw"
	Cents int
}

// Wallet is a balance with its history. The zero value is an empty wallet ready
// to use; a nil *Wallet reads as an empty wallet and refuses changes.
type Wallet struct {
	Owner   string
	cents   int
	history []Entry
}

// Balance returns the balance in cents.
func (w *Wallet) Balance() int {
	// TODO: return the balance; a nil *Wallet has 0 (see README.md).
	return 0
}

// Deposit adds cents to the balance and records it.
func (w *Wallet) Deposit(cents int) error {
	// TODO: refuse a nil wallet and an amount that is not positive; add and record.
	return nil
}

// Withdraw takes cents from the balance and records it; more than the balance
// returns ErrFunds and changes nothing.
func (w *Wallet) Withdraw(cents int) error {
	// TODO: like Deposit, and refuse more than the balance with ErrFunds.
	return nil
}

// History returns the changes, oldest first, as a copy the caller may change.
func (w *Wallet) History() []Entry {
	// TODO: a copy of the history; none for a nil *Wallet.
	return nil
}

// Payday deposits cents into every wallet of ws.
func Payday(ws []Wallet, cents int) error {
	// TODO: deposit into each wallet of the slice itself, not into a copy.
	return nil
}
