//! `/horas`: the hour bank: balance, each purchase with what is left and its expiry, warnings,
//! and the ledger. Staff pick an organisation; admins adjust with a reason.

use crate::domain::hours::format_minutes;
use crate::domain::{format_cr, Role};
use crate::hours::api::{hours_load, HoursAdjust};
pub use crate::hours::labels::entry_label;
use crate::hours::HoursView;
use crate::i18n::*;
use crate::shop::pages::cr_date;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HoursPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), hours.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:_user>
            <HoursBody/>
        </Authorized>
    }
}

#[component]
fn HoursBody() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let adjust = ServerAction::<HoursAdjust>::new();
    let org = move || query.read().get("org").and_then(|o| o.parse::<i64>().ok());
    // Reloaded only after an adjustment was applied: a refused one keeps what was typed.
    let refresh = RwSignal::new(0u32);
    Effect::watch(
        move || {
            (
                adjust.version().get(),
                matches!(adjust.value().get(), Some(Ok(_))),
            )
        },
        move |(_, ok), _, _| {
            if *ok {
                refresh.update(|r| *r += 1)
            }
        },
        false,
    );
    let data = Resource::new(move || (org(), refresh.get()), |(org, _)| hours_load(org));
    view! {
        <div class="page-head">
            <h1>{t!(i18n, hours.title)}</h1>
            <A href="/tienda" attr:class="button">{t!(i18n, hours.buy)}</A>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <Bank view=v adjust/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Bank(view: HoursView, adjust: ServerAction<HoursAdjust>) -> impl IntoView {
    let i18n = use_i18n();
    let HoursView {
        org_id,
        org_name,
        balance_minutes,
        low,
        lots,
        entries,
        can_adjust,
        orgs,
    } = view;
    let expiring: Vec<_> = lots.iter().filter(|l| l.expiring_soon).cloned().collect();
    let picker = (!orgs.is_empty()).then(|| view! {
        <form method="get" action="/horas" class="inline-form">
            <label>{t!(i18n, hours.organization)}
                <select name="org">
                    {orgs.into_iter().map(|(id, name)| view! { <option value=id selected=id == org_id>{name}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">{t!(i18n, hours.show)}</button>
        </form>
    });
    view! {
        {picker}
        <section class="card balance-card">
            <p class="muted">{org_name}</p>
            <p class="balance" data-testid="balance">{format_minutes(balance_minutes)}</p>
            <p class="muted">{t!(i18n, hours.balance_hint)}</p>
            {low.then(|| view! { <p class="notice warn" data-testid="low-balance">{t!(i18n, hours.low)}" "<A href="/tienda">{t!(i18n, hours.buy)}</A></p> })}
            {expiring.into_iter().map(|l| view! {
                <p class="notice warn" data-testid="expiring">{format_minutes(l.remaining_minutes)}" "{t!(i18n, hours.expire_on)}" "{cr_date(l.expires_at)}</p>
            }).collect_view()}
        </section>
        <section class="card">
            <h2>{t!(i18n, hours.purchases)}</h2>
            {if lots.is_empty() {
                view! { <p class="empty" data-testid="no-purchases">{t!(i18n, hours.no_purchases)}" "<A href="/tienda">{t!(i18n, hours.buy)}</A></p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table stack" data-testid="lots">
                            <thead><tr>
                                <th scope="col">{t!(i18n, hours.origin)}</th>
                                <th scope="col">{t!(i18n, hours.bought)}</th>
                                <th scope="col">{t!(i18n, hours.remaining)}</th>
                                <th scope="col">{t!(i18n, hours.credited)}</th>
                                <th scope="col">{t!(i18n, hours.expires)}</th>
                            </tr></thead>
                            <tbody>
                                {lots.into_iter().map(|l| {
                                    let kind = l.kind;
                                    let origin = match l.order_id {
                                        Some(order) => view! { <A href=format!("/tienda/pedidos/{order}")>{move || entry_label(i18n.get_locale(), kind)}" #"{order}</A> }.into_any(),
                                        None => view! { <span>{move || entry_label(i18n.get_locale(), kind)}</span> }.into_any(),
                                    };
                                    view! {
                                        <tr data-testid="lot" class:expired=l.expired>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.origin)>{origin}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.bought)>{format_minutes(l.minutes)}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.remaining) data-testid="lot-remaining">{format_minutes(l.remaining_minutes)}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.credited)>{cr_date(l.credited_at)}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.expires) data-testid="lot-expires">{cr_date(l.expires_at)}
                                                {l.expired.then(|| view! { " "<span class="badge">{t!(i18n, hours.expired)}</span> })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {can_adjust.then(|| view! { <AdjustForm org_id adjust/> })}
        <section class="card">
            <h2>{t!(i18n, hours.history)}</h2>
            {if entries.is_empty() {
                view! { <p class="empty">{t!(i18n, hours.no_entries)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table stack" data-testid="ledger">
                            <thead><tr>
                                <th scope="col">{t!(i18n, hours.date)}</th>
                                <th scope="col">{t!(i18n, hours.movement)}</th>
                                <th scope="col">{t!(i18n, hours.minutes)}</th>
                                <th scope="col">{t!(i18n, hours.detail)}</th>
                            </tr></thead>
                            <tbody>
                                {entries.into_iter().map(|e| {
                                    let kind = e.kind;
                                    let sign = if e.minutes > 0 { "+" } else { "" };
                                    let link = e.change_request_id.map(|c| view! { " "<A href=format!("/cambios/{c}")>{format!("CR-{c}")}</A> });
                                    view! {
                                        <tr>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.date)>{format_cr(e.created_at)}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.movement)>{move || entry_label(i18n.get_locale(), kind)}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.minutes)>{format!("{sign}{}", format_minutes(e.minutes))}</td>
                                            <td data-label=move || td_string!(i18n.get_locale(), hours.detail)>{e.note.clone()}{link}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AdjustForm(org_id: i64, adjust: ServerAction<HoursAdjust>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h2>{t!(i18n, hours.adjust)}</h2>
            <ActionForm action=adjust attr:class="form" attr:data-testid="adjust">
                <input type="hidden" name="org_id" value=org_id/>
                <div class="form-row">
                    <label>{t!(i18n, hours.direction)}
                        <select name="direction">
                            <option value="credit">{t!(i18n, hours.credit)}</option>
                            <option value="debit">{t!(i18n, hours.withdraw)}</option>
                        </select>
                    </label>
                    <label>{t!(i18n, hours.amount)}<input name="amount" required placeholder="1:30"/></label>
                    <label>{t!(i18n, hours.validity)}<input name="validity_months" type="number" min="1" max="60" value="12"/></label>
                </div>
                <label>{t!(i18n, hours.reason)}<input name="reason" required maxlength="500"/></label>
                <FormError result=adjust.value().into()/>
                <button type="submit">{t!(i18n, hours.apply)}</button>
            </ActionForm>
        </section>
    }
}
