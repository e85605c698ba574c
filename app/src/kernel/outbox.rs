//! The outbox: every mail the portal sends is queued here first, by any capability, and a
//! background job delivers it (see the server's `mail` module).

use super::StoreResult;
use crate::accounts::{MailStatus, OutboxMail};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct NewMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub now: DateTime<Utc>,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn enqueue(&self, mail: NewMail<'_>) -> StoreResult<i64>;
    async fn list(&self, limit: i64) -> StoreResult<Vec<OutboxMail>>;
    async fn due(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMail>>;
    /// Replaces a delivered mail's body (its links redacted).
    async fn replace_body(&self, id: i64, body: &str) -> StoreResult<()>;
    async fn mark(
        &self,
        id: i64,
        status: MailStatus,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// A delivery report says sent mail `id` to `recipient` bounced: it becomes failed with
    /// `reason`. `false` when no sent mail has that id and recipient (a report naming someone
    /// else's mail changes nothing).
    async fn mark_bounced(
        &self,
        id: i64,
        recipient: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}
