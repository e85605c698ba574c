//! Canned responses: the agents' saved replies, by shortcut.

use crate::storage::{found, store_err, with_pool, Db};
use app::chat::CannedResponse;
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct CannedRow {
    id: i64,
    shortcut: String,
    title: String,
    body: String,
}

pub(super) async fn canned(db: &Db) -> StoreResult<Vec<CannedResponse>> {
    let sql = "SELECT id, shortcut, title, body FROM canned_responses ORDER BY shortcut";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, CannedRow>(sql)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|r| CannedResponse {
            id: r.id,
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
        })
        .collect())
}

pub(super) async fn save_canned(
    db: &Db,
    id: Option<i64>,
    shortcut: &str,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    match id {
        Some(id) => {
            let sql = "UPDATE canned_responses SET shortcut = $2, title = $3, body = $4, updated_at = $5 WHERE id = $1";
            let rows = with_pool!(db, |pool| sqlx::query(sql)
                .bind(id)
                .bind(shortcut)
                .bind(title)
                .bind(body)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(store_err)?;
            found(rows).map(|()| id)
        }
        None => {
            let sql = "INSERT INTO canned_responses (shortcut, title, body, updated_at) VALUES ($1, $2, $3, $4) RETURNING id";
            with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
                .bind(shortcut)
                .bind(title)
                .bind(body)
                .bind(now)
                .fetch_one(pool)
                .await)
            .map_err(store_err)
        }
    }
}

pub(super) async fn delete_canned(db: &Db, id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM canned_responses WHERE id = $1";
    let rows = with_pool!(db, |pool| sqlx::query(sql)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)?;
    found(rows)
}
