//! Accounts, organisations, roles, sessions and password flows.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod tokens;

use crate::domain::{Role, SupportPlan};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The organisation a customer belongs to, as the browser and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    pub plan: SupportPlan,
}

/// Whoever is signed in. Never carries secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization: Option<OrgRef>,
    /// WhatsApp number (digits with country code), if the person gave one.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Where the caller's WhatsApp number stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PhoneStatus {
    /// The verified number: WhatsApp conversations from it are linked to the person.
    pub verified: Option<String>,
    /// A number waiting to be verified.
    pub pending: Option<String>,
    /// A code was sent to the pending number (otherwise staff confirm it).
    pub code_sent: bool,
}

/// A number waiting for staff to confirm it belongs to the person (no code could be sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPhone {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub phone: String,
    pub code_sent: bool,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "api" {
            SessionKind::Api
        } else {
            SessionKind::Web
        }
    }
}

/// One of a person's active sessions, for the "my sessions" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    /// What the user agent says it is, read by the server: browser and system.
    #[serde(default)]
    pub client: Option<ClientApp>,
    pub ip: Option<String>,
    pub current: bool,
}

/// A session's browser (or program) and operating system, e.g. Chrome and Windows 10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientApp {
    pub browser: String,
    pub os: Option<String>,
}

impl ClientApp {
    /// Reads a `User-Agent` header; `None` when it names nothing known.
    #[cfg(feature = "ssr")]
    pub fn from_user_agent(ua: &str) -> Option<ClientApp> {
        const UNKNOWN: &str = "UNKNOWN";
        let r = woothee::parser::Parser::new().parse(ua)?;
        let known = |s: &str| (!s.is_empty() && s != UNKNOWN).then(|| s.to_owned());
        Some(ClientApp {
            browser: known(r.name)?,
            os: known(r.os),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: i64,
    pub name: String,
    pub plan: SupportPlan,
    pub users: i64,
    pub created_at: DateTime<Utc>,
    /// New senders at this organisation's mail domain join it by themselves (otherwise staff
    /// approve each one).
    #[serde(default)]
    pub auto_join_domain: bool,
}

/// A new sender at an organisation's mail domain waiting for staff to let them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub org_id: i64,
    pub org_name: String,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization: Option<String>,
    /// False until an invited person sets a password.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    Pending,
    Sent,
    Logged,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Logged => "logged",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "sent" => MailStatus::Sent,
            "logged" => MailStatus::Logged,
            "failed" => MailStatus::Failed,
            _ => MailStatus::Pending,
        }
    }
}

/// A message in the outbox, for admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[cfg(all(test, feature = "ssr"))]
mod client_tests {
    use super::ClientApp;

    #[test]
    fn user_agents_read_as_browser_and_system() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        let c = ClientApp::from_user_agent(chrome).expect("known");
        assert_eq!(
            (c.browser.as_str(), c.os.as_deref()),
            ("Chrome", Some("Windows 10"))
        );
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        let c = ClientApp::from_user_agent(iphone).expect("known");
        assert_eq!(
            (c.browser.as_str(), c.os.as_deref()),
            ("Safari", Some("iPhone"))
        );
        assert_eq!(ClientApp::from_user_agent("zzz"), None);
    }
}
