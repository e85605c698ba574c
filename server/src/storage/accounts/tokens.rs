//! One-time tokens sent by email (password links), each for one purpose and used once.

use crate::storage::{store_err, with_pool, Db};
use app::accounts::store::TokenPurpose;
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn create_token(
    db: &Db,
    user_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO auth_tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn tokens_created_since(
    db: &Db,
    user_id: i64,
    purpose: TokenPurpose,
    since: DateTime<Utc>,
) -> StoreResult<i64> {
    let sql = "SELECT COUNT(*) FROM auth_tokens WHERE user_id = $1 AND purpose = $2 \
               AND created_at > $3";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(since)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn consume_token(
    db: &Db,
    purpose: TokenPurpose,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let sql = "UPDATE auth_tokens SET used_at = $1 \
               WHERE purpose = $2 AND token_hash = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(now)
        .bind(purpose.as_str())
        .bind(token_hash)
        .fetch_optional(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn spend_tokens(db: &Db, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    let sql = "UPDATE auth_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)
}
