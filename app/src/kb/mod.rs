//! Knowledge base: articles editors write and readers search. Wire types shared by the browser
//! and the server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
#[cfg(feature = "ssr")]
pub mod editing;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod text;

use crate::domain::codes::text_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// The language an article is written in.
    ArticleLang { Es => "es", En => "en" }
);
text_enum!(
    /// Who may read a published article.
    Visibility { Public => "public", Customers => "customers", Internal => "internal" }
);
text_enum!(
    /// Where an article is in its life.
    ArticleStatus { Draft => "draft", Published => "published", Archived => "archived" }
);

impl ArticleLang {
    pub fn other(self) -> ArticleLang {
        match self {
            ArticleLang::Es => ArticleLang::En,
            ArticleLang::En => ArticleLang::Es,
        }
    }
}

/// What a reader may see, decided by who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Anonymous,
    Customer,
    Staff,
}

impl Audience {
    pub fn can_read(self, visibility: Visibility) -> bool {
        match visibility {
            Visibility::Public => true,
            Visibility::Customers => self != Audience::Anonymous,
            Visibility::Internal => self == Audience::Staff,
        }
    }

    /// The visibilities this audience may read (for SQL `IN` lists).
    pub fn visibilities(self) -> Vec<Visibility> {
        Visibility::ALL
            .iter()
            .copied()
            .filter(|v| self.can_read(*v))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub slug: String,
    pub name_es: String,
    pub name_en: String,
    pub position: i64,
    /// Articles this reader can see in it.
    pub article_count: i64,
}

impl Category {
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_es
        }
    }
}

/// An article in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lang: ArticleLang,
    pub category_slug: String,
    pub category_es: String,
    pub category_en: String,
    pub status: ArticleStatus,
    pub visibility: Visibility,
    pub publish_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub views: i64,
}

impl ArticleSummary {
    pub fn path(&self) -> String {
        format!("/kb/{}/{}", self.category_slug, self.slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A linked article in the other language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationLink {
    pub lang: ArticleLang,
    pub title: String,
    pub path: String,
}

/// An article as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub article: ArticleSummary,
    pub body_html: String,
    pub toc: Vec<TocEntry>,
    pub tags: Vec<String>,
    /// Meta description: the summary, or the start of the text.
    pub description: String,
    pub canonical_url: String,
    pub translation: Option<TranslationLink>,
    pub related: Vec<ArticleSummary>,
}

/// What `/kb/{category}/{slug}` resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArticleLookup {
    Found(Box<ArticleView>),
    /// An old slug or the wrong category: the canonical path (answered with 301).
    Moved(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// The title, HTML-escaped, with matched words in `<mark>`.
    pub title_html: String,
    pub category: String,
    pub category_slug: String,
    pub lang: ArticleLang,
    /// A passage of the text, HTML-escaped, with matched words in `<mark>`.
    pub snippet: String,
    pub score: f64,
    pub path: String,
}

/// The `/kb` start page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbStart {
    pub categories: Vec<Category>,
    pub most_read: Vec<ArticleSummary>,
    pub recent: Vec<ArticleSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub category: Category,
    pub articles: Vec<ArticleSummary>,
}

/// An article as the editor form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ArticleDraft {
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub lang: String,
    pub category: String,
    pub tags: String,
    pub status: String,
    pub visibility: String,
    /// Costa Rica local time `YYYY-MM-DDTHH:MM` (a `datetime-local` input), empty for now.
    pub publish_at: String,
    /// Slug of the article in the other language, empty for none.
    pub translation: String,
}

/// An article in the editor: its fields plus what a save must send back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorArticle {
    pub id: i64,
    pub slug: String,
    pub path: String,
    pub draft: ArticleDraft,
    /// The revision these fields are; a save names it, a stale one is a conflict.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub number: i64,
    pub title: String,
    pub status: ArticleStatus,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionDiff {
    pub from: i64,
    pub to: i64,
    pub title_from: String,
    pub title_to: String,
    pub lines: Vec<DiffLine>,
}

/// One row of the editor dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorRow {
    pub article: ArticleSummary,
    pub helpful: i64,
    pub not_helpful: i64,
    pub deflections: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackComment {
    pub article_title: String,
    pub article_id: i64,
    pub helpful: bool,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorDashboard {
    pub rows: Vec<EditorRow>,
    pub comments: Vec<FeedbackComment>,
    /// Ticket forms where a suggestion was opened and no ticket followed.
    pub deflections: i64,
    /// Ticket forms where a suggestion was opened and a ticket was still created.
    pub opened_then_ticket: i64,
}

/// A suggestion on the new-ticket form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: i64,
    pub title: String,
    pub path: String,
}

/// Whether this visitor already answered "was this useful?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedbackState {
    Open,
    Given { helpful: bool },
}

/// Form choices for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorChoices {
    pub categories: Vec<Category>,
}
