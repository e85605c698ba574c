//! Storage interface for tickets and the holiday calendar.

use super::{Attachment, TicketFilter, TicketMessage, TicketSummary};
use crate::domain::{Priority, SupportPlan, TicketKind, TicketSource, TicketStatus};
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

pub struct NewTicketRow<'a> {
    pub org_id: i64,
    pub requester_id: i64,
    pub subject: &'a str,
    pub body: &'a str,
    pub kind: TicketKind,
    pub priority: Priority,
    pub plan: SupportPlan,
    pub on_site: bool,
    pub received_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub source: TicketSource,
}

pub struct NewMessage<'a> {
    pub ticket_id: i64,
    pub author_id: i64,
    pub body: &'a str,
    pub internal: bool,
    pub now: DateTime<Utc>,
    /// Record `now` as the first response if none is recorded yet (first public staff reply).
    pub first_response: bool,
    pub new_status: Option<TicketStatus>,
}

/// A day the admin changed: `day_off` true adds a day off, false removes a legal holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarChange {
    pub day: NaiveDate,
    pub day_off: bool,
    pub label: String,
}

pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
    pub uploaded_by: i64,
    pub now: DateTime<Utc>,
}

/// An open ticket still waiting for its first response, for the SLA watcher.
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub ticket: TicketSummary,
    pub warned: bool,
    pub breach_notified: bool,
}

/// Which SLA notice a watcher claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaNotice {
    Warning,
    Breach,
}

#[async_trait]
pub trait TicketStore: Send + Sync {
    async fn calendar_changes(&self) -> StoreResult<Vec<CalendarChange>>;
    async fn put_calendar_change(
        &self,
        change: &CalendarChange,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn delete_calendar_change(&self, day: NaiveDate) -> StoreResult<()>;

    async fn create_ticket(&self, ticket: NewTicketRow<'_>) -> StoreResult<i64>;
    /// The ticket with its body.
    async fn get_ticket(&self, id: i64) -> StoreResult<Option<(TicketSummary, String)>>;
    /// Tickets matching the filter (and, for customers, `org_scope`), most urgent first.
    async fn list_tickets(
        &self,
        filter: &TicketFilter,
        org_scope: Option<i64>,
    ) -> StoreResult<Vec<TicketSummary>>;
    async fn messages(
        &self,
        ticket_id: i64,
        include_internal: bool,
    ) -> StoreResult<Vec<TicketMessage>>;
    /// Adds a message and applies its effects (first response, status) in one transaction.
    async fn add_message(&self, message: NewMessage<'_>) -> StoreResult<i64>;
    async fn set_status(
        &self,
        id: i64,
        status: TicketStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn assign(&self, id: i64, assignee: Option<i64>, now: DateTime<Utc>) -> StoreResult<()>;

    /// Open tickets without a first response.
    async fn unanswered(&self) -> StoreResult<Vec<Unanswered>>;
    /// Marks a notice as sent; `false` if another worker already claimed it.
    async fn claim_notice(
        &self,
        id: i64,
        notice: SlaNotice,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn add_attachment(&self, attachment: NewAttachment<'_>) -> StoreResult<i64>;
    async fn attachments(&self, ticket_id: i64) -> StoreResult<Vec<Attachment>>;
    /// The attachment and where its bytes are stored.
    async fn get_attachment(&self, id: i64) -> StoreResult<Option<(Attachment, String)>>;
    /// Every ticket received since `since` (for the SLA report).
    async fn received_since(&self, since: DateTime<Utc>) -> StoreResult<Vec<TicketSummary>>;
}
