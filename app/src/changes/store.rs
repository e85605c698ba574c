//! Storage interface for change requests. Each state change is a conditional update (it
//! applies only from the states it expects) written with its history entry in one transaction.

use super::{ChangeEvent, ChangeSummary};
use crate::domain::change::{ChangeEventKind, ChangeStatus, Risk};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

pub struct NewChangeRequest<'a> {
    pub org_id: i64,
    pub requester_id: i64,
    pub project_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
    pub desired_date: Option<NaiveDate>,
    pub now: DateTime<Utc>,
}

/// A row with the long texts.
pub struct ChangeRow {
    pub summary: ChangeSummary,
    pub description: String,
    pub scope: String,
    pub reason: String,
    pub assessor_id: Option<i64>,
    pub requester_id: i64,
}

/// The columns a step changes; `None` leaves a column as it is.
#[derive(Default)]
pub struct ChangeUpdate {
    pub status: Option<ChangeStatus>,
    pub risk: Option<Risk>,
    pub estimate_minutes: Option<i64>,
    pub approved_minutes: Option<i64>,
    pub planned_for: Option<NaiveDate>,
    pub scope: Option<String>,
    pub reason: Option<String>,
    pub assessor_id: Option<i64>,
    /// `Some(None)` clears it.
    pub done_at: Option<Option<DateTime<Utc>>>,
}

pub struct NewEvent<'a> {
    pub kind: ChangeEventKind,
    pub actor_id: Option<i64>,
    pub minutes: Option<i64>,
    pub note: &'a str,
    pub now: DateTime<Utc>,
}

#[async_trait]
pub trait ChangeStore: Send + Sync {
    async fn create(&self, change: NewChangeRequest<'_>) -> StoreResult<i64>;
    async fn get(&self, id: i64) -> StoreResult<Option<ChangeRow>>;
    /// Newest first; one organisation's or everyone's.
    async fn list(&self, org_id: Option<i64>) -> StoreResult<Vec<ChangeSummary>>;
    async fn for_project(&self, project_id: i64) -> StoreResult<Vec<ChangeSummary>>;
    async fn events(&self, id: i64) -> StoreResult<Vec<ChangeEvent>>;
    /// Applies `update` if the request is in one of `from`; false when it was not.
    async fn transition(
        &self,
        id: i64,
        from: &[ChangeStatus],
        update: ChangeUpdate,
        event: NewEvent<'_>,
    ) -> StoreResult<bool>;
    /// A history entry without a state change (work logged).
    async fn add_event(&self, id: i64, event: NewEvent<'_>) -> StoreResult<()>;
    /// The organisation's projects (id, name), for the request form.
    async fn org_projects(&self, org_id: i64) -> StoreResult<Vec<(i64, String)>>;
}
