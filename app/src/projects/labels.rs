//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::domain::project::{Health, ItemState, ProjectStatus};
use crate::i18n::*;

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

pub fn health_label(locale: Locale, health: Health) -> &'static str {
    match health {
        Health::OnTrack => td_string!(locale, projects.health_on_track),
        Health::AtRisk => td_string!(locale, projects.health_at_risk),
        Health::Late => td_string!(locale, projects.health_late),
    }
}
