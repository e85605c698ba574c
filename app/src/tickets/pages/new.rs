use super::{format_due, kind_label};
use crate::domain::sla::first_response_due;
use crate::domain::{Priority, Role, TicketKind};
use crate::i18n::*;
use crate::kb::pages::TicketSuggestions;
use crate::pages::home::priority_label;
use crate::tickets::api::{load_new_ticket_form, OpenTicket};
use crate::tickets::pages::countdown::use_clock;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), tickets.new_title)/>
        <Authorized roles=&[Role::Customer] let:_user>
            <NewTicketForm/>
        </Authorized>
    }
}

#[component]
fn NewTicketForm() -> impl IntoView {
    let i18n = use_i18n();
    let context = Resource::new(|| (), |_| load_new_ticket_form());
    let open = ServerAction::<OpenTicket>::new();
    let kind = RwSignal::new(TicketKind::Incident);
    let priority = RwSignal::new(Priority::Normal);
    let subject = RwSignal::new(String::new());
    let now = use_clock();
    view! {
        <section class="card">
            <h1>{t!(i18n, tickets.new_title)}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match context.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(ctx) => {
                            let plan = ctx.plan;
                            let calendar = StoredValue::new(ctx.calendar);
                            let effective = move || if kind.get().allows(priority.get()) { priority.get() } else { Priority::Normal };
                            let due = move || calendar.with_value(|cal| first_response_due(plan, effective(), now.get(), cal));
                            view! {
                                <ActionForm action=open attr:class="form" attr:data-testid="new-ticket-form">
                                    <label for="subject">{t!(i18n, tickets.subject)}</label>
                                    <input id="subject" name="subject" required maxlength="200" autocomplete="off"
                                        on:input=move |ev| subject.set(event_target_value(&ev))/>
                                    <input type="hidden" name="draft" value=ctx.draft.clone()/>
                                    <TicketSuggestions subject=subject.into() draft=ctx.draft.clone()/>
                                    <label for="kind">{t!(i18n, tickets.kind)}</label>
                                    <select id="kind" name="kind" on:change=move |ev| {
                                        if let Ok(k) = event_target_value(&ev).parse::<TicketKind>() {
                                            kind.set(k);
                                            if !k.allows(priority.get_untracked()) {
                                                priority.set(Priority::Normal);
                                            }
                                        }
                                    }>
                                        {TicketKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || kind_label(i18n.get_locale(), k)}</option> }).collect_view()}
                                    </select>
                                    <label for="priority">{t!(i18n, tickets.priority)}</label>
                                    <select id="priority" name="priority" aria-describedby="priority-help"
                                        prop:value=move || effective().as_str()
                                        on:change=move |ev| { if let Ok(p) = event_target_value(&ev).parse::<Priority>() { priority.set(p); } }>
                                        {Priority::ALL.into_iter().map(|p| view! {
                                            <option value=p.as_str() selected=move || effective() == p disabled=move || !kind.get().allows(p)>
                                                {move || priority_label(i18n.get_locale(), p)}
                                            </option>
                                        }).collect_view()}
                                    </select>
                                    <small id="priority-help" class="muted">{t!(i18n, tickets.priority_help)}</small>
                                    <p class="due-preview" data-testid="due-preview" aria-live="polite">
                                        {t!(i18n, tickets.due_preview)}" "<strong>{move || format_due(i18n.get_locale(), due())}</strong>
                                    </p>
                                    <label for="body">{t!(i18n, tickets.description)}</label>
                                    <textarea id="body" name="body" rows="8" required maxlength="20000" aria-describedby="body-help"></textarea>
                                    <small id="body-help" class="muted">{t!(i18n, tickets.description_hint)}</small>
                                    {if plan.allows_on_site() {
                                        view! { <label class="check"><input type="checkbox" name="on_site" value="1"/>{t!(i18n, tickets.on_site)}</label> }.into_any()
                                    } else {
                                        view! { <p class="muted">{t!(i18n, tickets.on_site_unavailable)}</p> }.into_any()
                                    }}
                                    <FormError result=open.value().into()/>
                                    <button type="submit" disabled=move || open.pending().get()>{t!(i18n, tickets.submit)}</button>
                                </ActionForm>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
