//! `ChannelStore` for SQLite and PostgreSQL: WhatsApp / Messenger / Instagram conversations
//! stored as chats, inbound messages kept once per platform id, replies queued for sending.

use super::chat::{MessageRow, MESSAGE_SELECT};
use super::{store_err, with_pool, Db};
use app::channels::store::{ChannelStore, DeliveryChange, Ingested, NewInbound};
use app::channels::OutboundReply;
use app::domain::channel::{Channel, Delivery};
use app::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// How long a claimed reply stays with the instance sending it before another may retry.
const SEND_LEASE_SECONDS: i64 = 120;

const UPSERT_CONTACT: &str = "INSERT INTO channel_contacts \
     (channel, external_id, account_id, name, user_id, org_id, last_inbound_at, created_at) \
     VALUES ($1, $2, $3, $4, \
       (SELECT id FROM users WHERE phone = $5 AND role = 'customer' ORDER BY id LIMIT 1), \
       (SELECT org_id FROM users WHERE phone = $5 AND role = 'customer' ORDER BY id LIMIT 1), $6, $7) \
     ON CONFLICT (channel, external_id) DO UPDATE SET account_id = excluded.account_id, \
       name = excluded.name, \
       user_id = COALESCE(channel_contacts.user_id, excluded.user_id), \
       org_id = COALESCE(channel_contacts.org_id, excluded.org_id), \
       last_inbound_at = CASE WHEN excluded.last_inbound_at > channel_contacts.last_inbound_at \
         THEN excluded.last_inbound_at ELSE channel_contacts.last_inbound_at END \
     RETURNING id, user_id, org_id";

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: i64,
    user_id: Option<i64>,
    org_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ReplyRow {
    id: i64,
    chat_id: i64,
    seq: i64,
    attempts: i64,
    channel: String,
    account_id: String,
    to_id: String,
    body: String,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    chat_id: i64,
    seq: i64,
    delivery: Option<String>,
}

/// The state a report moves a reply to, if it moves it at all.
fn advanced(row: &DeliveryRow, report: Delivery) -> Option<Delivery> {
    let current = row.delivery.as_deref()?.parse::<Delivery>().ok()?;
    Delivery::advance(Some(current), report)
}

impl Db {
    /// Moves one reply's delivery state if it is still `from`; `None` if someone else moved it.
    async fn set_delivery(
        &self,
        row: &DeliveryRow,
        to: Delivery,
    ) -> StoreResult<Option<DeliveryChange>> {
        let sql = "UPDATE chat_messages SET delivery = $1 WHERE chat_id = $2 AND seq = $3 AND delivery = $4";
        let from = row.delivery.as_deref().unwrap_or_default();
        let n = with_pool!(self, |pool| sqlx::query(sql)
            .bind(to.as_str())
            .bind(row.chat_id)
            .bind(row.seq)
            .bind(from)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok((n == 1).then_some(DeliveryChange {
            chat_id: row.chat_id,
            seq: row.seq,
            delivery: to,
        }))
    }
}

#[async_trait]
impl ChannelStore for Db {
    async fn ingest(&self, m: NewInbound<'_>) -> StoreResult<Ingested> {
        let seen = "SELECT COUNT(*) FROM chat_messages WHERE external_id = $1";
        let user = "SELECT name, email FROM users WHERE id = $1";
        let open_chat = "SELECT id FROM chats WHERE contact_id = $1 AND status <> 'closed' ORDER BY id DESC LIMIT 1";
        let new_chat = "INSERT INTO chats (customer_id, org_id, visitor_name, visitor_email, status, channel, \
                        contact_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $7) RETURNING id";
        let file = "INSERT INTO chat_attachments (chat_id, filename, content_type, size, storage_key, created_at) \
                    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        let next = "UPDATE chats SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 RETURNING last_seq";
        let insert = "INSERT INTO chat_messages (chat_id, seq, author_id, author_name, role, body, internal, \
                      attachment_id, sent_at, external_id) VALUES ($1, $2, $3, $4, 'customer', $5, FALSE, $6, $7, $8)";
        let stored = format!("{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq = $2");
        let opened = m.sent_at.min(m.now);
        let result = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            // A write first: the transaction holds the write lock (SQLite) / the contact's row
            // (PostgreSQL) from here, so two deliveries of one contact go one after the other.
            let contact = sqlx::query_as::<_, ContactRow>(UPSERT_CONTACT)
                .bind(m.channel.as_str())
                .bind(m.from)
                .bind(m.account_id)
                .bind(m.name)
                .bind(m.phone_digits)
                .bind(opened)
                .bind(m.now)
                .fetch_one(&mut *tx)
                .await?;
            let count = sqlx::query_scalar::<_, i64>(seen)
                .bind(m.external_id)
                .fetch_one(&mut *tx)
                .await?;
            if count > 0 {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(None);
            }
            let (name, email) = match contact.user_id {
                Some(id) => {
                    sqlx::query_as::<_, (String, String)>(user)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?
                }
                None => (m.name.to_owned(), m.contact_email.to_owned()),
            };
            let existing = sqlx::query_scalar::<_, i64>(open_chat)
                .bind(contact.id)
                .fetch_optional(&mut *tx)
                .await?;
            let (chat_id, is_new) = match existing {
                Some(id) => (id, false),
                None => {
                    let id = sqlx::query_scalar::<_, i64>(new_chat)
                        .bind(contact.user_id)
                        .bind(contact.org_id)
                        .bind(&name)
                        .bind(&email)
                        .bind(m.channel.as_str())
                        .bind(contact.id)
                        .bind(m.now)
                        .fetch_one(&mut *tx)
                        .await?;
                    (id, true)
                }
            };
            let attachment = match &m.media {
                Some(f) => Some(
                    sqlx::query_scalar::<_, i64>(file)
                        .bind(chat_id)
                        .bind(f.filename)
                        .bind(f.content_type)
                        .bind(f.size)
                        .bind(f.storage_key)
                        .bind(m.now)
                        .fetch_one(&mut *tx)
                        .await?,
                ),
                None => None,
            };
            let seq = sqlx::query_scalar::<_, i64>(next)
                .bind(chat_id)
                .bind(m.now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(insert)
                .bind(chat_id)
                .bind(seq)
                .bind(contact.user_id)
                .bind(&name)
                .bind(m.text)
                .bind(attachment)
                .bind(opened)
                .bind(m.external_id)
                .execute(&mut *tx)
                .await?;
            let row = sqlx::query_as::<_, MessageRow>(&stored)
                .bind(chat_id)
                .bind(seq)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some((chat_id, row, is_new)))
        }
        .await);
        match result {
            Ok(Some((chat_id, row, new_chat))) => Ok(Ingested::Stored {
                chat_id,
                message: row.into_message()?,
                new_chat,
            }),
            Ok(None) => Ok(Ingested::Duplicate),
            // The same delivery raced itself: the other one stored it.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Ingested::Duplicate),
            Err(e) => Err(store_err(e)),
        }
    }

    async fn apply_status(
        &self,
        external_id: &str,
        delivery: Delivery,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>> {
        let sql = "SELECT chat_id, seq, delivery FROM chat_messages WHERE external_id = $1";
        let row = with_pool!(self, |pool| sqlx::query_as::<_, DeliveryRow>(sql)
            .bind(external_id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        let Some(row) = row else { return Ok(None) };
        let Some(to) = advanced(&row, delivery) else {
            return Ok(None);
        };
        if let (Delivery::Failed, Some(error)) = (to, error) {
            let note =
                "UPDATE channel_outbox SET status = 'failed', last_error = $1, updated_at = $2 \
                        WHERE chat_id = $3 AND seq = $4";
            with_pool!(self, |pool| sqlx::query(note)
                .bind(error)
                .bind(now)
                .bind(row.chat_id)
                .bind(row.seq)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(store_err)?;
        }
        self.set_delivery(&row, to).await
    }

    async fn apply_watermark(
        &self,
        channel: Channel,
        contact: &str,
        delivery: Delivery,
        up_to: DateTime<Utc>,
    ) -> StoreResult<Vec<DeliveryChange>> {
        let sql = "SELECT m.chat_id, m.seq, m.delivery FROM chat_messages m \
                   JOIN chats c ON c.id = m.chat_id JOIN channel_contacts ct ON ct.id = c.contact_id \
                   WHERE ct.channel = $1 AND ct.external_id = $2 AND m.delivery IN ('sent', 'delivered') \
                   AND m.sent_at <= $3 ORDER BY m.chat_id, m.seq LIMIT 500";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, DeliveryRow>(sql)
            .bind(channel.as_str())
            .bind(contact)
            .bind(up_to)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        let mut changes = Vec::new();
        for row in rows {
            if let Some(to) = advanced(&row, delivery) {
                changes.extend(self.set_delivery(&row, to).await?);
            }
        }
        Ok(changes)
    }

    async fn due_replies(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboundReply>> {
        let sql = "SELECT o.id, o.chat_id, o.seq, o.attempts, c.channel, ct.account_id, ct.external_id AS to_id, m.body \
                   FROM channel_outbox o JOIN chats c ON c.id = o.chat_id \
                   JOIN channel_contacts ct ON ct.id = c.contact_id \
                   JOIN chat_messages m ON m.chat_id = o.chat_id AND m.seq = o.seq \
                   WHERE o.status = 'pending' AND o.next_attempt_at <= $1 ORDER BY o.id LIMIT $2";
        // Each reply is claimed before it is returned, so two instances never send it twice.
        let claim = "UPDATE channel_outbox SET next_attempt_at = $1, updated_at = $2 \
                     WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $2";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, ReplyRow>(sql)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        let lease = now + Duration::seconds(SEND_LEASE_SECONDS);
        let mut out = Vec::new();
        for r in rows {
            let claimed = with_pool!(self, |pool| sqlx::query(claim)
                .bind(lease)
                .bind(now)
                .bind(r.id)
                .execute(pool)
                .await
                .map(|x| x.rows_affected()))
            .map_err(store_err)?;
            let Ok(channel) = r.channel.parse::<Channel>() else {
                continue;
            };
            if claimed == 1 {
                out.push(OutboundReply {
                    outbox_id: r.id,
                    chat_id: r.chat_id,
                    seq: r.seq,
                    channel,
                    account_id: r.account_id,
                    to: r.to_id,
                    text: r.body,
                    attempts: r.attempts,
                });
            }
        }
        Ok(out)
    }

    async fn reply_sent(
        &self,
        outbox_id: i64,
        external_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>> {
        let done = "UPDATE channel_outbox SET status = 'sent', attempts = attempts + 1, last_error = NULL, \
                    updated_at = $1 WHERE id = $2 AND status = 'pending' RETURNING chat_id, seq";
        let mark = "UPDATE chat_messages SET external_id = $1, \
                    delivery = CASE WHEN delivery = 'queued' THEN 'sent' ELSE delivery END \
                    WHERE chat_id = $2 AND seq = $3";
        let sent = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, (i64, i64)>(done)
                .bind(now)
                .bind(outbox_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((chat_id, seq)) = row {
                sqlx::query(mark)
                    .bind(external_id)
                    .bind(chat_id)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(row)
        }
        .await)
        .map_err(store_err)?;
        Ok(sent.map(|(chat_id, seq)| DeliveryChange {
            chat_id,
            seq,
            delivery: Delivery::Sent,
        }))
    }

    async fn reply_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DeliveryChange>> {
        let error: String = error.chars().take(500).collect();
        if let Some(at) = retry_at {
            let sql = "UPDATE channel_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
                       updated_at = $3 WHERE id = $4 AND status = 'pending'";
            with_pool!(self, |pool| sqlx::query(sql)
                .bind(&error)
                .bind(at)
                .bind(now)
                .bind(outbox_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(store_err)?;
            return Ok(None);
        }
        let give_up = "UPDATE channel_outbox SET status = 'failed', attempts = attempts + 1, last_error = $1, \
                       updated_at = $2 WHERE id = $3 AND status = 'pending' RETURNING chat_id, seq";
        let mark = "UPDATE chat_messages SET delivery = 'failed' WHERE chat_id = $1 AND seq = $2 AND delivery = 'queued'";
        let failed = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, (i64, i64)>(give_up)
                .bind(&error)
                .bind(now)
                .bind(outbox_id)
                .fetch_optional(&mut *tx)
                .await?;
            let mut changed = 0;
            if let Some((chat_id, seq)) = row {
                changed = sqlx::query(mark)
                    .bind(chat_id)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(row.filter(|_| changed == 1))
        }
        .await)
        .map_err(store_err)?;
        Ok(failed.map(|(chat_id, seq)| DeliveryChange {
            chat_id,
            seq,
            delivery: Delivery::Failed,
        }))
    }
}
