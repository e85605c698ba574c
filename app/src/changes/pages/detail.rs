//! `/cambios/:id`: one change request: the ask, the estimate, what the customer approved, the
//! work logged against the hour bank, the history, and the steps the caller may take.

use super::{event_label, risk_label, status_label};
use crate::changes::api::{
    change_load, ChangeApprove, ChangeDecline, ChangeEstimate, ChangeFinish, ChangeReject,
    ChangeReopen, ChangeWork,
};
use crate::changes::ChangeDetail;
use crate::domain::hours::format_minutes;
use crate::domain::{format_cr, Role};
use crate::i18n::*;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ConfirmSubmit, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ChangeDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), changes.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:_user>
            <ChangeView/>
        </Authorized>
    }
}

/// Every step's action, created once so results survive the page's reloads.
#[derive(Clone, Copy)]
struct Steps {
    estimate: ServerAction<ChangeEstimate>,
    reject: ServerAction<ChangeReject>,
    approve: ServerAction<ChangeApprove>,
    decline: ServerAction<ChangeDecline>,
    work: ServerAction<ChangeWork>,
    finish: ServerAction<ChangeFinish>,
    reopen: ServerAction<ChangeReopen>,
}

#[component]
fn ChangeView() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let steps = Steps {
        estimate: ServerAction::new(),
        reject: ServerAction::new(),
        approve: ServerAction::new(),
        decline: ServerAction::new(),
        work: ServerAction::new(),
        finish: ServerAction::new(),
        reopen: ServerAction::new(),
    };
    // Reload after a step went through (a failed one keeps the form as typed).
    let refresh = RwSignal::new(0u32);
    macro_rules! reload_on_success {
        ($($a:ident),+) => {$(
            let action = steps.$a;
            Effect::watch(
                move || action.value().get(),
                move |value, _, _| if matches!(value, Some(Ok(_))) { refresh.update(|r| *r += 1) },
                false,
            );
        )+};
    }
    reload_on_success!(estimate, reject, approve, decline, work, finish, reopen);
    let detail = Resource::new(move || (id(), refresh.get()), |(id, _)| change_load(id));
    view! {
        <p><A href="/cambios">"← "{t!(i18n, changes.back)}</A></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(d) => view! { <ChangeBody detail=d steps/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangeBody(detail: ChangeDetail, steps: Steps) -> impl IntoView {
    let i18n = use_i18n();
    let s = detail.summary.clone();
    let id = s.id;
    let status = s.status;
    let risk = s.risk;
    let a = detail.actions;
    let short = a.approve && detail.balance_minutes < detail.to_cover_minutes;
    view! {
        <article class="card" data-testid="change">
            <div class="page-head">
                <h1>{s.number()}" · "{s.title.clone()}</h1>
                <span class=format!("badge cr-{}", status.as_str()) data-testid="cr-status">{move || status_label(i18n.get_locale(), status)}</span>
            </div>
            <dl class="facts">
                <dt>{t!(i18n, changes.organization)}</dt><dd>{s.org_name.clone()}</dd>
                <dt>{t!(i18n, changes.requester)}</dt><dd>{s.requester_name.clone()}</dd>
                {s.project_id.map(|p| view! { <dt>{t!(i18n, changes.field_project)}</dt><dd><A href=format!("/proyectos/{p}")>{s.project_name.clone().unwrap_or_default()}</A></dd> })}
                {s.desired_date.map(|d| view! { <dt>{t!(i18n, changes.field_desired)}</dt><dd>{d.format("%d/%m/%Y").to_string()}</dd> })}
                {risk.map(|r| view! { <dt>{t!(i18n, changes.risk)}</dt><dd data-testid="cr-risk">{move || risk_label(i18n.get_locale(), r)}</dd> })}
                <dt>{t!(i18n, changes.estimate)}</dt><dd data-testid="cr-estimate">{s.estimate_minutes.map(format_minutes).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, changes.approved)}</dt><dd data-testid="cr-approved">{format_minutes(s.approved_minutes)}</dd>
                <dt>{t!(i18n, changes.used)}</dt><dd data-testid="cr-used">{format_minutes(s.used_minutes)}</dd>
                {s.planned_for.map(|d| view! { <dt>{t!(i18n, changes.planned)}</dt><dd>{d.format("%d/%m/%Y").to_string()}</dd> })}
                <dt>{t!(i18n, changes.balance)}</dt><dd data-testid="cr-bank">{format_minutes(detail.balance_minutes)}</dd>
            </dl>
            <h2>{t!(i18n, changes.field_description)}</h2>
            <p class="pre">{detail.description.clone()}</p>
            {(!detail.scope.is_empty()).then(|| view! { <h2>{t!(i18n, changes.scope)}</h2><p class="pre" data-testid="cr-scope">{detail.scope.clone()}</p> })}
            {(!detail.reason.is_empty()).then(|| view! { <p class="notice warn">{t!(i18n, changes.reason)}": "{detail.reason.clone()}</p> })}
        </article>
        {a.approve.then(|| {
            let (to_cover, balance) = (detail.to_cover_minutes, detail.balance_minutes);
            view! {
            <section class="card" data-testid="decision">
                <h2>{t!(i18n, changes.decide)}</h2>
                <p>{t!(i18n, changes.to_cover)}" "<strong>{format_minutes(detail.to_cover_minutes)}</strong></p>
                {short.then(|| view! {
                    <p class="notice warn" data-testid="short">{t!(i18n, changes.short)}" "<A href="/tienda">{t!(i18n, changes.buy)}</A></p>
                })}
                <FormError result=steps.approve.value().into()/>
                {move || matches!(steps.approve.value().get(), Some(Err(_))).then(|| view! { <p><A href="/tienda">{t!(i18n, changes.buy)}</A></p> })}
                <div class="actions">
                    <ActionForm action=steps.approve>
                        <input type="hidden" name="id" value=id/>
                        <ConfirmSubmit testid="approve"
                            label=Signal::derive(move || td_string!(i18n.get_locale(), changes.approve).to_owned())
                            question=Signal::derive(move || {
                                let l = i18n.get_locale();
                                format!("{} {} {} {}.", td_string!(l, changes.approve_spends), format_minutes(to_cover),
                                    td_string!(l, changes.approve_left), format_minutes((balance - to_cover).max(0)))
                            })
                            confirm=Signal::derive(move || td_string!(i18n.get_locale(), changes.approve_yes).to_owned())/>
                    </ActionForm>
                    <ActionForm action=steps.decline attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <input name="reason" maxlength="500" aria-label=move || td_string!(i18n.get_locale(), changes.decline_reason) placeholder=move || td_string!(i18n.get_locale(), changes.decline_reason)/>
                        <button type="submit" class="secondary">{t!(i18n, changes.decline)}</button>
                    </ActionForm>
                </div>
            </section>
        }})}
        {a.estimate.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, changes.assess)}</h2>
                <ActionForm action=steps.estimate attr:class="form" attr:data-testid="estimate-form">
                    <input type="hidden" name="id" value=id/>
                    <div class="form-row">
                        <label>{t!(i18n, changes.estimate_hours)}<input name="estimate" required placeholder="2:30"/></label>
                        <label>{t!(i18n, changes.risk)}
                            <select name="risk">
                                <option value="bajo">{t!(i18n, changes.risk_low)}</option>
                                <option value="medio">{t!(i18n, changes.risk_medium)}</option>
                                <option value="alto">{t!(i18n, changes.risk_high)}</option>
                            </select>
                        </label>
                        <label>{t!(i18n, changes.planned)}<input type="date" name="planned_for"/></label>
                    </div>
                    <label>{t!(i18n, changes.scope)}<textarea name="scope" rows="3" maxlength="10000"></textarea></label>
                    <FormError result=steps.estimate.value().into()/>
                    <button type="submit">{t!(i18n, changes.send_estimate)}</button>
                </ActionForm>
                {a.reject.then(|| view! {
                    <ActionForm action=steps.reject attr:class="form">
                        <input type="hidden" name="id" value=id/>
                        <label>{t!(i18n, changes.reject_reason)}<input name="reason" required maxlength="500"/></label>
                        <FormError result=steps.reject.value().into()/>
                        <button type="submit" class="danger">{t!(i18n, changes.reject)}</button>
                    </ActionForm>
                })}
            </section>
        })}
        {a.work.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, changes.log_work)}</h2>
                <p class="muted">{t!(i18n, changes.left_of_estimate)}" "{format_minutes((s.approved_minutes - s.used_minutes).max(0))}</p>
                <ActionForm action=steps.work attr:class="form" attr:data-testid="work-form">
                    <input type="hidden" name="id" value=id/>
                    <div class="form-row">
                        <label>{t!(i18n, changes.time)}<input name="time" required placeholder="1:30"/></label>
                        <label>{t!(i18n, changes.note)}<input name="note" required maxlength="2000"/></label>
                    </div>
                    <FormError result=steps.work.value().into()/>
                    <button type="submit">{t!(i18n, changes.save_work)}</button>
                </ActionForm>
                <ActionForm action=steps.finish attr:class="form">
                    <input type="hidden" name="id" value=id/>
                    <label>{t!(i18n, changes.summary)}<input name="summary" maxlength="2000"/></label>
                    <FormError result=steps.finish.value().into()/>
                    <button type="submit" class="secondary" data-testid="finish">{t!(i18n, changes.finish)}</button>
                </ActionForm>
            </section>
        })}
        {a.reopen.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, changes.reopen)}</h2>
                <ActionForm action=steps.reopen attr:class="form">
                    <input type="hidden" name="id" value=id/>
                    <label>{t!(i18n, changes.reopen_reason)}<input name="reason" required maxlength="500"/></label>
                    <FormError result=steps.reopen.value().into()/>
                    <button type="submit" class="secondary">{t!(i18n, changes.reopen)}</button>
                </ActionForm>
            </section>
        })}
        <section class="card">
            <h2>{t!(i18n, changes.history)}</h2>
            <ol class="timeline" data-testid="cr-history">
                {detail.events.into_iter().map(|e| {
                    let kind = e.kind;
                    view! {
                        <li>
                            <time>{format_cr(e.created_at)}</time>" · "
                            <strong>{move || event_label(i18n.get_locale(), kind)}</strong>
                            {e.actor_name.map(|n| format!(" · {n}"))}
                            {e.minutes.map(|m| format!(" · {}", format_minutes(m)))}
                            {(!e.note.is_empty()).then(|| view! { <p class="muted">{e.note.clone()}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
