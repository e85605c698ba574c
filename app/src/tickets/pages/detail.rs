use super::{format_due, kind_label, status_label, SlaBadge};
use crate::domain::{format_cr, Role, TicketStatus};
use crate::error::{AppError, ErrorCode};
use crate::i18n::*;
use crate::pages::home::{plan_label, priority_label};
use crate::tickets::api::{load_ticket, AssignTicket, ReplyTicket, SetTicketStatus};
use crate::tickets::{StaffMember, TicketPage};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ConfirmSubmit, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TicketDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), tickets.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <TicketView staff=user.role != Role::Customer/>
        </Authorized>
    }
}

#[component]
fn TicketView(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let reply = ServerAction::<ReplyTicket>::new();
    let status = ServerAction::<SetTicketStatus>::new();
    let assign = ServerAction::<AssignTicket>::new();
    // What is typed in the reply box lives here, outside the ticket's view that reloads after
    // every action: a sent reply empties it (so it is not sent twice), a refused one keeps it.
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(reply.value().get(), Some(Ok(_))) {
            draft.set(String::new());
        }
    });
    let page = Resource::new(
        move || {
            (
                id(),
                reply.version().get(),
                status.version().get(),
                assign.version().get(),
            )
        },
        |(id, ..)| load_ticket(id),
    );
    view! {
        <p><A href="/tickets">"← "{t!(i18n, tickets.back)}</A></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => view! { <TicketBody page=p staff reply draft status assign/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TicketBody(
    page: TicketPage,
    staff: bool,
    reply: ServerAction<ReplyTicket>,
    draft: RwSignal<String>,
    status: ServerAction<SetTicketStatus>,
    assign: ServerAction<AssignTicket>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = page.detail.ticket.clone();
    let calendar = StoredValue::new(page.calendar);
    let (plan, priority, kind, current_status) = (t.plan, t.priority, t.kind, t.status);
    let id = t.id;
    let messages = page.detail.messages.clone();
    view! {
        <article class="card ticket" data-testid="ticket">
            <header class="ticket-head">
                <p class="muted">{t.number.clone()}" · "{move || kind_label(i18n.get_locale(), kind)}</p>
                <h1>{t.subject.clone()}</h1>
                <p>
                    <span class="badge" data-testid="status">{move || status_label(i18n.get_locale(), current_status)}</span>" "
                    <SlaBadge plan priority due=t.first_response_due responded_at=t.responded_at closed_at=t.closed_at calendar/>
                </p>
            </header>
            <dl class="facts">
                <dt>{t!(i18n, tickets.org)}</dt><dd>{t.org_name.clone()}</dd>
                <dt>{t!(i18n, tickets.plan)}</dt><dd>{move || plan_label(i18n.get_locale(), plan)}</dd>
                <dt>{t!(i18n, tickets.priority)}</dt><dd>{move || priority_label(i18n.get_locale(), priority)}</dd>
                <dt>{t!(i18n, tickets.requester)}</dt><dd>{t.requester_name.clone()}</dd>
                <dt>{t!(i18n, tickets.assignee)}</dt><dd>{
                    let name = t.assignee_name.clone();
                    move || name.clone().unwrap_or_else(|| td_string!(i18n.get_locale(), tickets.unassigned).to_owned())
                }</dd>
                <dt>{t!(i18n, tickets.received)}</dt><dd>{format_cr(t.received_at)}</dd>
                <dt>{t!(i18n, tickets.due)}</dt><dd data-testid="due">{
                    let due = t.first_response_due;
                    move || format_due(i18n.get_locale(), due)
                }</dd>
                {t.on_site.then(|| view! { <dt></dt><dd><strong>{t!(i18n, tickets.on_site_requested)}</strong></dd> })}
            </dl>
            <div class="ticket-body rendered" inner_html=page.detail.body_html.clone()></div>
        </article>
        {staff.then(|| view! { <StaffControls id current_status people=page.staff.clone() assignee=t.assignee_id status assign/> })}
        {(!staff).then(|| view! {
            <ActionForm action=status attr:class="inline">
                <input type="hidden" name="id" value=id/>
                {if current_status.is_open() {
                    view! { <input type="hidden" name="status" value="closed"/>
                        <ConfirmSubmit testid="close-ticket"
                            label=Signal::derive(move || td_string!(i18n.get_locale(), tickets.close).to_owned())
                            question=Signal::derive(move || td_string!(i18n.get_locale(), tickets.close_question).to_owned())
                            confirm=Signal::derive(move || td_string!(i18n.get_locale(), tickets.close_yes).to_owned())/> }.into_any()
                } else {
                    view! { <input type="hidden" name="status" value="open"/><button type="submit" class="secondary">{t!(i18n, tickets.reopen)}</button> }.into_any()
                }}
            </ActionForm>
        })}
        <Attachments id attachments=page.detail.attachments.clone()/>
        <section class="card" aria-labelledby="conv-h">
            <h2 id="conv-h">{t!(i18n, tickets.conversation)}</h2>
            <ol class="thread" data-testid="thread">
                {messages.into_iter().map(|m| view! {
                    <li class:internal=m.internal class:staff=m.author_is_staff>
                        <p class="meta">
                            <strong>{m.author_name.clone()}</strong>
                            {m.author_is_staff.then(|| view! { " · "<span class="badge">{t!(i18n, tickets.staff)}</span> })}
                            {m.internal.then(|| view! { " · "<span class="badge internal">{t!(i18n, tickets.internal_badge)}</span> })}
                            " · "{format_cr(m.created_at)}
                        </p>
                        <div class="rendered" inner_html=m.body_html.clone()></div>
                    </li>
                }).collect_view()}
            </ol>
            <ActionForm action=reply attr:class="form" attr:data-testid="reply-form">
                <input type="hidden" name="id" value=id/>
                <label for="reply-body">{t!(i18n, tickets.reply)}</label>
                <textarea id="reply-body" name="body" rows="4" required maxlength="20000"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                {staff.then(|| view! { <label class="check"><input type="checkbox" name="internal" value="1"/>{t!(i18n, tickets.internal)}</label> })}
                <FormError result=reply.value().into()/>
                <button type="submit" disabled=move || reply.pending().get()>{t!(i18n, tickets.send)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StaffControls(
    id: i64,
    current_status: TicketStatus,
    people: Vec<StaffMember>,
    assignee: Option<i64>,
    status: ServerAction<SetTicketStatus>,
    assign: ServerAction<AssignTicket>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card staff-controls">
            <ActionForm action=status attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <label for="status">{t!(i18n, tickets.change_status)}</label>
                <select id="status" name="status">
                    {TicketStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == current_status>{move || status_label(i18n.get_locale(), s)}</option> }).collect_view()}
                </select>
                <button type="submit">{t!(i18n, tickets.save)}</button>
                <FormError result=status.value().into()/>
            </ActionForm>
            <ActionForm action=assign attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <label for="assignee">{t!(i18n, tickets.assign_to)}</label>
                <select id="assignee" name="assignee_id">
                    <option value="">{t!(i18n, tickets.unassigned)}</option>
                    {people.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == assignee>{p.name}</option> }).collect_view()}
                </select>
                <button type="submit">{t!(i18n, tickets.save)}</button>
                <FormError result=assign.value().into()/>
            </ActionForm>
        </section>
    }
}

fn upload_error(code: &str) -> Option<AppError> {
    [
        ErrorCode::FileEmpty,
        ErrorCode::FileTooLarge,
        ErrorCode::FileTypeNotAllowed,
    ]
    .into_iter()
    .find(|c| c.as_str() == code)
    .map(AppError::new)
}

/// Files of the ticket and a plain multipart form (works before hydration too).
#[component]
fn Attachments(id: i64, attachments: Vec<crate::tickets::Attachment>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let error = move || query.read().get("adjunto").and_then(|c| upload_error(&c));
    let empty = attachments.is_empty();
    view! {
        <section class="card" aria-labelledby="files-h">
            <h2 id="files-h">{t!(i18n, tickets.attachments)}</h2>
            {empty.then(|| view! { <p class="muted">{t!(i18n, tickets.no_attachments)}</p> })}
            <ul class="files" data-testid="attachments">
                {attachments.into_iter().map(|a| view! {
                    <li>
                        <a href=format!("/adjuntos/{}", a.id) rel="external" download=a.filename.clone()>{a.filename.clone()}</a>
                        <small class="muted">" · "{format!("{:.1} KB", a.size as f64 / 1024.0)}" · "{a.uploaded_by.clone()}" · "{format_cr(a.created_at)}</small>
                    </li>
                }).collect_view()}
            </ul>
            <form method="post" action=format!("/tickets/{id}/adjuntos") enctype="multipart/form-data" class="inline-form" data-testid="upload-form">
                <label for="file">{t!(i18n, tickets.file)}</label>
                <input id="file" name="file" type="file" required aria-describedby="file-hint"/>
                <button type="submit" class="secondary">{t!(i18n, tickets.attach)}</button>
            </form>
            <small id="file-hint" class="muted">{t!(i18n, tickets.attach_hint)}</small>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        </section>
    }
}
