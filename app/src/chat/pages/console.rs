//! The agent console: presence, the queue with wait times, the agent's chats with unread
//! counts, one open conversation with customer context, transfer, ticket and close.

use super::channel::{ChannelBadge, ReplyWindow};
use super::connection::{console_events, ChatConnection};
use super::conversation::Conversation;
use crate::chat::api::{
    console_context, console_load, ChatEnd, ConsoleAccept, ConsolePresence, ConsoleToTicket,
    ConsoleTransfer,
};
use crate::chat::{AgentInfo, CannedResponse, ConsoleChat, ConsoleEvent, ConsoleState};
use crate::domain::chat::{ChatRole, ChatStatus, Presence};
use crate::domain::Role;
use crate::i18n::*;
use crate::pages::home::plan_label;
use crate::tickets::pages::use_clock;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

fn presence_label(l: Locale, p: Presence) -> &'static str {
    match p {
        Presence::Online => td_string!(l, chat.online),
        Presence::Away => td_string!(l, chat.away),
        Presence::Offline => td_string!(l, chat.offline_presence),
    }
}

/// "3:07" / "1:02:05" since `from`.
fn waited(from: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let s = (now - from).num_seconds().max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[component]
pub fn AgentConsolePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), chat.console_title)/>
        <h1>{t!(i18n, chat.console_title)}</h1>
        <Authorized roles=&[Role::Agent, Role::Admin] let:user>
            <Console me=user.id/>
        </Authorized>
    }
}

#[component]
fn Console(me: i64) -> impl IntoView {
    let i18n = use_i18n();
    let refresh = RwSignal::new(0_u32);
    let presence = ServerAction::<ConsolePresence>::new();
    let accept = ServerAction::<ConsoleAccept>::new();
    let selected = RwSignal::new(None::<i64>);
    let state = Resource::new(
        move || {
            (
                refresh.get(),
                presence.version().get(),
                accept.version().get(),
            )
        },
        |_| console_load(),
    );
    let fresh_chats = RwSignal::new(0_u32);
    Effect::new(move |_| {
        console_events(move |event| {
            if let ConsoleEvent::Changed { new_chat: true, .. } = event {
                fresh_chats.update(|n| *n += 1);
                super::connection::notify_sound();
            }
            refresh.update(|n| *n += 1);
        });
    });
    // Title notification: waiting chats and unread messages, e.g. "(3) Chat en vivo".
    Effect::new(move |_| {
        let Some(Ok(s)) = state.get() else { return };
        let count = s.waiting.len() as i64 + s.mine.iter().map(|c| c.unread).sum::<i64>();
        super::connection::set_title_count(
            count,
            td_string!(i18n.get_locale(), chat.console_title),
        );
    });
    Effect::new(move |_| {
        if let Some(Ok(chat)) = accept.value().get() {
            selected.set(Some(chat.id));
        }
    });
    // Agents and canned responses for the open conversation, kept from the latest refresh.
    let agents = RwSignal::new(Vec::<AgentInfo>::new());
    let canned = RwSignal::new(Vec::<CannedResponse>::new());
    Effect::new(move |_| {
        if let Some(Ok(s)) = state.get() {
            agents.set(s.agents.clone());
            canned.set(s.canned.clone());
        }
    });
    // The open conversation is mounted once per selection, not on every list refresh, so its
    // socket and the agent's half-typed reply survive customers writing in other chats.
    let current = Memo::new(move |_| selected.get());
    view! {
        <div class="console" data-testid="console">
            <aside class="console-side">
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match state.await {
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            Ok(s) => view! { <SidePanel state=s me presence accept selected/> }.into_any(),
                        }
                    })}
                </Transition>
            </aside>
            <section class="console-main">
                {move || match current.get() {
                    Some(id) => view! {
                        <OpenChat id agents=agents.get_untracked() canned=canned.get_untracked() refresh selected/>
                    }.into_any(),
                    None => view! { <p class="muted empty-state">{t!(i18n, chat.pick_one)}</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn SidePanel(
    state: ConsoleState,
    me: i64,
    presence: ServerAction<ConsolePresence>,
    accept: ServerAction<ConsoleAccept>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let clock = use_clock();
    let current = state.me.presence;
    let waiting = state.waiting.clone();
    let mine = state.mine.clone();
    let emails = state.email.clone();
    let load_text = format!("{}/{}", state.me.active_chats, state.me.max_chats);
    view! {
                <div class="presence">
                    <label>{t!(i18n, chat.presence)}
                        <select data-testid="presence" on:change=move |ev| {
                            if let Ok(p) = event_target_value(&ev).parse::<Presence>() {
                                presence.dispatch(ConsolePresence { presence: p });
                            }
                        }>
                            {Presence::ALL.into_iter().map(|p| view! {
                                <option value=p.as_str() selected=p == current>{move || presence_label(i18n.get_locale(), p)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <span class="muted" title=move || td_string!(i18n.get_locale(), chat.load)>{load_text}</span>
                </div>
                <FormError result=presence.value().into()/>
                <FormError result=accept.value().into()/>
                <h2>{t!(i18n, chat.queue)}" ("{waiting.len()}")"</h2>
                {waiting.is_empty().then(|| view! { <p class="muted" data-testid="queue-empty">{t!(i18n, chat.queue_empty)}</p> })}
                <ul class="chat-list" data-testid="queue">
                    {waiting.into_iter().map(|c| {
                        let id = c.chat.id;
                        let created = c.chat.created_at;
                        let offered = c.chat.agent_id == Some(me);
                        view! {
                            <li class:offered=offered data-testid="queue-item">
                                <div>
                                    <ChannelBadge channel=c.chat.channel/>" "
                                    <strong>{c.chat.visitor_name.clone()}</strong>
                                    {c.chat.org_name.clone().map(|o| view! { <span class="muted">" · "{o}</span> })}
                                    <p class="preview">{c.preview.clone()}</p>
                                    <span class="muted">{t!(i18n, chat.waiting_for)}" "{move || waited(created, clock.get())}</span>
                                    {offered.then(|| view! { <span class="badge">{t!(i18n, chat.offered_to_you)}</span> })}
                                </div>
                                <button type="button" on:click=move |_| { accept.dispatch(ConsoleAccept { id }); }
                                    data-testid="accept">{t!(i18n, chat.accept)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h2>{t!(i18n, chat.email_inbox)}" ("{emails.len()}")"</h2>
                {emails.is_empty().then(|| view! { <p class="muted">{t!(i18n, chat.email_empty)}</p> })}
                <ul class="chat-list" data-testid="email-inbox">
                    {emails.into_iter().map(|t| {
                        let received = t.received_at;
                        view! {
                            <li data-testid="email-item">
                                <A href=format!("/tickets/{}", t.id) attr:class="chat-pick">
                                    <span class="channel-badge" data-channel="email" data-testid="channel">{t!(i18n, chat.channel_email)}</span>" "
                                    <strong>{t.requester_name.clone()}</strong>
                                    <span class="muted">" · "{t.org_name.clone()}</span>
                                    <span class="preview">{format!("{} · {}", t.number, t.subject)}</span>
                                    <span class="muted">{t!(i18n, chat.waiting_for)}" "{move || waited(received, clock.get())}</span>
                                </A>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h2>{t!(i18n, chat.my_chats)}</h2>
                {mine.is_empty().then(|| view! { <p class="muted">{t!(i18n, chat.no_chats)}</p> })}
                <ul class="chat-list" data-testid="my-chats">
                    {mine.into_iter().map(|c: ConsoleChat| {
                        let id = c.chat.id;
                        view! {
                            <li class:selected=move || selected.get() == Some(id)>
                                <button type="button" class="chat-pick" on:click=move |_| selected.set(Some(id)) data-testid="my-chat">
                                    <ChannelBadge channel=c.chat.channel/>" "
                                    <strong>{c.chat.visitor_name.clone()}</strong>
                                    {move || (c.unread > 0 && selected.get() != Some(id)).then(|| view! { <span class="badge unread" data-testid="unread">{c.unread}</span> })}
                                    <span class="preview">{c.preview.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
    }
}

#[component]
fn OpenChat(
    id: i64,
    agents: Vec<AgentInfo>,
    canned: Vec<CannedResponse>,
    refresh: RwSignal<u32>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let thread = Resource::new(move || id, crate::chat::api::chat_load);
    let context = Resource::new(move || id, console_context);
    let canned = StoredValue::new(canned);
    let agents = StoredValue::new(agents);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let t = match thread.await {
                    Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(t) => t,
                };
                let conn = ChatConnection::new(t.chat, t.messages, ChatRole::Agent);
                Effect::new(move |_| conn.connect());
                on_cleanup(move || conn.stop());
                view! {
                    <div class="open-chat">
                        <div class="open-chat-main">
                            <ChatActions conn agents=agents.get_value() refresh selected/>
                            <Conversation conn me=ChatRole::Agent staff=true canned=canned.get_value()/>
                        </div>
                        <aside class="customer-context" data-testid="customer-context">
                            <h3>{t!(i18n, chat.customer)}</h3>
                            <Transition fallback=Loading>
                                {move || Suspend::new(async move {
                                    match context.await {
                                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                                        Ok(c) => view! {
                                            <dl>
                                                <dt>{t!(i18n, chat.name)}</dt><dd>{c.name}</dd>
                                                <dt>{t!(i18n, chat.email)}</dt><dd>{c.email}</dd>
                                                <dt>{t!(i18n, chat.organization)}</dt>
                                                <dd>{c.org_name.unwrap_or_else(|| td_string!(i18n.get_locale_untracked(), chat.anonymous_visitor).to_string())}</dd>
                                                <dt>{t!(i18n, chat.plan)}</dt>
                                                <dd>{c.plan.map(|p| view! { <span>{move || plan_label(i18n.get_locale(), p)}</span> })}</dd>
                                            </dl>
                                            <h4>{t!(i18n, chat.open_tickets)}</h4>
                                            {c.open_tickets.is_empty().then(|| view! { <p class="muted">{t!(i18n, chat.none)}</p> })}
                                            <ul>{c.open_tickets.into_iter().map(|(id, number, subject)| view! {
                                                <li><a href=format!("/tickets/{id}") target="_blank" rel="noopener">{number}" · "{subject}</a></li>
                                            }).collect_view()}</ul>
                                        }.into_any(),
                                    }
                                })}
                            </Transition>
                        </aside>
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}

/// The 24-hour window as the server last reported it, moved on by any newer customer message.
fn window_closes(conn: &ChatConnection) -> Option<chrono::DateTime<chrono::Utc>> {
    let stored = conn.chat.with(|c| c.window_closes_at);
    let latest = conn.messages.with(|list| {
        list.iter()
            .rev()
            .find(|m| m.role == ChatRole::Customer)
            .map(|m| crate::domain::channel::window_closes_at(m.sent_at))
    });
    stored.max(latest)
}

#[component]
fn ChatActions(
    conn: ChatConnection,
    agents: Vec<AgentInfo>,
    refresh: RwSignal<u32>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let transfer = ServerAction::<ConsoleTransfer>::new();
    let to_ticket = ServerAction::<ConsoleToTicket>::new();
    let end = ServerAction::<ChatEnd>::new();
    let target = RwSignal::new(String::new());
    let id = conn.chat_id;
    Effect::new(move |_| {
        if let Some(Ok(chat)) = end.value().get() {
            conn.chat.set(chat);
            refresh.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = transfer.value().get() {
            selected.set(None);
            refresh.update(|n| *n += 1);
        }
    });
    let me = conn.chat.with_untracked(|c| c.agent_id);
    let others: Vec<AgentInfo> = agents.into_iter().filter(|a| Some(a.id) != me).collect();
    let ticket_link = move || {
        let from_action = match to_ticket.value().get() {
            Some(Ok(t)) => Some(t),
            _ => None,
        };
        from_action.or_else(|| conn.chat.with(|c| c.ticket_id))
    };
    let closed = move || conn.chat.with(|c| c.status == ChatStatus::Closed);
    let (channel, contact) = conn.chat.with_untracked(|c| (c.channel, c.contact.clone()));
    view! {
        <div class="chat-actions">
            <div class="who">
                <ChannelBadge channel/>" "
                <strong>{move || conn.chat.with(|c| c.visitor_name.clone())}</strong>
                {contact.map(|c| view! { <span class="muted" data-testid="contact">" · "{c}</span> })}
                {move || closed().then(|| view! { <span class="badge">{t!(i18n, chat.ended)}</span> })}
            </div>
            {channel.is_meta().then(|| view! { <ReplyWindow closes_at=Signal::derive(move || window_closes(&conn))/> })}
            <form class="inline" on:submit=move |ev| {
                ev.prevent_default();
                if let Ok(agent_id) = target.get_untracked().parse::<i64>() {
                    transfer.dispatch(ConsoleTransfer { id, agent_id });
                }
            }>
                <label class="sr-only" for="transfer-to">{t!(i18n, chat.transfer_to)}</label>
                <select id="transfer-to" on:change=move |ev| target.set(event_target_value(&ev)) data-testid="transfer-to">
                    <option value="">{t!(i18n, chat.transfer_to)}</option>
                    {others.into_iter().map(|a| {
                        let label = format!("{} ({}/{})", a.name, a.active_chats, a.max_chats);
                        view! { <option value=a.id.to_string()>{label}" · "{move || presence_label(i18n.get_locale(), a.presence)}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary" disabled=closed>{t!(i18n, chat.transfer)}</button>
            </form>
            {move || match ticket_link() {
                Some(t) => view! { <a href=format!("/tickets/{t}") data-testid="chat-ticket-link">{t!(i18n, chat.see_ticket)}</a> }.into_any(),
                None => view! {
                    <button type="button" class="secondary" on:click=move |_| { to_ticket.dispatch(ConsoleToTicket { id }); }
                        data-testid="to-ticket">{t!(i18n, chat.to_ticket)}</button>
                }.into_any(),
            }}
            <button type="button" class="secondary" disabled=closed on:click=move |_| { end.dispatch(ChatEnd { id }); }
                data-testid="close-chat">{t!(i18n, chat.end)}</button>
            <FormError result=transfer.value().into()/>
            <FormError result=to_ticket.value().into()/>
            <FormError result=end.value().into()/>
        </div>
    }
}
