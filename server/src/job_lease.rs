//! One job runner per deployment. Several instances may serve one PostgreSQL database; the
//! background jobs that act on shared data (SLA warnings, hour expiry and warnings, channel
//! replies, the mailbox poller, backups) run only in the instance holding the `jobs` lease, a
//! row in the database that its holder renews every quarter of its lifetime. An instance that
//! dies stops renewing; another takes the lease over once it has expired (its `term` then goes
//! up), and one that shuts down cleanly releases it at once.
//!
//! The holder treats the lease as its own only for half its lifetime after each successful
//! renewal, so it stops starting jobs well before another instance may take over. Each run of a
//! leased job is written to `job_runs` (instance, term, start, end; kept a day), which shows
//! operators — and the multi-instance test — who ran what.

use crate::storage::{with_pool, Db};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

const LEASE: &str = "jobs";
const RUNS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

pub struct JobLease {
    db: Db,
    holder: String,
    ttl: Duration,
    /// Until when this instance may start jobs, and the term it holds.
    held: Mutex<Option<(Instant, i64)>>,
    clock: app::kernel::Clock,
}

/// A name for this instance: `PORTAL_INSTANCE`, else host name, process id and a random suffix.
pub fn instance_name(configured: Option<&str>) -> String {
    if let Some(name) = configured.filter(|n| !n.trim().is_empty()) {
        return name.trim().to_owned();
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "portal".to_owned());
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..6];
    format!("{host}-{}-{suffix}", std::process::id())
}

impl JobLease {
    pub fn new(db: Db, holder: String, ttl: Duration, clock: app::kernel::Clock) -> Self {
        JobLease {
            db,
            holder,
            ttl,
            held: Mutex::new(None),
            clock,
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Takes the lease when it is free or expired, or renews it when this instance holds it.
    /// Returns whether this instance holds it now.
    pub async fn acquire(&self) -> Result<bool, sqlx::Error> {
        let asked = Instant::now();
        let now = self.now_ms();
        let expires = now + self.ttl.as_millis() as i64;
        let sql = "INSERT INTO job_lease (name, holder, expires_ms, term) VALUES ($1, $2, $3, 1) \
                   ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
                   expires_ms = excluded.expires_ms, \
                   term = CASE WHEN job_lease.holder = excluded.holder \
                          THEN job_lease.term ELSE job_lease.term + 1 END \
                   WHERE job_lease.holder = excluded.holder OR job_lease.expires_ms < $4 \
                   RETURNING term";
        let term = with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(LEASE)
            .bind(&self.holder)
            .bind(expires)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let was = held.map(|(_, t)| t);
        *held = term.map(|t| (asked + self.ttl / 2, t));
        match (was, term) {
            (None, Some(t)) => {
                tracing::info!(holder = %self.holder, term = t, "running the background jobs")
            }
            (Some(_), None) => {
                tracing::warn!(holder = %self.holder, "another instance runs the background jobs now")
            }
            _ => {}
        }
        Ok(term.is_some())
    }

    /// The term this instance holds, if it may start a job now.
    pub fn held_term(&self) -> Option<i64> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.filter(|(until, _)| Instant::now() < *until)
            .map(|(_, term)| term)
    }

    pub fn is_held(&self) -> bool {
        self.held_term().is_some()
    }

    /// Gives the lease up (clean shutdown): another instance takes over at its next try.
    pub async fn release(&self) {
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let sql = "UPDATE job_lease SET expires_ms = 0 WHERE name = $1 AND holder = $2";
        let result = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(LEASE)
            .bind(&self.holder)
            .execute(pool)
            .await
            .map(|_| ()));
        if let Err(e) = result {
            tracing::warn!(error = %e, "releasing the job lease failed");
        }
    }

    /// Runs `job` when this instance holds the lease, recording the run; `None` otherwise.
    pub async fn run<T>(
        &self,
        job: &'static str,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let term = self.held_term()?;
        let id = self.record_start(job, term).await;
        let out = work.await;
        if let Some(id) = id {
            let sql = "UPDATE job_runs SET finished_ms = $1 WHERE id = $2";
            let result = with_pool!(&self.db, |pool| sqlx::query(sql)
                .bind(self.now_ms())
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ()));
            if let Err(e) = result {
                tracing::warn!(job, error = %e, "recording the end of a job run failed");
            }
        }
        Some(out)
    }

    async fn record_start(&self, job: &str, term: i64) -> Option<i64> {
        let sql = "INSERT INTO job_runs (job, holder, term, started_ms) VALUES ($1, $2, $3, $4) \
                   RETURNING id";
        let result = with_pool!(&self.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(job)
            .bind(&self.holder)
            .bind(term)
            .bind(self.now_ms())
            .fetch_one(pool)
            .await);
        match result {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::warn!(job, error = %e, "recording a job run failed");
                None
            }
        }
    }

    async fn prune_runs(&self) {
        let sql = "DELETE FROM job_runs WHERE started_ms < $1";
        let result = with_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(self.now_ms() - RUNS_KEPT_MS)
            .execute(pool)
            .await
            .map(|_| ()));
        if let Err(e) = result {
            tracing::warn!(error = %e, "pruning job runs failed");
        }
    }
}

/// Keeps trying to take (or renew) the lease every quarter of its lifetime; releases it on
/// shutdown.
pub async fn keep(lease: std::sync::Arc<JobLease>, mut shutdown: watch::Receiver<bool>) {
    let every = lease.ttl / 4;
    let mut renewals: u64 = 0;
    loop {
        match lease.acquire().await {
            Ok(true) => {
                renewals += 1;
                if renewals % 100 == 1 {
                    lease.prune_runs().await;
                }
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "job lease: database unreachable"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
    lease.release().await;
}

impl JobLease {
    /// Runs `work` every `interval` while this instance holds the lease, until shutdown. Each
    /// run is recorded (`job_runs`, the `job_runs_total` metric); a success is handed to `done`,
    /// a failure is logged and the job tries again at its next tick.
    pub async fn every<T, E, Fut>(
        &self,
        job: &'static str,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
        mut work: impl FnMut() -> Fut,
        mut done: impl FnMut(T),
    ) where
        Fut: std::future::Future<Output = Result<T, E>>,
        E: std::fmt::Display,
    {
        loop {
            if !wait_until_held(self, &mut shutdown).await {
                return;
            }
            // `None`: the lease slipped away just now; wait for it again.
            let Some(result) = self.run(job, work()).await else {
                continue;
            };
            crate::metrics::job_run(job, result.is_ok());
            match result {
                Ok(out) => done(out),
                Err(e) => tracing::error!(job, error = %e, "background job failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// Waits until this instance may run jobs (or shutdown): jobs start as soon as the lease is
/// first taken rather than at their next tick.
pub async fn wait_until_held(lease: &JobLease, shutdown: &mut watch::Receiver<bool>) -> bool {
    loop {
        if lease.is_held() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = shutdown.changed() => return false,
        }
    }
}
