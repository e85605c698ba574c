//! OpenAPI descriptions of the chat's JSON bodies. The wire types live in the `app` crate
//! (shared with the browser, which does not know utoipa); these mirror them field by field for
//! the document, and `chat_bodies_match_their_schemas` keeps the two from drifting apart.

use chrono::{DateTime, Utc};
use utoipa::ToSchema;

/// A file sent in a chat.
#[derive(ToSchema)]
#[schema(as = ChatFile)]
#[allow(dead_code)]
pub struct ChatFileDoc {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One message of a conversation; ids increase within it.
#[derive(ToSchema)]
#[schema(as = ChatMessage)]
#[allow(dead_code)]
pub struct ChatMessageDoc {
    pub id: i64,
    pub author: String,
    /// `customer`, `agent` or `system`
    #[schema(pattern = "^(customer|agent|system)$")]
    pub role: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// The sender's own id for the message (retries answer the earlier message).
    #[schema(nullable = false)]
    pub client_id: Option<String>,
    /// An agent's note the customer never sees (present only when true).
    #[schema(nullable = false)]
    pub internal: Option<bool>,
    #[schema(nullable = false)]
    pub file: Option<ChatFileDoc>,
    /// An agent's reply on WhatsApp / Messenger / Instagram: `queued`, `sent`, `delivered`,
    /// `read` or `failed`.
    #[schema(nullable = false)]
    pub delivery: Option<String>,
}

/// A conversation as either side sees it.
#[derive(ToSchema)]
#[schema(as = Chat)]
#[allow(dead_code)]
pub struct ChatViewDoc {
    pub id: i64,
    /// `waiting`, `active` or `closed`
    #[schema(pattern = "^(waiting|active|closed)$")]
    pub status: String,
    pub visitor_name: String,
    pub visitor_email: String,
    pub org_name: Option<String>,
    /// `standard`, `advanced` or `premium`
    pub plan: Option<String>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub ticket_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_id: i64,
    pub customer_read: i64,
    pub agent_read: i64,
    pub rating: Option<i64>,
    pub transcript_sent: bool,
    /// `web`, `whatsapp`, `messenger` or `instagram`
    pub channel: String,
    /// The contact's number or handle on a Meta channel.
    #[schema(nullable = false)]
    pub contact: Option<String>,
    /// Meta channels: replies are possible until then.
    #[schema(nullable = false)]
    pub window_closes_at: Option<DateTime<Utc>>,
}

/// A conversation in the agent's inbox.
#[derive(ToSchema)]
#[schema(as = InboxChat)]
#[allow(dead_code)]
pub struct InboxChatDoc {
    pub chat: ChatViewDoc,
    pub unread: i64,
    pub preview: String,
}

/// The agent's inbox: the queue (oldest first) and the caller's own conversations.
#[derive(ToSchema)]
#[schema(as = Inbox)]
#[allow(dead_code)]
pub struct InboxDoc {
    pub waiting: Vec<InboxChatDoc>,
    pub mine: Vec<InboxChatDoc>,
}

/// Whether someone can answer right now, and if not, when.
#[derive(ToSchema)]
#[schema(as = ChatAvailability)]
#[allow(dead_code)]
pub struct AvailabilityDoc {
    pub within_hours: bool,
    pub agents_online: i64,
    /// When business hours begin next (outside them).
    pub next_opening: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::chat::{ChatFile, ChatMessage, ChatView};
    use app::domain::channel::{Channel, Delivery};
    use app::domain::chat::{ChatRole, ChatStatus};
    use app::domain::SupportPlan;
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    fn keys(value: serde_json::Value) -> BTreeSet<String> {
        value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn documented<T: PartialSchema>() -> BTreeSet<String> {
        let schema = serde_json::to_value(T::schema()).expect("schema");
        keys(schema["properties"].clone())
    }

    #[test]
    fn chat_bodies_match_their_schemas() {
        let now = chrono::Utc::now();
        let message = ChatMessage {
            id: 1,
            author: "Ana".into(),
            role: ChatRole::Agent,
            body: "Hola".into(),
            sent_at: now,
            client_id: Some("c1".into()),
            internal: true,
            file: Some(ChatFile {
                id: 1,
                filename: "a.png".into(),
                content_type: "image/png".into(),
                size: 1,
            }),
            delivery: Some(Delivery::Sent),
        };
        let json = serde_json::to_value(&message).expect("message");
        assert_eq!(keys(json.clone()), documented::<ChatMessageDoc>());
        assert_eq!(keys(json["file"].clone()), documented::<ChatFileDoc>());
        let chat = ChatView {
            id: 1,
            status: ChatStatus::Active,
            visitor_name: "Carlos".into(),
            visitor_email: "c@demo.test".into(),
            org_name: None,
            plan: Some(SupportPlan::Premium),
            agent_id: None,
            agent_name: None,
            ticket_id: None,
            created_at: now,
            accepted_at: None,
            closed_at: None,
            last_id: 0,
            customer_read: 0,
            agent_read: 0,
            rating: None,
            transcript_sent: false,
            channel: Channel::Whatsapp,
            contact: Some("+506 8888 7777".into()),
            window_closes_at: Some(now),
        };
        let json = serde_json::to_value(&chat).expect("chat");
        assert_eq!(keys(json), documented::<ChatViewDoc>());
        let availability = app::chat::Availability {
            within_hours: true,
            agents_online: 1,
            next_opening: None,
        };
        let json = serde_json::to_value(&availability).expect("availability");
        assert_eq!(keys(json), documented::<AvailabilityDoc>());
    }
}
