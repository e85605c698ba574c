//! Background jobs that run in every instance: the SLA watcher (75 % warnings, breach notices).
//! Notices are claimed in the database, so several instances never send one twice.

use app::tickets::service::Tickets;
use chrono::Utc;
use tokio::sync::watch;

const SLA_WATCH_SECONDS: u64 = 60;

pub async fn run_sla_watch(tickets: Tickets, mut shutdown: watch::Receiver<bool>) {
    loop {
        match tickets.watch_sla(Utc::now()).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "SLA notices queued"),
            Err(e) => tracing::error!(error = %e, "SLA watcher failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(SLA_WATCH_SECONDS)) => {}
            _ = shutdown.changed() => break,
        }
    }
}
