//! Server functions for change requests.

use super::{ChangeDetail, ChangeList};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

#[cfg(feature = "ssr")]
use super::command::{
    form_project_id, DeclineReason, Estimate, EstimateInput, FinishSummary, LogWork, Reason,
    SubmitChange, SubmitChangeInput, TimeInput,
};

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
    let p = principal().await?;
    let change = SubmitChange::try_from(SubmitChangeInput {
        title: &title,
        description: &description,
        project_id: form_project_id(project_id.as_deref())?,
        desired_date: desired_date.as_deref(),
    })?;
    let detail = services()?.changes.submit(&p, change).await?;
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
    let p = principal().await?;
    let estimate = Estimate::try_from(EstimateInput {
        estimate: TimeInput::Typed(&estimate),
        risk: &risk,
        planned_for: planned_for.as_deref(),
        scope: &scope,
    })?;
    services()?.changes.estimate(&p, id, estimate).await
}

#[server]
pub async fn change_reject(id: i64, reason: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    let reason = Reason::parse(&reason)?;
    services()?.changes.reject(&p, id, reason).await
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
    let reason = DeclineReason::parse(&reason)?;
    services()?.changes.decline(&p, id, reason).await
}

#[server]
pub async fn change_work(id: i64, time: String, note: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    let work = LogWork::parse(TimeInput::Typed(&time), &note)?;
    services()?.changes.log_work(&p, id, work).await
}

#[server]
pub async fn change_finish(
    id: i64,
    #[server(default)] summary: String,
) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    let summary = FinishSummary::parse(&summary)?;
    services()?.changes.finish(&p, id, summary).await
}

#[server]
pub async fn change_reopen(id: i64, reason: String) -> Result<ChangeDetail, AppError> {
    let p = principal().await?;
    let reason = Reason::parse(&reason)?;
    services()?.changes.reopen(&p, id, reason).await
}
