// Mutant: StatusOf looks for ErrNotFound before ValidationError, so an error holding both is a 404.
// Package apperr is the error vocabulary of a small service: what failed, told apart
// by the handler that picks the HTTP status, however much context was added on the way up.
package apperr

import (
	"errors"
	"fmt"
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

// Wrap adds context to err: the message is "<op>: <err's message>" and errors.Is and
// errors.As still find err inside. Wrap(nil, op) is nil.
func Wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Signup is the form a new user sends.
type Signup struct {
	Email string
	Age   int
}

// Validate returns nil for a valid form, else every problem at once: the errors.Join of
// one *ValidationError per bad field, in field order (Email, then Age).
func Validate(s Signup) error {
	var problems []error
	if !strings.Contains(s.Email, "@") {
		problems = append(problems, &ValidationError{Field: "email", Problem: "must contain @"})
	}
	if s.Age < 18 {
		problems = append(problems, &ValidationError{Field: "age", Problem: "must be 18 or over"})
	}
	return errors.Join(problems...)
}

// StatusOf picks the HTTP status for an error returned by the service.
func StatusOf(err error) int {
	var invalid *ValidationError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.As(err, &invalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrPermission):
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}
