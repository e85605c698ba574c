//! `ChatStore` for SQLite and PostgreSQL.

mod batch;
mod canned;
mod files;
mod presence;

use super::{found, store_err, with_pool, Db};
use app::chat::store::{
    AgentRow, ChatScope, ChatStore, NewChat, NewChatFile, NewChatMessage, StoredChat,
};
use app::chat::{CannedResponse, ChatFile, ChatMessage, ChatView};
use app::domain::channel::{display_phone, window_closes_at, Channel, Delivery};
use app::domain::chat::{ChatRole, ChatStatus, Presence};
use app::domain::SupportPlan;
use app::kernel::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

#[derive(sqlx::FromRow)]
struct ChatRow {
    id: i64,
    customer_id: Option<i64>,
    org_id: Option<i64>,
    org_name: Option<String>,
    plan: Option<String>,
    visitor_name: String,
    visitor_email: String,
    status: String,
    agent_id: Option<i64>,
    agent_name: Option<String>,
    ticket_id: Option<i64>,
    last_seq: i64,
    customer_read_seq: i64,
    agent_read_seq: i64,
    rating: Option<i64>,
    transcript_sent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    channel: String,
    contact_external: Option<String>,
    contact_inbound_at: Option<DateTime<Utc>>,
}

impl ChatRow {
    fn into_stored(self) -> StoreResult<StoredChat> {
        let status = self
            .status
            .parse::<ChatStatus>()
            .map_err(|_| bad("chat status", &self.status))?;
        let plan = match &self.plan {
            Some(p) => Some(p.parse::<SupportPlan>().map_err(|_| bad("plan", p))?),
            None => None,
        };
        let channel = self
            .channel
            .parse::<Channel>()
            .map_err(|_| bad("channel", &self.channel))?;
        let contact = self.contact_external.map(|id| match channel {
            Channel::Whatsapp => display_phone(&id),
            _ => id,
        });
        Ok(StoredChat {
            customer_id: self.customer_id,
            org_id: self.org_id,
            view: ChatView {
                id: self.id,
                status,
                visitor_name: self.visitor_name,
                visitor_email: self.visitor_email,
                org_name: self.org_name,
                plan,
                agent_id: self.agent_id,
                agent_name: self.agent_name,
                ticket_id: self.ticket_id,
                created_at: self.created_at,
                accepted_at: self.accepted_at,
                closed_at: self.closed_at,
                last_id: self.last_seq,
                customer_read: self.customer_read_seq,
                agent_read: self.agent_read_seq,
                rating: self.rating,
                transcript_sent: self.transcript_sent_at.is_some(),
                channel,
                contact,
                window_closes_at: self.contact_inbound_at.map(window_closes_at),
            },
        })
    }
}

const CHAT_SELECT: &str = "SELECT c.id, c.customer_id, c.org_id, o.name AS org_name, o.plan, c.visitor_name, \
     c.visitor_email, c.status, c.agent_id, a.name AS agent_name, c.ticket_id, c.last_seq, c.customer_read_seq, \
     c.agent_read_seq, c.rating, c.transcript_sent_at, c.created_at, c.accepted_at, c.closed_at, c.channel, \
     ct.external_id AS contact_external, ct.last_inbound_at AS contact_inbound_at \
     FROM chats c LEFT JOIN organizations o ON o.id = c.org_id LEFT JOIN users a ON a.id = c.agent_id \
     LEFT JOIN channel_contacts ct ON ct.id = c.contact_id";

#[derive(sqlx::FromRow)]
pub(super) struct MessageRow {
    seq: i64,
    author_name: String,
    role: String,
    body: String,
    internal: bool,
    client_id: Option<String>,
    sent_at: DateTime<Utc>,
    file_id: Option<i64>,
    filename: Option<String>,
    content_type: Option<String>,
    size: Option<i64>,
    delivery: Option<String>,
}

impl MessageRow {
    pub(super) fn into_message(self) -> StoreResult<ChatMessage> {
        let role = self
            .role
            .parse::<ChatRole>()
            .map_err(|_| bad("chat role", &self.role))?;
        let file = match (self.file_id, self.filename, self.content_type, self.size) {
            (Some(id), Some(filename), Some(content_type), Some(size)) => Some(ChatFile {
                id,
                filename,
                content_type,
                size,
            }),
            _ => None,
        };
        let delivery = match &self.delivery {
            Some(d) => Some(d.parse::<Delivery>().map_err(|_| bad("delivery", d))?),
            None => None,
        };
        Ok(ChatMessage {
            id: self.seq,
            author: self.author_name,
            role,
            body: self.body,
            sent_at: self.sent_at,
            client_id: self.client_id,
            internal: self.internal,
            file,
            delivery,
        })
    }
}

pub(super) const MESSAGE_SELECT: &str =
    "SELECT m.seq, m.author_name, m.role, m.body, m.internal, m.client_id, m.sent_at, \
     f.id AS file_id, f.filename, f.content_type, f.size, m.delivery \
     FROM chat_messages m LEFT JOIN chat_attachments f ON f.id = m.attachment_id";

/// The chat store: queries straight to the database, new messages through the group-commit
/// writer ([`batch`]).
#[derive(Clone)]
pub struct ChatDb {
    db: Db,
    writer: batch::MessageWriter,
}

impl ChatDb {
    /// Starts the message writer task, so it must be called inside the Tokio runtime.
    pub fn new(db: Db) -> Self {
        ChatDb {
            writer: batch::MessageWriter::start(db.clone()),
            db,
        }
    }
}

#[async_trait]
impl ChatStore for ChatDb {
    async fn create_chat(&self, c: NewChat<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO chats (customer_id, org_id, visitor_name, visitor_email, token_hash, status, \
                   created_at, updated_at, client_ip) VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $6, $7) RETURNING id";
        with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(c.customer_id)
            .bind(c.org_id)
            .bind(c.visitor_name)
            .bind(c.visitor_email)
            .bind(c.token_hash)
            .bind(c.now)
            .bind(c.client_ip)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn anonymous_chats_since(
        &self,
        client_ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql =
            "SELECT COUNT(*) FROM chats WHERE customer_id IS NULL AND token_hash IS NOT NULL \
                   AND created_at > $1 AND ($2 = '' OR client_ip = $2)";
        with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(since)
            .bind(client_ip.unwrap_or_default())
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn get_chat(&self, id: i64) -> StoreResult<Option<StoredChat>> {
        let sql = format!("{CHAT_SELECT} WHERE c.id = $1");
        let row = with_pool!(&self.db, |pool| sqlx::query_as::<_, ChatRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(ChatRow::into_stored).transpose()
    }

    async fn chat_by_token(&self, token_hash: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM chats WHERE token_hash = $1";
        with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn latest_chat_of(&self, customer_id: i64) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM chats WHERE customer_id = $1 AND status <> 'closed' AND channel = 'web' ORDER BY id DESC LIMIT 1";
        with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(customer_id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn list_chats(&self, scope: ChatScope) -> StoreResult<Vec<StoredChat>> {
        let (filter, agent) = match scope {
            ChatScope::Waiting => ("c.status = 'waiting' AND $1 = 0", 0),
            ChatScope::Agent(id) => ("c.status = 'active' AND c.agent_id = $1", id),
        };
        let sql = format!("{CHAT_SELECT} WHERE {filter} ORDER BY c.created_at, c.id LIMIT 200");
        let rows = with_pool!(&self.db, |pool| sqlx::query_as::<_, ChatRow>(&sql)
            .bind(agent)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(ChatRow::into_stored).collect()
    }

    async fn add_message(&self, m: NewChatMessage<'_>) -> StoreResult<(ChatMessage, bool)> {
        let (row, new) = self.writer.add(&m).await.map_err(store_err)?;
        Ok((row.into_message()?, new))
    }

    async fn messages_after(
        &self,
        chat_id: i64,
        after: i64,
        include_internal: bool,
        limit: i64,
    ) -> StoreResult<Vec<ChatMessage>> {
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq > $2 AND ($3 = TRUE OR m.internal = FALSE) \
             ORDER BY m.seq LIMIT $4"
        );
        let rows = with_pool!(&self.db, |pool| sqlx::query_as::<_, MessageRow>(&sql)
            .bind(chat_id)
            .bind(after)
            .bind(include_internal)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(MessageRow::into_message).collect()
    }

    async fn message(&self, chat_id: i64, id: i64) -> StoreResult<Option<ChatMessage>> {
        let sql = format!("{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq = $2");
        let row = with_pool!(&self.db, |pool| sqlx::query_as::<_, MessageRow>(&sql)
            .bind(chat_id)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(MessageRow::into_message).transpose()
    }

    async fn messages_by_id(&self, ids: &[(i64, i64)]) -> StoreResult<Vec<(i64, ChatMessage)>> {
        let Db::Postgres(pool) = &self.db else {
            // SQLite serves a single instance, whose hub never reloads.
            return app::chat::store::messages_one_by_one(self, ids).await;
        };
        #[derive(sqlx::FromRow)]
        struct Keyed {
            chat_id: i64,
            #[sqlx(flatten)]
            row: MessageRow,
        }
        let sql = format!(
            "{} WHERE (m.chat_id, m.seq) IN (SELECT * FROM UNNEST($1::int8[], $2::int8[]))",
            MESSAGE_SELECT.replacen("SELECT ", "SELECT m.chat_id, ", 1)
        );
        let (chats, seqs): (Vec<i64>, Vec<i64>) = ids.iter().copied().unzip();
        let rows = sqlx::query_as::<_, Keyed>(&sql)
            .bind(chats)
            .bind(seqs)
            .fetch_all(pool)
            .await
            .map_err(store_err)?;
        rows.into_iter()
            .map(|k| Ok((k.chat_id, k.row.into_message()?)))
            .collect()
    }

    async fn mark_read(&self, chat_id: i64, role: ChatRole, id: i64) -> StoreResult<()> {
        let sql = match role {
            ChatRole::Customer => {
                "UPDATE chats SET customer_read_seq = CASE WHEN $2 > customer_read_seq \
                 AND $2 <= last_seq THEN $2 ELSE customer_read_seq END WHERE id = $1"
            }
            ChatRole::Agent => {
                "UPDATE chats SET agent_read_seq = CASE WHEN $2 > agent_read_seq \
                 AND $2 <= last_seq THEN $2 ELSE agent_read_seq END WHERE id = $1"
            }
            ChatRole::System => return Ok(()),
        };
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(rows)
    }

    async fn offer(&self, chat_id: i64, agent_id: i64) -> StoreResult<bool> {
        let sql = "UPDATE chats SET agent_id = $2 WHERE id = $1 AND status = 'waiting' AND agent_id IS NULL";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(agent_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn accept(
        &self,
        chat_id: i64,
        agent_id: i64,
        max_chats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // The limit is checked in the same statement that takes the chat, so two accepts racing
        // for an agent's last free slot cannot both succeed.
        let sql = "UPDATE chats SET status = 'active', agent_id = $2, accepted_at = $4, updated_at = $4 \
                   WHERE id = $1 AND status = 'waiting' \
                   AND (SELECT COUNT(*) FROM chats x WHERE x.agent_id = $2 AND x.status = 'active') < $3";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(agent_id)
            .bind(max_chats)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn transfer(
        &self,
        chat_id: i64,
        to_agent: i64,
        max_chats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE chats SET status = 'active', agent_id = $2, accepted_at = COALESCE(accepted_at, $4), \
                   updated_at = $4, agent_read_seq = 0 WHERE id = $1 AND status <> 'closed' \
                   AND (SELECT COUNT(*) FROM chats x WHERE x.agent_id = $2 AND x.status = 'active') < $3";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(to_agent)
            .bind(max_chats)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn close(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE chats SET status = 'closed', closed_at = $2, updated_at = $2 \
                   WHERE id = $1 AND status <> 'closed'";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn link_ticket(&self, chat_id: i64, ticket_id: i64) -> StoreResult<bool> {
        let sql = "UPDATE chats SET ticket_id = $2 WHERE id = $1 AND ticket_id IS NULL";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(ticket_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn rate(&self, chat_id: i64, rating: i64, comment: &str) -> StoreResult<bool> {
        let sql =
            "UPDATE chats SET rating = $2, rating_comment = $3 WHERE id = $1 AND rating IS NULL";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(rating)
            .bind(comment)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn claim_transcript(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql =
            "UPDATE chats SET transcript_sent_at = $2 WHERE id = $1 AND transcript_sent_at IS NULL";
        let rows = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(rows == 1)
    }

    async fn add_file(&self, f: NewChatFile<'_>) -> StoreResult<i64> {
        files::add_file(&self.db, f).await
    }

    async fn file(&self, id: i64) -> StoreResult<Option<(ChatFile, i64, String)>> {
        files::file(&self.db, id).await
    }

    async fn agents(&self) -> StoreResult<Vec<(i64, AgentRow)>> {
        presence::agents(&self.db).await
    }

    async fn set_presence(
        &self,
        agent_id: i64,
        presence: Presence,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        presence::set_presence(&self.db, agent_id, presence, now).await
    }

    async fn touch_presence(&self, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        presence::touch_presence(&self.db, agent_id, now).await
    }

    async fn mark_assigned(&self, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        presence::mark_assigned(&self.db, agent_id, now).await
    }

    async fn canned(&self) -> StoreResult<Vec<CannedResponse>> {
        canned::canned(&self.db).await
    }

    async fn save_canned(
        &self,
        id: Option<i64>,
        shortcut: &str,
        title: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        canned::save_canned(&self.db, id, shortcut, title, body, now).await
    }

    async fn delete_canned(&self, id: i64) -> StoreResult<()> {
        canned::delete_canned(&self.db, id).await
    }
}
