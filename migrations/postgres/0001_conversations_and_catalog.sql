-- Chat sessions and their messages, and the catalog (products with variants).
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT PRIMARY KEY,
    customer_id TEXT,
    lang        TEXT,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS messages (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    role        TEXT NOT NULL,
    text        TEXT NOT NULL,
    intent      TEXT,
    confidence  DOUBLE PRECISION,
    source      TEXT,
    constraints TEXT,
    template    TEXT,
    latency_us  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (session_id, seq);

CREATE TABLE IF NOT EXISTS products (
    id        TEXT PRIMARY KEY,
    position  BIGINT NOT NULL,
    category  TEXT NOT NULL,
    data      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS variants (
    sku        TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    size       TEXT,
    color      TEXT,
    stock      BIGINT NOT NULL CHECK (stock >= 0),
    reserved   BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);
CREATE INDEX IF NOT EXISTS variants_by_product ON variants (product_id);
