//! The SLA report as JSON (bearer) and as a CSV download for signed-in staff (session cookie).

use super::{ApiCaller, ApiError, ApiLocale, ApiResult, WithLocale};
use crate::startup::AppState;
use app::domain::sla_report::report_csv;
use app::error::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SlaReportRow {
    /// `YYYY-MM` (Costa Rica time)
    pub month: String,
    pub plan: String,
    pub priority: String,
    pub received: u32,
    pub responded_on_time: u32,
    pub breached: u32,
    pub median_business_hours: Option<f64>,
    pub p90_business_hours: Option<f64>,
}

/// First-response SLA per plan, priority and month over the last 12 months (agents, admins).
#[utoipa::path(get, operation_id = "getSlaReport", path = "/api/v1/reports/sla", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = [SlaReportRow]), (status = 403, body = super::ErrorBody)))]
pub async fn sla_json(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<SlaReportRow>>> {
    let rows = state
        .services
        .tickets
        .report(&caller.principal, 12)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SlaReportRow {
                month: r.month,
                plan: r.plan.as_str().to_owned(),
                priority: r.priority.as_str().to_owned(),
                received: r.received,
                responded_on_time: r.responded_on_time,
                breached: r.breached,
                median_business_hours: r.median_hours,
                p90_business_hours: r.p90_hours,
            })
            .collect(),
    ))
}

/// CSV download from the report page, authenticated by the web session cookie.
pub async fn sla_csv(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let services = &state.services;
    let token = services.session_token(&headers).ok_or(ApiError {
        error: ErrorCode::Unauthenticated.into(),
        locale: locale.0,
    })?;
    let principal = services
        .accounts
        .authenticate(&token, app::accounts::SessionKind::Web)
        .await
        .in_locale(locale)?;
    let rows = services
        .tickets
        .report(&principal, 12)
        .await
        .in_locale(locale)?;
    let mut res = report_csv(&rows).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"reporte-sla.csv\""),
    );
    Ok(res)
}
