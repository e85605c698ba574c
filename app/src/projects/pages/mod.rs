//! Project pages: the list with health at a glance, and the project with its Gantt chart.

mod detail;
mod editor;
pub mod gantt;
mod list;

pub use detail::ProjectDetailPage;
pub use list::ProjectsPage;

use crate::domain::project::{Health, ItemKind, ItemState, PlanItem, ProjectStatus};
use crate::i18n::*;
use chrono::NaiveDate;

/// `05/03/2026`.
pub fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

pub fn status_label(locale: Locale, status: ProjectStatus) -> &'static str {
    match status {
        ProjectStatus::Planned => td_string!(locale, projects.status_planned),
        ProjectStatus::Active => td_string!(locale, projects.status_active),
        ProjectStatus::Paused => td_string!(locale, projects.status_paused),
        ProjectStatus::Closed => td_string!(locale, projects.status_closed),
    }
}

pub fn state_label(locale: Locale, state: ItemState) -> &'static str {
    match state {
        ItemState::Pending => td_string!(locale, projects.state_pending),
        ItemState::InProgress => td_string!(locale, projects.state_in_progress),
        ItemState::Blocked => td_string!(locale, projects.state_blocked),
        ItemState::Done => td_string!(locale, projects.state_done),
    }
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

pub fn health_label(locale: Locale, health: Health) -> &'static str {
    match health {
        Health::OnTrack => td_string!(locale, projects.health_on_track),
        Health::AtRisk => td_string!(locale, projects.health_at_risk),
        Health::Late => td_string!(locale, projects.health_late),
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
