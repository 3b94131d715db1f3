/**
 * The shop's schema. The database, not the application, guards these rules: every
 * writer (this service, a migration, a psql session) is held to them.
 */
export const schema = /* sql */ `
CREATE TABLE customers (
  id    serial PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
  name  text NOT NULL
);

CREATE TABLE products (
  id          serial PRIMARY KEY,
  sku         text NOT NULL UNIQUE,
  name        text NOT NULL,
  price_cents int  NOT NULL CHECK (price_cents > 0),
  stock       int  NOT NULL DEFAULT 0 CHECK (stock >= 0)
);

CREATE TABLE orders (
  id          serial PRIMARY KEY,
  -- RESTRICT: a customer with orders cannot disappear and orphan them.
  customer_id int  NOT NULL REFERENCES customers ON DELETE RESTRICT,
  status      text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
  -- CASCADE: items have no life outside their order.
  order_id    int NOT NULL REFERENCES orders ON DELETE CASCADE,
  product_id  int NOT NULL REFERENCES products ON DELETE RESTRICT,
  quantity    int NOT NULL CHECK (quantity > 0),
  -- The price at the moment of purchase: products.price_cents may change later.
  price_cents int NOT NULL CHECK (price_cents >= 0),
  PRIMARY KEY (order_id, product_id)
);
`
