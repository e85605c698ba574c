//! Builds the portal from a configuration: database, services, router; serves it until shutdown.

use crate::chat_hub::{LocalHub, PgHub};
use crate::config::Config;
use crate::mail::{MailConfigError, Mailer};
use crate::secret;
use crate::storage::{ChatDb, ConnectError, Db};
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
use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

mod router;
mod serve;

use router::router;
pub use serve::serve;

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
    kb.ensure_search_index()
        .await
        .map_err(|e| StartError::Service(format!("knowledge-base index: {e}")))?;
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
        shop.seed_demo_account()
            .await
            .map_err(|e| StartError::Service(format!("demo transfer account: {e}")))?;
        tracing::info!("demo data loaded");
    }
    let inbound_mail = EmailIntake::new(
        Arc::new(db.clone()),
        store.clone(),
        Arc::new(db.clone()),
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

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })
}
