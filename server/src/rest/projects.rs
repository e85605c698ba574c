//! Projects and their plan: customers read their organisation's, staff manage all.

use super::ApiPath;
use super::{ApiCaller, ApiJson, ApiResult, WithLocale};
use crate::startup::AppState;
use app::domain::project::{DependencyConflict, PlanItem};
use app::projects::command::{CommentBody as CommentText, SaveProject};
use app::projects::{ItemPatch, ItemSaved, ProjectInput, ProjectPage, ProjectSummary};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Milestone {
    pub name: String,
    pub date: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organization_id: i64,
    pub organization: String,
    /// `planned`, `active`, `paused` or `closed`
    pub status: String,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub lead: Option<String>,
    pub baseline_at: Option<DateTime<Utc>>,
    /// Overall progress, 0–100, activities weighted by length.
    pub progress: u8,
    /// `on_track`, `at_risk` or `late` (rule in the README).
    pub health: String,
    pub blocked: usize,
    pub deviated: usize,
    pub next_milestone: Option<Milestone>,
}

impl From<ProjectSummary> for Project {
    fn from(p: ProjectSummary) -> Self {
        Project {
            id: p.id,
            name: p.name,
            description: p.description,
            organization_id: p.org_id,
            organization: p.org_name,
            status: p.status.as_str().to_owned(),
            start: p.start,
            target_end: p.target_end,
            lead: p.lead_name,
            baseline_at: p.baseline_at,
            progress: p.figures.progress,
            health: p.figures.health.as_str().to_owned(),
            blocked: p.figures.blocked,
            deviated: p.figures.deviated,
            next_milestone: p
                .figures
                .next_milestone
                .map(|(name, date)| Milestone { name, date }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Item {
    pub id: i64,
    /// `activity` or `milestone`
    pub kind: String,
    pub name: String,
    pub phase: String,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    pub progress: u8,
    /// `pending`, `in_progress`, `blocked` or `done`
    pub state: String,
    pub blocked_reason: Option<String>,
    pub owner: Option<String>,
    pub baseline_start: Option<NaiveDate>,
    pub baseline_end: Option<NaiveDate>,
    /// Days late (+) or early (−) against the baseline end.
    pub deviation_days: Option<i64>,
    /// Finish-to-start predecessors.
    pub depends_on: Vec<i64>,
}

impl From<PlanItem> for Item {
    fn from(i: PlanItem) -> Self {
        Item {
            deviation_days: i.deviation_days(),
            id: i.id,
            kind: i.kind.as_str().to_owned(),
            name: i.name,
            phase: i.phase,
            start: i.start,
            end: i.end,
            progress: i.progress,
            state: i.state.as_str().to_owned(),
            blocked_reason: i.blocked_reason,
            owner: i.owner,
            baseline_start: i.baseline_start,
            baseline_end: i.baseline_end,
            depends_on: i.depends_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProjectWithItems {
    #[serde(flatten)]
    pub project: Project,
    pub items: Vec<Item>,
}

impl From<ProjectPage> for ProjectWithItems {
    fn from(p: ProjectPage) -> Self {
        ProjectWithItems {
            project: p.project.into(),
            items: p.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// A dependency the saved change left violated: `item` now starts before `depends_on` ends.
#[derive(Serialize, ToSchema)]
pub struct Conflict {
    pub item: i64,
    pub depends_on: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SavedItem {
    #[serde(flatten)]
    pub item: Item,
    /// Warnings: the change is saved, these dependencies are now violated.
    pub conflicts: Vec<Conflict>,
}

impl From<ItemSaved> for SavedItem {
    fn from(s: ItemSaved) -> Self {
        SavedItem {
            item: s.item.into(),
            conflicts: s
                .conflicts
                .into_iter()
                .map(|DependencyConflict { item, depends_on }| Conflict { item, depends_on })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewProjectBody {
    pub organization_id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `planned` (default), `active`, `paused` or `closed`
    #[serde(default)]
    pub status: String,
    /// YYYY-MM-DD
    pub start: String,
    /// YYYY-MM-DD
    pub target_end: String,
    pub lead_id: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ItemBody {
    /// `activity` (default) or `milestone`
    pub kind: Option<String>,
    pub name: Option<String>,
    pub phase: Option<String>,
    /// YYYY-MM-DD (ignored for milestones)
    pub start: Option<String>,
    /// YYYY-MM-DD, inclusive
    pub end: Option<String>,
    pub progress: Option<i64>,
    /// `pending`, `in_progress`, `blocked` (needs `blocked_reason`) or `done`
    pub state: Option<String>,
    pub blocked_reason: Option<String>,
    pub owner: Option<String>,
    pub depends_on: Option<Vec<i64>>,
}

impl From<ItemBody> for ItemPatch {
    fn from(b: ItemBody) -> Self {
        ItemPatch {
            kind: b.kind,
            name: b.name,
            phase: b.phase,
            start: b.start,
            end: b.end,
            progress: b.progress,
            state: b.state,
            blocked_reason: b.blocked_reason,
            owner: b.owner,
            depends_on: b.depends_on,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub item_id: i64,
    pub author: String,
    pub staff: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Projects: the caller's organisation's for customers, all for staff.
#[utoipa::path(get, operation_id = "listProjects", path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    responses((status = 200, body = [Project]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<Project>>> {
    let list = state
        .services
        .projects
        .list(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(list.projects.into_iter().map(Into::into).collect()))
}

/// A project with its plan. Another organisation's project is 404.
#[utoipa::path(get, operation_id = "getProject", path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProjectWithItems), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ProjectWithItems>> {
    let page = state
        .services
        .projects
        .page(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(page.into()))
}

/// Create a project (agents, admins).
#[utoipa::path(post, operation_id = "createProject", path = "/api/v1/projects", tag = "projects", security(("bearer" = [])), request_body = NewProjectBody,
    responses((status = 201, body = Project), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewProjectBody>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let input = ProjectInput {
        org_id: b.organization_id,
        name: b.name,
        description: b.description,
        status: b.status,
        start: b.start,
        target_end: b.target_end,
        lead_id: b.lead_id,
    };
    let project = state
        .services
        .projects
        .create(
            &caller.principal,
            SaveProject::try_from(&input).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(project.into())))
}

/// Add an activity or milestone (agents, admins). Needs `name` and `end` (and `start` for activities).
#[utoipa::path(post, operation_id = "addProjectItem", path = "/api/v1/projects/{id}/items", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ItemBody,
    responses((status = 201, body = SavedItem), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<(StatusCode, Json<SavedItem>)> {
    let saved = state
        .services
        .projects
        .add_item(&caller.principal, id, &b.into())
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Change an item (agents, admins); omitted fields keep their value. A date change that breaks a
/// dependency is saved and reported in `conflicts`.
#[utoipa::path(patch, operation_id = "updateProjectItem", path = "/api/v1/projects/{id}/items/{item}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = ItemBody,
    responses((status = 200, body = SavedItem), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<Json<SavedItem>> {
    let saved = state
        .services
        .projects
        .update_item(&caller.principal, id, item, &b.into())
        .await
        .in_locale(caller.locale)?;
    Ok(Json(saved.into()))
}

/// Save the current plan as the baseline (agents, admins).
#[utoipa::path(post, operation_id = "setProjectBaseline", path = "/api/v1/projects/{id}/baseline", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn baseline(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Project>> {
    let project = state
        .services
        .projects
        .save_baseline(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(project.into()))
}

/// Comment on an activity or milestone (staff, or customers of the project's organisation).
#[utoipa::path(post, operation_id = "commentProjectItem", path = "/api/v1/projects/{id}/items/{item}/comments", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = CommentBody,
    responses((status = 201, body = Comment), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let c = state
        .services
        .projects
        .comment(
            &caller.principal,
            id,
            item,
            CommentText::parse(&b.body).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((
        StatusCode::CREATED,
        Json(Comment {
            id: c.id,
            item_id: c.item_id,
            author: c.author_name,
            staff: c.author_is_staff,
            body: c.body,
            created_at: c.created_at,
        }),
    ))
}
