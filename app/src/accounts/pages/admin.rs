use crate::accounts::api::{
    join_requests, list_orgs, list_users, outbox, pending_phones, CreateOrg, DecideJoin,
    DecidePhone, InviteUser, SetAutoJoin,
};
use crate::accounts::MailStatus;
use crate::domain::channel::display_phone;
use crate::domain::{format_cr, Role, SupportPlan};
use crate::i18n::*;
use crate::pages::dashboard::role_label;
use crate::pages::home::plan_label;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading, Notice};
use leptos::prelude::*;

#[component]
pub fn OrgsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), admin.orgs_title)/>
        <Authorized roles=&[Role::Admin, Role::Agent] let:user>
            <OrgsAdmin can_create=user.role == Role::Admin/>
        </Authorized>
    }
}

#[component]
fn OrgsAdmin(can_create: bool) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateOrg>::new();
    let auto_join = ServerAction::<SetAutoJoin>::new();
    let orgs = Resource::new(
        move || (create.version().get(), auto_join.version().get()),
        |_| list_orgs(),
    );
    view! {
        <h1>{t!(i18n, admin.orgs_title)}</h1>
        <p class="muted">{t!(i18n, admin.orgs_lead)}</p>
        {can_create.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, admin.new_org)}</h2>
                <ActionForm action=create attr:class="form inline-form" attr:data-testid="org-form">
                    <label for="org-name">{t!(i18n, admin.org_name)}</label>
                    <input id="org-name" name="name" required maxlength="120"/>
                    <label for="org-plan">{t!(i18n, admin.org_plan)}</label>
                    <select id="org-plan" name="plan">
                        {SupportPlan::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{move || plan_label(i18n.get_locale(), p)}</option> }).collect_view()}
                    </select>
                    <FormError result=create.value().into()/>
                    {move || matches!(create.value().get(), Some(Ok(_))).then(|| view! { <Notice>{t!(i18n, admin.org_created_ok)}</Notice> })}
                    <button type="submit" disabled=move || create.pending().get()>{t!(i18n, admin.create)}</button>
                </ActionForm>
            </section>
        })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match orgs.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_orgs)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="orgs-table">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, admin.org_name)}</th>
                                    <th scope="col">{t!(i18n, admin.org_plan)}</th>
                                    <th scope="col">{t!(i18n, admin.org_users)}</th>
                                    <th scope="col">{t!(i18n, admin.org_created)}</th>
                                    <th scope="col">{t!(i18n, admin.auto_join)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|o| { let plan = o.plan; let on = o.auto_join_domain; view! {
                                        <tr>
                                            <td>{o.name}</td>
                                            <td>{move || plan_label(i18n.get_locale(), plan)}</td>
                                            <td>{o.users}</td>
                                            <td>{format_cr(o.created_at)}</td>
                                            <td>
                                                {move || if on { td_string!(i18n.get_locale(), admin.auto_join_on) } else { td_string!(i18n.get_locale(), admin.auto_join_off) }}
                                                {can_create.then(|| view! {
                                                    <ActionForm action=auto_join attr:class="inline">
                                                        <input type="hidden" name="org_id" value=o.id/>
                                                        <input type="hidden" name="on" value=(!on).to_string()/>
                                                        <button type="submit" class="secondary">{move || if on { td_string!(i18n.get_locale(), admin.auto_join_disable) } else { td_string!(i18n.get_locale(), admin.auto_join_enable) }}</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }}).collect_view()}
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
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), admin.users_title)/>
        <Authorized roles=&[Role::Admin] let:_u><UsersAdmin/></Authorized>
    }
}

/// WhatsApp numbers customers asked to link that no code could prove: staff confirm them (after
/// calling the person, say) or turn them down. Until then no conversation is linked.
#[component]
fn PendingPhones() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecidePhone>::new();
    let pending = Resource::new(move || decide.version().get(), |_| pending_phones());
    view! {
        <section class="card" aria-labelledby="phones-h">
            <h2 id="phones-h">{t!(i18n, admin.pending_phones)}</h2>
            <p class="muted">{t!(i18n, admin.pending_phones_lead)}</p>
            <FormError result=decide.value().into()/>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match pending.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_pending_phones)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="session-list" data-testid="pending-phones">
                                {list.into_iter().map(|p| view! {
                                    <li>
                                        <div>
                                            <strong>{display_phone(&p.phone)}</strong>" · "{p.name}" <"{p.email}">"
                                            <br/><small class="muted">{p.organization.unwrap_or_default()}" · "{format_cr(p.requested_at)}
                                            {p.code_sent.then(|| view! { " · " {t!(i18n, admin.code_sent)} })}</small>
                                        </div>
                                        <ActionForm action=decide attr:class="inline">
                                            <input type="hidden" name="user_id" value=p.user_id/>
                                            <input type="hidden" name="confirm" value="true"/>
                                            <button type="submit">{t!(i18n, admin.confirm_phone)}</button>
                                        </ActionForm>
                                        <ActionForm action=decide attr:class="inline">
                                            <input type="hidden" name="user_id" value=p.user_id/>
                                            <input type="hidden" name="confirm" value="false"/>
                                            <button type="submit" class="secondary">{t!(i18n, admin.reject_phone)}</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// New senders at a customer's mail domain: staff let them into that organisation, or leave
/// them a contact of their own. Until then their tickets are theirs alone.
#[component]
fn JoinRequests() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideJoin>::new();
    let requests = Resource::new(move || decide.version().get(), |_| join_requests());
    view! {
        <section class="card" aria-labelledby="joins-h">
            <h2 id="joins-h">{t!(i18n, admin.join_requests)}</h2>
            <p class="muted">{t!(i18n, admin.join_requests_lead)}</p>
            <FormError result=decide.value().into()/>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match requests.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_join_requests)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="session-list" data-testid="join-requests">
                                {list.into_iter().map(|r| view! {
                                    <li>
                                        <div>
                                            <strong>{r.name}</strong>" <"{r.email}">"
                                            <br/><small class="muted">{t!(i18n, admin.wants_to_join)}" "{r.org_name}" · "{format_cr(r.requested_at)}</small>
                                        </div>
                                        <ActionForm action=decide attr:class="inline">
                                            <input type="hidden" name="user_id" value=r.user_id/>
                                            <input type="hidden" name="approve" value="true"/>
                                            <button type="submit">{t!(i18n, admin.approve_join)}</button>
                                        </ActionForm>
                                        <ActionForm action=decide attr:class="inline">
                                            <input type="hidden" name="user_id" value=r.user_id/>
                                            <input type="hidden" name="approve" value="false"/>
                                            <button type="submit" class="secondary">{t!(i18n, admin.reject_join)}</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<InviteUser>::new();
    let users = Resource::new(move || invite.version().get(), |_| list_users());
    let orgs = Resource::new(|| (), |_| list_orgs());
    view! {
        <h1>{t!(i18n, admin.users_title)}</h1>
        <p class="muted">{t!(i18n, admin.users_lead)}</p>
        <PendingPhones/>
        <JoinRequests/>
        <section class="card">
            <h2>{t!(i18n, admin.invite)}</h2>
            <ActionForm action=invite attr:class="form" attr:data-testid="invite-form">
                <label for="u-name">{t!(i18n, admin.user_name)}</label>
                <input id="u-name" name="name" required maxlength="120"/>
                <label for="u-email">{t!(i18n, admin.user_email)}</label>
                <input id="u-email" name="email" type="email" required/>
                <label for="u-role">{t!(i18n, admin.user_role)}</label>
                <select id="u-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{move || role_label(i18n.get_locale(), r)}</option> }).collect_view()}
                </select>
                <label for="u-org">{t!(i18n, admin.user_org)}</label>
                // The whole <select> renders inside the Suspense: HTML parsers drop the
                // streaming markers a Suspense would leave between <option>s.
                <Transition fallback=|| view! { <select id="u-org" name="organization_id" disabled></select> }>
                    {move || Suspend::new(async move {
                        let options = orgs.await.unwrap_or_default().into_iter().map(|o| view! { <option value=o.id>{o.name}</option> }).collect_view();
                        view! {
                            <select id="u-org" name="organization_id" aria-describedby="u-org-hint">
                                <option value="">{t!(i18n, admin.no_org)}</option>
                                {options}
                            </select>
                        }
                    })}
                </Transition>
                <small id="u-org-hint" class="muted">{t!(i18n, admin.user_org_hint)}</small>
                <FormError result=invite.value().into()/>
                {move || matches!(invite.value().get(), Some(Ok(_))).then(|| view! { <Notice>{t!(i18n, admin.invited_ok)}</Notice> })}
                <button type="submit" disabled=move || invite.pending().get()>{t!(i18n, admin.send_invite)}</button>
            </ActionForm>
        </section>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_users)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="users-table">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, admin.user_name)}</th>
                                    <th scope="col">{t!(i18n, admin.user_email)}</th>
                                    <th scope="col">{t!(i18n, admin.user_role)}</th>
                                    <th scope="col">{t!(i18n, admin.user_org)}</th>
                                    <th scope="col">{t!(i18n, admin.status)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| { let role = u.role; let active = u.active; view! {
                                        <tr>
                                            <td>{u.name}</td>
                                            <td>{u.email}</td>
                                            <td>{move || role_label(i18n.get_locale(), role)}</td>
                                            <td>{u.organization.unwrap_or_default()}</td>
                                            <td>{move || if active { td_string!(i18n.get_locale(), admin.active) } else { td_string!(i18n.get_locale(), admin.pending) }}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn mail_status_label(locale: Locale, status: MailStatus) -> &'static str {
    match status {
        MailStatus::Pending => td_string!(locale, admin.mail_pending),
        MailStatus::Sent => td_string!(locale, admin.mail_sent),
        MailStatus::Logged => td_string!(locale, admin.mail_logged),
        MailStatus::Failed => td_string!(locale, admin.mail_failed),
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), admin.outbox_title)/>
        <Authorized roles=&[Role::Admin] let:_u><OutboxList/></Authorized>
    }
}

#[component]
fn OutboxList() -> impl IntoView {
    let i18n = use_i18n();
    let mails = Resource::new(|| (), |_| outbox());
    view! {
        <h1>{t!(i18n, admin.outbox_title)}</h1>
        <p class="muted">{t!(i18n, admin.outbox_lead)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match mails.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.outbox_empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="outbox" data-testid="outbox">
                            {list.into_iter().map(|m| { let status = m.status; view! {
                                <li class="card">
                                    <details>
                                        <summary>
                                            <strong>{m.subject}</strong>
                                            " → "{m.to}
                                            " · "{format_cr(m.created_at)}
                                            " · "<span class="badge">{move || mail_status_label(i18n.get_locale(), status)}</span>
                                        </summary>
                                        <pre class="mail-body">{m.body}</pre>
                                        {m.last_error.map(|e| view! { <p class="notice error">{e}</p> })}
                                    </details>
                                </li>
                            }}).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
