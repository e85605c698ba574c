-- Background jobs that must run once per deployment (SLA warnings, hour expiry, channel
-- replies, the mailbox poller, backups) run in whichever instance holds this lease; the others
-- wait and take over when it expires (an instance that died stops renewing it).
CREATE TABLE job_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    -- Incremented each time another instance takes the lease over.
    term        BIGINT NOT NULL
);

-- One row per run of a leased job (kept for a day): which instance ran it, under which term.
CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          TEXT NOT NULL,
    holder       TEXT NOT NULL,
    term         BIGINT NOT NULL,
    started_ms   BIGINT NOT NULL,
    finished_ms  BIGINT
);
CREATE INDEX job_runs_started ON job_runs (started_ms);
