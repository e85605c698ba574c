//! Meta's webhooks for WhatsApp (`/api/v1/webhooks/whatsapp`) and Messenger / Instagram
//! (`/api/v1/webhooks/messenger`): the GET verification handshake, and POSTs verified with
//! `X-Hub-Signature-256` on the raw body before anything is read or stored. Without the META_*
//! settings both answer 404.

use super::ApiQuery;
use super::{ApiError, ApiLocale, ApiResult};
use crate::meta::signature;
use crate::startup::{AppState, MetaState};
use app::channels::meta::{parse_messenger, parse_whatsapp, NotThisPlatform};
use app::channels::ChannelEvent;
use app::error::ErrorCode;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use utoipa::{IntoParams, ToSchema};

/// Meta retries a webhook for up to 7 days; a signed message older than that is a replay.
const STALE_AFTER_DAYS: i64 = 7;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    challenge: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
    /// New messages stored by this delivery (0 for a duplicate).
    pub stored: usize,
    pub duplicates: usize,
}

fn off(locale: ApiLocale) -> ApiError {
    ApiError {
        error: ErrorCode::NotFound.into(),
        locale: locale.0,
    }
}

fn rejected(locale: ApiLocale) -> ApiError {
    ApiError {
        error: ErrorCode::InvalidInput.into(),
        locale: locale.0,
    }
}

fn meta(state: &AppState, locale: ApiLocale) -> ApiResult<Arc<MetaState>> {
    state.meta.clone().ok_or_else(|| off(locale))
}

fn handshake(meta: &MetaState, q: &Handshake) -> Response {
    let token_ok = q
        .verify_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(meta.verify_token.as_bytes())));
    match (&q.mode, &q.challenge) {
        (Some(mode), Some(challenge)) if mode == "subscribe" && token_ok => {
            (StatusCode::OK, challenge.clone()).into_response()
        }
        _ => (StatusCode::FORBIDDEN, "verification failed").into_response(),
    }
}

async fn receive(
    state: &AppState,
    locale: ApiLocale,
    headers: &HeaderMap,
    body: &Bytes,
    parse: fn(&serde_json::Value) -> Result<Vec<ChannelEvent>, NotThisPlatform>,
) -> ApiResult<Json<Received>> {
    let meta = meta(state, locale)?;
    let header = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(header, body, meta.app_secret.as_bytes()) {
        tracing::warn!(error = %e, "Meta webhook refused");
        return Err(rejected(locale));
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        tracing::warn!(error = %e, "Meta webhook body unreadable");
        rejected(locale)
    })?;
    let events = parse(&value).map_err(|e| {
        tracing::warn!(error = %e, "Meta webhook of the wrong kind");
        rejected(locale)
    })?;
    let oldest_allowed = state.clock.now() - Duration::days(STALE_AFTER_DAYS);
    if events
        .iter()
        .any(|e| matches!(e, ChannelEvent::Message(m) if m.sent_at < oldest_allowed))
    {
        tracing::warn!("Meta webhook with a message older than 7 days refused (replay)");
        return Err(rejected(locale));
    }
    let received = meta.channels.receive(events).await.map_err(|e| {
        tracing::error!(error = %e, "storing a Meta webhook failed");
        ApiError {
            error: ErrorCode::Internal.into(),
            locale: locale.0,
        }
    })?;
    if received.stored > 0 {
        // New conversations are offered to the fairest available agent, like web chats.
        if let Err(e) = state.services.chats.route_waiting().await {
            tracing::warn!(error = %e, "offering channel conversations failed");
        }
    }
    Ok(Json(Received {
        received: true,
        stored: received.stored,
        duplicates: received.duplicates,
    }))
}

/// Meta's subscription check for WhatsApp: echoes `hub.challenge` when `hub.verify_token`
/// matches META_VERIFY_TOKEN (403 otherwise, 404 when the channels are off).
#[utoipa::path(get, operation_id = "verifyWhatsAppWebhook", path = "/api/v1/webhooks/whatsapp", tag = "channels", params(Handshake),
    responses((status = 200, body = String), (status = 403), (status = 404, body = super::ErrorBody)))]
pub async fn whatsapp_verify(
    State(state): State<AppState>,
    locale: ApiLocale,
    ApiQuery(q): ApiQuery<Handshake>,
) -> ApiResult<Response> {
    let meta = meta(&state, locale)?;
    Ok(handshake(&meta, &q))
}

/// WhatsApp Business Cloud API events: messages (text, image, document …) and delivery
/// statuses. Verified with `X-Hub-Signature-256`; anything else is 400 and stores nothing; a
/// message delivered twice is stored once.
#[utoipa::path(post, operation_id = "receiveWhatsApp", path = "/api/v1/webhooks/whatsapp", tag = "channels",
    request_body(content = String, content_type = "application/json", description = "Meta's WhatsApp Business Account webhook payload, signed with X-Hub-Signature-256"),
    responses((status = 200, body = Received), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn whatsapp(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Received>> {
    receive(&state, locale, &headers, &body, parse_whatsapp).await
}

/// Meta's subscription check for Messenger and Instagram.
#[utoipa::path(get, operation_id = "verifyMessengerWebhook", path = "/api/v1/webhooks/messenger", tag = "channels", params(Handshake),
    responses((status = 200, body = String), (status = 403), (status = 404, body = super::ErrorBody)))]
pub async fn messenger_verify(
    State(state): State<AppState>,
    locale: ApiLocale,
    ApiQuery(q): ApiQuery<Handshake>,
) -> ApiResult<Response> {
    let meta = meta(&state, locale)?;
    Ok(handshake(&meta, &q))
}

/// Messenger (`object` = `page`) and Instagram (`object` = `instagram`) events: messages,
/// deliveries and reads. Verified like the WhatsApp webhook.
#[utoipa::path(post, operation_id = "receiveMessenger", path = "/api/v1/webhooks/messenger", tag = "channels",
    request_body(content = String, content_type = "application/json", description = "Meta's Messenger or Instagram webhook payload, signed with X-Hub-Signature-256"),
    responses((status = 200, body = Received), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn messenger(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Received>> {
    receive(&state, locale, &headers, &body, parse_messenger).await
}
