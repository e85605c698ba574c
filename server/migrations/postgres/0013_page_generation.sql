-- Signed-in pages the server keeps rendered in memory (the ticket list) are dropped when
-- anything they show changes. These triggers bump one counter on every write to those tables,
-- whichever code path makes it (web forms, the API, email intake, background jobs, another
-- instance), so no write can be forgotten. Revoking or deleting a session bumps it too: a page
-- kept for that session must not be served again.
CREATE TABLE page_generation (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    value    BIGINT NOT NULL,
    -- The transaction that last bumped it: a transaction bumps it once, however many rows it
    -- writes.
    last_tx  BIGINT
);
INSERT INTO page_generation (id, value) VALUES (1, 0);

CREATE FUNCTION bump_page_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_generation SET value = value + 1, last_tx = txid_current()
    WHERE id = 1 AND last_tx IS DISTINCT FROM txid_current();
    RETURN NULL;
END
$$;

-- Deferred to commit: the counter's row lock is then taken after every other lock the
-- transaction holds, so two writers can never wait on each other through it (no deadlock),
-- and readers see the new value only together with the data it stands for.
CREATE CONSTRAINT TRIGGER tickets_pages AFTER INSERT OR UPDATE OR DELETE ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
CREATE CONSTRAINT TRIGGER users_pages AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
CREATE CONSTRAINT TRIGGER organizations_pages AFTER INSERT OR UPDATE OR DELETE ON organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
CREATE CONSTRAINT TRIGGER calendar_pages AFTER INSERT OR UPDATE OR DELETE ON calendar_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
CREATE CONSTRAINT TRIGGER sessions_pages AFTER UPDATE OF revoked_at OR DELETE ON sessions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
