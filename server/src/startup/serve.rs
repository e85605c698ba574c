//! Serving a built portal: the background jobs and the metrics listener run alongside the
//! router, and all of them stop together at shutdown.

use super::Portal;
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;

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
