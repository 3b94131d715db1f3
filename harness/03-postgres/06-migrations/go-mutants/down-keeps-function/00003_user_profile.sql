-- +goose Up
ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Fails when two emails differ only in case: then the whole migration is rolled back.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- A function body holds semicolons: goose must send it as one statement.
-- +goose StatementBegin
CREATE FUNCTION users_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_touch_updated_at();

-- +goose Down
DROP TRIGGER users_touch_updated_at ON users;
DROP INDEX users_email_lower_key;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN name;
