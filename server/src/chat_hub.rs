//! Chat fan-out. In one process a broadcast channel per topic does the job (SQLite); with
//! PostgreSQL every signal also goes out as `NOTIFY portal_chat` carrying ids only, and each
//! instance's listener reloads messages from the database (one query for all the
//! notifications it has received) before passing them to its own subscribers, so a message
//! sent to instance A reaches a client connected to instance B.

use app::chat::fanout::{Fanout, Signal, Topic};
use app::chat::store::ChatStore;
use app::chat::ChatMessage;
use app::domain::channel::Delivery;
use app::domain::chat::ChatRole;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

const CHANNEL: &str = "portal_chat";
/// Per-topic buffer; a subscriber that falls further behind reloads from the database.
const TOPIC_CAPACITY: usize = 256;
/// Most notifications the listener handles in one go.
const RECEIVE_BATCH: usize = 256;

/// In-process topics.
#[derive(Default)]
pub struct LocalHub {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Signal>>>,
}

impl LocalHub {
    fn topics(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, broadcast::Sender<Signal>>> {
        // A panic while holding this lock cannot leave the map inconsistent (single inserts
        // and removals), so a poisoned lock is still usable.
        self.topics.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn deliver(&self, signal: Signal) {
        let mut topics = self.topics();
        if matches!(signal, Signal::Resync) {
            topics.retain(|_, tx| tx.send(signal.clone()).is_ok());
            return;
        }
        let topic = signal.topic();
        if let Some(tx) = topics.get(&topic) {
            if tx.send(signal).is_err() {
                // Nobody listens any more.
                topics.remove(&topic);
            }
        }
    }

    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Signal> {
        self.topics()
            .entry(topic)
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }

    /// Open topics (for tests and metrics).
    pub fn topic_count(&self) -> usize {
        self.topics().len()
    }
}

#[async_trait]
impl Fanout for LocalHub {
    async fn publish(&self, signal: Signal) {
        self.deliver(signal);
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Signal> {
        LocalHub::subscribe(self, topic)
    }
}

/// What travels in a NOTIFY payload: ids and small ephemeral facts, never message bodies.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    origin: String,
    #[serde(flatten)]
    kind: WireKind,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
enum WireKind {
    Message {
        chat: i64,
        id: i64,
        internal: bool,
    },
    Typing {
        chat: i64,
        role: ChatRole,
        name: String,
        typing: bool,
    },
    Read {
        chat: i64,
        role: ChatRole,
        id: i64,
    },
    Status {
        chat: i64,
    },
    Delivery {
        chat: i64,
        id: i64,
        delivery: Delivery,
    },
    Console {
        chat: i64,
        new_chat: bool,
        activity: bool,
    },
    Ended {
        user: i64,
        only: Option<i64>,
        except: Option<i64>,
    },
}

impl WireKind {
    fn from_signal(signal: &Signal) -> Option<WireKind> {
        Some(match signal {
            Signal::Message {
                chat_id,
                id,
                internal,
                ..
            } => WireKind::Message {
                chat: *chat_id,
                id: *id,
                internal: *internal,
            },
            Signal::Typing {
                chat_id,
                role,
                name,
                typing,
            } => WireKind::Typing {
                chat: *chat_id,
                role: *role,
                name: name.chars().take(100).collect(),
                typing: *typing,
            },
            Signal::Read { chat_id, role, id } => WireKind::Read {
                chat: *chat_id,
                role: *role,
                id: *id,
            },
            Signal::Status { chat_id } => WireKind::Status { chat: *chat_id },
            Signal::Delivery {
                chat_id,
                id,
                delivery,
            } => WireKind::Delivery {
                chat: *chat_id,
                id: *id,
                delivery: *delivery,
            },
            Signal::Console {
                chat_id,
                new_chat,
                activity,
            } => WireKind::Console {
                chat: *chat_id,
                new_chat: *new_chat,
                activity: *activity,
            },
            Signal::SessionsEnded(e) => WireKind::Ended {
                user: e.user_id,
                only: e.only,
                except: e.except,
            },
            Signal::Resync => return None,
        })
    }
}

/// Fan-out across instances through PostgreSQL.
pub struct PgHub {
    local: Arc<LocalHub>,
    pool: PgPool,
    origin: String,
    /// Encoded notifications not sent yet, in publishing order.
    unsent: Mutex<Vec<String>>,
    /// Held while a NOTIFY statement is on its way: one at a time, so their order holds.
    sending: tokio::sync::Mutex<()>,
}

impl PgHub {
    pub fn new(pool: PgPool) -> Self {
        PgHub {
            local: Arc::new(LocalHub::default()),
            pool,
            origin: uuid::Uuid::new_v4().simple().to_string(),
            unsent: Mutex::new(Vec::new()),
            sending: tokio::sync::Mutex::new(()),
        }
    }

    fn unsent(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // Pushes and takes only: a poisoned lock still holds a consistent list.
        self.unsent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `payloads` and whatever else is waiting, returning once they are out. Group
    /// commit for notifications: PostgreSQL commits notifying transactions one at a time (they
    /// share the database's notification queue lock), so under a burst one statement carries
    /// what every waiting sender queued instead of each paying that serial commit.
    async fn notify(&self, payloads: Vec<String>) {
        self.unsent().extend(payloads);
        let _turn = self.sending.lock().await;
        let batch = std::mem::take(&mut *self.unsent());
        if batch.is_empty() {
            // An earlier sender took ours along.
            return;
        }
        // One statement, one transaction: the batch keeps its order.
        if let Err(e) = sqlx::query("SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p")
            .bind(CHANNEL)
            .bind(batch)
            .execute(&self.pool)
            .await
        {
            // Other instances' clients catch up on their next resync or reconnect.
            tracing::warn!(error = %e, "NOTIFY failed");
        }
    }

    /// Listens for other instances' signals until `stop`; reconnects with backoff and tells
    /// every local subscriber to resync after a gap, since notifications sent while the
    /// listener was down are lost.
    pub async fn listen(
        self: Arc<Self>,
        store: Arc<dyn ChatStore>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(250);
        loop {
            let mut listener = match PgListener::connect_with(&self.pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "chat listener cannot connect; retrying");
                    if sleep_or_stop(&mut stop, backoff).await {
                        return;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "LISTEN failed; retrying");
                if sleep_or_stop(&mut stop, backoff).await {
                    return;
                }
                continue;
            }
            backoff = Duration::from_millis(250);
            self.local.deliver(Signal::Resync);
            loop {
                tokio::select! {
                    _ = stop.changed() => return,
                    received = listener.try_recv() => match received {
                        Ok(Some(first)) => {
                            // Everything already buffered is handled together: the messages
                            // among it are reloaded concurrently, then all delivered in order.
                            let mut payloads = vec![first.payload().to_owned()];
                            while payloads.len() < RECEIVE_BATCH {
                                let Some(next) = listener.next_buffered() else { break };
                                payloads.push(next.payload().to_owned());
                            }
                            self.receive(&payloads, &store).await
                        }
                        Ok(None) => {
                            tracing::warn!("chat listener reconnected; subscribers resync");
                            self.local.deliver(Signal::Resync);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "chat listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
        }
    }

    async fn receive(&self, payloads: &[String], store: &Arc<dyn ChatStore>) {
        let kinds: Vec<WireKind> = payloads.iter().filter_map(|p| self.parse(p)).collect();
        // The messages among them, reloaded with one query, once per instance, then shared by
        // all its subscribers.
        let ids: Vec<(i64, i64)> = kinds
            .iter()
            .filter_map(|kind| match kind {
                WireKind::Message { chat, id, .. } => Some((*chat, *id)),
                _ => None,
            })
            .collect();
        let mut loaded: HashMap<(i64, i64), Arc<ChatMessage>> = HashMap::new();
        if !ids.is_empty() {
            match store.messages_by_id(&ids).await {
                Ok(found) => {
                    for (chat, message) in found {
                        loaded.insert((chat, message.id), Arc::new(message));
                    }
                }
                // Subscribers then catch up from the database themselves.
                Err(e) => tracing::warn!(error = %e, "cannot reload notified chat messages"),
            }
        }
        for kind in kinds {
            self.local.deliver(kind.into_signal(&loaded));
        }
    }

    /// Another instance's signal; `None` for this instance's own and for unreadable ones.
    fn parse(&self, payload: &str) -> Option<WireKind> {
        match serde_json::from_str::<Wire>(payload) {
            Ok(wire) if wire.origin == self.origin => None,
            Ok(wire) => Some(wire.kind),
            Err(e) => {
                tracing::warn!(error = %e, "unreadable chat notification");
                None
            }
        }
    }
}

impl WireKind {
    /// The signal for local subscribers; a message comes from `loaded` (without it,
    /// subscribers load it themselves).
    fn into_signal(self, loaded: &HashMap<(i64, i64), Arc<ChatMessage>>) -> Signal {
        match self {
            WireKind::Message { chat, id, internal } => {
                let message = loaded.get(&(chat, id)).cloned();
                Signal::Message {
                    chat_id: chat,
                    id,
                    internal,
                    message,
                }
            }
            WireKind::Typing {
                chat,
                role,
                name,
                typing,
            } => Signal::Typing {
                chat_id: chat,
                role,
                name,
                typing,
            },
            WireKind::Read { chat, role, id } => Signal::Read {
                chat_id: chat,
                role,
                id,
            },
            WireKind::Status { chat } => Signal::Status { chat_id: chat },
            WireKind::Delivery { chat, id, delivery } => Signal::Delivery {
                chat_id: chat,
                id,
                delivery,
            },
            WireKind::Console {
                chat,
                new_chat,
                activity,
            } => Signal::Console {
                chat_id: chat,
                new_chat,
                activity,
            },
            WireKind::Ended { user, only, except } => {
                Signal::SessionsEnded(app::chat::fanout::SessionsEnded {
                    user_id: user,
                    only,
                    except,
                })
            }
        }
    }
}

/// Sleeps, or returns `true` early when asked to stop.
async fn sleep_or_stop(stop: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        _ = stop.changed() => true,
        _ = tokio::time::sleep(wait) => false,
    }
}

#[async_trait]
impl Fanout for PgHub {
    async fn publish(&self, signal: Signal) {
        self.publish_all(vec![signal]).await;
    }

    async fn publish_all(&self, signals: Vec<Signal>) {
        // This instance's subscribers first: they need not wait for the NOTIFY round trip.
        let mut payloads = Vec::with_capacity(signals.len());
        for signal in signals {
            if let Some(kind) = WireKind::from_signal(&signal) {
                let wire = Wire {
                    origin: self.origin.clone(),
                    kind,
                };
                match serde_json::to_string(&wire) {
                    Ok(payload) => payloads.push(payload),
                    Err(e) => tracing::warn!(error = %e, "cannot encode chat notification"),
                }
            }
            self.local.deliver(signal);
        }
        if !payloads.is_empty() {
            self.notify(payloads).await;
        }
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Signal> {
        self.local.subscribe(topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn delivers_to_the_topic_only() {
        let hub = LocalHub::default();
        let mut a = hub.subscribe(Topic::Chat(1));
        let mut b = hub.subscribe(Topic::Chat(2));
        hub.publish(Signal::Status { chat_id: 1 }).await;
        assert!(matches!(a.try_recv(), Ok(Signal::Status { chat_id: 1 })));
        assert!(b.try_recv().is_err());
        hub.publish(Signal::Resync).await;
        assert!(matches!(a.try_recv(), Ok(Signal::Resync)));
        assert!(matches!(b.try_recv(), Ok(Signal::Resync)));
    }

    #[tokio::test]
    async fn forgets_topics_without_subscribers() {
        let hub = LocalHub::default();
        drop(hub.subscribe(Topic::Chat(7)));
        assert_eq!(hub.topic_count(), 1);
        hub.publish(Signal::Status { chat_id: 7 }).await;
        assert_eq!(hub.topic_count(), 0);
    }

    #[test]
    fn wire_format_carries_ids_not_bodies() {
        let wire = Wire {
            origin: "a".into(),
            kind: WireKind::Message {
                chat: 3,
                id: 9,
                internal: false,
            },
        };
        let text = serde_json::to_string(&wire).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"origin":"a","k":"message","chat":3,"id":9,"internal":false}"#
        );
        let back: Wire = serde_json::from_str(&text).expect("round trip");
        assert!(matches!(
            back.kind,
            WireKind::Message { chat: 3, id: 9, .. }
        ));
    }
}
