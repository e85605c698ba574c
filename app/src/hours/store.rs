//! Storage interface for the hour ledger. Every change to one organisation's hours runs in a
//! transaction that first takes that organisation's bank row, so concurrent debits queue up and
//! the balance can never go below zero.

use super::{EntryKind, LedgerEntry};
use crate::domain::change::WorkRefusal;
use crate::domain::hours::Lot;
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A debit against the bank: work logged on a change request, or an admin's negative
/// adjustment.
pub struct NewDebit<'a> {
    pub org_id: i64,
    /// `Debit` or `Adjustment`.
    pub kind: EntryKind,
    pub minutes: i64,
    pub change_request_id: Option<i64>,
    /// The most the change request may have debited in all, this debit included.
    pub cap: Option<i64>,
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
    /// Credits minutes from an admin's adjustment (a lot of its own, valid until `expires_at`).
    async fn credit_adjustment(
        &self,
        org_id: i64,
        minutes: i64,
        expires_at: DateTime<Utc>,
        note: &str,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// What is left of every purchase, expired or not.
    async fn lots(&self, org_id: i64) -> StoreResult<Vec<Lot>>;
    /// Takes `minutes` from the purchases expiring first, all or nothing. The inner error says
    /// why not: the bank cannot cover it, or the change request's cap would be passed.
    async fn debit(&self, debit: NewDebit<'_>)
        -> StoreResult<Result<Vec<(i64, i64)>, WorkRefusal>>;
    /// Minutes debited so far for a change request.
    async fn used_by_change(&self, change_request_id: i64) -> StoreResult<i64>;
    /// Writes off what is left of every purchase expired at `now`; returns how many lots.
    async fn expire_due(&self, now: DateTime<Utc>) -> StoreResult<usize>;
    /// The organisation's ledger, newest first.
    async fn entries(&self, org_id: i64) -> StoreResult<Vec<LedgerEntry>>;
    /// The organisation's customers who can sign in: (name, email), for hour warnings.
    async fn org_contacts(&self, org_id: i64) -> StoreResult<Vec<(String, String)>>;
    /// Organisations that ever had hours.
    async fn orgs_with_hours(&self) -> StoreResult<Vec<i64>>;
    /// Records that a warning went out; false when it already had (each is sent once).
    async fn claim_notice(
        &self,
        org_id: i64,
        kind: &str,
        ref_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}
