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

// signed is the change an entry makes to the balance.
func (e Entry) signed() int {
	if e.Kind == "withdraw" {
		return -e.Cents
	}
	return e.Cents
}

// Wallet is a ledger: the history is the only state, and the balance is derived
// from it. The zero value is an empty wallet ready to use; a nil *Wallet reads as
// an empty wallet and refuses changes.
type Wallet struct {
	Owner  string
	ledger []Entry
}

// Balance returns the balance in cents: the sum of the ledger.
func (w *Wallet) Balance() int {
	if w == nil {
		return 0
	}
	total := 0
	for _, e := range w.ledger {
		total += e.signed()
	}
	return total
}

// record appends one change after the checks every change shares.
func (w *Wallet) record(kind string, cents int) error {
	switch {
	case w == nil:
		return ErrNoWallet
	case cents <= 0:
		return ErrAmount
	case kind == "withdraw" && cents > w.Balance():
		return ErrFunds
	}
	w.ledger = append(w.ledger, Entry{Kind: kind, Cents: cents})
	return nil
}

// Deposit adds cents to the balance and records it.
func (w *Wallet) Deposit(cents int) error { return w.record("deposit", cents) }

// Withdraw takes cents from the balance and records it; more than the balance
// returns ErrFunds and changes nothing.
func (w *Wallet) Withdraw(cents int) error { return w.record("withdraw", cents) }

// History returns the changes, oldest first, as a copy the caller may change.
func (w *Wallet) History() []Entry {
	if w == nil || len(w.ledger) == 0 {
		return nil
	}
	out := make([]Entry, len(w.ledger))
	copy(out, w.ledger)
	return out
}

// Payday deposits cents into every wallet of ws.
func Payday(ws []Wallet, cents int) error {
	for i := range ws {
		w := &ws[i] // a pointer to the element, not a copy of it
		if err := w.Deposit(cents); err != nil {
			return err
		}
	}
	return nil
}
