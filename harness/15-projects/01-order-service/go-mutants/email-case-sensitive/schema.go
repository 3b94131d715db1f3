package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate creates the service's tables. Safe to run again: every statement is "if not
// exists", so a restarted service (or a second instance) runs it at start-up.
func Migrate(ctx context.Context, db *pgxpool.Pool) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// Two processes starting at once would race on "create … if not exists": one at a time.
	if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(4242001)`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
    create table if not exists users (
      id int generated always as identity primary key,
      email text not null,
      name text not null check (name <> '')
    );
    create unique index if not exists users_email on users (email);

    create table if not exists products (
      id int generated always as identity primary key,
      name text not null check (name <> ''),
      price_cents int not null check (price_cents >= 0),
      -- the last line of defence against overselling: stock never goes below zero
      stock int not null check (stock >= 0)
    );

    create table if not exists orders (
      id int generated always as identity primary key,
      user_id int not null references users (id),
      status text not null default 'created',
      total_cents bigint not null check (total_cents >= 0),
      created_at timestamptz not null default now()
    );

    create table if not exists order_items (
      order_id int not null references orders (id) on delete cascade,
      position int not null,
      -- restrict: a product that was sold cannot silently disappear from old orders
      product_id int not null references products (id) on delete restrict,
      quantity int not null check (quantity > 0),
      price_cents int not null check (price_cents >= 0),
      primary key (order_id, product_id)
    );

    create table if not exists user_stats (
      user_id int primary key references users (id),
      orders_count int not null default 0,
      spent_cents bigint not null default 0
    );

    -- the consumer's memory of what it already handled: its primary key makes it idempotent
    create table if not exists processed_events (
      event_id text primary key,
      processed_at timestamptz not null default now()
    );`); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
