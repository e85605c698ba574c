//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::i18n::*;
use crate::kb::{ArticleStatus, Visibility};

pub fn status_label(locale: Locale, status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => td_string!(locale, kb.status_draft),
        ArticleStatus::Published => td_string!(locale, kb.status_published),
        ArticleStatus::Archived => td_string!(locale, kb.status_archived),
    }
}

pub fn visibility_label(locale: Locale, v: Visibility) -> &'static str {
    match v {
        Visibility::Public => td_string!(locale, kb.visibility_public),
        Visibility::Customers => td_string!(locale, kb.visibility_customers),
        Visibility::Internal => td_string!(locale, kb.visibility_internal),
    }
}
