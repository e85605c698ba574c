//! Server functions for the hour bank.

use super::HoursView;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

#[server]
pub async fn hours_load(org: Option<i64>) -> Result<HoursView, AppError> {
    let p = principal().await?;
    services()?.hours.view(&p, org).await
}

/// An admin's adjustment: `amount` is a duration (`2`, `1:30`, `45 min`), `direction` is
/// `credit` or `debit`.
#[server]
pub async fn hours_adjust(
    org_id: i64,
    direction: String,
    amount: String,
    reason: String,
    #[server(default)] validity_months: Option<String>,
) -> Result<HoursView, AppError> {
    use crate::domain::change::parse_duration;
    use crate::error::ErrorCode;
    let p = principal().await?;
    let minutes = parse_duration(&amount)
        .ok_or_else(|| AppError::field(ErrorCode::MinutesInvalid, "amount"))?;
    let signed = if direction == "debit" {
        -minutes
    } else {
        minutes
    };
    let months = validity_months.and_then(|m| m.trim().parse().ok());
    services()?
        .hours
        .adjust(&p, org_id, signed, &reason, months)
        .await
}
