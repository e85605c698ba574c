//! What editors ask of the knowledge base, parsed once: an article as the editor form (or
//! `POST/PUT /api/v1/kb/articles`) sent it, and a category's names. What needs the database
//! (the category exists, the translation is an article in the other language, a free slug)
//! stays in the service.

use super::{ArticleDraft, ArticleLang, ArticleStatus, Visibility};
use crate::domain::COSTA_RICA;
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// The `datetime-local` format of the schedule field (Costa Rica time).
pub const DATETIME_LOCAL: &str = "%Y-%m-%dT%H:%M";

bounded_text!(
    /// An article's title.
    ArticleTitle { max: 200, required: true, code: TitleRequired, field: "title" }
);
bounded_text!(
    /// The one-line summary under the title (may be empty).
    ArticleSummaryText { max: 300, required: false, code: InvalidInput, field: "summary" }
);
bounded_text!(
    /// A category's name in one language.
    CategoryName { max: 80, required: true, code: CategoryNameRequired, field: "name_es" }
);

/// An article's markdown: required, at most 100,000 characters; kept with its leading
/// indentation (a code block may open it), trailing blanks dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleBody(String);

impl ArticleBody {
    pub const MAX_CHARS: usize = 100_000;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        crate::kernel::text::required(raw, Self::MAX_CHARS, ErrorCode::BodyRequired, "body_md")?;
        Ok(ArticleBody(raw.trim_end().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A `datetime-local` value in Costa Rica time; blank is none.
pub fn parse_local_input(raw: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(raw, DATETIME_LOCAL)
        .ok()
        .and_then(|naive| COSTA_RICA.from_local_datetime(&naive).single())
        .map(|at| Some(at.with_timezone(&Utc)))
        .ok_or_else(|| AppError::field(ErrorCode::DateInvalid, "publish_at"))
}

/// An article created or saved by an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditArticle {
    pub title: ArticleTitle,
    pub summary: ArticleSummaryText,
    pub body_md: ArticleBody,
    pub lang: ArticleLang,
    /// Slug of the category (checked against the categories by the service).
    pub category: String,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub visibility: Visibility,
    /// As typed; publishing without a date is decided by the service (keep the first
    /// publication date, or now).
    pub publish_at: Option<DateTime<Utc>>,
    /// Slug of the article in the other language.
    pub translation: Option<String>,
}

impl TryFrom<&ArticleDraft> for EditArticle {
    type Error = AppError;

    fn try_from(draft: &ArticleDraft) -> Result<Self, AppError> {
        Ok(EditArticle {
            title: ArticleTitle::parse(&draft.title)?,
            summary: ArticleSummaryText::parse(&draft.summary)?,
            body_md: ArticleBody::parse(&draft.body_md)?,
            lang: draft
                .lang
                .parse()
                .map_err(|_| AppError::field(ErrorCode::LangInvalid, "lang"))?,
            category: draft.category.trim().to_owned(),
            tags: super::text::parse_tags(&draft.tags),
            status: draft
                .status
                .parse()
                .map_err(|_| AppError::field(ErrorCode::ArticleStatusInvalid, "status"))?,
            visibility: draft
                .visibility
                .parse()
                .map_err(|_| AppError::field(ErrorCode::VisibilityInvalid, "visibility"))?,
            publish_at: parse_local_input(&draft.publish_at)?,
            translation: Some(draft.translation.trim().to_owned()).filter(|t| !t.is_empty()),
        })
    }
}

/// A category's Spanish and English names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryNames {
    pub es: CategoryName,
    pub en: CategoryName,
}

impl CategoryNames {
    pub fn parse(name_es: &str, name_en: &str) -> Result<Self, AppError> {
        Ok(CategoryNames {
            es: CategoryName::parse(name_es)?,
            en: CategoryName::parse(name_en)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ArticleDraft {
        ArticleDraft {
            title: " Impresoras ".into(),
            body_md: "    código\n\n".into(),
            lang: "es".into(),
            category: " equipos ".into(),
            tags: "Red, red, VPN".into(),
            status: "draft".into(),
            visibility: "public".into(),
            ..ArticleDraft::default()
        }
    }

    #[test]
    fn schedule_dates_are_costa_rica_local_time() {
        let at = parse_local_input("2026-12-01T08:30")
            .expect("valid")
            .expect("some");
        assert_eq!(at.to_rfc3339(), "2026-12-01T14:30:00+00:00");
        assert_eq!(parse_local_input(" ").expect("empty ok"), None);
        assert!(parse_local_input("mañana").is_err());
    }

    #[test]
    fn a_draft_parses_once_keeping_the_body_indentation() {
        let a = EditArticle::try_from(&draft()).expect("valid");
        assert_eq!(a.title.as_str(), "Impresoras");
        assert_eq!(a.body_md.as_str(), "    código");
        assert_eq!(a.category, "equipos");
        assert_eq!(a.tags, vec!["red".to_owned(), "vpn".to_owned()]);
        assert_eq!(a.translation, None);
    }

    #[test]
    fn each_refusal_names_its_field() {
        let field = |d: ArticleDraft| EditArticle::try_from(&d).expect_err("refused").field;
        assert_eq!(
            field(ArticleDraft {
                lang: "fr".into(),
                ..draft()
            }),
            Some("lang".into())
        );
        assert_eq!(
            field(ArticleDraft {
                status: "x".into(),
                ..draft()
            }),
            Some("status".into())
        );
        assert_eq!(
            field(ArticleDraft {
                visibility: "x".into(),
                ..draft()
            }),
            Some("visibility".into())
        );
        assert_eq!(
            field(ArticleDraft {
                body_md: " \n".into(),
                ..draft()
            }),
            Some("body_md".into())
        );
        assert_eq!(
            field(ArticleDraft {
                publish_at: "ayer".into(),
                ..draft()
            }),
            Some("publish_at".into())
        );
        assert_eq!(
            field(ArticleDraft {
                title: "x".repeat(201),
                ..draft()
            }),
            Some("title".into())
        );
    }
}
