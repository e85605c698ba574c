//! Server-side glue for server functions and SSR: the shared services, the caller's identity,
//! and the session cookie.

use crate::accounts::service::{Accounts, Principal};
use crate::error::{AppError, ErrorCode};
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;

/// Everything a server function or REST handler needs; provided as Leptos context and axum state.
/// Cloned for every request, so it is one shared pointer to the [`ServiceSet`].
#[derive(Clone)]
pub struct Services(std::sync::Arc<ServiceSet>);

impl Services {
    pub fn new(set: ServiceSet) -> Self {
        Services(std::sync::Arc::new(set))
    }
}

impl std::ops::Deref for Services {
    type Target = ServiceSet;
    fn deref(&self) -> &ServiceSet {
        &self.0
    }
}

/// The services themselves (see [`Services`]).
pub struct ServiceSet {
    pub accounts: Accounts,
    pub tickets: crate::tickets::service::Tickets,
    pub kb: crate::kb::service::Kb,
    pub chats: crate::chat::service::Chats,
    pub projects: crate::projects::service::Projects,
    pub shop: crate::shop::service::Shop,
    pub hours: crate::hours::service::Hours,
    pub changes: crate::changes::service::Changes,
    /// True when the portal is served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
}

impl ServiceSet {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-portal_session"
        } else {
            "portal_session"
        }
    }

    /// The session token from the request's `Cookie` header, if any.
    pub fn session_token(&self, headers: &http::HeaderMap) -> Option<String> {
        cookie_value(headers, self.cookie_name()).map(str::to_owned)
    }

    /// `Set-Cookie` value for a new session (no Max-Age: the server enforces the timeouts;
    /// the cookie lives as long as the absolute timeout).
    pub fn session_cookie(&self, token: &str, max_age_seconds: i64) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}",
            self.cookie_name()
        )
    }

    pub fn clear_cookie(&self) -> String {
        self.session_cookie("", 0)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>()
        .ok_or_else(|| crate::kernel::internal("services missing from context"))
}

fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| crate::kernel::internal("request parts missing"))
}

/// The signed-in caller, or `None` for anonymous visitors. A page request's session was
/// resolved once by the server's page middleware ([`ResolvedPrincipal`]); every server function
/// the render calls reuses it. Other requests (a server function posted by the browser) resolve
/// the cookie here.
pub async fn optional_principal() -> Result<Option<Principal>, AppError> {
    let parts = request_parts()?;
    if let Some(resolved) = parts.extensions.get::<ResolvedPrincipal>() {
        return Ok(resolved.0.clone());
    }
    let services = services()?;
    let Some(token) = services.session_token(&parts.headers) else {
        return Ok(None);
    };
    match services
        .accounts
        .authenticate(&token, crate::accounts::SessionKind::Web)
        .await
    {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.code == ErrorCode::Unauthenticated => Ok(None),
        Err(e) => Err(e),
    }
}

/// The caller of a page request as the page middleware resolved it (absent when that failed,
/// so that the server functions try again and report the error).
#[derive(Clone, Debug)]
pub struct ResolvedPrincipal(pub Option<Principal>);

/// The session of a page request, resolved by the server before rendering so that the page
/// (and, through its serialized data, the browser) knows the user without waiting.
#[derive(Clone, Debug)]
pub struct SignedIn(pub Result<Option<crate::accounts::CurrentUser>, AppError>);

/// [`resolve_signed_in`]'s answer: the user for the render, and until when the session stays
/// valid without being used again (`None` when nobody is signed in).
pub struct PageSession {
    pub signed_in: SignedIn,
    pub valid_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The caller, when the lookup succeeded (anonymous included).
    pub principal: Option<ResolvedPrincipal>,
}

/// The user the server resolved for the page being rendered; anonymous when the request carried
/// no session.
pub fn signed_in_at_render() -> Result<Option<crate::accounts::CurrentUser>, AppError> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .map_or(Ok(None), |signed| signed.0)
}

/// Resolves the session cookie of `headers` to the signed-in user (`None` when absent, expired
/// or revoked).
pub async fn resolve_signed_in(services: &Services, headers: &http::HeaderMap) -> PageSession {
    let Some(token) = services.session_token(headers) else {
        return PageSession {
            signed_in: SignedIn(Ok(None)),
            valid_until: None,
            principal: Some(ResolvedPrincipal(None)),
        };
    };
    match services
        .accounts
        .authenticate(&token, crate::accounts::SessionKind::Web)
        .await
    {
        Ok(p) => PageSession {
            signed_in: SignedIn(Ok(Some(p.user.clone()))),
            valid_until: Some(p.valid_until),
            principal: Some(ResolvedPrincipal(Some(p))),
        },
        Err(e) if e.code == ErrorCode::Unauthenticated => PageSession {
            signed_in: SignedIn(Ok(None)),
            valid_until: None,
            principal: Some(ResolvedPrincipal(None)),
        },
        Err(e) => PageSession {
            signed_in: SignedIn(Err(e)),
            valid_until: None,
            principal: None,
        },
    }
}

/// The signed-in caller; 401 otherwise.
pub async fn principal() -> Result<Principal, AppError> {
    optional_principal()
        .await?
        .ok_or_else(|| ErrorCode::Unauthenticated.into())
}

/// The client's address: the socket peer, or behind a trusted reverse proxy the address that
/// proxy forwarded (the server's `forwarded` middleware resolves it once per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    /// From a request's extensions: the resolved client, else the socket peer.
    pub fn of(extensions: &http::Extensions) -> Option<std::net::IpAddr> {
        extensions.get::<ClientAddr>().map(|c| c.0).or_else(|| {
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip())
        })
    }
}

/// The client's address of the current server-function request.
pub fn client_addr() -> Option<std::net::IpAddr> {
    request_parts()
        .ok()
        .and_then(|parts| ClientAddr::of(&parts.extensions))
}

/// Client address and user agent, for sessions and rate limiting.
pub fn client_info() -> (Option<String>, Option<String>) {
    let Ok(parts) = request_parts() else {
        return (None, None);
    };
    let ip = ClientAddr::of(&parts.extensions).map(|ip| ip.to_string());
    let ua = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect());
    (ip, ua)
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}
