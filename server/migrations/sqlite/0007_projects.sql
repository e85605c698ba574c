-- Projects on an agile Gantt chart: the plan (activities and milestones with their baseline),
-- finish-to-start dependencies, comments and the change log.

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('planned', 'active', 'paused', 'closed')),
    start_date   TEXT NOT NULL,                 -- Costa Rica date, YYYY-MM-DD
    target_end   TEXT NOT NULL,
    lead_id      INTEGER REFERENCES users (id),
    baseline_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX projects_org ON projects (org_id, id);

CREATE TABLE project_items (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('activity', 'milestone')),
    name            TEXT NOT NULL,
    phase           TEXT NOT NULL DEFAULT '',
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    progress        INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'in_progress', 'blocked', 'done')),
    blocked_reason  TEXT,
    owner           TEXT,
    baseline_start  TEXT,
    baseline_end    TEXT,
    updated_at      TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX project_items_project ON project_items (project_id, position, id);

CREATE TABLE project_item_deps (
    item_id     INTEGER NOT NULL REFERENCES project_items (id) ON DELETE CASCADE,
    depends_on  INTEGER NOT NULL REFERENCES project_items (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, depends_on)
);

CREATE TABLE project_comments (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item_id     INTEGER NOT NULL REFERENCES project_items (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX project_comments_project ON project_comments (project_id, id);

CREATE TABLE project_changes (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item_id     INTEGER REFERENCES project_items (id) ON DELETE SET NULL,
    item_name   TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL,
    old_value   TEXT NOT NULL DEFAULT '',
    new_value   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX project_changes_project ON project_changes (project_id, created_at);
