//! What every article write keeps right inside its transaction: the search index (FTS5 on
//! SQLite, `tsvector`s on PostgreSQL), tags and the revision history.

use app::kb::store::ArticleWrite;
use app::kb::text::{self};
use app::kb::{ArticleLang, ArticleStatus};

/// Keeps one article's search entry right, inside the write's transaction. SQLite stores
/// pre-stemmed text in FTS5 (plus who may see it); PostgreSQL weighted `tsvector`s of the
/// same pre-stemmed text.
pub(super) trait SearchIndex {
    async fn index(&mut self, id: i64, w: &ArticleWrite) -> Result<(), sqlx::Error>;
}

/// SQLite's search index for a language (a fixed name, never input).
pub(super) fn fts_table(lang: ArticleLang) -> &'static str {
    match lang {
        ArticleLang::Es => "kb_fts_es",
        ArticleLang::En => "kb_fts_en",
    }
}

pub(super) fn search_body(w: &ArticleWrite) -> String {
    search_text(&w.summary, &w.tags.join(", "), &w.body_text)
}

/// What an article's body is searched by: its summary, tags and text.
pub(super) fn search_text(summary: &str, tags: &str, body_text: &str) -> String {
    format!("{summary}\n{tags}\n{body_text}")
}

impl SearchIndex for sqlx::Transaction<'_, sqlx::Sqlite> {
    async fn index(&mut self, id: i64, w: &ArticleWrite) -> Result<(), sqlx::Error> {
        let visible_from = (w.status == ArticleStatus::Published)
            .then_some(w.publish_at)
            .flatten();
        // The language may have changed: the article leaves the other index.
        let other = fts_table(w.lang.other());
        sqlx::query(&format!("DELETE FROM {other} WHERE rowid = $1"))
            .bind(id)
            .execute(&mut **self)
            .await?;
        let sql = format!(
            "INSERT OR REPLACE INTO {} (rowid, title, body, visibility, visible_from) \
             VALUES ($1, $2, $3, $4, $5)",
            fts_table(w.lang)
        );
        sqlx::query(&sql)
            .bind(id)
            .bind(text::index_text(&w.title, w.lang))
            .bind(text::index_text(&search_body(w), w.lang))
            .bind(w.visibility.as_str())
            .bind(visible_from)
            .execute(&mut **self)
            .await
            .map(|_| ())
    }
}

impl SearchIndex for sqlx::Transaction<'_, sqlx::Postgres> {
    async fn index(&mut self, id: i64, w: &ArticleWrite) -> Result<(), sqlx::Error> {
        sqlx::query(PG_INDEX)
            .bind(id)
            .bind(text::index_text(&w.title, w.lang))
            .bind(text::index_text(&search_body(w), w.lang))
            .execute(&mut **self)
            .await
            .map(|_| ())
    }
}

/// PostgreSQL indexes the words the portal stemmed itself (the same [`text::index_text`]
/// SQLite's FTS5 stores), with the `simple` configuration: no second stemming, no stop words,
/// so both backends find the same articles for the same query.
pub(super) const PG_INDEX: &str = "UPDATE kb_articles SET \
     search_vector = setweight(to_tsvector('simple', $2), 'A') || \
                     setweight(to_tsvector('simple', $3), 'B'), \
     title_vector = to_tsvector('simple', $2) WHERE id = $1";

/// SQLite's index entry for an article whose words are stemmed again (rules changed).
pub(super) fn sqlite_reindex(lang: ArticleLang) -> String {
    format!(
        "UPDATE {} SET title = $2, body = $3 WHERE rowid = $1",
        fts_table(lang)
    )
}

/// What every article write records besides the row itself: its tags and a revision.
pub(super) trait ArticleHistory {
    async fn record(&mut self, id: i64, revision: i64, w: &ArticleWrite)
        -> Result<(), sqlx::Error>;
}

macro_rules! article_history {
    ($db:ty) => {
        impl ArticleHistory for sqlx::Transaction<'_, $db> {
            async fn record(
                &mut self,
                id: i64,
                revision: i64,
                w: &ArticleWrite,
            ) -> Result<(), sqlx::Error> {
                sqlx::query("DELETE FROM kb_article_tags WHERE article_id = $1")
                    .bind(id)
                    .execute(&mut **self)
                    .await?;
                for tag in &w.tags {
                    sqlx::query("INSERT INTO kb_article_tags (article_id, tag) VALUES ($1, $2)")
                        .bind(id)
                        .bind(tag)
                        .execute(&mut **self)
                        .await?;
                }
                sqlx::query(REVISION_INSERT)
                    .bind(id)
                    .bind(revision)
                    .bind(&w.title)
                    .bind(&w.summary)
                    .bind(&w.body_md)
                    .bind(w.tags.join(", "))
                    .bind(w.status.as_str())
                    .bind(w.visibility.as_str())
                    .bind(w.category_id)
                    .bind(w.author_id)
                    .bind(w.now)
                    .execute(&mut **self)
                    .await
                    .map(|_| ())
            }
        }
    };
}
article_history!(sqlx::Sqlite);
article_history!(sqlx::Postgres);

pub(super) const REVISION_INSERT: &str = "INSERT INTO kb_revisions (article_id, number, title, summary, body_md, tags, status, \
     visibility, category_id, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(super) const BUMP_GENERATION: &str = "UPDATE kb_generation SET value = value + 1 WHERE id = 1";
