//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::i18n::*;
use crate::shop::{DisputeState, OrderStatus, PayMethod};

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

pub fn dispute_label(locale: Locale, state: DisputeState) -> &'static str {
    match state {
        DisputeState::Open => td_string!(locale, store.dispute_open),
        DisputeState::Won => td_string!(locale, store.dispute_won),
        DisputeState::Lost => td_string!(locale, store.dispute_lost),
    }
}
