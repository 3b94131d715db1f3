package interfaces

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
)

func TestCents(t *testing.T) {
	cases := []struct {
		cents Cents
		want  string
	}{
		{1205, "$12.05"},
		{5, "$0.05"},
		{0, "$0.00"},
		{-50, "-$0.50"},
		{100000, "$1000.00"},
	}
	for _, c := range cases {
		t.Run("fmt prints "+c.want, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprint(c.cents); got != c.want {
				t.Errorf("fmt.Sprint(Cents(%d)) = %q, want %q: fmt calls String() when the Cents value has that method", int64(c.cents), got, c.want)
			}
		})
	}
	t.Run("a Cents value is a fmt.Stringer", func(t *testing.T) {
		t.Parallel()
		if _, ok := any(Cents(1)).(fmt.Stringer); !ok {
			t.Errorf("Cents(1).(fmt.Stringer) fails, want a Cents value to satisfy fmt.Stringer: a method with a pointer receiver is not in the method set of a Cents value")
		}
		if got, want := fmt.Sprint([]Cents{5, 150}), "[$0.05 $1.50]"; got != want {
			t.Errorf("fmt.Sprint([]Cents{5, 150}) = %q, want %q", got, want)
		}
	})
}

func TestLineCounter(t *testing.T) {
	t.Run("counts the lines fmt.Fprintf writes", func(t *testing.T) {
		t.Parallel()
		var lc LineCounter
		n, err := fmt.Fprintf(&lc, "%s\n%s\n", "a", "b")
		if n != 4 || err != nil {
			t.Errorf("fmt.Fprintf(&lc, \"a\\nb\\n\") = %d, %v, want 4, <nil>: Write returns how many bytes of p it took", n, err)
		}
		if lc.Lines != 2 {
			t.Errorf("after writing \"a\\nb\\n\" Lines = %d, want 2", lc.Lines)
		}
	})
	t.Run("io.Copy copies everything through it", func(t *testing.T) {
		t.Parallel()
		var lc LineCounter
		text := strings.Repeat("line\n", 1000)
		n, err := io.Copy(&lc, strings.NewReader(text))
		if n != int64(len(text)) || err != nil {
			t.Errorf("io.Copy(&lc, 1000 lines) = %d, %v, want %d, <nil>: Write must return len(p), or io.Copy stops with a short write", n, err, len(text))
		}
		if lc.Lines != 1000 {
			t.Errorf("after io.Copy of 1000 lines Lines = %d, want 1000", lc.Lines)
		}
	})
	t.Run("a log.Logger writes through it", func(t *testing.T) {
		t.Parallel()
		var lc LineCounter
		logger := log.New(&lc, "", 0)
		logger.Print("started")
		logger.Printf("paid %v", Cents(1205))
		if lc.Lines != 2 {
			t.Errorf("after two log lines through log.New(&lc, \"\", 0) Lines = %d, want 2", lc.Lines)
		}
	})
	t.Run("a line written in two parts counts once", func(t *testing.T) {
		t.Parallel()
		var lc LineCounter
		_, _ = lc.Write([]byte("ab"))
		_, _ = lc.Write([]byte("c\n"))
		if lc.Lines != 1 {
			t.Errorf(`Write("ab"), Write("c\n"): Lines = %d, want 1`, lc.Lines)
		}
	})
}

// bothKinds is an error and a fmt.Stringer at once; Describe never heard of it.
type bothKinds struct{}

func (bothKinds) Error() string  { return "card declined" }
func (bothKinds) String() string { return "bothKinds{}" }

// currency satisfies fmt.Stringer without saying so.
type currency string

func (c currency) String() string { return strings.ToUpper(string(c)) }

func TestDescribe(t *testing.T) {
	cases := []struct {
		about string
		v     any
		want  string
	}{
		{"nil", nil, "nil"},
		{"an int", 42, "int 42"},
		{"a string", "hi", `string "hi"`},
		{"a bool", true, "bool true"},
		{"an error", errors.New("boom"), "error: boom"},
		{"a Cents, as a Stringer", Cents(1205), "stringer: $12.05"},
		{"any type with a String method", currency("eur"), "stringer: EUR"},
		{"an error that is also a Stringer, as an error", bothKinds{}, "error: card declined"},
		{"a type it has no case for", 2.5, "other float64"},
		{"a nil pointer, which is not a nil interface", (*int)(nil), "other *int"},
	}
	for _, c := range cases {
		t.Run(c.about, func(t *testing.T) {
			t.Parallel()
			if got := Describe(c.v); got != c.want {
				t.Errorf("Describe(%#v) = %q, want %q", c.v, got, c.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Run("a valid signup returns a nil error, the same signup at 17 does not", func(t *testing.T) {
		t.Parallel()
		s := Signup{Email: "ada@example.com", Age: 18}
		if err := Validate(s); err != nil {
			t.Errorf("Validate(%+v) = %v (a %T), want nil: an error interface that holds a nil *ValidationError is not nil, return a literal nil", s, err, err)
		}
		// A nil error is also what a Validate that checks nothing returns.
		s.Age = 17
		if err := Validate(s); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error: 17 is under 18", s)
		}
	})
	cases := []struct {
		about   string
		signup  Signup
		field   string
		message string
	}{
		{"an email without @", Signup{Email: "ada", Age: 36}, "email", "email: must contain @"},
		{"an age under 18", Signup{Email: "ada@example.com", Age: 17}, "age", "age: must be at least 18"},
		{"both wrong: the email first", Signup{Email: "ada", Age: 17}, "email", "email: must contain @"},
	}
	for _, c := range cases {
		t.Run(c.about, func(t *testing.T) {
			t.Parallel()
			err := Validate(c.signup)
			var verr *ValidationError
			if !errors.As(err, &verr) || verr == nil {
				t.Fatalf("Validate(%+v) = %v, want a *ValidationError for the field %q", c.signup, err, c.field)
			}
			if verr.Field != c.field || err.Error() != c.message {
				t.Errorf("Validate(%+v) = %+v with the message %q, want Field %q and the message %q", c.signup, *verr, err.Error(), c.field, c.message)
			}
		})
	}
}
