//! Finding articles: full-text search (FTS5 on SQLite, `tsvector`s on PostgreSQL) and the
//! articles related to one by shared tags and category.

use super::rows::*;
use super::writes::fts_table;
use crate::storage::{store_err, with_pool, Db};
use app::kb::store::{ArticleRecord, Readable, SearchRow};
use app::kb::text::Query;
use app::kb::{ArticleLang, ArticleSummary};
use app::kernel::StoreResult;

pub(super) async fn related(
    db: &Db,
    article: &ArticleRecord,
    readable: &Readable,
    limit: i64,
) -> StoreResult<Vec<ArticleSummary>> {
    // Two points per shared tag, one for the same category; same language only.
    let sql = format!(
        "SELECT {SUMMARY_COLS}, \
         (SELECT COUNT(*) FROM kb_article_tags t1 JOIN kb_article_tags t2 ON t2.tag = t1.tag \
          WHERE t1.article_id = a.id AND t2.article_id = $5) * 2 \
         + CASE WHEN a.category_id = $6 THEN 1 ELSE 0 END AS closeness \
         {FROM_ARTICLES} WHERE {} AND a.id <> $5 AND a.lang = $7 \
         ORDER BY closeness DESC, a.views DESC, a.id LIMIT $8",
        visible(1)
    );
    let [v1, v2, v3] = readable.in_list();
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, RelatedRow>(&sql)
        .bind(readable.now)
        .bind(v1)
        .bind(v2)
        .bind(v3)
        .bind(article.summary.id)
        .bind(article.category_id)
        .bind(article.summary.lang.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    rows.into_iter()
        .filter(|r| r.closeness > 0)
        .map(|r| ArticleSummary::try_from(r.summary))
        .collect()
}

pub(super) async fn search(
    db: &Db,
    query: &Query,
    lang: ArticleLang,
    readable: &Readable,
    limit: i64,
) -> StoreResult<Vec<SearchRow>> {
    let [v1, v2, v3] = readable.in_list();
    let rows = match db {
        Db::Sqlite(pool) => {
            // bm25 is lower-is-better; the title weighs ten times the body. Only the best
            // candidates' rows are read from the articles table.
            let fts = fts_table(lang);
            let sql = format!(
                "SELECT {SUMMARY_COLS}, a.body_text, top.score FROM \
                 (SELECT rowid AS id, -bm25({fts}, 10.0, 1.0) AS score FROM {fts} \
                  WHERE {fts} MATCH $1 AND $2 <> '' AND visible_from <= $3 \
                  AND visibility IN ($4, $5, $6) ORDER BY score DESC LIMIT $7) top \
                 JOIN kb_articles a ON a.id = top.id JOIN kb_categories c ON c.id = a.category_id \
                 ORDER BY top.score DESC, a.id"
            );
            sqlx::query_as::<_, SearchRowDb>(&sql)
                .bind(query.fts5())
                .bind(lang.as_str())
                .bind(readable.now)
                .bind(v1)
                .bind(v2)
                .bind(v3)
                .bind(limit)
                .fetch_all(pool)
                .await
        }
        Db::Postgres(pool) => {
            // Candidates: title matches first, then the most read. Ranking every match
            // with ts_rank would read every matching document's vector; the final ranking
            // happens in the service anyway.
            // The tsquery is a scalar subquery (not joined in) so the planner uses the GIN
            // index, and it is computed once per search: with the configuration chosen in
            // SQL (a text-to-regconfig cast is not constant), or in a generic plan, the
            // title test re-parsed the query for every matching row (10 ms, not 4.7, for a
            // word in a third of 10,000 articles).
            let tsq = "(SELECT to_tsquery('simple', $1))";
            let sql = format!(
                "WITH top AS (SELECT a.id, (a.title_vector @@ {tsq}) AS in_title, a.views FROM kb_articles a \
                  WHERE a.search_vector @@ {tsq} AND a.lang = $2 AND a.lang = '{lang}' AND {} \
                  ORDER BY in_title DESC, a.views DESC, a.id LIMIT $7) \
                 SELECT {SUMMARY_COLS}, a.body_text, (CASE WHEN top.in_title THEN 1.0 ELSE 0.0 END)::float8 AS score \
                 FROM top JOIN kb_articles a ON a.id = top.id JOIN kb_categories c ON c.id = a.category_id \
                 ORDER BY top.in_title DESC, top.views DESC, a.id",
                visible(3)
            );
            // The planner does not price reading toasted tsvectors, so on a small table it
            // prefers a sequential scan that detoasts every article (60 ms at 10,000
            // articles) over the GIN index (1–8 ms). Steer it for this statement only.
            async {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await?;
                let rows = sqlx::query_as::<_, SearchRowDb>(&sql)
                    .bind(query.tsquery())
                    .bind(lang.as_str())
                    .bind(readable.now)
                    .bind(v1)
                    .bind(v2)
                    .bind(v3)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows)
            }
            .await
        }
    }
    .map_err(store_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(SearchRow {
                article: r.summary.try_into()?,
                body_text: r.body_text,
                score: r.score,
            })
        })
        .collect()
}
