//! `TicketStore` for SQLite and PostgreSQL.

use super::{found, store_err, with_pool, Db};
use app::domain::{Priority, SupportPlan, TicketKind, TicketSource, TicketStatus};
use app::kernel::{StoreError, StoreResult};
use app::tickets::store::{
    CalendarChange, NewAttachment, NewMessage, NewTicketRow, SlaNotice, TicketStore, Unanswered,
};
use app::tickets::{ticket_number, Attachment, TicketFilter, TicketMessage, TicketSummary};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    subject: String,
    body: String,
    kind: String,
    priority: String,
    plan: String,
    status: String,
    org_id: i64,
    org_name: String,
    requester_id: i64,
    requester_name: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    on_site: bool,
    received_at: DateTime<Utc>,
    first_response_due: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    source: String,
}

impl TicketRow {
    fn into_parts(self) -> StoreResult<(TicketSummary, String)> {
        let summary = TicketSummary {
            id: self.id,
            number: ticket_number(self.id),
            subject: self.subject,
            kind: self
                .kind
                .parse::<TicketKind>()
                .map_err(|_| bad("kind", &self.kind))?,
            priority: self
                .priority
                .parse::<Priority>()
                .map_err(|_| bad("priority", &self.priority))?,
            plan: self
                .plan
                .parse::<SupportPlan>()
                .map_err(|_| bad("plan", &self.plan))?,
            status: self
                .status
                .parse::<TicketStatus>()
                .map_err(|_| bad("status", &self.status))?,
            org_id: self.org_id,
            org_name: self.org_name,
            requester_id: self.requester_id,
            requester_name: self.requester_name,
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            on_site: self.on_site,
            received_at: self.received_at,
            first_response_due: self.first_response_due,
            responded_at: self.responded_at,
            closed_at: self.closed_at,
            source: self
                .source
                .parse::<TicketSource>()
                .map_err(|_| bad("source", &self.source))?,
        };
        Ok((summary, self.body))
    }
}

const TICKET_SELECT: &str = "SELECT t.id, t.subject, t.body, t.kind, t.priority, t.plan, t.status, t.org_id, \
     o.name AS org_name, t.requester_id, r.name AS requester_name, t.assignee_id, a.name AS assignee_name, \
     t.on_site, t.received_at, t.first_response_due, t.responded_at, t.closed_at, t.source \
     FROM tickets t JOIN organizations o ON o.id = t.org_id JOIN users r ON r.id = t.requester_id \
     LEFT JOIN users a ON a.id = t.assignee_id";

#[derive(sqlx::FromRow)]
struct UnansweredRow {
    #[sqlx(flatten)]
    ticket: TicketRow,
    warned: bool,
    breach_notified: bool,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    author_name: String,
    author_role: String,
    body: String,
    internal: bool,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    ticket_id: i64,
    filename: String,
    content_type: String,
    size: i64,
    storage_key: String,
    uploaded_by: String,
    created_at: DateTime<Utc>,
}

impl AttachmentRow {
    fn split(self) -> (Attachment, String) {
        let a = Attachment {
            id: self.id,
            ticket_id: self.ticket_id,
            filename: self.filename,
            content_type: self.content_type,
            size: self.size,
            uploaded_by: self.uploaded_by,
            created_at: self.created_at,
        };
        (a, self.storage_key)
    }
}

const ATTACHMENT_SELECT: &str = "SELECT a.id, a.ticket_id, a.filename, a.content_type, a.size, a.storage_key, \
     u.name AS uploaded_by, a.created_at FROM ticket_attachments a JOIN users u ON u.id = a.uploaded_by";

#[derive(sqlx::FromRow)]
struct CalendarRow {
    day: String,
    day_off: bool,
    label: String,
}

#[async_trait]
impl TicketStore for Db {
    async fn calendar_changes(&self) -> StoreResult<Vec<CalendarChange>> {
        let sql = "SELECT day, day_off, label FROM calendar_changes ORDER BY day";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, CalendarRow>(sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                let day = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d")
                    .map_err(|_| bad("day", &r.day))?;
                Ok(CalendarChange {
                    day,
                    day_off: r.day_off,
                    label: r.label,
                })
            })
            .collect()
    }

    async fn put_calendar_change(
        &self,
        change: &CalendarChange,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO calendar_changes (day, day_off, label, created_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (day) DO UPDATE SET day_off = EXCLUDED.day_off, label = EXCLUDED.label";
        let day = change.day.format("%Y-%m-%d").to_string();
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(&day)
            .bind(change.day_off)
            .bind(&change.label)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn delete_calendar_change(&self, day: NaiveDate) -> StoreResult<()> {
        let sql = "DELETE FROM calendar_changes WHERE day = $1";
        let day = day.format("%Y-%m-%d").to_string();
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(&day)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn create_ticket(&self, t: NewTicketRow<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO tickets (org_id, requester_id, subject, body, kind, priority, plan, on_site, status, \
                   received_at, first_response_due, updated_at, source) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9, $10, $9, $11) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(t.org_id)
            .bind(t.requester_id)
            .bind(t.subject)
            .bind(t.body)
            .bind(t.kind.as_str())
            .bind(t.priority.db_code())
            .bind(t.plan.db_code())
            .bind(t.on_site)
            .bind(t.received_at)
            .bind(t.first_response_due)
            .bind(t.source.as_str())
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn get_ticket(&self, id: i64) -> StoreResult<Option<(TicketSummary, String)>> {
        let sql = format!("{TICKET_SELECT} WHERE t.id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, TicketRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(TicketRow::into_parts).transpose()
    }

    async fn list_tickets(
        &self,
        f: &TicketFilter,
        org_scope: Option<i64>,
    ) -> StoreResult<Vec<TicketSummary>> {
        // Optional filters as "parameter is null or matches"; urgent first: unanswered open tickets
        // by deadline (breached first), then the rest by most recent.
        let sql = format!(
            "{TICKET_SELECT} WHERE ($1 IS NULL OR t.org_id = $1) AND ($2 IS NULL OR t.status = $2) \
             AND ($3 IS NULL OR t.priority = $3) AND ($4 IS NULL OR t.plan = $4) AND ($5 IS NULL OR t.org_id = $5) \
             AND ($6 IS NULL OR t.assignee_id = $6) AND ($7 = FALSE OR t.status NOT IN ('resolved', 'closed')) \
             ORDER BY CASE WHEN t.responded_at IS NULL AND t.status NOT IN ('resolved', 'closed') THEN 0 ELSE 1 END, \
             CASE WHEN t.responded_at IS NULL AND t.status NOT IN ('resolved', 'closed') THEN t.first_response_due END, \
             t.received_at DESC, t.id DESC LIMIT 500"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, TicketRow>(&sql)
            .bind(org_scope)
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.priority.map(|p| p.db_code()))
            .bind(f.plan.map(|p| p.db_code()))
            .bind(f.org_id)
            .bind(f.assignee_id)
            .bind(f.open_only)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| r.into_parts().map(|(s, _)| s))
            .collect()
    }

    async fn messages(
        &self,
        ticket_id: i64,
        include_internal: bool,
    ) -> StoreResult<Vec<TicketMessage>> {
        let sql = "SELECT m.id, u.name AS author_name, u.role AS author_role, m.body, m.internal, m.created_at \
                   FROM ticket_messages m JOIN users u ON u.id = m.author_id \
                   WHERE m.ticket_id = $1 AND ($2 = TRUE OR m.internal = FALSE) ORDER BY m.id";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, MessageRow>(sql)
            .bind(ticket_id)
            .bind(include_internal)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| TicketMessage {
                id: r.id,
                author_name: r.author_name,
                author_is_staff: r.author_role != "customer",
                body: r.body,
                body_html: String::new(),
                internal: r.internal,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn add_message(&self, m: NewMessage<'_>) -> StoreResult<i64> {
        let insert = "INSERT INTO ticket_messages (ticket_id, author_id, body, internal, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let respond = "UPDATE tickets SET responded_at = $1 WHERE id = $2 AND responded_at IS NULL";
        let status = "UPDATE tickets SET status = $1, closed_at = $3 WHERE id = $2";
        let touch = "UPDATE tickets SET updated_at = $1 WHERE id = $2";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar::<_, i64>(insert)
                .bind(m.ticket_id)
                .bind(m.author_id)
                .bind(m.body)
                .bind(m.internal)
                .bind(m.now)
                .fetch_one(&mut *tx)
                .await?;
            if m.first_response {
                sqlx::query(respond)
                    .bind(m.now)
                    .bind(m.ticket_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(s) = m.new_status {
                sqlx::query(status)
                    .bind(s.as_str())
                    .bind(m.ticket_id)
                    .bind((!s.is_open()).then_some(m.now))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(touch)
                .bind(m.now)
                .bind(m.ticket_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn set_status(
        &self,
        id: i64,
        status: TicketStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        // Closing keeps the first closing time; reopening clears it.
        let sql = "UPDATE tickets SET status = $1, updated_at = $2, \
                   closed_at = CASE WHEN $4 THEN COALESCE(closed_at, $2) END WHERE id = $3";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(status.as_str())
            .bind(now)
            .bind(id)
            .bind(!status.is_open())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(done)
    }

    async fn assign(&self, id: i64, assignee: Option<i64>, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE tickets SET assignee_id = $1, updated_at = $2 WHERE id = $3";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(assignee)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(done)
    }

    async fn unanswered(&self) -> StoreResult<Vec<Unanswered>> {
        let sql = TICKET_SELECT.replacen(
            "SELECT ",
            "SELECT (t.warned_at IS NOT NULL) AS warned, (t.breach_notified_at IS NOT NULL) AS breach_notified, ",
            1,
        ) + " WHERE t.responded_at IS NULL AND t.status NOT IN ('resolved', 'closed') ORDER BY t.first_response_due";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, UnansweredRow>(&sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Unanswered {
                    ticket: r.ticket.into_parts()?.0,
                    warned: r.warned,
                    breach_notified: r.breach_notified,
                })
            })
            .collect()
    }

    async fn claim_notice(
        &self,
        id: i64,
        notice: SlaNotice,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = match notice {
            SlaNotice::Warning => "UPDATE tickets SET warned_at = $1 WHERE id = $2 AND warned_at IS NULL",
            SlaNotice::Breach => "UPDATE tickets SET breach_notified_at = $1 WHERE id = $2 AND breach_notified_at IS NULL",
        };
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(done == 1)
    }

    async fn received_since(&self, since: DateTime<Utc>) -> StoreResult<Vec<TicketSummary>> {
        let sql = format!("{TICKET_SELECT} WHERE t.received_at >= $1 ORDER BY t.received_at");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, TicketRow>(&sql)
            .bind(since)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| r.into_parts().map(|(t, _)| t))
            .collect()
    }

    async fn add_attachment(&self, a: NewAttachment<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO ticket_attachments (ticket_id, filename, content_type, size, storage_key, uploaded_by, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(a.ticket_id)
            .bind(a.filename)
            .bind(a.content_type)
            .bind(a.size)
            .bind(a.storage_key)
            .bind(a.uploaded_by)
            .bind(a.now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn attachments(&self, ticket_id: i64) -> StoreResult<Vec<Attachment>> {
        let sql = format!("{ATTACHMENT_SELECT} WHERE a.ticket_id = $1 ORDER BY a.id");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, AttachmentRow>(&sql)
            .bind(ticket_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(|r| r.split().0).collect())
    }

    async fn get_attachment(&self, id: i64) -> StoreResult<Option<(Attachment, String)>> {
        let sql = format!("{ATTACHMENT_SELECT} WHERE a.id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, AttachmentRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        Ok(row.map(AttachmentRow::split))
    }
}
