-- +goose Up
-- TODO: CREATE TABLE orders and its index on user_id (see README.md).

-- +goose Down
-- TODO: undo exactly what Up did.
