-- Signed-in pages the server keeps rendered in memory (the ticket list) are dropped when
-- anything they show changes. These triggers bump one counter on every write to those tables,
-- whichever code path makes it (web forms, the API, email intake, background jobs, another
-- instance), so no write can be forgotten. Revoking or deleting a session bumps it too: a page
-- kept for that session must not be served again.
CREATE TABLE page_generation (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  INTEGER NOT NULL
);
INSERT INTO page_generation (id, value) VALUES (1, 0);

CREATE TRIGGER tickets_pages_insert AFTER INSERT ON tickets
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tickets_pages_update AFTER UPDATE ON tickets
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tickets_pages_delete AFTER DELETE ON tickets
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER users_pages_insert AFTER INSERT ON users
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_pages_update AFTER UPDATE ON users
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_pages_delete AFTER DELETE ON users
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER organizations_pages_insert AFTER INSERT ON organizations
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_pages_update AFTER UPDATE ON organizations
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_pages_delete AFTER DELETE ON organizations
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER calendar_pages_insert AFTER INSERT ON calendar_changes
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_pages_update AFTER UPDATE ON calendar_changes
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_pages_delete AFTER DELETE ON calendar_changes
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER sessions_pages_revoke AFTER UPDATE OF revoked_at ON sessions
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_pages_delete AFTER DELETE ON sessions
BEGIN UPDATE page_generation SET value = value + 1 WHERE id = 1; END;
