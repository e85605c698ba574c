//! `/cambios`: the organisation's change requests and the form to ask for one (customers), or
//! every request (staff).

use super::status_label;
use crate::changes::api::{changes_load, ChangeSubmit};
use crate::changes::{ChangeList, ChangeSummary};
use crate::domain::hours::format_minutes;
use crate::domain::{format_cr, Role};
use crate::i18n::*;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), changes.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <ChangeListView staff=user.role != Role::Customer/>
        </Authorized>
    }
}

#[component]
fn ChangeListView(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let submit = ServerAction::<ChangeSubmit>::new();
    let list = Resource::new(|| (), |_| changes_load());
    view! {
        <div class="page-head"><h1>{t!(i18n, changes.title)}</h1></div>
        <p class="muted">{move || if staff { td_string!(i18n.get_locale(), changes.lead_staff) } else { td_string!(i18n.get_locale(), changes.lead_customer) }}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(l) => view! { <ListBody list=l submit staff/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ListBody(list: ChangeList, submit: ServerAction<ChangeSubmit>, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ChangeList {
        items,
        projects,
        balance_minutes,
        can_submit,
    } = list;
    view! {
        {balance_minutes.map(|b| view! {
            <p class="notice">{t!(i18n, changes.balance)}": "<strong data-testid="cr-balance">{format_minutes(b)}</strong>" · "
                <A href="/horas">{t!(i18n, changes.see_hours)}</A>" · "<A href="/tienda">{t!(i18n, changes.buy)}</A></p>
        })}
        {can_submit.then(|| view! {
            <details class="card" open=items.is_empty()>
                <summary>{t!(i18n, changes.new_request)}</summary>
                <ActionForm action=submit attr:class="form" attr:data-testid="new-change">
                    <label>{t!(i18n, changes.field_title)}<input name="title" required maxlength="150"/></label>
                    <label>{t!(i18n, changes.field_description)}<textarea name="description" rows="5" required maxlength="10000"></textarea></label>
                    <div class="form-row">
                        <label>{t!(i18n, changes.field_project)}
                            <select name="project_id">
                                <option value="">{t!(i18n, changes.no_project)}</option>
                                {projects.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(i18n, changes.field_desired)}<input type="date" name="desired_date"/></label>
                    </div>
                    <FormError result=submit.value().into()/>
                    <button type="submit" disabled=move || submit.pending().get()>{t!(i18n, changes.submit)}</button>
                </ActionForm>
            </details>
        })}
        {if items.is_empty() {
            view! { <p class="empty" data-testid="changes-empty">{t!(i18n, changes.empty)}</p> }.into_any()
        } else {
            view! { <ChangeTable items staff/> }.into_any()
        }}
    }
}

#[component]
pub fn ChangeTable(items: Vec<ChangeSummary>, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table stack" data-testid="changes">
                <thead><tr>
                    <th scope="col">{t!(i18n, changes.number)}</th>
                    <th scope="col">{t!(i18n, changes.field_title)}</th>
                    {staff.then(|| view! { <th scope="col">{t!(i18n, changes.organization)}</th> })}
                    <th scope="col">{t!(i18n, changes.status)}</th>
                    <th scope="col">{t!(i18n, changes.estimate)}</th>
                    <th scope="col">{t!(i18n, changes.used)}</th>
                    <th scope="col">{t!(i18n, changes.updated)}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|c| {
                        let status = c.status;
                        view! {
                            <tr>
                                <td data-label=move || td_string!(i18n.get_locale(), changes.number) class="nowrap">{c.number()}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), changes.field_title)><A href=format!("/cambios/{}", c.id)>{c.title.clone()}</A></td>
                                {staff.then(|| view! { <td data-label=move || td_string!(i18n.get_locale(), changes.organization)>{c.org_name.clone()}</td> })}
                                <td data-label=move || td_string!(i18n.get_locale(), changes.status)><span class=format!("badge cr-{}", status.as_str())>{move || status_label(i18n.get_locale(), status)}</span></td>
                                <td data-label=move || td_string!(i18n.get_locale(), changes.estimate)>{c.estimate_minutes.map(format_minutes).unwrap_or_else(|| "—".into())}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), changes.used)>{format_minutes(c.used_minutes)}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), changes.updated)>{format_cr(c.updated_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
