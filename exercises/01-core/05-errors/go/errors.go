// Package apperr is the error vocabulary of a small service: what failed, told apart
// by the handler that picks the HTTP status, however much context was added on the way up.
package apperr

import "errors"

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
	// TODO: see README.md.
	return ""
}

// Is makes errors.Is(err, ErrNotFound) true for a *NotFoundError.
func (e *NotFoundError) Is(target error) bool {
	// TODO
	return false
}

// ValidationError says which field of the input is wrong and why.
type ValidationError struct {
	Field   string
	Problem string
}

// Error returns "<field>: <problem>".
func (e *ValidationError) Error() string {
	// TODO
	return ""
}

// Wrap adds context to err: the message is "<op>: <err's message>" and errors.Is and
// errors.As still find err inside. Wrap(nil, op) is nil.
func Wrap(err error, op string) error {
	// TODO
	return nil
}

// Signup is the form a new user sends.
type Signup struct {
	Email string
	Age   int
}

// Validate returns nil for a valid form, else every problem at once: the errors.Join of
// one *ValidationError per bad field, in field order (Email, then Age).
func Validate(s Signup) error {
	// TODO
	return nil
}

// StatusOf picks the HTTP status for an error returned by the service.
func StatusOf(err error) int {
	// TODO
	return 0
}
