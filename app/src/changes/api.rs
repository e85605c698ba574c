//! Server functions for change requests.

use super::{ChangeDetail, ChangeList};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

#[cfg(feature = "ssr")]
fn duration(text: &str, field: &str) -> Result<i64, AppError> {
    crate::domain::change::parse_duration(text)
        .ok_or_else(|| AppError::field(crate::error::ErrorCode::MinutesInvalid, field))
}

#[server]
pub async fn changes_load() -> Result<ChangeList, AppError> {
    let p = principal().await?;
    services()?.changes.list(&p).await
}

#[server]
pub async fn change_load(id: i64) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.detail(&p, id).await
}

#[server]
pub async fn change_submit(
    title: String,
    description: String,
    #[server(default)] project_id: Option<String>,
    #[server(default)] desired_date: Option<String>,
) -> Result<i64, AppError> {
    use super::service::ChangeInput;
    let p = principal().await?;
    let detail = services()?
        .changes
        .submit(
            &p,
            ChangeInput {
                title: &title,
                description: &description,
                project_id: project_id.and_then(|id| id.parse().ok()),
                desired_date: desired_date.as_deref(),
            },
        )
        .await?;
    leptos_axum::redirect(&format!("/cambios/{}", detail.summary.id));
    Ok(detail.summary.id)
}

#[server]
pub async fn change_estimate(
    id: i64,
    estimate: String,
    risk: String,
    #[server(default)] planned_for: Option<String>,
    #[server(default)] scope: String,
) -> Result<ChangeDetail, AppError> {
    use super::service::Estimate;
    let p = principal().await?;
    let minutes = duration(&estimate, "estimate")?;
    services()?
        .changes
        .estimate(
            &p,
            id,
            Estimate {
                minutes,
                risk: &risk,
                planned_for: planned_for.as_deref(),
                scope: &scope,
            },
        )
        .await
}

#[server]
pub async fn change_reject(id: i64, reason: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.reject(&p, id, &reason).await
}

#[server]
pub async fn change_approve(id: i64) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.approve(&p, id).await
}

#[server]
pub async fn change_decline(
    id: i64,
    #[server(default)] reason: String,
) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.decline(&p, id, &reason).await
}

#[server]
pub async fn change_work(id: i64, time: String, note: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    let minutes = duration(&time, "time")?;
    services()?.changes.log_work(&p, id, minutes, &note).await
}

#[server]
pub async fn change_finish(
    id: i64,
    #[server(default)] summary: String,
) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.finish(&p, id, &summary).await
}

#[server]
pub async fn change_reopen(id: i64, reason: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    services()?.changes.reopen(&p, id, &reason).await
}
