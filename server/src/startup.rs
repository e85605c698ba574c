//! Builds the portal from a configuration: database, services, router; serves it until shutdown.

use crate::chat_hub::{LocalHub, PgHub};
use crate::config::Config;
use crate::mail::{MailConfigError, Mailer};
use crate::page_cache::{PageCache, Scope};
use crate::storage::{ChatDb, ConnectError, Db};
use crate::{rest, secret, security};
use app::accounts::service::{Accounts, AuthSettings};
use app::accounts::store::AccountStore;
use app::accounts::tokens::TokenKey;
use app::changes::service::Changes;
use app::channels::email::EmailIntake;
use app::channels::service::Channels;
use app::chat::fanout::Fanout;
use app::chat::service::{ChatDeps, Chats};
use app::chat::store::ChatStore;
use app::hours::service::Hours;
use app::kb::service::Kb;
use app::kernel::OutboxStore;
use app::projects::service::Projects;
use app::server_ctx::{ServiceSet, Services};
use app::shop::service::Shop;
use app::tickets::service::Tickets;
use app::{shell, App};
use axum::extract::{FromRef, MatchedPath, State};
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// What every handler gets; cloned for every request, so one shared pointer.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct AppParts {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub db: Db,
    /// The portal's own origin: WebSocket upgrades from any other are refused.
    pub public_url: String,
    pub chat_limits: Arc<crate::rest::chat_socket::ChatLimits>,
    /// WhatsApp, Messenger and Instagram; `None` turns the channels (and their webhooks) off.
    pub meta: Option<Arc<MetaState>>,
    /// Stripe's webhook signing secret; unset turns card payments (and the webhook) off.
    pub stripe_webhook_secret: Option<String>,
    /// Email to the support mailbox, from the IMAP poller and the inbound-mail webhook.
    pub inbound_mail: EmailIntake,
    /// Bearer token of the inbound-mail webhook; `None` turns the webhook off.
    pub inbound_mail_token: Option<String>,
    /// Automatic backups (SQLite), for `/readyz`; `None` when off.
    pub backups: Option<Arc<crate::backup::BackupStatus>>,
    /// Bearer token for `/metrics`; `None`: loopback clients only.
    pub metrics_token: Option<String>,
    /// Proxies whose forwarding headers name the client (empty: none).
    pub trusted_proxies: Arc<crate::forwarded::TrustedProxies>,
    /// Where handlers and jobs read the time (the services hold the same clock).
    pub clock: app::kernel::Clock,
}

/// What the Meta webhooks need: the service, and the secrets that authenticate Meta.
pub struct MetaState {
    pub channels: Channels,
    pub app_secret: String,
    pub verify_token: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] ConnectError),
    #[error(transparent)]
    Mail(#[from] MailConfigError),
    #[error("{0}")]
    Secret(String),
    #[error("cannot start: {0}")]
    Service(String),
    #[error("object storage: {0}")]
    Storage(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A built portal, ready to serve.
pub struct Portal {
    pub router: Router,
    pub state: AppState,
    mailer: Mailer,
    /// PostgreSQL only: the cross-instance chat listener to run while serving.
    chat_listener: Option<(Arc<PgHub>, Arc<dyn ChatStore>)>,
    /// The support mailbox to poll, if configured.
    imap: Option<crate::config::ImapConfig>,
    /// Where automatic backups go and how many are kept.
    backup_plan: Option<(std::path::PathBuf, crate::backup::Destination, usize)>,
    /// Which instance runs the shared background jobs.
    lease: Arc<crate::job_lease::JobLease>,
    sla_watch_every: Duration,
    /// A listener of its own for `/metrics`, if configured.
    metrics_addr: Option<SocketAddr>,
}

pub async fn build(config: &Config) -> Result<Portal, StartError> {
    // Installs the metrics recorder before anything records.
    crate::metrics::handle();
    let db = Db::connect(&config.database_url).await?;
    tracing::info!(backend = db.backend(), "database ready");
    let key = match &config.secret {
        Some(s) => TokenKey::new(s.expose().as_bytes()),
        None => {
            TokenKey::new(&secret::load_or_create(&config.data_dir).map_err(StartError::Secret)?)
        }
    };
    let clock = config.clock.clone();
    let store: Arc<dyn AccountStore> = Arc::new(db.clone());
    let outbox: Arc<dyn OutboxStore> = Arc::new(db.clone());
    let settings = AuthSettings {
        idle_timeout: chrono::Duration::minutes(config.idle_minutes),
        absolute_timeout: chrono::Duration::hours(config.max_hours),
        public_url: config.public_url.clone(),
    };
    let blobs: Arc<dyn app::files::BlobStore> = match &config.files_url {
        Some(url) => Arc::new(crate::object_storage::BucketBlobs(
            crate::object_storage::Bucket::open(url)
                .map_err(|e| StartError::Storage(e.to_string()))?,
        )),
        None => Arc::new(crate::storage::DiskBlobs::new(
            config.data_dir.join("files"),
        )),
    };
    let kb = Kb::new(
        Arc::new(db.clone()),
        blobs.clone(),
        config.public_url.clone(),
        clock.clone(),
    );
    let tickets = Tickets::new(
        Arc::new(db.clone()),
        blobs.clone(),
        store.clone(),
        outbox.clone(),
        config.public_url.clone(),
        clock.clone(),
    );
    let chat_store: Arc<dyn ChatStore> = Arc::new(ChatDb::new(db.clone()));
    let (fanout, chat_listener): (Arc<dyn Fanout>, _) = match &db {
        Db::Sqlite(_) => (Arc::new(LocalHub::default()), None),
        Db::Postgres(pool) => {
            let hub = Arc::new(PgHub::new(pool.clone()));
            (hub.clone(), Some((hub, chat_store.clone())))
        }
    };
    let mut code_sender: Option<Arc<dyn app::accounts::service::PhoneCodeSender>> = None;
    let meta = match &config.meta {
        Some(meta) => {
            let graph = Arc::new(
                crate::meta::graph::GraphClient::new(&meta.graph_base, meta.access_token.expose())
                    .map_err(|e| StartError::Service(format!("Graph API client: {e}")))?,
            );
            if let Some(phone_id) = &meta.whatsapp_phone_id {
                code_sender = Some(Arc::new(crate::meta::graph::WhatsappCodes {
                    graph: graph.clone(),
                    phone_number_id: phone_id.clone(),
                    template: meta.code_template.clone(),
                }));
            }
            Some(Arc::new(MetaState {
                channels: Channels::new(
                    Arc::new(db.clone()),
                    graph,
                    fanout.clone(),
                    blobs.clone(),
                    clock.clone(),
                ),
                app_secret: meta.app_secret.expose().to_owned(),
                verify_token: meta.verify_token.expose().to_owned(),
            }))
        }
        None => None,
    };
    let chats = Chats::new(ChatDeps {
        store: chat_store,
        fanout: fanout.clone(),
        tickets: tickets.clone(),
        accounts: store.clone(),
        outbox: outbox.clone(),
        blobs,
        key: key.clone(),
        clock: clock.clone(),
    })
    .with_hours(config.chat_hours)
    .with_public_url(&config.public_url);
    let projects = Projects::new(Arc::new(db.clone()), store.clone(), clock.clone());
    let gateway: Option<Arc<dyn app::shop::gateway::PaymentGateway>> = match &config.stripe {
        Some(stripe) => Some(Arc::new(
            crate::payments::stripe::StripeCheckout::new(
                &stripe.api_base,
                stripe.secret_key.expose(),
            )
            .map_err(|e| StartError::Service(format!("Stripe client: {e}")))?,
        )),
        None => None,
    };
    let shop = Shop::new(
        Arc::new(db.clone()),
        outbox.clone(),
        gateway,
        config.public_url.clone(),
        clock.clone(),
    );
    shop.seed_catalog()
        .await
        .map_err(|e| StartError::Service(format!("store catalog: {e}")))?;
    let hours = Hours::new(
        Arc::new(db.clone()),
        store.clone(),
        outbox.clone(),
        config.public_url.clone(),
        clock.clone(),
    );
    let changes = Changes::new(
        Arc::new(db.clone()),
        hours.clone(),
        store.clone(),
        outbox.clone(),
        config.public_url.clone(),
        clock.clone(),
    );
    let accounts = Accounts::new(store.clone(), outbox.clone(), key, settings, clock.clone())
        .await
        .map_err(|e| StartError::Service(e.to_string()))?
        .with_fanout(fanout);
    let accounts = match code_sender {
        Some(sender) => accounts.with_code_sender(sender),
        None => accounts,
    };
    if config.demo {
        crate::demo::load(&accounts, &chats, &kb, &projects, clock.now())
            .await
            .map_err(StartError::Service)?;
        tracing::info!("demo data loaded");
    }
    let inbound_mail = EmailIntake::new(
        Arc::new(db.clone()),
        store.clone(),
        tickets.clone(),
        own_addresses(config),
        clock.clone(),
    );
    let mailer = Mailer::new(outbox, config.smtp.as_ref(), clock.clone())?;
    let services = Services::new(ServiceSet {
        accounts,
        tickets,
        kb,
        chats,
        projects,
        shop,
        hours,
        changes,
        secure_cookies: config.secure_cookies(),
    });
    let leptos_options = LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build();
    let backups = match (&db, config.backup_every) {
        (Db::Sqlite(_), Some(every)) => Some(Arc::new(crate::backup::BackupStatus::new(
            every,
            clock.now(),
        ))),
        _ => None,
    };
    let state = AppState(Arc::new(AppParts {
        clock: clock.clone(),
        leptos_options,
        services,
        db,
        public_url: config.public_url.clone(),
        chat_limits: Arc::new(crate::rest::chat_socket::ChatLimits::new(
            config.chat_msgs_per_ip,
        )),
        stripe_webhook_secret: config
            .stripe
            .as_ref()
            .map(|s| s.webhook_secret.expose().to_owned()),
        meta,
        inbound_mail,
        inbound_mail_token: config
            .inbound_mail_token
            .as_ref()
            .map(|t| t.expose().to_owned()),
        backups,
        metrics_token: config.metrics_token.as_ref().map(|t| t.expose().to_owned()),
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
    }));
    tracing::info!(instance = %config.instance, "instance");
    let lease_db = state.db.clone();
    Ok(Portal {
        router: router(state.clone()),
        state,
        mailer,
        chat_listener,
        imap: config.imap.clone(),
        backup_plan: Some((
            config.data_dir.clone(),
            crate::backup::Destination::from_config(
                &config.backup_dir,
                config.backup_url.as_deref(),
            )
            .map_err(|e| StartError::Storage(e.to_string()))?,
            config.backup_keep,
        )),
        lease: Arc::new(crate::job_lease::JobLease::new(
            lease_db,
            config.instance.clone(),
            config.job_lease,
            clock.clone(),
        )),
        sla_watch_every: config.sla_watch_every,
        metrics_addr: config.metrics_addr,
    })
}

/// The portal's own addresses (the sender of its mail, the polled mailbox): mail from them is
/// never answered, or it would loop.
fn own_addresses(config: &Config) -> Vec<String> {
    let from = config
        .smtp
        .as_ref()
        .map(|s| s.from.as_str())
        .unwrap_or("soporte@any2cloud.com");
    let from = match (from.rfind('<'), from.rfind('>')) {
        (Some(start), Some(end)) if start < end => &from[start + 1..end],
        _ => from,
    };
    let mut own = vec![
        from.trim().to_lowercase(),
        "soporte@any2cloud.com".to_owned(),
    ];
    if let Some(imap) = config.imap.as_ref().filter(|i| i.username.contains('@')) {
        own.push(imap.username.to_lowercase());
    }
    own.dedup();
    own
}

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

fn router(state: AppState) -> Router {
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
        .layer(trace)
        .layer(axum::middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            crate::forwarded::middleware,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    portal: Portal,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(portal.mailer.run(stop_rx.clone()));
    let lease = portal.lease.clone();
    // The first try happens now, so a lone instance starts its jobs at once.
    if let Err(e) = lease.acquire().await {
        tracing::error!(error = %e, "job lease: database unreachable");
    }
    let lease_task = tokio::spawn(crate::job_lease::keep(lease.clone(), stop_rx.clone()));
    let watcher = tokio::spawn(crate::jobs::run_sla_watch(
        portal.state.services.tickets.clone(),
        lease.clone(),
        portal.sla_watch_every,
        portal.state.clock.clone(),
        stop_rx.clone(),
    ));
    let listener_task = portal
        .chat_listener
        .map(|(hub, store)| tokio::spawn(hub.listen(store, stop_rx.clone())));
    let hour_job = tokio::spawn(crate::jobs::run_hour_job(
        portal.state.services.hours.clone(),
        lease.clone(),
        portal.state.clock.clone(),
        stop_rx.clone(),
    ));
    let sender = portal.state.meta.as_ref().map(|meta| {
        tokio::spawn(crate::jobs::run_reply_sender(
            meta.channels.clone(),
            lease.clone(),
            portal.state.clock.clone(),
            stop_rx.clone(),
        ))
    });
    let mailbox = portal.imap.clone().map(|imap| {
        tokio::spawn(crate::mail_imap::run(
            imap,
            portal.state.inbound_mail.clone(),
            lease.clone(),
            stop_rx.clone(),
        ))
    });
    let backups = match (&portal.state.backups, portal.backup_plan.clone()) {
        (Some(status), Some((data_dir, dest, keep))) => Some(tokio::spawn(crate::backup::run(
            portal.state.db.clone(),
            (data_dir, dest, keep),
            status.clone(),
            lease.clone(),
            portal.state.clock.clone(),
            stop_rx.clone(),
        ))),
        _ => None,
    };
    let views = tokio::spawn(crate::jobs::run_view_flush(
        portal.state.services.kb.clone(),
        stop_rx.clone(),
    ));
    let metrics_task = match portal.metrics_addr {
        Some(addr) => {
            let metrics = Router::new()
                .route("/metrics", get(crate::metrics::private_endpoint))
                .with_state(portal.state.clone());
            match TcpListener::bind(addr).await {
                Ok(listener) => {
                    tracing::info!("metrics on http://{addr}/metrics");
                    let mut stop = stop_rx.clone();
                    Some(tokio::spawn(async move {
                        let _ = axum::serve(listener, metrics)
                            .with_graceful_shutdown(async move {
                                let _ = stop.wait_for(|s| *s).await;
                            })
                            .await;
                    }))
                }
                Err(e) => {
                    tracing::error!(%addr, error = %e, "cannot listen for metrics");
                    None
                }
            }
        }
        None => None,
    };
    let app = portal
        .router
        .into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    if let Some(task) = metrics_task {
        let _ = task.await;
    }
    let _ = worker.await;
    let _ = watcher.await;
    let _ = views.await;
    let _ = hour_job.await;
    if let Some(task) = sender {
        let _ = task.await;
    }
    if let Some(task) = mailbox {
        let _ = task.await;
    }
    if let Some(task) = backups {
        let _ = task.await;
    }
    if let Some(task) = listener_task {
        let _ = task.await;
    }
    let _ = lease_task.await;
    portal.state.db.close().await;
    result
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })
}
