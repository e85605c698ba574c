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

use crate::domain::{TicketKind, TicketStatus};
use crate::i18n::*;

pub fn status_label(locale: Locale, status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => td_string!(locale, status.new_status),
        TicketStatus::Open => td_string!(locale, status.open),
        TicketStatus::WaitingOnCustomer => td_string!(locale, status.waiting_on_customer),
        TicketStatus::Resolved => td_string!(locale, status.resolved),
        TicketStatus::Closed => td_string!(locale, status.closed),
    }
}

pub fn kind_label(locale: Locale, kind: TicketKind) -> &'static str {
    match kind {
        TicketKind::Incident => td_string!(locale, kind.incident),
        TicketKind::Request => td_string!(locale, kind.request),
        TicketKind::Maintenance => td_string!(locale, kind.maintenance),
        TicketKind::Implementation => td_string!(locale, kind.implementation),
        TicketKind::Development => td_string!(locale, kind.development),
        TicketKind::Question => td_string!(locale, kind.question),
    }
}
