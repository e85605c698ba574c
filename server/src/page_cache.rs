//! Rendered pages kept in memory, served again with a fresh CSP nonce.
//!
//! Two scopes, each its own cache (see [`Scope`]):
//! - public knowledge-base pages for anonymous readers, the busiest pages: every reader sees the
//!   same page for a path and language;
//! - the ticket list (a customer's tickets, the agents' queue) per signed-in session: agents
//!   keep it open and reload it all day, and it costs session, ticket and user queries plus a
//!   full Leptos render.
//!
//! Freshness: a generation number in the database changes with every write the pages show
//! (KB writes bump `kb_generation`; database triggers bump `page_generation` on tickets,
//! users, organizations, the holiday calendar and revoked sessions). The cache compares it at
//! most once a second (so several instances agree within a second), at once after a write
//! passes through this instance, and drops entries older than the scope's TTL (scheduled
//! articles appear on time; SLA states rendered on the server are at most seconds old before
//! the browser's clock takes over).

use crate::page_session::RenderedSignedIn;
use crate::security::CspNonce;
use crate::storage::Db;
use app::kb::service::Kb;
use app::kernel::Clock;
use app::server_ctx::cookie_value;
use app::ui::LOCALE_COOKIE;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const GENERATION_CHECK: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 5_000;
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Memory one cache may hold in pages (a full queue of 500 tickets is several hundred KB).
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Stands in for the nonce inside stored pages.
const NONCE_SLOT: &str = "\u{0}nonce\u{0}";
/// Set by the article page on the server so the cache can count views of cached hits.
pub const ARTICLE_HEADER: &str = "x-kb-article";
const SESSION_COOKIES: [&str; 2] = ["portal_session", "__Host-portal_session"];

/// Which pages a cache keeps, and where their generation number lives.
#[derive(Clone)]
pub enum Scope {
    /// `/kb` and `/kb/…` for readers without a session.
    PublicKb(Kb),
    /// `/tickets` (with any query) per session, keyed by a digest of the session token read
    /// from `cookie` (the cookie the server authenticates). Only pages rendered for a
    /// signed-in user are kept, so a page is only ever served to the session it was rendered
    /// for, while that session was valid; revoking the session clears the cache.
    TicketList { db: Db, cookie: &'static str },
}

/// The pages of a [`Scope`], without its database handle.
#[derive(Clone, Copy, Debug)]
enum Pages {
    PublicKb,
    TicketList { cookie: &'static str },
}

impl Scope {
    fn pages(&self) -> Pages {
        match self {
            Scope::PublicKb(_) => Pages::PublicKb,
            Scope::TicketList { cookie, .. } => Pages::TicketList { cookie },
        }
    }

    fn ttl(&self) -> Duration {
        match self {
            Scope::PublicKb(_) => Duration::from_secs(60),
            Scope::TicketList { .. } => Duration::from_secs(10),
        }
    }

    async fn generation(&self) -> Result<i64, String> {
        match self {
            Scope::PublicKb(kb) => kb.store().generation().await.map_err(|e| e.to_string()),
            Scope::TicketList { db, .. } => db.page_generation().await.map_err(|e| e.to_string()),
        }
    }
}

struct Entry {
    /// The page split at each nonce: the response is `parts.join(nonce)`.
    parts: Vec<Bytes>,
    headers: HeaderMap,
    article: Option<i64>,
    stored: Instant,
    /// A signed-in page is not served once its session would have timed out: serving it from
    /// here does not use the session, so a render would by then have found it expired.
    session_until: Option<DateTime<Utc>>,
}

impl Entry {
    fn size(&self) -> usize {
        self.parts.iter().map(Bytes::len).sum()
    }
}

#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

struct Inner {
    scope: Scope,
    /// Whose time decides when a kept page's session has ended.
    clock: Clock,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    generation: AtomicI64,
    checked: RwLock<Instant>,
    stale: AtomicBool,
}

impl PageCache {
    pub fn new(scope: Scope, clock: Clock) -> Self {
        PageCache {
            inner: Arc::new(Inner {
                scope,
                clock,
                entries: RwLock::default(),
                generation: AtomicI64::new(i64::MIN),
                checked: RwLock::new(Instant::now() - GENERATION_CHECK * 2),
                stale: AtomicBool::new(true),
            }),
        }
    }

    /// Drops everything if the pages' data changed since the last look.
    async fn refresh(&self) {
        let due = self
            .inner
            .checked
            .read()
            .map(|at| at.elapsed() >= GENERATION_CHECK)
            .unwrap_or(true);
        if !due && !self.inner.stale.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut at) = self.inner.checked.write() {
            *at = Instant::now();
        }
        self.inner.stale.store(false, Ordering::Relaxed);
        match self.inner.scope.generation().await {
            Ok(generation) => {
                if self.inner.generation.swap(generation, Ordering::Relaxed) != generation {
                    self.clear();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "page cache cannot read the generation; clearing");
                self.clear();
                // Keep nothing until the generation can be read again.
                self.inner.stale.store(true, Ordering::Relaxed);
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.inner.entries.write() {
            entries.clear();
        }
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let entries = self.inner.entries.read().ok()?;
        entries
            .get(key)
            .filter(|e| e.stored.elapsed() < self.inner.scope.ttl())
            .filter(|e| {
                e.session_until
                    .is_none_or(|until| self.inner.clock.now() < until)
            })
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.inner.entries.write() {
            let full = |entries: &HashMap<String, Arc<Entry>>| {
                entries.len() >= MAX_ENTRIES
                    || entries.values().map(|e| e.size()).sum::<usize>() + entry.size() > MAX_BYTES
            };
            if full(&entries) {
                let ttl = self.inner.scope.ttl();
                entries.retain(|_, e| e.stored.elapsed() < ttl);
                if full(&entries) {
                    entries.clear();
                }
            }
            entries.insert(key, Arc::new(entry));
        }
    }
}

/// The cache key of a request, or `None` when it must not be served from the cache.
fn key(pages: Pages, req: &Request) -> Option<String> {
    if req.method() != Method::GET {
        return None;
    }
    let headers = req.headers();
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    // "Cache-Control: no-cache" asks for a fresh render (browsers send it on a hard reload).
    let no_cache = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-cache"));
    if no_cache {
        return None;
    }
    // Server-function calls and non-HTML requests go through.
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|a| a.contains("text/html") || a.contains("*/*"));
    if !wants_html {
        return None;
    }
    let path = req.uri().path();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(path);
    let locale = cookie_value(headers, LOCALE_COOKIE).unwrap_or("es");
    match pages {
        Pages::PublicKb => {
            let signed_in = SESSION_COOKIES
                .iter()
                .any(|name| cookie_value(headers, name).is_some());
            let kb = path == "/kb" || path.starts_with("/kb/");
            (kb && !signed_in).then(|| format!("{locale} {path_and_query}"))
        }
        Pages::TicketList { cookie } => {
            let token = cookie_value(headers, cookie).filter(|t| !t.is_empty())?;
            (path == "/tickets").then(|| {
                let mut key = format!("{locale} ");
                for byte in Sha256::digest(token.as_bytes()) {
                    let _ = write!(key, "{byte:02x}");
                }
                key.push(' ');
                key.push_str(path_and_query);
                key
            })
        }
    }
}

/// Whether every cookie the response sets is the language preference. leptos_i18n sends it
/// back on every page to a browser that has it; it is part of the cache key, so replaying it
/// with the page is right. Any other cookie makes the response personal: not kept.
fn only_locale_cookies(headers: &HeaderMap) -> bool {
    headers.get_all(header::SET_COOKIE).iter().all(|v| {
        v.to_str()
            .is_ok_and(|c| c.starts_with(&format!("{LOCALE_COOKIE}=")))
    })
}

fn respond(entry: &Entry, nonce: &str) -> Response {
    let mut body = Vec::with_capacity(entry.parts.iter().map(Bytes::len).sum::<usize>() + 64);
    for (i, part) in entry.parts.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(nonce.as_bytes());
        }
        body.extend_from_slice(part);
    }
    let mut res = Response::new(Body::from(body));
    *res.headers_mut() = entry.headers.clone();
    res.headers_mut()
        .insert("x-cache", HeaderValue::from_static("hit"));
    res
}

pub async fn middleware(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let Some(key) = key(cache.inner.scope.pages(), &req) else {
        let writes = req.method() != Method::GET && req.method() != Method::HEAD;
        let res = next.run(req).await;
        if writes {
            // Maybe a write to what these pages show: look at the generation on the next read.
            cache.inner.stale.store(true, Ordering::Relaxed);
        }
        return res;
    };
    let nonce = req
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    cache.refresh().await;
    // The generation this render starts from: if another request sees a newer one while this
    // page renders, the page may hold older data and is not kept.
    let generation = cache.inner.generation.load(Ordering::Relaxed);
    if let Some(entry) = cache.get(&key) {
        if let Some(id) = entry.article {
            if let Scope::PublicKb(kb) = &cache.inner.scope {
                kb.count_view(id);
            }
        }
        return respond(&entry, &nonce);
    }
    let mut res = next.run(req).await;
    let article = res
        .headers_mut()
        .remove(ARTICLE_HEADER)
        .and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
    let signed_in_only = matches!(cache.inner.scope.pages(), Pages::TicketList { .. });
    let cacheable = res.status() == StatusCode::OK
        && !nonce.is_empty()
        && (!signed_in_only || res.extensions().get::<RenderedSignedIn>().is_some())
        && only_locale_cookies(res.headers())
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
    if !cacheable {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page too large to cache");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let pieces: Vec<Bytes> = text
        .replace(&nonce, NONCE_SLOT)
        .split(NONCE_SLOT)
        .map(|p| Bytes::copy_from_slice(p.as_bytes()))
        .collect();
    if cache.inner.generation.load(Ordering::Relaxed) != generation
        || cache.inner.stale.load(Ordering::Relaxed)
    {
        return Response::from_parts(parts, Body::from(bytes));
    }
    cache.put(
        key,
        Entry {
            parts: pieces,
            headers: parts.headers.clone(),
            article,
            stored: Instant::now(),
            session_until: parts
                .extensions
                .get::<RenderedSignedIn>()
                .map(|r| r.valid_until),
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::kernel::ManualClock;

    fn request(path: &str, cookie: Option<&str>) -> Request {
        let mut b = Request::builder()
            .uri(path)
            .header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::empty()).expect("request")
    }

    #[test]
    fn only_anonymous_kb_pages_are_cached() {
        let k = |path, cookie| key(Pages::PublicKb, &request(path, cookie));
        assert_eq!(k("/kb/a/b", None).as_deref(), Some("es /kb/a/b"));
        assert_eq!(
            k("/kb?x=1", Some("i18n_pref_locale=en")).as_deref(),
            Some("en /kb?x=1")
        );
        assert_eq!(k("/kb/a/b", Some("portal_session=abc")), None);
        assert_eq!(k("/kb/a/b", Some("x=1; __Host-portal_session=abc")), None);
        assert_eq!(k("/tickets", None), None);
        assert_eq!(k("/kbx", None), None);
    }

    #[test]
    fn only_the_language_cookie_may_be_set_by_a_kept_page() {
        let with = |cookies: &[&str]| {
            let mut headers = HeaderMap::new();
            for c in cookies {
                headers.append(
                    header::SET_COOKIE,
                    HeaderValue::from_str(c).expect("header"),
                );
            }
            only_locale_cookies(&headers)
        };
        assert!(with(&[]));
        assert!(with(&["i18n_pref_locale=es"]));
        assert!(!with(&["portal_session=abc; Path=/; HttpOnly"]));
        assert!(!with(&[
            "i18n_pref_locale=es",
            "portal_session=; Max-Age=0"
        ]));
    }

    /// A ticket-list cache whose database is never reached.
    fn ticket_list_cache(clock: Clock) -> PageCache {
        let pool = sqlx::SqlitePool::connect_lazy("sqlite::memory:").expect("lazy pool");
        PageCache::new(
            Scope::TicketList {
                db: Db::Sqlite(pool),
                cookie: "portal_session",
            },
            clock,
        )
    }

    #[tokio::test]
    async fn keeps_no_more_than_its_memory_budget() {
        let cache = ticket_list_cache(Clock::system());
        let page = Bytes::from(vec![b'x'; 1024 * 1024]);
        for i in 0..100 {
            cache.put(
                format!("k{i}"),
                Entry {
                    parts: vec![page.clone()],
                    headers: HeaderMap::new(),
                    article: None,
                    stored: Instant::now(),
                    session_until: None,
                },
            );
            let held: usize = cache
                .inner
                .entries
                .read()
                .map(|e| e.values().map(|e| e.size()).sum())
                .unwrap_or(usize::MAX);
            assert!(held <= MAX_BYTES, "{held} bytes held after {} pages", i + 1);
        }
        assert!(cache.get("k99").is_some(), "the newest page is kept");
    }

    #[tokio::test]
    async fn a_kept_page_is_not_served_past_its_session() {
        let now = Utc::now();
        let manual = ManualClock::starting_at(now);
        let cache = ticket_list_cache(manual.clock());
        let entry = |session_until| Entry {
            parts: vec![Bytes::from_static(b"<html>")],
            headers: HeaderMap::new(),
            article: None,
            stored: Instant::now(),
            session_until: Some(session_until),
        };
        cache.put("live".into(), entry(now + chrono::Duration::hours(1)));
        cache.put(
            "timed out".into(),
            entry(now - chrono::Duration::seconds(1)),
        );
        assert!(cache.get("live").is_some());
        assert!(cache.get("timed out").is_none());
        // An hour later the live session has ended too: no sleeping, the clock moves.
        manual.advance(chrono::Duration::hours(1));
        assert!(cache.get("live").is_none());
    }

    #[test]
    fn the_ticket_list_is_cached_per_session_token() {
        let pages = Pages::TicketList {
            cookie: "__Host-portal_session",
        };
        let k = |path, cookie| key(pages, &request(path, cookie));
        let mine = k("/tickets?status=open", Some("__Host-portal_session=abc"));
        let theirs = k("/tickets?status=open", Some("__Host-portal_session=abd"));
        let english = k(
            "/tickets?status=open",
            Some("__Host-portal_session=abc; i18n_pref_locale=en"),
        );
        assert!(mine.as_deref().is_some_and(|k| k.starts_with("es ")
            && k.ends_with(" /tickets?status=open")
            && !k.contains("abc")));
        assert!(theirs.is_some() && theirs != mine);
        assert!(english.is_some() && english != mine);
        // Only the cookie the server authenticates counts; no session, no cache.
        assert_eq!(k("/tickets", Some("portal_session=abc")), None);
        assert_eq!(k("/tickets", Some("__Host-portal_session=")), None);
        assert_eq!(k("/tickets", None), None);
        // Other signed-in pages are rendered every time.
        assert_eq!(k("/tickets/12", Some("__Host-portal_session=abc")), None);
        assert_eq!(k("/kb", Some("__Host-portal_session=abc")), None);
    }
}
