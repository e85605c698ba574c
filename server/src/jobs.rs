//! Background jobs. The SLA watcher (75 % warnings, breach notices), the hour-bank job and
//! the channel reply sender run in the instance holding the job lease (`job_lease`); their
//! notices are also claimed in the database, so even a lease handover never sends one twice.
//! The flush of article page views counted in memory runs in every instance.

use crate::job_lease::JobLease;
use app::hours::service::Hours;
use app::kb::service::Kb;
use app::kernel::Clock;
use app::tickets::service::Tickets;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Checks open tickets every `every` (60 s unless `PORTAL_SLA_WATCH_SECONDS`).
pub async fn run_sla_watch(
    tickets: Tickets,
    lease: Arc<JobLease>,
    every: Duration,
    clock: Clock,
    shutdown: watch::Receiver<bool>,
) {
    let work = || tickets.watch_sla(clock.now());
    let done = |sent| {
        if sent > 0 {
            tracing::info!(sent, "SLA notices queued")
        }
    };
    lease.every("sla_watch", every, shutdown, work, done).await
}

const HOUR_JOB_SECONDS: u64 = 300;

/// Writes off expired hours and sends low-balance and expiry warnings (each once: the warning
/// is claimed in the database before it is queued, so instances never send one twice).
pub async fn run_hour_job(
    hours: Hours,
    lease: Arc<JobLease>,
    clock: Clock,
    shutdown: watch::Receiver<bool>,
) {
    let every = Duration::from_secs(HOUR_JOB_SECONDS);
    let work = || hours.run_job(clock.now());
    let done = |run: app::hours::service::HourJobRun| {
        if run.expired_lots > 0 || run.warnings > 0 {
            tracing::info!(
                expired = run.expired_lots,
                warnings = run.warnings,
                "hour bank job"
            )
        }
    };
    lease.every("hour_bank", every, shutdown, work, done).await
}

const VIEW_FLUSH_SECONDS: u64 = 10;

/// Writes counted article views every few seconds, and once more on shutdown.
pub async fn run_view_flush(kb: Kb, mut shutdown: watch::Receiver<bool>) {
    loop {
        let stop = tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(VIEW_FLUSH_SECONDS)) => false,
            _ = shutdown.changed() => true,
        };
        let result = kb.flush_views().await;
        crate::metrics::job_run("view_flush", result.is_ok());
        if let Err(e) = result {
            tracing::error!(error = %e, "saving article views failed");
        }
        if stop {
            break;
        }
    }
}

const REPLY_SEND_SECONDS: u64 = 2;

/// Sends agents' WhatsApp / Messenger / Instagram replies as they become due (new ones within
/// two seconds, failed ones on their backoff schedule).
pub async fn run_reply_sender(
    channels: app::channels::service::Channels,
    lease: Arc<JobLease>,
    clock: Clock,
    shutdown: watch::Receiver<bool>,
) {
    let every = Duration::from_secs(REPLY_SEND_SECONDS);
    let work = || channels.send_due(clock.now());
    lease
        .every("channel_replies", every, shutdown, work, |_| {})
        .await
}
