//! Store pages: the catalog with checkout, order history, receipts, and the administration.

mod admin;
mod catalog;
mod orders;

pub use admin::StoreAdminPage;
pub use catalog::StorePage;
pub use orders::{OrdersPage, ReceiptPage};

use super::{OrderStatus, PayMethod};
use crate::i18n::*;

pub fn status_label(locale: Locale, status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => td_string!(locale, store.status_pending),
        OrderStatus::Paid => td_string!(locale, store.status_paid),
        OrderStatus::Cancelled => td_string!(locale, store.status_cancelled),
        OrderStatus::Refunded => td_string!(locale, store.status_refunded),
    }
}

pub fn method_label(locale: Locale, method: PayMethod) -> &'static str {
    match method {
        PayMethod::Card => td_string!(locale, store.method_card),
        PayMethod::Transfer => td_string!(locale, store.method_transfer),
    }
}

/// `26/11/2027` in Costa Rica.
pub fn cr_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&crate::domain::COSTA_RICA)
        .format("%d/%m/%Y")
        .to_string()
}
