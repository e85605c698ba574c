//! Project pages: the list with health at a glance, and the project with its Gantt chart.

mod detail;
mod editor;
pub mod gantt;
mod list;

pub use detail::ProjectDetailPage;
pub use list::ProjectsPage;

use crate::domain::project::{ItemKind, ItemState, PlanItem};
use crate::i18n::*;
pub use crate::projects::labels::{health_label, state_label, status_label};
use chrono::NaiveDate;

/// `05/03/2026`.
pub fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A milestone's state reads as met / missed; activities use their state.
pub fn item_state_text(locale: Locale, item: &PlanItem, today: NaiveDate) -> &'static str {
    match item.kind {
        ItemKind::Milestone if item.state == ItemState::Done => {
            td_string!(locale, projects.milestone_met)
        }
        ItemKind::Milestone if item.is_overdue(today) => {
            td_string!(locale, projects.milestone_missed)
        }
        _ => state_label(locale, item.state),
    }
}

/// "3 días de atraso" / "2 días de adelanto" / "según línea base".
pub fn deviation_text(locale: Locale, days: i64) -> String {
    match days {
        0 => td_string!(locale, projects.on_baseline).to_owned(),
        1 => td_string!(locale, projects.one_day_late).to_owned(),
        -1 => td_string!(locale, projects.one_day_early).to_owned(),
        d if d > 0 => format!("{d} {}", td_string!(locale, projects.days_late)),
        d => format!("{} {}", -d, td_string!(locale, projects.days_early)),
    }
}
