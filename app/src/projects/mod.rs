//! Projects on an agile Gantt chart: wire types shared by the browser and the server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::project::{PlanItem, ProjectFigures, ProjectStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A project as lists and pages show it, with its figures computed for today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
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
    pub figures: ProjectFigures,
}

/// A comment on an activity or milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemComment {
    pub id: i64,
    pub item_id: i64,
    pub author_name: String,
    pub author_is_staff: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What a change-log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    ProjectCreated,
    ProjectUpdated,
    ItemAdded,
    Dates,
    Progress,
    State,
    ItemEdited,
    Baseline,
}

impl ChangeAction {
    pub const ALL: [ChangeAction; 8] = [
        ChangeAction::ProjectCreated,
        ChangeAction::ProjectUpdated,
        ChangeAction::ItemAdded,
        ChangeAction::Dates,
        ChangeAction::Progress,
        ChangeAction::State,
        ChangeAction::ItemEdited,
        ChangeAction::Baseline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::ProjectCreated => "project_created",
            ChangeAction::ProjectUpdated => "project_updated",
            ChangeAction::ItemAdded => "item_added",
            ChangeAction::Dates => "dates",
            ChangeAction::Progress => "progress",
            ChangeAction::State => "state",
            ChangeAction::ItemEdited => "item_edited",
            ChangeAction::Baseline => "baseline",
        }
    }
}

impl std::str::FromStr for ChangeAction {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ChangeAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(())
    }
}

/// One entry of a project's change log ("qué cambió esta semana").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChange {
    pub id: i64,
    pub item_id: Option<i64>,
    /// The item's name when the change was made ("" for project-level changes).
    pub item_name: String,
    pub actor_name: String,
    pub action: ChangeAction,
    /// Machine-neutral before/after values: ISO dates `start/end`, a percentage, a state code.
    pub before: String,
    pub after: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectList {
    pub projects: Vec<ProjectSummary>,
    pub today: NaiveDate,
    /// For the staff's new-project form (empty for customers): organisations and possible leads.
    pub orgs: Vec<crate::tickets::StaffMember>,
    pub staff: Vec<crate::tickets::StaffMember>,
}

/// Everything the project page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub project: ProjectSummary,
    pub items: Vec<PlanItem>,
    pub comments: Vec<ItemComment>,
    /// The last seven days of changes, newest first.
    pub changes: Vec<ProjectChange>,
    /// Today in Costa Rica.
    pub today: NaiveDate,
    /// Staff may edit the plan.
    pub can_edit: bool,
    /// People who can lead a project (staff only; empty for customers).
    pub staff: Vec<crate::tickets::StaffMember>,
    /// Change requests linked to the project (filled by the page's server function).
    #[serde(default)]
    pub change_requests: Vec<crate::changes::ChangeSummary>,
}

/// A project's fields as a form or the API sends them (validated by the service).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub start: String,
    pub target_end: String,
    pub lead_id: Option<i64>,
}

/// Changes to an item; `None` keeps the current value. A new item needs kind, name and dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub phase: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub progress: Option<i64>,
    pub state: Option<String>,
    pub blocked_reason: Option<String>,
    pub owner: Option<String>,
    pub depends_on: Option<Vec<i64>>,
}

/// An item after a change, with the dependencies the change left violated (a warning: the
/// change is saved; staff decide whether to move the dependent items too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSaved {
    pub item: PlanItem,
    pub conflicts: Vec<crate::domain::project::DependencyConflict>,
}
