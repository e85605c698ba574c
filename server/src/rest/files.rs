//! Ticket attachments over HTTP: multipart upload and download, for the web (session cookie,
//! plain form post that redirects back) and for the API (bearer token, JSON).

use super::ApiPath;
use super::{ApiCaller, ApiError, ApiLocale, ApiResult, WithLocale};
use crate::startup::AppState;
use app::accounts::service::Principal;
use app::error::{AppError, ErrorCode};
use app::tickets::Attachment;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Reads the `file` field of a multipart body.
pub(crate) async fn read_file(mut multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("archivo").to_owned();
        return match field.bytes().await {
            Ok(bytes) => Ok((name, bytes.to_vec())),
            // The body limit cuts oversized uploads off mid-stream.
            Err(_) => Err(AppError::field(ErrorCode::FileTooLarge, "file")),
        };
    }
    Err(AppError::field(ErrorCode::FileEmpty, "file"))
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| ErrorCode::NotFound.into())
}

async fn web_principal(state: &AppState, headers: &HeaderMap) -> Result<Principal, AppError> {
    let token = state
        .services
        .session_token(headers)
        .ok_or(ErrorCode::Unauthenticated)?;
    state
        .services
        .accounts
        .authenticate(&token, app::accounts::SessionKind::Web)
        .await
}

/// Percent-encodes a file name for `Content-Disposition: attachment; filename*=UTF-8''…`.
pub(crate) fn encode_filename(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn file_response(attachment: &Attachment, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&attachment.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename*=UTF-8''{}",
        encode_filename(&attachment.filename)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// Web form upload from the ticket page; always redirects back to the ticket.
pub async fn upload_web(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let result = async {
        let principal = web_principal(&state, &headers).await?;
        let (name, bytes) = read_file(multipart).await?;
        state
            .services
            .tickets
            .attach(&principal, id, &name, &bytes)
            .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) if e.code == ErrorCode::Unauthenticated => Redirect::to("/ingresar").into_response(),
        Err(e) if e.code == ErrorCode::NotFound => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            Redirect::to(&format!("/tickets/{id}?adjunto={}", e.code.as_str())).into_response()
        }
    }
}

/// Download from the ticket page (session cookie).
pub async fn download_web(
    State(state): State<AppState>,
    locale: ApiLocale,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let result = async {
        let principal = web_principal(&state, &headers).await?;
        state
            .services
            .tickets
            .attachment(&principal, parse_id(&id)?)
            .await
    }
    .await;
    let (attachment, bytes) = result.in_locale(locale)?;
    Ok(file_response(&attachment, bytes))
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentInfo {
    pub id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentInfo {
    fn from(a: Attachment) -> Self {
        AttachmentInfo {
            id: a.id,
            ticket_id: a.ticket_id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

/// Attach a file (multipart field `file`, up to 10 MB; images, PDF, Office, ZIP or text).
#[utoipa::path(post, operation_id = "uploadTicketAttachment", path = "/api/v1/tickets/{id}/attachments", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = AttachmentInfo), (status = 404, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentInfo>)> {
    let result = async {
        let id = parse_id(&id)?;
        let (name, bytes) = read_file(multipart).await?;
        state
            .services
            .tickets
            .attach(&caller.principal, id, &name, &bytes)
            .await
    }
    .await;
    Ok((
        StatusCode::CREATED,
        Json(result.in_locale(caller.locale)?.into()),
    ))
}

/// Download an attachment of a ticket the caller can see.
#[utoipa::path(get, operation_id = "downloadAttachment", path = "/api/v1/attachments/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the file, with its own content type", content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn download_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let result = async {
        state
            .services
            .tickets
            .attachment(&caller.principal, parse_id(&id)?)
            .await
    }
    .await;
    let (attachment, bytes) = result.in_locale(caller.locale)?;
    Ok(file_response(&attachment, bytes))
}

#[cfg(test)]
mod tests {
    use super::encode_filename;

    #[test]
    fn encodes_file_names() {
        assert_eq!(encode_filename("informe final.pdf"), "informe%20final.pdf");
        assert_eq!(encode_filename("año.txt"), "a%C3%B1o.txt");
    }
}
