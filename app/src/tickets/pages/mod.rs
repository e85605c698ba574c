//! Ticket pages: list / agent queue, new ticket with live deadline preview, ticket detail.

mod admin;
mod countdown;
mod detail;
mod list;
mod new;

pub use admin::{CalendarPage, ReportPage};
pub use countdown::{format_date, format_due, month_name, provide_clock, use_clock, SlaBadge};
pub use detail::TicketDetailPage;
pub use list::TicketsPage;
pub use new::NewTicketPage;

pub use crate::tickets::labels::{kind_label, status_label};
