//! Typed configuration from environment variables, with defaults and one-line errors.

use std::net::SocketAddr;
use std::path::PathBuf;

mod help;
mod mail;
mod meta;
mod stripe;

pub use help::HELP;
pub use mail::{ImapConfig, SmtpConfig, SmtpTls};
pub use meta::MetaConfig;
pub use stripe::StripeConfig;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub site_root: PathBuf,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub demo: bool,
    pub secret: Option<Secret>,
    pub public_url: String,
    pub idle_minutes: i64,
    pub max_hours: i64,
    pub smtp: Option<SmtpConfig>,
    /// When the chat offers live conversations.
    pub chat_hours: app::domain::chat::ChatHours,
    /// Chat messages per second from one client address (0: no per-address limit).
    pub chat_msgs_per_ip: u32,
    pub stripe: Option<StripeConfig>,
    pub meta: Option<MetaConfig>,
    /// Bearer token of the inbound-mail webhook; `None` turns it off.
    pub inbound_mail_token: Option<Secret>,
    pub imap: Option<ImapConfig>,
    pub backup_dir: PathBuf,
    /// Time between automatic backups; `None` turns them off.
    pub backup_every: Option<std::time::Duration>,
    pub backup_keep: usize,
    /// Bearer token for `/metrics`; `None`: loopback clients only.
    pub metrics_token: Option<Secret>,
    /// A listener of its own for `/metrics`.
    pub metrics_addr: Option<SocketAddr>,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: crate::forwarded::TrustedProxies,
    /// `s3://bucket/prefix` the backups are uploaded to; `None`: `backup_dir` keeps them.
    pub backup_url: Option<String>,
    /// `s3://bucket/prefix` for attachments and images; `None`: `data_dir/files`.
    pub files_url: Option<String>,
    pub instance: String,
    pub job_lease: std::time::Duration,
    pub sla_watch_every: std::time::Duration,
    /// Where services read the time: the system clock, or a test's manual clock.
    pub clock: app::kernel::Clock,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

fn bad(var: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        problem: problem.into(),
    }
}

impl Config {
    /// Reads the configuration through `get` (the process environment in production).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let addr_raw = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_raw.parse().map_err(|_| {
            bad(
                "LEPTOS_SITE_ADDR",
                format!("'{addr_raw}' is not an address like 127.0.0.1:3000"),
            )
        })?;
        let data_dir = PathBuf::from(var("PORTAL_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match var("DATABASE_URL") {
            None => format!("sqlite://{}", data_dir.join("portal.db").display()),
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => {
                return Err(bad(
                    "DATABASE_URL",
                    "must start with sqlite: or postgres://",
                ))
            }
        };
        let demo = match var("PORTAL_DEMO").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => return Err(bad("PORTAL_DEMO", format!("'{other}' is not 1 or 0"))),
        };
        let secret = match var("PORTAL_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(bad("PORTAL_SECRET", "must be at least 32 characters"))
            }
            other => other.map(Secret),
        };
        let public_url = var("PORTAL_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(bad(
                "PORTAL_PUBLIC_URL",
                "must start with http:// or https://",
            ));
        }
        let number = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad(name, format!("'{v}' is not a positive whole number"))),
            }
        };
        let idle_minutes = number("PORTAL_SESSION_IDLE_MINUTES", 480)?;
        let max_hours = number("PORTAL_SESSION_MAX_HOURS", 168)?;
        let smtp = mail::smtp_config(&var)?;
        let chat_hours = match var("PORTAL_CHAT_HOURS") {
            None => app::domain::chat::ChatHours::Business,
            Some(v) => v.parse().map_err(|_| {
                bad(
                    "PORTAL_CHAT_HOURS",
                    format!("'{v}' is not business or always"),
                )
            })?,
        };
        let metrics_addr = match var("PORTAL_METRICS_ADDR") {
            None => None,
            Some(v) => Some(v.parse::<SocketAddr>().map_err(|_| {
                bad(
                    "PORTAL_METRICS_ADDR",
                    format!("'{v}' is not an address like 127.0.0.1:9100"),
                )
            })?),
        };
        let trusted_proxies = crate::forwarded::TrustedProxies::parse(
            &var("PORTAL_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|problem| bad("PORTAL_TRUSTED_PROXIES", problem))?;
        let chat_msgs_per_ip = match var("PORTAL_CHAT_MSGS_PER_IP") {
            None => 20,
            Some(v) => v.parse::<u32>().map_err(|_| {
                bad(
                    "PORTAL_CHAT_MSGS_PER_IP",
                    format!("'{v}' is not a whole number (0 turns the limit off)"),
                )
            })?,
        };
        let stripe = stripe::stripe_config(&var)?;
        let meta = meta::meta_config(&var)?;
        let imap = mail::imap_config(&var)?;
        let backup_every = match var("PORTAL_BACKUP_MINUTES") {
            None => Some(5),
            Some(v) => Some(v.parse::<u64>().map_err(|_| {
                bad(
                    "PORTAL_BACKUP_MINUTES",
                    format!("'{v}' is not a whole number of minutes (0 turns backups off)"),
                )
            })?),
        }
        .filter(|m| *m > 0)
        .map(|m| std::time::Duration::from_secs(m * 60));
        let backup_keep = match var("PORTAL_BACKUP_KEEP") {
            None => 288,
            Some(v) => v.parse::<usize>().ok().filter(|k| *k > 0).ok_or_else(|| {
                bad(
                    "PORTAL_BACKUP_KEEP",
                    format!("'{v}' is not a positive number"),
                )
            })?,
        };
        let backup_dir = var("PORTAL_BACKUP_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("backups"));
        let bucket_url = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match var(name) {
                None => Ok(None),
                Some(url) if url.starts_with("s3://") && url.len() > "s3://".len() => Ok(Some(url)),
                Some(url) => Err(bad(
                    name,
                    format!("'{url}' is not an s3://bucket/prefix URL"),
                )),
            }
        };
        let seconds = |name: &'static str,
                       default: u64|
         -> Result<std::time::Duration, ConfigError> {
            match var(name) {
                None => Ok(std::time::Duration::from_secs(default)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .map(std::time::Duration::from_secs)
                    .ok_or_else(|| bad(name, format!("'{v}' is not a positive number of seconds"))),
            }
        };
        let backup_url = bucket_url("PORTAL_BACKUP_URL")?;
        let files_url = bucket_url("PORTAL_FILES_URL")?;
        let job_lease = seconds("PORTAL_JOB_LEASE_SECONDS", 15)?;
        let sla_watch_every = seconds("PORTAL_SLA_WATCH_SECONDS", 60)?;
        let instance = crate::job_lease::instance_name(var("PORTAL_INSTANCE").as_deref());
        Ok(Config {
            clock: app::kernel::Clock::system(),
            addr,
            site_root: PathBuf::from(
                var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            database_url,
            data_dir,
            demo,
            secret,
            public_url,
            idle_minutes,
            max_hours,
            smtp,
            chat_hours,
            chat_msgs_per_ip,
            stripe,
            meta,
            inbound_mail_token: var("INBOUND_MAIL_TOKEN").map(Secret),
            imap,
            backup_dir,
            backup_every,
            backup_keep,
            metrics_token: var("PORTAL_METRICS_TOKEN").map(Secret),
            metrics_addr,
            trusted_proxies,
            backup_url,
            files_url,
            instance,
            job_lease,
            sla_watch_every,
        })
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_sqlite_under_data() {
        let cfg = parse(&[]).expect("defaults are valid");
        assert_eq!(cfg.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(cfg.database_url, "sqlite://data/portal.db");
        assert!(!cfg.demo && cfg.smtp.is_none() && !cfg.secure_cookies());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = parse(&[("LEPTOS_SITE_ADDR", "nope")])
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.starts_with("LEPTOS_SITE_ADDR:")));
        assert!(parse(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(parse(&[("PORTAL_SECRET", "short")]).is_err());
        assert!(parse(&[("PORTAL_DEMO", "yes please")]).is_err());
        assert!(parse(&[("SMTP_HOST", "mail"), ("SMTP_PORT", "x")]).is_err());
    }

    #[test]
    fn imap_needs_credentials_and_defaults_to_tls() {
        assert!(parse(&[]).unwrap().imap.is_none());
        assert_eq!(
            parse(&[("IMAP_HOST", "mail")]).unwrap_err().var,
            "IMAP_USERNAME"
        );
        let base = [
            ("IMAP_HOST", "mail"),
            ("IMAP_USERNAME", "u"),
            ("IMAP_PASSWORD", "p"),
        ];
        let imap = parse(&base).unwrap().imap.unwrap();
        assert_eq!(
            (imap.port, imap.tls, imap.folder.as_str()),
            (993, true, "INBOX")
        );
        let mut plain = base.to_vec();
        plain.push(("IMAP_TLS", "none"));
        assert_eq!(parse(&plain).unwrap().imap.unwrap().port, 143);
        plain.push(("IMAP_POLL_SECONDS", "0"));
        assert_eq!(parse(&plain).unwrap_err().var, "IMAP_POLL_SECONDS");
    }

    #[test]
    fn meta_settings_come_all_together() {
        assert!(parse(&[]).unwrap().meta.is_none());
        let err = parse(&[("META_APP_SECRET", "s"), ("META_VERIFY_TOKEN", "v")]).unwrap_err();
        assert_eq!(err.var, "META_ACCESS_TOKEN");
        let all = [
            ("META_APP_SECRET", "s"),
            ("META_VERIFY_TOKEN", "v"),
            ("META_ACCESS_TOKEN", "t"),
        ];
        let meta = parse(&all).unwrap().meta.unwrap();
        assert_eq!(meta.graph_base, "https://graph.facebook.com/v21.0");
        assert_eq!(meta.verify_token.expose(), "v");
        assert_eq!(meta.access_token.expose(), "t");
        let mut local = all.to_vec();
        local.push(("META_GRAPH_BASE", "ftp://x"));
        assert_eq!(parse(&local).unwrap_err().var, "META_GRAPH_BASE");
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let cfg = parse(&[("PORTAL_PUBLIC_URL", "https://portal.example/")]).expect("valid");
        assert!(cfg.secure_cookies());
        assert_eq!(cfg.public_url, "https://portal.example");
    }

    #[test]
    fn secrets_do_not_print() {
        let cfg = parse(&[("PORTAL_SECRET", &"s".repeat(40))]).expect("valid");
        assert!(!format!("{cfg:?}").contains("ssss"));
    }
}
