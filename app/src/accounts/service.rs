//! Account use cases. Server functions and REST handlers both call these; no logic lives twice.

use super::store::{AccountStore, NewSession, NewUser, TokenPurpose, UserRecord};
use super::tokens::{new_token, TokenKey};
use super::{
    CurrentUser, JoinRequest, OrgRef, OrgSummary, OutboxMail, PendingPhone, PhoneStatus,
    SessionKind, SessionView, UserSummary,
};
use crate::chat::fanout::{Fanout, SessionsEnded, Signal};
use crate::domain::{Email, Password, Role, SupportPlan};
use crate::error::{AppError, ErrorCode};
use crate::kernel::{internal, Clock, NewMail, OutboxStore, StoreError};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

mod directory;
mod passwords;
mod phones;
mod sessions;

/// Failed sign-ins in the window below: an account from one client address is refused after
/// 5 (only that client, so nobody elsewhere can lock the owner out); past 30 failures from one
/// address (every account), or 20 for one account (every address), attempts are slowed down
/// by [`SIGN_IN_BACKOFF`] instead of refused, so a real user behind the same address (an
/// office NAT, a proxy) still signs in with the right password after a short delay.
const MAX_FAILED_PER_EMAIL: i64 = 5;
const MAX_FAILED_PER_IP: i64 = 30;
const MAX_FAILED_PER_ACCOUNT: i64 = 20;
/// How long an attempt past the address or account limit waits before it is checked.
pub const SIGN_IN_BACKOFF: std::time::Duration = std::time::Duration::from_secs(2);
const ATTEMPT_WINDOW_MINUTES: i64 = 15;
/// A WhatsApp verification code: valid this long, for this many tries; a new one at most
/// this often.
const PHONE_CODE_MINUTES: i64 = 10;
const PHONE_CODE_ATTEMPTS: i64 = 5;
const PHONE_RESEND_SECONDS: i64 = 60;
/// Reset links mailed per account within the window (each is valid for an hour).
const MAX_RESETS_PER_WINDOW: i64 = 3;
const RESET_WINDOW_MINUTES: i64 = 15;
const RESET_TOKEN_MINUTES: i64 = 60;
const INVITE_TOKEN_DAYS: i64 = 7;
/// A session's `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// Base URL for links in emails, e.g. `https://portal.any2cloud.com`.
    pub public_url: String,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout: Duration::hours(8),
            absolute_timeout: Duration::days(7),
            public_url: "http://127.0.0.1:3000".into(),
        }
    }
}

/// Who is calling: the user and the session (web cookie or API token) they came with.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: CurrentUser,
    pub session_id: i64,
    /// When the session ends unless used again (idle timeout) or at the latest (absolute
    /// timeout), as of this request.
    pub valid_until: DateTime<Utc>,
}

impl Principal {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// Fails with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ErrorCode::Forbidden.into())
        }
    }

    pub fn org_id(&self) -> Option<i64> {
        self.user.organization.as_ref().map(|o| o.id)
    }
}

/// A freshly created session: the secret goes to the client once and is never stored.
pub struct IssuedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: CurrentUser,
}

pub struct LoginRequest<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub kind: SessionKind,
}

#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    key: TokenKey,
    settings: AuthSettings,
    /// A real hash to verify against when the email is unknown, so timing does not reveal accounts.
    dummy_hash: Arc<String>,
    /// Tells open sockets (on every instance) that sessions ended, so they close.
    fanout: Option<Arc<dyn Fanout>>,
    /// Sends WhatsApp verification codes; `None`: staff confirm numbers.
    code_sender: Option<Arc<dyn PhoneCodeSender>>,
    /// Reset requests still doing their work in the background.
    reset_work: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// One reset request's work at a time, so the per-account limit counts every one.
    reset_lock: Arc<tokio::sync::Mutex<()>>,
    clock: Clock,
}

/// Delivers a one-time code to a phone number (the WhatsApp channel).
#[async_trait::async_trait]
pub trait PhoneCodeSender: Send + Sync {
    async fn send_code(&self, phone_digits: &str, code: &str) -> Result<(), String>;
}

/// Six random digits.
fn phone_code() -> String {
    use argon2::password_hash::rand_core::RngCore;
    format!("{:06}", OsRng.next_u32() % 1_000_000)
}

fn argon2() -> Argon2<'static> {
    // OWASP: Argon2id, 19 MiB, 2 iterations, 1 lane.
    let params =
        Params::new(19 * 1024, 2, 1, None).unwrap_or_else(|_| unreachable!("valid constants"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread: Argon2 takes tens of milliseconds of CPU by design.
pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let plain = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(plain.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

async fn verify_password(hash: String, plain: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(internal)?;
        Ok(argon2().verify_password(plain.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(internal)?
}

/// The single-person organisation (Estándar plan) of a contact who wrote through a channel
/// without a portal account: found by its name, or created.
pub async fn contact_org(
    accounts: &dyn AccountStore,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, AppError> {
    Ok(match accounts.find_org_by_name(name).await? {
        Some(id) => id,
        None => {
            accounts
                .create_org(name, crate::domain::SupportPlan::Standard, now)
                .await?
        }
    })
}

/// The principal of a person acting through another channel (an email they sent): their role
/// and organisation, without a session.
pub fn acting_as(record: &UserRecord) -> Principal {
    Principal {
        user: current_user(record),
        session_id: 0,
        valid_until: DateTime::<Utc>::MAX_UTC,
    }
}

fn current_user(record: &UserRecord) -> CurrentUser {
    CurrentUser {
        id: record.id,
        email: record.email.clone(),
        name: record.name.clone(),
        role: record.role,
        organization: match (record.org_id, &record.org_name, record.org_plan) {
            (Some(id), Some(name), Some(plan)) => Some(OrgRef {
                id,
                name: name.clone(),
                plan,
            }),
            _ => None,
        },
        phone: record.phone.clone(),
    }
}

/// A contact account: a customer without a password in a single-person contact organisation.
fn is_contact(user: &UserRecord) -> bool {
    user.role == Role::Customer
        && user.password_hash.is_none()
        && user
            .org_name
            .as_deref()
            .is_some_and(|n| n.starts_with("Contacto "))
}

fn parse_email(raw: &str) -> Result<Email, AppError> {
    Email::parse(raw).ok_or_else(|| AppError::field(ErrorCode::EmailInvalid, "email"))
}

fn parse_password(raw: &str, field: &str) -> Result<Password, AppError> {
    Password::new(raw.to_owned()).map_err(|p| AppError::field(p.into(), field))
}

impl Accounts {
    pub async fn new(
        store: Arc<dyn AccountStore>,
        outbox: Arc<dyn OutboxStore>,
        key: TokenKey,
        settings: AuthSettings,
        clock: Clock,
    ) -> Result<Self, AppError> {
        let dummy = Password::new(new_token()).map_err(|_| internal("dummy password"))?;
        let dummy_hash = Arc::new(hash_password(&dummy).await?);
        Ok(Accounts {
            clock,
            store,
            outbox,
            key,
            settings,
            dummy_hash,
            fanout: None,
            code_sender: None,
            reset_work: Arc::default(),
            reset_lock: Arc::default(),
        })
    }

    /// Sends phone verification codes through `sender`.
    pub fn with_code_sender(mut self, sender: Arc<dyn PhoneCodeSender>) -> Self {
        self.code_sender = Some(sender);
        self
    }

    /// Announces ended sessions through `fanout`, so their sockets close everywhere.
    pub fn with_fanout(mut self, fanout: Arc<dyn Fanout>) -> Self {
        self.fanout = Some(fanout);
        self
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    async fn send_mail(&self, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        self.outbox
            .enqueue(NewMail {
                to,
                subject,
                body,
                now: self.clock.now(),
            })
            .await?;
        Ok(())
    }

    // ----- organisations and users (administration) -----

    // ----- demo data -----
}

/// WhatsApp number of the demo customer (Carlos Cliente, Demo S.A.).
pub const DEMO_CUSTOMER_PHONE: &str = "50660001234";
