//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::hours::EntryKind;
use crate::i18n::*;

pub fn entry_label(locale: Locale, kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Purchase => td_string!(locale, hours.kind_purchase),
        EntryKind::Debit => td_string!(locale, hours.kind_debit),
        EntryKind::Expiry => td_string!(locale, hours.kind_expiry),
        EntryKind::Adjustment => td_string!(locale, hours.kind_adjustment),
        EntryKind::Refund => td_string!(locale, hours.kind_refund),
    }
}
