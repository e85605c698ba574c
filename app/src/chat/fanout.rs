//! Real-time fan-out of chat events to connected clients. The server implements it in-process
//! (SQLite, one instance) or over PostgreSQL LISTEN/NOTIFY (several instances); the service
//! only publishes after the database has committed.

use super::ChatMessage;
use crate::domain::channel::Delivery;
use crate::domain::chat::ChatRole;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What a connection subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Chat(i64),
    /// Every agent console.
    Console,
    /// Sessions ended (sign-out, revocation, password change): every socket listens, and
    /// closes when it belongs to one of them.
    Sessions,
}

#[derive(Debug, Clone)]
pub enum Signal {
    /// A stored message. `message` is present when the publisher had it in memory; receivers
    /// that miss it (another instance, a gap) reload from the database.
    Message {
        chat_id: i64,
        id: i64,
        internal: bool,
        message: Option<Arc<ChatMessage>>,
    },
    Typing {
        chat_id: i64,
        role: ChatRole,
        name: String,
        typing: bool,
    },
    Read {
        chat_id: i64,
        role: ChatRole,
        id: i64,
    },
    /// The chat's status, agent or ticket changed.
    Status { chat_id: i64 },
    /// WhatsApp / Messenger reported where an agent's reply stands.
    Delivery {
        chat_id: i64,
        id: i64,
        delivery: Delivery,
    },
    /// For consoles: a chat arrived or changed (`new_chat`), or a customer wrote (`activity`).
    Console {
        chat_id: i64,
        new_chat: bool,
        activity: bool,
    },
    /// Notifications may have been missed (listener reconnected): reload from the database.
    Resync,
    /// Sessions of `user_id` ended: the one session `only`, or every one except `except`.
    SessionsEnded(SessionsEnded),
}

/// Which sessions a [`Signal::SessionsEnded`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionsEnded {
    pub user_id: i64,
    pub only: Option<i64>,
    pub except: Option<i64>,
}

impl SessionsEnded {
    /// Whether the session `session_id` of `user_id` is one of them.
    pub fn covers(&self, user_id: i64, session_id: i64) -> bool {
        user_id == self.user_id
            && self.only.is_none_or(|s| s == session_id)
            && self.except != Some(session_id)
    }
}

impl Signal {
    pub fn topic(&self) -> Topic {
        match self {
            Signal::Message { chat_id, .. }
            | Signal::Typing { chat_id, .. }
            | Signal::Read { chat_id, .. }
            | Signal::Status { chat_id }
            | Signal::Delivery { chat_id, .. } => Topic::Chat(*chat_id),
            Signal::Console { .. } | Signal::Resync => Topic::Console,
            Signal::SessionsEnded(_) => Topic::Sessions,
        }
    }
}

#[async_trait]
pub trait Fanout: Send + Sync {
    /// Delivers to every subscriber of the signal's topic, on every instance.
    async fn publish(&self, signal: Signal);
    /// [`Fanout::publish`] for several signals, in order (across instances, in one go).
    async fn publish_all(&self, signals: Vec<Signal>) {
        for signal in signals {
            self.publish(signal).await;
        }
    }
    /// Subscribes to a topic on this instance. Also receives [`Signal::Resync`].
    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Signal>;
}
