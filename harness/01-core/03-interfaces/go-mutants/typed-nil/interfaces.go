// Mutant: Validate keeps its problem in a *ValidationError variable and returns it: for a valid signup that is a nil pointer inside a non-nil error interface.
//
// Package interfaces holds small helpers of a payment service that work through
// interfaces they never name: fmt.Stringer, io.Writer and error.
package interfaces

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Compile-time checks: the build fails if a type stops satisfying the interface.
var (
	_ fmt.Stringer = Cents(0)
	_ io.Writer    = (*LineCounter)(nil)
	_ error        = (*ValidationError)(nil)
)

// Cents is an amount of money in cents.
type Cents int64

// String formats c as dollars: "$12.05", "-$0.50".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	// int64(...): formatting c itself with %v would call String again, forever.
	return fmt.Sprintf("%s$%d.%02d", sign, int64(c/100), int64(c%100))
}

// LineCounter is an io.Writer that counts the lines written through it.
type LineCounter struct {
	Lines int
}

// Write counts the newlines in p. It never fails.
func (lc *LineCounter) Write(p []byte) (int, error) {
	lc.Lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// Describe says what v holds, for a log line.
func Describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case error: // before fmt.Stringer: an error that is also a Stringer is an error
		return "error: " + v.Error()
	case fmt.Stringer:
		return "stringer: " + v.String()
	case int:
		return fmt.Sprintf("int %d", v)
	case string:
		return fmt.Sprintf("string %q", v)
	case bool:
		return fmt.Sprintf("bool %t", v)
	default:
		return fmt.Sprintf("other %T", v)
	}
}

// Signup is a registration form.
type Signup struct {
	Email string
	Age   int
}

// ValidationError says which field of a Signup is wrong.
type ValidationError struct {
	Field   string
	Problem string
}

func (e *ValidationError) Error() string {
	return e.Field + ": " + e.Problem
}

// Validate returns nil for a valid signup, else a *ValidationError for its first problem.
func Validate(s Signup) error {
	var problem *ValidationError
	switch {
	case !strings.Contains(s.Email, "@"):
		problem = &ValidationError{Field: "email", Problem: "must contain @"}
	case s.Age < 18:
		problem = &ValidationError{Field: "age", Problem: "must be at least 18"}
	}
	return problem
}
