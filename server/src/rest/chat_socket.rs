//! WebSockets: one per open conversation (customer widget, agent console tab) and one per agent
//! console for queue changes. Every message a socket sends out was loaded from, or just stored
//! in, the database; a socket remembers the last id it sent and never sends an id twice or out
//! of order. After a gap (another instance, a lagging subscriber, a listener reconnect) it
//! reloads everything after that id.

use super::chat::{origin_allowed, parse_id, ChatCaller};
use super::{ApiError, WithLocale};
use super::{ApiPath, ApiQuery};
use crate::startup::AppState;
use app::chat::command::MessageText;
use app::chat::fanout::{SessionsEnded, Signal, Topic};
use app::chat::service::{Caller, Chats, Side};
use app::chat::store::StoredChat;
use app::chat::{ChatMessage, ClientEvent, ConsoleEvent, ServerEvent};
use app::error::{AppError, ErrorCode};
use app::i18n::Locale;
use app::server_ctx::ClientAddr;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serde::Deserialize;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Largest frame a client may send (a 4,000-character message is at most 16 KB of UTF-8): a
/// longer one gets a `message_too_long` error event and the connection stays open.
const MAX_FRAME_BYTES: usize = 32 * 1024;
/// What the WebSocket layer itself accepts before it closes the connection: frames between
/// the two limits are read and refused with an error event, as the README promises.
const MAX_WIRE_BYTES: usize = 256 * 1024;
const PING_EVERY: Duration = Duration::from_secs(25);
const PRESENCE_EVERY: Duration = Duration::from_secs(30);

type DirectLimiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;
type IpLimiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

fn quota(per_second: u32, burst: u32) -> Quota {
    // Both are non-zero constants below.
    Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

/// Message limits shared by every socket of this instance: per client address. Behind a
/// reverse proxy every client shares the proxy's address: raise or turn off the limit there
/// (`PORTAL_CHAT_MSGS_PER_IP=0`) and let the proxy limit per client.
pub struct ChatLimits {
    per_ip: Option<IpLimiter>,
}

impl ChatLimits {
    pub fn new(per_second: u32) -> Self {
        ChatLimits {
            per_ip: (per_second > 0)
                .then(|| RateLimiter::keyed(quota(per_second, per_second.saturating_mul(2)))),
        }
    }

    fn allow_ip(&self, ip: &IpAddr) -> bool {
        self.per_ip
            .as_ref()
            .is_none_or(|limiter| limiter.check_key(ip).is_ok())
    }

    fn connection() -> (DirectLimiter, DirectLimiter) {
        // Messages: 5 per second, bursts of 10. Any frame (typing, read): 20 per second.
        (
            RateLimiter::direct(quota(5, 10)),
            RateLimiter::direct(quota(20, 40)),
        )
    }
}

#[derive(Deserialize)]
pub struct SocketQuery {
    /// Send messages after this id first (what a reconnecting client missed).
    pub after: Option<i64>,
}

fn refuse(error: AppError, locale: Locale) -> Response {
    ApiError { error, locale }.into_response()
}

/// The conversation's live events over a WebSocket (JSON frames; see the README for the
/// protocol). Token by session cookie, `Authorization: Bearer` or `?token=`; `?after=<id>`
/// first sends the messages after that id. A foreign `Origin` is refused with 403.
#[utoipa::path(get, operation_id = "chatSocket", path = "/api/v1/chats/{id}/ws", tag = "chat", security(("bearer" = [])),
    params(("id" = i64, Path), ("after" = Option<i64>, Query), ("token" = Option<String>, Query)),
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn chat_socket(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SocketQuery>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let locale = caller.locale;
    let Ok(ws) = ws else {
        return refuse(ErrorCode::InvalidInput.into(), locale.0);
    };
    if !origin_allowed(&headers, &state.public_url) {
        tracing::warn!(origin = ?headers.get("origin"), "chat socket from a foreign origin refused");
        return refuse(ErrorCode::OriginRefused.into(), locale.0);
    }
    let id = match parse_id(&id, locale) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let (chat, side) = match state
        .services
        .chats
        .access(&caller.caller, id)
        .await
        .in_locale(locale)
    {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let chats = state.services.chats.clone();
    let accounts = state.services.accounts.clone();
    let limits = state.chat_limits.clone();
    let after = q.after.unwrap_or(0).max(0);
    ws.max_message_size(MAX_WIRE_BYTES)
        .max_frame_size(MAX_WIRE_BYTES)
        .on_upgrade(move |socket| async move {
            let conn = Connection {
                chats,
                accounts,
                caller: caller.caller,
                side,
                chat,
                chat_id: id,
                last_sent: after,
                ip: client.0,
                limits,
                locale: locale.0,
            };
            crate::metrics::socket_open(1.0);
            conn.run(socket).await;
            crate::metrics::socket_open(-1.0);
        })
}

struct Connection {
    chats: Chats,
    accounts: app::accounts::service::Accounts,
    caller: Caller,
    side: Side,
    /// The conversation as last loaded: what a message is checked against (status, agent),
    /// so sending costs no query for it. Reloaded on every status signal and after any gap in
    /// the signals (resync, lag), the ways a change reaches this socket.
    chat: StoredChat,
    chat_id: i64,
    /// The highest message id this socket has sent (or the client said it has).
    last_sent: i64,
    ip: IpAddr,
    limits: Arc<ChatLimits>,
    locale: Locale,
}

/// Whether a socket of `caller` must close because these sessions ended.
fn ended_for(caller: &Caller, ended: &SessionsEnded) -> bool {
    match caller {
        Caller::User(p) => ended.covers(p.user.id, p.session_id),
        _ => false,
    }
}

/// Refusals that a change to the conversation can lift: a closed chat stays closed.
fn may_be_stale(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::ChatNotYours | ErrorCode::ChannelWindowClosed
    )
}

async fn send(socket: &mut WebSocket, event: &ServerEvent) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => true,
    }
}

impl Connection {
    async fn run(mut self, mut socket: WebSocket) {
        // Subscribe before loading the backlog so nothing stored in between is missed.
        let mut signals = self.chats.subscribe(Topic::Chat(self.chat_id));
        let mut sessions = self.chats.subscribe(Topic::Sessions);
        let (msg_limit, frame_limit) = ChatLimits::connection();
        if !self.reload_chat().await {
            return;
        }
        // A client claiming ids that do not exist yet would otherwise never see them.
        self.last_sent = self.last_sent.min(self.chat.view.last_id);
        let hello = ServerEvent::Hello {
            chat: self.chat.view.clone(),
        };
        if !send(&mut socket, &hello).await || !self.catch_up(&mut socket).await {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                // Signals first: a change published before a client frame is read (a status
                // change, say) is applied before that frame is handled.
                biased;
                signal = signals.recv() => {
                    let ok = match signal {
                        Ok(signal) => self.forward(&mut socket, signal).await,
                        Err(RecvError::Lagged(_)) => self.resync(&mut socket).await,
                        Err(RecvError::Closed) => false,
                    };
                    if !ok { break }
                }
                ended = sessions.recv() => match ended {
                    Ok(Signal::SessionsEnded(e)) if ended_for(&self.caller, &e) => {
                        tracing::info!(chat.id = self.chat_id, "socket closed: its session ended");
                        let _ = socket.send(Message::Close(None)).await;
                        break;
                    }
                    Err(RecvError::Closed) => break,
                    _ => {}
                },
                frame = socket.recv() => {
                    let Some(Ok(frame)) = frame else { break };
                    let text = match frame {
                        Message::Text(t) => t,
                        Message::Close(_) => break,
                        Message::Binary(_) => {
                            if !self.error(&mut socket, ErrorCode::InvalidInput).await { break }
                            continue;
                        }
                        _ => continue,
                    };
                    if frame_limit.check().is_err() {
                        if !self.error(&mut socket, ErrorCode::RateLimited).await { break }
                        continue;
                    }
                    if text.len() > MAX_FRAME_BYTES {
                        if !self.error(&mut socket, ErrorCode::MessageTooLong).await { break }
                        continue;
                    }
                    if !self.handle(&mut socket, &text, &msg_limit).await { break }
                }
                _ = ping.tick() => {
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() { break }
                }
            }
        }
        // Whoever leaves stops typing.
        self.chats.typing(&self.side, self.chat_id, false).await;
    }

    /// Loads the conversation again, checking the caller may still see it.
    async fn reload_chat(&mut self) -> bool {
        match self.chats.access(&self.caller, self.chat_id).await {
            Ok((chat, _)) => {
                self.chat = chat;
                true
            }
            Err(_) => false,
        }
    }

    /// After signals may have been missed: the conversation and its messages again.
    async fn resync(&mut self, socket: &mut WebSocket) -> bool {
        self.reload_chat().await && self.catch_up(socket).await
    }

    async fn error(&self, socket: &mut WebSocket, code: ErrorCode) -> bool {
        let event = ServerEvent::Error {
            code: code.as_str().to_owned(),
            message: code.message(self.locale),
        };
        send(socket, &event).await
    }

    /// Sends every visible message after `last_sent`, in order.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> bool {
        loop {
            let batch = match self
                .chats
                .messages_for(&self.side, self.chat_id, self.last_sent)
                .await
            {
                Ok(b) => b,
                Err(_) => return false,
            };
            let full = batch.len() as i64 >= app::chat::service::PAGE_LIMIT;
            for m in batch {
                if !self.deliver(socket, m).await {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }

    async fn deliver(&mut self, socket: &mut WebSocket, message: ChatMessage) -> bool {
        if message.id <= self.last_sent {
            return true;
        }
        self.last_sent = message.id;
        send(socket, &ServerEvent::Message(message)).await
    }

    async fn forward(&mut self, socket: &mut WebSocket, signal: Signal) -> bool {
        let staff = self.side.is_staff();
        match signal {
            Signal::Message {
                id,
                internal,
                message,
                ..
            } => {
                if id <= self.last_sent || (internal && !staff) {
                    return true;
                }
                match message {
                    // The next message in order: send it as it is.
                    Some(m) if id == self.last_sent + 1 => self.deliver(socket, (*m).clone()).await,
                    // A gap (internal notes hidden from customers, or a missed signal).
                    _ => self.catch_up(socket).await,
                }
            }
            Signal::Typing {
                role, name, typing, ..
            } => {
                if role == self.side.role() {
                    return true;
                }
                send(socket, &ServerEvent::Typing { role, name, typing }).await
            }
            Signal::Read { role, id, .. } => {
                if role == self.side.role() {
                    return true;
                }
                send(socket, &ServerEvent::Read { role, id }).await
            }
            Signal::Status { .. } => {
                if !self.reload_chat().await {
                    return false;
                }
                let chat = self.chat.view.clone();
                send(socket, &ServerEvent::Status { chat }).await
            }
            Signal::Delivery { id, delivery, .. } => {
                if !staff {
                    return true;
                }
                send(socket, &ServerEvent::Delivery { id, delivery }).await
            }
            Signal::Resync => self.resync(socket).await,
            Signal::Console { .. } | Signal::SessionsEnded(_) => true,
        }
    }

    /// Stores a message checked against the conversation as last loaded. A refusal that a
    /// change not signalled here yet could explain (the chat was assigned, or a channel
    /// customer wrote again and reopened the reply window) is checked once more against the
    /// conversation as it is now, so nobody is refused on stale data.
    async fn post(
        &mut self,
        body: &str,
        client_id: Option<&str>,
        internal: bool,
    ) -> Result<(ChatMessage, bool), AppError> {
        let text = MessageText::parse(body)?;
        let first = self
            .chats
            .post_as(&self.chat, &self.side, &text, client_id, internal, None)
            .await;
        match first {
            Err(e) if may_be_stale(e.code) && self.reload_chat().await => {
                self.chats
                    .post_as(&self.chat, &self.side, &text, client_id, internal, None)
                    .await
            }
            other => other,
        }
    }

    /// Whether the caller's session is still live (a revocation this socket missed, or one
    /// announced on an instance it cannot hear, is caught here before it acts).
    async fn session_live(&self) -> bool {
        match &self.caller {
            Caller::User(p) => self.accounts.session_live(p).await.unwrap_or(false),
            _ => true,
        }
    }

    /// One client frame. Returns `false` when the socket is gone or must close.
    async fn handle(
        &mut self,
        socket: &mut WebSocket,
        text: &str,
        msg_limit: &DirectLimiter,
    ) -> bool {
        if !self.session_live().await {
            tracing::info!(chat.id = self.chat_id, "socket closed: its session ended");
            let _ = self.error(socket, ErrorCode::Unauthenticated).await;
            let _ = socket.send(Message::Close(None)).await;
            return false;
        }
        let event: ClientEvent = match serde_json::from_str(text) {
            Ok(e) => e,
            Err(_) => return self.error(socket, ErrorCode::InvalidInput).await,
        };
        match event {
            ClientEvent::Message {
                body,
                client_id,
                internal,
            } => {
                if msg_limit.check().is_err() || !self.limits.allow_ip(&self.ip) {
                    return self.error(socket, ErrorCode::RateLimited).await;
                }
                match self.post(&body, client_id.as_deref(), internal).await {
                    // New and next in order: it is the acknowledgement (the broadcast copy is
                    // then skipped). New after a gap: everything up to it goes out in order.
                    // A resend: the stored message again, as the acknowledgement.
                    Ok((message, true)) if message.id == self.last_sent + 1 => {
                        self.deliver(socket, message).await
                    }
                    Ok((message, true)) if message.id > self.last_sent => {
                        self.catch_up(socket).await
                    }
                    Ok((message, _)) => send(socket, &ServerEvent::Message(message)).await,
                    Err(e) => self.error(socket, e.code).await,
                }
            }
            ClientEvent::Typing { typing } => {
                self.chats.typing(&self.side, self.chat_id, typing).await;
                true
            }
            ClientEvent::Read { id } => {
                let _ = self.chats.read(&self.side, &self.chat, id).await;
                true
            }
        }
    }
}

/// Queue and activity changes for an agent console over a WebSocket (`{"type":"changed",
/// "chat_id","new_chat"}`, `{"type":"activity","chat_id"}`); keeps the agent's presence fresh
/// while it is open. Agents and admins only.
#[utoipa::path(get, operation_id = "agentConsoleSocket", path = "/api/v1/agent/ws", tag = "chat", security(("bearer" = [])),
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn console_socket(
    State(state): State<AppState>,
    caller: ChatCaller,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let locale = caller.locale.0;
    let Ok(ws) = ws else {
        return refuse(ErrorCode::InvalidInput.into(), locale);
    };
    if !origin_allowed(&headers, &state.public_url) {
        return refuse(ErrorCode::OriginRefused.into(), locale);
    }
    let principal = match caller.caller {
        Caller::User(p) => p,
        _ => return refuse(ErrorCode::Unauthenticated.into(), locale),
    };
    let chats = state.services.chats.clone();
    let accounts = state.services.accounts.clone();
    if let Err(e) = chats.heartbeat(&principal).await {
        return refuse(e, locale);
    }
    ws.max_message_size(MAX_WIRE_BYTES)
        .on_upgrade(move |mut socket| async move {
            crate::metrics::socket_open(1.0);
            let mut signals = chats.subscribe(Topic::Console);
            let mut sessions = chats.subscribe(Topic::Sessions);
            let mut presence = tokio::time::interval(PRESENCE_EVERY);
            loop {
                tokio::select! {
                    ended = sessions.recv() => match ended {
                        Ok(Signal::SessionsEnded(e)) if e.covers(principal.user.id, principal.session_id) => {
                            let _ = socket.send(Message::Close(None)).await;
                            break;
                        }
                        Err(RecvError::Closed) => break,
                        _ => {}
                    },
                    frame = socket.recv() => match frame {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        _ => {}
                    },
                    _ = presence.tick() => {
                        if !accounts.session_live(&principal).await.unwrap_or(false) {
                            let _ = socket.send(Message::Close(None)).await;
                            break;
                        }
                        let _ = chats.heartbeat(&principal).await;
                        if socket.send(Message::Ping(Vec::new().into())).await.is_err() { break }
                    }
                    signal = signals.recv() => {
                        let event = match signal {
                            Ok(Signal::Console { chat_id, new_chat, activity }) => {
                                if activity {
                                    ConsoleEvent::Activity { chat_id }
                                } else {
                                    ConsoleEvent::Changed { chat_id, new_chat }
                                }
                            }
                            Ok(_) | Err(RecvError::Lagged(_)) => ConsoleEvent::Changed { chat_id: 0, new_chat: false },
                            Err(RecvError::Closed) => break,
                        };
                        let Ok(text) = serde_json::to_string(&event) else { continue };
                        if socket.send(Message::Text(text.into())).await.is_err() { break }
                    }
                }
            }
            crate::metrics::socket_open(-1.0);
        })
}
