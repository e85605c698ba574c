//! Chat use cases: starting a conversation, messages (stored before they are broadcast,
//! idempotent by client id), the agent console (presence, queue, accept, transfer, close),
//! conversion to a ticket, after-hours messages, rating and transcript.

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
    chat_hours, clean_body, pick_agent, valid_client_id, valid_shortcut, BodyProblem, ChatHours,
    ChatRole, ChatStatus, Presence,
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

fn body_error(problem: BodyProblem) -> AppError {
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
        let plan = plan.unwrap_or(SupportPlan::Estandar);
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

    /// Starts a conversation (or returns the customer's open one). Anonymous visitors give a
    /// name and email and get a chat-scoped token, returned once.
    pub async fn start(
        &self,
        caller: &Caller,
        name: &str,
        email: &str,
        client_ip: Option<&str>,
    ) -> Result<(ChatView, Option<String>), AppError> {
        let now = self.clock.now();
        if matches!(caller, Caller::Visitor { .. } | Caller::Anonymous) {
            let hour_ago = now - chrono::Duration::hours(1);
            let from_client = match client_ip {
                Some(ip) => self.store.anonymous_chats_since(Some(ip), hour_ago).await?,
                None => 0,
            };
            let in_all = self.store.anonymous_chats_since(None, hour_ago).await?;
            if from_client >= MAX_ANONYMOUS_CHATS_PER_CLIENT_HOUR
                || in_all >= MAX_ANONYMOUS_CHATS_PER_HOUR
            {
                tracing::warn!(client = ?client_ip, from_client, in_all, "anonymous chat refused: too many");
                return Err(ErrorCode::RateLimited.into());
            }
        }
        let (new, token) = match caller {
            Caller::User(p) if p.role() == Role::Customer => {
                if let Some(id) = self.store.latest_chat_of(p.user.id).await? {
                    if let Some(c) = self.store.get_chat(id).await? {
                        if c.view.status != ChatStatus::Closed {
                            return Ok((c.view, None));
                        }
                    }
                }
                (
                    (
                        Some(p.user.id),
                        p.org_id(),
                        p.user.name.clone(),
                        p.user.email.clone(),
                    ),
                    None,
                )
            }
            Caller::User(_) => return Err(ErrorCode::Forbidden.into()),
            Caller::Visitor { .. } | Caller::Anonymous => {
                let name = PersonName::parse(name)
                    .ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
                let email = Email::parse(email)
                    .ok_or_else(|| AppError::field(ErrorCode::EmailInvalid, "email"))?;
                (
                    (
                        None,
                        None,
                        name.as_str().to_owned(),
                        email.as_str().to_owned(),
                    ),
                    Some(new_token()),
                )
            }
        };
        let (customer_id, org_id, name, email) = new;
        let token_hash = token.as_deref().map(|t| self.key.hash(t));
        let id = self
            .store
            .create_chat(NewChat {
                customer_id,
                org_id,
                visitor_name: &name,
                visitor_email: &email,
                token_hash: token_hash.as_deref(),
                client_ip: if customer_id.is_none() {
                    client_ip
                } else {
                    None
                },
                now,
            })
            .await?;
        tracing::info!(
            chat.id = id,
            signed_in = customer_id.is_some(),
            "chat started"
        );
        self.route_waiting().await?;
        self.fanout
            .publish(Signal::Console {
                chat_id: id,
                new_chat: true,
                activity: false,
            })
            .await;
        let chat = self.store.get_chat(id).await?.ok_or(ErrorCode::NotFound)?;
        Ok((chat.view, token))
    }

    /// Offers waiting chats nobody was offered yet to the fairest available agent.
    pub async fn route_waiting(&self) -> Result<(), AppError> {
        let waiting = self.store.list_chats(ChatScope::Waiting).await?;
        let mut agents: Vec<_> = self
            .store
            .agents()
            .await?
            .into_iter()
            .map(|(_, a)| a.load)
            .collect();
        let now = self.clock.now();
        for chat in waiting.iter().filter(|c| c.view.agent_id.is_none()) {
            let Some(agent_id) = pick_agent(&agents, now) else {
                break;
            };
            if self.store.offer(chat.view.id, agent_id).await? {
                self.store.mark_assigned(agent_id, now).await?;
                if let Some(a) = agents.iter_mut().find(|a| a.agent_id == agent_id) {
                    a.active_chats += 1;
                    a.last_assigned_at = Some(now);
                }
                self.fanout
                    .publish(Signal::Console {
                        chat_id: chat.view.id,
                        new_chat: true,
                        activity: false,
                    })
                    .await;
            }
        }
        Ok(())
    }

    pub async fn thread(&self, caller: &Caller, chat_id: i64) -> Result<ChatThread, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        let messages = self
            .store
            .messages_after(chat_id, 0, side.is_staff(), PAGE_LIMIT)
            .await?;
        Ok(ChatThread {
            chat: chat.view,
            messages,
        })
    }

    /// Messages after `after`, in order (internal notes for staff only).
    pub async fn messages_after(
        &self,
        caller: &Caller,
        chat_id: i64,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        let (_, side) = self.access(caller, chat_id).await?;
        self.messages_for(&side, chat_id, after).await
    }

    pub async fn messages_for(
        &self,
        side: &Side,
        chat_id: i64,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        Ok(self
            .store
            .messages_after(chat_id, after.max(0), side.is_staff(), PAGE_LIMIT)
            .await?)
    }

    pub async fn chat_view(&self, chat_id: i64) -> Result<ChatView, AppError> {
        Ok(self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?
            .view)
    }

    /// Stores a message, then broadcasts it. Resending the same `client_id` returns the
    /// stored message without a copy (and without broadcasting it again).
    pub async fn post(
        &self,
        caller: &Caller,
        chat_id: i64,
        body: &str,
        client_id: Option<&str>,
        internal: bool,
    ) -> Result<(ChatMessage, bool), AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        self.post_as(&chat, &side, body, client_id, internal, None)
            .await
    }

    pub async fn post_as(
        &self,
        chat: &StoredChat,
        side: &Side,
        body: &str,
        client_id: Option<&str>,
        internal: bool,
        file: Option<i64>,
    ) -> Result<(ChatMessage, bool), AppError> {
        let body = clean_body(body).map_err(body_error)?;
        let client_id = client_id.filter(|c| !c.is_empty());
        if client_id.is_some_and(|c| !valid_client_id(c)) {
            return Err(AppError::field(ErrorCode::InvalidInput, "client_id"));
        }
        if internal && !side.is_staff() {
            return Err(ErrorCode::Forbidden.into());
        }
        if chat.view.status == ChatStatus::Closed {
            return Err(ErrorCode::ChatClosed.into());
        }
        if let Side::Staff(p) = side {
            let assigned =
                chat.view.status == ChatStatus::Active && chat.view.agent_id == Some(p.user.id);
            if !internal && !assigned && p.role() != Role::Admin {
                return Err(ErrorCode::ChatNotYours.into());
            }
        }
        // A reply on WhatsApp / Messenger / Instagram leaves through the Graph API, which only
        // takes it within 24 hours of the customer's last message.
        let outbound = side.is_staff() && !internal && chat.view.channel.is_meta();
        if outbound {
            if file.is_some() {
                return Err(AppError::field(ErrorCode::ChannelFileUnsupported, "file"));
            }
            let now = self.clock.now();
            if chat
                .view
                .window_closes_at
                .is_none_or(|closes| now >= closes)
            {
                return Err(ErrorCode::ChannelWindowClosed.into());
            }
        }
        let author_id = match side {
            Side::Customer { user_id, .. } => *user_id,
            Side::Staff(p) => Some(p.user.id),
        };
        let (message, new) = self
            .store
            .add_message(NewChatMessage {
                chat_id: chat.view.id,
                author_id,
                author_name: side.name(),
                role: side.role(),
                body,
                internal,
                client_id,
                attachment_id: file,
                now: self.clock.now(),
                outbound,
            })
            .await?;
        if new {
            self.broadcast(chat.view.id, &message, side).await;
        }
        Ok((message, new))
    }

    async fn broadcast(&self, chat_id: i64, message: &ChatMessage, side: &Side) {
        let mut signals = vec![Signal::Message {
            chat_id,
            id: message.id,
            internal: message.internal,
            message: Some(Arc::new(message.clone())),
        }];
        if !side.is_staff() {
            signals.push(Signal::Console {
                chat_id,
                new_chat: false,
                activity: true,
            });
        }
        self.fanout.publish_all(signals).await;
    }

    async fn system_message(&self, chat_id: i64, body: &str) -> Result<(), AppError> {
        let (message, _) = self
            .store
            .add_message(NewChatMessage {
                chat_id,
                author_id: None,
                author_name: "Any2cloud",
                role: ChatRole::System,
                body,
                internal: false,
                client_id: None,
                attachment_id: None,
                now: self.clock.now(),
                outbound: false,
            })
            .await?;
        self.fanout
            .publish(Signal::Message {
                chat_id,
                id: message.id,
                internal: false,
                message: Some(Arc::new(message)),
            })
            .await;
        Ok(())
    }

    /// Typing indicators are not stored: they only matter to whoever is connected now.
    pub async fn typing(&self, side: &Side, chat_id: i64, typing: bool) {
        self.fanout
            .publish(Signal::Typing {
                chat_id,
                role: side.role(),
                name: side.name().to_owned(),
                typing,
            })
            .await;
    }

    /// The caller's side has read up to `id`.
    pub async fn read(&self, side: &Side, chat: &StoredChat, id: i64) -> Result<(), AppError> {
        let id = id.max(0);
        self.store.mark_read(chat.view.id, side.role(), id).await?;
        self.fanout
            .publish(Signal::Read {
                chat_id: chat.view.id,
                role: side.role(),
                id,
            })
            .await;
        Ok(())
    }

    /// Stores a file (same limits as ticket attachments) and posts it as a message.
    pub async fn attach(
        &self,
        caller: &Caller,
        chat_id: i64,
        filename: &str,
        bytes: &[u8],
        client_id: Option<&str>,
    ) -> Result<ChatMessage, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        if chat.view.status == ChatStatus::Closed {
            return Err(ErrorCode::ChatClosed.into());
        }
        if chat.view.channel.is_meta() && side.is_staff() {
            return Err(AppError::field(ErrorCode::ChannelFileUnsupported, "file"));
        }
        let (filename, content_type) =
            check_upload(bytes, filename).map_err(|code| AppError::field(code, "file"))?;
        let key = format!("chats/{chat_id}/{}", uuid::Uuid::new_v4().simple());
        self.blobs.put(&key, bytes).await.map_err(internal)?;
        let file_id = self
            .store
            .add_file(NewChatFile {
                chat_id,
                filename: &filename,
                content_type,
                size: bytes.len() as i64,
                storage_key: &key,
                now: self.clock.now(),
            })
            .await?;
        self.post_as(&chat, &side, &filename, client_id, false, Some(file_id))
            .await
            .map(|(m, _)| m)
    }

    pub async fn file(
        &self,
        caller: &Caller,
        chat_id: i64,
        file_id: i64,
    ) -> Result<(ChatFile, Vec<u8>), AppError> {
        self.access(caller, chat_id).await?;
        let (file, owner, key) = self.store.file(file_id).await?.ok_or(ErrorCode::NotFound)?;
        if owner != chat_id {
            return Err(ErrorCode::NotFound.into());
        }
        let bytes = self.blobs.get(&key).await.map_err(internal)?;
        Ok((file, bytes))
    }

    fn staff(principal: &Principal) -> Result<(), AppError> {
        principal.require(&[Role::Agent, Role::Admin])
    }

    async fn my_limit(&self, agent_id: i64) -> Result<i64, AppError> {
        Ok(self
            .store
            .agents()
            .await?
            .into_iter()
            .find(|(id, _)| *id == agent_id)
            .map(|(_, a)| a.load.max_chats)
            .ok_or(ErrorCode::AssigneeInvalid)?)
    }

    async fn changed(&self, chat_id: i64) {
        self.fanout.publish(Signal::Status { chat_id }).await;
        self.fanout
            .publish(Signal::Console {
                chat_id,
                new_chat: false,
                activity: false,
            })
            .await;
    }

    /// The agent takes a waiting chat, within their concurrent-chat limit.
    pub async fn accept(&self, principal: &Principal, chat_id: i64) -> Result<ChatView, AppError> {
        Self::staff(principal)?;
        let chat = self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        if chat.view.status != ChatStatus::Waiting {
            return Err(if chat.view.agent_id == Some(principal.user.id) {
                ErrorCode::InvalidInput
            } else {
                ErrorCode::ChatTaken
            }
            .into());
        }
        let limit = self.my_limit(principal.user.id).await?;
        if !self
            .store
            .accept(chat_id, principal.user.id, limit, self.clock.now())
            .await?
        {
            let now = self
                .store
                .get_chat(chat_id)
                .await?
                .ok_or(ErrorCode::NotFound)?;
            return Err(if now.view.status == ChatStatus::Waiting {
                ErrorCode::AgentAtCapacity
            } else {
                ErrorCode::ChatTaken
            }
            .into());
        }
        self.system_message(
            chat_id,
            &format!("{} se unió a la conversación.", principal.user.name),
        )
        .await?;
        self.changed(chat_id).await;
        self.route_waiting().await?;
        self.chat_view(chat_id).await
    }

    /// Hands the chat to another agent (the assigned agent or an admin may).
    pub async fn transfer(
        &self,
        principal: &Principal,
        chat_id: i64,
        to_agent: i64,
    ) -> Result<ChatView, AppError> {
        Self::staff(principal)?;
        let chat = self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        if chat.view.status == ChatStatus::Closed {
            return Err(ErrorCode::ChatClosed.into());
        }
        if chat.view.agent_id != Some(principal.user.id) && principal.role() != Role::Admin {
            return Err(ErrorCode::ChatNotYours.into());
        }
        let agents = self.store.agents().await?;
        let (_, target) = agents
            .iter()
            .find(|(id, _)| *id == to_agent)
            .ok_or_else(|| AppError::field(ErrorCode::AssigneeInvalid, "agent"))?;
        if !self
            .store
            .transfer(chat_id, to_agent, target.load.max_chats, self.clock.now())
            .await?
        {
            return Err(ErrorCode::AgentAtCapacity.into());
        }
        self.system_message(
            chat_id,
            &format!(
                "{} transfirió la conversación a {}.",
                principal.user.name, target.name
            ),
        )
        .await?;
        self.changed(chat_id).await;
        self.route_waiting().await?;
        self.chat_view(chat_id).await
    }

    /// Ends the conversation (either side may).
    pub async fn close(&self, caller: &Caller, chat_id: i64) -> Result<ChatView, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        if let Side::Staff(p) = &side {
            if chat.view.agent_id.is_some()
                && chat.view.agent_id != Some(p.user.id)
                && p.role() != Role::Admin
            {
                return Err(ErrorCode::ChatNotYours.into());
            }
        }
        if self.store.close(chat_id, self.clock.now()).await? {
            self.system_message(
                chat_id,
                &format!("{} finalizó la conversación.", side.name()),
            )
            .await?;
            self.changed(chat_id).await;
            self.route_waiting().await?;
        }
        self.chat_view(chat_id).await
    }

    /// Creates a ticket with the transcript (public messages) for the chat's customer.
    pub async fn convert_to_ticket(
        &self,
        principal: &Principal,
        chat_id: i64,
    ) -> Result<i64, AppError> {
        Self::staff(principal)?;
        let chat = self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        if let Some(existing) = chat.view.ticket_id {
            return Ok(existing);
        }
        let (org_id, user_id, unverified) = match (chat.org_id, chat.customer_id) {
            (Some(org), Some(user)) => (org, user, false),
            _ if chat.view.channel == crate::domain::channel::Channel::Web => {
                let (org, user) = self.unverified_requester().await?;
                (org, user, true)
            }
            // A WhatsApp / Messenger / Instagram contact: the platform vouches for the
            // number or id, never for an email; their own contact organisation.
            _ => {
                let (org, user) = self
                    .contact(&chat.view.visitor_name, &chat.view.visitor_email)
                    .await?;
                (org, user, false)
            }
        };
        let messages = self
            .store
            .messages_after(chat_id, 0, false, PAGE_LIMIT)
            .await?;
        let first = messages
            .iter()
            .find(|m| m.role == ChatRole::Customer)
            .map(|m| m.body.as_str())
            .unwrap_or("Conversación de chat");
        let subject = format!("Chat #{chat_id}: {}", excerpt(first, 120));
        let body = format!(
            "Conversación de chat con {} <{}>\n\n{}",
            chat.view.visitor_name,
            chat.view.visitor_email,
            transcript(&messages)
        );
        let ticket = self
            .tickets
            .open_for(org_id, user_id, &subject, &body, TicketSource::Chat)
            .await?;
        if unverified {
            self.await_confirmation(
                &chat.view.visitor_name,
                &chat.view.visitor_email,
                Pending::Ticket(ticket.id),
            )
            .await?;
        }
        if self.store.link_ticket(chat_id, ticket.id).await? {
            self.system_message(chat_id, &format!("Se creó el ticket {}.", ticket.number))
                .await?;
            self.changed(chat_id).await;
            Ok(ticket.id)
        } else {
            // Another agent converted it at the same moment: keep theirs.
            Ok(self
                .chat_view(chat_id)
                .await?
                .ticket_id
                .unwrap_or(ticket.id))
        }
    }

    /// The portal user for a visitor's email: an existing customer, or a new contact in an
    /// organisation of their own (so nobody else's tickets become visible to them).
    async fn contact(&self, name: &str, email: &str) -> Result<(i64, i64), AppError> {
        if let Some(user) = self.accounts.find_user_by_email(email).await? {
            return match (user.role, user.org_id) {
                (Role::Customer, Some(org)) => Ok((org, user.id)),
                _ => Err(AppError::field(ErrorCode::EmailTaken, "email")),
            };
        }
        let now = self.clock.now();
        let org = crate::accounts::service::contact_org(
            self.accounts.as_ref(),
            &format!("Contacto web: {email}"),
            now,
        )
        .await?;
        let user = self
            .accounts
            .create_user(NewUser {
                email,
                name,
                role: Role::Customer,
                org_id: Some(org),
                password_hash: None,
                now,
            })
            .await?;
        tracing::info!(user.id = user, org.id = org, "web contact created");
        Ok((org, user))
    }

    /// Outside hours or with nobody online: the message becomes a ticket.
    pub async fn leave_message(
        &self,
        caller: &Caller,
        name: &str,
        email: &str,
        body: &str,
    ) -> Result<crate::tickets::TicketSummary, AppError> {
        let text = clean_body(body).map_err(body_error)?;
        let (org_id, user_id, who) = match caller {
            Caller::User(p) if p.role() == Role::Customer => (
                p.org_id().ok_or(ErrorCode::Forbidden)?,
                p.user.id,
                format!("{} <{}>", p.user.name, p.user.email),
            ),
            Caller::User(_) => return Err(ErrorCode::Forbidden.into()),
            _ => {
                let name = PersonName::parse(name)
                    .ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
                let email = Email::parse(email)
                    .ok_or_else(|| AppError::field(ErrorCode::EmailInvalid, "email"))?;
                let subject = format!("Mensaje del chat: {}", excerpt(text, 120));
                let who = format!(
                    "{} <{}> (correo sin confirmar)",
                    name.as_str(),
                    email.as_str()
                );
                let body = format!("Mensaje dejado en el chat por {who}:\n\n{text}");
                // Whatever the address (a customer's, staff's, nobody's): a ticket only staff
                // see, and a confirmation link to that address. Nothing is attached to an
                // account until the address confirms, and the answer is the same.
                let (org, user) = self.unverified_requester().await?;
                let ticket = self
                    .tickets
                    .open_for(org, user, &subject, &body, TicketSource::Chat)
                    .await?;
                self.await_confirmation(name.as_str(), email.as_str(), Pending::Ticket(ticket.id))
                    .await?;
                return Ok(ticket);
            }
        };
        let subject = format!("Mensaje del chat: {}", excerpt(text, 120));
        let body = format!("Mensaje dejado en el chat por {who}:\n\n{text}");
        self.tickets
            .open_for(org_id, user_id, &subject, &body, TicketSource::Chat)
            .await
    }

    /// The organisation and requester of tickets whose address is not confirmed yet.
    async fn unverified_requester(&self) -> Result<(i64, i64), AppError> {
        let now = self.clock.now();
        let org =
            crate::accounts::service::contact_org(self.accounts.as_ref(), UNVERIFIED_ORG, now)
                .await?;
        if let Some(user) = self
            .accounts
            .find_user_by_email(UNVERIFIED_REQUESTER)
            .await?
        {
            return Ok((org, user.id));
        }
        let created = self
            .accounts
            .create_user(NewUser {
                email: UNVERIFIED_REQUESTER,
                name: "Contacto sin verificar",
                role: Role::Customer,
                org_id: Some(org),
                password_hash: None,
                now,
            })
            .await;
        match created {
            Ok(id) => Ok((org, id)),
            // Created at the same moment by another request.
            Err(crate::kernel::StoreError::Conflict(_)) => {
                let user = self
                    .accounts
                    .find_user_by_email(UNVERIFIED_REQUESTER)
                    .await?
                    .ok_or(ErrorCode::NotFound)?;
                Ok((org, user.id))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Mails `email` a link that confirms it (at most a few per address an hour: the ticket or
    /// transcript still waits, and staff can link it); remembers what waits for it.
    async fn await_confirmation(
        &self,
        name: &str,
        email: &str,
        pending: Pending,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let token = new_token();
        let recent = self
            .accounts
            .contact_confirmations_since(email, now - chrono::Duration::hours(1))
            .await?;
        let id = self
            .accounts
            .create_contact_confirmation(
                email,
                name,
                &self.key.hash(&token),
                now,
                now + chrono::Duration::days(CONFIRMATION_DAYS),
            )
            .await?;
        match pending {
            Pending::Ticket(ticket) => self.accounts.set_ticket_contact(ticket, id).await?,
            Pending::Transcript(chat) => self.accounts.set_transcript_contact(chat, id).await?,
        }
        if recent >= MAX_CONFIRMATIONS_PER_ADDRESS_HOUR {
            tracing::warn!("address confirmation not mailed: too many for this address");
            return Ok(());
        }
        // Fixed text only: nothing the visitor typed goes out from the support address.
        let link = format!("{}/confirmar-correo?token={token}", self.public_url);
        let body = format!(
            "Hola:\n\nAlguien escribió esta dirección en el chat de soporte de Any2cloud. Si fue usted, \
             confírmela con este enlace (vence en {CONFIRMATION_DAYS} días) para que su solicitud quede \
             ligada a su correo:\n\n{link}\n\nSi no fue usted, ignore este mensaje.\n\n\
             --\nSomeone typed this address in Any2cloud's support chat. If it was you, confirm it \
             with the link above; otherwise ignore this message.\n"
        );
        self.outbox
            .enqueue(NewMail {
                to: email,
                subject: "Confirme su correo · Any2cloud",
                body: &body,
                now,
            })
            .await?;
        Ok(())
    }

    /// Confirms an address from its emailed link: its waiting tickets go to the customer with
    /// that address (or a new contact of its own when there is none) and waiting transcripts
    /// are mailed. A staff address keeps its tickets where staff see them.
    pub async fn confirm_address(&self, token: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        let (_, email, name) = self
            .accounts
            .confirm_contact(&self.key.hash(token.trim()), now)
            .await?
            .ok_or(ErrorCode::TokenInvalid)?;
        let owner = match self.accounts.find_user_by_email(&email).await? {
            Some(u) if u.role == Role::Customer => u.org_id.map(|org| (org, u.id)),
            Some(_) => None,
            None => Some(self.contact(&name, &email).await?),
        };
        if let Some((org, user)) = owner {
            let moved = self
                .accounts
                .assign_contact_tickets(&email, org, user)
                .await?;
            tracing::info!(user.id = user, moved, "address confirmed: tickets linked");
        }
        for chat_id in self.accounts.take_transcripts_awaiting(&email).await? {
            self.mail_transcript(chat_id, &email, now).await?;
        }
        Ok(())
    }

    /// 1–5 with an optional comment, once, after the chat ended.
    pub async fn rate(
        &self,
        caller: &Caller,
        chat_id: i64,
        rating: i64,
        comment: &str,
    ) -> Result<(), AppError> {
        let (_, side) = self.access(caller, chat_id).await?;
        if side.is_staff() {
            return Err(ErrorCode::Forbidden.into());
        }
        if !(1..=5).contains(&rating) {
            return Err(AppError::field(ErrorCode::RatingInvalid, "rating"));
        }
        let comment: String = comment.trim().chars().take(2_000).collect();
        if !self.store.rate(chat_id, rating, &comment).await? {
            return Err(ErrorCode::AlreadyRated.into());
        }
        self.changed(chat_id).await;
        Ok(())
    }

    /// Emails the public transcript, once: to a signed-in customer's own address, or to an
    /// anonymous visitor's address once it has confirmed (a confirmation link goes first, and
    /// the transcript follows it), so the portal never mails a stranger's text to anyone.
    pub async fn send_transcript(
        &self,
        caller: &Caller,
        chat_id: i64,
    ) -> Result<TranscriptOutcome, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        let own_address = match &side {
            Side::Staff(_) => return Err(ErrorCode::Forbidden.into()),
            Side::Customer {
                user_id: Some(_), ..
            } => true,
            Side::Customer { user_id: None, .. } => {
                self.accounts
                    .contact_confirmed(&chat.view.visitor_email)
                    .await?
            }
        };
        let now = self.clock.now();
        if !self.store.claim_transcript(chat_id, now).await? {
            return Err(ErrorCode::TranscriptSent.into());
        }
        if !own_address {
            self.await_confirmation(
                &chat.view.visitor_name,
                &chat.view.visitor_email,
                Pending::Transcript(chat_id),
            )
            .await?;
            self.changed(chat_id).await;
            return Ok(TranscriptOutcome::ConfirmAddress);
        }
        self.mail_transcript(chat_id, &chat.view.visitor_email, now)
            .await?;
        self.changed(chat_id).await;
        Ok(TranscriptOutcome::Sent)
    }

    async fn mail_transcript(
        &self,
        chat_id: i64,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let chat = self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let messages = self
            .store
            .messages_after(chat_id, 0, false, PAGE_LIMIT)
            .await?;
        let body = format!(
            "Hola {},\n\nEsta es la transcripción de su conversación con Any2cloud \
             (hora de Costa Rica).\n\n{}\n\n— Any2cloud · soporte@any2cloud.com\n",
            chat.view.visitor_name,
            transcript(&messages)
        );
        self.outbox
            .enqueue(NewMail {
                to,
                subject: &format!("Transcripción de su chat #{chat_id} con Any2cloud"),
                body: &body,
                now,
            })
            .await?;
        Ok(())
    }

    // ---- agent console ----

    fn agent_info(id: i64, row: &super::store::AgentRow, now: DateTime<Utc>) -> AgentInfo {
        AgentInfo {
            id,
            name: row.name.clone(),
            presence: row.load.presence,
            connected: row.load.connected(now),
            active_chats: row.load.active_chats,
            max_chats: row.load.max_chats,
        }
    }

    async fn console_chat(
        &self,
        chat: StoredChat,
        agent_view: bool,
    ) -> Result<ConsoleChat, AppError> {
        let last = self
            .store
            .messages_after(chat.view.id, (chat.view.last_id - 1).max(0), true, 1)
            .await?;
        let preview = last
            .first()
            .map(|m| excerpt(&m.body, 80))
            .unwrap_or_default();
        let unread = if agent_view {
            chat.view.last_id - chat.view.agent_read
        } else {
            0
        };
        Ok(ConsoleChat {
            chat: chat.view,
            unread: unread.max(0),
            preview,
        })
    }

    pub async fn console(&self, principal: &Principal) -> Result<ConsoleState, AppError> {
        Self::staff(principal)?;
        let now = self.clock.now();
        let agents = self.store.agents().await?;
        let me = agents
            .iter()
            .find(|(id, _)| *id == principal.user.id)
            .map(|(id, a)| Self::agent_info(*id, a, now))
            .ok_or_else(|| internal("agent missing from agent list"))?;
        let mut waiting = Vec::new();
        for chat in self.store.list_chats(ChatScope::Waiting).await? {
            waiting.push(self.console_chat(chat, false).await?);
        }
        let mut mine = Vec::new();
        for chat in self
            .store
            .list_chats(ChatScope::Agent(principal.user.id))
            .await?
        {
            mine.push(self.console_chat(chat, true).await?);
        }
        Ok(ConsoleState {
            me,
            waiting,
            mine,
            agents: agents
                .iter()
                .map(|(id, a)| Self::agent_info(*id, a, now))
                .collect(),
            canned: self.store.canned().await?,
            email: self.tickets.email_awaiting_reply().await?,
        })
    }

    pub async fn set_presence(
        &self,
        principal: &Principal,
        presence: Presence,
    ) -> Result<(), AppError> {
        Self::staff(principal)?;
        self.store
            .set_presence(principal.user.id, presence, self.clock.now())
            .await?;
        if presence == Presence::Online {
            self.route_waiting().await?;
        }
        self.fanout
            .publish(Signal::Console {
                chat_id: 0,
                new_chat: false,
                activity: false,
            })
            .await;
        Ok(())
    }

    /// The console is connected: keep the agent counted as online.
    pub async fn heartbeat(&self, principal: &Principal) -> Result<(), AppError> {
        Self::staff(principal)?;
        self.store
            .touch_presence(principal.user.id, self.clock.now())
            .await?;
        Ok(())
    }

    pub async fn customer_context(
        &self,
        principal: &Principal,
        chat_id: i64,
    ) -> Result<CustomerContext, AppError> {
        Self::staff(principal)?;
        let chat = self
            .store
            .get_chat(chat_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let open_tickets = match chat.org_id {
            Some(org) => self
                .tickets
                .open_tickets_of(org)
                .await?
                .into_iter()
                .take(10)
                .map(|t| (t.id, t.number, t.subject))
                .collect(),
            None => Vec::new(),
        };
        // Channel contacts without email carry a reserved `.invalid` address: show how they
        // are reached instead.
        let email = if chat.view.visitor_email.ends_with(".invalid") {
            chat.view.contact.clone().unwrap_or_default()
        } else {
            chat.view.visitor_email
        };
        Ok(CustomerContext {
            name: chat.view.visitor_name,
            email,
            org_name: chat.view.org_name,
            plan: chat.view.plan,
            open_tickets,
            signed_in: chat.customer_id.is_some(),
        })
    }

    pub async fn canned(&self, principal: &Principal) -> Result<Vec<CannedResponse>, AppError> {
        Self::staff(principal)?;
        Ok(self.store.canned().await?)
    }

    pub async fn save_canned(
        &self,
        principal: &Principal,
        id: Option<i64>,
        shortcut: &str,
        title: &str,
        body: &str,
    ) -> Result<i64, AppError> {
        principal.require(&[Role::Admin])?;
        let shortcut = shortcut.trim().trim_start_matches('/');
        if !valid_shortcut(shortcut) {
            return Err(AppError::field(ErrorCode::ShortcutInvalid, "shortcut"));
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 120 {
            return Err(AppError::field(ErrorCode::TitleRequired, "title"));
        }
        let body = clean_body(body).map_err(body_error)?;
        self.store
            .save_canned(id, shortcut, title, body, self.clock.now())
            .await
            .map_err(|e| match e {
                crate::kernel::StoreError::Conflict(_) => {
                    AppError::field(ErrorCode::ShortcutTaken, "shortcut")
                }
                other => other.into(),
            })
    }

    pub async fn delete_canned(&self, principal: &Principal, id: i64) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.delete_canned(id).await?)
    }

    /// Demo canned responses, once.
    pub async fn seed_demo(&self) -> Result<(), AppError> {
        if !self.store.canned().await?.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        for (shortcut, title, body) in [
            (
                "saludo",
                "Saludo",
                "¡Hola! Gracias por escribir a Any2cloud. ¿En qué le podemos ayudar?",
            ),
            (
                "espera",
                "Un momento",
                "Permítame un momento mientras reviso su caso, por favor.",
            ),
            (
                "cierre",
                "Despedida",
                "¿Hay algo más en lo que le pueda ayudar? Que tenga un excelente día.",
            ),
        ] {
            self.store
                .save_canned(None, shortcut, title, body, now)
                .await?;
        }
        Ok(())
    }
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
