//! Tickets with first-response SLAs: wire types shared by the browser and the server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::sla::{Calendar, HolidayKind};
use crate::domain::{Priority, SupportPlan, TicketKind, TicketSource, TicketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Human ticket number, e.g. `T-00042`.
pub fn ticket_number(id: i64) -> String {
    format!("T-{id:05}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub kind: TicketKind,
    pub priority: Priority,
    pub plan: SupportPlan,
    pub status: TicketStatus,
    pub org_id: i64,
    pub org_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub on_site: bool,
    pub received_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    /// When it was resolved or closed (none while open).
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub source: TicketSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    pub id: i64,
    pub author_name: String,
    pub author_is_staff: bool,
    /// Markdown as written.
    pub body: String,
    /// Sanitized HTML rendered on the server.
    pub body_html: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

/// A file attached to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub ticket: TicketSummary,
    /// Markdown as written.
    pub body: String,
    /// Sanitized HTML rendered on the server.
    pub body_html: String,
    pub messages: Vec<TicketMessage>,
    pub attachments: Vec<Attachment>,
}

/// A list of tickets plus the calendar their countdowns need in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketList {
    pub tickets: Vec<TicketSummary>,
    pub calendar: Calendar,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPage {
    pub detail: TicketDetail,
    pub calendar: Calendar,
    /// Agents and admins a ticket can be assigned to (empty for customers).
    pub staff: Vec<StaffMember>,
}

/// Filters of the ticket list and agent queue. Empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub open_only: bool,
    pub priority: Option<Priority>,
    pub plan: Option<SupportPlan>,
    pub org_id: Option<i64>,
    pub assignee_id: Option<i64>,
}

/// What the new-ticket form needs: the customer's plan and the calendar for the live preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicketContext {
    pub plan: SupportPlan,
    pub calendar: Calendar,
    /// Identifies this form for knowledge-base suggestion tracking (deflection).
    pub draft: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
}

/// One day of the admin holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: chrono::NaiveDate,
    /// The legal holiday on this date, if any.
    pub legal: Option<HolidayKind>,
    /// The admin's change on this date: `Some(true)` extra day off, `Some(false)` holiday removed.
    pub changed_to_off: Option<bool>,
    pub label: String,
    /// Whether the engine treats the day as a day off.
    pub off: bool,
}
