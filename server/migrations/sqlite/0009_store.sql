-- The store (hour packages, orders, Stripe events), positive hour adjustments as lots, hour
-- warnings sent once, and change requests that spend the hour bank.

-- Admins may credit hours with a reason and an expiry: such adjustments are lots like purchases.
CREATE TABLE hour_ledger_new (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organizations (id),
    kind               TEXT NOT NULL CHECK (kind IN ('purchase', 'debit', 'expiry', 'adjustment', 'refund')),
    minutes            INTEGER NOT NULL,
    lot_id             INTEGER REFERENCES hour_ledger_new (id),
    expires_at         TEXT,
    order_id           INTEGER,
    change_request_id  INTEGER,
    note               TEXT NOT NULL DEFAULT '',
    actor_id           INTEGER REFERENCES users (id),
    created_at         TEXT NOT NULL,
    CHECK (kind <> 'purchase' OR expires_at IS NOT NULL),
    CHECK (expires_at IS NULL OR (kind IN ('purchase', 'adjustment') AND minutes > 0 AND lot_id IS NULL)),
    CHECK (kind IN ('purchase', 'adjustment') OR (lot_id IS NOT NULL AND minutes < 0))
);
INSERT INTO hour_ledger_new SELECT * FROM hour_ledger;
DROP TABLE hour_ledger;
ALTER TABLE hour_ledger_new RENAME TO hour_ledger;
CREATE INDEX hour_ledger_org ON hour_ledger (org_id, id);
CREATE INDEX hour_ledger_lot ON hour_ledger (lot_id);
CREATE INDEX hour_ledger_change ON hour_ledger (change_request_id);

CREATE TABLE store_packages (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    hours            INTEGER NOT NULL CHECK (hours > 0),
    price_cents      INTEGER NOT NULL CHECK (price_cents > 0),
    validity_months  INTEGER NOT NULL CHECK (validity_months > 0),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    position         INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT NOT NULL
);

-- Who may buy for an organisation: any of its customers, or only its designated buyers.
ALTER TABLE organizations ADD COLUMN purchase_policy TEXT NOT NULL DEFAULT 'any'
    CHECK (purchase_policy IN ('any', 'buyers'));
ALTER TABLE users ADD COLUMN org_buyer BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE store_orders (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organizations (id),
    buyer_id             INTEGER NOT NULL REFERENCES users (id),
    package_code         TEXT NOT NULL,
    package_name         TEXT NOT NULL,
    hours                INTEGER NOT NULL,
    price_cents          INTEGER NOT NULL,
    validity_months      INTEGER NOT NULL,
    method               TEXT NOT NULL CHECK (method IN ('card', 'transfer')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded')),
    reference            TEXT NOT NULL UNIQUE,
    checkout_session_id  TEXT,
    lot_id               INTEGER REFERENCES hour_ledger (id),
    paid_at              TEXT,
    confirmed_by         INTEGER REFERENCES users (id),
    refunded_at          TEXT,
    refunded_minutes     INTEGER,
    created_at           TEXT NOT NULL
);
CREATE INDEX store_orders_org ON store_orders (org_id, id);

-- Stripe events already handled: a replayed or duplicate delivery finds its id here.
CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    order_id     INTEGER,
    received_at  TEXT NOT NULL
);

-- Hour warnings already sent (low balance after a given purchase, a lot about to expire).
CREATE TABLE hour_notices (
    org_id   INTEGER NOT NULL REFERENCES organizations (id),
    kind     TEXT NOT NULL CHECK (kind IN ('low_balance', 'expiring')),
    ref_id   INTEGER NOT NULL,
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, ref_id)
);

CREATE TABLE change_requests (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id),
    requester_id      INTEGER NOT NULL REFERENCES users (id),
    project_id        INTEGER REFERENCES projects (id),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    desired_date      TEXT,
    status            TEXT NOT NULL CHECK (status IN ('submitted', 'estimated', 'approved', 'in_progress',
                                                      'done', 'rejected', 'declined')),
    scope             TEXT NOT NULL DEFAULT '',
    risk              TEXT CHECK (risk IN ('bajo', 'medio', 'alto')),
    estimate_minutes  INTEGER,
    approved_minutes  INTEGER NOT NULL DEFAULT 0,
    planned_for       TEXT,
    reason            TEXT NOT NULL DEFAULT '',
    assessor_id       INTEGER REFERENCES users (id),
    done_at           TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX change_requests_org ON change_requests (org_id, id);
CREATE INDEX change_requests_project ON change_requests (project_id);

CREATE TABLE change_request_events (
    id                 INTEGER PRIMARY KEY,
    change_request_id  INTEGER NOT NULL REFERENCES change_requests (id),
    actor_id           INTEGER REFERENCES users (id),
    kind               TEXT NOT NULL,
    minutes            INTEGER,
    note               TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL
);
CREATE INDEX change_request_events_cr ON change_request_events (change_request_id, id);

-- Store settings edited by admins (one row): how to pay by bank transfer or SINPE Móvil.
CREATE TABLE store_settings (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    transfer_instructions  TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
