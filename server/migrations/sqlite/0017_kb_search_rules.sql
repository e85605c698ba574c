-- Which version of the portal's word rules (stemming, accents, word families) built the
-- knowledge-base search index. Both backends now index words the portal stemmed itself
-- (PostgreSQL with the `simple` configuration); the server rebuilds the index at start when
-- its rules are newer than this number.
CREATE TABLE kb_search_rules (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO kb_search_rules (id, version) VALUES (1, 0);
