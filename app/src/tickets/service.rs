//! Ticket use cases: opening, listing (agent queue), replying, statuses, assignment, calendar.

use super::command::{OpenTicket, Reply, Subject, TicketBody};
use super::store::{
    CalendarChange, NewAttachment, NewMessage, NewTicketRow, SlaNotice, TicketStore,
};
use super::{
    Attachment, CalendarDay, StaffMember, TicketDetail, TicketFilter, TicketList, TicketSummary,
};
use crate::accounts::service::Principal;
use crate::accounts::store::AccountStore;
use crate::domain::sla::{business_time_between, legal_holidays};
use crate::domain::sla::{first_response_due, Calendar};
use crate::domain::sla_report::{sla_report, ReportInput, ReportRow};
use crate::domain::{Priority, Role, SupportPlan, TicketKind, TicketSource, TicketStatus};
use crate::error::{AppError, ErrorCode};
use crate::files::{check_upload, BlobStore};
use crate::kernel::{Clock, NewMail, OutboxStore};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

mod attachments;
mod calendar;

/// Active agents and admins: who tickets can be assigned to and who may lead projects.
pub async fn active_staff(accounts: &dyn AccountStore) -> Result<Vec<StaffMember>, AppError> {
    Ok(accounts
        .list_users()
        .await?
        .into_iter()
        .filter(|u| matches!(u.role, Role::Agent | Role::Admin) && u.active)
        .map(|u| StaffMember {
            id: u.id,
            name: u.name,
        })
        .collect())
}

#[derive(Clone)]
pub struct Tickets {
    store: Arc<dyn TicketStore>,
    blobs: Arc<dyn BlobStore>,
    accounts: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    public_url: String,
    clock: Clock,
}

fn is_staff(p: &Principal) -> bool {
    matches!(p.role(), Role::Agent | Role::Admin)
}

impl Tickets {
    pub fn new(
        store: Arc<dyn TicketStore>,
        blobs: Arc<dyn BlobStore>,
        accounts: Arc<dyn AccountStore>,
        outbox: Arc<dyn OutboxStore>,
        public_url: String,
        clock: Clock,
    ) -> Self {
        Tickets {
            clock,
            store,
            blobs,
            accounts,
            outbox,
            public_url,
        }
    }

    /// The clock the service reads (pages composed from several services use the same one).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The SLA report over the last `months` months (staff).
    pub async fn report(
        &self,
        principal: &Principal,
        months: u32,
    ) -> Result<Vec<ReportRow>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        let now = self.clock.now();
        let since = now - chrono::Duration::days(31 * i64::from(months.clamp(1, 36)));
        let tickets = self.store.received_since(since).await?;
        let inputs: Vec<ReportInput> = tickets
            .into_iter()
            .map(|t| ReportInput {
                plan: t.plan,
                priority: t.priority,
                received_at: t.received_at,
                due: t.first_response_due,
                responded_at: t.responded_at,
            })
            .collect();
        Ok(sla_report(&inputs, now, &self.calendar().await?))
    }

    /// Sends the 75 % warning and the breach notice for unanswered tickets, each exactly once
    /// (claimed in the database, so several instances never send twice). Returns notices sent.
    pub async fn watch_sla(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let calendar = self.calendar().await?;
        let mut sent = 0;
        for item in self.store.unanswered().await? {
            let t = &item.ticket;
            let target =
                chrono::Duration::hours(i64::from(t.plan.first_response_hours(t.priority)));
            let elapsed = business_time_between(t.plan, t.received_at, now, &calendar);
            let notice = if now >= t.first_response_due && !item.breach_notified {
                Some(SlaNotice::Breach)
            } else if elapsed * 4 >= target * 3 && !item.warned && now < t.first_response_due {
                Some(SlaNotice::Warning)
            } else {
                None
            };
            let Some(notice) = notice else { continue };
            if !self.store.claim_notice(t.id, notice, now).await? {
                continue;
            }
            let (subject, text) = match notice {
                SlaNotice::Warning => (
                    format!("[{}] 75 % del tiempo de respuesta consumido", t.number),
                    format!("El ticket {} «{}» de {} consumió el 75 % de su tiempo de primera respuesta y aún no tiene respuesta.", t.number, t.subject, t.org_name),
                ),
                SlaNotice::Breach => (
                    format!("[{}] SLA vencido", t.number),
                    format!("El ticket {} «{}» de {} superó su tiempo de primera respuesta sin respuesta.", t.number, t.subject, t.org_name),
                ),
            };
            let recipients: Vec<String> = match t.assignee_id {
                Some(id) => self
                    .accounts
                    .get_user(id)
                    .await?
                    .map(|u| vec![u.email])
                    .unwrap_or_default(),
                None => self
                    .accounts
                    .list_users()
                    .await?
                    .into_iter()
                    .filter(|u| u.role == Role::Agent && u.active)
                    .map(|u| u.email)
                    .collect(),
            };
            let body = format!("{text}\n\n{}/tickets/{}\n", self.public_url, t.id);
            for to in &recipients {
                self.outbox
                    .enqueue(NewMail {
                        to,
                        subject: &subject,
                        body: &body,
                        now,
                    })
                    .await?;
            }
            tracing::warn!(ticket.id = t.id, notice = ?notice, "SLA notice sent");
            sent += 1;
        }
        Ok(sent)
    }

    /// The deadline preview: pure computation on the stored calendar.
    pub async fn preview_due(
        &self,
        plan: SupportPlan,
        priority: Priority,
        received: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, AppError> {
        Ok(first_response_due(
            plan,
            priority,
            received,
            &self.calendar().await?,
        ))
    }

    pub async fn create(
        &self,
        principal: &Principal,
        new: OpenTicket,
    ) -> Result<TicketSummary, AppError> {
        principal.require(&[Role::Customer])?;
        let org = principal
            .user
            .organization
            .clone()
            .ok_or(ErrorCode::Forbidden)?;
        let OpenTicket {
            subject,
            body,
            kind,
            priority,
            on_site,
        } = new;
        if on_site && !org.plan.allows_on_site() {
            return Err(AppError::field(ErrorCode::OnSiteNotAllowed, "on_site"));
        }
        let received_at = self.clock.now();
        let due = first_response_due(org.plan, priority, received_at, &self.calendar().await?);
        let id = self
            .store
            .create_ticket(NewTicketRow {
                org_id: org.id,
                requester_id: principal.user.id,
                subject: &subject,
                body: &body,
                kind,
                priority,
                plan: org.plan,
                on_site,
                received_at,
                first_response_due: due,
                source: TicketSource::Portal,
            })
            .await?;
        tracing::info!(
            ticket.id = id,
            org.id = org.id,
            priority = priority.as_str(),
            "ticket opened"
        );
        self.store
            .get_ticket(id)
            .await?
            .map(|(t, _)| t)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// Opens a ticket on behalf of a customer who wrote through another channel (chat, email):
    /// a question with normal priority under their organisation's plan.
    pub async fn open_for(
        &self,
        org_id: i64,
        requester_id: i64,
        subject: &str,
        body: &str,
        source: TicketSource,
    ) -> Result<TicketSummary, AppError> {
        let org = self
            .accounts
            .get_org(org_id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let subject = Subject::truncated(subject)
            .ok_or_else(|| AppError::field(ErrorCode::SubjectRequired, Subject::FIELD))?;
        let body = TicketBody::truncated(body)
            .ok_or_else(|| AppError::field(ErrorCode::BodyRequired, TicketBody::FIELD))?;
        let received_at = self.clock.now();
        let priority = Priority::Normal;
        let due = first_response_due(org.plan, priority, received_at, &self.calendar().await?);
        let id = self
            .store
            .create_ticket(NewTicketRow {
                org_id,
                requester_id,
                subject: &subject,
                body: &body,
                kind: TicketKind::Question,
                priority,
                plan: org.plan,
                on_site: false,
                received_at,
                first_response_due: due,
                source,
            })
            .await?;
        tracing::info!(
            ticket.id = id,
            org.id = org_id,
            "ticket opened from another channel"
        );
        self.store
            .get_ticket(id)
            .await?
            .map(|(t, _)| t)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// Open tickets that came in by email and have no staff answer yet, most urgent first (for
    /// the agent console's inbox).
    pub async fn email_awaiting_reply(&self) -> Result<Vec<TicketSummary>, AppError> {
        let filter = TicketFilter {
            open_only: true,
            ..TicketFilter::default()
        };
        Ok(self
            .store
            .list_tickets(&filter, None)
            .await?
            .into_iter()
            .filter(|t| t.source == TicketSource::Email && t.responded_at.is_none())
            .take(50)
            .collect())
    }

    /// Open tickets of an organisation (for the chat console's customer context).
    pub async fn open_tickets_of(&self, org_id: i64) -> Result<Vec<TicketSummary>, AppError> {
        let filter = TicketFilter {
            open_only: true,
            org_id: Some(org_id),
            ..TicketFilter::default()
        };
        Ok(self.store.list_tickets(&filter, Some(org_id)).await?)
    }

    /// Customers see their organisation's tickets; agents and admins see all, most urgent first.
    pub async fn list(
        &self,
        principal: &Principal,
        filter: TicketFilter,
    ) -> Result<TicketList, AppError> {
        let scope = match principal.role() {
            Role::Customer => Some(principal.org_id().ok_or(ErrorCode::Forbidden)?),
            Role::Agent | Role::Admin => None,
            Role::Editor => return Err(ErrorCode::Forbidden.into()),
        };
        let tickets = self.store.list_tickets(&filter, scope).await?;
        Ok(TicketList {
            tickets,
            calendar: self.calendar().await?,
        })
    }

    async fn visible_ticket(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<(TicketSummary, String), AppError> {
        let found = self
            .store
            .get_ticket(id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        match principal.role() {
            Role::Agent | Role::Admin => Ok(found),
            Role::Customer if principal.org_id() == Some(found.0.org_id) => Ok(found),
            _ => Err(ErrorCode::NotFound.into()),
        }
    }

    pub async fn get(&self, principal: &Principal, id: i64) -> Result<TicketDetail, AppError> {
        let (ticket, body) = self.visible_ticket(principal, id).await?;
        let messages = self.store.messages(id, is_staff(principal)).await?;
        // Markdown is rendered (or fetched from the cache) off the async workers, so a long
        // thread never stalls other requests.
        let (body, body_html, messages) = tokio::task::spawn_blocking(move || {
            let mut messages = messages;
            for m in &mut messages {
                m.body_html = crate::markdown::render_cached(&m.body).to_string();
            }
            let body_html = crate::markdown::render_cached(&body).to_string();
            (body, body_html, messages)
        })
        .await
        .map_err(crate::kernel::internal)?;
        let attachments = self.store.attachments(id).await?;
        Ok(TicketDetail {
            ticket,
            body,
            body_html,
            messages,
            attachments,
        })
    }

    /// A reply. Staff replies may be internal notes; the first public staff reply stops the SLA clock.
    pub async fn reply(
        &self,
        principal: &Principal,
        id: i64,
        reply: Reply,
    ) -> Result<TicketDetail, AppError> {
        let (ticket, _) = self.visible_ticket(principal, id).await?;
        let staff = is_staff(principal);
        let Reply { body, internal } = reply;
        if internal && !staff {
            return Err(AppError::field(ErrorCode::Forbidden, "internal"));
        }
        let new_status = match (staff, internal, ticket.status) {
            (true, false, TicketStatus::New) => Some(TicketStatus::Open),
            (false, _, TicketStatus::WaitingOnCustomer | TicketStatus::Resolved) => {
                Some(TicketStatus::Open)
            }
            _ => None,
        };
        self.store
            .add_message(NewMessage {
                ticket_id: id,
                author_id: principal.user.id,
                body: &body,
                internal,
                now: self.clock.now(),
                first_response: staff && !internal,
                new_status,
            })
            .await?;
        if staff && !internal {
            self.notify_requester(
                &ticket,
                &format!("{} respondió:\n\n{body}", principal.user.name),
            )
            .await?;
        }
        self.get(principal, id).await
    }

    /// Staff set any status; customers may close their ticket or reopen a resolved one.
    pub async fn set_status(
        &self,
        principal: &Principal,
        id: i64,
        status: TicketStatus,
    ) -> Result<TicketDetail, AppError> {
        let (ticket, _) = self.visible_ticket(principal, id).await?;
        if !is_staff(principal) {
            let allowed = status == TicketStatus::Closed
                || (status == TicketStatus::Open && !ticket.status.is_open());
            if !allowed {
                return Err(ErrorCode::Forbidden.into());
            }
        }
        if status != ticket.status {
            self.store.set_status(id, status, self.clock.now()).await?;
            self.notify_requester(
                &ticket,
                &format!(
                    "El estado del ticket cambió a: {}",
                    crate::tickets::labels::status_label(crate::i18n::Locale::es, status)
                ),
            )
            .await?;
        }
        self.get(principal, id).await
    }

    pub async fn assign(
        &self,
        principal: &Principal,
        id: i64,
        assignee: Option<i64>,
    ) -> Result<TicketDetail, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        self.visible_ticket(principal, id).await?;
        if let Some(agent) = assignee {
            let user = self
                .accounts
                .get_user(agent)
                .await?
                .ok_or_else(|| AppError::field(ErrorCode::AssigneeInvalid, "assignee_id"))?;
            if !matches!(user.role, Role::Agent | Role::Admin) {
                return Err(AppError::field(ErrorCode::AssigneeInvalid, "assignee_id"));
            }
        }
        self.store.assign(id, assignee, self.clock.now()).await?;
        self.get(principal, id).await
    }

    pub async fn staff(&self, principal: &Principal) -> Result<Vec<StaffMember>, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        active_staff(self.accounts.as_ref()).await
    }

    async fn notify_requester(&self, ticket: &TicketSummary, what: &str) -> Result<(), AppError> {
        let Some(requester) = self.accounts.get_user(ticket.requester_id).await? else {
            return Ok(());
        };
        let link = format!("{}/tickets/{}", self.public_url, ticket.id);
        let body = format!(
            "Hola {}:\n\n{what}\n\nVer el ticket {}: {link}\n",
            requester.name, ticket.number
        );
        self.outbox
            .enqueue(NewMail {
                to: &requester.email,
                subject: &format!("[{}] {}", ticket.number, ticket.subject),
                body: &body,
                now: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}
