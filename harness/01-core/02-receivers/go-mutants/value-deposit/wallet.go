// Mutant: Deposit has a value receiver ("a Wallet is small, copy it"): it adds to a copy of the wallet, and the caller's balance never moves.
//
// Package receivers is a wallet: a balance in cents and the history of its changes.
package receivers

import (
	"errors"
	"slices"
)

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
	// A pointer receiver may be nil: the method still runs, so check before reading.
	if w == nil {
		return 0
	}
	return w.cents
}

// Deposit adds cents to the balance and records it.
func (w Wallet) Deposit(cents int) error {
	if cents <= 0 {
		return ErrAmount
	}
	w.cents += cents
	w.history = append(w.history, Entry{Kind: "deposit", Cents: cents})
	return nil
}

// Withdraw takes cents from the balance and records it; more than the balance
// returns ErrFunds and changes nothing.
func (w *Wallet) Withdraw(cents int) error {
	if w == nil {
		return ErrNoWallet
	}
	if cents <= 0 {
		return ErrAmount
	}
	if cents > w.cents {
		return ErrFunds
	}
	w.cents -= cents
	w.history = append(w.history, Entry{Kind: "withdraw", Cents: cents})
	return nil
}

// History returns the changes, oldest first, as a copy the caller may change.
func (w *Wallet) History() []Entry {
	if w == nil {
		return nil
	}
	return slices.Clone(w.history)
}

// Payday deposits cents into every wallet of ws.
func Payday(ws []Wallet, cents int) error {
	for i := range ws {
		// ws[i] is addressable, so Go calls (&ws[i]).Deposit: the wallet in the slice.
		if err := ws[i].Deposit(cents); err != nil {
			return err
		}
	}
	return nil
}
