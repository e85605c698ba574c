//! The text `server --help` prints: the commands and every environment variable.

pub const HELP: &str = "\
Any2cloud Portal server

USAGE:
    server [--help]

ENVIRONMENT:
    LEPTOS_SITE_ADDR      Address to listen on (default 127.0.0.1:3000)
    LEPTOS_SITE_ROOT      Folder with the built site: pkg/, favicon… (default target/site)
    DATABASE_URL          sqlite://path.db or postgres://user@host/db
                          (unset: SQLite file data/portal.db, created on first start)
    PORTAL_DATA_DIR       Folder for the SQLite file and the generated secret (default ./data)
    PORTAL_DEMO           1 loads the demo organisations and accounts (idempotent)
    PORTAL_SECRET         Key for hashing session and link tokens, at least 32 characters
                          (unset: generated once and kept in PORTAL_DATA_DIR/secret)
    PORTAL_PUBLIC_URL     Base URL used in emailed links (default http://<LEPTOS_SITE_ADDR>);
                          https:// turns on Secure, __Host- session cookies
    PORTAL_SESSION_IDLE_MINUTES     Web session idle timeout (default 480)
    PORTAL_SESSION_MAX_HOURS        Absolute session and API token lifetime (default 168)
    PORTAL_CHAT_HOURS     business (default): live chat within the plan's business hours;
                          always: whenever an agent is online
    PORTAL_CHAT_MSGS_PER_IP         Chat messages per second per client address (default 20;
                          0 turns it off, e.g. behind a reverse proxy that limits per client)
    SMTP_HOST             Outgoing mail server (unset: mail stays in the outbox and the log)
    SMTP_PORT             Default 587 (STARTTLS), 465 for SMTP_TLS=tls, 25 for SMTP_TLS=none
    SMTP_TLS              starttls (default), tls or none
    SMTP_USERNAME, SMTP_PASSWORD   Credentials, if the server needs them
    SMTP_FROM             Sender address (default \"Any2cloud Portal <soporte@any2cloud.com>\")
    STRIPE_SECRET_KEY     Stripe secret key: card payments through Stripe Checkout (needs
                          STRIPE_WEBHOOK_SECRET too; unset: the store sells by transfer only)
    STRIPE_WEBHOOK_SECRET Signing secret of the webhook endpoint /api/v1/webhooks/stripe
    STRIPE_API_BASE       Stripe API base URL (default https://api.stripe.com)
    META_APP_SECRET       Meta app secret: turns on WhatsApp, Messenger and Instagram (checks
                          X-Hub-Signature-256 of /api/v1/webhooks/whatsapp and /messenger);
                          needs META_VERIFY_TOKEN and META_ACCESS_TOKEN too
    META_VERIFY_TOKEN     The token typed in Meta's webhook setup (GET handshake)
    META_ACCESS_TOKEN     Graph API token that sends agents' replies (WhatsApp system user or
                          page token)
    META_GRAPH_BASE       Graph API base URL (default https://graph.facebook.com/v21.0)
    META_WHATSAPP_PHONE_ID
                          Our WhatsApp phone number id: one-time codes that verify the numbers
                          customers give are sent from it (unset: staff confirm the numbers)
    META_CODE_TEMPLATE    Approved WhatsApp authentication template carrying the code
                          (default codigo_verificacion; language es)
    INBOUND_MAIL_TOKEN    Turns on POST /api/v1/webhooks/email (a raw message per request,
                          `Authorization: Bearer <token>`), for mail services that forward mail
    IMAP_HOST             Support mailbox to poll (unset: no polling); needs IMAP_USERNAME
                          and IMAP_PASSWORD
    IMAP_PORT             Default 993 (IMAP_TLS=tls) or 143 (IMAP_TLS=none)
    IMAP_TLS              tls (default) or none (only for a server on this machine)
    IMAP_FOLDER           Default INBOX
    IMAP_POLL_SECONDS     Default 60
    PORTAL_BACKUP_DIR     Where backups go (default PORTAL_DATA_DIR/backups)
    PORTAL_BACKUP_MINUTES Minutes between automatic backups while serving (default 5; 0: off).
                          SQLite only; PostgreSQL uses WAL archiving (README)
    PORTAL_BACKUP_KEEP    Archives kept (default 288: a day of 5-minute backups)
    PORTAL_BACKUP_URL     s3://bucket/prefix: upload each backup there (retention applies to
                          the bucket) instead of keeping it in PORTAL_BACKUP_DIR
    PORTAL_FILES_URL      s3://bucket/prefix: keep attachments and article images in an
                          S3-compatible bucket (needed by several instances); unset: disk
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP
                          Credentials and endpoint of that S3-compatible service
    PORTAL_METRICS_TOKEN  Bearer token for GET /metrics (unset: only loopback clients, and
                          nobody on the main listener once PORTAL_TRUSTED_PROXIES is set)
    PORTAL_METRICS_ADDR   A listener of its own for GET /metrics (e.g. 127.0.0.1:9100), for
                          scrapers on a network the reverse proxy does not expose
    PORTAL_TRUSTED_PROXIES
                          Reverse proxies (addresses or CIDR blocks, comma separated; default
                          none) whose Forwarded / X-Forwarded-For / X-Forwarded-Proto headers
                          name the client; from anyone else those headers are ignored
    PORTAL_INSTANCE       This instance's name in logs and the job lease (default host-pid)
    PORTAL_JOB_LEASE_SECONDS
                          Lifetime of the job-runner lease (default 15): after a crash another
                          instance takes the background jobs over within this time
    PORTAL_SLA_WATCH_SECONDS
                          Seconds between SLA checks (default 60)

Commands:
    server                      serve the portal
    server backup               take a backup now (database snapshot + attachments)
    server verify ARCHIVE       check an archive against its checksums
    server restore ARCHIVE [--force]
                                restore an archive (the portal must be stopped; --force
                                replaces an existing database)
    RUST_LOG              Log filter (default info); PORTAL_LOG_FORMAT=json for JSON lines
";
