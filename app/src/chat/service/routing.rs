//! Who talks to whom: starting a conversation, routing it to an available agent, accepting and
//! transferring, and the agent console with presence and customer context.

use super::*;

impl Chats {
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
        let chat = self.stored_chat(id).await?;
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

    pub(super) async fn my_limit(&self, agent_id: i64) -> Result<i64, AppError> {
        Ok(self
            .store
            .agents()
            .await?
            .into_iter()
            .find(|(id, _)| *id == agent_id)
            .map(|(_, a)| a.load.max_chats)
            .ok_or(ErrorCode::AssigneeInvalid)?)
    }

    /// The agent takes a waiting chat, within their concurrent-chat limit.
    pub async fn accept(&self, principal: &Principal, chat_id: i64) -> Result<ChatView, AppError> {
        Self::staff(principal)?;
        let chat = self.stored_chat(chat_id).await?;
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
            let now = self.stored_chat(chat_id).await?;
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
        let chat = self.stored_chat(chat_id).await?;
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

    pub(super) fn agent_info(
        id: i64,
        row: &crate::chat::store::AgentRow,
        now: DateTime<Utc>,
    ) -> AgentInfo {
        AgentInfo {
            id,
            name: row.name.clone(),
            presence: row.load.presence,
            connected: row.load.connected(now),
            active_chats: row.load.active_chats,
            max_chats: row.load.max_chats,
        }
    }

    pub(super) async fn console_chat(
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
        let chat = self.stored_chat(chat_id).await?;
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
}
