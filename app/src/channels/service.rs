//! Channel use cases: storing what Meta's webhooks bring (once per message id, files fetched
//! and checked like portal uploads), applying delivery reports, and sending agents' replies
//! from their queue with retries and backoff.

use super::store::{ChannelStore, DeliveryChange, Ingested, NewInbound, StoredMedia};
use super::{ChannelEvent, GraphApi, GraphError, InboundMessage};
use crate::chat::fanout::{Fanout, Signal};
use crate::domain::channel::{display_phone, phone_digits, Channel};
use crate::error::ErrorCode;
use crate::files::{check_upload, clean_filename, BlobStore};
use crate::kernel::{Clock, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Attempts before a reply is marked failed (about 2 hours of backoff in all).
pub const MAX_SEND_ATTEMPTS: i64 = 8;

/// Wait before attempt `attempts + 1`: 10 s, 20 s, 40 s … capped at 30 minutes.
pub fn send_retry_delay(attempts: i64) -> Duration {
    Duration::seconds(10i64 << attempts.clamp(0, 10)).min(Duration::minutes(30))
}

/// What one webhook delivery changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Received {
    pub stored: usize,
    pub duplicates: usize,
    pub statuses: usize,
}

#[derive(Clone)]
pub struct Channels {
    store: Arc<dyn ChannelStore>,
    graph: Arc<dyn GraphApi>,
    fanout: Arc<dyn Fanout>,
    blobs: Arc<dyn BlobStore>,
    clock: Clock,
}

/// How agents see a contact before the platform tells us a name.
fn contact_label(channel: Channel, from: &str) -> String {
    match channel {
        Channel::Whatsapp => display_phone(from),
        Channel::Messenger => format!("Messenger {}", tail(from)),
        Channel::Instagram => format!("Instagram {}", tail(from)),
        Channel::Web => from.to_owned(),
    }
}

fn tail(id: &str) -> &str {
    let start = id.char_indices().rev().nth(5).map(|(i, _)| i).unwrap_or(0);
    &id[start..]
}

/// How a platform message id is stored: prefixed with its channel, so ids of different
/// platforms can never collide in the one unique column.
fn platform_key(channel: Channel, id: &str) -> String {
    format!("{}:{id}", channel.as_str())
}

/// An address under the reserved `.invalid` domain: the contact has no email, and mail to it
/// is never attempted, but a ticket made from the conversation still has a requester.
fn contact_email(channel: Channel, from: &str) -> String {
    let local: String = from
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(60)
        .collect();
    format!("{local}@{}.invalid", channel.as_str())
}

impl Channels {
    pub fn new(
        store: Arc<dyn ChannelStore>,
        graph: Arc<dyn GraphApi>,
        fanout: Arc<dyn Fanout>,
        blobs: Arc<dyn BlobStore>,
        clock: Clock,
    ) -> Self {
        Channels {
            clock,
            store,
            graph,
            fanout,
            blobs,
        }
    }

    /// Stores and applies everything in one webhook delivery.
    pub async fn receive(&self, events: Vec<ChannelEvent>) -> Result<Received, StoreError> {
        let mut out = Received::default();
        for event in events {
            match event {
                ChannelEvent::Message(m) => match self.ingest(&m).await? {
                    Ingested::Duplicate => out.duplicates += 1,
                    Ingested::Stored {
                        chat_id,
                        message,
                        new_chat,
                    } => {
                        out.stored += 1;
                        self.fanout
                            .publish(Signal::Message {
                                chat_id,
                                id: message.id,
                                internal: false,
                                message: Some(Arc::new(message)),
                            })
                            .await;
                        self.fanout
                            .publish(Signal::Console {
                                chat_id,
                                new_chat,
                                activity: !new_chat,
                            })
                            .await;
                    }
                },
                ChannelEvent::Status(s) => {
                    out.statuses += 1;
                    let key = platform_key(s.channel, &s.external_id);
                    let change = self
                        .store
                        .apply_status(&key, s.delivery, s.error.as_deref(), self.clock.now())
                        .await?;
                    self.publish_changes(change).await;
                }
                ChannelEvent::Watermark(w) => {
                    out.statuses += 1;
                    let changes = self
                        .store
                        .apply_watermark(w.channel, &w.contact, w.delivery, w.up_to)
                        .await?;
                    self.publish_changes(changes).await;
                }
            }
        }
        Ok(out)
    }

    async fn ingest(&self, m: &InboundMessage) -> Result<Ingested, StoreError> {
        let mut text = m.text.trim().to_owned();
        let mut stored = None;
        if let Some(media) = &m.media {
            match self.fetch_media(m, media).await {
                Ok(file) => stored = Some(file),
                Err(why) => {
                    tracing::warn!(channel = m.channel.as_str(), id = %m.external_id, %why, "inbound file not kept");
                    let note = format!("[Archivo no recibido: {why}]");
                    text = if text.is_empty() {
                        note
                    } else {
                        format!("{text}\n{note}")
                    };
                }
            }
        }
        if let Some((filename, _, _, _)) = &stored {
            if text.is_empty() {
                text = filename.clone();
            }
        }
        // Chat messages have the web chat's length limit.
        let text: String = text.chars().take(4000).collect();
        let name = m
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(100).collect::<String>())
            .unwrap_or_else(|| contact_label(m.channel, &m.from));
        let phone = match m.channel {
            Channel::Whatsapp => phone_digits(&m.from),
            _ => None,
        };
        let external_id = platform_key(m.channel, &m.external_id);
        self.store
            .ingest(NewInbound {
                channel: m.channel,
                account_id: &m.account_id,
                from: &m.from,
                name: &name,
                contact_email: &contact_email(m.channel, &m.from),
                phone_digits: phone.as_deref(),
                external_id: &external_id,
                text: &text,
                media: stored
                    .as_ref()
                    .map(|(filename, content_type, size, key)| StoredMedia {
                        filename,
                        content_type,
                        size: *size,
                        storage_key: key,
                    }),
                sent_at: m.sent_at,
                now: self.clock.now(),
            })
            .await
    }

    /// Downloads an inbound file and keeps it under the portal's upload rules.
    async fn fetch_media(
        &self,
        m: &InboundMessage,
        media: &super::InboundMedia,
    ) -> Result<(String, &'static str, i64, String), String> {
        let (bytes, _) = self
            .graph
            .fetch_media(m.channel, &media.source)
            .await
            .map_err(|e| e.to_string())?;
        let named = media
            .filename
            .as_deref()
            .filter(|n| !clean_filename(n).is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| {
                let ext = media
                    .mime_type
                    .as_deref()
                    .and_then(|t| t.split('/').nth(1))
                    .unwrap_or("bin");
                format!("archivo.{ext}")
            });
        let (filename, content_type) = check_upload(&bytes, &named).map_err(|code| {
            match code {
                ErrorCode::FileEmpty => "vacío",
                ErrorCode::FileTooLarge => "supera el tamaño máximo",
                _ => "tipo de archivo no permitido",
            }
            .to_owned()
        })?;
        let key = format!(
            "channels/{}/{}",
            m.channel.as_str(),
            uuid::Uuid::new_v4().simple()
        );
        self.blobs
            .put(&key, &bytes)
            .await
            .map_err(|e| e.to_string())?;
        Ok((filename, content_type, bytes.len() as i64, key))
    }

    async fn publish_changes(&self, changes: impl IntoIterator<Item = DeliveryChange>) {
        for c in changes {
            self.fanout
                .publish(Signal::Delivery {
                    chat_id: c.chat_id,
                    id: c.seq,
                    delivery: c.delivery,
                })
                .await;
        }
    }

    /// Sends the replies that are due. Returns how many were attempted.
    pub async fn send_due(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due = self.store.due_replies(now, 20).await?;
        let count = due.len();
        for reply in due {
            let change = match self.graph.send_text(&reply).await {
                Ok(id) => {
                    let key = platform_key(reply.channel, &id);
                    self.store
                        .reply_sent(reply.outbox_id, &key, self.clock.now())
                        .await?
                }
                Err(GraphError::Refused(why)) => {
                    tracing::warn!(chat = reply.chat_id, %why, "reply refused by the platform");
                    self.store
                        .reply_failed(reply.outbox_id, &why, None, self.clock.now())
                        .await?
                }
                Err(GraphError::Unavailable(why)) => {
                    let attempts = reply.attempts + 1;
                    let retry_at = (attempts < MAX_SEND_ATTEMPTS)
                        .then(|| self.clock.now() + send_retry_delay(attempts - 1));
                    tracing::warn!(chat = reply.chat_id, attempts, %why, "reply not sent yet");
                    self.store
                        .reply_failed(reply.outbox_id, &why, retry_at, self.clock.now())
                        .await?
                }
            };
            self.publish_changes(change).await;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_cap() {
        let waits: Vec<i64> = (0..9).map(|a| send_retry_delay(a).num_seconds()).collect();
        assert_eq!(waits, vec![10, 20, 40, 80, 160, 320, 640, 1280, 1800]);
    }

    #[test]
    fn contacts_without_email_get_a_reserved_address_and_a_readable_label() {
        assert_eq!(
            contact_email(Channel::Whatsapp, "50688887777"),
            "50688887777@whatsapp.invalid"
        );
        assert_eq!(
            contact_label(Channel::Whatsapp, "50688887777"),
            "+506 8888 7777"
        );
        assert_eq!(
            contact_label(Channel::Messenger, "1234567890"),
            "Messenger 567890"
        );
        assert_eq!(contact_label(Channel::Instagram, "12"), "Instagram 12");
    }
}
