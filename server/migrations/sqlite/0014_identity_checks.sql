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
