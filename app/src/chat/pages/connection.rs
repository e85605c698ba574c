//! The browser side of a chat's WebSocket: connect, resume after the last id seen, reconnect
//! with backoff, go quiet while the browser is offline, and resend unacknowledged messages
//! (the server stores a client id once, so a resend never duplicates).

use crate::chat::{ChatMessage, ChatView, ClientEvent, ConsoleEvent, ServerEvent};
use crate::domain::chat::ChatRole;
use leptos::prelude::*;

/// What the person sees about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Open,
    /// Lost; the next attempt is in `in_seconds`.
    Reconnecting {
        in_seconds: u32,
    },
    /// The browser says there is no network.
    Offline,
}

/// A message typed here and not yet confirmed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: String,
    pub body: String,
}

/// Reactive state of one conversation plus a handle to send on its socket.
#[derive(Clone, Copy)]
pub struct ChatConnection {
    pub chat_id: i64,
    pub chat: RwSignal<ChatView>,
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub pending: RwSignal<Vec<Pending>>,
    pub link: RwSignal<LinkState>,
    /// Who on the other side is typing, if anyone. Expires [`TYPING_EXPIRES_MS`] after the
    /// last signal (the typist repeats it every 3 s while keys are pressed).
    pub typing: RwSignal<Option<String>>,
    /// Bumped by every typing signal, so only the latest one's expiry clears the indicator.
    typing_seq: StoredValue<u64>,
    /// The last id the other side has read.
    pub other_read: RwSignal<i64>,
    pub error: RwSignal<Option<String>>,
    outbox: StoredValue<Option<Outbox>>,
}

#[cfg(feature = "hydrate")]
type Outbox = futures::channel::mpsc::UnboundedSender<Command>;
#[cfg(not(feature = "hydrate"))]
type Outbox = ();

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug)]
enum Command {
    Send(ClientEvent),
    Offline,
    Online,
    Stop,
}

/// How long "… está escribiendo" stays without a new signal from the typist.
pub const TYPING_EXPIRES_MS: u64 = 5_000;

/// Merges `incoming` into the id-ordered list, ignoring ids already present.
pub fn merge(list: &mut Vec<ChatMessage>, incoming: ChatMessage) {
    match list.binary_search_by_key(&incoming.id, |m| m.id) {
        Ok(_) => {}
        Err(at) => list.insert(at, incoming),
    }
}

/// Wait before reconnect attempt `n` (1-based): 1, 2, 4, 8, 16, then 30 s.
pub fn backoff_seconds(attempt: u32) -> u32 {
    match attempt {
        0 | 1 => 1,
        n if n >= 6 => 30,
        n => 1 << (n - 1),
    }
}

impl ChatConnection {
    pub fn new(chat: ChatView, messages: Vec<ChatMessage>, me: ChatRole) -> Self {
        let other_read = match me {
            ChatRole::Customer => chat.agent_read,
            _ => chat.customer_read,
        };
        ChatConnection {
            chat_id: chat.id,
            chat: RwSignal::new(chat),
            messages: RwSignal::new(messages),
            pending: RwSignal::new(Vec::new()),
            link: RwSignal::new(LinkState::Connecting),
            typing: RwSignal::new(None),
            typing_seq: StoredValue::new(0),
            other_read: RwSignal::new(other_read),
            error: RwSignal::new(None),
            outbox: StoredValue::new(None),
        }
    }

    pub fn last_id(&self) -> i64 {
        self.messages
            .with_untracked(|m| m.last().map(|m| m.id).unwrap_or(0))
    }

    /// Queues a message; it is sent now if connected, or on the next connection.
    pub fn send_message(&self, body: String, internal: bool) {
        let client_id = new_client_id();
        if !internal {
            self.pending.update(|p| {
                p.push(Pending {
                    client_id: client_id.clone(),
                    body: body.clone(),
                })
            });
        }
        self.command(Command::Send(ClientEvent::Message {
            body,
            client_id: Some(client_id),
            internal,
        }));
    }

    pub fn send_typing(&self, typing: bool) {
        if self.link.get_untracked() == LinkState::Open {
            self.command(Command::Send(ClientEvent::Typing { typing }));
        }
    }

    pub fn send_read(&self, id: i64) {
        if self.link.get_untracked() == LinkState::Open {
            self.command(Command::Send(ClientEvent::Read { id }));
        }
    }

    fn command(&self, cmd: Command) {
        self.outbox.with_value(|o| {
            #[cfg(feature = "hydrate")]
            if let Some(tx) = o {
                let _ = tx.unbounded_send(cmd);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (o, cmd);
        });
    }

    /// Closes the socket for good (the view went away).
    pub fn stop(&self) {
        self.command(Command::Stop);
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn apply(&self, event: ServerEvent) {
        match event {
            ServerEvent::Hello { chat } | ServerEvent::Status { chat } => {
                self.link.set(LinkState::Open);
                if chat.status == crate::domain::chat::ChatStatus::Closed {
                    self.typing.set(None);
                }
                self.chat.set(chat);
            }
            ServerEvent::Message(m) => {
                if let Some(cid) = &m.client_id {
                    self.pending.update(|p| p.retain(|x| &x.client_id != cid));
                }
                if m.role != ChatRole::System {
                    self.typing.set(None);
                }
                self.messages.update(|list| merge(list, m));
            }
            ServerEvent::Typing { name, typing, .. } => {
                self.typing_seq.update_value(|n| *n += 1);
                let seq = self.typing_seq.get_value();
                self.typing.set(typing.then_some(name));
                if typing {
                    let (indicator, latest) = (self.typing, self.typing_seq);
                    set_timeout(
                        move || {
                            if latest.try_get_value() == Some(seq) {
                                indicator.set(None);
                            }
                        },
                        std::time::Duration::from_millis(TYPING_EXPIRES_MS),
                    );
                }
            }
            ServerEvent::Read { id, .. } => self.other_read.update(|r| *r = (*r).max(id)),
            ServerEvent::Delivery { id, delivery } => self.messages.update(|list| {
                if let Some(m) = list.iter_mut().find(|m| m.id == id) {
                    m.delivery = Some(delivery);
                }
            }),
            ServerEvent::Error { message, .. } => self.error.set(Some(message)),
        }
    }

    /// Starts the connection task (browser only).
    pub fn connect(&self) {
        #[cfg(feature = "hydrate")]
        browser::start(*self);
    }
}

fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("w{:x}-{a:08x}{b:08x}", js_sys::Date::now() as u64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("server")
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use futures::channel::mpsc;
    use futures::{FutureExt, SinkExt, StreamExt};
    use gloo_net::websocket::{futures::WebSocket, Message};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    fn socket_url(chat_id: i64, after: i64) -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().ok()?;
        Some(format!(
            "{scheme}://{host}/api/v1/chats/{chat_id}/ws?after={after}"
        ))
    }

    fn online() -> bool {
        web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true)
    }

    /// Forwards the window's offline/online events into the command channel.
    fn watch_network(tx: &mpsc::UnboundedSender<Command>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, make) in [("offline", true), ("online", false)] {
            let tx = tx.clone();
            let cb = Closure::<dyn FnMut()>::new(move || {
                let _ = tx.unbounded_send(if make {
                    Command::Offline
                } else {
                    Command::Online
                });
            });
            let _ = window.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
            // Lives as long as the page: one pair of listeners per open conversation.
            cb.forget();
        }
    }

    pub(super) fn console(on_event: impl Fn(ConsoleEvent) + 'static) {
        leptos::task::spawn_local(async move {
            loop {
                let url = web_sys::window().and_then(|w| {
                    let l = w.location();
                    let scheme = if l.protocol().ok()? == "https:" {
                        "wss"
                    } else {
                        "ws"
                    };
                    Some(format!("{scheme}://{}/api/v1/agent/ws", l.host().ok()?))
                });
                let Some(url) = url else { return };
                if let Ok(ws) = WebSocket::open(&url) {
                    let (_write, mut read) = ws.split();
                    let mut first = true;
                    while let Some(Ok(frame)) = read.next().await {
                        if first {
                            // Reconnected: whatever happened meanwhile, refresh once.
                            first = false;
                            on_event(ConsoleEvent::Changed {
                                chat_id: 0,
                                new_chat: false,
                            });
                        }
                        if let Message::Text(text) = frame {
                            if let Ok(event) = serde_json::from_str::<ConsoleEvent>(&text) {
                                on_event(event);
                            }
                        }
                    }
                }
                gloo_timers::future::TimeoutFuture::new(3_000).await;
            }
        });
    }

    pub(super) fn beep() {
        let Ok(ctx) = web_sys::AudioContext::new() else {
            return;
        };
        let Ok(osc) = ctx.create_oscillator() else {
            return;
        };
        let Ok(gain) = ctx.create_gain() else { return };
        let now = ctx.current_time();
        gain.gain().set_value(0.08);
        osc.frequency().set_value(880.0);
        let _ = osc.frequency().set_value_at_time(660.0, now + 0.12);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let _ = osc.start();
        let _ = osc.stop_with_when(now + 0.25);
    }

    pub(super) fn start(conn: ChatConnection) {
        let (tx, mut rx) = mpsc::unbounded::<Command>();
        watch_network(&tx);
        conn.outbox.set_value(Some(tx));
        leptos::task::spawn_local(async move {
            let mut attempt: u32 = 0;
            'outer: loop {
                if !online() {
                    conn.link.set(LinkState::Offline);
                    // Wait for the network (messages typed meanwhile stay pending).
                    loop {
                        match rx.next().await {
                            Some(Command::Online) => break,
                            Some(Command::Stop) | None => break 'outer,
                            Some(_) => {}
                        }
                    }
                }
                conn.link.set(if attempt == 0 {
                    LinkState::Connecting
                } else {
                    LinkState::Reconnecting { in_seconds: 0 }
                });
                let Some(url) = socket_url(conn.chat_id, conn.last_id()) else {
                    break;
                };
                if let Ok(ws) = WebSocket::open(&url) {
                    let (mut write, mut read) = ws.split();
                    let mut greeted = false;
                    loop {
                        futures::select! {
                            frame = read.next().fuse() => match frame {
                                Some(Ok(Message::Text(text))) => {
                                    let Ok(event) = serde_json::from_str::<ServerEvent>(&text) else { continue };
                                    if !greeted && matches!(event, ServerEvent::Hello { .. }) {
                                        greeted = true;
                                        attempt = 0;
                                        conn.apply(event);
                                        // Resend whatever was not confirmed (stored at most once).
                                        let pending = conn.pending.get_untracked();
                                        for p in pending {
                                            let frame = ClientEvent::Message { body: p.body, client_id: Some(p.client_id), internal: false };
                                            if let Ok(text) = serde_json::to_string(&frame) {
                                                let _ = write.send(Message::Text(text)).await;
                                            }
                                        }
                                        continue;
                                    }
                                    conn.apply(event);
                                }
                                Some(Ok(Message::Bytes(_))) => {}
                                Some(Err(_)) | None => break,
                            },
                            cmd = rx.next() => match cmd {
                                Some(Command::Send(event)) => {
                                    // Pending messages go out on (re)connect; others need a live socket.
                                    if greeted {
                                        if let Ok(text) = serde_json::to_string(&event) {
                                            if write.send(Message::Text(text)).await.is_err() { break }
                                        }
                                    }
                                }
                                Some(Command::Offline) => break,
                                Some(Command::Online) => {}
                                Some(Command::Stop) | None => break 'outer,
                            },
                        }
                    }
                    let _ = write.close().await;
                }
                conn.typing.set(None);
                if !online() {
                    continue;
                }
                attempt += 1;
                let wait = backoff_seconds(attempt);
                for left in (1..=wait).rev() {
                    conn.link.set(LinkState::Reconnecting { in_seconds: left });
                    let tick = gloo_timers::future::TimeoutFuture::new(1_000).fuse();
                    futures::pin_mut!(tick);
                    loop {
                        futures::select! {
                            _ = tick => break,
                            cmd = rx.next() => match cmd {
                                Some(Command::Stop) | None => break 'outer,
                                // Typed while disconnected: it is already in `pending`.
                                Some(_) => {}
                            }
                        }
                    }
                }
            }
        });
    }
}

/// Listens to the agent console's socket for as long as the page lives, reconnecting every
/// few seconds when it drops; each event is handed to `on_event` (the console refreshes).
pub fn console_events(on_event: impl Fn(ConsoleEvent) + 'static) {
    #[cfg(feature = "hydrate")]
    browser::console(on_event);
    #[cfg(not(feature = "hydrate"))]
    let _ = on_event;
}

/// A short two-tone beep (no audio file to download).
pub fn notify_sound() {
    #[cfg(feature = "hydrate")]
    browser::beep();
}

/// "(3) Chat en vivo" in the tab title while something waits; the plain title otherwise.
pub fn set_title_count(count: i64, title: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let base = format!("{title} · Any2cloud Portal");
        doc.set_title(&if count > 0 {
            format!("({count}) {base}")
        } else {
            base
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (count, title);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn msg(id: i64) -> ChatMessage {
        ChatMessage {
            id,
            author: "A".into(),
            role: ChatRole::Agent,
            body: format!("m{id}"),
            sent_at: Utc::now(),
            client_id: None,
            internal: false,
            file: None,
            delivery: None,
        }
    }

    #[test]
    fn merge_keeps_order_and_drops_duplicates() {
        let mut list = vec![msg(1), msg(3)];
        merge(&mut list, msg(2));
        merge(&mut list, msg(3));
        merge(&mut list, msg(4));
        let ids: Vec<i64> = list.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4]);
    }

    #[test]
    fn backoff_grows_and_caps() {
        let waits: Vec<u32> = (1..=8).map(backoff_seconds).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
