//! One conversation on screen: connection state, messages with delivered/read marks, typing
//! indicator, composer with files, and (for agents) internal notes and canned responses.

use super::connection::{ChatConnection, LinkState};
pub use crate::chat::labels::delivery_label;
use crate::chat::{CannedResponse, ChatMessage};
use crate::domain::chat::{expand_shortcut, initials, ChatRole, ChatStatus, MAX_MESSAGE_CHARS};
use crate::domain::COSTA_RICA;
#[cfg(feature = "hydrate")]
use crate::error::ErrorCode;
use crate::i18n::*;
use leptos::prelude::*;

fn clock_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&COSTA_RICA).format("%H:%M").to_string()
}

#[component]
fn LinkBanner(conn: ChatConnection) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let l = i18n.get_locale();
        let (class, text) = match conn.link.get() {
            LinkState::Open => return None,
            LinkState::Connecting => ("link-banner", td_string!(l, chat.connecting).to_string()),
            LinkState::Reconnecting { in_seconds } if in_seconds > 0 => (
                "link-banner warn",
                format!("{} {in_seconds} s…", td_string!(l, chat.reconnecting_in)),
            ),
            LinkState::Reconnecting { .. } => (
                "link-banner warn",
                td_string!(l, chat.reconnecting).to_string(),
            ),
            LinkState::Offline => ("link-banner error", td_string!(l, chat.offline).to_string()),
        };
        Some(view! { <p class=class role="status" data-testid="chat-link">{text}</p> })
    }
}

#[component]
fn MessageItem(m: ChatMessage, me: ChatRole, chat_id: i64, conn: ChatConnection) -> impl IntoView {
    let i18n = use_i18n();
    let mine = m.role == me;
    let role_class = match (m.role, mine, m.internal) {
        (ChatRole::System, ..) => "msg system",
        (_, _, true) => "msg internal",
        (_, true, _) => "msg mine",
        _ => "msg theirs",
    };
    let id = m.id;
    let file = m.file.clone().map(|f| {
        let href = format!("/api/v1/chats/{chat_id}/files/{}", f.id);
        if f.content_type.starts_with("image/") {
            let src = href.clone();
            view! { <a href=href target="_blank" rel="noopener" class="chat-file">
            <img src=src alt=f.filename.clone() loading="lazy"/></a> }
            .into_any()
        } else {
            view! { <a href=href class="chat-file" download>{f.filename.clone()}</a> }.into_any()
        }
    });
    let body = if m.file.is_some() {
        None
    } else {
        Some(m.body.clone())
    };
    let receipt = mine.then_some({
        move || {
            let l = i18n.get_locale();
            // WhatsApp / Messenger replies: the platform's own report, kept up to date live.
            let delivery = conn
                .messages
                .with(|list| list.iter().find(|x| x.id == id).and_then(|x| x.delivery));
            if let Some(d) = delivery {
                let (class, mark, label) = delivery_label(l, d);
                return view! { <span class=class title=label data-testid="delivery" data-delivery=d.as_str()>{mark}{label}</span> }.into_any();
            }
            if conn.other_read.get() >= id {
                view! { <span class="receipt read" title=td_string!(l, chat.read)>"✓✓ "{td_string!(l, chat.read)}</span> }.into_any()
            } else {
                view! { <span class="receipt" title=td_string!(l, chat.delivered)>"✓ "{td_string!(l, chat.delivered)}</span> }.into_any()
            }
        }
    });
    let avatar = (m.role == ChatRole::Agent && !mine).then(|| {
        view! { <span class="avatar" aria-hidden="true">{initials(&m.author)}</span> }
    });
    view! {
        <li class=role_class data-id=id data-testid="chat-message">
            {avatar}
            <div class="bubble">
                {(m.role != ChatRole::System && !mine).then(|| view! { <span class="author">{m.author.clone()}</span> })}
                {m.internal.then(|| view! { <span class="note-tag">{t!(i18n, chat.internal_note)}</span> })}
                {body.map(|b| view! { <p class="text">{b}</p> })}
                {file}
                <span class="meta"><time datetime=m.sent_at.to_rfc3339()>{clock_time(m.sent_at)}</time>" "{receipt}</span>
            </div>
        </li>
    }
}

#[component]
pub fn Conversation(
    conn: ChatConnection,
    me: ChatRole,
    #[prop(optional)] staff: bool,
    #[prop(optional)] canned: Vec<CannedResponse>,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let internal = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let canned = StoredValue::new(canned);
    let log_ref = NodeRef::<leptos::html::Ol>::new();
    let chat_id = conn.chat_id;

    // Keep the newest message in view, and tell the other side what this side has read.
    Effect::new(move |_| {
        let last = conn
            .messages
            .with(|m| m.iter().rev().find(|m| m.role != me).map(|m| m.id));
        conn.pending.track();
        conn.typing.track();
        if let Some(el) = log_ref.get() {
            el.set_scroll_top(el.scroll_height());
        }
        if let (Some(id), LinkState::Open) = (last, conn.link.get()) {
            conn.send_read(id);
        }
    });

    let last_typing = StoredValue::new(0.0_f64);
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let cleared = value.trim().is_empty();
        text.set(value);
        if cleared {
            // The box was emptied: the other side stops seeing "… está escribiendo" now.
            if last_typing.get_value() > 0.0 {
                last_typing.set_value(0.0);
                conn.send_typing(false);
            }
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            if now - last_typing.get_value() > 3_000.0 {
                last_typing.set_value(now);
                conn.send_typing(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = last_typing;
    };
    let submit = move || {
        let raw = text.get_untracked();
        let expanded = if staff && raw.starts_with('/') {
            canned.with_value(|c| {
                expand_shortcut(
                    &raw,
                    c.iter().map(|r| (r.shortcut.as_str(), r.body.as_str())),
                )
            })
        } else {
            None
        };
        if let Some(full) = expanded {
            // The first Enter expands the shortcut so the agent can review it.
            text.set(full);
            return;
        }
        let body = raw.trim().to_owned();
        if body.is_empty() {
            return;
        }
        if body.chars().count() > MAX_MESSAGE_CHARS {
            conn.error.set(Some(
                crate::error::ErrorCode::MessageTooLong.message(i18n.get_locale_untracked()),
            ));
            return;
        }
        conn.error.set(None);
        conn.send_message(body, staff && internal.get_untracked());
        last_typing.set_value(0.0);
        conn.send_typing(false);
        text.set(String::new());
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() {
            ev.prevent_default();
            submit();
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            uploading.set(true);
            upload_error.set(None);
            leptos::task::spawn_local(async move {
                let result = upload(chat_id, file).await;
                // The conversation may have been closed while the file uploaded.
                if uploading.is_disposed() {
                    return;
                }
                uploading.set(false);
                if let Err(code) = result {
                    upload_error.set(Some(code.message(i18n.get_locale_untracked())));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, chat_id);
    };
    let canned_matches = move || {
        let t = text.get();
        if !staff || !t.starts_with('/') || t.contains(char::is_whitespace) {
            return Vec::new();
        }
        let word = t[1..].to_lowercase();
        canned.with_value(|c| {
            c.iter()
                .filter(|r| r.shortcut.starts_with(&word))
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let closed = move || conn.chat.with(|c| c.status == ChatStatus::Closed);

    view! {
        <div class="conversation" data-testid="conversation">
            <LinkBanner conn/>
            <ol class="chat-log" node_ref=log_ref aria-live="polite" aria-label=move || td_string!(i18n.get_locale(), chat.messages)>
                <For each=move || conn.messages.get() key=|m| m.id let:m>
                    <MessageItem m me chat_id conn/>
                </For>
                <For each=move || conn.pending.get() key=|p| p.client_id.clone() let:p>
                    <li class="msg mine pending" data-testid="chat-pending">
                        <div class="bubble">
                            <p class="text">{p.body.clone()}</p>
                            <span class="meta">{move || {
                                let l = i18n.get_locale();
                                if conn.link.get() == LinkState::Open { td_string!(l, chat.sending) } else { td_string!(l, chat.not_sent) }
                            }}</span>
                        </div>
                    </li>
                </For>
            </ol>
            <p class="typing" aria-live="polite" data-testid="chat-typing">
                {move || conn.typing.get().map(|name| format!("{name} {}", td_string!(i18n.get_locale(), chat.is_typing)))}
            </p>
            {move || conn.error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || upload_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Show when=move || !closed()>
                <ul class="canned-list" role="listbox">
                    {move || canned_matches().into_iter().map(|r| {
                        let body = r.body.clone();
                        view! { <li><button type="button" class="link-button" on:click=move |_| text.set(body.clone())>
                            "/"{r.shortcut.clone()}" — "{r.title.clone()}</button></li> }
                    }).collect_view()}
                </ul>
                <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                    <label class="sr-only" for=format!("composer-{chat_id}")>{t!(i18n, chat.message)}</label>
                    <textarea id=format!("composer-{chat_id}") rows="2" maxlength="4000"
                        placeholder=move || if staff { td_string!(i18n.get_locale(), chat.placeholder_agent) } else { td_string!(i18n.get_locale(), chat.placeholder) }
                        prop:value=move || text.get() on:input=on_input on:keydown=on_key data-testid="chat-input"></textarea>
                    <div class="composer-actions">
                        <label class="file-button" title=move || td_string!(i18n.get_locale(), chat.attach)>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/></svg>
                            <span class="sr-only">{t!(i18n, chat.attach)}</span>
                            <input type="file" class="sr-only" on:change=on_file data-testid="chat-file"
                                accept="image/*,.pdf,.doc,.docx,.xls,.xlsx,.txt,.csv,.zip"/>
                        </label>
                        {move || uploading.get().then(|| view! { <span class="muted">{t!(i18n, chat.uploading)}</span> })}
                        {staff.then(|| view! {
                            <label class="inline-check"><input type="checkbox" prop:checked=move || internal.get()
                                on:change=move |ev| internal.set(event_target_checked(&ev)) data-testid="chat-internal"/>
                                {t!(i18n, chat.internal_note)}</label>
                        })}
                        <button type="submit" data-testid="chat-send">{t!(i18n, chat.send)}</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}

#[cfg(feature = "hydrate")]
async fn upload(chat_id: i64, file: web_sys::File) -> Result<(), ErrorCode> {
    if file.size() > crate::domain::chat::MAX_FILE_BYTES as f64 {
        return Err(ErrorCode::FileTooLarge);
    }
    let form = web_sys::FormData::new().map_err(|_| ErrorCode::Internal)?;
    form.append_with_blob_and_filename("file", &file, &file.name())
        .map_err(|_| ErrorCode::Internal)?;
    let res = gloo_net::http::Request::post(&format!("/api/v1/chats/{chat_id}/files"))
        .body(form)
        .map_err(|_| ErrorCode::Internal)?
        .send()
        .await
        .map_err(|_| ErrorCode::Network)?;
    if res.ok() {
        return Ok(());
    }
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        code: ErrorCode,
    }
    Err(res
        .json::<Body>()
        .await
        .map(|b| b.error.code)
        .unwrap_or(ErrorCode::Internal))
}
