//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::domain::change::{ChangeEventKind, ChangeStatus, Risk};
use crate::i18n::*;

pub fn status_label(locale: Locale, status: ChangeStatus) -> &'static str {
    match status {
        ChangeStatus::Submitted => td_string!(locale, changes.status_submitted),
        ChangeStatus::Estimated => td_string!(locale, changes.status_estimated),
        ChangeStatus::Approved => td_string!(locale, changes.status_approved),
        ChangeStatus::InProgress => td_string!(locale, changes.status_in_progress),
        ChangeStatus::Done => td_string!(locale, changes.status_done),
        ChangeStatus::Rejected => td_string!(locale, changes.status_rejected),
        ChangeStatus::Declined => td_string!(locale, changes.status_declined),
    }
}

pub fn risk_label(locale: Locale, risk: Risk) -> &'static str {
    match risk {
        Risk::Low => td_string!(locale, changes.risk_low),
        Risk::Medium => td_string!(locale, changes.risk_medium),
        Risk::High => td_string!(locale, changes.risk_high),
    }
}

pub fn event_label(locale: Locale, kind: ChangeEventKind) -> &'static str {
    match kind {
        ChangeEventKind::Submitted => td_string!(locale, changes.event_submitted),
        ChangeEventKind::Estimated => td_string!(locale, changes.event_estimated),
        ChangeEventKind::Rejected => td_string!(locale, changes.event_rejected),
        ChangeEventKind::Approved => td_string!(locale, changes.event_approved),
        ChangeEventKind::Declined => td_string!(locale, changes.event_declined),
        ChangeEventKind::Work => td_string!(locale, changes.event_work),
        ChangeEventKind::Done => td_string!(locale, changes.event_done),
        ChangeEventKind::Reopened => td_string!(locale, changes.event_reopened),
    }
}
