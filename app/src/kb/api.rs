//! Server functions for the knowledge base: identify the caller, call the service.

use super::{
    ArticleDraft, ArticleLang, ArticleLookup, Category, CategoryPage, EditorArticle,
    EditorDashboard, FeedbackState, KbStart, RevisionDiff, RevisionInfo, SearchHit, Suggestion,
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::command::{CategoryNames, EditArticle};
#[cfg(feature = "ssr")]
use crate::server_ctx::{optional_principal, principal, services};

/// Anonymous readers' feedback cookie (a random id; signed-in readers use their account).
#[cfg(feature = "ssr")]
const VISITOR_COOKIE: &str = "kb_visitor";

#[cfg(feature = "ssr")]
fn visitor_cookie() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    crate::server_ctx::cookie_value(&parts.headers, VISITOR_COOKIE).map(str::to_owned)
}

#[server]
pub async fn kb_home(lang: ArticleLang) -> Result<KbStart, AppError> {
    let p = optional_principal().await?;
    services()?.kb.home(p.as_ref(), lang).await
}

#[server]
pub async fn kb_category(slug: String, lang: ArticleLang) -> Result<CategoryPage, AppError> {
    let p = optional_principal().await?;
    services()?.kb.category(p.as_ref(), &slug, lang).await
}

/// An article; `Moved` answers 301 when rendered on the server.
#[server]
pub async fn kb_article(category: String, slug: String) -> Result<ArticleLookup, AppError> {
    let p = optional_principal().await?;
    services()?
        .kb
        .article(p.as_ref(), Some(&category), &slug)
        .await
}

#[server]
pub async fn kb_search(q: String, lang: ArticleLang) -> Result<Vec<SearchHit>, AppError> {
    let p = optional_principal().await?;
    services()?.kb.search(p.as_ref(), &q, None, lang, 20).await
}

#[server]
pub async fn kb_suggest(subject: String, lang: ArticleLang) -> Result<Vec<Suggestion>, AppError> {
    // Anonymous visitors get suggestions too (the after-hours chat form); only articles they
    // may read are considered.
    let p = optional_principal().await?;
    services()?.kb.suggest(p.as_ref(), &subject, lang).await
}

#[server]
pub async fn kb_suggestion_opened(draft: String, article_id: i64) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .kb
        .suggestion_opened(&p, &draft, article_id)
        .await
}

#[server]
pub async fn kb_feedback_state(article_id: i64) -> Result<FeedbackState, AppError> {
    let p = optional_principal().await?;
    let cookie = visitor_cookie();
    let visitor = super::service::visitor_key(p.as_ref(), cookie.as_deref());
    services()?
        .kb
        .feedback_state(visitor.as_deref(), article_id)
        .await
}

#[server]
pub async fn kb_give_feedback(
    article_id: i64,
    helpful: bool,
    comment: String,
) -> Result<(), AppError> {
    let p = optional_principal().await?;
    let mut cookie = visitor_cookie();
    if p.is_none() && super::service::visitor_key(None, cookie.as_deref()).is_none() {
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        crate::server_ctx::set_cookie(&format!(
            "{VISITOR_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000"
        ));
        cookie = Some(fresh);
    }
    let visitor = super::service::visitor_key(p.as_ref(), cookie.as_deref())
        .ok_or(crate::error::ErrorCode::InvalidInput)?;
    let client = crate::server_ctx::client_addr().map(|ip| ip.to_string());
    services()?
        .kb
        .give_feedback(
            p.as_ref(),
            &visitor,
            client.as_deref(),
            article_id,
            helpful,
            &comment,
        )
        .await
}

#[server]
pub async fn kb_dashboard() -> Result<EditorDashboard, AppError> {
    let p = principal().await?;
    services()?.kb.dashboard(&p).await
}

#[server]
pub async fn kb_editor_categories() -> Result<Vec<Category>, AppError> {
    let p = principal().await?;
    services()?.kb.editor_categories(&p).await
}

#[server]
pub async fn kb_editor_article(id: i64) -> Result<EditorArticle, AppError> {
    let p = principal().await?;
    services()?.kb.editor_article(&p, id).await
}

#[server]
pub async fn kb_create_article(draft: ArticleDraft) -> Result<EditorArticle, AppError> {
    let p = principal().await?;
    services()?
        .kb
        .create(&p, EditArticle::try_from(&draft)?)
        .await
}

#[server]
pub async fn kb_save_article(
    id: i64,
    revision: i64,
    draft: ArticleDraft,
) -> Result<EditorArticle, AppError> {
    let p = principal().await?;
    services()?
        .kb
        .save(&p, id, revision, EditArticle::try_from(&draft)?)
        .await
}

#[server]
pub async fn kb_preview(body_md: String) -> Result<String, AppError> {
    let p = principal().await?;
    services()?.kb.preview(&p, &body_md)
}

#[server]
pub async fn kb_revisions(id: i64) -> Result<Vec<RevisionInfo>, AppError> {
    let p = principal().await?;
    services()?.kb.revisions(&p, id).await
}

#[server]
pub async fn kb_diff(id: i64, from: i64, to: i64) -> Result<RevisionDiff, AppError> {
    let p = principal().await?;
    services()?.kb.diff(&p, id, from, to).await
}

#[server]
pub async fn kb_restore(id: i64, number: i64, revision: i64) -> Result<EditorArticle, AppError> {
    let p = principal().await?;
    services()?.kb.restore(&p, id, number, revision).await
}

#[server]
pub async fn kb_create_category(name_es: String, name_en: String) -> Result<i64, AppError> {
    let p = principal().await?;
    services()?
        .kb
        .create_category(&p, CategoryNames::parse(&name_es, &name_en)?)
        .await
}

#[server]
pub async fn kb_rename_category(id: i64, name_es: String, name_en: String) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .kb
        .rename_category(&p, id, CategoryNames::parse(&name_es, &name_en)?)
        .await
}

#[server]
pub async fn kb_move_category(id: i64, up: bool) -> Result<(), AppError> {
    let p = principal().await?;
    services()?.kb.move_category(&p, id, up).await
}
