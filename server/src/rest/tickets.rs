//! Tickets and the public SLA deadline preview.

use super::{ApiCaller, ApiError, ApiJson, ApiLocale, ApiResult, WithLocale};
use super::{ApiPath, ApiQuery};
use crate::startup::AppState;
use app::domain::{Priority, SupportPlan};
use app::error::{AppError, ErrorCode};
use app::tickets::command::{OpenTicket, OpenTicketInput, Reply};
use app::tickets::{TicketDetail, TicketFilter, TicketSummary};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn query_error(field: &str, locale: ApiLocale) -> ApiError {
    ApiError {
        error: AppError::field(ErrorCode::QueryInvalid, field),
        locale: locale.0,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// `standard`, `advanced` or `premium`
    pub plan: Option<String>,
    /// `high`, `medium` or `normal`
    pub priority: Option<String>,
    /// RFC 3339 instant the request was received, years 2000–2999 (no leap seconds)
    pub received: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Deadline {
    pub plan: String,
    pub priority: String,
    pub received: DateTime<Utc>,
    /// First-response deadline (RFC 3339, UTC).
    pub due: DateTime<Utc>,
    pub target_hours: u32,
}

/// First-response deadline for a plan, priority and reception instant (no sign-in needed).
#[utoipa::path(get, operation_id = "getSlaDeadline", path = "/api/v1/sla/deadline", tag = "sla", params(DeadlineQuery),
    responses((status = 200, body = Deadline), (status = 400, body = super::ErrorBody)))]
pub async fn deadline(
    State(state): State<AppState>,
    locale: ApiLocale,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<Deadline>> {
    let plan = q
        .plan
        .as_deref()
        .and_then(|p| p.parse::<SupportPlan>().ok())
        .ok_or_else(|| query_error("plan", locale))?;
    // English names only here: this endpoint never took the Spanish codes.
    let priority: Priority = q
        .priority
        .as_deref()
        .and_then(|p| Priority::ALL.into_iter().find(|known| known.as_str() == p))
        .ok_or_else(|| query_error("priority", locale))?;
    let received = q
        .received
        .as_deref()
        .and_then(app::domain::sla::parse_received)
        .ok_or_else(|| ApiError {
            error: AppError::field(ErrorCode::ReceivedInvalid, "received"),
            locale: locale.0,
        })?;
    let due = state
        .services
        .tickets
        .preview_due(plan, priority, received)
        .await
        .in_locale(locale)?;
    Ok(Json(Deadline {
        plan: plan.as_str().to_owned(),
        priority: priority.as_str().to_owned(),
        received,
        due,
        target_hours: plan.first_response_hours(priority),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub subject: String,
    /// `incident`, `request`, `maintenance`, `implementation`, `development`, `question`
    pub kind: String,
    /// `high`, `medium`, `normal`
    pub priority: String,
    /// `standard`, `advanced`, `premium`
    pub plan: String,
    /// `new`, `open`, `waiting_on_customer`, `resolved`, `closed`
    pub status: String,
    pub organization: String,
    pub requester: String,
    pub assignee: Option<String>,
    pub on_site: bool,
    pub received_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    /// Where it came from: `portal`, `email` or `chat`.
    pub source: String,
}

impl From<TicketSummary> for Ticket {
    fn from(t: TicketSummary) -> Self {
        Ticket {
            id: t.id,
            number: t.number,
            subject: t.subject,
            kind: t.kind.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
            plan: t.plan.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            organization: t.org_name,
            requester: t.requester_name,
            assignee: t.assignee_name,
            on_site: t.on_site,
            received_at: t.received_at,
            first_response_due: t.first_response_due,
            responded_at: t.responded_at,
            source: t.source.as_str().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Message {
    pub id: i64,
    pub author: String,
    pub staff: bool,
    pub body: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketWithThread {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub body: String,
    pub messages: Vec<Message>,
    pub attachments: Vec<super::files::AttachmentInfo>,
}

impl From<TicketDetail> for TicketWithThread {
    fn from(d: TicketDetail) -> Self {
        TicketWithThread {
            ticket: d.ticket.into(),
            body: d.body,
            messages: d
                .messages
                .into_iter()
                .map(|m| Message {
                    id: m.id,
                    author: m.author_name,
                    staff: m.author_is_staff,
                    body: m.body,
                    internal: m.internal,
                    created_at: m.created_at,
                })
                .collect(),
            attachments: d.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewTicketBody {
    pub subject: String,
    pub body: String,
    pub kind: String,
    /// `high`, `medium` or `normal` (the Spanish `alta` and `media` are still accepted); only
    /// `incident` tickets may be high or medium.
    pub priority: String,
    #[serde(default)]
    pub on_site: bool,
}

/// Open a ticket (customers). The first-response deadline is computed at reception.
#[utoipa::path(post, operation_id = "createTicket", path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = NewTicketBody,
    responses((status = 201, body = Ticket), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewTicketBody>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let command = OpenTicket::try_from(OpenTicketInput {
        subject: &b.subject,
        body: &b.body,
        kind: &b.kind,
        priority: &b.priority,
        on_site: b.on_site,
    })
    .in_locale(caller.locale)?;
    let ticket = state
        .services
        .tickets
        .create(&caller.principal, command)
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(ticket.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only tickets with this status.
    pub status: Option<String>,
}

/// Tickets, most urgent first: the caller's organisation for customers, all for agents.
#[utoipa::path(get, operation_id = "listTickets", path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = [Ticket]), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Ticket>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            s.parse()
                .map_err(|_| query_error("status", caller.locale))?,
        ),
    };
    let list = state
        .services
        .tickets
        .list(
            &caller.principal,
            TicketFilter {
                status,
                ..Default::default()
            },
        )
        .await
        .in_locale(caller.locale)?;
    Ok(Json(list.tickets.into_iter().map(Into::into).collect()))
}

fn parse_id(raw: &str, locale: ApiLocale) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError {
        error: ErrorCode::NotFound.into(),
        locale: locale.0,
    })
}

/// One ticket with its conversation (internal notes only for staff; 404 for another organisation).
#[utoipa::path(get, operation_id = "getTicket", path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TicketWithThread), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TicketWithThread>> {
    let id = parse_id(&id, caller.locale)?;
    let detail = state
        .services
        .tickets
        .get(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(detail.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyBody {
    pub body: String,
    /// Internal note, staff only.
    #[serde(default)]
    pub internal: bool,
}

/// Reply to a ticket. The first public staff reply records the first response.
#[utoipa::path(post, operation_id = "replyToTicket", path = "/api/v1/tickets/{id}/replies", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReplyBody,
    responses((status = 201, body = TicketWithThread), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> ApiResult<(StatusCode, Json<TicketWithThread>)> {
    let id = parse_id(&id, caller.locale)?;
    let reply = Reply::parse(&b.body, b.internal).in_locale(caller.locale)?;
    let detail = state
        .services
        .tickets
        .reply(&caller.principal, id, reply)
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(detail.into())))
}
