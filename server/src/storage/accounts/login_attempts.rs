//! The log of login attempts, and the failure counts that throttle sign-in.

use crate::storage::{store_err, with_pool, Db};
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn record_login_attempt(
    db: &Db,
    email: &str,
    ip: Option<&str>,
    success: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO login_attempts (email, ip, success, at) VALUES ($1, $2, $3, $4)";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(email)
        .bind(ip)
        .bind(success)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn failed_for_account(
    db: &Db,
    email: &str,
    since: DateTime<Utc>,
) -> StoreResult<i64> {
    let sql = "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND success = $2 AND at > $3";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(email)
        .bind(false)
        .bind(since)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn failed_attempts(
    db: &Db,
    email: &str,
    ip: Option<&str>,
    since: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    // Per email *from this address*: failures elsewhere never lock the owner out.
    let by_email = "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND success = $2 \
                    AND at > $3 AND (ip = $4 OR ($4 IS NULL AND ip IS NULL))";
    let by_ip = "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = $2 AND at > $3";
    let email_count = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(by_email)
        .bind(email)
        .bind(false)
        .bind(since)
        .bind(ip)
        .fetch_one(pool)
        .await)
    .map_err(store_err)?;
    let ip_count = match ip {
        Some(ip) => with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(by_ip)
            .bind(ip)
            .bind(false)
            .bind(since)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?,
        None => 0,
    };
    Ok((email_count, ip_count))
}
