//! Web chat between customers (or anonymous visitors) and agents: wire types shared by the
//! server, the browser and the REST/WebSocket protocol.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
#[cfg(feature = "ssr")]
pub mod fanout;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::channel::{Channel, Delivery};
use crate::domain::chat::{ChatRole, ChatStatus, Presence};
use crate::domain::SupportPlan;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Cookie holding an anonymous visitor's chat token (HttpOnly).
pub const CHAT_COOKIE: &str = "portal_chat";

/// A file sent in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One stored message. `id` increases monotonically within its conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    pub author: String,
    pub role: ChatRole,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Agent-only note, never shown to the customer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<ChatFile>,
    /// An agent's reply on WhatsApp / Messenger / Instagram: where the platform says it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// A conversation as either side sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatView {
    pub id: i64,
    pub status: ChatStatus,
    pub visitor_name: String,
    pub visitor_email: String,
    pub org_name: Option<String>,
    pub plan: Option<SupportPlan>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub ticket_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_id: i64,
    /// The last message id the customer has read / the agent has read.
    pub customer_read: i64,
    pub agent_read: i64,
    pub rating: Option<i64>,
    pub transcript_sent: bool,
    #[serde(default)]
    pub channel: Channel,
    /// The contact's number or handle on a Meta channel (e.g. `+506 8888 7777`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Meta channels: replies are possible until then (24 h after the customer's last message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_closes_at: Option<DateTime<Utc>>,
}

/// Whether someone can answer right now, and if not, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub within_hours: bool,
    pub agents_online: i64,
    /// Next time business hours begin (when outside them).
    pub next_opening: Option<DateTime<Utc>>,
}

impl Availability {
    pub fn open(&self) -> bool {
        self.within_hours && self.agents_online > 0
    }
}

/// What the widget needs when a page loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetState {
    pub availability: Availability,
    /// The visitor's open (or just closed, not yet rated) conversation.
    pub chat: Option<ChatView>,
    /// Signed in as a customer: no pre-chat form.
    pub known_customer: bool,
}

/// An entry of the agent console's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleChat {
    pub chat: ChatView,
    pub unread: i64,
    pub preview: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub id: i64,
    pub name: String,
    pub presence: Presence,
    pub connected: bool,
    pub active_chats: i64,
    pub max_chats: i64,
}

/// Everything the console shows besides the open conversations' messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleState {
    pub me: AgentInfo,
    pub waiting: Vec<ConsoleChat>,
    pub mine: Vec<ConsoleChat>,
    pub agents: Vec<AgentInfo>,
    pub canned: Vec<CannedResponse>,
    /// Open tickets that came in by email and still wait for a first answer: the mailbox's
    /// share of the one inbox (answered from the ticket, where the reply goes out by email).
    #[serde(default)]
    pub email: Vec<crate::tickets::TicketSummary>,
}

/// Who the agent is talking to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerContext {
    pub name: String,
    pub email: String,
    pub org_name: Option<String>,
    pub plan: Option<SupportPlan>,
    pub open_tickets: Vec<(i64, String, String)>,
    pub signed_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: i64,
    pub shortcut: String,
    pub title: String,
    pub body: String,
}

/// A conversation with its messages (the console and the widget's first load).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatThread {
    pub chat: ChatView,
    pub messages: Vec<ChatMessage>,
}

/// Events the server sends over a chat's WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// Sent once after connecting.
    Hello {
        chat: ChatView,
    },
    Message(ChatMessage),
    Typing {
        role: ChatRole,
        name: String,
        typing: bool,
    },
    /// `role`'s side has read everything up to `id`.
    Read {
        role: ChatRole,
        id: i64,
    },
    /// The conversation changed (accepted, transferred, closed, converted).
    Status {
        chat: ChatView,
    },
    /// Where an agent's reply on WhatsApp / Messenger / Instagram stands now.
    Delivery {
        id: i64,
        delivery: Delivery,
    },
    Error {
        code: String,
        message: String,
    },
}

/// Frames a client may send over a chat's WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientEvent {
    Message {
        body: String,
        client_id: Option<String>,
        #[serde(default)]
        internal: bool,
    },
    Typing {
        typing: bool,
    },
    Read {
        id: i64,
    },
}

/// Events of the agent console's WebSocket: something changed, refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleEvent {
    /// The queue or someone's chats changed; `new_chat` when a chat just arrived.
    Changed { chat_id: i64, new_chat: bool },
    /// A customer wrote in one of the agent's chats.
    Activity { chat_id: i64 },
}
