//! Rows as the knowledge-base queries read them, and their conversion to the app's types.

use app::kb::store::ArticleRecord;
use app::kb::text::{self};
use app::kb::{ArticleStatus, ArticleSummary, Category, RevisionInfo};
use app::kernel::{StoreError, StoreResult};
use chrono::{DateTime, Utc};

pub(super) fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

pub(super) const SUMMARY_COLS: &str =
    "a.id, a.slug, a.title, a.summary, a.lang, c.slug AS category_slug, \
     c.name_es AS category_es, c.name_en AS category_en, a.status, a.visibility, a.publish_at, \
     a.updated_at, a.views";
pub(super) const FROM_ARTICLES: &str =
    "FROM kb_articles a JOIN kb_categories c ON c.id = a.category_id";

/// `visible(n)`: the published-and-readable condition with parameters `$n` (now) and
/// `$n+1..$n+3` (visibilities).
pub(super) fn visible(n: usize) -> String {
    format!(
        "a.status = 'published' AND a.publish_at <= ${n} AND a.visibility IN (${}, ${}, ${})",
        n + 1,
        n + 2,
        n + 3
    )
}

#[derive(sqlx::FromRow)]
pub(super) struct SummaryRow {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) lang: String,
    pub(super) category_slug: String,
    pub(super) category_es: String,
    pub(super) category_en: String,
    pub(super) status: String,
    pub(super) visibility: String,
    pub(super) publish_at: Option<DateTime<Utc>>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) views: i64,
}

impl TryFrom<SummaryRow> for ArticleSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> StoreResult<ArticleSummary> {
        Ok(ArticleSummary {
            lang: r.lang.parse().map_err(|_| bad("lang", &r.lang))?,
            status: r.status.parse().map_err(|_| bad("status", &r.status))?,
            visibility: r
                .visibility
                .parse()
                .map_err(|_| bad("visibility", &r.visibility))?,
            id: r.id,
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            category_slug: r.category_slug,
            category_es: r.category_es,
            category_en: r.category_en,
            publish_at: r.publish_at,
            updated_at: r.updated_at,
            views: r.views,
        })
    }
}

pub(super) fn summaries(rows: Vec<SummaryRow>) -> StoreResult<Vec<ArticleSummary>> {
    rows.into_iter().map(ArticleSummary::try_from).collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct RecordRow {
    #[sqlx(flatten)]
    pub(super) summary: SummaryRow,
    pub(super) category_id: i64,
    pub(super) body_md: String,
    pub(super) body_text: String,
    pub(super) tags: String,
    pub(super) translation_id: Option<i64>,
    pub(super) revision: i64,
    pub(super) updated_by: String,
}

impl TryFrom<RecordRow> for ArticleRecord {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> StoreResult<ArticleRecord> {
        Ok(ArticleRecord {
            summary: r.summary.try_into()?,
            category_id: r.category_id,
            body_md: r.body_md,
            body_text: r.body_text,
            tags: text::parse_tags(&r.tags),
            translation_id: r.translation_id,
            revision: r.revision,
            updated_by: r.updated_by,
        })
    }
}

pub(super) fn record_select() -> String {
    format!(
        "SELECT {SUMMARY_COLS}, a.category_id, a.body_md, a.body_text, a.tags, a.translation_id, \
         a.revision, u.name AS updated_by {FROM_ARTICLES} JOIN users u ON u.id = a.updated_by"
    )
}

#[derive(sqlx::FromRow)]
pub(super) struct CategoryRow {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) name_es: String,
    pub(super) name_en: String,
    pub(super) position: i64,
    pub(super) article_count: i64,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Category {
        Category {
            id: r.id,
            slug: r.slug,
            name_es: r.name_es,
            name_en: r.name_en,
            position: r.position,
            article_count: r.article_count,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SearchRowDb {
    #[sqlx(flatten)]
    pub(super) summary: SummaryRow,
    pub(super) body_text: String,
    pub(super) score: f64,
}

#[derive(sqlx::FromRow)]
pub(super) struct RelatedRow {
    #[sqlx(flatten)]
    pub(super) summary: SummaryRow,
    pub(super) closeness: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct RevisionRow {
    pub(super) number: i64,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) body_md: String,
    pub(super) tags: String,
    pub(super) status: String,
    pub(super) visibility: String,
    pub(super) category_id: i64,
    pub(super) author: String,
    pub(super) created_at: DateTime<Utc>,
}

impl RevisionRow {
    pub(super) fn info(&self) -> StoreResult<RevisionInfo> {
        Ok(RevisionInfo {
            number: self.number,
            title: self.title.clone(),
            status: self
                .status
                .parse::<ArticleStatus>()
                .map_err(|_| bad("status", &self.status))?,
            author: self.author.clone(),
            created_at: self.created_at,
        })
    }
}

pub(super) const REVISION_SELECT: &str =
    "SELECT r.number, r.title, r.summary, r.body_md, r.tags, r.status, \
     r.visibility, r.category_id, u.name AS author, r.created_at \
     FROM kb_revisions r JOIN users u ON u.id = r.author_id";

#[derive(sqlx::FromRow)]
pub(super) struct StatsRow {
    pub(super) id: i64,
    pub(super) helpful: i64,
    pub(super) not_helpful: i64,
    pub(super) deflections: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct CommentRow {
    pub(super) article_id: i64,
    pub(super) article_title: String,
    pub(super) helpful: bool,
    pub(super) comment: String,
    pub(super) created_at: DateTime<Utc>,
}
