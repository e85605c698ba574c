//! What readers tell about articles: helpful votes and comments, the per-article statistics,
//! and suggested articles opened while writing a ticket (deflection).

use super::rows::*;
use crate::storage::{store_err, with_pool, Db};
use app::kb::store::{ArticleStats, DeflectionTotals};
use app::kb::FeedbackComment;
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn add_feedback(
    db: &Db,
    article_id: i64,
    visitor: &str,
    helpful: bool,
    comment: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO kb_feedback (article_id, visitor_key, helpful, comment, client_ip, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(article_id)
        .bind(visitor)
        .bind(helpful)
        .bind(comment)
        .bind(client)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn feedback_from_client(
    db: &Db,
    client: &str,
    article_id: Option<i64>,
    since: DateTime<Utc>,
) -> StoreResult<i64> {
    let sql = "SELECT COUNT(*) FROM kb_feedback WHERE client_ip = $1 AND created_at > $2 \
               AND (article_id = $3 OR $3 = 0)";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(client)
        .bind(since)
        .bind(article_id.unwrap_or(0))
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn feedback_of(
    db: &Db,
    article_id: i64,
    visitor: &str,
) -> StoreResult<Option<bool>> {
    let sql = "SELECT helpful FROM kb_feedback WHERE article_id = $1 AND visitor_key = $2";
    with_pool!(db, |pool| sqlx::query_scalar::<_, bool>(sql)
        .bind(article_id)
        .bind(visitor)
        .fetch_optional(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn stats(db: &Db) -> StoreResult<Vec<(i64, ArticleStats)>> {
    let sql = "SELECT a.id, \
         (SELECT COUNT(*) FROM kb_feedback f WHERE f.article_id = a.id AND f.helpful = TRUE) AS helpful, \
         (SELECT COUNT(*) FROM kb_feedback f WHERE f.article_id = a.id AND f.helpful = FALSE) AS not_helpful, \
         (SELECT COUNT(DISTINCT s.draft_key) FROM kb_suggestion_opens s \
          WHERE s.article_id = a.id AND s.ticket_id IS NULL) AS deflections \
         FROM kb_articles a";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, StatsRow>(sql)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                ArticleStats {
                    helpful: r.helpful,
                    not_helpful: r.not_helpful,
                    deflections: r.deflections,
                },
            )
        })
        .collect())
}

pub(super) async fn recent_comments(db: &Db, limit: i64) -> StoreResult<Vec<FeedbackComment>> {
    let sql = "SELECT f.article_id, a.title AS article_title, f.helpful, f.comment, f.created_at \
               FROM kb_feedback f JOIN kb_articles a ON a.id = f.article_id \
               WHERE f.comment <> '' ORDER BY f.created_at DESC, f.id DESC LIMIT $1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, CommentRow>(sql)
        .bind(limit)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|r| FeedbackComment {
            article_id: r.article_id,
            article_title: r.article_title,
            helpful: r.helpful,
            comment: r.comment,
            created_at: r.created_at,
        })
        .collect())
}

pub(super) async fn record_suggestion_open(
    db: &Db,
    draft_key: &str,
    user_id: i64,
    article_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO kb_suggestion_opens (draft_key, user_id, article_id, opened_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT (draft_key, article_id) DO NOTHING";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(draft_key)
        .bind(user_id)
        .bind(article_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn attach_ticket_to_draft(
    db: &Db,
    draft_key: &str,
    user_id: i64,
    ticket_id: i64,
) -> StoreResult<()> {
    let sql = "UPDATE kb_suggestion_opens SET ticket_id = $3 WHERE draft_key = $1 AND user_id = $2";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(draft_key)
        .bind(user_id)
        .bind(ticket_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn deflection_totals(db: &Db) -> StoreResult<DeflectionTotals> {
    let sql = "SELECT \
         (SELECT COUNT(DISTINCT draft_key) FROM kb_suggestion_opens WHERE ticket_id IS NULL), \
         (SELECT COUNT(DISTINCT draft_key) FROM kb_suggestion_opens WHERE ticket_id IS NOT NULL)";
    let (abandoned, ticket_anyway): (i64, i64) =
        with_pool!(db, |pool| sqlx::query_as(sql).fetch_one(pool).await).map_err(store_err)?;
    Ok(DeflectionTotals {
        abandoned,
        ticket_anyway,
    })
}
