//! The home page's sections: each says what matters now, links to the full list, and says so
//! plainly when there is nothing to do.

use super::{CustomerHome, Home, HomePage, StaffHome};
use crate::domain::format_cr;
use crate::domain::hours::{format_minutes, format_usd};
use crate::domain::sla::Calendar;
use crate::i18n::*;
use crate::tickets::pages::{format_date, SlaBadge};
use crate::tickets::TicketSummary;
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

/// A short list of tickets with their live first-response state.
#[component]
fn TicketRows(tickets: Vec<TicketSummary>, calendar: StoredValue<Calendar>) -> impl IntoView {
    view! {
        <ul class="home-list">
            {tickets.into_iter().map(|t| view! {
                <li data-testid="home-ticket">
                    <SlaBadge plan=t.plan priority=t.priority due=t.first_response_due responded_at=t.responded_at closed_at=t.closed_at calendar/>
                    " "<A href=format!("/tickets/{}", t.id)>{t.number.clone()}" · "{t.subject.clone()}</A>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CustomerSections(home: CustomerHome, calendar: StoredValue<Calendar>) -> impl IntoView {
    let i18n = use_i18n();
    let CustomerHome {
        tickets,
        open_tickets,
        balance_minutes,
        expiring,
        awaiting_approval,
        unpaid_orders,
        next_milestone,
        chat,
    } = home;
    view! {
        <div class="home-grid">
            <section class="card" data-testid="home-tickets" aria-labelledby="home-tickets-h">
                <h2 id="home-tickets-h">{t!(i18n, home.open_tickets)}" "<span class="badge">{open_tickets}</span></h2>
                {if tickets.is_empty() {
                    view! { <p class="empty">{t!(i18n, home.no_open_tickets)}</p> }.into_any()
                } else {
                    view! { <TicketRows tickets calendar/> }.into_any()
                }}
                <p><A href="/tickets/nuevo">{t!(i18n, home.new_ticket)}</A>" · "<A href="/tickets">{t!(i18n, home.all_tickets)}</A></p>
            </section>
            <section class="card" data-testid="home-hours" aria-labelledby="home-hours-h">
                <h2 id="home-hours-h">{t!(i18n, home.hours)}</h2>
                {match balance_minutes {
                    Some(m) => view! { <p class="home-figure" data-testid="home-balance">{format_minutes(m)}</p> }.into_any(),
                    None => view! { <p class="empty">{t!(i18n, home.no_hours)}</p> }.into_any(),
                }}
                {(!expiring.is_empty()).then(|| view! {
                    <ul class="home-list" data-testid="home-expiring">
                        {expiring.into_iter().map(|e| view! { <li class="notice warn">{format_minutes(e.minutes)}" "{t!(i18n, home.expire_on)}" "{format_cr(e.expires_at)}</li> }).collect_view()}
                    </ul>
                })}
                <p><A href="/horas">{t!(i18n, home.hour_bank)}</A>" · "<A href="/tienda">{t!(i18n, home.buy_hours)}</A></p>
            </section>
            <section class="card" data-testid="home-approvals" aria-labelledby="home-approvals-h">
                <h2 id="home-approvals-h">{t!(i18n, home.awaiting_approval)}</h2>
                {if awaiting_approval.is_empty() {
                    view! { <p class="empty">{t!(i18n, home.nothing_to_approve)}</p> }.into_any()
                } else {
                    view! { <ul class="home-list">{awaiting_approval.into_iter().map(|c| view! {
                        <li><A href=format!("/cambios/{}", c.id)>{c.title.clone()}</A>" · "{c.estimate_minutes.map(format_minutes).unwrap_or_default()}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <section class="card" data-testid="home-orders" aria-labelledby="home-orders-h">
                <h2 id="home-orders-h">{t!(i18n, home.unpaid_orders)}</h2>
                {if unpaid_orders.is_empty() {
                    view! { <p class="empty">{t!(i18n, home.no_unpaid_orders)}</p> }.into_any()
                } else {
                    view! { <ul class="home-list">{unpaid_orders.into_iter().map(|o| view! {
                        <li><A href=format!("/tienda/pedidos/{}", o.id)>{o.reference.clone()}</A>" · "{o.package_name.clone()}" · "{format_usd(o.price_cents)}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <section class="card" data-testid="home-milestone" aria-labelledby="home-milestone-h">
                <h2 id="home-milestone-h">{t!(i18n, home.next_milestone)}</h2>
                {match next_milestone {
                    Some(m) => view! {
                        <p><strong>{m.milestone.clone()}</strong>" · "{move || format_date(i18n.get_locale(), m.date)}</p>
                        <p><A href=format!("/proyectos/{}", m.project_id)>{m.project.clone()}</A></p>
                    }.into_any(),
                    None => view! { <p class="empty">{t!(i18n, home.no_milestone)}</p> }.into_any(),
                }}
            </section>
            {chat.map(|c| view! {
                <section class="card" data-testid="home-chat" aria-labelledby="home-chat-h">
                    <h2 id="home-chat-h">{t!(i18n, home.active_chat)}</h2>
                    <p>{c.agent_name.clone().unwrap_or_else(|| td_string!(i18n.get_locale(), home.chat_waiting).to_owned())}</p>
                    <p class="muted">{t!(i18n, home.chat_hint)}</p>
                </section>
            })}
        </div>
    }
}

#[component]
fn StaffSections(home: StaffHome, calendar: StoredValue<Calendar>) -> impl IntoView {
    let i18n = use_i18n();
    let StaffHome {
        mine,
        mine_total,
        unassigned,
        unassigned_total,
        waiting_chats,
        email_waiting,
        breached_today,
    } = home;
    view! {
        <ul class="home-counters" data-testid="home-counters">
            <li class:alert=breached_today.gt(&0)><A href="/tickets"><strong data-testid="home-breached">{breached_today}</strong>" "{t!(i18n, home.breached_today)}</A></li>
            <li><A href="/agente/chat"><strong data-testid="home-waiting-chats">{waiting_chats}</strong>" "{t!(i18n, home.waiting_chats)}</A></li>
            <li><A href="/agente/chat"><strong data-testid="home-email">{email_waiting}</strong>" "{t!(i18n, home.email_waiting)}</A></li>
        </ul>
        <div class="home-grid">
            <section class="card" data-testid="home-mine" aria-labelledby="home-mine-h">
                <h2 id="home-mine-h">{t!(i18n, home.my_tickets)}" "<span class="badge">{mine_total}</span></h2>
                {if mine.is_empty() {
                    view! { <p class="empty">{t!(i18n, home.none_assigned)}</p> }.into_any()
                } else {
                    view! { <TicketRows tickets=mine calendar/> }.into_any()
                }}
            </section>
            <section class="card" data-testid="home-unassigned" aria-labelledby="home-unassigned-h">
                <h2 id="home-unassigned-h">{t!(i18n, home.unassigned)}" "<span class="badge">{unassigned_total}</span></h2>
                {if unassigned.is_empty() {
                    view! { <p class="empty">{t!(i18n, home.queue_clear)}</p> }.into_any()
                } else {
                    view! { <TicketRows tickets=unassigned calendar/> }.into_any()
                }}
                <p><A href="/tickets">{t!(i18n, home.queue)}</A></p>
            </section>
        </div>
    }
}

/// The role's sections, loaded in one request.
#[component]
pub fn HomeSections() -> impl IntoView {
    let data = Resource::new(|| (), |_| super::api::home_load());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(HomePage { home, calendar }) => {
                        let calendar = StoredValue::new(calendar);
                        match home {
                            Home::Customer(h) => view! { <CustomerSections home=*h calendar/> }.into_any(),
                            Home::Staff(h) => view! { <StaffSections home=*h calendar/> }.into_any(),
                            Home::Editor => ().into_any(),
                        }
                    }
                }
            })}
        </Transition>
    }
}
