-- When a ticket was resolved or closed (cleared when it reopens), so a closed ticket shows
-- its outcome (answered on time or late, closed before its deadline without a reply, or
-- breached) instead of a countdown. Tickets closed before this column existed take their
-- last update as the closing time.
ALTER TABLE tickets ADD COLUMN closed_at TEXT;
UPDATE tickets SET closed_at = updated_at WHERE status IN ('resolved', 'closed');
