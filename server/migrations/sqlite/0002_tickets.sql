-- Tickets with first-response SLA, their conversation, and the admin's holiday calendar changes.

CREATE TABLE calendar_changes (
    day         TEXT PRIMARY KEY,              -- local Costa Rica date, YYYY-MM-DD
    day_off     INTEGER NOT NULL,              -- 1: extra day off; 0: legal holiday removed
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organizations (id),
    requester_id        INTEGER NOT NULL REFERENCES users (id),
    assignee_id         INTEGER REFERENCES users (id),
    subject             TEXT NOT NULL,
    body                TEXT NOT NULL,
    kind                TEXT NOT NULL,
    priority            TEXT NOT NULL CHECK (priority IN ('alta', 'media', 'normal')),
    plan                TEXT NOT NULL CHECK (plan IN ('estandar', 'avanzado', 'premium')),
    on_site             INTEGER NOT NULL DEFAULT 0,
    status              TEXT NOT NULL,
    received_at         TEXT NOT NULL,
    first_response_due  TEXT NOT NULL,
    responded_at        TEXT,
    updated_at          TEXT NOT NULL,
    CHECK (kind = 'incident' OR priority = 'normal')
);
CREATE INDEX tickets_org ON tickets (org_id, status);
CREATE INDEX tickets_due ON tickets (status, first_response_due);

CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    internal    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
