// Package migrations versions the schema of the shop's database with goose: the .sql files
// beside this file are the migrations, embedded in the binary, and Migrate and Rollback run
// them through a goose.Provider. See README.md for the contract.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Files holds this package's migrations: 00001_create_users.sql, 00002_create_orders.sql and
// 00003_user_profile.sql, compiled into the binary.
//
//go:embed *.sql
var Files embed.FS

// newProvider is the one place the goose provider is configured: PostgreSQL, the migrations of
// fsys, and a session-level advisory lock so that two instances starting together take turns.
func newProvider(db *sql.DB, fsys fs.FS) (*goose.Provider, error) {
	// Another runner holding the lock is asked again every second (the default is every 5 s).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration of fsys to db, oldest first, each in its own
// transaction, and returns the versions it applied now (none when db is up to date).
// db stays open: it belongs to the caller.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS) ([]int64, error) {
	p, err := newProvider(db, fsys)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer p.Close()
	results, err := p.Up(ctx)
	if err != nil {
		// A *goose.PartialError says which migration failed; %w keeps it for errors.As.
		return nil, fmt.Errorf("migrate: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Rollback reverts the newest applied migration of db and returns its version: 0 and nil
// when nothing is applied.
func Rollback(ctx context.Context, db *sql.DB, fsys fs.FS) (int64, error) {
	p, err := newProvider(db, fsys)
	if err != nil {
		return 0, fmt.Errorf("rollback: %w", err)
	}
	defer p.Close()
	r, err := p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rollback: %w", err)
	}
	return r.Source.Version, nil
}
