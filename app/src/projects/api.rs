//! Server functions for projects: identify the caller, call the service.

use super::{ItemComment, ItemPatch, ItemSaved, ProjectList, ProjectPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::command::{parse_lead, CommentBody, SaveProject};
#[cfg(feature = "ssr")]
use super::ProjectInput;
#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

#[server]
pub async fn projects_load() -> Result<ProjectList, AppError> {
    let p = principal().await?;
    services()?.projects.list(&p).await
}

#[server]
pub async fn project_load(id: i64) -> Result<ProjectPage, AppError> {
    let p = principal().await?;
    let services = services()?;
    let mut page = services.projects.page(&p, id).await?;
    page.change_requests = services.changes.for_project(id).await?;
    Ok(page)
}

/// Creates a project (staff) from the plain form on the projects page and opens it.
#[server]
pub async fn project_create(
    org_id: i64,
    name: String,
    #[server(default)] description: String,
    start: String,
    target_end: String,
    #[server(default)] lead_id: Option<String>,
) -> Result<i64, AppError> {
    let p = principal().await?;
    let input = ProjectInput {
        org_id,
        name,
        description,
        status: String::new(),
        start,
        target_end,
        lead_id: parse_lead(lead_id.as_deref())?,
    };
    let project = services()?
        .projects
        .create(&p, SaveProject::try_from(&input)?)
        .await?;
    leptos_axum::redirect(&format!("/proyectos/{}", project.id));
    Ok(project.id)
}

#[server]
pub async fn project_update(
    id: i64,
    name: String,
    #[server(default)] description: String,
    status: String,
    start: String,
    target_end: String,
    #[server(default)] lead_id: Option<String>,
) -> Result<i64, AppError> {
    let p = principal().await?;
    // The organisation stays the project's own (taken by the service).
    let input = ProjectInput {
        org_id: 0,
        name,
        description,
        status,
        start,
        target_end,
        lead_id: parse_lead(lead_id.as_deref())?,
    };
    let cmd = SaveProject::try_from(&input)?;
    Ok(services()?.projects.update(&p, id, cmd).await?.id)
}

/// Adds (`item_id` = None) or changes an item. JSON, so an emptied dependency list stays
/// distinguishable from "unchanged".
#[server(input = Json)]
pub async fn project_save_item(
    project_id: i64,
    item_id: Option<i64>,
    patch: ItemPatch,
) -> Result<ItemSaved, AppError> {
    let p = principal().await?;
    let projects = services()?.projects.clone();
    match item_id {
        Some(item) => projects.update_item(&p, project_id, item, &patch).await,
        None => projects.add_item(&p, project_id, &patch).await,
    }
}

#[server]
pub async fn project_baseline(id: i64) -> Result<i64, AppError> {
    let p = principal().await?;
    Ok(services()?.projects.save_baseline(&p, id).await?.id)
}

#[server]
pub async fn project_comment(
    project_id: i64,
    item_id: i64,
    body: String,
) -> Result<ItemComment, AppError> {
    let p = principal().await?;
    services()?
        .projects
        .comment(&p, project_id, item_id, CommentBody::parse(&body)?)
        .await
}
