package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate creates the service's tables (users, products, orders, order_items, user_stats,
// processed_events). main.go runs it at every start, in every process: it must succeed on a
// database that already has them.
func Migrate(ctx context.Context, db *pgxpool.Pool) error {
	// TODO: create the tables (create table if not exists …).
	_ = db
	return nil
}
