//! Server functions for the chat widget and the agent console: identify the caller (session
//! cookie, or an anonymous visitor's chat cookie), call the service.

use super::{CannedResponse, ChatThread, ChatView, ConsoleState, CustomerContext, WidgetState};
use crate::domain::chat::Presence;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::command::{MessageText, SaveCanned};
#[cfg(feature = "ssr")]
use crate::server_ctx::{optional_principal, principal, services};

#[cfg(feature = "ssr")]
async fn caller() -> Result<super::service::Caller, AppError> {
    let p = optional_principal().await?;
    let token = use_context::<http::request::Parts>().and_then(|parts| {
        crate::server_ctx::cookie_value(&parts.headers, super::CHAT_COOKIE).map(str::to_owned)
    });
    services()?.chats.caller(p, token.as_deref()).await
}

#[server]
pub async fn chat_widget_state() -> Result<WidgetState, AppError> {
    services()?.chats.widget_state(&caller().await?).await
}

/// Starts (or resumes) the caller's chat. Anonymous visitors get their chat token as an
/// HttpOnly cookie, so the widget follows them from page to page.
#[server]
pub async fn chat_start(name: String, email: String) -> Result<ChatThread, AppError> {
    let s = services()?;
    let caller = caller().await?;
    let client = crate::server_ctx::client_addr().map(|ip| ip.to_string());
    let (chat, token) = s
        .chats
        .start(&caller, &name, &email, client.as_deref())
        .await?;
    let caller = match token {
        Some(token) => {
            let secure = if s.secure_cookies { "; Secure" } else { "" };
            crate::server_ctx::set_cookie(&format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400{secure}",
                super::CHAT_COOKIE
            ));
            super::service::Caller::Visitor { chat_id: chat.id }
        }
        None => caller,
    };
    s.chats.thread(&caller, chat.id).await
}

#[server]
pub async fn chat_load(id: i64) -> Result<ChatThread, AppError> {
    services()?.chats.thread(&caller().await?, id).await
}

#[server]
pub async fn chat_end(id: i64) -> Result<ChatView, AppError> {
    services()?.chats.close(&caller().await?, id).await
}

#[server]
pub async fn chat_rate(id: i64, rating: i64, comment: String) -> Result<(), AppError> {
    services()?
        .chats
        .rate(&caller().await?, id, rating, &comment)
        .await
}

/// Mails the transcript; `false` when the visitor's address must confirm first (a link went
/// to it, and the transcript follows the confirmation).
#[server]
pub async fn chat_transcript(id: i64) -> Result<bool, AppError> {
    use super::service::TranscriptOutcome;
    let outcome = services()?
        .chats
        .send_transcript(&caller().await?, id)
        .await?;
    Ok(outcome == TranscriptOutcome::Sent)
}

/// Confirms an address typed in the chat, from the link mailed to it.
#[server]
pub async fn confirm_address(token: String) -> Result<(), AppError> {
    services()?.chats.confirm_address(&token).await
}

/// Forgets the finished conversation in this browser so a new one can start.
#[server]
pub async fn chat_forget() -> Result<(), AppError> {
    let s = services()?;
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    crate::server_ctx::set_cookie(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        super::CHAT_COOKIE
    ));
    Ok(())
}

/// After hours: the message becomes a ticket. Returns its number.
#[server]
pub async fn chat_leave_message(
    name: String,
    email: String,
    body: String,
) -> Result<String, AppError> {
    let ticket = services()?
        .chats
        .leave_message(&caller().await?, &name, &email, MessageText::parse(&body)?)
        .await?;
    Ok(ticket.number)
}

#[server]
pub async fn console_load() -> Result<ConsoleState, AppError> {
    services()?.chats.console(&principal().await?).await
}

#[server]
pub async fn console_presence(presence: Presence) -> Result<(), AppError> {
    services()?
        .chats
        .set_presence(&principal().await?, presence)
        .await
}

#[server]
pub async fn console_accept(id: i64) -> Result<ChatView, AppError> {
    services()?.chats.accept(&principal().await?, id).await
}

#[server]
pub async fn console_transfer(id: i64, agent_id: i64) -> Result<ChatView, AppError> {
    services()?
        .chats
        .transfer(&principal().await?, id, agent_id)
        .await
}

#[server]
pub async fn console_to_ticket(id: i64) -> Result<i64, AppError> {
    services()?
        .chats
        .convert_to_ticket(&principal().await?, id)
        .await
}

#[server]
pub async fn console_context(id: i64) -> Result<CustomerContext, AppError> {
    services()?
        .chats
        .customer_context(&principal().await?, id)
        .await
}

#[server]
pub async fn canned_list() -> Result<Vec<CannedResponse>, AppError> {
    services()?.chats.canned(&principal().await?).await
}

#[server]
pub async fn canned_save(
    id: Option<i64>,
    shortcut: String,
    title: String,
    body: String,
) -> Result<i64, AppError> {
    services()?
        .chats
        .save_canned(
            &principal().await?,
            id,
            SaveCanned::parse(&shortcut, &title, &body)?,
        )
        .await
}

#[server]
pub async fn canned_delete(id: i64) -> Result<(), AppError> {
    services()?
        .chats
        .delete_canned(&principal().await?, id)
        .await
}
