//! Knowledge-base pages: reading (`/kb`…) and editing (`/editor/…`).

mod categories;
mod editor;
mod feedback;
mod history;
mod reader;
mod search;
mod suggestions;

pub use categories::KbCategoriesPage;
pub use editor::{KbDashboardPage, KbEditPage, KbNewPage};
pub use history::KbHistoryPage;
pub use reader::{KbArticlePage, KbCategoryPage, KbHomePage};
pub use search::{debounced, KbSearchPage, SearchBox};
pub use suggestions::TicketSuggestions;

use crate::i18n::Locale;
use crate::kb::{ArticleLang, ArticleSummary};

/// Readers see articles in their interface language first.
pub fn reader_lang(locale: Locale) -> ArticleLang {
    match locale {
        Locale::en => ArticleLang::En,
        Locale::es => ArticleLang::Es,
    }
}

pub fn category_name(a: &ArticleSummary, english: bool) -> String {
    if english {
        a.category_en.clone()
    } else {
        a.category_es.clone()
    }
}
