//! Storage interface for the store. Paying an order, crediting its hours and recording the
//! payment event happen in one transaction under the organisation's hour-bank lock.

use super::{DisputeState, Order, OrderStatus, PayMethod, PurchasePolicy};
use crate::domain::hours::Package;
use crate::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct NewOrder<'a> {
    pub org_id: i64,
    pub buyer_id: i64,
    pub package: &'a Package,
    pub method: PayMethod,
    pub now: DateTime<Utc>,
}

/// The Stripe event a card payment arrived in, recorded with it so a second delivery changes
/// nothing; its payment intent links later refunds and disputes to the order.
#[derive(Debug, Clone, Copy)]
pub struct CardPayment<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub payment_intent: Option<&'a str>,
}

/// How Stripe reports money of a card payment going back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReversalChange {
    /// A refund: Stripe's running total of what was given back (`amount_refunded`).
    Refunded { total_cents: i64 },
    /// A dispute opened or closed: what it holds now (0 once won) and its state.
    Disputed {
        held_cents: i64,
        state: DisputeState,
    },
}

/// A verified refund or dispute event for the card payment `payment_intent`.
#[derive(Debug, Clone, Copy)]
pub struct Reversal<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub payment_intent: &'a str,
    pub change: ReversalChange,
    pub now: DateTime<Utc>,
}

/// What a reversal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reversed {
    /// Applied to the order: `ledger_minutes` left the bank (negative) or came back
    /// (positive); `shortfall_minutes` is what is now owed in all; `refunded` says whether all
    /// of the payment is gone back.
    Applied {
        order_id: i64,
        ledger_minutes: i64,
        shortfall_minutes: i64,
        refunded: bool,
    },
    /// This event was handled before: nothing changed.
    Duplicate,
    /// The event says nothing new (an older refund total arriving late).
    Unchanged,
    /// No order was paid with that payment intent.
    UnknownPayment,
    /// The order is not paid (or refunded) by card: nothing to reverse.
    NotPaid(OrderStatus),
}

/// What paying an order did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    /// The order is now paid; its hours are the ledger lot `lot_id`.
    Credited {
        lot_id: i64,
    },
    /// This payment event was handled before: nothing changed.
    Duplicate,
    /// The order was not waiting for a payment (already paid, cancelled, refunded).
    NotPending(OrderStatus),
    NotFound,
}

/// What a refund did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    /// The unspent minutes taken back.
    Done {
        minutes: i64,
    },
    NotPaid(OrderStatus),
    NotFound,
}

#[async_trait]
pub trait ShopStore: Send + Sync {
    /// The catalog in display order; inactive packages only when asked.
    async fn packages(&self, include_inactive: bool) -> StoreResult<Vec<Package>>;
    /// Adds the packages that are missing (first start); edits nothing.
    async fn seed_packages(&self, packages: &[Package], now: DateTime<Utc>) -> StoreResult<()>;
    async fn save_package(&self, package: &Package, now: DateTime<Utc>) -> StoreResult<()>;

    async fn transfer_instructions(&self) -> StoreResult<Option<String>>;
    async fn set_transfer_instructions(&self, text: &str, now: DateTime<Utc>) -> StoreResult<()>;
    async fn transfer_account(&self) -> StoreResult<Option<super::TransferAccount>>;
    async fn set_transfer_account(
        &self,
        account: &super::TransferAccount,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    async fn policy(&self, org_id: i64) -> StoreResult<PurchasePolicy>;
    async fn set_policy(&self, org_id: i64, policy: PurchasePolicy) -> StoreResult<()>;
    async fn is_buyer(&self, user_id: i64) -> StoreResult<bool>;
    /// Marks which of the organisation's customers are designated buyers.
    async fn set_buyers(&self, org_id: i64, buyers: &[i64]) -> StoreResult<()>;
    /// Every organisation's policy with its customers (id, name, buyer).
    async fn org_purchases(&self) -> StoreResult<Vec<super::OrgPurchase>>;

    async fn create_order(&self, order: NewOrder<'_>) -> StoreResult<Order>;
    async fn set_checkout_session(&self, order_id: i64, session_id: &str) -> StoreResult<()>;
    async fn order(&self, id: i64) -> StoreResult<Option<Order>>;
    /// Newest first; one organisation's or everyone's.
    async fn orders(&self, org_id: Option<i64>, limit: i64) -> StoreResult<Vec<Order>>;
    async fn cancel_order(&self, id: i64) -> StoreResult<bool>;
    /// The Stripe Checkout Session opened for the order, if any.
    async fn checkout_session(&self, order_id: i64) -> StoreResult<Option<String>>;

    /// Pays a pending order and credits its hours. With `event_id` (a Stripe event), the event
    /// is recorded in the same transaction and a second delivery changes nothing.
    async fn pay_order(
        &self,
        order_id: i64,
        event: Option<CardPayment<'_>>,
        confirmed_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<Payment>;
    /// Records a payment event that concerns no order; false when it was seen before.
    async fn record_event(
        &self,
        event_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Takes back the unspent minutes of a paid order and marks it refunded.
    async fn refund_order(
        &self,
        order_id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Refund>;
    /// Applies a refund or dispute Stripe reported for a card payment, once per event: the
    /// share of the purchase reversed leaves the bank (never below what is unspent; the rest
    /// is a shortfall) or, for a dispute won, comes back. Under the hour-bank lock.
    async fn reverse_payment(&self, reversal: Reversal<'_>) -> StoreResult<Reversed>;
    /// Records what went wrong with the order's payment, for staff.
    async fn note_payment_problem(&self, order_id: i64, problem: &str) -> StoreResult<()>;
    /// Minutes still unspent of a paid order's purchase.
    async fn unspent(&self, order_id: i64) -> StoreResult<Option<i64>>;
}
