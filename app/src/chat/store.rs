//! Storage interface for chats.

use super::{CannedResponse, ChatFile, ChatMessage, ChatView};
use crate::domain::chat::{AgentLoad, ChatRole, Presence};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct NewChat<'a> {
    pub customer_id: Option<i64>,
    pub org_id: Option<i64>,
    pub visitor_name: &'a str,
    pub visitor_email: &'a str,
    pub token_hash: Option<&'a str>,
    /// The client address of an anonymous visitor (for their limit).
    pub client_ip: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub struct NewChatMessage<'a> {
    pub chat_id: i64,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
    pub role: ChatRole,
    pub body: &'a str,
    pub internal: bool,
    pub client_id: Option<&'a str>,
    pub attachment_id: Option<i64>,
    pub now: DateTime<Utc>,
    /// An agent's reply on a Meta channel: queued for the Graph API in the same transaction.
    pub outbound: bool,
}

pub struct NewChatFile<'a> {
    pub chat_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
    pub now: DateTime<Utc>,
}

/// A chat with the ids authorization needs.
#[derive(Debug, Clone)]
pub struct StoredChat {
    pub view: ChatView,
    pub customer_id: Option<i64>,
    pub org_id: Option<i64>,
}

/// One agent (or admin) with their presence and current load.
#[derive(Debug, Clone)]
pub struct AgentRow {
    pub name: String,
    pub load: AgentLoad,
}

/// Which chats a list returns.
#[derive(Debug, Clone, Copy)]
pub enum ChatScope {
    /// Waiting in the queue, oldest first.
    Waiting,
    /// Accepted by this agent and not closed.
    Agent(i64),
}

#[async_trait]
pub trait ChatStore: Send + Sync {
    async fn create_chat(&self, chat: NewChat<'_>) -> StoreResult<i64>;
    /// Chats anonymous visitors started since `since`: from this client address, or from
    /// anyone (`None`).
    async fn anonymous_chats_since(
        &self,
        client_ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn get_chat(&self, id: i64) -> StoreResult<Option<StoredChat>>;
    async fn chat_by_token(&self, token_hash: &str) -> StoreResult<Option<i64>>;
    /// The customer's open chat, if any.
    async fn latest_chat_of(&self, customer_id: i64) -> StoreResult<Option<i64>>;
    async fn list_chats(&self, scope: ChatScope) -> StoreResult<Vec<StoredChat>>;

    /// Stores a message with the next id of its conversation. A message whose `client_id` was
    /// already stored in this conversation is returned as it was (`false`), never stored twice.
    async fn add_message(&self, message: NewChatMessage<'_>) -> StoreResult<(ChatMessage, bool)>;
    async fn messages_after(
        &self,
        chat_id: i64,
        after: i64,
        include_internal: bool,
        limit: i64,
    ) -> StoreResult<Vec<ChatMessage>>;
    async fn message(&self, chat_id: i64, id: i64) -> StoreResult<Option<ChatMessage>>;
    /// Several messages by `(chat_id, id)`, as `(chat_id, message)`, in no particular order;
    /// missing ones are left out.
    async fn messages_by_id(&self, ids: &[(i64, i64)]) -> StoreResult<Vec<(i64, ChatMessage)>> {
        messages_one_by_one(self, ids).await
    }
    /// Raises the side's read mark to `id` (never lowers it).
    async fn mark_read(&self, chat_id: i64, role: ChatRole, id: i64) -> StoreResult<()>;

    /// Offers a waiting chat to an agent (it stays waiting until accepted).
    async fn offer(&self, chat_id: i64, agent_id: i64) -> StoreResult<bool>;
    /// Moves a waiting chat to `agent_id` if they are below `max_chats` active chats.
    async fn accept(
        &self,
        chat_id: i64,
        agent_id: i64,
        max_chats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Hands an active chat to another agent if they are below `max_chats`.
    async fn transfer(
        &self,
        chat_id: i64,
        to_agent: i64,
        max_chats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn close(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<bool>;
    async fn link_ticket(&self, chat_id: i64, ticket_id: i64) -> StoreResult<bool>;
    /// Records the rating once; `false` if already rated.
    async fn rate(&self, chat_id: i64, rating: i64, comment: &str) -> StoreResult<bool>;
    /// Claims the transcript email once; `false` if already sent.
    async fn claim_transcript(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<bool>;

    async fn add_file(&self, file: NewChatFile<'_>) -> StoreResult<i64>;
    /// The file, its chat and where its bytes are.
    async fn file(&self, id: i64) -> StoreResult<Option<(ChatFile, i64, String)>>;

    /// Every agent and admin with presence and load.
    async fn agents(&self) -> StoreResult<Vec<(i64, AgentRow)>>;
    async fn set_presence(
        &self,
        agent_id: i64,
        presence: Presence,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The console checked in: keeps the agent counted as connected.
    async fn touch_presence(&self, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    async fn mark_assigned(&self, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()>;

    async fn canned(&self) -> StoreResult<Vec<CannedResponse>>;
    async fn save_canned(
        &self,
        id: Option<i64>,
        shortcut: &str,
        title: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn delete_canned(&self, id: i64) -> StoreResult<()>;
}

/// [`ChatStore::messages_by_id`] with one [`ChatStore::message`] call per message.
pub async fn messages_one_by_one<S: ChatStore + ?Sized>(
    store: &S,
    ids: &[(i64, i64)],
) -> StoreResult<Vec<(i64, ChatMessage)>> {
    let mut found = Vec::with_capacity(ids.len());
    for &(chat_id, id) in ids {
        if let Some(message) = store.message(chat_id, id).await? {
            found.push((chat_id, message));
        }
    }
    Ok(found)
}
