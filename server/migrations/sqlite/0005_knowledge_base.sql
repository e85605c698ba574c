-- Knowledge base: categories, articles with revisions, old slugs, tags, feedback, ticket-form
-- suggestions (deflection), images, and the search index (FTS5 over text the portal has already
-- unaccented and stemmed, so SQLite and PostgreSQL match the same words).
CREATE TABLE kb_categories (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name_es    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE kb_articles (
    id             INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    category_id    INTEGER NOT NULL REFERENCES kb_categories (id),
    lang           TEXT NOT NULL CHECK (lang IN ('es', 'en')),
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    body_md        TEXT NOT NULL,
    body_text      TEXT NOT NULL,
    tags           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    visibility     TEXT NOT NULL CHECK (visibility IN ('public', 'customers', 'internal')),
    publish_at     TEXT,
    translation_id INTEGER REFERENCES kb_articles (id) ON DELETE SET NULL,
    revision       INTEGER NOT NULL DEFAULT 1,
    views          INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_by     INTEGER NOT NULL REFERENCES users (id),
    updated_at     TEXT NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category_id);

CREATE TABLE kb_article_tags (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX kb_article_tags_tag ON kb_article_tags (tag);

CREATE TABLE kb_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    body_md     TEXT NOT NULL,
    tags        TEXT NOT NULL,
    status      TEXT NOT NULL,
    visibility  TEXT NOT NULL,
    category_id INTEGER NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    UNIQUE (article_id, number)
);

CREATE TABLE kb_slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE
);

CREATE TABLE kb_feedback (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    visitor_key TEXT NOT NULL,
    helpful     BOOLEAN NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (article_id, visitor_key)
);

CREATE TABLE kb_suggestion_opens (
    id         INTEGER PRIMARY KEY,
    draft_key  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    opened_at  TEXT NOT NULL,
    ticket_id  INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    UNIQUE (draft_key, article_id)
);
CREATE INDEX kb_suggestion_opens_draft ON kb_suggestion_opens (draft_key);

CREATE TABLE kb_images (
    id           INTEGER PRIMARY KEY,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    storage_key  TEXT NOT NULL UNIQUE,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);

-- Bumped on every knowledge-base write; page caches compare it to know they are stale.
CREATE TABLE kb_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO kb_generation (id, value) VALUES (1, 0);

-- One search index per language (a Spanish query never walks English postings). Each also
-- carries what readers may see (unindexed), so the ranking query never touches rows it would
-- throw away. visible_from is publish_at for published articles, else NULL.
CREATE VIRTUAL TABLE kb_fts_es USING fts5 (
    title, body, visibility UNINDEXED, visible_from UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE kb_fts_en USING fts5 (
    title, body, visibility UNINDEXED, visible_from UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
