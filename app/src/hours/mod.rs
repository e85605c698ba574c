//! The hour bank: prepaid hours per organisation, kept as an append-only ledger. Wire types
//! shared by the browser and the server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
pub mod labels;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
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

/// A purchase (or an admin's credit) and what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotView {
    pub lot_id: i64,
    pub kind: EntryKind,
    pub order_id: Option<i64>,
    pub minutes: i64,
    pub remaining_minutes: i64,
    pub credited_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    /// Hours left that expire within 30 days.
    pub expiring_soon: bool,
}

/// An organisation's hour bank as its customers (and staff) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursView {
    pub org_id: i64,
    pub org_name: String,
    pub balance_minutes: i64,
    /// Under 20 % of the hours bought in the purchases still valid.
    pub low: bool,
    pub lots: Vec<LotView>,
    pub entries: Vec<LedgerEntry>,
    /// Admins may adjust the balance.
    pub can_adjust: bool,
    /// Staff: the organisations to choose from.
    pub orgs: Vec<(i64, String)>,
}
