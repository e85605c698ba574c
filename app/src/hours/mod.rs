//! The hour bank: prepaid hours per organisation, kept as an append-only ledger. Wire types
//! shared by the browser and the server.

#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What a ledger entry records. Purchases and positive adjustments add minutes; the rest draw
/// from one purchase (`lot_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Purchase,
    Debit,
    Expiry,
    Adjustment,
    Refund,
}

impl EntryKind {
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Purchase,
        EntryKind::Debit,
        EntryKind::Expiry,
        EntryKind::Adjustment,
        EntryKind::Refund,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Purchase => "purchase",
            EntryKind::Debit => "debit",
            EntryKind::Expiry => "expiry",
            EntryKind::Adjustment => "adjustment",
            EntryKind::Refund => "refund",
        }
    }
}

impl FromStr for EntryKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        EntryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

/// One line of an organisation's hour ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: EntryKind,
    /// Positive for credits, negative for debits, expiries and refunds.
    pub minutes: i64,
    /// The purchase this entry draws from (debits, expiries, refunds, negative adjustments).
    pub lot_id: Option<i64>,
    /// Purchases only.
    pub expires_at: Option<DateTime<Utc>>,
    pub order_id: Option<i64>,
    pub change_request_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}
