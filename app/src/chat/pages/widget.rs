//! The chat launcher on every page for visitors and customers: pre-chat form, live
//! conversation, after-hours message with article suggestions, and the end (rating, transcript).

use super::connection::ChatConnection;
use super::conversation::Conversation;
use crate::chat::api::{
    ChatEnd, ChatForget, ChatLeaveMessage, ChatLoad, ChatRate, ChatStart, ChatTranscript,
    ChatWidgetState,
};
use crate::chat::{Availability, ChatThread, WidgetState};
use crate::domain::chat::{initials, ChatRole, ChatStatus};
use crate::domain::format_cr;
use crate::i18n::*;
use crate::kb::api::KbSuggest;
use crate::kb::pages::{debounced, reader_lang};
use crate::ui::{ErrorNotice, FormError, Loading};
use leptos::prelude::*;

/// The launcher button and its panel. Staff answer from the console, so the stylesheet hides it
/// when the navigation belongs to staff (`body:has(.nav-links[data-role=…])`): no second
/// suspense on the signed-in user, and the server's HTML already has it hidden.
#[component]
pub fn ChatLauncher() -> impl IntoView {
    view! { <ChatPanel/> }
}

#[component]
fn ChatPanel() -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    // Kept while the panel is closed: reopening shows the same state and conversation at once.
    let known_state = RwSignal::new(None::<WidgetState>);
    // The panel's code (a lazy WASM part) has arrived: set once, on the first opening.
    let part_loaded = RwSignal::new(false);
    let thread = RwSignal::new(None::<ChatThread>);
    provide_context(FirstMessage(StoredValue::new(None)));
    let toggle = move |_| open.update(|o| *o = !*o);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <div class="chat-widget" class:open=move || open.get() on:keydown=on_key>
            <Show when=move || open.get()>
                <section class="chat-panel" role="dialog" aria-modal="false"
                    aria-label=move || td_string!(i18n.get_locale(), chat.title) data-testid="chat-panel">
                    <header class="chat-head">
                        <h2>{t!(i18n, chat.title)}</h2>
                        <button type="button" class="link-button" on:click=move |_| open.set(false)
                            aria-label=move || td_string!(i18n.get_locale(), chat.minimize)>"✕"</button>
                    </header>
                    // The loading line shows until the part has arrived (once per page load);
                    // the part then shows its own while the widget's state loads.
                    <Show when=move || !part_loaded.get()><Loading/></Show>
                    {Suspend::new(async move {
                        let contents = panel_contents(known_state, thread).await;
                        part_loaded.set(true);
                        contents
                    })}
                </section>
            </Show>
            <button type="button" class="chat-launcher" on:click=toggle
                aria-expanded=move || open.get().to_string() data-testid="chat-launcher">
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>
                <span>{move || if open.get() { td_string!(i18n.get_locale(), chat.minimize) } else { td_string!(i18n.get_locale(), chat.launch) }}</span>
            </button>
        </div>
    }
}

/// The panel's contents load on first opening (their own WASM chunk in a split build): the
/// launcher is on every page, the conversation code (and the types its server calls answer
/// with) is needed only by those who open it. "Loading…" shows while the chunk arrives.
#[lazy]
fn panel_contents(
    known_state: RwSignal<Option<WidgetState>>,
    thread: RwSignal<Option<ChatThread>>,
) -> AnyView {
    view! { <PanelContents known_state thread/> }.into_any()
}

/// Asks the server for the widget's state (open hours, a conversation under way) the first time
/// the panel opens, and again when a conversation ends (`reload`).
#[component]
fn PanelContents(
    known_state: RwSignal<Option<WidgetState>>,
    thread: RwSignal<Option<ChatThread>>,
) -> impl IntoView {
    let state = ServerAction::<ChatWidgetState>::new();
    if known_state.get_untracked().is_none() {
        state.dispatch(ChatWidgetState {});
    }
    Effect::new(move |_| match state.value().get() {
        Some(Ok(s)) => known_state.set(Some(s)),
        // Shown below; the next opening asks again.
        Some(Err(_)) => known_state.set(None),
        None => {}
    });
    // The body is rebuilt only when the state itself changes, never with a stale one.
    move || match known_state.get() {
        Some(s) => view! { <PanelBody state=s thread reload=state/> }.into_any(),
        None => match state.value().get() {
            Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
            _ => view! { <Loading/> }.into_any(),
        },
    }
}

#[component]
fn PanelBody(
    state: WidgetState,
    thread: RwSignal<Option<ChatThread>>,
    reload: ServerAction<ChatWidgetState>,
) -> impl IntoView {
    let known = state.known_customer;
    let availability = state.availability.clone();
    let resuming = state.chat.is_some();
    // A chat already under way (another page, a reload): load its history. Here rather than in
    // the launcher, so the conversation's types stay out of the module every page downloads.
    let load = ServerAction::<ChatLoad>::new();
    let under_way = state.chat.as_ref().map(|c| c.id);
    Effect::new(move |_| {
        if let Some(id) = under_way {
            if thread.get_untracked().map(|t| t.chat.id) != Some(id) {
                load.dispatch(ChatLoad { id });
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(t)) = load.value().get() {
            thread.set(Some(t));
        }
    });
    move || match thread.get() {
        Some(t) => view! { <LiveChat thread=t reload reset=thread/> }.into_any(),
        None if resuming => view! { <Loading/> }.into_any(),
        None if availability.open() => view! { <PreChat known thread/> }.into_any(),
        None => view! { <AfterHours availability=availability.clone() known/> }.into_any(),
    }
}

#[component]
fn PreChat(known: bool, thread: RwSignal<Option<ChatThread>>) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<ChatStart>::new();
    let first = RwSignal::new(String::new());
    let first_message = use_context::<FirstMessage>();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    // A conversation starts with what the customer needs: an empty one would reach the agent's
    // queue with nothing to read.
    let first_missing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(t)) = start.value().get() {
            if let Some(FirstMessage(m)) = first_message {
                m.set_value(Some(first.get_untracked()));
            }
            thread.set(Some(t));
        }
    });
    view! {
        <form class="stack prechat" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let missing = first.get_untracked().trim().is_empty();
            first_missing.set(missing);
            if !missing {
                start.dispatch(ChatStart { name: name.get_untracked(), email: email.get_untracked() });
            }
        }>
            <p>{t!(i18n, chat.intro)}</p>
            {(!known).then(|| view! {
                <label>{t!(i18n, chat.your_name)}<input required autocomplete="name" on:input=move |ev| name.set(event_target_value(&ev)) data-testid="chat-name"/></label>
                <label>{t!(i18n, chat.your_email)}<input type="email" required autocomplete="email" on:input=move |ev| email.set(event_target_value(&ev)) data-testid="chat-email"/></label>
            })}
            <label>{t!(i18n, chat.how_help)}
                <textarea rows="3" maxlength="4000" required prop:value=move || first.get()
                    aria-invalid=move || first_missing.get().then_some("true")
                    aria-describedby=move || first_missing.get().then_some("chat-first-error")
                    on:input=move |ev| {
                        first.set(event_target_value(&ev));
                        first_missing.set(false);
                    } data-testid="chat-first"></textarea>
            </label>
            {move || first_missing.get().then(|| view! {
                <p class="notice error" role="alert" id="chat-first-error" data-testid="chat-first-error">{t!(i18n, chat.first_required)}</p>
            })}
            <FormError result=start.value().into()/>
            <button type="submit" disabled=move || start.pending().get() data-testid="chat-start">{t!(i18n, chat.start)}</button>
        </form>
    }
}

/// The pre-chat form's first message, sent once the conversation is connected.
#[derive(Clone, Copy)]
struct FirstMessage(StoredValue<Option<String>>);

#[component]
fn AfterHours(availability: Availability, known: bool) -> impl IntoView {
    let i18n = use_i18n();
    let leave = ServerAction::<ChatLeaveMessage>::new();
    let suggest = ServerAction::<KbSuggest>::new();
    let body = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let on_change = debounced(move |s: String| {
        if s.trim().chars().count() >= 3 {
            suggest.dispatch(KbSuggest {
                subject: s,
                lang: reader_lang(i18n.get_locale_untracked()),
            });
        }
    });
    Effect::new(move |_| on_change(body.get()));
    let reason = move || {
        let l = i18n.get_locale();
        if availability.within_hours {
            td_string!(l, chat.no_agents).to_string()
        } else {
            td_string!(l, chat.closed_now).to_string()
        }
    };
    let next = availability.next_opening.map(format_cr);
    view! {
        <div class="stack after-hours" data-testid="chat-after-hours">
            <p class="notice">{reason}</p>
            {next.map(|n| view! { <p>{t!(i18n, chat.next_opening)}" "<strong data-testid="chat-next-opening">{n}</strong>" "{t!(i18n, chat.cr_time)}</p> })}
            {move || match leave.value().get() {
                Some(Ok(number)) => view! {
                    <p class="notice ok" role="status" data-testid="chat-left">{t!(i18n, chat.message_left)}" "<strong>{number}</strong></p>
                }.into_any(),
                _ => view! {
                    <form class="stack" on:submit=move |ev| {
                        ev.prevent_default();
                        leave.dispatch(ChatLeaveMessage { name: name.get_untracked(), email: email.get_untracked(), body: body.get_untracked() });
                    }>
                        <p>{t!(i18n, chat.leave_intro)}</p>
                        {(!known).then(|| view! {
                            <label>{t!(i18n, chat.your_name)}<input required autocomplete="name" on:input=move |ev| name.set(event_target_value(&ev)) data-testid="chat-name"/></label>
                            <label>{t!(i18n, chat.your_email)}<input type="email" required autocomplete="email" on:input=move |ev| email.set(event_target_value(&ev)) data-testid="chat-email"/></label>
                        })}
                        <label>{t!(i18n, chat.your_message)}
                            <textarea rows="4" required maxlength="4000" on:input=move |ev| body.set(event_target_value(&ev)) data-testid="chat-leave-body"></textarea>
                        </label>
                        {move || match suggest.value().get() {
                            Some(Ok(hits)) if !hits.is_empty() => Some(view! {
                                <aside class="suggestions" data-testid="chat-suggestions">
                                    <p><strong>{t!(i18n, kb.maybe_this_helps)}</strong></p>
                                    <ul>{hits.into_iter().map(|h| view! { <li><a href=h.path target="_blank" rel="noopener">{h.title}</a></li> }).collect_view()}</ul>
                                </aside>
                            }),
                            _ => None,
                        }}
                        <FormError result=leave.value().into()/>
                        <button type="submit" disabled=move || leave.pending().get() data-testid="chat-leave">{t!(i18n, chat.leave_send)}</button>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn LiveChat(
    thread: ChatThread,
    reload: ServerAction<ChatWidgetState>,
    reset: RwSignal<Option<ChatThread>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let conn = ChatConnection::new(thread.chat, thread.messages, ChatRole::Customer);
    let first = use_context::<FirstMessage>();
    Effect::new(move |_| {
        conn.connect();
        if let Some(FirstMessage(m)) = first {
            if let Some(text) = m.get_value().filter(|t| !t.trim().is_empty()) {
                m.set_value(None);
                conn.send_message(text, false);
            }
        }
    });
    on_cleanup(move || conn.stop());
    let end = ServerAction::<ChatEnd>::new();
    Effect::new(move |_| {
        if let Some(Ok(chat)) = end.value().get() {
            conn.chat.set(chat);
        }
    });
    let header = move || {
        let l = i18n.get_locale();
        conn.chat.with(|c| match (c.status, &c.agent_name) {
            (ChatStatus::Active, Some(agent)) => view! {
                <p class="chat-agent"><span class="avatar" aria-hidden="true">{initials(agent)}</span>
                    <span>{agent.clone()}" · "{td_string!(l, chat.agent_role)}</span></p>
            }.into_any(),
            (ChatStatus::Closed, _) => view! { <p class="chat-agent">{td_string!(l, chat.ended)}</p> }.into_any(),
            _ => view! { <p class="chat-agent waiting" data-testid="chat-waiting">{td_string!(l, chat.waiting)}</p> }.into_any(),
        })
    };
    let closed = move || conn.chat.with(|c| c.status == ChatStatus::Closed);
    view! {
        {header}
        <Conversation conn me=ChatRole::Customer/>
        <Show when=move || !closed() fallback=move || view! { <ChatEnded conn reload reset/> }>
            <button type="button" class="link-button end-chat" on:click=move |_| { end.dispatch(ChatEnd { id: conn.chat_id }); }
                data-testid="chat-end">{t!(i18n, chat.end)}</button>
        </Show>
    }
}

#[component]
fn ChatEnded(
    conn: ChatConnection,
    reload: ServerAction<ChatWidgetState>,
    reset: RwSignal<Option<ChatThread>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rate = ServerAction::<ChatRate>::new();
    let transcript = ServerAction::<ChatTranscript>::new();
    let forget = ServerAction::<ChatForget>::new();
    let stars = RwSignal::new(0_i64);
    let comment = RwSignal::new(String::new());
    let rated = move || {
        conn.chat.with(|c| c.rating.is_some()) || matches!(rate.value().get(), Some(Ok(())))
    };
    let sent = move || {
        conn.chat.with(|c| c.transcript_sent) || matches!(transcript.value().get(), Some(Ok(_)))
    };
    // An anonymous visitor's address confirms first; the transcript follows.
    let confirm_first = move || matches!(transcript.value().get(), Some(Ok(false)));
    Effect::new(move |_| {
        if matches!(forget.value().get(), Some(Ok(()))) {
            reset.set(None);
            reload.dispatch(ChatWidgetState {});
        }
    });
    view! {
        <div class="stack chat-ended" data-testid="chat-ended">
            <Show when=move || !rated() fallback=move || view! { <p class="notice ok" data-testid="chat-rated">{t!(i18n, chat.thanks_rating)}</p> }>
                <form class="stack" on:submit=move |ev| {
                    ev.prevent_default();
                    rate.dispatch(ChatRate { id: conn.chat_id, rating: stars.get_untracked(), comment: comment.get_untracked() });
                }>
                    <fieldset class="stars">
                        <legend>{t!(i18n, chat.rate_prompt)}</legend>
                        {(1..=5).map(|n| {
                            let lit = move || stars.get() >= n;
                            view! {
                            <label class="star" class:on=lit>
                                <input type="radio" name="rating" value=n.to_string() class="sr-only"
                                    on:change=move |_| stars.set(n) data-testid=format!("chat-star-{n}")/>
                                <span aria-hidden="true">"★"</span><span class="sr-only">{n}</span>
                            </label>
                        }}).collect_view()}
                    </fieldset>
                    <label>{t!(i18n, chat.rate_comment)}
                        <textarea rows="2" maxlength="2000" on:input=move |ev| comment.set(event_target_value(&ev))></textarea></label>
                    <FormError result=rate.value().into()/>
                    <button type="submit" disabled=move || stars.get() == 0 data-testid="chat-rate">{t!(i18n, chat.rate_send)}</button>
                </form>
            </Show>
            <Show when=move || !sent() fallback=move || view! {
                <Show when=confirm_first fallback=move || view! { <p class="notice ok" data-testid="chat-transcript-sent">{t!(i18n, chat.transcript_sent)}</p> }>
                    <p class="notice" role="status" data-testid="chat-transcript-confirm">{t!(i18n, chat.transcript_confirm)}</p>
                </Show>
            }>
                <button type="button" class="secondary" on:click=move |_| { transcript.dispatch(ChatTranscript { id: conn.chat_id }); }
                    data-testid="chat-transcript">{t!(i18n, chat.transcript)}</button>
                <FormError result=transcript.value().into()/>
            </Show>
            <button type="button" class="link-button" on:click=move |_| { forget.dispatch(ChatForget {}); }>{t!(i18n, chat.new_chat)}</button>
        </div>
    }
}
