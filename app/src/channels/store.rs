//! Storage interface for channel conversations.

use super::OutboundReply;
use crate::chat::ChatMessage;
use crate::domain::channel::{Channel, Delivery};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A file already written to blob storage, to attach to an inbound message.
pub struct StoredMedia<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
}

pub struct NewInbound<'a> {
    pub channel: Channel,
    pub account_id: &'a str,
    pub from: &'a str,
    /// Shown to agents; the contact's number or id when the platform sent no name.
    pub name: &'a str,
    /// How the contact is reached if the conversation becomes a ticket.
    pub contact_email: &'a str,
    /// A portal customer with this WhatsApp number, if any.
    pub phone_digits: Option<&'a str>,
    /// Unique across platforms (`whatsapp:wamid…`).
    pub external_id: &'a str,
    pub text: &'a str,
    pub media: Option<StoredMedia<'a>>,
    /// When the customer wrote (opens the 24-hour window, never later than `now`).
    pub sent_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum Ingested {
    /// This message id was stored before: nothing changed.
    Duplicate,
    Stored {
        chat_id: i64,
        message: ChatMessage,
        /// A new conversation was opened for it (it waits in the queue).
        new_chat: bool,
    },
}

/// A delivery state that changed, to push to agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryChange {
    pub chat_id: i64,
    pub seq: i64,
    pub delivery: Delivery,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// In one transaction: remembers the message id (a second delivery is a `Duplicate`),
    /// creates or refreshes the contact (its customer-service window starts now), finds the
    /// contact's open conversation or opens one, and stores the message in it.
    async fn ingest(&self, message: NewInbound<'_>) -> StoreResult<Ingested>;

    /// Applies a status report to the reply with this platform id, only forwards.
    async fn apply_status(
        &self,
        external_id: &str,
        delivery: Delivery,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>>;

    /// Marks every reply to the contact sent up to `up_to` as delivered / read.
    async fn apply_watermark(
        &self,
        channel: Channel,
        contact: &str,
        delivery: Delivery,
        up_to: DateTime<Utc>,
    ) -> StoreResult<Vec<DeliveryChange>>;

    /// Replies whose next attempt is due, oldest first.
    async fn due_replies(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboundReply>>;

    /// The platform took the reply: it is `sent` with the platform's id.
    async fn reply_sent(
        &self,
        outbox_id: i64,
        external_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>>;

    /// Records a failed attempt: tried again at `retry_at`, or failed for good when `None`.
    async fn reply_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>>;
}
