//! Change requests (gestión de cambios): customers ask for work outside a project's scope,
//! agents estimate it, customers approve it against their hour bank, agents log the work.
//! Wire types shared by the browser and the server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::change::{ChangeEventKind, ChangeStatus, Risk};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A change request in lists and at the top of its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSummary {
    pub id: i64,
    pub title: String,
    pub org_id: i64,
    pub org_name: String,
    pub requester_name: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub status: ChangeStatus,
    pub risk: Option<Risk>,
    /// The latest estimate (what the customer is asked to approve while `estimated`).
    pub estimate_minutes: Option<i64>,
    /// What the customer approved in all.
    pub approved_minutes: i64,
    /// Work logged so far (debited from the hour bank).
    pub used_minutes: i64,
    pub desired_date: Option<NaiveDate>,
    pub planned_for: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl ChangeSummary {
    /// `CR-7`
    pub fn number(&self) -> String {
        format!("CR-{}", self.id)
    }
}

/// One timestamped step in a change request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub kind: ChangeEventKind,
    pub actor_name: Option<String>,
    pub minutes: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// What the caller may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeActions {
    pub estimate: bool,
    pub reject: bool,
    pub approve: bool,
    pub decline: bool,
    pub work: bool,
    pub finish: bool,
    pub reopen: bool,
}

/// A change request's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDetail {
    pub summary: ChangeSummary,
    pub description: String,
    /// The agent's assessment of the scope.
    pub scope: String,
    /// Why it was rejected or declined.
    pub reason: String,
    pub events: Vec<ChangeEvent>,
    /// The organisation's usable hours now.
    pub balance_minutes: i64,
    /// Minutes an approval must still cover from the balance.
    pub to_cover_minutes: i64,
    pub actions: ChangeActions,
}

/// The list page: requests, and for customers the form's projects and their balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeList {
    pub items: Vec<ChangeSummary>,
    pub projects: Vec<(i64, String)>,
    pub balance_minutes: Option<i64>,
    pub can_submit: bool,
}
