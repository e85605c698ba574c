//! Storage interface for the knowledge base (SQLite FTS5 and PostgreSQL full-text search behind
//! one trait; implemented in the server crate).

use super::text::Query;
use super::{
    ArticleLang, ArticleStatus, ArticleSummary, Category, FeedbackComment, RevisionInfo, Visibility,
};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A stored article with everything the server needs (not serialized).
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub summary: ArticleSummary,
    pub category_id: i64,
    pub body_md: String,
    pub body_text: String,
    pub tags: Vec<String>,
    pub translation_id: Option<i64>,
    pub revision: i64,
    pub updated_by: String,
}

/// Which published articles a reader may see, and when "now" is (scheduled articles wait).
#[derive(Debug, Clone)]
pub struct Readable {
    pub visibilities: Vec<Visibility>,
    pub now: DateTime<Utc>,
}

impl Readable {
    /// Three values for `visibility IN ($a, $b, $c)`, repeating the last as padding.
    pub fn in_list(&self) -> [&'static str; 3] {
        let v = &self.visibilities;
        let pick = |i: usize| {
            v.get(i)
                .or(v.last())
                .map(|v| v.as_str())
                .unwrap_or("public")
        };
        [pick(0), pick(1), pick(2)]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    MostRead,
    Recent,
    Title,
}

/// The fields an editor save writes.
#[derive(Debug, Clone)]
pub struct ArticleWrite {
    pub slug: String,
    pub category_id: i64,
    pub lang: ArticleLang,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_text: String,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub visibility: Visibility,
    pub publish_at: Option<DateTime<Utc>>,
    pub translation_id: Option<i64>,
    pub author_id: i64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct RevisionRecord {
    pub info: RevisionInfo,
    pub summary: String,
    pub body_md: String,
    pub tags: String,
    pub visibility: Visibility,
    pub category_id: i64,
}

/// One search candidate, before the service ranks and highlights it.
#[derive(Debug, Clone)]
pub struct SearchRow {
    pub article: ArticleSummary,
    pub body_text: String,
    pub score: f64,
}

/// Feedback and deflection counts for the editor dashboard.
#[derive(Debug, Clone, Default)]
pub struct ArticleStats {
    pub helpful: i64,
    pub not_helpful: i64,
    pub deflections: i64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct DeflectionTotals {
    pub abandoned: i64,
    pub ticket_anyway: i64,
}

pub struct NewImage<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
    pub uploaded_by: i64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ImageRecord {
    pub id: i64,
    pub content_type: String,
    pub storage_key: String,
}

#[async_trait]
pub trait KbStore: Send + Sync {
    // Categories
    async fn categories(&self, readable: &Readable) -> StoreResult<Vec<Category>>;
    /// Every category with counts of all its articles (editors).
    async fn all_categories(&self) -> StoreResult<Vec<Category>>;
    async fn create_category(
        &self,
        slug: &str,
        name_es: &str,
        name_en: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn rename_category(&self, id: i64, name_es: &str, name_en: &str) -> StoreResult<()>;
    /// Swaps the category's position with its neighbour above (`up`) or below.
    async fn move_category(&self, id: i64, up: bool) -> StoreResult<()>;

    // Reading
    /// Published articles this reader may see; `prefer`red language first when given.
    async fn list(
        &self,
        readable: &Readable,
        category_id: Option<i64>,
        prefer: Option<ArticleLang>,
        order: ListOrder,
        limit: i64,
    ) -> StoreResult<Vec<ArticleSummary>>;
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Option<ArticleRecord>>;
    async fn article_by_id(&self, id: i64) -> StoreResult<Option<ArticleRecord>>;
    /// The article an old slug now belongs to.
    async fn redirect(&self, old_slug: &str) -> StoreResult<Option<i64>>;
    async fn related(
        &self,
        article: &ArticleRecord,
        readable: &Readable,
        limit: i64,
    ) -> StoreResult<Vec<ArticleSummary>>;
    /// Candidates matching `query` (prepared for `lang`), best first by the backend's own rank.
    async fn search(
        &self,
        query: &Query,
        lang: ArticleLang,
        readable: &Readable,
        limit: i64,
    ) -> StoreResult<Vec<SearchRow>>;
    async fn add_views(&self, counts: &[(i64, i64)]) -> StoreResult<()>;
    /// Which [`super::text::SEARCH_RULES_VERSION`] the stored index was built with.
    async fn search_rules_version(&self) -> StoreResult<i64>;
    /// Stems every article's words again with today's rules and records `version`; returns
    /// how many articles were indexed.
    async fn reindex_search(&self, version: i64) -> StoreResult<usize>;
    /// Bumped by every write; caches compare it.
    async fn generation(&self) -> StoreResult<i64>;

    // Writing (each write also keeps the search index, tags, revisions and redirects right)
    async fn create_article(&self, write: &ArticleWrite) -> StoreResult<i64>;
    /// Saves over `base_revision`; `Conflict("revision")` when someone saved since.
    async fn update_article(
        &self,
        id: i64,
        base_revision: i64,
        write: &ArticleWrite,
    ) -> StoreResult<i64>;
    async fn slug_in_use(&self, slug: &str, except_article: Option<i64>) -> StoreResult<bool>;
    async fn editor_list(&self) -> StoreResult<Vec<ArticleSummary>>;
    async fn revisions(&self, article_id: i64) -> StoreResult<Vec<RevisionInfo>>;
    async fn revision(&self, article_id: i64, number: i64) -> StoreResult<Option<RevisionRecord>>;

    // Feedback and deflection
    /// `Conflict("feedback")` when this visitor already answered.
    async fn add_feedback(
        &self,
        article_id: i64,
        visitor: &str,
        helpful: bool,
        comment: &str,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Feedback from one client address since `since`: on one article, or on any.
    async fn feedback_from_client(
        &self,
        client: &str,
        article_id: Option<i64>,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn feedback_of(&self, article_id: i64, visitor: &str) -> StoreResult<Option<bool>>;
    async fn stats(&self) -> StoreResult<Vec<(i64, ArticleStats)>>;
    async fn recent_comments(&self, limit: i64) -> StoreResult<Vec<FeedbackComment>>;
    async fn record_suggestion_open(
        &self,
        draft_key: &str,
        user_id: i64,
        article_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn attach_ticket_to_draft(
        &self,
        draft_key: &str,
        user_id: i64,
        ticket_id: i64,
    ) -> StoreResult<()>;
    async fn deflection_totals(&self) -> StoreResult<DeflectionTotals>;

    // Images
    async fn add_image(&self, image: NewImage<'_>) -> StoreResult<i64>;
    /// An image by the random part of its storage key (the public, unguessable name).
    async fn image(&self, name: &str) -> StoreResult<Option<ImageRecord>>;
}
