//! Composes the home page from the capabilities' own services, so every rule (who sees which
//! ticket, order or project) stays where it is enforced; nothing here reads storage directly.

use super::{CustomerHome, Expiring, Home, HomePage, NextMilestone, StaffHome, HOME_LIST};
use crate::accounts::service::Principal;
use crate::chat::service::Caller;
use crate::domain::change::ChangeStatus;
use crate::domain::chat::ChatStatus;
use crate::domain::project::ProjectStatus;
use crate::domain::{Role, COSTA_RICA};
use crate::error::AppError;
use crate::server_ctx::ServiceSet;
use crate::shop::OrderStatus;
use crate::tickets::{TicketFilter, TicketSummary};
use chrono::{DateTime, Utc};

/// The nearest first-response deadline first; answered tickets after the unanswered ones.
fn by_urgency(tickets: &mut [TicketSummary]) {
    tickets.sort_by_key(|t| (t.responded_at.is_some(), t.first_response_due, t.id));
}

/// Unanswered tickets whose deadline fell on `now`'s Costa Rica day, before `now`.
fn breached_today(tickets: &[TicketSummary], now: DateTime<Utc>) -> usize {
    let today = now.with_timezone(&COSTA_RICA).date_naive();
    tickets
        .iter()
        .filter(|t| {
            t.responded_at.is_none()
                && t.first_response_due <= now
                && t.first_response_due.with_timezone(&COSTA_RICA).date_naive() == today
        })
        .count()
}

pub async fn home(services: &ServiceSet, p: &Principal) -> Result<HomePage, AppError> {
    match p.role() {
        Role::Customer => customer(services, p).await,
        Role::Agent | Role::Admin => staff(services, p).await,
        Role::Editor => Ok(HomePage {
            home: Home::Editor,
            calendar: Default::default(),
        }),
    }
}

async fn customer(services: &ServiceSet, p: &Principal) -> Result<HomePage, AppError> {
    let open = TicketFilter {
        open_only: true,
        ..Default::default()
    };
    let list = services.tickets.list(p, open).await?;
    let mut tickets = list.tickets;
    by_urgency(&mut tickets);
    let open_tickets = tickets.len();
    tickets.truncate(HOME_LIST);

    let hours = services.hours.view(p, None).await.ok();
    let expiring = hours
        .as_ref()
        .map(|h| {
            h.lots
                .iter()
                .filter(|l| l.expiring_soon && !l.expired && l.remaining_minutes > 0)
                .map(|l| Expiring {
                    minutes: l.remaining_minutes,
                    expires_at: l.expires_at,
                })
                .collect()
        })
        .unwrap_or_default();

    let mut awaiting_approval: Vec<_> = services
        .changes
        .list(p)
        .await?
        .items
        .into_iter()
        .filter(|c| c.status == ChangeStatus::Estimated)
        .collect();
    awaiting_approval.truncate(HOME_LIST);

    let mut unpaid_orders: Vec<_> = services
        .shop
        .orders(p)
        .await?
        .into_iter()
        .filter(|o| o.status == OrderStatus::Pending)
        .collect();
    unpaid_orders.truncate(HOME_LIST);

    let next_milestone = services
        .projects
        .list(p)
        .await?
        .projects
        .into_iter()
        .filter(|pr| pr.status == ProjectStatus::Active)
        .filter_map(|pr| {
            let (milestone, date) = pr.figures.next_milestone.clone()?;
            Some(NextMilestone {
                project_id: pr.id,
                project: pr.name,
                milestone,
                date,
            })
        })
        .min_by_key(|m| m.date);

    let chat = services
        .chats
        .widget_state(&Caller::User(p.clone()))
        .await?
        .chat
        .filter(|c| c.status != ChatStatus::Closed);

    Ok(HomePage {
        home: Home::Customer(Box::new(CustomerHome {
            tickets,
            open_tickets,
            balance_minutes: hours.map(|h| h.balance_minutes),
            expiring,
            awaiting_approval,
            unpaid_orders,
            next_milestone,
            chat,
        })),
        calendar: list.calendar,
    })
}

async fn staff(services: &ServiceSet, p: &Principal) -> Result<HomePage, AppError> {
    let open = TicketFilter {
        open_only: true,
        ..Default::default()
    };
    let list = services.tickets.list(p, open).await?;
    let now = services.tickets.clock().now();
    let breached = breached_today(&list.tickets, now);
    let (mut mine, rest): (Vec<_>, Vec<_>) = list
        .tickets
        .into_iter()
        .partition(|t| t.assignee_id == Some(p.user.id));
    let mut unassigned: Vec<_> = rest
        .into_iter()
        .filter(|t| t.assignee_id.is_none() && t.responded_at.is_none())
        .collect();
    by_urgency(&mut mine);
    by_urgency(&mut unassigned);
    let (mine_total, unassigned_total) = (mine.len(), unassigned.len());
    mine.truncate(HOME_LIST);
    unassigned.truncate(HOME_LIST);
    let console = services.chats.console(p).await?;
    Ok(HomePage {
        home: Home::Staff(Box::new(StaffHome {
            mine,
            mine_total,
            unassigned,
            unassigned_total,
            waiting_chats: console.waiting.len(),
            email_waiting: console.email.len(),
            breached_today: breached,
        })),
        calendar: list.calendar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Priority, SupportPlan, TicketKind, TicketSource, TicketStatus};
    use chrono::{Duration, TimeZone};

    fn ticket(id: i64, due: DateTime<Utc>, responded: bool) -> TicketSummary {
        TicketSummary {
            id,
            number: format!("T-{id:05}"),
            subject: "x".into(),
            kind: TicketKind::Incident,
            priority: Priority::High,
            plan: SupportPlan::Premium,
            status: TicketStatus::Open,
            org_id: 1,
            org_name: "Demo".into(),
            requester_id: 1,
            requester_name: "C".into(),
            assignee_id: None,
            assignee_name: None,
            on_site: false,
            received_at: due - Duration::hours(2),
            first_response_due: due,
            responded_at: responded.then_some(due),
            closed_at: None,
            source: TicketSource::default(),
        }
    }

    #[test]
    fn urgency_puts_the_nearest_unanswered_deadline_first() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 3, 16, 0, 0)
            .single()
            .expect("time");
        let mut list = vec![
            ticket(1, at + Duration::hours(5), false),
            ticket(2, at - Duration::hours(1), true),
            ticket(3, at + Duration::hours(1), false),
        ];
        by_urgency(&mut list);
        assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), [3, 1, 2]);
    }

    #[test]
    fn breaches_today_count_unanswered_deadlines_passed_this_costa_rica_day() {
        // 16:00 UTC is 10:00 in Costa Rica.
        let now = Utc
            .with_ymd_and_hms(2026, 12, 3, 16, 0, 0)
            .single()
            .expect("time");
        let list = vec![
            ticket(1, now - Duration::hours(1), false), // 09:00 today: breached today
            ticket(2, now - Duration::hours(20), false), // yesterday: not today's
            ticket(3, now - Duration::hours(2), true),  // answered
            ticket(4, now + Duration::hours(1), false), // still running
        ];
        assert_eq!(breached_today(&list, now), 1);
    }
}
