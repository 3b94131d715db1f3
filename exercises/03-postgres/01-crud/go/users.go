// Package users is a repository over the users table, written with pgx.
// See README.md for the contract of each method.
package users

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what the repository needs of a connection: *pgxpool.Pool, *pgx.Conn and pgx.Tx have it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// User is one row of the users table.
type User struct {
	ID    int64
	Email string
	Name  string
}

// Patch holds the fields Update changes; a nil field is left as it is.
type Patch struct {
	Email *string
	Name  *string
}

// NotFoundError says that no user has the ID.
type NotFoundError struct {
	ID int64
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("user %d not found", e.ID) }

// ErrDuplicateEmail is returned when the email belongs to another user.
var ErrDuplicateEmail = errors.New("email is taken by another user")

// Repo reads and writes users.
type Repo struct {
	db DB
}

// NewRepo returns a repository over db.
func NewRepo(db DB) *Repo { return &Repo{db: db} }

var errTODO = errors.New("TODO: see README.md")

// Create inserts a user and returns it with its new id; ErrDuplicateEmail when the email is taken.
func (r *Repo) Create(ctx context.Context, email, name string) (User, error) {
	// TODO: INSERT … RETURNING, with the values as parameters ($1, $2).
	return User{}, errTODO
}

// Get returns the user with the id, or a *NotFoundError.
func (r *Repo) Get(ctx context.Context, id int64) (User, error) {
	// TODO: QueryRow(…).Scan(…); pgx.ErrNoRows becomes a *NotFoundError.
	return User{}, errTODO
}

// List returns every user ordered by id.
func (r *Repo) List(ctx context.Context) ([]User, error) {
	// TODO
	return nil, errTODO
}

// Search returns the users whose name contains text, case-insensitively, ordered by id.
func (r *Repo) Search(ctx context.Context, text string) ([]User, error) {
	// TODO: ILIKE, with \, % and _ of text escaped.
	return nil, errTODO
}

// Update changes the fields of the patch that are not nil and returns the updated user;
// a *NotFoundError for an unknown id, ErrDuplicateEmail when the email belongs to another user.
func (r *Repo) Update(ctx context.Context, id int64, p Patch) (User, error) {
	// TODO
	return User{}, errTODO
}

// Delete removes the user, or returns a *NotFoundError when there was none.
func (r *Repo) Delete(ctx context.Context, id int64) error {
	// TODO: Exec returns a CommandTag; RowsAffected() says whether a row went.
	return errTODO
}
