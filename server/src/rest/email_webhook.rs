//! `POST /api/v1/webhooks/email`: a raw message (RFC 5322) forwarded by a mail service, for
//! deployments that receive mail by webhook instead of (or besides) polling an IMAP mailbox.
//! Authenticated with `Authorization: Bearer <INBOUND_MAIL_TOKEN>`; 404 when not configured.

use super::{ApiError, ApiLocale, ApiResult};
use crate::startup::AppState;
use app::channels::email::Intake;
use app::error::ErrorCode;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MailReceived {
    /// `opened` (a new ticket), `replied` (added to its ticket), `ignored` (written by a machine
    /// or from a staff address) or `duplicate` (this Message-ID was handled before).
    pub outcome: &'static str,
    pub ticket_id: Option<i64>,
}

impl From<Intake> for MailReceived {
    fn from(intake: Intake) -> Self {
        match intake {
            Intake::Opened { ticket_id } => MailReceived {
                outcome: "opened",
                ticket_id: Some(ticket_id),
            },
            Intake::Replied { ticket_id } => MailReceived {
                outcome: "replied",
                ticket_id: Some(ticket_id),
            },
            Intake::Ignored(_) | Intake::FromStaff => MailReceived {
                outcome: "ignored",
                ticket_id: None,
            },
            Intake::Duplicate => MailReceived {
                outcome: "duplicate",
                ticket_id: None,
            },
        }
    }
}

/// One inbound email, raw. A new message opens a ticket for the sender's organisation (matched
/// by address, then by company domain; otherwise a contact of their own); a reply (In-Reply-To /
/// References, or `[T-00012]` in the subject) is added to its ticket; automatic messages are
/// ignored; the same Message-ID twice is handled once.
#[utoipa::path(post, operation_id = "receiveEmail", path = "/api/v1/webhooks/email", tag = "channels",
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    responses((status = 200, body = MailReceived), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
pub async fn email(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<MailReceived>> {
    let error = |code: ErrorCode| ApiError {
        error: code.into(),
        locale: locale.0,
    };
    let Some(token) = state.inbound_mail_token.as_deref() else {
        return Err(error(ErrorCode::NotFound));
    };
    if !crate::security::bearer_matches(&headers, token) {
        tracing::warn!("inbound-mail webhook refused: wrong token");
        return Err(error(ErrorCode::Unauthenticated));
    }
    let intake = state
        .inbound_mail
        .receive(&body)
        .await
        .map_err(|e| ApiError {
            error: e,
            locale: locale.0,
        })?;
    Ok(Json(intake.into()))
}
