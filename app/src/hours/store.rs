//! Storage interface for the hour ledger. Every change to one organisation's hours runs in a
//! transaction that first takes that organisation's bank row, so concurrent debits queue up and
//! the balance can never go below zero.

use super::LedgerEntry;
use crate::accounts::store::StoreResult;
use crate::domain::hours::{Lot, Shortfall};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A debit against the bank (work logged on a change request).
pub struct NewDebit<'a> {
    pub org_id: i64,
    pub minutes: i64,
    pub change_request_id: Option<i64>,
    pub note: &'a str,
    pub actor_id: Option<i64>,
    pub now: DateTime<Utc>,
}

#[async_trait]
pub trait HourStore: Send + Sync {
    /// Adds a purchase of `minutes` valid until `expires_at`; returns its ledger id (the lot).
    async fn credit_purchase(
        &self,
        org_id: i64,
        minutes: i64,
        expires_at: DateTime<Utc>,
        order_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// What is left of every purchase, expired or not.
    async fn lots(&self, org_id: i64) -> StoreResult<Vec<Lot>>;
    /// Takes `minutes` from the purchases expiring first, all or nothing. The inner error says
    /// how much was available when the bank could not cover it.
    async fn debit(&self, debit: NewDebit<'_>) -> StoreResult<Result<Vec<(i64, i64)>, Shortfall>>;
    /// Writes off what is left of every purchase expired at `now`; returns how many lots.
    async fn expire_due(&self, now: DateTime<Utc>) -> StoreResult<usize>;
    /// The organisation's ledger, newest first.
    async fn entries(&self, org_id: i64) -> StoreResult<Vec<LedgerEntry>>;
}
