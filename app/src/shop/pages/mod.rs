//! Store pages: the catalog with checkout, order history, receipts, and the administration.

mod admin;
mod catalog;
mod orders;

pub use admin::StoreAdminPage;
pub use catalog::StorePage;
pub use orders::{OrdersPage, ReceiptPage};

pub use crate::shop::labels::{dispute_label, method_label, status_label};

/// `26/11/2027` in Costa Rica.
pub fn cr_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&crate::domain::COSTA_RICA)
        .format("%d/%m/%Y")
        .to_string()
}
