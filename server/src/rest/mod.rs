//! The REST API under `/api/v1`: JSON in and out, bearer tokens, errors as
//! `{"error":{"code","message"}}`. Handlers only translate HTTP to the shared services.

mod accounts;
mod changes;
pub mod chat;
mod chat_schema;
pub mod chat_socket;
mod email_webhook;
mod extract;
pub mod files;
mod hours;
pub mod kb;
mod meta_webhooks;
mod openapi;
mod projects;
pub mod reports;
mod shop;
mod tickets;

use crate::startup::AppState;
use app::accounts::service::Principal;
use app::error::{AppError, ErrorCode};
use app::i18n::Locale;
use axum::extract::{FromRef, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Serialize;

pub use extract::{ApiPath, ApiQuery};
pub use openapi::ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/auth/token",
            post(accounts::create_token).delete(accounts::revoke_token),
        )
        .route("/me", get(accounts::me))
        .route(
            "/organizations",
            get(accounts::list_orgs).post(accounts::create_org),
        )
        .route("/organizations/{id}", get(accounts::get_org))
        .route(
            "/users",
            get(accounts::list_users).post(accounts::invite_user),
        )
        .route("/sla/deadline", get(tickets::deadline))
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/{id}", get(tickets::get))
        .route("/tickets/{id}/replies", post(tickets::reply))
        .route(
            "/tickets/{id}/attachments",
            post(files::upload_api).layer(axum::extract::DefaultBodyLimit::max(files_body_limit())),
        )
        .route("/attachments/{id}", get(files::download_api))
        .route("/reports/sla", get(reports::sla_json))
        .route("/kb/search", get(kb::search))
        .route("/kb/articles", post(kb::create))
        .route("/kb/articles/{slug}", get(kb::article).put(kb::update))
        .route("/kb/articles/{slug}/revisions", get(kb::revisions))
        .route("/chats", get(chat::inbox).post(chat::start))
        .route("/chats/availability", get(chat::availability))
        .route("/chats/{id}", get(chat::get))
        .route("/chats/{id}/messages", get(chat::messages).post(chat::send))
        .route("/chats/{id}/ws", get(chat_socket::chat_socket))
        .route(
            "/chats/{id}/files",
            post(chat::upload).layer(axum::extract::DefaultBodyLimit::max(files_body_limit())),
        )
        .route("/chats/{id}/files/{file}", get(chat::download))
        .route("/chats/{id}/accept", post(chat::accept))
        .route("/chats/{id}/transfer", post(chat::transfer))
        .route("/chats/{id}/close", post(chat::close))
        .route("/chats/{id}/ticket", post(chat::to_ticket))
        .route("/chats/{id}/rating", post(chat::rate))
        .route("/chats/{id}/transcript", post(chat::transcript))
        .route("/agent/ws", get(chat_socket::console_socket))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{id}", get(projects::get))
        .route("/projects/{id}/items", post(projects::add_item))
        .route("/projects/{id}/items/{item}", patch(projects::update_item))
        .route(
            "/projects/{id}/items/{item}/comments",
            post(projects::comment),
        )
        .route("/projects/{id}/baseline", post(projects::baseline))
        .route("/store/packages", get(shop::packages))
        .route("/store/orders", get(shop::orders).post(shop::place))
        .route("/store/orders/{id}", get(shop::order))
        .route("/store/orders/{id}/confirm", post(shop::confirm))
        .route("/store/orders/{id}/refund", post(shop::refund))
        .route("/store/orders/{id}/cancel", post(shop::cancel))
        .route("/webhooks/stripe", post(shop::stripe_webhook))
        .route(
            "/webhooks/email",
            post(email_webhook::email).layer(axum::extract::DefaultBodyLimit::max(
                app::channels::email::MAX_RAW_BYTES,
            )),
        )
        .route(
            "/webhooks/whatsapp",
            get(meta_webhooks::whatsapp_verify).post(meta_webhooks::whatsapp),
        )
        .route(
            "/webhooks/messenger",
            get(meta_webhooks::messenger_verify).post(meta_webhooks::messenger),
        )
        .route("/hours", get(hours::get))
        .route("/hours/adjustments", post(hours::adjust))
        .route("/change-requests", get(changes::list).post(changes::create))
        .route("/change-requests/{id}", get(changes::get))
        .route("/change-requests/{id}/estimate", post(changes::estimate))
        .route("/change-requests/{id}/reject", post(changes::reject))
        .route("/change-requests/{id}/approve", post(changes::approve))
        .route("/change-requests/{id}/decline", post(changes::decline))
        .route("/change-requests/{id}/work", post(changes::work))
        .route("/change-requests/{id}/done", post(changes::done))
        .route("/change-requests/{id}/reopen", post(changes::reopen))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(refuse_encoded_nul))
}

/// Path segments and query values reach the database percent-decoded, and PostgreSQL cannot
/// store U+0000: a request whose URL encodes one (`%00`) is invalid input, not a server error.
async fn refuse_encoded_nul(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !url_encodes_nul(req.uri()) {
        return next.run(req).await;
    }
    let (mut parts, _) = req.into_parts();
    let Ok(locale) = ApiLocale::from_request_parts(&mut parts, &()).await;
    ApiError {
        error: ErrorCode::InvalidInput.into(),
        locale: locale.0,
    }
    .into_response()
}

/// Room for one maximal file plus the multipart framing.
pub fn files_body_limit() -> usize {
    app::files::MAX_FILE_BYTES + 64 * 1024
}

async fn not_found(locale: ApiLocale) -> ApiError {
    ApiError {
        error: ErrorCode::NotFound.into(),
        locale: locale.0,
    }
}

/// The caller's language for error messages: English when `Accept-Language` prefers it.
#[derive(Clone, Copy)]
pub struct ApiLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for ApiLocale {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .trim_start()
            .to_ascii_lowercase();
        Ok(ApiLocale(if lang.starts_with("en") {
            Locale::en
        } else {
            Locale::es
        }))
    }
}

/// An error response in the caller's language.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub locale: Locale,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `unauthenticated`, `email_taken`.
    pub code: String,
    /// Human-readable message (Spanish, or English with `Accept-Language: en`).
    pub message: String,
    /// The request field the error concerns, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.error.code.as_str().to_owned(),
                message: self.error.code.message(self.locale),
                field: self.error.field,
            },
        };
        let mut res = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Attaches the caller's locale to a service error.
pub trait WithLocale<T> {
    fn in_locale(self, locale: ApiLocale) -> ApiResult<T>;
}

impl<T> WithLocale<T> for Result<T, AppError> {
    fn in_locale(self, locale: ApiLocale) -> ApiResult<T> {
        self.map_err(|error| ApiError {
            error,
            locale: locale.0,
        })
    }
}

/// JSON body extractor whose rejections are API errors (400/422 with a JSON body), never plain text.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let locale = ApiLocale::from_request_parts(&mut parts, state)
            .await
            .unwrap_or(ApiLocale(Locale::es));
        let invalid = ApiError {
            error: ErrorCode::InvalidInput.into(),
            locale: locale.0,
        };
        let req = axum::extract::Request::from_parts(parts, body);
        let value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(value)) => value,
            Err(rejection) => {
                tracing::debug!(%rejection, "bad JSON body");
                return Err(invalid);
            }
        };
        // No text field may hold a NUL character: PostgreSQL cannot store one, and no
        // legitimate input has it.
        if holds_nul(&value) {
            return Err(invalid);
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "bad JSON body");
            invalid
        })
    }
}

/// Whether the path or the query of `uri` encodes U+0000 (`%00`).
pub(crate) fn url_encodes_nul(uri: &axum::http::Uri) -> bool {
    uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00"))
}

/// Whether any string or key in `value` contains U+0000.
pub(crate) fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// The authenticated caller of an API request (`Authorization: Bearer <token>`).
pub struct ApiCaller {
    pub principal: Principal,
    pub locale: ApiLocale,
}

impl<S> FromRequestParts<S> for ApiCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let locale = ApiLocale::from_request_parts(parts, state)
            .await
            .unwrap_or(ApiLocale(Locale::es));
        let token = crate::security::bearer_token(&parts.headers).unwrap_or_default();
        let state = AppState::from_ref(state);
        let principal = state
            .services
            .accounts
            .authenticate(token, app::accounts::SessionKind::Api)
            .await
            .in_locale(locale)?;
        Ok(ApiCaller { principal, locale })
    }
}
