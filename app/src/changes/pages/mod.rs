//! Change request pages: the list with the request form (customers), and one request with its
//! estimate, approval, work log, history and the actions the caller may take.

mod detail;
mod list;

pub use detail::ChangeDetailPage;
pub use list::{ChangeTable, ChangesPage};

pub use crate::changes::labels::{event_label, risk_label, status_label};
