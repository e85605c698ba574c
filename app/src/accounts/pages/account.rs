use crate::accounts::api::{
    my_org, my_phone, my_sessions, ChangePassword, ConfirmPhone, RevokeSession, SavePhone,
    SignOutOthers,
};
use crate::accounts::{CurrentUser, SessionKind};
use crate::domain::channel::display_phone;
use crate::domain::{format_cr, Role};
use crate::i18n::*;
use crate::pages::dashboard::role_label;
use crate::pages::home::plan_label;
use crate::pages::SlaTable;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading, Notice};
use leptos::prelude::*;

#[component]
fn Sessions() -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeSession>::new();
    let others = ServerAction::<SignOutOthers>::new();
    let sessions = Resource::new(
        move || (revoke.version().get(), others.version().get()),
        |_| my_sessions(),
    );
    view! {
        <section class="card" aria-labelledby="sessions-h">
            <h2 id="sessions-h">{t!(i18n, account.sessions)}</h2>
            <p class="muted">{t!(i18n, account.sessions_lead)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) => view! {
                            <ul class="session-list" data-testid="sessions">
                                {list.into_iter().map(|s| {
                                    let kind = s.kind;
                                    view! {
                                        <li class:current=s.current>
                                            <div>
                                                <strong>{move || match kind { SessionKind::Web => td_string!(i18n.get_locale(), account.kind_web), SessionKind::Api => td_string!(i18n.get_locale(), account.kind_api) }}</strong>
                                                {s.current.then(|| view! { " · " <em>{t!(i18n, account.this_session)}</em> })}
                                                <br/>
                                                <small class="muted" title=s.user_agent.clone().unwrap_or_default() data-testid="session-client">{
                                                    let (client, raw) = (s.client.clone(), s.user_agent.clone().unwrap_or_default());
                                                    move || match &client {
                                                        Some(c) => match &c.os {
                                                            Some(os) => format!("{} {} {os}", c.browser, td_string!(i18n.get_locale(), account.on_os)),
                                                            None => c.browser.clone(),
                                                        },
                                                        None => raw.clone(),
                                                    }
                                                }" · "{s.ip.clone().unwrap_or_default()}</small>
                                                <br/>
                                                <small>{t!(i18n, account.started)}": "{format_cr(s.created_at)}" · "{t!(i18n, account.last_seen)}": "{format_cr(s.last_seen_at)}</small>
                                            </div>
                                            {(!s.current).then(|| view! {
                                                <ActionForm action=revoke attr:class="inline">
                                                    <input type="hidden" name="id" value=s.id/>
                                                    <button type="submit" class="secondary">{t!(i18n, account.revoke)}</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=others attr:class="inline">
                <button type="submit" class="secondary">{t!(i18n, account.sign_out_everywhere)}</button>
            </ActionForm>
            {move || matches!(others.value().get(), Some(Ok(_))).then(|| view! { <Notice>{t!(i18n, account.signed_out_others)}</Notice> })}
        </section>
    }
}

#[component]
fn PasswordChange() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    view! {
        <section class="card" aria-labelledby="pw-h">
            <h2 id="pw-h">{t!(i18n, account.change_password)}</h2>
            <ActionForm action=action attr:class="form">
                <label for="current">{t!(i18n, account.current_password)}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                <label for="new">{t!(i18n, account.new_password)}</label>
                <input id="new" name="new" type="password" autocomplete="new-password" minlength="8" maxlength="128" required/>
                <FormError result=action.value().into()/>
                {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! { <Notice>{t!(i18n, account.password_saved)}</Notice> })}
                <button type="submit" disabled=move || action.pending().get()>{t!(i18n, account.save_password)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Profile(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let role = user.role;
    view! {
        <section class="card" aria-labelledby="profile-h">
            <h2 id="profile-h">{t!(i18n, account.profile)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, account.name)}</dt><dd>{user.name.clone()}</dd>
                <dt>{t!(i18n, account.email)}</dt><dd>{user.email.clone()}</dd>
                <dt>{t!(i18n, account.role)}</dt><dd>{move || role_label(i18n.get_locale(), role)}</dd>
                {user.organization.clone().map(|o| view! { <dt>{t!(i18n, account.organization)}</dt><dd>{o.name}</dd> })}
            </dl>
            <PhoneForm saved=user.phone.clone()/>
        </section>
    }
}

/// The person's WhatsApp number: their WhatsApp conversations are linked to them (and their
/// organisation's plan and SLA) by it, once it is verified by a code sent to it or by staff.
#[component]
fn PhoneForm(saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePhone>::new();
    let confirm = ServerAction::<ConfirmPhone>::new();
    let status = Resource::new(
        move || (save.version().get(), confirm.version().get()),
        |_| my_phone(),
    );
    let shown = saved.clone().map(|d| display_phone(&d)).unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="form" attr:data-testid="phone-form">
            <label>{t!(i18n, account.phone)}
                <input name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="25"
                    placeholder="+506 8888 7777" value=shown/>
            </label>
            <p class="muted">{t!(i18n, account.phone_hint)}</p>
            <FormError result=save.value().into()/>
            <button type="submit" class="secondary" disabled=move || save.pending().get()>{t!(i18n, account.phone_save)}</button>
        </ActionForm>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match status.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(st) => view! {
                        {st.verified.clone().map(|d| view! {
                            <p class="notice ok" role="status" data-testid="phone-saved">{t!(i18n, account.phone_saved)}": "{display_phone(&d)}</p>
                        })}
                        {match (st.pending.clone(), st.code_sent) {
                            (Some(p), true) => view! {
                                <ActionForm action=confirm attr:class="form" attr:data-testid="phone-code-form">
                                    <p role="status" data-testid="phone-code-sent">{t!(i18n, account.phone_code_sent)}" "{display_phone(&p)}</p>
                                    <label>{t!(i18n, account.phone_code)}
                                        <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required/>
                                    </label>
                                    <FormError result=confirm.value().into()/>
                                    <button type="submit" disabled=move || confirm.pending().get()>{t!(i18n, account.phone_verify)}</button>
                                </ActionForm>
                            }.into_any(),
                            (Some(p), false) => view! {
                                <p class="notice" role="status" data-testid="phone-awaiting-staff">{t!(i18n, account.phone_awaiting_staff)}" ("{display_phone(&p)}")"</p>
                            }.into_any(),
                            (None, _) => ().into_any(),
                        }}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), account.title)/>
        <h1>{t!(i18n, account.title)}</h1>
        <Authorized let:user>
            <div class="grid-2">
                <Profile user/>
                <PasswordChange/>
            </div>
            <Sessions/>
        </Authorized>
    }
}

/// A customer's organisation: plan, schedule and first-response targets.
#[component]
pub fn MyOrgPage() -> impl IntoView {
    let i18n = use_i18n();
    let org = Resource::new(|| (), |_| my_org());
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), nav.organization)/>
        <Authorized roles=&[Role::Customer] let:_user>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match org.await {
                            Ok(Some(o)) => {
                                let plan = o.plan;
                                view! {
                                    <section class="card">
                                        <h1>{o.name.clone()}</h1>
                                        <p>{t!(i18n, dashboard.your_plan)}": "<strong>{move || plan_label(i18n.get_locale(), plan)}</strong></p>
                                        <p>{t!(i18n, admin.org_users)}": "{o.users}</p>
                                        <h2>{t!(i18n, dashboard.sla_for_plan)}</h2>
                                        <SlaTable plans=vec![plan]/>
                                        <p class="muted">{t!(i18n, home.sla_hours)}</p>
                                    </section>
                                }.into_any()
                            }
                            Ok(None) => view! { <p class="notice">{t!(i18n, errors.not_found)}</p> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
        </Authorized>
    }
}
