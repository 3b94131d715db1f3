-- +goose Up
-- TODO: CREATE TABLE users (see README.md).

-- +goose Down
-- TODO: undo exactly what Up did.
