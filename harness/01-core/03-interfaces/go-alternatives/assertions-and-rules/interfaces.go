// Package interfaces holds small helpers of a payment service that work through
// interfaces they never name: fmt.Stringer, io.Writer and error.
package interfaces

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

var (
	_ fmt.Stringer = Cents(0)
	_ io.Writer    = (*LineCounter)(nil)
	_ error        = (*ValidationError)(nil)
)

// Cents is an amount of money in cents.
type Cents int64

// String formats c as dollars: "$12.05", "-$0.50". It builds the text with strconv,
// so fmt never sees c and cannot call String again.
func (c Cents) String() string {
	n := int64(c)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
		n = -n
	}
	b.WriteByte('$')
	b.WriteString(strconv.FormatInt(n/100, 10))
	b.WriteByte('.')
	if n%100 < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatInt(n%100, 10))
	return b.String()
}

// LineCounter is an io.Writer that counts the lines written through it.
type LineCounter struct {
	Lines int
}

// Write counts the newlines in p. It never fails and takes all of p.
func (lc *LineCounter) Write(p []byte) (n int, err error) {
	for _, c := range p {
		if c == '\n' {
			lc.Lines++
		}
	}
	return len(p), nil
}

// Describe says what v holds, for a log line. Comma-ok type assertions, tried in
// order: the error check comes before the Stringer check.
func Describe(v any) string {
	if v == nil {
		return "nil"
	}
	if err, ok := v.(error); ok {
		return "error: " + err.Error()
	}
	if s, ok := v.(fmt.Stringer); ok {
		return "stringer: " + s.String()
	}
	if i, ok := v.(int); ok {
		return "int " + strconv.Itoa(i)
	}
	if s, ok := v.(string); ok {
		return "string " + strconv.Quote(s)
	}
	if b, ok := v.(bool); ok {
		return "bool " + strconv.FormatBool(b)
	}
	return fmt.Sprintf("other %T", v)
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

// rules are checked in field order; the first broken one is the answer.
var rules = []struct {
	field, problem string
	ok             func(Signup) bool
}{
	{"email", "must contain @", func(s Signup) bool { return strings.Contains(s.Email, "@") }},
	{"age", "must be at least 18", func(s Signup) bool { return s.Age >= 18 }},
}

// Validate returns nil for a valid signup, else a *ValidationError for its first problem.
func Validate(s Signup) error {
	for _, r := range rules {
		if !r.ok(s) {
			return &ValidationError{Field: r.field, Problem: r.problem}
		}
	}
	return nil
}
