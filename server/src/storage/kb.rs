//! `KbStore` for SQLite (FTS5 over pre-stemmed text) and PostgreSQL (`tsvector`s of the same
//! pre-stemmed text, `simple` configuration). Every write runs in one transaction that also
//! keeps tags, revisions, old slugs, the search index and the cache generation right.

use super::{found, store_err, with_pool, Db};
use app::kb::store::{
    ArticleRecord, ArticleStats, ArticleWrite, DeflectionTotals, ImageRecord, KbStore, ListOrder,
    NewImage, Readable, RevisionRecord, SearchRow,
};
use app::kb::text::{self, Query};
use app::kb::{ArticleLang, ArticleSummary, Category, FeedbackComment, RevisionInfo, Visibility};
use app::kernel::{Conflict, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod feedback;
mod rows;
mod search;
mod writes;
use rows::*;
use writes::*;

#[async_trait]
impl KbStore for Db {
    async fn categories(&self, readable: &Readable) -> StoreResult<Vec<Category>> {
        let sql = format!(
            "SELECT c.id, c.slug, c.name_es, c.name_en, c.position, \
             (SELECT COUNT(*) FROM kb_articles a WHERE a.category_id = c.id AND {}) AS article_count \
             FROM kb_categories c ORDER BY c.position, c.id",
            visible(1)
        );
        let [v1, v2, v3] = readable.in_list();
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, CategoryRow>(&sql)
            .bind(readable.now)
            .bind(v1)
            .bind(v2)
            .bind(v3)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Category::from).collect())
    }

    async fn all_categories(&self) -> StoreResult<Vec<Category>> {
        let sql = "SELECT c.id, c.slug, c.name_es, c.name_en, c.position, \
             (SELECT COUNT(*) FROM kb_articles a WHERE a.category_id = c.id) AS article_count \
             FROM kb_categories c ORDER BY c.position, c.id";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, CategoryRow>(sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Category::from).collect())
    }

    async fn create_category(
        &self,
        slug: &str,
        name_es: &str,
        name_en: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO kb_categories (slug, name_es, name_en, position, created_at) \
                   VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM kb_categories), $4) RETURNING id";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar::<_, i64>(sql)
                .bind(slug)
                .bind(name_es)
                .bind(name_en)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(BUMP_GENERATION).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn rename_category(&self, id: i64, name_es: &str, name_en: &str) -> StoreResult<()> {
        let sql = "UPDATE kb_categories SET name_es = $2, name_en = $3 WHERE id = $1";
        let rows = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(sql)
                .bind(id)
                .bind(name_es)
                .bind(name_en)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(BUMP_GENERATION).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await)
        .map_err(store_err)?;
        found(rows)
    }

    async fn move_category(&self, id: i64, up: bool) -> StoreResult<()> {
        let mut order: Vec<i64> = self.all_categories().await?.iter().map(|c| c.id).collect();
        let at = order
            .iter()
            .position(|c| *c == id)
            .ok_or(StoreError::NotFound)?;
        let other = if up { at.checked_sub(1) } else { Some(at + 1) };
        match other {
            Some(o) if o < order.len() => order.swap(at, o),
            _ => return Ok(()),
        }
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            for (position, cid) in order.iter().enumerate() {
                sqlx::query("UPDATE kb_categories SET position = $1 WHERE id = $2")
                    .bind(position as i64 + 1)
                    .bind(cid)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(BUMP_GENERATION).execute(&mut *tx).await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn list(
        &self,
        readable: &Readable,
        category_id: Option<i64>,
        prefer: Option<ArticleLang>,
        order: ListOrder,
        limit: i64,
    ) -> StoreResult<Vec<ArticleSummary>> {
        let order_by = match order {
            ListOrder::MostRead => "a.views DESC, a.updated_at DESC, a.id",
            ListOrder::Recent => "a.updated_at DESC, a.id DESC",
            ListOrder::Title => "a.title, a.id",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLS} {FROM_ARTICLES} WHERE {} AND ($5 IS NULL OR a.category_id = $5) \
             ORDER BY CASE WHEN a.lang = $7 THEN 0 ELSE 1 END, {order_by} LIMIT $6",
            visible(1)
        );
        let [v1, v2, v3] = readable.in_list();
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, SummaryRow>(&sql)
            .bind(readable.now)
            .bind(v1)
            .bind(v2)
            .bind(v3)
            .bind(category_id)
            .bind(limit)
            .bind(prefer.map(|l| l.as_str()).unwrap_or(""))
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        summaries(rows)
    }

    async fn article_by_slug(&self, slug: &str) -> StoreResult<Option<ArticleRecord>> {
        let sql = format!("{} WHERE a.slug = $1", record_select());
        let row = with_pool!(self, |pool| sqlx::query_as::<_, RecordRow>(&sql)
            .bind(slug)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(ArticleRecord::try_from).transpose()
    }

    async fn article_by_id(&self, id: i64) -> StoreResult<Option<ArticleRecord>> {
        let sql = format!("{} WHERE a.id = $1", record_select());
        let row = with_pool!(self, |pool| sqlx::query_as::<_, RecordRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(ArticleRecord::try_from).transpose()
    }

    async fn redirect(&self, old_slug: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT article_id FROM kb_slug_redirects WHERE old_slug = $1";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(old_slug)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn related(
        &self,
        article: &ArticleRecord,
        readable: &Readable,
        limit: i64,
    ) -> StoreResult<Vec<ArticleSummary>> {
        search::related(self, article, readable, limit).await
    }

    async fn search(
        &self,
        query: &Query,
        lang: ArticleLang,
        readable: &Readable,
        limit: i64,
    ) -> StoreResult<Vec<SearchRow>> {
        search::search(self, query, lang, readable, limit).await
    }

    async fn add_views(&self, counts: &[(i64, i64)]) -> StoreResult<()> {
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            for (id, n) in counts {
                sqlx::query("UPDATE kb_articles SET views = views + $2 WHERE id = $1")
                    .bind(id)
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn search_rules_version(&self) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT version FROM kb_search_rules WHERE id = 1"
        )
        .fetch_one(pool)
        .await)
        .map_err(store_err)
    }

    async fn reindex_search(&self, version: i64) -> StoreResult<usize> {
        type Row = (i64, String, String, String, String, String);
        let select =
            "SELECT id, lang, title, summary, tags, body_text FROM kb_articles ORDER BY id";
        let rows: Vec<Row> = with_pool!(self, |pool| sqlx::query_as(select).fetch_all(pool).await)
            .map_err(store_err)?;
        let indexed: Vec<(i64, ArticleLang, String, String)> = rows
            .into_iter()
            .filter_map(|(id, lang, title, summary, tags, body)| {
                let lang: ArticleLang = lang.parse().ok()?;
                Some((
                    id,
                    lang,
                    text::index_text(&title, lang),
                    text::index_text(&writes::search_text(&summary, &tags, &body), lang),
                ))
            })
            .collect();
        let n = indexed.len();
        let mark = "UPDATE kb_search_rules SET version = $1 WHERE id = 1";
        // SQLite rewrites its FTS5 rows (one table per language), PostgreSQL the vectors.
        let statement = |lang: ArticleLang| match self {
            Db::Sqlite(_) => writes::sqlite_reindex(lang),
            Db::Postgres(_) => writes::PG_INDEX.to_owned(),
        };
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            for (id, lang, title, body) in &indexed {
                sqlx::query(&statement(*lang))
                    .bind(id)
                    .bind(title)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(mark).bind(version).execute(&mut *tx).await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)?;
        Ok(n)
    }

    async fn generation(&self) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT value FROM kb_generation WHERE id = 1"
        )
        .fetch_one(pool)
        .await)
        .map_err(store_err)
    }

    async fn create_article(&self, w: &ArticleWrite) -> StoreResult<i64> {
        let insert = "INSERT INTO kb_articles (slug, category_id, lang, title, summary, body_md, body_text, tags, \
             status, visibility, publish_at, translation_id, revision, views, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, 0, $13, $14, $13, $14) RETURNING id";
        let tags = w.tags.join(", ");
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar::<_, i64>(insert)
                .bind(&w.slug)
                .bind(w.category_id)
                .bind(w.lang.as_str())
                .bind(&w.title)
                .bind(&w.summary)
                .bind(&w.body_md)
                .bind(&w.body_text)
                .bind(&tags)
                .bind(w.status.as_str())
                .bind(w.visibility.as_str())
                .bind(w.publish_at)
                .bind(w.translation_id)
                .bind(w.author_id)
                .bind(w.now)
                .fetch_one(&mut *tx)
                .await?;
            tx.record(id, 1, w).await?;
            if let Some(partner) = w.translation_id {
                sqlx::query("UPDATE kb_articles SET translation_id = $1 WHERE id = $2")
                    .bind(id)
                    .bind(partner)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.index(id, w).await?;
            sqlx::query(BUMP_GENERATION).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn update_article(
        &self,
        id: i64,
        base_revision: i64,
        w: &ArticleWrite,
    ) -> StoreResult<i64> {
        let update = "UPDATE kb_articles SET slug = $3, category_id = $4, lang = $5, title = $6, summary = $7, \
             body_md = $8, body_text = $9, tags = $10, status = $11, visibility = $12, publish_at = $13, \
             translation_id = $14, revision = revision + 1, updated_by = $15, updated_at = $16 \
             WHERE id = $1 AND revision = $2 RETURNING revision";
        let tags = w.tags.join(", ");
        let outcome = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let old: Option<(String, Option<i64>)> =
                sqlx::query_as("SELECT slug, translation_id FROM kb_articles WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((old_slug, old_partner)) = old else {
                return Ok(Err(StoreError::NotFound));
            };
            let revision = sqlx::query_scalar::<_, i64>(update)
                .bind(id)
                .bind(base_revision)
                .bind(&w.slug)
                .bind(w.category_id)
                .bind(w.lang.as_str())
                .bind(&w.title)
                .bind(&w.summary)
                .bind(&w.body_md)
                .bind(&w.body_text)
                .bind(&tags)
                .bind(w.status.as_str())
                .bind(w.visibility.as_str())
                .bind(w.publish_at)
                .bind(w.translation_id)
                .bind(w.author_id)
                .bind(w.now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(revision) = revision else {
                return Ok(Err(StoreError::Conflict(Conflict::Revision)));
            };
            if old_slug != w.slug {
                sqlx::query(
                    "INSERT INTO kb_slug_redirects (old_slug, article_id) VALUES ($1, $2) \
                     ON CONFLICT (old_slug) DO UPDATE SET article_id = EXCLUDED.article_id",
                )
                .bind(&old_slug)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM kb_slug_redirects WHERE old_slug = $1")
                    .bind(&w.slug)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.record(id, revision, w).await?;
            if old_partner != w.translation_id {
                if let Some(old) = old_partner {
                    sqlx::query(
                        "UPDATE kb_articles SET translation_id = NULL WHERE id = $1 AND translation_id = $2",
                    )
                    .bind(old)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(partner) = w.translation_id {
                    sqlx::query("UPDATE kb_articles SET translation_id = $1 WHERE id = $2")
                        .bind(id)
                        .bind(partner)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.index(id, w).await?;
            sqlx::query(BUMP_GENERATION).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(revision))
        }
        .await)
        .map_err(store_err)?;
        outcome
    }

    async fn slug_in_use(&self, slug: &str, except_article: Option<i64>) -> StoreResult<bool> {
        let sql = "SELECT (EXISTS (SELECT 1 FROM kb_articles WHERE slug = $1 AND id <> $2) \
                   OR EXISTS (SELECT 1 FROM kb_slug_redirects WHERE old_slug = $1 AND article_id <> $2))";
        with_pool!(self, |pool| sqlx::query_scalar::<_, bool>(sql)
            .bind(slug)
            .bind(except_article.unwrap_or(-1))
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn editor_list(&self) -> StoreResult<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLS} {FROM_ARTICLES} ORDER BY a.updated_at DESC, a.id DESC LIMIT 5000"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, SummaryRow>(&sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        summaries(rows)
    }

    async fn revisions(&self, article_id: i64) -> StoreResult<Vec<RevisionInfo>> {
        let sql = format!("{REVISION_SELECT} WHERE r.article_id = $1 ORDER BY r.number DESC");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, RevisionRow>(&sql)
            .bind(article_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.iter().map(RevisionRow::info).collect()
    }

    async fn revision(&self, article_id: i64, number: i64) -> StoreResult<Option<RevisionRecord>> {
        let sql = format!("{REVISION_SELECT} WHERE r.article_id = $1 AND r.number = $2");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, RevisionRow>(&sql)
            .bind(article_id)
            .bind(number)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(|r| {
            Ok(RevisionRecord {
                info: r.info()?,
                visibility: r
                    .visibility
                    .parse::<Visibility>()
                    .map_err(|_| bad("visibility", &r.visibility))?,
                summary: r.summary,
                body_md: r.body_md,
                tags: r.tags,
                category_id: r.category_id,
            })
        })
        .transpose()
    }

    async fn add_feedback(
        &self,
        article_id: i64,
        visitor: &str,
        helpful: bool,
        comment: &str,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        feedback::add_feedback(self, article_id, visitor, helpful, comment, client, now).await
    }

    async fn feedback_from_client(
        &self,
        client: &str,
        article_id: Option<i64>,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        feedback::feedback_from_client(self, client, article_id, since).await
    }

    async fn feedback_of(&self, article_id: i64, visitor: &str) -> StoreResult<Option<bool>> {
        feedback::feedback_of(self, article_id, visitor).await
    }

    async fn stats(&self) -> StoreResult<Vec<(i64, ArticleStats)>> {
        feedback::stats(self).await
    }

    async fn recent_comments(&self, limit: i64) -> StoreResult<Vec<FeedbackComment>> {
        feedback::recent_comments(self, limit).await
    }

    async fn record_suggestion_open(
        &self,
        draft_key: &str,
        user_id: i64,
        article_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        feedback::record_suggestion_open(self, draft_key, user_id, article_id, now).await
    }

    async fn attach_ticket_to_draft(
        &self,
        draft_key: &str,
        user_id: i64,
        ticket_id: i64,
    ) -> StoreResult<()> {
        feedback::attach_ticket_to_draft(self, draft_key, user_id, ticket_id).await
    }

    async fn deflection_totals(&self) -> StoreResult<DeflectionTotals> {
        feedback::deflection_totals(self).await
    }

    async fn add_image(&self, image: NewImage<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO kb_images (filename, content_type, size, storage_key, uploaded_by, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(image.filename)
            .bind(image.content_type)
            .bind(image.size)
            .bind(image.storage_key)
            .bind(image.uploaded_by)
            .bind(image.now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn image(&self, name: &str) -> StoreResult<Option<ImageRecord>> {
        let sql = "SELECT id, content_type, storage_key FROM kb_images WHERE storage_key = $1";
        let key = format!("kb/{name}");
        let row: Option<(i64, String, String)> = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(&key)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        Ok(row.map(|(id, content_type, storage_key)| ImageRecord {
            id,
            content_type,
            storage_key,
        }))
    }
}
