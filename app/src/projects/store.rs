//! Storage interface for projects, their plan, comments and change log.

use super::{ChangeAction, ItemComment, ProjectChange};
use crate::domain::project::{ItemKind, ItemState, PlanItem, ProjectStatus};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A project row without the figures computed from its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub lead_id: Option<i64>,
    pub lead_name: Option<String>,
    pub baseline_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Validated project fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFields {
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub lead_id: Option<i64>,
}

/// Validated item fields (the id is ignored on insert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub kind: ItemKind,
    pub name: String,
    pub phase: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub progress: u8,
    pub state: ItemState,
    pub blocked_reason: Option<String>,
    pub owner: Option<String>,
    pub depends_on: Vec<i64>,
}

/// A change-log entry written in the same transaction as the change itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub item_id: Option<i64>,
    pub item_name: String,
    pub action: ChangeAction,
    pub before: String,
    pub after: String,
}

impl NewChange {
    /// A project-level entry with no before/after values (created, baseline saved).
    pub fn project(action: ChangeAction) -> Self {
        NewChange {
            item_id: None,
            item_name: String::new(),
            action,
            before: String::new(),
            after: String::new(),
        }
    }
}

#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// Projects of one organisation, or all of them (`None`), newest first.
    async fn list_projects(&self, org_id: Option<i64>) -> StoreResult<Vec<ProjectRow>>;
    async fn project(&self, id: i64) -> StoreResult<ProjectRow>;
    /// Items of the given projects in plan order, with their project id.
    async fn items_of(&self, project_ids: &[i64]) -> StoreResult<Vec<(i64, PlanItem)>>;
    async fn create_project(
        &self,
        fields: &ProjectFields,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn update_project(
        &self,
        id: i64,
        fields: &ProjectFields,
        actor: i64,
        change: Option<&NewChange>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn add_item(
        &self,
        project_id: i64,
        fields: &ItemFields,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn update_item(
        &self,
        project_id: i64,
        item_id: i64,
        fields: &ItemFields,
        actor: i64,
        changes: &[NewChange],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Copies every item's dates into its baseline.
    async fn save_baseline(
        &self,
        project_id: i64,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn comments(&self, project_id: i64) -> StoreResult<Vec<ItemComment>>;
    async fn add_comment(
        &self,
        project_id: i64,
        item_id: i64,
        author: i64,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ItemComment>;
    /// Change-log entries since `since`, newest first.
    async fn changes(
        &self,
        project_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<ProjectChange>>;
}
