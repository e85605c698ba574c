//! Confirmed email addresses of people without an account, and what passes to them (tickets,
//! chat transcripts) once they confirm or sign up.

use crate::storage::{store_err, with_pool, Db};
use app::domain::Role;
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn create_contact_confirmation(
    db: &Db,
    email: &str,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<i64> {
    let sql =
        "INSERT INTO contact_confirmations (email, name, token_hash, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(email)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn contact_confirmations_since(
    db: &Db,
    email: &str,
    since: DateTime<Utc>,
) -> StoreResult<i64> {
    let sql = "SELECT COUNT(*) FROM contact_confirmations WHERE email = $1 AND created_at > $2";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(email)
        .bind(since)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn contact_confirmed(db: &Db, email: &str) -> StoreResult<bool> {
    let sql =
        "SELECT COUNT(*) FROM contact_confirmations WHERE email = $1 AND confirmed_at IS NOT NULL";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(email)
        .fetch_one(pool)
        .await)
    .map_err(store_err)?;
    Ok(n > 0)
}

pub(super) async fn confirm_contact(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(i64, String, String)>> {
    let sql = "UPDATE contact_confirmations SET confirmed_at = $1 \
               WHERE token_hash = $2 AND confirmed_at IS NULL AND expires_at > $1 \
               RETURNING id, email, name";
    with_pool!(db, |pool| sqlx::query_as::<_, (i64, String, String)>(sql)
        .bind(now)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn set_ticket_contact(
    db: &Db,
    ticket_id: i64,
    confirmation_id: i64,
) -> StoreResult<()> {
    let sql = "UPDATE tickets SET contact_confirmation_id = $1 WHERE id = $2";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(confirmation_id)
        .bind(ticket_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn set_transcript_contact(
    db: &Db,
    chat_id: i64,
    confirmation_id: i64,
) -> StoreResult<()> {
    let sql = "UPDATE chats SET transcript_confirmation_id = $1 WHERE id = $2";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(confirmation_id)
        .bind(chat_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn assign_contact_tickets(
    db: &Db,
    email: &str,
    org_id: i64,
    requester_id: i64,
) -> StoreResult<u64> {
    let sql = "UPDATE tickets SET org_id = $1, requester_id = $2, contact_confirmation_id = NULL \
               WHERE contact_confirmation_id IN (SELECT id FROM contact_confirmations WHERE email = $3)";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(org_id)
        .bind(requester_id)
        .bind(email)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)
}

pub(super) async fn take_transcripts_awaiting(db: &Db, email: &str) -> StoreResult<Vec<i64>> {
    let waiting = "SELECT id FROM chats WHERE transcript_confirmation_id IN \
                   (SELECT id FROM contact_confirmations WHERE email = $1) ORDER BY id";
    let clear =
        "UPDATE chats SET transcript_confirmation_id = NULL WHERE transcript_confirmation_id IN \
                 (SELECT id FROM contact_confirmations WHERE email = $1)";
    with_pool!(db, |pool| async {
        let mut tx = pool.begin().await?;
        let ids = sqlx::query_scalar::<_, i64>(waiting)
            .bind(email)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(clear).bind(email).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(ids)
    }
    .await)
    .map_err(store_err)
}

pub(super) async fn take_over_contact(
    db: &Db,
    user_id: i64,
    name: &str,
    role: Role,
    org_id: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let tickets = "UPDATE tickets SET org_id = $1 WHERE requester_id = $2 AND $1 IS NOT NULL \
                   AND org_id = (SELECT org_id FROM users WHERE id = $2)";
    let user =
        "UPDATE users SET name = $1, role = $2, org_id = $3, updated_at = $4, join_org_id = NULL \
                WHERE id = $5";
    with_pool!(db, |pool| async {
        let mut tx = pool.begin().await?;
        sqlx::query(tickets)
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(user)
            .bind(name)
            .bind(role.as_str())
            .bind(org_id)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
    .await)
    .map_err(store_err)
}
