//! The portal's router: health and readiness checks, file and report routes, the REST API,
//! the Leptos pages, and the middleware every request goes through.

use super::AppState;
use crate::page_cache::{PageCache, Scope};
use crate::{rest, security};
use app::{shell, App};
use axum::extract::{MatchedPath, State};
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::time::Duration;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => match &state.backups {
            Some(b) if b.degraded(state.clock.now()) => {
                let age = b.age_seconds(state.clock.now());
                tracing::warn!(age_seconds = age, "no good backup for twice the interval");
                (StatusCode::OK, "degraded: no recent backup")
            }
            _ => (StatusCode::OK, "ready"),
        },
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

pub(super) fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let services = state.services.clone();
        let options = state.leptos_options.clone();
        move || {
            provide_context(services.clone());
            // Where the site's files are: the lazy pages name their WASM chunks (split manifest).
            provide_context(options.clone());
            // Render the hydration scripts with the nonce the security middleware put in the
            // page's CSP header (this runs after Leptos provided a random one, replacing it).
            let nonce = use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<security::CspNonce>().cloned());
            if let Some(nonce) = nonce {
                provide_context(leptos::nonce::Nonce::from_value(nonce.0));
            }
        }
    };
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| req.uri().path().to_owned());
            let request_id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let client = app::server_ctx::ClientAddr::of(req.extensions())
                .map(|ip| ip.to_string())
                .unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), route, request_id, client)
        })
        .on_response(
            |res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                tracing::info!(
                    status = res.status().as_u16(),
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    "response"
                );
            },
        );
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::endpoint))
        .route("/reportes/sla.csv", get(rest::reports::sla_csv))
        .route(
            "/tickets/{id}/adjuntos",
            axum::routing::post(rest::files::upload_web).layer(
                axum::extract::DefaultBodyLimit::max(rest::files_body_limit()),
            ),
        )
        .route("/adjuntos/{id}", get(rest::files::download_web))
        .route("/sitemap.xml", get(rest::kb::sitemap))
        .route("/robots.txt", get(rest::kb::robots))
        .route("/imagenes/{name}", get(rest::kb::image))
        .route(
            "/editor/imagenes",
            axum::routing::post(rest::kb::upload_image).layer(
                axum::extract::DefaultBodyLimit::max(app::kb::editing::MAX_IMAGE_BYTES + 64 * 1024),
            ),
        )
        .nest("/api/v1", rest::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn(
            crate::server_fn_input::error_status,
        ))
        .route_layer(axum::middleware::from_fn(crate::metrics::track))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.services.clone(),
            crate::page_session::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            PageCache::new(
                Scope::TicketList {
                    db: state.db.clone(),
                    cookie: state.services.cookie_name(),
                },
                state.clock.clone(),
            ),
            crate::page_cache::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            PageCache::new(
                Scope::PublicKb(state.services.kb.clone()),
                state.clock.clone(),
            ),
            crate::page_cache::middleware,
        ))
        .layer(axum::middleware::from_fn(
            crate::server_fn_input::refuse_nul,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.services.secure_cookies,
            security::csrf_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.services.secure_cookies,
            security::security_headers,
        ))
        // Pages, JSON and CSV leave compressed (brotli or gzip, as the client accepts); the
        // page cache inside keeps plain bodies, and files served precompressed (already
        // `Content-Encoding`d), images and event streams pass through untouched.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/octet-stream"))
                    .and(NotForContentType::const_new("application/pdf"))
                    .and(NotForContentType::const_new("application/zip")),
            ),
        )
        .layer(trace)
        .layer(axum::middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            crate::forwarded::middleware,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
