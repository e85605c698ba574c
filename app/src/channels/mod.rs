//! WhatsApp, Messenger and Instagram conversations: what Meta's webhooks carry (normalised by
//! [`meta`]), how they are stored next to web chats, and how agents' replies leave through the
//! Graph API. Server-only: the browser sees these conversations as chats with a channel.

pub mod email;
pub mod meta;
pub mod service;
pub mod store;

use crate::domain::channel::{Channel, Delivery};
use chrono::{DateTime, Utc};

/// A customer's message from a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub channel: Channel,
    /// Our phone number id (WhatsApp) or page / Instagram account id the customer wrote to.
    pub account_id: String,
    /// The customer: WhatsApp number, page-scoped or Instagram-scoped id.
    pub from: String,
    pub name: Option<String>,
    /// The platform's message id (`wamid…`, `m_…`): a delivery seen twice is stored once.
    pub external_id: String,
    pub sent_at: DateTime<Utc>,
    /// The text, or the caption of a file.
    pub text: String,
    pub media: Option<InboundMedia>,
}

/// A file attached to an inbound message, fetched before the message is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMedia {
    pub source: MediaSource,
    pub filename: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    /// WhatsApp: a media id to resolve through the Graph API.
    GraphId(String),
    /// Messenger / Instagram: a URL to download.
    Url(String),
}

/// The platform's report on one of our replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub channel: Channel,
    pub external_id: String,
    pub delivery: Delivery,
    pub error: Option<String>,
}

/// Messenger reports delivery and reading up to a time rather than per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub channel: Channel,
    pub contact: String,
    pub delivery: Delivery,
    pub up_to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    Message(InboundMessage),
    Status(StatusReport),
    Watermark(Watermark),
}

/// An agent's reply waiting for the Graph API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundReply {
    pub outbox_id: i64,
    pub chat_id: i64,
    pub seq: i64,
    pub channel: Channel,
    pub account_id: String,
    pub to: String,
    pub text: String,
    pub attempts: i64,
}

/// Why the Graph API did not take a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The 24-hour window closed (or the platform refuses for good): no retry.
    #[error("refused: {0}")]
    Refused(String),
    /// Network trouble or a 5xx / rate limit: try again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// Meta's Graph API as the service uses it (a fake on loopback in tests).
#[async_trait::async_trait]
pub trait GraphApi: Send + Sync {
    /// Sends a text reply; returns the platform's message id.
    async fn send_text(&self, reply: &OutboundReply) -> Result<String, GraphError>;
    /// Downloads an inbound file: its bytes and the content type the platform gave.
    async fn fetch_media(
        &self,
        channel: Channel,
        source: &MediaSource,
    ) -> Result<(Vec<u8>, Option<String>), GraphError>;
}
