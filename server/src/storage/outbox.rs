//! `OutboxStore` for SQLite and PostgreSQL: the mail queue every capability writes to and the
//! mailer drains.

use super::{store_err, with_pool, Db};
use app::accounts::{MailStatus, OutboxMail};
use app::kernel::{NewMail, OutboxStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct MailRow {
    id: i64,
    to_addr: String,
    subject: String,
    body: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<MailRow> for OutboxMail {
    fn from(r: MailRow) -> Self {
        OutboxMail {
            id: r.id,
            to: r.to_addr,
            subject: r.subject,
            body: r.body,
            status: MailStatus::parse(&r.status),
            attempts: i64::from(r.attempts),
            last_error: r.last_error,
            created_at: r.created_at,
        }
    }
}

const MAIL_SELECT: &str =
    "SELECT id, to_addr, subject, body, status, attempts, last_error, created_at FROM outbox";

#[async_trait]
impl OutboxStore for Db {
    async fn enqueue(&self, mail: NewMail<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO outbox (to_addr, subject, body, status, attempts, next_attempt_at, created_at, updated_at) \
                   VALUES ($1, $2, $3, 'pending', 0, $4, $4, $4) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(mail.to)
            .bind(mail.subject)
            .bind(mail.body)
            .bind(mail.now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn list(&self, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!("{MAIL_SELECT} ORDER BY id DESC LIMIT $1");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, MailRow>(&sql)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn due(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!(
            "{MAIL_SELECT} WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, MailRow>(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn replace_body(&self, id: i64, body: &str) -> StoreResult<()> {
        let sql = "UPDATE outbox SET body = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(body)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn mark(
        &self,
        id: i64,
        status: MailStatus,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE outbox SET status = $1, last_error = $2, attempts = attempts + 1, \
                   next_attempt_at = $3, updated_at = $4 WHERE id = $5";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(status.as_str())
            .bind(error)
            .bind(retry_at.unwrap_or(now))
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn mark_bounced(
        &self,
        id: i64,
        recipient: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE outbox SET status = 'failed', last_error = $1, updated_at = $2 \
                   WHERE id = $3 AND status = 'sent' AND LOWER(to_addr) = LOWER($4)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(recipient)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() > 0))
        .map_err(store_err)
    }
}
