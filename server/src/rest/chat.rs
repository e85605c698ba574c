//! Web chat over HTTP: start a conversation, history after an id, idempotent sends, files,
//! and the conversation actions. The WebSocket side lives in `chat_socket`.

use super::chat_schema::{AvailabilityDoc, ChatMessageDoc, ChatViewDoc, InboxDoc};
use super::files::read_file;
use super::{ApiError, ApiJson, ApiLocale, ApiResult, WithLocale};
use super::{ApiPath, ApiQuery};
use crate::startup::AppState;
use app::accounts::SessionKind;
use app::chat::command::MessageText;
use app::chat::service::Caller;
use app::chat::{ChatMessage, ChatView};
use app::error::ErrorCode;
use axum::extract::{FromRef, FromRequestParts, Multipart, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::chat::CHAT_COOKIE;

/// The bearer token of a request: `Authorization: Bearer`, else `?token=`.
fn bearer(parts: &Parts) -> Option<String> {
    let header = crate::security::bearer_token(&parts.headers).map(str::to_owned);
    header.or_else(|| {
        parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "token")
                .map(|(_, v)| v.to_owned())
        })
    })
}

/// Whoever calls a chat endpoint: a session or API token (header, `?token=` or session cookie)
/// or an anonymous visitor's chat token (header, `?token=` or the chat cookie).
pub struct ChatCaller {
    pub caller: Caller,
    pub locale: ApiLocale,
}

impl<S> FromRequestParts<S> for ChatCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let locale = ApiLocale::from_request_parts(parts, state)
            .await
            .unwrap_or(ApiLocale(app::i18n::Locale::es));
        let state = AppState::from_ref(state);
        let services = &state.services;
        let explicit = bearer(parts);
        // A token given explicitly is an API token (or a visitor's chat token); the cookie is
        // a web session.
        let session = match explicit.clone() {
            Some(token) => Some((token, SessionKind::Api)),
            None => services
                .session_token(&parts.headers)
                .map(|t| (t, SessionKind::Web)),
        };
        let mut principal = None;
        if let Some((token, kind)) = session.as_ref().filter(|(t, _)| !t.is_empty()) {
            match services.accounts.authenticate(token, *kind).await {
                Ok(p) => principal = Some(p),
                Err(e) if e.code == ErrorCode::Unauthenticated => {}
                Err(e) => {
                    return Err(ApiError {
                        error: e,
                        locale: locale.0,
                    })
                }
            }
        }
        let chat_token = explicit.or_else(|| {
            app::server_ctx::cookie_value(&parts.headers, CHAT_COOKIE).map(str::to_owned)
        });
        let caller = services
            .chats
            .caller(principal, chat_token.as_deref())
            .await
            .in_locale(locale)?;
        Ok(ChatCaller { caller, locale })
    }
}

pub(crate) fn parse_id(raw: &str, locale: ApiLocale) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError {
        error: ErrorCode::NotFound.into(),
        locale: locale.0,
    })
}

#[derive(Deserialize, ToSchema, Default)]
pub struct StartChat {
    /// Anonymous visitors only: their name.
    #[serde(default)]
    pub name: String,
    /// Anonymous visitors only: their email.
    #[serde(default)]
    pub email: String,
    /// The first message, posted as the conversation starts (what the agent sees in the
    /// queue). When given it must have text: a blank one is refused and starts nothing.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChatStarted {
    pub id: i64,
    /// Chat-scoped bearer token, returned once, for anonymous visitors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Start a chat: a signed-in customer (bearer token) or an anonymous visitor giving a name
/// and email, who gets a token valid for this conversation only.
#[utoipa::path(post, operation_id = "startChat", path = "/api/v1/chats", tag = "chat", request_body = StartChat,
    responses((status = 201, body = ChatStarted), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: ChatCaller,
    client: Option<axum::Extension<app::server_ctx::ClientAddr>>,
    raw: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<ChatStarted>)> {
    // Signed-in customers may send no body at all.
    let body: StartChat = if raw.iter().all(u8::is_ascii_whitespace) {
        StartChat::default()
    } else {
        serde_json::from_slice(&raw).map_err(|_| ApiError {
            error: ErrorCode::InvalidInput.into(),
            locale: caller.locale.0,
        })?
    };
    let first = body
        .message
        .as_deref()
        .map(MessageText::parse)
        .transpose()
        .in_locale(caller.locale)?;
    let (chat, token) = state
        .services
        .chats
        .start(
            &caller.caller,
            &body.name,
            &body.email,
            client.map(|c| c.0 .0.to_string()).as_deref(),
        )
        .await
        .in_locale(caller.locale)?;
    if let Some(text) = &first {
        // An anonymous visitor writes as the conversation's visitor from now on.
        let visitor = Caller::Visitor { chat_id: chat.id };
        let poster = match &caller.caller {
            Caller::User(_) => &caller.caller,
            _ => &visitor,
        };
        state
            .services
            .chats
            .post(poster, chat.id, text, None, false)
            .await
            .in_locale(caller.locale)?;
    }
    Ok((
        StatusCode::CREATED,
        Json(ChatStarted { id: chat.id, token }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterQuery {
    /// Only messages with a greater id (default 0: from the start).
    pub after: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    #[schema(value_type = Vec<ChatMessageDoc>)]
    pub messages: Vec<ChatMessage>,
}

/// Messages after an id, in order: what a reconnecting client missed, exactly once.
#[utoipa::path(get, operation_id = "listChatMessages", path = "/api/v1/chats/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = i64, Path), AfterQuery),
    responses((status = 200, body = MessageList), (status = 404, body = super::ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> ApiResult<Json<MessageList>> {
    let id = parse_id(&id, caller.locale)?;
    let messages = state
        .services
        .chats
        .messages_after(&caller.caller, id, q.after.unwrap_or(0))
        .await
        .in_locale(caller.locale)?;
    Ok(Json(MessageList { messages }))
}

#[derive(Deserialize, ToSchema)]
pub struct SendMessage {
    pub body: String,
    /// Client-generated id (letters, digits, `-_.`, ≤ 64): a resend returns the stored message.
    pub client_id: Option<String>,
    /// Staff only: a note the customer never sees.
    #[serde(default)]
    pub internal: bool,
}

/// Send a message. 201 when stored; 200 with the earlier message when `client_id` was already used.
#[utoipa::path(post, operation_id = "sendChatMessage", path = "/api/v1/chats/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SendMessage,
    responses((status = 201, description = "the stored message", body = ChatMessageDoc), (status = 200, description = "an earlier message with this client_id", body = ChatMessageDoc),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SendMessage>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let id = parse_id(&id, caller.locale)?;
    let (message, new) = state
        .services
        .chats
        .post(
            &caller.caller,
            id,
            &MessageText::parse(&body.body).in_locale(caller.locale)?,
            body.client_id.as_deref(),
            body.internal,
        )
        .await
        .in_locale(caller.locale)?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)))
}

/// Send a file (multipart field `file`; same types and 10 MB limit as ticket attachments).
#[utoipa::path(post, operation_id = "uploadChatFile", path = "/api/v1/chats/{id}/files", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, description = "the message carrying the file", body = ChatMessageDoc), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let id = parse_id(&id, caller.locale)?;
    let result = async {
        let (name, bytes) = read_file(multipart).await?;
        state
            .services
            .chats
            .attach(&caller.caller, id, &name, &bytes, None)
            .await
    }
    .await;
    Ok((StatusCode::CREATED, Json(result.in_locale(caller.locale)?)))
}

/// Download a file sent in a chat the caller belongs to.
#[utoipa::path(get, operation_id = "downloadChatFile", path = "/api/v1/chats/{id}/files/{file}", tag = "chat", security(("bearer" = [])),
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "the file, with its own content type", content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let id = parse_id(&id, caller.locale)?;
    let file = parse_id(&file, caller.locale)?;
    let (meta, bytes) = state
        .services
        .chats
        .file(&caller.caller, id, file)
        .await
        .in_locale(caller.locale)?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let inline = meta.content_type.starts_with("image/");
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        super::files::encode_filename(&meta.filename)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// The conversation (status, agent, read marks).
#[utoipa::path(get, operation_id = "getChat", path = "/api/v1/chats/{id}", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the chat", body = ChatViewDoc), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ChatView>> {
    let id = parse_id(&id, caller.locale)?;
    let (chat, _) = state
        .services
        .chats
        .access(&caller.caller, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(chat.view))
}

fn staff(caller: &ChatCaller) -> ApiResult<&app::accounts::service::Principal> {
    match &caller.caller {
        Caller::User(p) => Ok(p),
        _ => Err(ApiError {
            error: ErrorCode::Unauthenticated.into(),
            locale: caller.locale.0,
        }),
    }
}

/// The agent's inbox: every channel's conversations waiting in the queue (oldest first) and
/// the caller's own, each with its channel, unread count and last message.
#[utoipa::path(get, operation_id = "listChats", path = "/api/v1/chats", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = InboxDoc), (status = 403, body = super::ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: ChatCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let console = state
        .services
        .chats
        .console(staff(&caller)?)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(
        serde_json::json!({"waiting": console.waiting, "mine": console.mine}),
    ))
}

/// Agent: accept a waiting chat (within the agent's concurrent-chat limit).
#[utoipa::path(post, operation_id = "acceptChat", path = "/api/v1/chats/{id}/accept", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the chat", body = ChatViewDoc), (status = 409, body = super::ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ChatView>> {
    let id = parse_id(&id, caller.locale)?;
    let chat = state
        .services
        .chats
        .accept(staff(&caller)?, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(chat))
}

#[derive(Deserialize, ToSchema)]
pub struct Transfer {
    pub agent_id: i64,
}

/// Agent: hand the chat to another agent.
#[utoipa::path(post, operation_id = "transferChat", path = "/api/v1/chats/{id}/transfer", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = Transfer, responses((status = 200, description = "the chat", body = ChatViewDoc), (status = 409, body = super::ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Transfer>,
) -> ApiResult<Json<ChatView>> {
    let id = parse_id(&id, caller.locale)?;
    let chat = state
        .services
        .chats
        .transfer(staff(&caller)?, id, body.agent_id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(chat))
}

/// Either side: end the conversation.
#[utoipa::path(post, operation_id = "closeChat", path = "/api/v1/chats/{id}/close", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the chat", body = ChatViewDoc), (status = 404, body = super::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ChatView>> {
    let id = parse_id(&id, caller.locale)?;
    let chat = state
        .services
        .chats
        .close(&caller.caller, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(chat))
}

#[derive(Serialize, ToSchema)]
pub struct TicketCreated {
    pub ticket_id: i64,
}

/// Agent: turn the chat into a ticket with its transcript (once; again returns the same ticket).
#[utoipa::path(post, operation_id = "convertChatToTicket", path = "/api/v1/chats/{id}/ticket", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = TicketCreated), (status = 404, body = super::ErrorBody)))]
pub async fn to_ticket(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<TicketCreated>)> {
    let id = parse_id(&id, caller.locale)?;
    let ticket_id = state
        .services
        .chats
        .convert_to_ticket(staff(&caller)?, id)
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(TicketCreated { ticket_id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Rating {
    /// 1 to 5.
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

/// Customer: rate the conversation once.
#[utoipa::path(post, operation_id = "rateChat", path = "/api/v1/chats/{id}/rating", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = Rating, responses((status = 204), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Rating>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id, caller.locale)?;
    state
        .services
        .chats
        .rate(&caller.caller, id, body.rating, &body.comment)
        .await
        .in_locale(caller.locale)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptQueued {
    /// `sent`: mailed to the customer's address; `confirm_address`: an anonymous visitor's
    /// address gets a confirmation link first, and the transcript once it is confirmed.
    pub outcome: String,
}

/// Customer: email me the transcript (once). Anonymous visitors' addresses confirm first.
#[utoipa::path(post, operation_id = "emailChatTranscript", path = "/api/v1/chats/{id}/transcript", tag = "chat", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 202, body = TranscriptQueued), (status = 409, body = super::ErrorBody)))]
pub async fn transcript(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<TranscriptQueued>)> {
    let id = parse_id(&id, caller.locale)?;
    let outcome = state
        .services
        .chats
        .send_transcript(&caller.caller, id)
        .await
        .in_locale(caller.locale)?;
    let outcome = match outcome {
        app::chat::service::TranscriptOutcome::Sent => "sent",
        app::chat::service::TranscriptOutcome::ConfirmAddress => "confirm_address",
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(TranscriptQueued {
            outcome: outcome.to_owned(),
        }),
    ))
}

/// Whether agents are available now, and the next opening time if not.
#[utoipa::path(get, operation_id = "getChatAvailability", path = "/api/v1/chats/availability", tag = "chat",
    responses((status = 200, body = AvailabilityDoc)))]
pub async fn availability(
    State(state): State<AppState>,
    caller: ChatCaller,
) -> ApiResult<Json<app::chat::Availability>> {
    let plan = match &caller.caller {
        Caller::User(p) => p.user.organization.as_ref().map(|o| o.plan),
        _ => None,
    };
    let a = state
        .services
        .chats
        .availability(plan)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(a))
}

/// The Origin of a browser upgrade must be the portal itself (its public URL or the Host it
/// was reached at). Clients that send no Origin are not browsers and carry their own token.
pub fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if origin.eq_ignore_ascii_case(public_url.trim_end_matches('/')) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or_default();
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert("origin", HeaderValue::from_static(o));
        }
        h.insert("host", HeaderValue::from_static(host));
        h
    }

    #[test]
    fn only_the_portals_own_origin_may_open_sockets() {
        let public = "https://portal.any2cloud.com";
        assert!(origin_allowed(
            &headers(Some("https://portal.any2cloud.com"), "10.0.0.5:3000"),
            public
        ));
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            public
        ));
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000"), public));
        assert!(!origin_allowed(
            &headers(Some("https://evil.test"), "127.0.0.1:3000"),
            public
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "127.0.0.1:3000"),
            public
        ));
    }
}
