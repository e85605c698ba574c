//! Chat use cases: starting a conversation, messages (stored before they are broadcast,
//! idempotent by client id), the agent console (presence, queue, accept, transfer, close),
//! conversion to a ticket, after-hours messages, rating and transcript.

use super::command::{MessageText, SaveCanned};
use super::fanout::{Fanout, Signal, Topic};
use super::store::{ChatScope, ChatStore, NewChat, NewChatFile, NewChatMessage, StoredChat};
use super::{
    AgentInfo, Availability, CannedResponse, ChatFile, ChatMessage, ChatThread, ChatView,
    ConsoleChat, ConsoleState, CustomerContext, WidgetState,
};
use crate::accounts::service::Principal;
use crate::accounts::store::{AccountStore, NewUser};
use crate::accounts::tokens::{new_token, TokenKey};
use crate::domain::chat::{
    chat_hours, pick_agent, valid_client_id, BodyProblem, ChatHours, ChatRole, ChatStatus, Presence,
};
use crate::domain::{format_cr, Email, PersonName, Role, SupportPlan, TicketSource};
use crate::error::{AppError, ErrorCode};
use crate::files::{check_upload, BlobStore};
use crate::kernel::internal;
use crate::kernel::{Clock, NewMail, OutboxStore};
use crate::tickets::service::Tickets;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::broadcast;

mod canned;
mod messages;
mod outcomes;
mod routing;

/// What waits for an address to confirm.
enum Pending {
    Ticket(i64),
    Transcript(i64),
}

/// Most messages returned by one history request.
pub const PAGE_LIMIT: i64 = 500;

/// Who is calling: a signed-in person, the anonymous visitor holding a chat's token, or nobody.
#[derive(Debug, Clone)]
pub enum Caller {
    User(Principal),
    Visitor { chat_id: i64 },
    Anonymous,
}

/// The caller's side of one conversation they may access.
#[derive(Debug, Clone)]
pub enum Side {
    Customer { user_id: Option<i64>, name: String },
    Staff(Principal),
}

impl Side {
    pub fn role(&self) -> ChatRole {
        match self {
            Side::Customer { .. } => ChatRole::Customer,
            Side::Staff(_) => ChatRole::Agent,
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Side::Staff(_))
    }

    pub fn name(&self) -> &str {
        match self {
            Side::Customer { name, .. } => name,
            Side::Staff(p) => &p.user.name,
        }
    }
}

#[derive(Clone)]
pub struct Chats {
    store: Arc<dyn ChatStore>,
    fanout: Arc<dyn Fanout>,
    tickets: Tickets,
    accounts: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    blobs: Arc<dyn BlobStore>,
    key: TokenKey,
    hours: ChatHours,
    /// Base of emailed links (address confirmations).
    public_url: String,
    clock: Clock,
}

/// Chats anonymous visitors may start per hour: from one client address, and in all.
pub const MAX_ANONYMOUS_CHATS_PER_CLIENT_HOUR: i64 = 5;
pub const MAX_ANONYMOUS_CHATS_PER_HOUR: i64 = 300;
/// Address confirmation links mailed to one address per hour (each valid 7 days).
const MAX_CONFIRMATIONS_PER_ADDRESS_HOUR: i64 = 3;
const CONFIRMATION_DAYS: i64 = 7;
/// The organisation (and its requester) holding tickets of addresses not confirmed yet:
/// no customer belongs to it, so only staff see those tickets.
pub const UNVERIFIED_ORG: &str = "Contactos sin verificar";
const UNVERIFIED_REQUESTER: &str = "sin-verificar@contactos.invalid";

/// What became of a chat transcript request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptOutcome {
    /// Mailed to the signed-in customer's (or a confirmed) address.
    Sent,
    /// The visitor's address must confirm first: a link went to it; the transcript follows.
    ConfirmAddress,
}

pub(crate) fn body_error(problem: BodyProblem) -> AppError {
    match problem {
        BodyProblem::Empty => AppError::field(ErrorCode::BodyRequired, "body"),
        BodyProblem::TooLong => AppError::field(ErrorCode::MessageTooLong, "body"),
        BodyProblem::Nul => AppError::field(ErrorCode::InvalidInput, "body"),
    }
}

fn is_staff_role(role: Role) -> bool {
    matches!(role, Role::Agent | Role::Admin)
}

/// What the chat service works with.
pub struct ChatDeps {
    pub store: Arc<dyn ChatStore>,
    pub fanout: Arc<dyn Fanout>,
    pub tickets: Tickets,
    pub accounts: Arc<dyn AccountStore>,
    pub outbox: Arc<dyn OutboxStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub key: TokenKey,
    pub clock: Clock,
}

impl Chats {
    pub fn new(deps: ChatDeps) -> Self {
        let ChatDeps {
            store,
            fanout,
            tickets,
            accounts,
            outbox,
            blobs,
            key,
            clock,
        } = deps;
        Chats {
            clock,
            store,
            fanout,
            tickets,
            accounts,
            outbox,
            blobs,
            key,
            hours: ChatHours::Business,
            public_url: "http://127.0.0.1:3000".into(),
        }
    }

    /// Base URL of emailed links.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// When live chat is offered (business hours by default).
    pub fn with_hours(mut self, hours: ChatHours) -> Self {
        self.hours = hours;
        self
    }

    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Signal> {
        self.fanout.subscribe(topic)
    }

    /// Resolves the caller from a signed-in principal or an anonymous chat token.
    pub async fn caller(
        &self,
        principal: Option<Principal>,
        chat_token: Option<&str>,
    ) -> Result<Caller, AppError> {
        if let Some(p) = principal {
            return Ok(Caller::User(p));
        }
        match chat_token.filter(|t| !t.is_empty()) {
            Some(token) => Ok(self
                .store
                .chat_by_token(&self.key.hash(token))
                .await?
                .map(|chat_id| Caller::Visitor { chat_id })
                .unwrap_or(Caller::Anonymous)),
            None => Ok(Caller::Anonymous),
        }
    }

    /// The chat and the caller's side in it. Anyone else gets 404 (or 401 when anonymous).
    pub async fn access(
        &self,
        caller: &Caller,
        chat_id: i64,
    ) -> Result<(StoredChat, Side), AppError> {
        let chat = self.store.get_chat(chat_id).await?;
        let side = match (caller, &chat) {
            (Caller::Anonymous, _) => return Err(ErrorCode::Unauthenticated.into()),
            (_, None) => None,
            (Caller::User(p), Some(_)) if is_staff_role(p.role()) => Some(Side::Staff(p.clone())),
            (Caller::User(p), Some(c)) if c.customer_id == Some(p.user.id) => {
                Some(Side::Customer {
                    user_id: Some(p.user.id),
                    name: p.user.name.clone(),
                })
            }
            (Caller::Visitor { chat_id: own }, Some(c)) if *own == chat_id => {
                Some(Side::Customer {
                    user_id: None,
                    name: c.view.visitor_name.clone(),
                })
            }
            _ => None,
        };
        match (chat, side) {
            (Some(chat), Some(side)) => Ok((chat, side)),
            _ => Err(ErrorCode::NotFound.into()),
        }
    }

    /// Business hours for the plan (Estándar's for anonymous visitors) and connected agents.
    pub async fn availability(&self, plan: Option<SupportPlan>) -> Result<Availability, AppError> {
        let plan = plan.unwrap_or(SupportPlan::Standard);
        let calendar = self.tickets.calendar().await?;
        let now = self.clock.now();
        let (within_hours, next_opening) = chat_hours(self.hours, plan, now, &calendar);
        let agents_online = self
            .store
            .agents()
            .await?
            .iter()
            .filter(|(_, a)| a.load.connected(now))
            .count() as i64;
        Ok(Availability {
            within_hours,
            agents_online,
            next_opening,
        })
    }

    pub async fn widget_state(&self, caller: &Caller) -> Result<WidgetState, AppError> {
        let (plan, chat_id, known_customer) = match caller {
            Caller::User(p) if p.role() == Role::Customer => (
                p.user.organization.as_ref().map(|o| o.plan),
                self.store.latest_chat_of(p.user.id).await?,
                true,
            ),
            Caller::User(_) => (None, None, false),
            Caller::Visitor { chat_id } => (None, Some(*chat_id), false),
            Caller::Anonymous => (None, None, false),
        };
        let chat = match chat_id {
            Some(id) => self.store.get_chat(id).await?.map(|c| c.view),
            None => None,
        };
        Ok(WidgetState {
            availability: self.availability(plan).await?,
            chat,
            known_customer,
        })
    }

    /// The chat, or 404.
    async fn stored_chat(&self, chat_id: i64) -> Result<StoredChat, AppError> {
        self.store
            .get_chat(chat_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    fn staff(principal: &Principal) -> Result<(), AppError> {
        principal.require(&[Role::Agent, Role::Admin])
    }

    // ---- agent console ----
}

/// The first `max` characters of a single-line version of `text`.
fn excerpt(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// "[26/11/2026 10:15] Ana: hola" lines in Costa Rica time.
pub fn transcript(messages: &[ChatMessage]) -> String {
    messages
        .iter()
        .filter(|m| !m.internal)
        .map(|m| format!("[{}] {}: {}", format_cr(m.sent_at), m.author, m.body))
        .collect::<Vec<_>>()
        .join("\n")
}
