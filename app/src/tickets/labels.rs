//! How this capability's values read in each language (for pages, mail and exports alike).

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
