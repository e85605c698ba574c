//! Account use cases. Server functions and REST handlers both call these; no logic lives twice.

use super::store::{AccountStore, NewSession, NewUser, TokenPurpose, UserRecord};
use super::tokens::{new_token, TokenKey};
use super::{
    CurrentUser, JoinRequest, OrgRef, OrgSummary, OutboxMail, PendingPhone, PhoneStatus,
    SessionKind, SessionView, UserSummary,
};
use crate::chat::fanout::{Fanout, SessionsEnded, Signal};
use crate::domain::{Email, OrgName, Password, PersonName, Role, SupportPlan};
use crate::error::{AppError, ErrorCode};
use crate::kernel::{internal, Clock, NewMail, OutboxStore, StoreError};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

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

pub struct Invite<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub org_id: Option<i64>,
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
                .create_org(name, crate::domain::SupportPlan::Estandar, now)
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

    /// Tells every instance's open sockets that these sessions ended.
    async fn sessions_ended(&self, user_id: i64, only: Option<i64>, except: Option<i64>) {
        if let Some(fanout) = &self.fanout {
            fanout
                .publish(Signal::SessionsEnded(SessionsEnded {
                    user_id,
                    only,
                    except,
                }))
                .await;
        }
    }

    /// Whether the caller's session is still live (not revoked, not past its absolute
    /// timeout): sockets ask before acting on a frame.
    pub async fn session_live(&self, principal: &Principal) -> Result<bool, AppError> {
        if principal.session_id == 0 {
            return Ok(true);
        }
        Ok(self
            .store
            .session_live(principal.session_id, self.clock.now())
            .await?)
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

    /// Signs in with email and password; creates a web session or an API token.
    pub async fn login(&self, req: LoginRequest<'_>) -> Result<IssuedSession, AppError> {
        let now = self.clock.now();
        // Unparseable emails are simply wrong credentials: no hint about which part failed.
        let email = Email::parse(req.email)
            .map(|e| e.to_string())
            .unwrap_or_default();
        let since = now - Duration::minutes(ATTEMPT_WINDOW_MINUTES);
        let (by_email, by_ip) = self.store.failed_attempts(&email, req.ip, since).await?;
        if by_email >= MAX_FAILED_PER_EMAIL {
            tracing::warn!(email = %email, ip = ?req.ip, "sign-in rate limited");
            return Err(ErrorCode::RateLimited.into());
        }
        let by_account = self.store.failed_for_account(&email, since).await?;
        if by_ip >= MAX_FAILED_PER_IP || by_account >= MAX_FAILED_PER_ACCOUNT {
            tracing::warn!(email = %email, ip = ?req.ip, by_ip, by_account, "sign-in slowed down");
            tokio::time::sleep(SIGN_IN_BACKOFF).await;
        }
        let user = self.store.find_user_by_email(&email).await?;
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let matches = verify_password(hash, req.password.to_owned()).await?;
        let user = match user {
            Some(u) if matches && u.password_hash.is_some() => u,
            _ => {
                self.store
                    .record_login_attempt(&email, req.ip, false, now)
                    .await?;
                return Err(ErrorCode::InvalidCredentials.into());
            }
        };
        self.store
            .record_login_attempt(&email, req.ip, true, now)
            .await?;
        let token = new_token();
        let expires_at = now + self.settings.absolute_timeout;
        self.store
            .create_session(NewSession {
                user_id: user.id,
                token_hash: &self.key.hash(&token),
                kind: req.kind,
                user_agent: req.user_agent,
                ip: req.ip,
                now,
                expires_at,
            })
            .await?;
        tracing::info!(user.id = user.id, kind = req.kind.as_str(), "signed in");
        Ok(IssuedSession {
            token,
            expires_at,
            user: current_user(&user),
        })
    }

    /// Resolves a session cookie (`SessionKind::Web`) or bearer token (`SessionKind::Api`);
    /// enforces idle and absolute timeouts. A token used the other way (an API token as a
    /// cookie, which would skip the idle timeout, or a cookie as a bearer token) is refused.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: SessionKind,
    ) -> Result<Principal, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Err(ErrorCode::Unauthenticated.into());
        }
        let now = self.clock.now();
        let Some((session, user)) = self.store.session_by_token(&self.key.hash(token)).await?
        else {
            return Err(ErrorCode::Unauthenticated.into());
        };
        if session.kind != kind {
            tracing::warn!(
                session.id = session.id,
                "session used as the wrong kind of credential"
            );
            return Err(ErrorCode::Unauthenticated.into());
        }
        let idle_limit = match session.kind {
            SessionKind::Web => self.settings.idle_timeout,
            // API tokens are used by integrations that may run daily; they only expire absolutely.
            SessionKind::Api => self.settings.absolute_timeout,
        };
        if now >= session.expires_at || now - session.last_seen_at >= idle_limit {
            self.store
                .revoke_session(user.id, session.id, now)
                .await
                .ok();
            return Err(ErrorCode::Unauthenticated.into());
        }
        let mut last_seen = session.last_seen_at;
        if (now - last_seen).num_seconds() >= TOUCH_EVERY_SECONDS {
            self.store.touch_session(session.id, now).await?;
            last_seen = now;
        }
        Ok(Principal {
            user: current_user(&user),
            session_id: session.id,
            valid_until: session.expires_at.min(last_seen + idle_limit),
        })
    }

    pub async fn logout(&self, principal: &Principal) -> Result<(), AppError> {
        self.store
            .revoke_session(principal.user.id, principal.session_id, self.clock.now())
            .await
            .or_else(|e| match e {
                StoreError::NotFound => Ok(()),
                other => Err(other),
            })?;
        self.sessions_ended(principal.user.id, Some(principal.session_id), None)
            .await;
        Ok(())
    }

    pub async fn sessions(&self, principal: &Principal) -> Result<Vec<SessionView>, AppError> {
        let mut sessions = self
            .store
            .list_sessions(principal.user.id, self.clock.now())
            .await?;
        for s in &mut sessions {
            s.current = s.id == principal.session_id;
        }
        Ok(sessions)
    }

    pub async fn revoke_session(
        &self,
        principal: &Principal,
        session_id: i64,
    ) -> Result<(), AppError> {
        self.store
            .revoke_session(principal.user.id, session_id, self.clock.now())
            .await?;
        self.sessions_ended(principal.user.id, Some(session_id), None)
            .await;
        Ok(())
    }

    /// "Sign out everywhere": every other session and API token of this user stops working.
    pub async fn sign_out_others(&self, principal: &Principal) -> Result<u64, AppError> {
        let n = self
            .store
            .revoke_other_sessions(
                principal.user.id,
                Some(principal.session_id),
                self.clock.now(),
            )
            .await?;
        self.sessions_ended(principal.user.id, None, Some(principal.session_id))
            .await;
        Ok(n)
    }

    /// Where the caller's WhatsApp number stands.
    pub async fn phone_status(&self, principal: &Principal) -> Result<PhoneStatus, AppError> {
        let verified = self
            .store
            .get_user(principal.user.id)
            .await?
            .and_then(|u| u.phone);
        let pending = self.store.phone_verification(principal.user.id).await?;
        Ok(PhoneStatus {
            verified,
            code_sent: pending.as_ref().is_some_and(|p| p.code_hash.is_some()),
            pending: pending.map(|p| p.phone),
        })
    }

    /// Asks to link a WhatsApp number to the caller (blank removes it). A number names the
    /// person only once proven: a one-time code goes to it over WhatsApp when the channel is
    /// on; otherwise (or when WhatsApp refuses to deliver) staff confirm it. Until then no
    /// conversation from that number is linked to the caller.
    pub async fn set_phone(
        &self,
        principal: &Principal,
        raw: &str,
    ) -> Result<PhoneStatus, AppError> {
        let user_id = principal.user.id;
        let now = self.clock.now();
        if raw.trim().is_empty() {
            self.store.cancel_phone_verification(user_id).await?;
            self.store.set_phone(user_id, None, now).await?;
            return self.phone_status(principal).await;
        }
        let phone = crate::domain::channel::phone_digits(raw)
            .ok_or_else(|| AppError::field(ErrorCode::PhoneInvalid, "phone"))?;
        let current = self.phone_status(principal).await?;
        if current.verified.as_deref() == Some(phone.as_str()) {
            self.store.cancel_phone_verification(user_id).await?;
            return self.phone_status(principal).await;
        }
        if let Some(p) = self.store.phone_verification(user_id).await? {
            if p.code_hash.is_some() && now - p.created_at < Duration::seconds(PHONE_RESEND_SECONDS)
            {
                return Err(AppError::field(ErrorCode::RateLimited, "phone"));
            }
        }
        let sent = match &self.code_sender {
            Some(sender) => {
                let code = phone_code();
                match sender.send_code(&phone, &code).await {
                    Ok(()) => Some(self.phone_code_hash(user_id, &phone, &code)),
                    Err(e) => {
                        tracing::warn!(user.id = user_id, error = %e, "verification code not delivered; staff will confirm");
                        None
                    }
                }
            }
            None => None,
        };
        let expires = sent
            .as_ref()
            .map(|_| now + Duration::minutes(PHONE_CODE_MINUTES));
        self.store
            .start_phone_verification(user_id, &phone, sent.as_deref(), expires, now)
            .await?;
        tracing::info!(
            user.id = user_id,
            code_sent = sent.is_some(),
            "phone verification started"
        );
        self.phone_status(principal).await
    }

    fn phone_code_hash(&self, user_id: i64, phone: &str, code: &str) -> String {
        self.key.hash(&format!("phone:{user_id}:{phone}:{code}"))
    }

    /// Checks the code sent to the pending number; five wrong tries or ten minutes end it.
    pub async fn confirm_phone(
        &self,
        principal: &Principal,
        raw_code: &str,
    ) -> Result<PhoneStatus, AppError> {
        let user_id = principal.user.id;
        let now = self.clock.now();
        let pending = self
            .store
            .phone_verification(user_id)
            .await?
            .filter(|p| p.code_hash.is_some())
            .ok_or_else(|| AppError::field(ErrorCode::PhoneNotPending, "code"))?;
        let spent = pending.attempts >= PHONE_CODE_ATTEMPTS
            || pending.expires_at.is_none_or(|at| now >= at);
        if spent {
            return Err(AppError::field(ErrorCode::CodeInvalid, "code"));
        }
        let code: String = raw_code.chars().filter(char::is_ascii_digit).collect();
        let expected = pending.code_hash.unwrap_or_default();
        let given = self.phone_code_hash(user_id, &pending.phone, &code);
        // Keyed hashes are compared: their timing tells nothing about the code.
        if code.len() != 6 || given != expected {
            self.store.phone_attempt_failed(user_id).await?;
            tracing::warn!(user.id = user_id, "wrong phone verification code");
            return Err(AppError::field(ErrorCode::CodeInvalid, "code"));
        }
        self.store
            .verify_phone(user_id, &pending.phone, now)
            .await?;
        tracing::info!(user.id = user_id, "phone verified by code");
        self.phone_status(principal).await
    }

    /// Numbers waiting for verification (staff).
    pub async fn pending_phones(
        &self,
        principal: &Principal,
    ) -> Result<Vec<PendingPhone>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        Ok(self.store.pending_phones().await?)
    }

    /// Staff vouch that the pending number is the person's (e.g. after calling them).
    pub async fn confirm_phone_by_staff(
        &self,
        principal: &Principal,
        user_id: i64,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        let pending = self
            .store
            .phone_verification(user_id)
            .await?
            .ok_or(ErrorCode::PhoneNotPending)?;
        self.store
            .verify_phone(user_id, &pending.phone, self.clock.now())
            .await?;
        tracing::info!(
            user.id = user_id,
            staff.id = principal.user.id,
            "phone confirmed by staff"
        );
        Ok(())
    }

    /// New senders at customers' mail domains waiting to join (staff).
    pub async fn join_requests(&self, principal: &Principal) -> Result<Vec<JoinRequest>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        Ok(self.store.join_requests().await?)
    }

    /// Staff let a sender into the organisation they wrote from (their tickets follow them),
    /// or leave them a contact of their own.
    pub async fn decide_join(
        &self,
        principal: &Principal,
        user_id: i64,
        approve: bool,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        let request = self
            .store
            .join_requests()
            .await?
            .into_iter()
            .find(|r| r.user_id == user_id)
            .ok_or(ErrorCode::NotFound)?;
        if approve {
            self.store
                .take_over_contact(
                    user_id,
                    &request.name,
                    Role::Customer,
                    Some(request.org_id),
                    self.clock.now(),
                )
                .await?;
        } else {
            self.store.clear_join(user_id).await?;
        }
        tracing::info!(
            user.id = user_id,
            org.id = request.org_id,
            approve,
            staff.id = principal.user.id,
            "join request decided"
        );
        Ok(())
    }

    /// Whether new senders at the organisation's domain join it by themselves (admins).
    pub async fn set_auto_join(
        &self,
        principal: &Principal,
        org_id: i64,
        on: bool,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.set_auto_join(org_id, on).await?)
    }

    /// Staff turn a pending number down.
    pub async fn reject_phone(&self, principal: &Principal, user_id: i64) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        self.store.cancel_phone_verification(user_id).await?;
        tracing::info!(
            user.id = user_id,
            staff.id = principal.user.id,
            "pending phone rejected"
        );
        Ok(())
    }

    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let user = self
            .store
            .get_user(principal.user.id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let hash = user.password_hash.ok_or(ErrorCode::PasswordWrong)?;
        if !verify_password(hash, current.to_owned()).await? {
            return Err(AppError::field(ErrorCode::PasswordWrong, "current"));
        }
        let password = parse_password(new, "new")?;
        let now = self.clock.now();
        self.store
            .set_password(user.id, &hash_password(&password).await?, now)
            .await?;
        self.store
            .revoke_other_sessions(user.id, Some(principal.session_id), now)
            .await?;
        self.store.spend_tokens(user.id, now).await?;
        self.sessions_ended(user.id, None, Some(principal.session_id))
            .await;
        Ok(())
    }

    /// Emails a single-use reset link. Answers the same, in the same time, whether or not the
    /// account exists: the lookup and the mail happen after the answer, in the background.
    pub async fn request_password_reset(&self, raw_email: &str) -> Result<(), AppError> {
        let email = parse_email(raw_email)?;
        let accounts = self.clone();
        let work = tokio::spawn(async move {
            if let Err(e) = accounts.mail_reset_link(email).await {
                tracing::error!(error = %e, "password reset mail not queued");
            }
        });
        // Tests (and a process about to stop) may wait for the work: it is tracked.
        self.reset_work
            .lock()
            .map(|mut w| {
                w.retain(|h| !h.is_finished());
                w.push(work);
            })
            .ok();
        Ok(())
    }

    /// Waits until every reset request made so far has done its work.
    pub async fn settle_reset_requests(&self) {
        let pending: Vec<_> = self
            .reset_work
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        for handle in pending {
            let _ = handle.await;
        }
    }

    async fn mail_reset_link(&self, email: Email) -> Result<(), AppError> {
        let _one_at_a_time = self.reset_lock.lock().await;
        let Some(user) = self.store.find_user_by_email(email.as_str()).await? else {
            tracing::info!("password reset requested for an unknown email");
            return Ok(());
        };
        let now = self.clock.now();
        // At most a few links per account and window: more would only flood the inbox. This
        // cannot lock the owner out: a link sent in the window is still valid (one hour).
        let recent = self
            .store
            .tokens_created_since(
                user.id,
                TokenPurpose::PasswordReset,
                now - Duration::minutes(RESET_WINDOW_MINUTES),
            )
            .await?;
        if recent >= MAX_RESETS_PER_WINDOW {
            tracing::warn!(
                user = user.id,
                "password reset mail suppressed: too many requests"
            );
            return Ok(());
        }
        let token = new_token();
        self.store
            .create_token(
                user.id,
                TokenPurpose::PasswordReset,
                &self.key.hash(&token),
                now,
                now + Duration::minutes(RESET_TOKEN_MINUTES),
            )
            .await?;
        let link = format!(
            "{}/restablecer-contrasena?token={token}",
            self.settings.public_url
        );
        let body = format!(
            "Hola {name}:\n\nRecibimos una solicitud para restablecer la contraseña de su cuenta en Any2cloud Portal.\n\
             Use este enlace dentro de la próxima hora (sirve una sola vez):\n\n{link}\n\n\
             Si usted no lo solicitó, ignore este mensaje: su contraseña no cambia.\n\n\
             --\nHello {name}: use the link above within one hour to reset your password. If you did not ask for it, ignore this message.\n",
            name = user.name
        );
        self.send_mail(
            &user.email,
            "Restablecer contraseña · Any2cloud Portal",
            &body,
        )
        .await
    }

    /// Sets a new password from an emailed reset or invite link; signs out every session.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AppError> {
        let password = parse_password(new_password, "password")?;
        let now = self.clock.now();
        let hash = self.key.hash(token);
        let mut user_id = None;
        for purpose in [TokenPurpose::PasswordReset, TokenPurpose::Invite] {
            if let Some(id) = self.store.consume_token(purpose, &hash, now).await? {
                user_id = Some(id);
                break;
            }
        }
        let user_id = user_id.ok_or(ErrorCode::TokenInvalid)?;
        self.store
            .set_password(user_id, &hash_password(&password).await?, now)
            .await?;
        self.store.revoke_other_sessions(user_id, None, now).await?;
        self.store.spend_tokens(user_id, now).await?;
        self.sessions_ended(user_id, None, None).await;
        tracing::info!(user.id = user_id, "password set from emailed link");
        Ok(())
    }

    // ----- organisations and users (administration) -----

    pub async fn create_org(
        &self,
        principal: &Principal,
        name: &str,
        plan: &str,
    ) -> Result<OrgSummary, AppError> {
        principal.require(&[Role::Admin])?;
        let name =
            OrgName::parse(name).ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
        let plan: SupportPlan = plan
            .parse()
            .map_err(|_| AppError::field(ErrorCode::PlanInvalid, "plan"))?;
        let id = self
            .store
            .create_org(name.as_str(), plan, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::field(ErrorCode::OrgNameTaken, "name"),
                other => other.into(),
            })?;
        self.store
            .get_org(id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// Staff see every organisation; a customer sees only their own.
    pub async fn list_orgs(&self, principal: &Principal) -> Result<Vec<OrgSummary>, AppError> {
        match principal.role() {
            Role::Admin | Role::Agent => Ok(self.store.list_orgs().await?),
            Role::Customer => match principal.org_id() {
                Some(id) => Ok(self.store.get_org(id).await?.into_iter().collect()),
                None => Ok(vec![]),
            },
            Role::Editor => Err(ErrorCode::Forbidden.into()),
        }
    }

    /// One organisation. Another organisation's id answers 404 to a customer, like a missing one.
    pub async fn get_org(&self, principal: &Principal, id: i64) -> Result<OrgSummary, AppError> {
        match principal.role() {
            Role::Admin | Role::Agent => {}
            Role::Customer if principal.org_id() == Some(id) => {}
            Role::Customer => return Err(ErrorCode::NotFound.into()),
            Role::Editor => return Err(ErrorCode::Forbidden.into()),
        }
        self.store
            .get_org(id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn list_users(&self, principal: &Principal) -> Result<Vec<UserSummary>, AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.list_users().await?)
    }

    /// Creates an account without a password and emails a link to set one.
    pub async fn invite_user(
        &self,
        principal: &Principal,
        invite: Invite<'_>,
    ) -> Result<UserSummary, AppError> {
        principal.require(&[Role::Admin])?;
        let email = parse_email(invite.email)?;
        let name = PersonName::parse(invite.name)
            .ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
        let role: Role = invite
            .role
            .parse()
            .map_err(|_| AppError::field(ErrorCode::RoleInvalid, "role"))?;
        match (role, invite.org_id) {
            (Role::Customer, None) => {
                return Err(AppError::field(ErrorCode::OrgRequired, "organization_id"))
            }
            (Role::Customer, Some(org)) => {
                self.store
                    .get_org(org)
                    .await?
                    .ok_or_else(|| AppError::field(ErrorCode::OrgRequired, "organization_id"))?;
            }
            (_, Some(_)) => {
                return Err(AppError::field(ErrorCode::OrgNotAllowed, "organization_id"))
            }
            (_, None) => {}
        }
        let now = self.clock.now();
        let created = self
            .store
            .create_user(NewUser {
                email: email.as_str(),
                name: name.as_str(),
                role,
                org_id: invite.org_id,
                password_hash: None,
                now,
            })
            .await;
        let id = match created {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                // A contact made from someone's email, chat or confirmed address (no password,
                // an organisation of their own) becomes the invited person instead of
                // blocking the invitation.
                let existing = self.store.find_user_by_email(email.as_str()).await?;
                match existing {
                    Some(u) if is_contact(&u) => {
                        self.store
                            .take_over_contact(u.id, name.as_str(), role, invite.org_id, now)
                            .await?;
                        tracing::info!(user.id = u.id, "invitation took over a contact");
                        u.id
                    }
                    _ => return Err(AppError::field(ErrorCode::EmailTaken, "email")),
                }
            }
            Err(other) => return Err(other.into()),
        };
        let token = new_token();
        self.store
            .create_token(
                id,
                TokenPurpose::Invite,
                &self.key.hash(&token),
                now,
                now + Duration::days(INVITE_TOKEN_DAYS),
            )
            .await?;
        let link = format!(
            "{}/restablecer-contrasena?token={token}",
            self.settings.public_url
        );
        let body = format!(
            "Hola {name}:\n\n{inviter} le invitó a Any2cloud Portal, el portal de soporte de Any2cloud.\n\
             Cree su contraseña con este enlace (vence en 7 días):\n\n{link}\n\n\
             --\nHello {name}: {inviter} invited you to Any2cloud Portal. Set your password with the link above (valid 7 days).\n",
            name = name.as_str(),
            inviter = principal.user.name,
        );
        self.send_mail(email.as_str(), "Invitación a Any2cloud Portal", &body)
            .await?;
        self.store
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn outbox(&self, principal: &Principal) -> Result<Vec<OutboxMail>, AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.outbox.list(200).await?)
    }

    // ----- demo data -----

    /// Loads the demo organisations and accounts; safe to run at every start.
    /// The id of the user with this email (demo data needs its authors).
    pub async fn user_id_by_email(&self, email: &str) -> Result<i64, AppError> {
        self.store
            .find_user_by_email(email)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn seed_demo(&self) -> Result<(), AppError> {
        const PASSWORD: &str = "Demo-2026!";
        let now = self.clock.now();
        let mut org_ids = Vec::new();
        for (name, plan) in [
            ("Demo S.A.", SupportPlan::Premium),
            ("Otra Empresa S.R.L.", SupportPlan::Estandar),
        ] {
            let id = match self.store.find_org_by_name(name).await? {
                Some(id) => id,
                None => self.store.create_org(name, plan, now).await?,
            };
            org_ids.push(id);
        }
        let people = [
            ("admin@demo.test", "Ana Administradora", Role::Admin, None),
            ("agente@demo.test", "Andrés Agente", Role::Agent, None),
            ("editor@demo.test", "Elena Editora", Role::Editor, None),
            (
                "cliente@demo.test",
                "Carlos Cliente",
                Role::Customer,
                Some(org_ids[0]),
            ),
            (
                "cliente2@otra.test",
                "Olga Otra",
                Role::Customer,
                Some(org_ids[1]),
            ),
        ];
        let mut hash = None;
        for (email, name, role, org_id) in people {
            if self.store.find_user_by_email(email).await?.is_some() {
                continue;
            }
            if hash.is_none() {
                let password =
                    Password::new(PASSWORD.into()).map_err(|_| internal("demo password"))?;
                hash = Some(hash_password(&password).await?);
            }
            let id = self
                .store
                .create_user(NewUser {
                    email,
                    name,
                    role,
                    org_id,
                    password_hash: hash.as_deref(),
                    now,
                })
                .await?;
            // The demo customer's WhatsApp number: conversations from it carry Premium's SLA.
            if email == "cliente@demo.test" {
                self.store
                    .verify_phone(id, DEMO_CUSTOMER_PHONE, now)
                    .await?;
            }
        }
        Ok(())
    }
}

/// WhatsApp number of the demo customer (Carlos Cliente, Demo S.A.).
pub const DEMO_CUSTOMER_PHONE: &str = "50660001234";
