//! Storage interface for accounts (implemented for SQLite and PostgreSQL in the server crate).

use super::{OrgSummary, SessionKind, SessionView, UserSummary};
use crate::domain::{Role, SupportPlan};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A user row including the password hash: stays on the server, never serialized.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub org_plan: Option<SupportPlan>,
    pub password_hash: Option<String>,
    /// Digits with country code: how a WhatsApp conversation is matched to the person.
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: i64,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub org_id: Option<i64>,
    pub password_hash: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub struct NewSession<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub kind: SessionKind,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A number waiting to be verified.
#[derive(Debug, Clone)]
pub struct PhoneVerification {
    pub phone: String,
    /// Keyed hash of the code sent; `None` when no code was sent (staff confirm).
    pub code_hash: Option<String>,
    pub attempts: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Purpose of a single-use emailed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    Invite,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::Invite => "invite",
        }
    }
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_org(
        &self,
        name: &str,
        plan: SupportPlan,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<i64>>;
    /// The organisation of the oldest customer whose address is at `domain` (lower case), not
    /// counting the single-person organisations made for contacts (named `Contacto …`).
    async fn customer_org_by_domain(&self, domain: &str) -> StoreResult<Option<i64>>;
    /// Records that the (contact) user asks to join `org_id`.
    async fn request_join(&self, user_id: i64, org_id: i64) -> StoreResult<()>;
    async fn clear_join(&self, user_id: i64) -> StoreResult<()>;
    async fn join_requests(&self) -> StoreResult<Vec<super::JoinRequest>>;
    async fn set_auto_join(&self, org_id: i64, on: bool) -> StoreResult<()>;
    async fn get_org(&self, id: i64) -> StoreResult<Option<OrgSummary>>;
    async fn list_orgs(&self) -> StoreResult<Vec<OrgSummary>>;

    async fn create_user(&self, user: NewUser<'_>) -> StoreResult<i64>;
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn get_user(&self, id: i64) -> StoreResult<Option<UserRecord>>;
    async fn list_users(&self) -> StoreResult<Vec<UserSummary>>;
    async fn set_password(&self, user_id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_phone(
        &self,
        user_id: i64,
        phone: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The user's number waiting to be verified, if any.
    async fn phone_verification(&self, user_id: i64) -> StoreResult<Option<PhoneVerification>>;
    /// Starts (or restarts) verifying `phone` for the user; replaces an earlier request.
    async fn start_phone_verification(
        &self,
        user_id: i64,
        phone: &str,
        code_hash: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Counts one wrong code.
    async fn phone_attempt_failed(&self, user_id: i64) -> StoreResult<()>;
    async fn cancel_phone_verification(&self, user_id: i64) -> StoreResult<()>;
    /// Makes `phone` the user's verified number (taking it from anyone who had it before),
    /// ends the request, and links that number's WhatsApp contact and its open conversations.
    async fn verify_phone(&self, user_id: i64, phone: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Numbers waiting to be verified, oldest first.
    async fn pending_phones(&self) -> StoreResult<Vec<super::PendingPhone>>;

    // ----- contacts typed by anonymous visitors, until their address confirms -----

    async fn create_contact_confirmation(
        &self,
        email: &str,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Confirmation links mailed to `email` since `since`.
    async fn contact_confirmations_since(
        &self,
        email: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Whether `email` ever confirmed a link.
    async fn contact_confirmed(&self, email: &str) -> StoreResult<bool>;
    /// Confirms the live link with this hash, once: `(id, email, name)`.
    async fn confirm_contact(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(i64, String, String)>>;
    /// The contact an unverified ticket waits for.
    async fn set_ticket_contact(&self, ticket_id: i64, confirmation_id: i64) -> StoreResult<()>;
    /// A chat whose transcript waits for the address to confirm.
    async fn set_transcript_contact(&self, chat_id: i64, confirmation_id: i64) -> StoreResult<()>;
    /// Moves the tickets waiting for this address (any of its confirmations) to the
    /// organisation and requester it turned out to be; returns how many.
    async fn assign_contact_tickets(
        &self,
        email: &str,
        org_id: i64,
        requester_id: i64,
    ) -> StoreResult<u64>;
    /// Chats whose transcript waited for this address; they wait no more.
    async fn take_transcripts_awaiting(&self, email: &str) -> StoreResult<Vec<i64>>;

    /// Turns a passwordless contact account into the invited person: name, role and
    /// organisation change, and their tickets follow them into the new organisation.
    async fn take_over_contact(
        &self,
        user_id: i64,
        name: &str,
        role: Role,
        org_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    async fn create_session(&self, session: NewSession<'_>) -> StoreResult<i64>;
    /// The live (not revoked) session with this token hash, with its user.
    async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, UserRecord)>>;
    async fn touch_session(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    async fn list_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SessionView>>;
    /// Revokes one of the user's sessions; `NotFound` when it is not theirs or already gone.
    async fn revoke_session(
        &self,
        user_id: i64,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether the session is neither revoked nor past its absolute expiry.
    async fn session_live(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Revokes every session of the user except `keep`; returns how many.
    async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    async fn create_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Marks every unused emailed link of the user as used: after any password change no
    /// older reset or invite link works.
    async fn spend_tokens(&self, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Atomically marks a live token as used and returns its user; `None` if unknown, used or expired.
    async fn consume_token(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>>;

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: Option<&str>,
        success: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Tokens of `purpose` created for the user since `since` (used or not).
    async fn tokens_created_since(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Failed attempts for this email since `since`, from any address.
    async fn failed_for_account(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    /// Failed attempts since `since`: (for this email from this IP, from this IP in all).
    async fn failed_attempts(
        &self,
        email: &str,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)>;
}
