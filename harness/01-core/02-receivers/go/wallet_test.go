package receivers

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// noPanic runs f and turns a panic into a failure that names the call.
func noPanic(t *testing.T, call string, f func()) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v, want no panic", call, r)
			ok = false
		}
	}()
	f()
	return true
}

// funded is a wallet after deposits of 10 and 5 and a withdrawal of 3: a balance of 12.
func funded(t *testing.T) *Wallet {
	t.Helper()
	w := &Wallet{Owner: "ada"}
	if err := w.Deposit(10); err != nil {
		t.Fatalf("Deposit(10) on a new wallet = %v, want no error", err)
	}
	if got := w.Balance(); got != 10 {
		t.Fatalf("after Deposit(10) on a new wallet Balance() = %d, want 10: does Deposit change the wallet itself (a pointer receiver)?", got)
	}
	if err := w.Deposit(5); err != nil {
		t.Fatalf("Deposit(5) = %v, want no error", err)
	}
	if err := w.Withdraw(3); err != nil {
		t.Fatalf("Withdraw(3) with a balance of 15 = %v, want no error", err)
	}
	if got := w.Balance(); got != 12 {
		t.Fatalf("after Deposit(10), Deposit(5), Withdraw(3) Balance() = %d, want 12: does Withdraw change the wallet itself (a pointer receiver)?", got)
	}
	return w
}

func TestWallet(t *testing.T) {
	t.Run("a zero Wallet is empty and ready to use", func(t *testing.T) {
		t.Parallel()
		var w Wallet
		if got := w.Balance(); got != 0 {
			t.Errorf("Balance() of a zero Wallet = %d, want 0", got)
		}
		if got := w.History(); len(got) != 0 {
			t.Errorf("History() of a zero Wallet = %v, want none", got)
		}
		if err := w.Deposit(7); err != nil {
			t.Fatalf("Deposit(7) on a zero Wallet = %v, want no error: the zero value is a wallet ready to use", err)
		}
		if got, want := w.History(), []Entry{{"deposit", 7}}; w.Balance() != 7 || !reflect.DeepEqual(got, want) {
			t.Errorf("after Deposit(7) on a zero Wallet Balance() = %d, History() = %v, want 7 and %v", w.Balance(), got, want)
		}
	})
	t.Run("Deposit and Withdraw change the wallet", func(t *testing.T) {
		t.Parallel()
		funded(t)
	})
	t.Run("Withdraw of the whole balance empties the wallet", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		if err := w.Withdraw(12); err != nil || w.Balance() != 0 {
			t.Errorf("Withdraw(12) with a balance of 12 = %v, balance %d, want no error and a balance of 0", err, w.Balance())
		}
	})
	t.Run("Withdraw of more than the balance changes nothing", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		if err := w.Withdraw(13); !errors.Is(err, ErrFunds) {
			t.Errorf("Withdraw(13) with a balance of 12 = %v, want ErrFunds", err)
		}
		if got := w.Balance(); got != 12 {
			t.Errorf("after a refused Withdraw(13) Balance() = %d, want 12", got)
		}
		if got := w.History(); len(got) != 3 {
			t.Errorf("after a refused Withdraw(13) History() = %v, want the 3 earlier entries only", got)
		}
	})
	for _, cents := range []int{0, -5} {
		t.Run("refuses the amount "+strconv.Itoa(cents), func(t *testing.T) {
			t.Parallel()
			w := funded(t)
			if err := w.Deposit(cents); !errors.Is(err, ErrAmount) {
				t.Errorf("Deposit(%d) = %v, want ErrAmount", cents, err)
			}
			if err := w.Withdraw(cents); !errors.Is(err, ErrAmount) {
				t.Errorf("Withdraw(%d) = %v, want ErrAmount", cents, err)
			}
			if got := w.Balance(); got != 12 {
				t.Errorf("after a refused Deposit(%d) and Withdraw(%d) Balance() = %d, want 12", cents, cents, got)
			}
		})
	}
	t.Run("History lists the changes oldest first", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		want := []Entry{{"deposit", 10}, {"deposit", 5}, {"withdraw", 3}}
		if got := w.History(); !reflect.DeepEqual(got, want) {
			t.Errorf("History() = %v, want %v", got, want)
		}
	})
	t.Run("History returns a copy the caller may change", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		h := w.History()
		if len(h) == 0 {
			t.Fatalf("History() is empty, want 3 entries")
		}
		h[0].Cents = 1_000_000
		want := []Entry{{"deposit", 10}, {"deposit", 5}, {"withdraw", 3}}
		if got := w.History(); !reflect.DeepEqual(got, want) {
			t.Errorf("after h := w.History(); h[0].Cents = 1000000, w.History() = %v, want %v: History handed out the wallet's own slice", got, want)
		}
	})
}

func TestMethodValues(t *testing.T) {
	t.Run("a method value of Deposit keeps its wallet", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		deposit := w.Deposit
		_ = deposit(4)
		_ = deposit(4)
		if got := w.Balance(); got != 20 {
			t.Errorf("deposit := w.Deposit; deposit(4); deposit(4): w.Balance() = %d, want 20", got)
		}
	})
	t.Run("a method value of Balance reads the balance when called", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		balance := w.Balance
		_ = w.Deposit(8)
		if got := balance(); got != 20 {
			t.Errorf("balance := w.Balance; w.Deposit(8); balance() = %d, want 20: a value receiver copies the wallet when the method value is taken", got)
		}
	})
	t.Run("a method expression takes the wallet as its first argument", func(t *testing.T) {
		t.Parallel()
		w := funded(t)
		withdraw := (*Wallet).Withdraw
		if err := withdraw(w, 2); err != nil || w.Balance() != 10 {
			t.Errorf("(*Wallet).Withdraw(w, 2) = %v, balance %d, want no error and a balance of 10", err, w.Balance())
		}
	})
	t.Run("only *Wallet can deposit, a Wallet value cannot", func(t *testing.T) {
		t.Parallel()
		type depositor interface{ Deposit(cents int) error }
		if _, ok := any(&Wallet{}).(depositor); !ok {
			t.Errorf("*Wallet has no Deposit(int) error method, want one")
		}
		if _, ok := any(Wallet{}).(depositor); ok {
			t.Errorf("a Wallet value has Deposit in its method set, want it only on *Wallet: a Deposit with a value receiver adds to a copy")
		}
		w := &Wallet{}
		if d, ok := any(w).(depositor); ok {
			if err := d.Deposit(6); err != nil || w.Balance() != 6 {
				t.Errorf("var d depositor = w; d.Deposit(6) = %v, w.Balance() = %d, want no error and 6: a Deposit through an interface must reach the wallet the pointer points to", err, w.Balance())
			}
		}
	})
}

func TestNilWallet(t *testing.T) {
	var w *Wallet
	t.Run("Balance of a nil *Wallet is 0, of a funded one its balance", func(t *testing.T) {
		var got int
		if noPanic(t, "Balance() on a nil *Wallet", func() { got = w.Balance() }) && got != 0 {
			t.Errorf("Balance() on a nil *Wallet = %d, want 0", got)
		}
		// A zero balance is also what a Balance that ignores the wallet returns: compare with a funded one.
		if got := funded(t).Balance(); got != 12 {
			t.Errorf("Balance() of a wallet after Deposit(10), Deposit(5), Withdraw(3) = %d, want 12", got)
		}
	})
	t.Run("History of a nil *Wallet is empty, of a used one its entries", func(t *testing.T) {
		var got []Entry
		if noPanic(t, "History() on a nil *Wallet", func() { got = w.History() }) && len(got) != 0 {
			t.Errorf("History() on a nil *Wallet = %v, want none", got)
		}
		// No history is also what a History that ignores the wallet returns: compare with a wallet that has one.
		one := &Wallet{}
		_ = one.Deposit(9)
		if got, want := one.History(), []Entry{{"deposit", 9}}; !reflect.DeepEqual(got, want) {
			t.Errorf("History() of a wallet after Deposit(9) = %v, want %v", got, want)
		}
	})
	t.Run("Deposit and Withdraw on a nil *Wallet return ErrNoWallet", func(t *testing.T) {
		var dep, wd error
		if noPanic(t, "Deposit(5) and Withdraw(5) on a nil *Wallet", func() { dep, wd = w.Deposit(5), w.Withdraw(5) }) &&
			(!errors.Is(dep, ErrNoWallet) || !errors.Is(wd, ErrNoWallet)) {
			t.Errorf("Deposit(5), Withdraw(5) on a nil *Wallet = %v, %v, want ErrNoWallet for both", dep, wd)
		}
	})
}

func TestPayday(t *testing.T) {
	t.Run("deposits into every wallet of the slice", func(t *testing.T) {
		ws := []Wallet{{Owner: "ada"}, {Owner: "bob"}, {Owner: "eve"}}
		if err := Payday(ws, 100); err != nil {
			t.Fatalf("Payday(wallets, 100) = %v, want no error", err)
		}
		for i := range ws {
			if got := ws[i].Balance(); got != 100 {
				t.Errorf("after Payday(wallets, 100) wallet %d (%s) has Balance() = %d, want 100: was the deposit made into a copy of the wallet?", i, ws[i].Owner, got)
			}
		}
	})
	t.Run("refuses an amount that is not positive", func(t *testing.T) {
		ws := []Wallet{{Owner: "ada"}}
		if err := Payday(ws, 0); !errors.Is(err, ErrAmount) {
			t.Errorf("Payday(wallets, 0) = %v, want ErrAmount", err)
		}
	})
}
