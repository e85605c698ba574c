use super::{kind_label, status_label, SlaBadge};
use crate::accounts::api::list_orgs;
use crate::domain::sla::{ticket_sla_state, SlaState};
use crate::domain::{format_cr, Priority, Role, SupportPlan, TicketSource, TicketStatus};
use crate::i18n::*;
use crate::pages::home::{plan_label, priority_label};
use crate::tickets::api::{list_tickets, staff_members};
use crate::tickets::pages::countdown::use_clock;
use crate::tickets::TicketFilter;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Filters from the query string. The agent queue opens on open tickets only; once the filter
/// form is submitted (`f=1`), its checkbox decides.
fn filter_from_query(get: impl Fn(&str) -> Option<String>, staff: bool) -> TicketFilter {
    let some = |k: &str| get(k).filter(|v| !v.is_empty());
    let submitted = some("f").is_some();
    TicketFilter {
        status: some("status").and_then(|v| v.parse().ok()),
        open_only: if submitted || !staff {
            some("open").is_some_and(|v| v == "1")
        } else {
            true
        },
        priority: some("priority").and_then(|v| v.parse().ok()),
        plan: some("plan").and_then(|v| v.parse().ok()),
        org_id: some("org").and_then(|v| v.parse().ok()),
        assignee_id: some("assignee").and_then(|v| v.parse().ok()),
    }
}

/// A tag for tickets that came in through another channel (a portal ticket has none).
fn source_badge(source: TicketSource) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let label = move || match source {
        TicketSource::Email => td_string!(i18n.get_locale(), tickets.source_email),
        _ => td_string!(i18n.get_locale(), tickets.source_chat),
    };
    (source != TicketSource::Portal).then(|| {
        view! {
            " "<span class="channel-badge" data-channel=source.as_str() data-testid="source">{label}</span>
        }
    })
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), tickets.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <TicketList staff=user.role != Role::Customer/>
        </Authorized>
    }
}

#[component]
fn StaffFilters() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = move |k: &'static str| query.read().get(k).unwrap_or_default();
    let orgs = Resource::new(|| (), |_| list_orgs());
    let staff = Resource::new(|| (), |_| staff_members());
    view! {
        <form method="get" action="/tickets" class="filters card" data-testid="filters">
            <input type="hidden" name="f" value="1"/>
            <label>{t!(i18n, tickets.status)}
                <select name="status">
                    <option value="">{t!(i18n, tickets.any)}</option>
                    {TicketStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=move || current("status") == s.as_str()>{move || status_label(i18n.get_locale(), s)}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, tickets.priority)}
                <select name="priority">
                    <option value="">{t!(i18n, tickets.any)}</option>
                    {Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str() selected=move || current("priority") == p.as_str()>{move || priority_label(i18n.get_locale(), p)}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, tickets.plan)}
                <select name="plan">
                    <option value="">{t!(i18n, tickets.any)}</option>
                    {SupportPlan::ALL.into_iter().map(|p| view! { <option value=p.as_str() selected=move || current("plan") == p.as_str()>{move || plan_label(i18n.get_locale(), p)}</option> }).collect_view()}
                </select>
            </label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let orgs = orgs.await.unwrap_or_default();
                    let staff = staff.await.unwrap_or_default();
                    view! {
                        <label>{t!(i18n, tickets.org)}
                            <select name="org">
                                <option value="">{t!(i18n, tickets.any)}</option>
                                {orgs.into_iter().map(|o| { let id = o.id.to_string(); let sel = current("org") == id; view! { <option value=id selected=sel>{o.name}</option> } }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(i18n, tickets.assignee)}
                            <select name="assignee">
                                <option value="">{t!(i18n, tickets.any)}</option>
                                {staff.into_iter().map(|s| { let id = s.id.to_string(); let sel = current("assignee") == id; view! { <option value=id selected=sel>{s.name}</option> } }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Suspense>
            <label class="check"><input type="checkbox" name="open" value="1" checked=move || current("open") == "1" || current("f").is_empty()/>{t!(i18n, tickets.open_only)}</label>
            <button type="submit">{t!(i18n, tickets.filter)}</button>
        </form>
    }
}

#[component]
fn TicketList(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tickets = Resource::new(
        move || filter_from_query(|k| query.read().get(k), staff),
        list_tickets,
    );
    view! {
        <div class="page-head">
            <h1>{move || if staff { td_string!(i18n.get_locale(), tickets.queue_title) } else { td_string!(i18n.get_locale(), tickets.title) }}</h1>
            {(!staff).then(|| view! { <A href="/tickets/nuevo" attr:class="button">{t!(i18n, tickets.new_ticket)}</A> })}
        </div>
        <p class="muted">{move || if staff { td_string!(i18n.get_locale(), tickets.queue_lead) } else { td_string!(i18n.get_locale(), tickets.mine_lead) }}</p>
        {staff.then(|| view! { <StaffFilters/> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match tickets.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.tickets.is_empty() => view! {
                        <p class="empty">{move || if staff { td_string!(i18n.get_locale(), tickets.empty) } else { td_string!(i18n.get_locale(), tickets.empty_customer) }}</p>
                    }.into_any(),
                    Ok(list) => {
                        let calendar = StoredValue::new(list.calendar);
                        let watched: Vec<_> = list.tickets.iter().map(|t| (t.plan, t.priority, t.first_response_due, t.responded_at, t.closed_at)).collect();
                        let now = use_clock();
                        // In-app warning: unanswered tickets past 75 % of their target, or breached.
                        let urgent = Memo::new(move |_| {
                            calendar.with_value(|cal| {
                                watched
                                    .iter()
                                    .filter(|(plan, priority, due, responded, closed)| {
                                        let (state, _) = ticket_sla_state(*plan, *priority, *due, *responded, *closed, now.get(), cal);
                                        matches!(state, SlaState::AtRisk | SlaState::Breached)
                                    })
                                    .count()
                            })
                        });
                        view! {
                            {move || (staff && urgent.get() > 0).then(|| view! {
                                <p class="notice warn" role="status" data-testid="urgent">
                                    {move || td_string!(i18n.get_locale(), tickets.urgent)}": "<strong>{urgent}</strong>
                                </p>
                            })}
                            <div class="table-wrap" tabindex="0">
                                <table class="tickets" data-testid="tickets-table">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, tickets.number)}</th>
                                        <th scope="col">{t!(i18n, tickets.subject)}</th>
                                        {staff.then(|| view! { <th scope="col">{t!(i18n, tickets.org)}</th> })}
                                        <th scope="col">{t!(i18n, tickets.priority)}</th>
                                        <th scope="col">{t!(i18n, tickets.status)}</th>
                                        <th scope="col">{t!(i18n, tickets.sla)}</th>
                                        {staff.then(|| view! { <th scope="col">{t!(i18n, tickets.assignee)}</th> })}
                                        <th scope="col">{t!(i18n, tickets.received)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.tickets.into_iter().map(|t| {
                                            let (priority, status, kind) = (t.priority, t.status, t.kind);
                                            view! {
                                                <tr data-ticket=t.id>
                                                    <td class="t-number"><A href=format!("/tickets/{}", t.id)>{t.number.clone()}</A></td>
                                                    <td class="t-subject"><A href=format!("/tickets/{}", t.id)>{t.subject.clone()}</A><br/><small class="muted">{move || kind_label(i18n.get_locale(), kind)}</small>{source_badge(t.source)}</td>
                                                    {staff.then(|| view! { <td class="t-org">{t.org_name.clone()}</td> })}
                                                    <td class="t-prio"><span class=format!("prio prio-{}", priority.as_str())>{move || priority_label(i18n.get_locale(), priority)}</span></td>
                                                    <td class="t-status">{move || status_label(i18n.get_locale(), status)}</td>
                                                    <td class="t-sla"><SlaBadge plan=t.plan priority due=t.first_response_due responded_at=t.responded_at closed_at=t.closed_at calendar/></td>
                                                    {staff.then(|| { let name = t.assignee_name.clone(); view! { <td class="t-assignee">{move || name.clone().unwrap_or_else(|| td_string!(i18n.get_locale(), tickets.unassigned).to_owned())}</td> } })}
                                                    <td class="t-received">{format_cr(t.received_at)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
