-- When the 75 % warning and the breach notice went out (claimed atomically, sent once).
ALTER TABLE tickets ADD COLUMN warned_at TEXT;
ALTER TABLE tickets ADD COLUMN breach_notified_at TEXT;
