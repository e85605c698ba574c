//! Prometheus metrics at `GET /metrics`: request latency histograms per route, open chat
//! sockets, background job runs, and the age of the last good backup.
//!
//! Access on the main listener: with `PORTAL_METRICS_TOKEN` set, scrapers send it as a bearer
//! token (401 otherwise); without it, only clients on this machine (loopback), and not even
//! those once trusted proxies are configured (a proxy on this machine makes every visitor
//! "loopback"): then the main listener answers 404 and metrics are read on
//! `PORTAL_METRICS_ADDR`, a listener of their own that the proxy does not expose.

use crate::startup::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process-wide recorder (installed once, shared by every portal in the process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (a test harness): keep a private one for rendering.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Times every request by method, matched route (not the raw path: ids would explode the
/// label set) and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "other".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route.clone(), "status" => status.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    res
}

/// One run of a background job.
pub fn job_run(job: &'static str, ok: bool) {
    metrics::counter!("job_runs_total", "job" => job, "outcome" => if ok { "ok" } else { "error" })
        .increment(1);
}

/// A chat or console socket opened (`+1`) or closed (`-1`).
pub fn socket_open(delta: f64) {
    metrics::gauge!("chat_sockets_open").increment(delta);
}

/// Who may read the metrics on the main listener.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    Allowed,
    /// A token is configured and was not given: 401.
    TokenRequired,
    /// Not served here: 404.
    Hidden,
}

fn access(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    token: Option<&str>,
    behind_proxy: bool,
) -> Access {
    match token {
        Some(token) if crate::security::bearer_matches(headers, token) => Access::Allowed,
        Some(_) => Access::TokenRequired,
        None if behind_proxy => Access::Hidden,
        None if peer.is_some_and(|p| p.ip().is_loopback()) => Access::Allowed,
        None => Access::Hidden,
    }
}

pub async fn endpoint(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
) -> Response {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match access(
        &parts.headers,
        peer,
        state.metrics_token.as_deref(),
        !state.trusted_proxies.is_empty(),
    ) {
        Access::Allowed => render(&state),
        Access::TokenRequired => {
            (StatusCode::UNAUTHORIZED, "metrics need the token").into_response()
        }
        Access::Hidden => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The metrics listener of its own (`PORTAL_METRICS_ADDR`): the token when one is set,
/// otherwise open to whoever reaches that address.
pub async fn private_endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.metrics_token.as_deref() {
        Some(token) if !crate::security::bearer_matches(&headers, token) => {
            (StatusCode::UNAUTHORIZED, "metrics need the token").into_response()
        }
        _ => render(&state),
    }
}

fn render(state: &AppState) -> Response {
    if let Some(backups) = &state.backups {
        metrics::gauge!("backup_age_seconds").set(backups.age_seconds(state.clock.now()) as f64);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_or_token_and_never_loopback_behind_a_proxy() {
        let local: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let remote: SocketAddr = "203.0.113.9:5000".parse().expect("addr");
        let none = HeaderMap::new();
        assert_eq!(access(&none, Some(local), None, false), Access::Allowed);
        assert_eq!(access(&none, Some(remote), None, false), Access::Hidden);
        // A proxy on this machine: its requests come from loopback, for every visitor.
        assert_eq!(access(&none, Some(local), None, true), Access::Hidden);
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            "Bearer s3cret".parse().expect("header"),
        );
        assert_eq!(
            access(&bearer, Some(remote), Some("s3cret"), true),
            Access::Allowed
        );
        assert_eq!(
            access(&none, Some(local), Some("s3cret"), false),
            Access::TokenRequired
        );
    }
}
