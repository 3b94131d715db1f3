// Package users is a small Users API whose every outcome has the right status code.
package users

import (
	"context"
	"errors"
	"net/http"
)

// User is one user of the API.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ErrNotFound is what a UserStore returns (possibly wrapped) when there is no such user.
var ErrNotFound = errors.New("user not found")

// UserStore is where users live; the tests pass their own (and sometimes a broken one).
type UserStore interface {
	List(ctx context.Context) ([]User, error)
	// Get and Remove return an error that errors.Is ErrNotFound when id is unknown.
	Get(ctx context.Context, id string) (User, error)
	Remove(ctx context.Context, id string) error
	// FindByEmail compares exactly; it returns an error that errors.Is ErrNotFound when
	// no user has this email.
	FindByEmail(ctx context.Context, email string) (User, error)
	Insert(ctx context.Context, u User) error
}

// Options configure NewApp.
type Options struct {
	Store UserStore
	// APIKey: clients must send "Authorization: Bearer <APIKey>".
	APIKey string
	// MaxBodyBytes is the largest accepted request body; 0 means 1024.
	MaxBodyBytes int64
}

// NewApp returns the Users API over opts.Store: GET and POST /users, GET and DELETE
// /users/{id}, every check in the order of README.md.
func NewApp(opts Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO: see README.md.
		http.Error(w, "TODO: NewApp (see README.md)", http.StatusNotImplemented)
	})
}
