//! The store: hour packages for change requests, orders paid by card (Stripe Checkout) or by
//! bank transfer / SINPE Móvil, receipts and refunds. Wire types shared by the browser and the
//! server.

pub mod api;
#[cfg(feature = "ssr")]
pub mod command;
#[cfg(feature = "ssr")]
pub mod gateway;
pub mod labels;
pub mod pages;
pub mod reversal;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::codes::text_enum;
use crate::domain::hours::Package;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// How an order is paid.
    PayMethod { Card => "card", Transfer => "transfer" }
);

text_enum!(
    /// An order waits for its payment, is paid (hours credited), was cancelled unpaid, or was
    /// refunded (its unspent hours taken back).
    OrderStatus { Pending => "pending", Paid => "paid", Cancelled => "cancelled", Refunded => "refunded" }
);

text_enum!(
    /// A card dispute (chargeback) the customer's bank opened: open while it holds the money,
    /// then won (money and hours back) or lost.
    DisputeState { Open => "open", Won => "won", Lost => "lost" }
);

text_enum!(
    /// Who may buy hours for an organisation.
    PurchasePolicy { Any => "any", Buyers => "buyers" }
);

/// An order, as its buyer, the organisation and admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: i64,
    /// Printed on receipts and quoted on bank transfers, e.g. `SC-00012`.
    pub reference: String,
    pub org_id: i64,
    pub org_name: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub package_code: String,
    pub package_name: String,
    pub hours: u32,
    pub price_cents: i64,
    pub validity_months: u32,
    pub method: PayMethod,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// When the purchased hours expire (paid orders).
    pub expires_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub refunded_minutes: Option<i64>,
    /// What Stripe reports as given back in all (refunds made in its dashboard), in cents.
    #[serde(default)]
    pub refunded_cents: i64,
    /// A dispute over the card payment, if the customer's bank opened one.
    #[serde(default)]
    pub dispute: Option<DisputeState>,
    /// Purchased minutes a refund or dispute could not take back because they were already
    /// spent, for staff; never sent to customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall_minutes: Option<i64>,
    /// A payment that did not match the order (amount or currency), as staff see it; never
    /// sent to customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_problem: Option<String>,
}

/// The account customers pay transfers and SINPE Móvil into, as the admin keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferAccount {
    pub bank: String,
    pub holder: String,
    /// Costa Rican IBAN, compact (`CR05015202001026284066`).
    pub iban: String,
    /// SINPE Móvil number, `6303-6361`.
    pub sinpe: Option<String>,
}

impl TransferAccount {
    /// The IBAN in groups of four, as banks print it: `CR05 0152 0200 1026 2840 66`.
    pub fn iban_grouped(&self) -> String {
        self.iban
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Everything the store page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorePage {
    pub packages: Vec<Package>,
    /// Stripe is configured: card payment is offered.
    pub card_enabled: bool,
    /// The caller may buy for their organisation (customers, per the organisation's policy).
    pub can_buy: bool,
    /// The caller is a customer whose organisation lets only designated buyers purchase.
    pub buyers_only: bool,
    pub transfer_instructions: String,
    pub transfer_account: Option<TransferAccount>,
}

/// A receipt: the order and how to pay it while pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub order: Order,
    pub transfer_instructions: String,
    pub transfer_account: Option<TransferAccount>,
    /// Admins may confirm a pending transfer, refund a paid order.
    pub can_manage: bool,
    /// Minutes of this purchase still unspent (paid orders).
    pub unspent_minutes: Option<i64>,
}

/// An organisation's purchase setting and its customers, for admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPurchase {
    pub org_id: i64,
    pub org_name: String,
    pub policy: PurchasePolicy,
    /// (user id, name, designated buyer)
    pub customers: Vec<(i64, String, bool)>,
}

/// The store's administration page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreAdmin {
    pub packages: Vec<Package>,
    pub orders: Vec<Order>,
    pub transfer_instructions: String,
    pub transfer_account: Option<TransferAccount>,
    pub orgs: Vec<OrgPurchase>,
    pub card_enabled: bool,
}

/// What an order's creation answers: where to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order: Order,
    /// Stripe Checkout page, for card orders.
    pub checkout_url: Option<String>,
    /// Where to pay, for transfer orders.
    pub transfer_account: Option<TransferAccount>,
}

/// The default instructions for paying by transfer, until an admin writes the company's own.
pub const DEFAULT_TRANSFER_INSTRUCTIONS: &str =
    "Transfiera el monto exacto a la cuenta en dólares \
indicada, o páguelo por SINPE Móvil, e indique la referencia del pedido en el detalle. Acreditamos \
las horas en cuanto confirmamos el pago (normalmente el mismo día hábil).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_print_in_groups_of_four() {
        let account = TransferAccount {
            bank: "Banco Nacional".into(),
            holder: "Any2cloud S.A.".into(),
            iban: "CR05015202001026284066".into(),
            sinpe: None,
        };
        assert_eq!(account.iban_grouped(), "CR05 0152 0200 1026 2840 66");
    }
}
