//! Knowledge base over HTTP: the JSON API (search, articles, editor writes, revisions) and the
//! web extras (sitemap.xml, robots.txt, article images).

use super::{ApiCaller, ApiError, ApiJson, ApiLocale, ApiResult, WithLocale};
use super::{ApiPath, ApiQuery};
use crate::startup::AppState;
use app::accounts::service::Principal;
use app::error::{AppError, ErrorCode};
use app::kb::command::EditArticle;
use app::kb::editing::to_local_input;
use app::kb::{ArticleDraft, ArticleLang, ArticleLookup, EditorArticle, RevisionInfo};
use axum::extract::{FromRef, FromRequestParts, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A caller who may be anonymous: no `Authorization` header means anonymous; a bad token is 401.
pub struct MaybeCaller {
    pub principal: Option<Principal>,
    pub locale: ApiLocale,
}

impl<S> FromRequestParts<S> for MaybeCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let caller = ApiCaller::from_request_parts(parts, state).await?;
            return Ok(MaybeCaller {
                principal: Some(caller.principal),
                locale: caller.locale,
            });
        }
        let locale = ApiLocale::from_request_parts(parts, state)
            .await
            .unwrap_or(ApiLocale(app::i18n::Locale::es));
        Ok(MaybeCaller {
            principal: None,
            locale,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the reader typed (accents and case do not matter).
    pub q: Option<String>,
    /// `es` or `en`: only articles in that language. Omitted: both, Spanish first.
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub slug: String,
    pub title: String,
    pub category: String,
    /// HTML-escaped passage with the matched words in `<mark>`.
    pub snippet: String,
    /// Higher is better: title matches count fully, body rank adds less than one.
    pub score: f64,
    pub lang: String,
    pub path: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub results: Vec<SearchResult>,
}

fn parse_lang(raw: Option<&str>, locale: ApiLocale) -> ApiResult<Option<ArticleLang>> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(l) => l.parse().map(Some).map_err(|_| ApiError {
            error: AppError::field(ErrorCode::QueryInvalid, "lang"),
            locale: locale.0,
        }),
    }
}

/// Full-text search over the articles the caller may read (anonymous: public only).
#[utoipa::path(get, operation_id = "searchArticles", path = "/api/v1/kb/search", tag = "kb", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 400, body = super::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: MaybeCaller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let only = parse_lang(q.lang.as_deref(), caller.locale)?;
    let hits = state
        .services
        .kb
        .search(
            caller.principal.as_ref(),
            q.q.as_deref().unwrap_or_default(),
            only,
            only.unwrap_or(ArticleLang::Es),
            20,
        )
        .await
        .in_locale(caller.locale)?;
    Ok(Json(SearchResults {
        results: hits
            .into_iter()
            .map(|h| SearchResult {
                slug: h.slug,
                title: h.title,
                category: h.category_slug,
                snippet: h.snippet,
                score: h.score,
                lang: h.lang.as_str().to_owned(),
                path: h.path,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ArticleJson {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lang: String,
    pub category: String,
    pub status: String,
    pub visibility: String,
    pub tags: Vec<String>,
    /// Sanitized HTML, as the article page shows it.
    pub body_html: String,
    pub url: String,
    pub updated_at: DateTime<Utc>,
    pub translation_path: Option<String>,
}

/// One article the caller may read; an old slug answers 301 to the current one.
#[utoipa::path(get, operation_id = "getArticle", path = "/api/v1/kb/articles/{slug}", tag = "kb", params(("slug" = String, Path)),
    responses((status = 200, body = ArticleJson), (status = 301, description = "renamed"), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn article(
    State(state): State<AppState>,
    caller: MaybeCaller,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Response> {
    let lookup = state
        .services
        .kb
        .article(caller.principal.as_ref(), None, &slug)
        .await
        .in_locale(caller.locale)?;
    match lookup {
        ArticleLookup::Moved(path) => {
            let new_slug = path.rsplit('/').next().unwrap_or_default();
            Ok(Redirect::permanent(&format!("/api/v1/kb/articles/{new_slug}")).into_response())
        }
        ArticleLookup::Found(view) => {
            let a = view.article;
            Ok(Json(ArticleJson {
                id: a.id,
                title: a.title,
                summary: a.summary,
                lang: a.lang.as_str().to_owned(),
                category: a.category_slug,
                status: a.status.as_str().to_owned(),
                visibility: a.visibility.as_str().to_owned(),
                tags: view.tags,
                body_html: view.body_html,
                url: view.canonical_url,
                updated_at: a.updated_at,
                translation_path: view.translation.map(|t| t.path),
                slug: a.slug,
            })
            .into_response())
        }
    }
}

/// An article as editors write it.
#[derive(Deserialize, ToSchema)]
pub struct ArticleInput {
    pub title: String,
    pub body_md: String,
    /// `es` or `en`
    pub lang: String,
    /// Category slug
    pub category: String,
    /// `public`, `customers` or `internal`
    pub visibility: String,
    /// `draft`, `published` or `archived`
    pub status: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Publication instant (RFC 3339); future = scheduled. Omitted: now when published.
    #[serde(default)]
    pub publish_at: Option<DateTime<Utc>>,
    /// Slug of the same article in the other language.
    #[serde(default)]
    pub translation: Option<String>,
    /// Required when updating: the revision this edit is based on.
    #[serde(default)]
    pub revision: Option<i64>,
}

impl ArticleInput {
    fn draft(self) -> ArticleDraft {
        ArticleDraft {
            title: self.title,
            summary: self.summary,
            body_md: self.body_md,
            lang: self.lang,
            category: self.category,
            tags: self.tags.join(", "),
            status: self.status,
            visibility: self.visibility,
            publish_at: self.publish_at.map(to_local_input).unwrap_or_default(),
            translation: self.translation.unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SavedArticle {
    pub id: i64,
    pub slug: String,
    pub path: String,
    pub revision: i64,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

impl From<EditorArticle> for SavedArticle {
    fn from(a: EditorArticle) -> Self {
        SavedArticle {
            id: a.id,
            slug: a.slug,
            path: a.path,
            revision: a.revision,
            status: a.draft.status,
            updated_at: a.updated_at,
        }
    }
}

/// Create an article (editors and admins).
#[utoipa::path(post, operation_id = "createArticle", path = "/api/v1/kb/articles", tag = "kb", security(("bearer" = [])), request_body = ArticleInput,
    responses((status = 201, body = SavedArticle), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<(StatusCode, Json<SavedArticle>)> {
    let saved = state
        .services
        .kb
        .create(
            &caller.principal,
            EditArticle::try_from(&input.draft()).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Update an article over the revision it was based on; a stale revision is 409.
#[utoipa::path(put, operation_id = "updateArticle", path = "/api/v1/kb/articles/{slug}", tag = "kb", security(("bearer" = [])), params(("slug" = String, Path)), request_body = ArticleInput,
    responses((status = 200, body = SavedArticle), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Json<SavedArticle>> {
    let kb = &state.services.kb;
    let result = async {
        let current = kb.editor_article_by_slug(&caller.principal, &slug).await?;
        let revision = input
            .revision
            .ok_or_else(|| AppError::field(ErrorCode::InvalidInput, "revision"))?;
        let cmd = EditArticle::try_from(&input.draft())?;
        kb.save(&caller.principal, current.id, revision, cmd).await
    }
    .await;
    Ok(Json(result.in_locale(caller.locale)?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct Revisions {
    pub revisions: Vec<RevisionJson>,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionJson {
    pub number: i64,
    pub title: String,
    pub status: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl From<RevisionInfo> for RevisionJson {
    fn from(r: RevisionInfo) -> Self {
        RevisionJson {
            number: r.number,
            title: r.title,
            status: r.status.as_str().to_owned(),
            author: r.author,
            created_at: r.created_at,
        }
    }
}

/// An article's revisions, newest first (editors and admins).
#[utoipa::path(get, operation_id = "listArticleRevisions", path = "/api/v1/kb/articles/{slug}/revisions", tag = "kb", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = Revisions), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn revisions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<Revisions>> {
    let kb = &state.services.kb;
    let result = async {
        let current = kb.editor_article_by_slug(&caller.principal, &slug).await?;
        kb.revisions(&caller.principal, current.id).await
    }
    .await;
    Ok(Json(Revisions {
        revisions: result
            .in_locale(caller.locale)?
            .into_iter()
            .map(RevisionJson::from)
            .collect(),
    }))
}

// ---- web extras -------------------------------------------------------------------------

pub async fn sitemap(State(state): State<AppState>) -> Response {
    match state.services.kb.sitemap().await {
        Ok(xml) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            )],
            xml,
        )
            .into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /editor/\nDisallow: /admin/\nSitemap: {}/sitemap.xml\n",
        state.services.kb.public_url()
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// Article images are public under unguessable names and never change (a new upload gets a
/// new name).
pub async fn image(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.services.kb.image(&name).await {
        Ok((content_type, bytes)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            res
        }
        Err(e) if e.code == ErrorCode::NotFound => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Serialize)]
pub struct UploadedImage {
    pub url: String,
    pub markdown: String,
}

/// Image upload from the article editor (session cookie); JSON either way.
pub async fn upload_image(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<UploadedImage>)> {
    let result = async {
        let token = state
            .services
            .session_token(&headers)
            .ok_or(ErrorCode::Unauthenticated)?;
        let principal = state
            .services
            .accounts
            .authenticate(&token, app::accounts::SessionKind::Web)
            .await?;
        let (name, bytes) = super::files::read_file(multipart).await?;
        let url = state
            .services
            .kb
            .upload_image(&principal, &name, &bytes)
            .await?;
        let alt: String = name
            .rsplit_once('.')
            .map(|(stem, _)| stem)
            .unwrap_or(&name)
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '(' | ')'))
            .collect();
        Ok::<_, AppError>(UploadedImage {
            markdown: format!("![{alt}]({url})"),
            url,
        })
    }
    .await;
    Ok((StatusCode::CREATED, Json(result.in_locale(locale)?)))
}
