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
    let p = principal().await?;
    let adjustment = super::command::AdjustHours::parse_form(
        &direction,
        &amount,
        &reason,
        validity_months.as_deref().unwrap_or_default(),
    )?;
    services()?.hours.adjust(&p, org_id, adjustment).await
}
