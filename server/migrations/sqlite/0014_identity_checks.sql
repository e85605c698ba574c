-- Identity is proven where it enters. A WhatsApp number names a customer only once it is
-- verified: by a one-time code sent to it, or by staff. Numbers saved before this check were
-- never proven: they wait for staff to confirm them, and the conversations they linked
-- become unidentified contacts again (no link had been confirmed by staff).

CREATE TABLE phone_verifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,               -- digits with country code
    code_hash   TEXT,                        -- NULL: no code was sent; staff confirm
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  TEXT,
    created_at  TEXT NOT NULL
);

INSERT INTO phone_verifications (user_id, phone, created_at)
    SELECT id, phone, updated_at FROM users WHERE phone IS NOT NULL;
UPDATE users SET phone = NULL WHERE phone IS NOT NULL;
UPDATE channel_contacts SET user_id = NULL, org_id = NULL WHERE user_id IS NOT NULL;
UPDATE chats SET customer_id = NULL, org_id = NULL
    WHERE contact_id IS NOT NULL AND customer_id IS NOT NULL;

-- Where anonymous input came from, for per-address limits.
ALTER TABLE chats ADD COLUMN client_ip TEXT;
CREATE INDEX chats_anonymous ON chats (client_ip, created_at);
ALTER TABLE kb_feedback ADD COLUMN client_ip TEXT;
CREATE INDEX kb_feedback_client ON kb_feedback (client_ip, created_at);

-- What anonymous visitors type (a name, an email) names nobody until the address confirms by
-- a link mailed to it: their tickets wait in the "Contactos sin verificar" organisation
-- (visible to staff only), and a chat transcript they asked for waits too.
CREATE TABLE contact_confirmations (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    confirmed_at  TEXT
);
CREATE INDEX contact_confirmations_email ON contact_confirmations (email, created_at);
ALTER TABLE tickets ADD COLUMN contact_confirmation_id INTEGER REFERENCES contact_confirmations (id);
ALTER TABLE chats ADD COLUMN transcript_confirmation_id INTEGER REFERENCES contact_confirmations (id);

-- A new sender at a customer's mail domain is a contact of their own with a request to join
-- that organisation, until staff approve it; unless the organisation chose to let its domain
-- join by itself (off by default).
ALTER TABLE organizations ADD COLUMN auto_join_domain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN join_org_id INTEGER REFERENCES organizations (id);
