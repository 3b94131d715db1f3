// Package migrations versions the schema of the shop's database with goose: the .sql files
// beside this file are the migrations, embedded in the binary, and Migrate and Rollback run
// them through a goose.Provider. See README.md for the contract.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
)

// Files holds this package's migrations: 00001_create_users.sql, 00002_create_orders.sql and
// 00003_user_profile.sql, compiled into the binary.
//
//go:embed *.sql
var Files embed.FS

// Migrate applies every pending migration of fsys to db, oldest first, each in its own
// transaction, and returns the versions it applied now (none when db is up to date).
// db stays open: it belongs to the caller.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS) ([]int64, error) {
	// TODO: goose.NewProvider(goose.DialectPostgres, db, fsys, …), then Up; return the
	// versions of the results.
	return nil, errors.New("TODO: see README.md")
}

// Rollback reverts the newest applied migration of db and returns its version: 0 and nil
// when nothing is applied.
func Rollback(ctx context.Context, db *sql.DB, fsys fs.FS) (int64, error) {
	// TODO: the same provider, then Down.
	return 0, errors.New("TODO: see README.md")
}
