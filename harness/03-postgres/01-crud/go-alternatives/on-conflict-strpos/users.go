// Package users is a repository over the users table, written with pgx.
//
// Errors are told by the rows that come back rather than by error codes where SQL
// allows it: Create uses ON CONFLICT DO NOTHING, Delete uses RETURNING. Search needs no
// LIKE pattern at all: strpos on lower-cased text has no wildcards to escape.
package users

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

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

// one runs a statement that returns at most one user; no row is a *NotFoundError.
func (r *Repo) one(ctx context.Context, id int64, sql string, args ...any) (User, error) {
	rows, err := r.db.Query(ctx, sql, args...)
	if err != nil {
		return User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, &NotFoundError{ID: id}
	}
	return u, err
}

func (r *Repo) Create(ctx context.Context, email, name string) (User, error) {
	// A taken email inserts nothing and returns no row; a concurrent insert of the same
	// email waits for the other transaction and then conflicts too.
	rows, err := r.db.Query(ctx,
		"INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id, email, name",
		email, name)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrDuplicateEmail
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (r *Repo) Get(ctx context.Context, id int64) (User, error) {
	return r.one(ctx, id, "SELECT id, email, name FROM users WHERE id = $1", id)
}

func (r *Repo) list(ctx context.Context, sql string, args ...any) ([]User, error) {
	rows, err := r.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[User])
}

func (r *Repo) List(ctx context.Context) ([]User, error) {
	return r.list(ctx, "SELECT id, email, name FROM users ORDER BY id")
}

func (r *Repo) Search(ctx context.Context, text string) ([]User, error) {
	// A substring test, not a pattern: % _ and \ in text are ordinary characters.
	return r.list(ctx, "SELECT id, email, name FROM users WHERE strpos(lower(name), lower($1)) > 0 ORDER BY id", text)
}

func (r *Repo) Update(ctx context.Context, id int64, p Patch) (User, error) {
	// Only the columns the patch sets appear in SET; their values stay placeholders.
	args := []any{id}
	var set []string
	for _, f := range []struct {
		column string
		value  *string
	}{{"email", p.Email}, {"name", p.Name}} {
		if f.value != nil {
			args = append(args, *f.value)
			set = append(set, f.column+" = $"+strconv.Itoa(len(args)))
		}
	}
	if len(set) == 0 {
		return r.Get(ctx, id)
	}
	u, err := r.one(ctx, id, "UPDATE users SET "+strings.Join(set, ", ")+" WHERE id = $1 RETURNING id, email, name", args...)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return User{}, ErrDuplicateEmail
	}
	var nf *NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, err
}

func (r *Repo) Delete(ctx context.Context, id int64) error {
	var deleted int64
	err := r.db.QueryRow(ctx, "DELETE FROM users WHERE id = $1 RETURNING id", id).Scan(&deleted)
	if errors.Is(err, pgx.ErrNoRows) {
		return &NotFoundError{ID: id}
	}
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}
