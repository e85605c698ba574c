//! `MailThreadStore` for SQLite and PostgreSQL: inbound message ids, each handled once, and the
//! ticket each belongs to.

use super::{store_err, with_pool, Db};
use app::channels::email::MailThreadStore;
use app::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl MailThreadStore for Db {
    async fn claim_message(&self, message_id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "INSERT INTO mail_messages (message_id, received_at) VALUES ($1, $2) \
                   ON CONFLICT (message_id) DO NOTHING";
        let n = with_pool!(self, |pool| sqlx::query(sql)
            .bind(message_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(n == 1)
    }

    async fn release_message(&self, message_id: &str) -> StoreResult<()> {
        let sql = "DELETE FROM mail_messages WHERE message_id = $1 AND ticket_id IS NULL";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(message_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn link_message(&self, message_id: &str, ticket_id: i64) -> StoreResult<()> {
        let sql = "UPDATE mail_messages SET ticket_id = $1 WHERE message_id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(ticket_id)
            .bind(message_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn ticket_of_messages(&self, message_ids: &[String]) -> StoreResult<Option<i64>> {
        let sql =
            "SELECT ticket_id FROM mail_messages WHERE message_id = $1 AND ticket_id IS NOT NULL";
        for id in message_ids.iter().take(50) {
            let found = with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
                .bind(id)
                .fetch_optional(pool)
                .await)
            .map_err(store_err)?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}
