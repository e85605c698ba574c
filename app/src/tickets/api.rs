//! Server functions for tickets: identify the caller, call the service.

use super::{NewTicketContext, StaffMember, TicketFilter, TicketList, TicketPage, TicketSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

#[server]
pub async fn list_tickets(filter: TicketFilter) -> Result<TicketList, AppError> {
    let p = principal().await?;
    services()?.tickets.list(&p, filter).await
}

#[server]
pub async fn load_ticket(id: i64) -> Result<TicketPage, AppError> {
    let p = principal().await?;
    let tickets = services()?.tickets.clone();
    let detail = tickets.get(&p, id).await?;
    let staff = if p.user.role.is_staff() {
        tickets.staff(&p).await?
    } else {
        Vec::new()
    };
    Ok(TicketPage {
        detail,
        calendar: tickets.calendar().await?,
        staff,
    })
}

#[server]
pub async fn load_new_ticket_form() -> Result<NewTicketContext, AppError> {
    use crate::error::ErrorCode;
    let p = principal().await?;
    let org = p.user.organization.clone().ok_or(ErrorCode::Forbidden)?;
    Ok(NewTicketContext {
        plan: org.plan,
        calendar: services()?.tickets.calendar().await?,
        draft: uuid::Uuid::new_v4().to_string(),
    })
}

#[server]
pub async fn open_ticket(
    subject: String,
    body: String,
    kind: String,
    priority: String,
    #[server(default)] on_site: Option<String>,
    #[server(default)] draft: Option<String>,
) -> Result<TicketSummary, AppError> {
    use super::command::{OpenTicket, OpenTicketInput};
    let p = principal().await?;
    let services = services()?;
    let command = OpenTicket::try_from(OpenTicketInput {
        subject: &subject,
        body: &body,
        kind: &kind,
        priority: &priority,
        on_site: on_site.is_some(),
    })?;
    let ticket = services.tickets.create(&p, command).await?;
    if let Some(draft) = draft.filter(|d| !d.is_empty()) {
        // Suggestion tracking must never cost the customer their ticket.
        if let Err(e) = services.kb.ticket_created(&p, &draft, ticket.id).await {
            tracing::warn!(error = %e, "could not link ticket to its suggestion draft");
        }
    }
    leptos_axum::redirect(&format!("/tickets/{}", ticket.id));
    Ok(ticket)
}

#[server]
pub async fn reply_ticket(
    id: i64,
    body: String,
    #[server(default)] internal: Option<String>,
) -> Result<(), AppError> {
    let p = principal().await?;
    let reply = super::command::Reply::parse(&body, internal.is_some())?;
    services()?.tickets.reply(&p, id, reply).await.map(|_| ())
}

#[server]
pub async fn set_ticket_status(id: i64, status: String) -> Result<(), AppError> {
    let p = principal().await?;
    let status = super::command::parse_status(&status)?;
    services()?
        .tickets
        .set_status(&p, id, status)
        .await
        .map(|_| ())
}

#[server]
pub async fn assign_ticket(id: i64, assignee_id: String) -> Result<(), AppError> {
    use crate::error::ErrorCode;
    let p = principal().await?;
    let assignee = match assignee_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::field(ErrorCode::AssigneeInvalid, "assignee_id"))?,
        ),
    };
    services()?
        .tickets
        .assign(&p, id, assignee)
        .await
        .map(|_| ())
}

#[server]
pub async fn staff_members() -> Result<Vec<StaffMember>, AppError> {
    let p = principal().await?;
    services()?.tickets.staff(&p).await
}

#[server]
pub async fn calendar_year(year: i32) -> Result<Vec<super::CalendarDay>, AppError> {
    let p = principal().await?;
    services()?.tickets.calendar_year(&p, year).await
}

#[server]
pub async fn change_calendar(
    day: String,
    action: String,
    #[server(default)] label: String,
) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .tickets
        .change_calendar(&p, &day, &action, &label)
        .await
}

#[server]
pub async fn sla_report(
    months: u32,
) -> Result<Vec<crate::domain::sla_report::ReportRow>, AppError> {
    let p = principal().await?;
    services()?.tickets.report(&p, months).await
}
