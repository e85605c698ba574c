//! Writing chat messages. On SQLite, group commit: one writer task per process stores them,
//! and whatever arrives while a transaction is being written goes into the next one, so a
//! burst of messages costs one fsync (`synchronous=FULL`) instead of one each. Within a shared
//! transaction a message that cannot be stored (an unknown chat) fails alone. Nobody waits
//! for a batch to fill: a message that reaches an idle writer is written at once. On
//! PostgreSQL each message is its own transaction, usually a single statement.
//!
//! Either way a message is acknowledged (and broadcast) only after the transaction holding it
//! has committed.

use super::{MessageRow, MESSAGE_SELECT};
use crate::storage::{with_pool, Db};
use app::chat::store::NewChatMessage;
use app::domain::channel::Delivery;
use app::domain::chat::ChatRole;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::error::ErrorKind;
use tokio::sync::{mpsc, oneshot};

/// Most messages written in one transaction; more wait for the next one.
const MAX_BATCH: usize = 128;
/// Messages queued for the writer before senders wait (backpressure).
const QUEUE: usize = 4096;

type Stored = Result<(MessageRow, bool), sqlx::Error>;

/// A message waiting for the writer (owned copy of [`NewChatMessage`]).
pub(super) struct Pending {
    chat_id: i64,
    author_id: Option<i64>,
    author_name: String,
    role: ChatRole,
    body: String,
    internal: bool,
    client_id: Option<String>,
    attachment_id: Option<i64>,
    now: DateTime<Utc>,
    outbound: bool,
}

impl From<&NewChatMessage<'_>> for Pending {
    fn from(m: &NewChatMessage<'_>) -> Self {
        Pending {
            chat_id: m.chat_id,
            author_id: m.author_id,
            author_name: m.author_name.to_owned(),
            role: m.role,
            body: m.body.to_owned(),
            internal: m.internal,
            client_id: m.client_id.map(str::to_owned),
            attachment_id: m.attachment_id,
            // What the database keeps (microseconds), so the acknowledgement equals a reload.
            now: m.now.trunc_subsecs(6),
            outbound: m.outbound,
        }
    }
}

/// How messages reach the database; cheap to clone.
#[derive(Clone)]
pub(super) enum MessageWriter {
    /// SQLite: one writer task per process (group commit). It ends when the last handle is
    /// dropped.
    Grouped(mpsc::Sender<(Pending, oneshot::Sender<Stored>)>),
    /// PostgreSQL: each message in a transaction of its own on the pool. The server already
    /// flushes the WAL once for commits that wait together, and concurrent transactions keep
    /// its round trips in parallel, where one writer would queue them.
    Direct(Db),
}

impl MessageWriter {
    /// Starts the writer task (SQLite) on the current Tokio runtime.
    pub(super) fn start(db: Db) -> Self {
        if matches!(db, Db::Postgres(_)) {
            return MessageWriter::Direct(db);
        }
        let (queue, mut incoming) = mpsc::channel(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while incoming.recv_many(&mut batch, MAX_BATCH).await > 0 {
                write(&db, std::mem::take(&mut batch)).await;
            }
        });
        MessageWriter::Grouped(queue)
    }

    /// Stores a message with the next id of its conversation (see
    /// [`app::chat::store::ChatStore::add_message`]); returns once it is committed.
    pub(super) async fn add(&self, message: &NewChatMessage<'_>) -> Stored {
        match self {
            MessageWriter::Direct(db) => {
                let message = Pending::from(message);
                if let Db::Postgres(pool) = db {
                    if let Some(row) = store_in_one_statement(pool, &message).await? {
                        return Ok((row, true));
                    }
                }
                // A resend, an unknown chat, an attachment or a channel reply: the general way.
                store_alone(db, &message).await
            }
            MessageWriter::Grouped(queue) => {
                let (reply, answer) = oneshot::channel();
                queue
                    .send((Pending::from(message), reply))
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?;
                answer.await.map_err(|_| sqlx::Error::PoolClosed)?
            }
        }
    }
}

/// Writes one batch (SQLite) and answers every sender.
async fn write(db: &Db, mut batch: Vec<(Pending, oneshot::Sender<Stored>)>) {
    let pool = match db {
        Db::Sqlite(pool) if batch.len() > 1 => pool,
        _ => {
            for (message, reply) in batch {
                // The sender may have gone (connection closed); the message is stored anyway.
                let _ = reply.send(store_alone(db, &message).await);
            }
            return;
        }
    };
    // Grouped by chat (SQLite's page cache gets neighbouring rows); the sort is stable, so a
    // chat's own messages keep their order. One writer holds the lock: no deadlock to avoid.
    batch.sort_by_key(|(m, _)| m.chat_id);
    let (messages, replies): (Vec<Pending>, Vec<_>) = batch.into_iter().unzip();
    match commit_batch(pool, &messages).await {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            // The transaction itself failed (the disk, say): nothing of it was stored. Each
            // message alone, so one cause fails once.
            tracing::warn!(error = %e, size = messages.len(), "chat batch failed; writing one by one");
            for (message, reply) in messages.iter().zip(replies) {
                let _ = reply.send(store_alone(db, message).await);
            }
        }
    }
}

/// The row as stored, built from what was written when nothing else is needed (no
/// attachment to join), else read back.
macro_rules! stored_row {
    ($conn:expr, $m:expr, $seq:expr) => {
        async {
            let m: &Pending = $m;
            let seq: i64 = $seq;
            match m.attachment_id {
                None => Ok::<_, sqlx::Error>(m.row(seq)),
                Some(_) => {
                    sqlx::query_as::<_, MessageRow>(&format!(
                        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq = $2"
                    ))
                    .bind(m.chat_id)
                    .bind(seq)
                    .fetch_one(&mut *$conn)
                    .await
                }
            }
        }
        .await
    };
}

/// Binds a message's columns as `$1`…`$10`: chat, author id, author name, role, body,
/// internal, client id, attachment, time, delivery (every insert of a message takes them in
/// this order).
macro_rules! bind_message {
    ($query:expr, $m:expr) => {
        $query
            .bind($m.chat_id)
            .bind($m.author_id)
            .bind(&$m.author_name)
            .bind($m.role.as_str())
            .bind(&$m.body)
            .bind($m.internal)
            .bind(&$m.client_id)
            .bind($m.attachment_id)
            .bind($m.now)
            .bind($m.delivery())
    };
}

const EXISTING: &str = "WHERE m.chat_id = $1 AND m.client_id = $2";
const QUEUE_REPLY: &str =
    "INSERT INTO channel_outbox (chat_id, seq, next_attempt_at, created_at, updated_at) \
                           VALUES ($1, $2, $3, $3, $3)";

impl Pending {
    fn delivery(&self) -> Option<&'static str> {
        self.outbound.then_some(Delivery::Queued.as_str())
    }

    /// The row as stored under `seq`, for a message without attachment.
    fn row(&self, seq: i64) -> MessageRow {
        MessageRow {
            seq,
            author_name: self.author_name.clone(),
            role: self.role.as_str().to_owned(),
            body: self.body.clone(),
            internal: self.internal,
            client_id: self.client_id.clone(),
            sent_at: self.now,
            file_id: None,
            filename: None,
            content_type: None,
            size: None,
            delivery: self.delivery().map(str::to_owned),
        }
    }
}

/// PostgreSQL, the common case: a new message without attachment that stays in the portal,
/// stored by one statement (one round trip instead of five; a single statement is atomic).
/// `None` when the message must go the general way: a resend of its client id, an unknown
/// chat, an attachment or a channel reply.
async fn store_in_one_statement(
    pool: &sqlx::PgPool,
    m: &Pending,
) -> Result<Option<MessageRow>, sqlx::Error> {
    if m.attachment_id.is_some() || m.outbound {
        return Ok(None);
    }
    // The counter's row lock orders concurrent messages of a chat. A resend racing its first
    // send cannot see it in `prior` (same snapshot) and fails on the unique client id; the
    // caller then answers with the stored message, as `store_alone` does.
    let sql = "WITH prior AS (SELECT 1 FROM chat_messages WHERE chat_id = $1 AND client_id = $7), \
               next AS (UPDATE chats SET last_seq = last_seq + 1, updated_at = $9 \
                        WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM prior) RETURNING last_seq) \
               INSERT INTO chat_messages (chat_id, seq, author_id, author_name, role, body, internal, \
                                          client_id, attachment_id, sent_at, delivery) \
               SELECT $1, last_seq, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM next RETURNING seq";
    let seq = bind_message!(sqlx::query_scalar::<_, i64>(sql), m)
        .fetch_optional(pool)
        .await;
    let seq = match seq {
        Ok(seq) => seq,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(seq.map(|seq| m.row(seq)))
}

/// One message in a transaction of its own, on either database.
async fn store_alone(db: &Db, m: &Pending) -> Stored {
    // The counter update comes first so the transaction holds the write lock from its first
    // statement (SQLite) / locks the chat row (PostgreSQL): ids are handed out one at a time.
    let next = "UPDATE chats SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 RETURNING last_seq";
    let existing = format!("{MESSAGE_SELECT} {EXISTING}");
    let insert = "INSERT INTO chat_messages (chat_id, seq, author_id, author_name, role, body, internal, \
                  client_id, attachment_id, sent_at, delivery) VALUES ($1, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let result = with_pool!(db, |pool| async {
        let mut tx = pool.begin().await?;
        let seq = sqlx::query_scalar::<_, i64>(next)
            .bind(m.chat_id)
            .bind(m.now)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(client_id) = &m.client_id {
            let found = sqlx::query_as::<_, MessageRow>(&existing)
                .bind(m.chat_id)
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = found {
                // A resend: nothing new, and the counter update is undone.
                tx.rollback().await?;
                return Ok((row, false));
            }
        }
        bind_message!(sqlx::query(insert), m)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        if m.outbound {
            // Queued with the message: a reply is never stored without being sent.
            sqlx::query(QUEUE_REPLY)
                .bind(m.chat_id)
                .bind(seq)
                .bind(m.now)
                .execute(&mut *tx)
                .await?;
        }
        let row = stored_row!(tx, m, seq)?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>((row, true))
    }
    .await);
    match result {
        // Two sends of one client id raced: the other one won, return what it stored.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            with_pool!(db, |pool| sqlx::query_as::<_, MessageRow>(&existing)
                .bind(m.chat_id)
                .bind(m.client_id.as_deref().unwrap_or_default())
                .fetch_one(pool)
                .await)
            .map(|row| (row, false))
        }
        other => other,
    }
}

/// Several messages in one SQLite transaction. `BEGIN IMMEDIATE` takes the write lock up
/// front, so each message can be checked before anything of it is written: a resend or a
/// message that cannot be stored leaves nothing behind and gets its own result, and no
/// savepoints are needed. `Err` only when the transaction as a whole failed.
async fn commit_batch(
    pool: &sqlx::SqlitePool,
    messages: &[Pending],
) -> Result<Vec<Stored>, sqlx::Error> {
    let existing = format!("{MESSAGE_SELECT} {EXISTING}");
    // The next id comes from the counter in the same statement; the counter follows.
    let insert = "INSERT INTO chat_messages (chat_id, seq, author_id, author_name, role, body, internal, \
                  client_id, attachment_id, sent_at, delivery) \
                  SELECT $1, last_seq + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM chats WHERE id = $1 \
                  RETURNING seq";
    let count = "UPDATE chats SET last_seq = $2, updated_at = $3 WHERE id = $1";
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(messages.len());
    for m in messages {
        if let Some(client_id) = &m.client_id {
            let found = sqlx::query_as::<_, MessageRow>(&existing)
                .bind(m.chat_id)
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = found {
                results.push(Ok((row, false)));
                continue;
            }
        }
        let inserted = bind_message!(sqlx::query_scalar::<_, i64>(insert), m)
            .fetch_optional(&mut *tx)
            .await;
        // Until here nothing of this message is written: an unknown chat inserts nothing, and
        // a statement that breaks a constraint undoes itself. Any other error (the disk, say)
        // may have ended the transaction, so it fails the batch.
        let seq = match inserted {
            Ok(Some(seq)) => seq,
            Ok(None) => {
                results.push(Err(sqlx::Error::RowNotFound));
                continue;
            }
            Err(sqlx::Error::Database(e)) if e.kind() != ErrorKind::Other => {
                results.push(Err(sqlx::Error::Database(e)));
                continue;
            }
            Err(e) => return Err(e),
        };
        // Half written from here: a failure fails the batch, which is then retried one by one.
        sqlx::query(count)
            .bind(m.chat_id)
            .bind(seq)
            .bind(m.now)
            .execute(&mut *tx)
            .await?;
        if m.outbound {
            sqlx::query(QUEUE_REPLY)
                .bind(m.chat_id)
                .bind(seq)
                .bind(m.now)
                .execute(&mut *tx)
                .await?;
        }
        let row = stored_row!(tx, m, seq)?;
        results.push(Ok((row, true)));
    }
    tx.commit().await?;
    Ok(results)
}
