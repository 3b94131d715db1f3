// Package users is a repository over the users table, written with pgx.
package users

import (
	"context"
	"errors"
	"fmt"
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

const columns = "id, email, name"

// uniqueViolation is PostgreSQL's SQLSTATE for a broken UNIQUE constraint.
const uniqueViolation = "23505"

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation
}

func (r *Repo) Create(ctx context.Context, email, name string) (User, error) {
	var u User
	sql := fmt.Sprintf("INSERT INTO users (email, name) VALUES ('%s', '%s') RETURNING %s", email, name, columns)
	err := r.db.QueryRow(ctx, sql).Scan(&u.ID, &u.Email, &u.Name)
	if isUniqueViolation(err) {
		return User{}, ErrDuplicateEmail
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (r *Repo) Get(ctx context.Context, id int64) (User, error) {
	var u User
	err := r.db.QueryRow(ctx, "SELECT "+columns+" FROM users WHERE id = $1", id).Scan(&u.ID, &u.Email, &u.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, &NotFoundError{ID: id}
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

func (r *Repo) list(ctx context.Context, sql string, args ...any) ([]User, error) {
	rows, err := r.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (User, error) {
		var u User
		err := row.Scan(&u.ID, &u.Email, &u.Name)
		return u, err
	})
	if err != nil {
		return nil, err
	}
	return users, nil
}

func (r *Repo) List(ctx context.Context) ([]User, error) {
	return r.list(ctx, "SELECT "+columns+" FROM users ORDER BY id")
}

// likeEscaper makes LIKE's special characters plain: \ first of all, since it is the escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (r *Repo) Search(ctx context.Context, text string) ([]User, error) {
	return r.list(ctx, fmt.Sprintf("SELECT %s FROM users WHERE name ILIKE '%%%s%%' ORDER BY id", columns, likeEscaper.Replace(text)))
}

func (r *Repo) Update(ctx context.Context, id int64, p Patch) (User, error) {
	var u User
	err := r.db.QueryRow(ctx,
		"UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name) WHERE id = $1 RETURNING "+columns,
		id, p.Email, p.Name).Scan(&u.ID, &u.Email, &u.Name)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return User{}, &NotFoundError{ID: id}
	case isUniqueViolation(err):
		return User{}, ErrDuplicateEmail
	case err != nil:
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

func (r *Repo) Delete(ctx context.Context, id int64) error {
	tag, err := r.db.Exec(ctx, "DELETE FROM users WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return &NotFoundError{ID: id}
	}
	return nil
}
