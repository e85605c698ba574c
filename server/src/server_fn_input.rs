//! Refuses web-form calls (Leptos server functions) whose arguments hold a NUL character, and
//! gives their errors the status of the error's code.
//!
//! PostgreSQL cannot store U+0000 in text, so such a call would otherwise end in a database
//! error. The refusal uses the server functions' own error encoding, so the page shows "invalid
//! input" in the user's language; nothing is saved. (The REST API refuses NUL in
//! `rest::ApiJson` and in `/api/v1` paths.)

use app::error::{AppError, ErrorCode};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::FromServerFnError;

/// As axum's default body limit, which the server functions' own extractor applies.
const MAX_ARGS_BYTES: usize = 2 * 1024 * 1024;

/// Server functions are served under `/api/`; the REST API under `/api/v1/`.
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

/// Whether encoded arguments hold NUL: a NUL byte, a NUL in any string of a JSON body, or
/// `%00` in a URL-encoded form (where a literal `%` is sent as `%25`).
fn holds_nul(bytes: &[u8], json: bool) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    if json {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .is_ok_and(|value| crate::rest::holds_nul(&value))
    } else {
        bytes.windows(3).any(|w| w == b"%00")
    }
}

fn refused() -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        AppError::new(ErrorCode::InvalidInput).ser(),
    )
        .into_response()
}

pub async fn refuse_nul(req: Request, next: Next) -> Response {
    if !is_server_fn(req.uri().path()) {
        return next.run(req).await;
    }
    if crate::rest::url_encodes_nul(req.uri()) {
        return refused();
    }
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_ARGS_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    if holds_nul(&bytes, json) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The largest error body a server function answers with (an [`AppError`] is a few dozen bytes).
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Server functions answer every error with 500. A person's invalid input, a missing permission
/// or a conflict is not a server failure: the answer takes the error code's own status (422,
/// 403, 409…), so logs, metrics and monitoring count only real failures as 5xx. The browser's
/// side reads any 4xx/5xx answer as the function's error, so pages are unaffected.
pub async fn error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(status) = serde_json::from_slice::<AppError>(&bytes)
        .ok()
        .and_then(|e| StatusCode::from_u16(e.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_in_every_encoding() {
        assert!(holds_nul(b"subject=Servidor%00ca%C3%ADdo&body=x", false));
        assert!(holds_nul(b"subject=a\0b", false));
        assert!(holds_nul(br#"{"name":"Fase\u0000 1"}"#, true));
        assert!(!holds_nul(b"subject=100%25 lleno&body=x", false));
        assert!(!holds_nul(br#"{"name":"C:\\u0000 no es NUL"}"#, true));
        assert!(!holds_nul(br#"{"name":"Disco al 100%00"}"#, true));
        assert!(!holds_nul(b"", false));
    }

    #[test]
    fn only_server_functions_are_checked() {
        assert!(is_server_fn("/api/login7380550449274678796"));
        assert!(!is_server_fn("/api/v1/tickets"));
        assert!(!is_server_fn("/tickets"));
    }
}
