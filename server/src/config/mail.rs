//! Mail settings: the outgoing SMTP server, and the support mailbox polled over IMAP.

use super::{bad, ConfigError, Secret};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    StartTls,
    Tls,
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

/// The support mailbox, read over IMAP: unseen messages become tickets or replies.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub username: String,
    pub password: Secret,
    pub folder: String,
    pub poll_every: std::time::Duration,
}

pub(super) fn smtp_config(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<SmtpConfig>, ConfigError> {
    Ok(match var("SMTP_HOST") {
        None => None,
        Some(host) => {
            let tls = match var("SMTP_TLS").as_deref() {
                None | Some("starttls") => SmtpTls::StartTls,
                Some("tls") => SmtpTls::Tls,
                Some("none") => SmtpTls::None,
                Some(other) => {
                    return Err(bad(
                        "SMTP_TLS",
                        format!("'{other}' is not starttls, tls or none"),
                    ))
                }
            };
            let default_port = match tls {
                SmtpTls::StartTls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            };
            let port = match var("SMTP_PORT") {
                None => default_port,
                Some(p) => p
                    .parse()
                    .map_err(|_| bad("SMTP_PORT", format!("'{p}' is not a port number")))?,
            };
            Some(SmtpConfig {
                host,
                port,
                tls,
                username: var("SMTP_USERNAME"),
                password: var("SMTP_PASSWORD").map(Secret),
                from: var("SMTP_FROM")
                    .unwrap_or_else(|| "Any2cloud Portal <soporte@any2cloud.com>".into()),
            })
        }
    })
}

pub(super) fn imap_config(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ImapConfig>, ConfigError> {
    let Some(host) = var("IMAP_HOST") else {
        return Ok(None);
    };
    let tls = match var("IMAP_TLS").as_deref() {
        None | Some("tls") => true,
        Some("none") => false,
        Some(other) => return Err(bad("IMAP_TLS", format!("'{other}' is not tls or none"))),
    };
    let port = match var("IMAP_PORT") {
        None => {
            if tls {
                993
            } else {
                143
            }
        }
        Some(p) => p
            .parse()
            .map_err(|_| bad("IMAP_PORT", format!("'{p}' is not a port number")))?,
    };
    let username =
        var("IMAP_USERNAME").ok_or_else(|| bad("IMAP_USERNAME", "is needed with IMAP_HOST"))?;
    let password =
        var("IMAP_PASSWORD").ok_or_else(|| bad("IMAP_PASSWORD", "is needed with IMAP_HOST"))?;
    let poll_every = match var("IMAP_POLL_SECONDS") {
        None => 60,
        Some(v) => v.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| {
            bad(
                "IMAP_POLL_SECONDS",
                format!("'{v}' is not a positive number of seconds"),
            )
        })?,
    };
    Ok(Some(ImapConfig {
        host,
        port,
        tls,
        username,
        password: Secret(password),
        folder: var("IMAP_FOLDER").unwrap_or_else(|| "INBOX".into()),
        poll_every: std::time::Duration::from_secs(poll_every),
    }))
}
