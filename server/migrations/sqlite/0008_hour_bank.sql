-- The hour bank: an append-only ledger of prepaid minutes per organisation. The balance is
-- derived from it; `hour_banks` holds one row per organisation that every change locks first.

CREATE TABLE hour_banks (
    org_id   INTEGER PRIMARY KEY REFERENCES organizations (id),
    version  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hour_ledger (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organizations (id),
    kind               TEXT NOT NULL CHECK (kind IN ('purchase', 'debit', 'expiry', 'adjustment', 'refund')),
    minutes            INTEGER NOT NULL,                  -- + credit, - debit
    lot_id             INTEGER REFERENCES hour_ledger (id), -- the purchase a debit draws from
    expires_at         TEXT,                              -- purchases only
    order_id           INTEGER,                           -- the store order of a purchase or refund
    change_request_id  INTEGER,                           -- the change request of a debit
    note               TEXT NOT NULL DEFAULT '',
    actor_id           INTEGER REFERENCES users (id),
    created_at         TEXT NOT NULL,
    CHECK ((kind = 'purchase') = (expires_at IS NOT NULL)),
    CHECK (kind IN ('purchase', 'adjustment') OR (lot_id IS NOT NULL AND minutes < 0))
);
CREATE INDEX hour_ledger_org ON hour_ledger (org_id, id);
CREATE INDEX hour_ledger_lot ON hour_ledger (lot_id);
