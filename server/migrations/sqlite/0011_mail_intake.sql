-- Inbound email: each message id is handled once (a mailbox polled twice or a webhook retried
-- opens one ticket), and remembers the ticket it opened or answered, so a reply to any message
-- of a thread finds its ticket.

CREATE TABLE mail_messages (
    message_id   TEXT PRIMARY KEY,
    ticket_id    INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
    received_at  TEXT NOT NULL
);
CREATE INDEX mail_messages_ticket ON mail_messages (ticket_id);

-- Where each ticket came from (portal, email, chat): agents see the channel in the queue.
ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT 'portal'
    CHECK (source IN ('portal', 'email', 'chat'));
