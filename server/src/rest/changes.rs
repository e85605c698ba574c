//! Change requests over the API: the customer submits, approves or declines; staff estimate,
//! reject, log work (debited from the hour bank; 409 beyond the estimate or the balance) and
//! finish; the customer may reopen within 7 days.

use super::ApiPath;
use super::{ApiCaller, ApiJson, ApiResult, WithLocale};
use crate::startup::AppState;
use app::changes::command::{
    DeclineReason, Estimate, EstimateInput, FinishSummary, LogWork, Reason, SubmitChange,
    SubmitChangeInput, TimeInput,
};
use app::changes::{ChangeDetail, ChangeSummary};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub organization_id: i64,
    pub project_id: Option<i64>,
    /// `submitted`, `estimated`, `approved`, `in_progress`, `done`, `rejected` or `declined`
    pub status: String,
    /// `bajo`, `medio` or `alto`
    pub risk: Option<String>,
    pub estimate_minutes: Option<i64>,
    pub approved_minutes: i64,
    pub used_minutes: i64,
    pub desired_date: Option<NaiveDate>,
    pub planned_for: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl From<ChangeSummary> for ChangeOut {
    fn from(s: ChangeSummary) -> Self {
        ChangeOut {
            number: s.number(),
            id: s.id,
            title: s.title,
            organization_id: s.org_id,
            project_id: s.project_id,
            status: s.status.as_str().into(),
            risk: s.risk.map(|r| r.as_str().into()),
            estimate_minutes: s.estimate_minutes,
            approved_minutes: s.approved_minutes,
            used_minutes: s.used_minutes,
            desired_date: s.desired_date,
            planned_for: s.planned_for,
            created_at: s.created_at,
            done_at: s.done_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    /// `submitted`, `estimated`, `rejected`, `approved`, `declined`, `work`, `done`, `reopened`
    pub kind: String,
    pub by: Option<String>,
    pub minutes: Option<i64>,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDetailOut {
    #[serde(flatten)]
    pub change: ChangeOut,
    pub description: String,
    pub scope: String,
    pub reason: String,
    pub balance_minutes: i64,
    pub history: Vec<HistoryEntry>,
}

impl From<ChangeDetail> for ChangeDetailOut {
    fn from(d: ChangeDetail) -> Self {
        ChangeDetailOut {
            change: d.summary.into(),
            description: d.description,
            scope: d.scope,
            reason: d.reason,
            balance_minutes: d.balance_minutes,
            history: d
                .events
                .into_iter()
                .map(|e| HistoryEntry {
                    kind: e.kind.as_str().into(),
                    by: e.actor_name,
                    minutes: e.minutes,
                    note: e.note,
                    at: e.created_at,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewChangeBody {
    pub title: String,
    pub description: String,
    pub project_id: Option<i64>,
    /// YYYY-MM-DD
    pub desired_date: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct EstimateBody {
    /// The whole request's estimate, in minutes.
    pub minutes: i64,
    /// `bajo`, `medio` or `alto` (or low/medium/high)
    pub risk: String,
    /// YYYY-MM-DD
    pub planned_for: Option<String>,
    #[serde(default)]
    pub scope: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct WorkBody {
    pub minutes: i64,
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct DoneBody {
    #[serde(default)]
    pub summary: String,
}

type Detail = ApiResult<Json<ChangeDetailOut>>;

/// Change requests: the organisation's (customers) or all (staff), newest first.
#[utoipa::path(get, operation_id = "listChangeRequests", path = "/api/v1/change-requests", tag = "change requests", security(("bearer" = [])),
    responses((status = 200, body = [ChangeOut]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<ChangeOut>>> {
    let list = state
        .services
        .changes
        .list(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(list.items.into_iter().map(Into::into).collect()))
}

/// Submit a change request (customers).
#[utoipa::path(post, operation_id = "createChangeRequest", path = "/api/v1/change-requests", tag = "change requests", security(("bearer" = [])), request_body = NewChangeBody,
    responses((status = 201, body = ChangeDetailOut), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewChangeBody>,
) -> ApiResult<(StatusCode, Json<ChangeDetailOut>)> {
    let change = SubmitChange::try_from(SubmitChangeInput {
        title: &b.title,
        description: &b.description,
        project_id: b.project_id,
        desired_date: b.desired_date.as_deref(),
    })
    .in_locale(caller.locale)?;
    let detail = state
        .services
        .changes
        .submit(&caller.principal, change)
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(detail.into())))
}

/// A change request with its history. Another organisation's is 404.
#[utoipa::path(get, operation_id = "getChangeRequest", path = "/api/v1/change-requests/{id}", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ChangeDetailOut), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Detail {
    let d = state
        .services
        .changes
        .detail(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Estimate (or re-estimate) a request (agents, admins).
#[utoipa::path(post, operation_id = "estimateChangeRequest", path = "/api/v1/change-requests/{id}/estimate", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = EstimateBody,
    responses((status = 200, body = ChangeDetailOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn estimate(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EstimateBody>,
) -> Detail {
    let estimate = Estimate::try_from(EstimateInput {
        estimate: TimeInput::Minutes(b.minutes),
        risk: &b.risk,
        planned_for: b.planned_for.as_deref(),
        scope: &b.scope,
    })
    .in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .estimate(&caller.principal, id, estimate)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Reject a request with a reason (agents, admins).
#[utoipa::path(post, operation_id = "rejectChangeRequest", path = "/api/v1/change-requests/{id}/reject", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = ChangeDetailOut), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Detail {
    let reason = Reason::parse(&b.reason).in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .reject(&caller.principal, id, reason)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Approve the estimate (customers); 409 `balance_short` when the hour bank cannot cover it.
#[utoipa::path(post, operation_id = "approveChangeRequest", path = "/api/v1/change-requests/{id}/approve", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ChangeDetailOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Detail {
    let d = state
        .services
        .changes
        .approve(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Decline the estimate (customers).
#[utoipa::path(post, operation_id = "declineChangeRequest", path = "/api/v1/change-requests/{id}/decline", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = ChangeDetailOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReasonBody>, super::ApiError>,
) -> Detail {
    let reason = body.map(|ApiJson(b)| b.reason).unwrap_or_default();
    let reason = DeclineReason::parse(&reason).in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .decline(&caller.principal, id, reason)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Log work in minutes (agents, admins): debited from the hour bank, purchase expiring first;
/// 409 `over_estimate` or `balance_short`.
#[utoipa::path(post, operation_id = "logChangeRequestWork", path = "/api/v1/change-requests/{id}/work", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WorkBody,
    responses((status = 200, body = ChangeDetailOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn work(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WorkBody>,
) -> Detail {
    let work = LogWork::parse(TimeInput::Minutes(b.minutes), &b.note).in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .log_work(&caller.principal, id, work)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Mark the request done (agents, admins).
#[utoipa::path(post, operation_id = "finishChangeRequest", path = "/api/v1/change-requests/{id}/done", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DoneBody,
    responses((status = 200, body = ChangeDetailOut), (status = 409, body = super::ErrorBody)))]
pub async fn done(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<DoneBody>, super::ApiError>,
) -> Detail {
    let summary = body.map(|ApiJson(b)| b.summary).unwrap_or_default();
    let summary = FinishSummary::parse(&summary).in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .finish(&caller.principal, id, summary)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}

/// Reopen within 7 days of completion (customers), with a reason.
#[utoipa::path(post, operation_id = "reopenChangeRequest", path = "/api/v1/change-requests/{id}/reopen", tag = "change requests", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = ChangeDetailOut), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Detail {
    let reason = Reason::parse(&b.reason).in_locale(caller.locale)?;
    let d = state
        .services
        .changes
        .reopen(&caller.principal, id, reason)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(d.into()))
}
