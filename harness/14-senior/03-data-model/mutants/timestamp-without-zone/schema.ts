// The schema of a coworking booking service: the invariants live in the database, where
// no code path (another service, a script, a race between two requests) can skip them.
import type pg from 'pg'

export async function migrate(db: Pick<pg.Pool, 'query'>): Promise<void> {
  await db.query(`
    -- Lets a GiST index compare plain integers with =, next to the time ranges.
    CREATE EXTENSION IF NOT EXISTS btree_gist;

    CREATE TABLE members (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email      text NOT NULL CHECK (email LIKE '_%@_%'),
      name       text NOT NULL CHECK (btrim(name) <> ''),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- Unique ignoring case, and the index the login lookup uses.
    CREATE UNIQUE INDEX members_email_lower_key ON members (lower(email));

    CREATE TABLE rooms (
      id       int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name     text NOT NULL UNIQUE,
      capacity int NOT NULL CHECK (capacity > 0)
    );

    CREATE TABLE bookings (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      room_id    int NOT NULL REFERENCES rooms ON DELETE RESTRICT,
      member_id  bigint NOT NULL REFERENCES members ON DELETE RESTRICT,
      starts_at  timestamp NOT NULL,
      ends_at    timestamp NOT NULL,
      attendees  int NOT NULL CHECK (attendees > 0),
      status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT bookings_time_order CHECK (ends_at > starts_at),
      -- No two active bookings of a room overlap; [) ranges let one end where the next starts.
      -- Enforced by the index itself, so it also holds for concurrent inserts.
      CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, tsrange(starts_at, ends_at) WITH &&)
        WHERE (status = 'active')
    );
    -- "My bookings, newest first": the filter and the order in one index, no sort.
    CREATE INDEX bookings_member_starts_idx ON bookings (member_id, starts_at DESC);
    -- Reminders: active bookings starting in a time window.
    CREATE INDEX bookings_active_starts_idx ON bookings (starts_at) WHERE status = 'active';
  `)
}
