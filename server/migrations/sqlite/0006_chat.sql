-- Web chat: conversations, their messages (numbered per conversation), files, agent presence
-- and canned responses.

CREATE TABLE chats (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER REFERENCES users (id),          -- signed-in customer, if any
    org_id             INTEGER REFERENCES organizations (id),
    visitor_name       TEXT NOT NULL,
    visitor_email      TEXT NOT NULL,
    token_hash         TEXT UNIQUE,                             -- anonymous visitor's chat token
    status             TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'closed')),
    agent_id           INTEGER REFERENCES users (id),
    ticket_id          INTEGER REFERENCES tickets (id),
    last_seq           INTEGER NOT NULL DEFAULT 0,
    customer_read_seq  INTEGER NOT NULL DEFAULT 0,
    agent_read_seq     INTEGER NOT NULL DEFAULT 0,
    rating             INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment     TEXT,
    transcript_sent_at TEXT,
    created_at         TEXT NOT NULL,
    accepted_at        TEXT,
    closed_at          TEXT,
    updated_at         TEXT NOT NULL
);
CREATE INDEX chats_status ON chats (status, created_at);
CREATE INDEX chats_agent ON chats (agent_id, status);
CREATE INDEX chats_customer ON chats (customer_id, status);

CREATE TABLE chat_attachments (
    id            INTEGER PRIMARY KEY,
    chat_id       INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    storage_key   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE chat_messages (
    chat_id        INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    author_id      INTEGER REFERENCES users (id),               -- NULL: the anonymous visitor
    author_name    TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'system')),
    body           TEXT NOT NULL,
    internal       INTEGER NOT NULL DEFAULT 0,
    client_id      TEXT,
    attachment_id  INTEGER REFERENCES chat_attachments (id),
    sent_at        TEXT NOT NULL,
    PRIMARY KEY (chat_id, seq),
    UNIQUE (chat_id, client_id)
);

CREATE TABLE agent_presence (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status            TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
    max_chats         INTEGER NOT NULL DEFAULT 4,
    last_seen_at      TEXT NOT NULL,
    last_assigned_at  TEXT
);

CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    shortcut    TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
