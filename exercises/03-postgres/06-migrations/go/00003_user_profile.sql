-- +goose Up
-- TODO: the columns name and updated_at, the unique index on lower(email), and the trigger
-- that keeps updated_at (see README.md).

-- +goose Down
-- TODO: undo exactly what Up did.
