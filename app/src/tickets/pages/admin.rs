//! Staff pages of the tickets capability: the holiday calendar and the SLA report.

use crate::domain::sla::HolidayKind;
use crate::domain::Role;
use crate::i18n::*;
use crate::pages::home::{plan_label, priority_label};
use crate::tickets::api::{calendar_year, sla_report, ChangeCalendar};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use chrono::Datelike;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn holiday_name(locale: Locale, kind: HolidayKind) -> &'static str {
    use HolidayKind::*;
    match kind {
        NewYear => td_string!(locale, holidays.new_year),
        HolyThursday => td_string!(locale, holidays.holy_thursday),
        GoodFriday => td_string!(locale, holidays.good_friday),
        JuanSantamaria => td_string!(locale, holidays.juan_santamaria),
        Labour => td_string!(locale, holidays.labour),
        Guanacaste => td_string!(locale, holidays.guanacaste),
        VirgenDeLosAngeles => td_string!(locale, holidays.virgen),
        Mothers => td_string!(locale, holidays.mothers),
        BlackPersons => td_string!(locale, holidays.black_persons),
        Independence => td_string!(locale, holidays.independence),
        ArmyAbolition => td_string!(locale, holidays.army_abolition),
        Christmas => td_string!(locale, holidays.christmas),
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), calendar.title)/>
        <Authorized roles=&[Role::Admin, Role::Agent] let:user>
            <CalendarEditor editable=user.role == Role::Admin/>
        </Authorized>
    }
}

#[component]
fn CalendarEditor(editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let this_year = chrono::Utc::now().year();
    let year = move || {
        query
            .read()
            .get("anio")
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(this_year)
    };
    let change = ServerAction::<ChangeCalendar>::new();
    let days = Resource::new(
        move || (year(), change.version().get()),
        |(y, _)| calendar_year(y),
    );
    view! {
        <h1>{t!(i18n, calendar.title)}" "{year}</h1>
        <p class="muted">{t!(i18n, calendar.lead)}</p>
        <nav class="year-nav">
            <a href=move || format!("/admin/calendario?anio={}", year() - 1)>"← "{move || year() - 1}</a>
            " · "
            <a href=move || format!("/admin/calendario?anio={}", year() + 1)>{move || year() + 1}" →"</a>
        </nav>
        {editable.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, calendar.add_title)}</h2>
                <ActionForm action=change attr:class="form" attr:data-testid="calendar-form">
                    <input type="hidden" name="action" value="off"/>
                    <label for="cal-day">{t!(i18n, calendar.date)}</label>
                    <input id="cal-day" name="day" type="date" required/>
                    <label for="cal-label">{t!(i18n, calendar.label)}</label>
                    <input id="cal-label" name="label" maxlength="120"/>
                    <button type="submit">{t!(i18n, calendar.add)}</button>
                </ActionForm>
                <FormError result=change.value().into()/>
            </section>
        })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match days.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="calendar-table">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, calendar.date)}</th>
                                    <th scope="col">{t!(i18n, calendar.reason)}</th>
                                    <th scope="col">{t!(i18n, calendar.state)}</th>
                                    {editable.then(|| view! { <th scope="col"><span class="visually-hidden">{t!(i18n, actions)}</span></th> })}
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| {
                                        let day = d.date.format("%Y-%m-%d").to_string();
                                        let row_day = day.clone();
                                        let legal = d.legal;
                                        let label = d.label.clone();
                                        let off = d.off;
                                        let changed = d.changed_to_off.is_some();
                                        view! {
                                            <tr class:struck=!off data-day=row_day>
                                                <td>{crate::tickets::pages::format_date(i18n.get_locale_untracked(), d.date)}</td>
                                                <td>{move || match legal { Some(k) => holiday_name(i18n.get_locale(), k).to_owned(), None => label.clone() }}</td>
                                                <td>{move || if off { td_string!(i18n.get_locale(), calendar.day_off) } else { td_string!(i18n.get_locale(), calendar.working_day) }}</td>
                                                {editable.then(|| {
                                                    let (action, text) = if changed { ("reset", "undo") } else { ("on", "remove") };
                                                    view! {
                                                        <td>
                                                            <ActionForm action=change attr:class="inline">
                                                                <input type="hidden" name="day" value=day.clone()/>
                                                                <input type="hidden" name="action" value=action/>
                                                                <button type="submit" class="secondary">{move || if text == "undo" { td_string!(i18n.get_locale(), calendar.undo) } else { td_string!(i18n.get_locale(), calendar.remove) }}</button>
                                                            </ActionForm>
                                                        </td>
                                                    }
                                                })}
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), report.title)/>
        <Authorized roles=&[Role::Admin, Role::Agent] let:_user>
            <Report/>
        </Authorized>
    }
}

#[component]
fn Report() -> impl IntoView {
    let i18n = use_i18n();
    let rows = Resource::new(|| (), |_| sla_report(12));
    let hours = |v: Option<f64>| v.map(|h| format!("{h:.2} h")).unwrap_or_else(|| "—".into());
    view! {
        <div class="page-head">
            <h1>{t!(i18n, report.title)}</h1>
            <a class="button" href="/reportes/sla.csv" download="reporte-sla.csv" rel="external">{t!(i18n, report.csv)}</a>
        </div>
        <p class="muted">{t!(i18n, report.lead)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, report.empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="report-table">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, report.month)}</th>
                                    <th scope="col">{t!(i18n, tickets.plan)}</th>
                                    <th scope="col">{t!(i18n, tickets.priority)}</th>
                                    <th scope="col">{t!(i18n, report.received)}</th>
                                    <th scope="col">{t!(i18n, report.on_time)}</th>
                                    <th scope="col">{t!(i18n, report.breached)}</th>
                                    <th scope="col">{t!(i18n, report.median)}</th>
                                    <th scope="col">{t!(i18n, report.p90)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| { let (plan, priority) = (r.plan, r.priority); view! {
                                        <tr>
                                            <td>{r.month}</td>
                                            <td>{move || plan_label(i18n.get_locale(), plan)}</td>
                                            <td>{move || priority_label(i18n.get_locale(), priority)}</td>
                                            <td>{r.received}</td>
                                            <td>{r.responded_on_time}</td>
                                            <td>{r.breached}</td>
                                            <td>{hours(r.median_hours)}</td>
                                            <td>{hours(r.p90_hours)}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
