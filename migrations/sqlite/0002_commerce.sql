-- Commerce: carts whose lines hold stock, the stock ledger, orders with their lines
-- (names and prices copied at order time), voucher usage, and handoffs to a human.

-- A cart belongs to an owner: "s:<session id>" or, once identified, "c:<customer id>".
-- Every operation on a cart first touches its row, so operations on one cart run
-- one after another on every backend.
CREATE TABLE IF NOT EXISTS carts (
    owner        TEXT PRIMARY KEY,
    voucher_code TEXT,
    updated_at   BIGINT NOT NULL
);

-- `held` units of the line are reserved until `held_until` (unix milliseconds);
-- expiry releases them and the line stays, unheld, until checkout holds it again.
CREATE TABLE IF NOT EXISTS cart_lines (
    owner      TEXT NOT NULL REFERENCES carts (owner) ON DELETE CASCADE,
    sku        TEXT NOT NULL REFERENCES variants (sku),
    product_id TEXT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    held       BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    held_until BIGINT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (owner, sku)
);
CREATE INDEX IF NOT EXISTS cart_lines_by_expiry ON cart_lines (held_until);

-- Every change of a variant's stock or reservations, with the values before and
-- after: per SKU the deltas sum to the variant's stock and reserved columns.
CREATE TABLE IF NOT EXISTS stock_movements (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sku             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    stock_delta     BIGINT NOT NULL,
    reserved_delta  BIGINT NOT NULL,
    stock_before    BIGINT NOT NULL,
    stock_after     BIGINT NOT NULL,
    reserved_before BIGINT NOT NULL,
    reserved_after  BIGINT NOT NULL,
    reference       TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_movements_by_sku ON stock_movements (sku, id);

CREATE TABLE IF NOT EXISTS orders (
    id             TEXT PRIMARY KEY,
    owner          TEXT NOT NULL,
    session_id     TEXT,
    customer_id    TEXT,
    status         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    subtotal       BIGINT NOT NULL,
    discount       BIGINT NOT NULL,
    shipping       BIGINT NOT NULL,
    total          BIGINT NOT NULL,
    voucher_code   TEXT,
    address        TEXT,
    payment_method TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_owner ON orders (owner, created_at);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    sku        TEXT NOT NULL,
    product_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       TEXT,
    color      TEXT,
    category   TEXT NOT NULL,
    quantity   BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    PRIMARY KEY (order_id, position)
);

-- How often a voucher was used: per customer, and overall under customer '*'.
CREATE TABLE IF NOT EXISTS voucher_claims (
    code     TEXT NOT NULL,
    customer TEXT NOT NULL,
    used     BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (code, customer)
);

CREATE TABLE IF NOT EXISTS handoffs (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    customer_id TEXT,
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    lang        TEXT,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, created_at);
