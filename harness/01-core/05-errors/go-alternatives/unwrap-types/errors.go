// Package apperr is the error vocabulary of a small service: what failed, told apart
// by the handler that picks the HTTP status, however much context was added on the way up.
package apperr

import (
	"errors"
	"net/http"
	"strings"
)

// ErrPermission means the caller may not do what they asked. Recognise it with
// errors.Is, never by its message.
var ErrPermission = errors.New("permission denied")

// ErrNotFound is the sentinel for "no such thing". errors.Is(err, ErrNotFound) is also
// true for a *NotFoundError (see its Is method).
var ErrNotFound = errors.New("not found")

// NotFoundError says which entity was not found.
type NotFoundError struct {
	Entity string
	ID     string
}

// Error returns "<entity> <id> not found".
func (e *NotFoundError) Error() string {
	return e.Entity + " " + e.ID + " not found"
}

// Is makes errors.Is(err, ErrNotFound) true for a *NotFoundError.
func (e *NotFoundError) Is(target error) bool {
	return target == ErrNotFound
}

// ValidationError says which field of the input is wrong and why.
type ValidationError struct {
	Field   string
	Problem string
}

// Error returns "<field>: <problem>".
func (e *ValidationError) Error() string {
	return e.Field + ": " + e.Problem
}

// opError is the context Wrap adds: its own type with an Unwrap method instead of
// fmt.Errorf and %w.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// Wrap adds context to err: the message is "<op>: <err's message>" and errors.Is and
// errors.As still find err inside. Wrap(nil, op) is nil.
func Wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	return &opError{op: op, err: err}
}

// Signup is the form a new user sends.
type Signup struct {
	Email string
	Age   int
}

// check returns the problem with one field, or nil (an untyped nil error, never a nil pointer).
type check func(Signup) error

var checks = []check{
	func(s Signup) error {
		if !strings.Contains(s.Email, "@") {
			return &ValidationError{Field: "email", Problem: "must contain @"}
		}
		return nil
	},
	func(s Signup) error {
		if s.Age < 18 {
			return &ValidationError{Field: "age", Problem: "must be 18 or over"}
		}
		return nil
	},
}

// Validate returns nil for a valid form, else every problem at once: the errors.Join of
// one *ValidationError per bad field, in field order (Email, then Age).
func Validate(s Signup) error {
	problems := make([]error, 0, len(checks))
	for _, c := range checks {
		// errors.Join drops nil errors, and returns nil when all of them are nil.
		problems = append(problems, c(s))
	}
	return errors.Join(problems...)
}

// statuses are tried in order; the first that recognises the error picks the status.
var statuses = []struct {
	matches func(error) bool
	status  int
}{
	{func(err error) bool { _, ok := errors.AsType[*ValidationError](err); return ok }, http.StatusBadRequest},
	{func(err error) bool { return errors.Is(err, ErrPermission) }, http.StatusForbidden},
	{func(err error) bool { return errors.Is(err, ErrNotFound) }, http.StatusNotFound},
}

// StatusOf picks the HTTP status for an error returned by the service.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	for _, s := range statuses {
		if s.matches(err) {
			return s.status
		}
	}
	return http.StatusInternalServerError
}
