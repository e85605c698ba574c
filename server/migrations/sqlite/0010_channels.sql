-- Omnichannel: WhatsApp, Messenger and Instagram conversations live in `chats` next to web
-- chats. A contact is one person on one channel; inbound message ids are kept so a webhook
-- delivered twice stores its message once; agent replies wait in `channel_outbox` until the
-- Graph API has accepted them.

ALTER TABLE users ADD COLUMN phone TEXT;   -- digits only, with country code (e.g. 50688887777)
CREATE INDEX users_phone ON users (phone);

CREATE TABLE channel_contacts (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('whatsapp', 'messenger', 'instagram')),
    external_id      TEXT NOT NULL,          -- WhatsApp number, page- or Instagram-scoped id
    account_id       TEXT NOT NULL,          -- our phone number id / page id they wrote to
    name             TEXT NOT NULL,
    user_id          INTEGER REFERENCES users (id),
    org_id           INTEGER REFERENCES organizations (id),
    last_inbound_at  TEXT NOT NULL,          -- opens the 24-hour customer-service window
    created_at       TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

ALTER TABLE chats ADD COLUMN channel TEXT NOT NULL DEFAULT 'web'
    CHECK (channel IN ('web', 'whatsapp', 'messenger', 'instagram'));
ALTER TABLE chats ADD COLUMN contact_id INTEGER REFERENCES channel_contacts (id);
CREATE INDEX chats_contact ON chats (contact_id, status);

ALTER TABLE chat_messages ADD COLUMN external_id TEXT;
ALTER TABLE chat_messages ADD COLUMN delivery TEXT
    CHECK (delivery IN ('queued', 'sent', 'delivered', 'read', 'failed'));
CREATE UNIQUE INDEX chat_messages_external ON chat_messages (external_id);

CREATE TABLE channel_outbox (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (chat_id, seq)
);
CREATE INDEX channel_outbox_due ON channel_outbox (status, next_attempt_at);
