//! `HourStore` for SQLite and PostgreSQL. Each change first bumps the organisation's
//! `hour_banks` row: on PostgreSQL that row lock queues concurrent changes; on SQLite the write
//! takes the database's write lock before anything is read. Reads inside the transaction then
//! see every earlier debit, so the balance never goes below zero. Every statement over the
//! `hour_ledger` lives here; orders and change requests use the ones they need.

use super::{store_err, with_pool, Db};
use app::domain::change::WorkRefusal;
use app::domain::hours::{allocate, Lot};
use app::hours::store::{HourStore, NewDebit};
use app::hours::{EntryKind, LedgerEntry};
use app::kernel::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub(super) const LOCK_BANK: &str = "INSERT INTO hour_banks (org_id, version) VALUES ($1, 1) \
     ON CONFLICT (org_id) DO UPDATE SET version = hour_banks.version + 1";

pub(super) const LOTS: &str = "SELECT p.id, p.expires_at, p.minutes, p.minutes + CAST(COALESCE((SELECT SUM(d.minutes) \
     FROM hour_ledger d WHERE d.lot_id = p.id), 0) AS BIGINT) AS remaining \
     FROM hour_ledger p WHERE p.org_id = $1 AND p.expires_at IS NOT NULL ORDER BY p.expires_at, p.id";

pub(super) const USED_BY_CHANGE: &str =
    "SELECT CAST(COALESCE(-SUM(minutes), 0) AS BIGINT) FROM hour_ledger \
     WHERE change_request_id = $1 AND kind = 'debit'";

pub(super) const INSERT_LOT: &str =
    "INSERT INTO hour_ledger (org_id, kind, minutes, expires_at, order_id, note, actor_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/// What is left of the lot an order bought.
pub(super) const LOT_REMAINING_OF_ORDER: &str =
    "SELECT CAST(p.minutes + COALESCE((SELECT SUM(d.minutes) \
     FROM hour_ledger d WHERE d.lot_id = p.id), 0) AS BIGINT) \
     FROM store_orders o JOIN hour_ledger p ON p.id = o.lot_id WHERE o.id = $1";

/// A refund takes what is left of an order's lot back out of the bank.
pub(super) const INSERT_REFUND: &str =
    "INSERT INTO hour_ledger (org_id, kind, minutes, lot_id, order_id, note, \
     actor_id, created_at) VALUES ($1, 'refund', $2, $3, $4, $5, $6, $7)";

/// The minutes debited for a change request, as a column of a query over `change_requests c`.
pub(super) const USED_MINUTES_COLUMN: &str = "CAST(COALESCE((SELECT -SUM(l.minutes) \
     FROM hour_ledger l WHERE l.change_request_id = c.id AND l.kind = 'debit'), 0) AS BIGINT) \
     AS used_minutes";

pub(super) const INSERT_DRAW: &str =
    "INSERT INTO hour_ledger (org_id, kind, minutes, lot_id, change_request_id, note, \
     actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

#[derive(sqlx::FromRow)]
pub(super) struct LotRow {
    id: i64,
    expires_at: Option<DateTime<Utc>>,
    minutes: i64,
    remaining: i64,
}

pub(super) fn to_lots(rows: Vec<LotRow>) -> Vec<Lot> {
    rows.into_iter()
        .filter_map(|r| {
            r.expires_at.map(|expires_at| Lot {
                credit_id: r.id,
                minutes: r.minutes,
                remaining_minutes: r.remaining,
                expires_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    kind: String,
    minutes: i64,
    lot_id: Option<i64>,
    expires_at: Option<DateTime<Utc>>,
    order_id: Option<i64>,
    change_request_id: Option<i64>,
    note: String,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl HourStore for Db {
    async fn credit_purchase(
        &self,
        org_id: i64,
        minutes: i64,
        expires_at: DateTime<Utc>,
        order_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        self.credit_lot(
            EntryKind::Purchase,
            org_id,
            minutes,
            expires_at,
            order_id,
            "",
            None,
            now,
        )
        .await
    }

    async fn credit_adjustment(
        &self,
        org_id: i64,
        minutes: i64,
        expires_at: DateTime<Utc>,
        note: &str,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        self.credit_lot(
            EntryKind::Adjustment,
            org_id,
            minutes,
            expires_at,
            None,
            note,
            Some(actor_id),
            now,
        )
        .await
    }

    async fn lots(&self, org_id: i64) -> StoreResult<Vec<Lot>> {
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, LotRow>(LOTS)
            .bind(org_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(to_lots(rows))
    }

    async fn debit(&self, d: NewDebit<'_>) -> StoreResult<Result<Vec<(i64, i64)>, WorkRefusal>> {
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK_BANK)
                .bind(d.org_id)
                .execute(&mut *tx)
                .await?;
            if let (Some(cap), Some(change)) = (d.cap, d.change_request_id) {
                let used: i64 = sqlx::query_scalar(USED_BY_CHANGE)
                    .bind(change)
                    .fetch_one(&mut *tx)
                    .await?;
                if used + d.minutes > cap {
                    tx.rollback().await?;
                    let left = (cap - used).max(0);
                    return Ok::<_, sqlx::Error>(Err(WorkRefusal::OverEstimate { left }));
                }
            }
            let lots = to_lots(
                sqlx::query_as::<_, LotRow>(LOTS)
                    .bind(d.org_id)
                    .fetch_all(&mut *tx)
                    .await?,
            );
            let parts = match allocate(&lots, d.minutes, d.now) {
                Ok(parts) => parts,
                Err(short) => {
                    tx.rollback().await?;
                    return Ok(Err(WorkRefusal::Balance {
                        available: short.available,
                    }));
                }
            };
            for (lot, take) in &parts {
                sqlx::query(INSERT_DRAW)
                    .bind(d.org_id)
                    .bind(d.kind.as_str())
                    .bind(-take)
                    .bind(*lot)
                    .bind(d.change_request_id)
                    .bind(d.note)
                    .bind(d.actor_id)
                    .bind(d.now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(Ok(parts))
        }
        .await)
        .map_err(store_err)
    }

    async fn used_by_change(&self, change_request_id: i64) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar(USED_BY_CHANGE)
            .bind(change_request_id)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn expire_due(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        let orgs_sql =
            "SELECT DISTINCT org_id FROM hour_ledger WHERE expires_at IS NOT NULL ORDER BY org_id";
        let orgs: Vec<i64> = with_pool!(self, |pool| sqlx::query_scalar(orgs_sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        let mut expired = 0;
        for org_id in orgs {
            expired += with_pool!(self, |pool| async {
                let mut tx = pool.begin().await?;
                sqlx::query(LOCK_BANK)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
                let lots = to_lots(
                    sqlx::query_as::<_, LotRow>(LOTS)
                        .bind(org_id)
                        .fetch_all(&mut *tx)
                        .await?,
                );
                let mut count = 0usize;
                for lot in lots
                    .iter()
                    .filter(|l| l.remaining_minutes > 0 && l.expires_at <= now)
                {
                    sqlx::query(INSERT_DRAW)
                        .bind(org_id)
                        .bind(EntryKind::Expiry.as_str())
                        .bind(-lot.remaining_minutes)
                        .bind(lot.credit_id)
                        .bind(None::<i64>)
                        .bind("")
                        .bind(None::<i64>)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    count += 1;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(count)
            }
            .await)
            .map_err(store_err)?;
        }
        Ok(expired)
    }

    async fn entries(&self, org_id: i64) -> StoreResult<Vec<LedgerEntry>> {
        let sql = "SELECT id, kind, minutes, lot_id, expires_at, order_id, change_request_id, note, created_at \
                   FROM hour_ledger WHERE org_id = $1 ORDER BY id DESC";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, EntryRow>(sql)
            .bind(org_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(LedgerEntry {
                    kind: r
                        .kind
                        .parse()
                        .map_err(|_| StoreError::corrupt("ledger kind", r.kind.as_str()))?,
                    id: r.id,
                    minutes: r.minutes,
                    lot_id: r.lot_id,
                    expires_at: r.expires_at,
                    order_id: r.order_id,
                    change_request_id: r.change_request_id,
                    note: r.note,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn org_contacts(&self, org_id: i64) -> StoreResult<Vec<(String, String)>> {
        let sql = "SELECT name, email FROM users WHERE org_id = $1 AND role = 'customer' \
                   AND password_hash IS NOT NULL ORDER BY id";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(org_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)
    }

    async fn orgs_with_hours(&self) -> StoreResult<Vec<i64>> {
        let sql = "SELECT DISTINCT org_id FROM hour_ledger ORDER BY org_id";
        with_pool!(self, |pool| sqlx::query_scalar(sql).fetch_all(pool).await).map_err(store_err)
    }

    async fn claim_notice(
        &self,
        org_id: i64,
        kind: &str,
        ref_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql =
            "INSERT INTO hour_notices (org_id, kind, ref_id, sent_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT DO NOTHING";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(org_id)
            .bind(kind)
            .bind(ref_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(done == 1)
    }
}

impl Db {
    /// Adds a lot (a purchase or a positive adjustment) after taking the bank's lock.
    #[allow(clippy::too_many_arguments)]
    async fn credit_lot(
        &self,
        kind: EntryKind,
        org_id: i64,
        minutes: i64,
        expires_at: DateTime<Utc>,
        order_id: Option<i64>,
        note: &str,
        actor_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK_BANK)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let id = sqlx::query_scalar::<_, i64>(INSERT_LOT)
                .bind(org_id)
                .bind(kind.as_str())
                .bind(minutes)
                .bind(expires_at)
                .bind(order_id)
                .bind(note)
                .bind(actor_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }
}
