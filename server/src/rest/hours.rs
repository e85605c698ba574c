//! The hour bank over the API.

use super::ApiQuery;
use super::{ApiCaller, ApiJson, ApiResult, WithLocale};
use crate::startup::AppState;
use app::hours::command::AdjustHours;
use app::hours::HoursView;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Purchase {
    /// The ledger credit (lot).
    pub lot_id: i64,
    /// `purchase` or `adjustment`
    pub kind: String,
    pub order_id: Option<i64>,
    pub minutes: i64,
    pub remaining_minutes: i64,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Entry {
    pub id: i64,
    /// `purchase`, `debit`, `expiry`, `adjustment` or `refund`
    pub kind: String,
    /// Positive for credits, negative otherwise.
    pub minutes: i64,
    pub lot_id: Option<i64>,
    pub order_id: Option<i64>,
    pub change_request_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct HoursOut {
    pub organization_id: i64,
    pub balance_minutes: i64,
    pub low: bool,
    pub purchases: Vec<Purchase>,
    pub entries: Vec<Entry>,
}

impl From<HoursView> for HoursOut {
    fn from(v: HoursView) -> Self {
        HoursOut {
            organization_id: v.org_id,
            balance_minutes: v.balance_minutes,
            low: v.low,
            purchases: v
                .lots
                .into_iter()
                .map(|l| Purchase {
                    lot_id: l.lot_id,
                    kind: l.kind.as_str().into(),
                    order_id: l.order_id,
                    minutes: l.minutes,
                    remaining_minutes: l.remaining_minutes,
                    expires_at: l.expires_at,
                    expired: l.expired,
                })
                .collect(),
            entries: v
                .entries
                .into_iter()
                .map(|e| Entry {
                    id: e.id,
                    kind: e.kind.as_str().into(),
                    minutes: e.minutes,
                    lot_id: e.lot_id,
                    order_id: e.order_id,
                    change_request_id: e.change_request_id,
                    note: e.note,
                    created_at: e.created_at,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoursQuery {
    /// Staff: whose hours (customers always get their own).
    pub organization_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentBody {
    pub organization_id: i64,
    /// Positive credits, negative withdraws (from the purchases expiring first).
    pub minutes: i64,
    pub reason: String,
    /// Credits only; default 12.
    pub validity_months: Option<u32>,
}

/// The hour bank: balance, purchases with what is left and their expiry, the ledger.
#[utoipa::path(get, operation_id = "getHourBank", path = "/api/v1/hours", tag = "store", security(("bearer" = [])), params(HoursQuery),
    responses((status = 200, body = HoursOut), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<HoursQuery>,
) -> ApiResult<Json<HoursOut>> {
    let view = state
        .services
        .hours
        .view(&caller.principal, q.organization_id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(view.into()))
}

/// An admin's adjustment, with a mandatory reason.
#[utoipa::path(post, operation_id = "adjustHours", path = "/api/v1/hours/adjustments", tag = "store", security(("bearer" = [])), request_body = AdjustmentBody,
    responses((status = 201, body = HoursOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn adjust(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<AdjustmentBody>,
) -> ApiResult<(StatusCode, Json<HoursOut>)> {
    let view = state
        .services
        .hours
        .adjust(
            &caller.principal,
            b.organization_id,
            AdjustHours::parse(b.minutes, &b.reason, b.validity_months).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}
