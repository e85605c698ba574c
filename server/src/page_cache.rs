//! Rendered knowledge-base pages for anonymous readers, kept in memory.
//!
//! Public articles are the busiest pages; rendering each request again costs database round
//! trips and a full Leptos render. Anonymous readers all see the same page for a path and
//! language, so the first render is kept and served again with a fresh CSP nonce.
//!
//! Freshness: every knowledge-base write bumps a generation number in the database. The cache
//! compares it at most once a second (so several instances agree within a second), at once
//! after a write passes through this instance, and drops entries older than [`TTL`] (scheduled
//! articles appear on time).

use crate::security::CspNonce;
use app::kb::service::Kb;
use app::server_ctx::cookie_value;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(60);
const GENERATION_CHECK: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 5_000;
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Stands in for the nonce inside stored pages.
const NONCE_SLOT: &str = "\u{0}nonce\u{0}";
/// Set by the article page on the server so the cache can count views of cached hits.
pub const ARTICLE_HEADER: &str = "x-kb-article";

struct Entry {
    /// The page split at each nonce: the response is `parts.join(nonce)`.
    parts: Vec<Bytes>,
    headers: HeaderMap,
    article: Option<i64>,
    stored: Instant,
}

#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

struct Inner {
    kb: Kb,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    generation: AtomicI64,
    checked: RwLock<Instant>,
    stale: AtomicBool,
}

impl PageCache {
    pub fn new(kb: Kb) -> Self {
        PageCache {
            inner: Arc::new(Inner {
                kb,
                entries: RwLock::default(),
                generation: AtomicI64::new(i64::MIN),
                checked: RwLock::new(Instant::now() - GENERATION_CHECK * 2),
                stale: AtomicBool::new(true),
            }),
        }
    }

    /// Drops everything if the knowledge base changed since the last look.
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
        match self.inner.kb.store().generation().await {
            Ok(generation) => {
                if self.inner.generation.swap(generation, Ordering::Relaxed) != generation {
                    self.clear();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "page cache cannot read the generation; clearing");
                self.clear();
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
            .filter(|e| e.stored.elapsed() < TTL)
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.inner.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| e.stored.elapsed() < TTL);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, Arc::new(entry));
        }
    }
}

/// The cache key of a request, or `None` when it must not be served from the cache.
fn key(req: &Request) -> Option<String> {
    if req.method() != Method::GET {
        return None;
    }
    let path = req.uri().path();
    if !(path == "/kb" || path.starts_with("/kb/")) {
        return None;
    }
    let headers = req.headers();
    let signed_in = ["portal_session", "__Host-portal_session"]
        .iter()
        .any(|name| cookie_value(headers, name).is_some());
    if signed_in || headers.contains_key(header::AUTHORIZATION) {
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
    let locale = cookie_value(headers, "i18n_pref_locale").unwrap_or("es");
    Some(format!(
        "{locale} {}",
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or(path)
    ))
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
    let Some(key) = key(&req) else {
        let writes = req.method() != Method::GET && req.method() != Method::HEAD;
        let res = next.run(req).await;
        if writes {
            // Maybe a knowledge-base write: look at the generation on the next read.
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
    if let Some(entry) = cache.get(&key) {
        if let Some(id) = entry.article {
            cache.inner.kb.count_view(id);
        }
        return respond(&entry, &nonce);
    }
    let mut res = next.run(req).await;
    let article = res
        .headers_mut()
        .remove(ARTICLE_HEADER)
        .and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
    let cacheable = res.status() == StatusCode::OK
        && !nonce.is_empty()
        && !res.headers().contains_key(header::SET_COOKIE)
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
    cache.put(
        key,
        Entry {
            parts: pieces,
            headers: parts.headers.clone(),
            article,
            stored: Instant::now(),
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let k = |path, cookie| key(&request(path, cookie));
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
}
