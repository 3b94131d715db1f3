/**
 * The shop's schema: the tables and columns are here, the rules are not.
 * Add PRIMARY KEY, REFERENCES (with the right ON DELETE), UNIQUE, CHECK, NOT NULL and
 * DEFAULT so that the database itself rejects bad rows. See README.md for every rule.
 */
export const schema = /* sql */ `
CREATE TABLE customers (
  id    serial,
  email text,
  name  text
);

CREATE TABLE products (
  id          serial,
  sku         text,
  name        text,
  price_cents int,
  stock       int
);

CREATE TABLE orders (
  id          serial,
  customer_id int,
  status      text,
  created_at  timestamptz
);

CREATE TABLE order_items (
  order_id    int,
  product_id  int,
  quantity    int,
  price_cents int
);
`
