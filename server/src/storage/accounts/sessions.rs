//! Sign-in sessions: creating, finding by token, listing and revoking them.

use super::rows::*;
use crate::storage::{found, store_err, with_pool, Db};
use app::accounts::store::{NewSession, SessionRecord, UserRecord};
use app::accounts::{SessionKind, SessionView};
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn create_session(db: &Db, s: NewSession<'_>) -> StoreResult<i64> {
    let sql = "INSERT INTO sessions (user_id, token_hash, kind, user_agent, ip, created_at, last_seen_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(s.user_id)
        .bind(s.token_hash)
        .bind(s.kind.as_str())
        .bind(s.user_agent)
        .bind(s.ip)
        .bind(s.now)
        .bind(s.expires_at)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn session_by_token(
    db: &Db,
    token_hash: &str,
) -> StoreResult<Option<(SessionRecord, UserRecord)>> {
    let sql = "SELECT s.id AS session_id, s.kind, s.created_at, s.last_seen_at, s.expires_at, \
               u.id, u.email, u.name, u.role, u.org_id, o.name AS org_name, o.plan AS org_plan, u.password_hash, u.phone \
               FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organizations o ON o.id = u.org_id \
               WHERE s.token_hash = $1 AND s.revoked_at IS NULL";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, SessionUserRow>(sql)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)
    .map_err(store_err)?;
    let Some(row) = row else { return Ok(None) };
    let user = row.user.into_record()?;
    let session = SessionRecord {
        id: row.session_id,
        user_id: user.id,
        kind: SessionKind::parse(&row.kind),
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        expires_at: row.expires_at,
    };
    Ok(Some((session, user)))
}

pub(super) async fn touch_session(db: &Db, session_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    let sql = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(now)
        .bind(session_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn list_sessions(
    db: &Db,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<SessionView>> {
    let sql = "SELECT id, kind, created_at, last_seen_at, user_agent, ip FROM sessions \
               WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY last_seen_at DESC";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, SessionRow>(sql)
        .bind(user_id)
        .bind(now)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            id: r.id,
            kind: SessionKind::parse(&r.kind),
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            user_agent: r.user_agent,
            client: None,
            ip: r.ip,
            current: false,
        })
        .collect())
}

pub(super) async fn revoke_session(
    db: &Db,
    user_id: i64,
    session_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql =
        "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(now)
        .bind(session_id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)?;
    found(done)
}

pub(super) async fn session_live(
    db: &Db,
    session_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let sql =
        "SELECT COUNT(*) FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(session_id)
        .bind(now)
        .fetch_one(pool)
        .await)
    .map_err(store_err)?;
    Ok(n > 0)
}

pub(super) async fn revoke_other_sessions(
    db: &Db,
    user_id: i64,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let sql = "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(now)
        .bind(user_id)
        .bind(keep.unwrap_or(-1))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)
}
