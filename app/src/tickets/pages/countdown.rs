//! The live SLA countdown: computed by the same engine in the server render and in the browser,
//! ticking every second without a round trip.

use crate::domain::sla::{clock_running, ticket_sla_state, Calendar, SlaState};
use crate::domain::{Priority, SupportPlan, COSTA_RICA};
use crate::i18n::*;
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use leptos::prelude::*;

/// The current time, one signal for the whole page, advanced every second in the browser.
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<DateTime<Utc>>);

pub fn provide_clock() {
    // The browser hydrates with the server's render instant, so the first client render matches
    // the HTML exactly; the first tick then moves to the browser's own clock.
    // Handed over as milliseconds, not as a date string: every page has this value, and parsing
    // a date would put chrono's parser in the WASM module every page downloads.
    let rendered_ms =
        leptos::server::SharedValue::new(|| Utc::now().timestamp_millis()).into_inner();
    let rendered_at = DateTime::from_timestamp_millis(rendered_ms).unwrap_or_else(Utc::now);
    let now = RwSignal::new(rendered_at);
    provide_context(Clock(now));
    // Effects run only in the browser: the server renders the instant of the request.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || now.set(Utc::now()),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}

pub fn use_clock() -> RwSignal<DateTime<Utc>> {
    use_context::<Clock>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(Utc::now()))
}

fn weekday_name(locale: Locale, day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => td_string!(locale, days.mon),
        Weekday::Tue => td_string!(locale, days.tue),
        Weekday::Wed => td_string!(locale, days.wed),
        Weekday::Thu => td_string!(locale, days.thu),
        Weekday::Fri => td_string!(locale, days.fri),
        Weekday::Sat => td_string!(locale, days.sat),
        Weekday::Sun => td_string!(locale, days.sun),
    }
}

pub fn month_name(locale: Locale, month: u32) -> &'static str {
    match month {
        1 => td_string!(locale, months.m1),
        2 => td_string!(locale, months.m2),
        3 => td_string!(locale, months.m3),
        4 => td_string!(locale, months.m4),
        5 => td_string!(locale, months.m5),
        6 => td_string!(locale, months.m6),
        7 => td_string!(locale, months.m7),
        8 => td_string!(locale, months.m8),
        9 => td_string!(locale, months.m9),
        10 => td_string!(locale, months.m10),
        11 => td_string!(locale, months.m11),
        _ => td_string!(locale, months.m12),
    }
}

/// "jueves 3 dic, 10:00" (Costa Rica time).
pub fn format_due(locale: Locale, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&COSTA_RICA);
    format!(
        "{} {} {}, {}",
        weekday_name(locale, local.weekday()),
        local.day(),
        month_name(locale, local.month()),
        local.format("%H:%M")
    )
}

/// "jueves 3 dic 2026".
pub fn format_date(locale: Locale, date: chrono::NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        weekday_name(locale, date.weekday()),
        date.day(),
        month_name(locale, date.month()),
        date.year()
    )
}

/// "3 h 12 min 05 s"
pub fn format_left(left: Duration) -> String {
    let secs = left.num_seconds().max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else {
        format!("{m} min {s:02} s")
    }
}

/// Countdown badge for a ticket's first response.
#[component]
pub fn SlaBadge(
    plan: SupportPlan,
    priority: Priority,
    due: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    /// Resolved or closed: the outcome is shown instead of a countdown.
    closed_at: Option<DateTime<Utc>>,
    calendar: StoredValue<Calendar>,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = use_clock();
    let status = move || {
        calendar.with_value(|cal| {
            ticket_sla_state(plan, priority, due, responded_at, closed_at, now.get(), cal)
        })
    };
    let running = move || calendar.with_value(|cal| clock_running(plan, now.get(), cal));
    view! {
        <span class="sla"
            class:on-track=move || status().0 == SlaState::OnTrack
            class:at-risk=move || status().0 == SlaState::AtRisk
            class:breached=move || status().0 == SlaState::Breached
            class:on-time=move || status().0 == SlaState::RespondedOnTime
            class:late=move || matches!(status().0, SlaState::RespondedLate | SlaState::ClosedLate)
            class:closed=move || status().0 == SlaState::ClosedInTime
            data-testid="sla" data-state=move || format!("{:?}", status().0)>
            {move || {
                let l = i18n.get_locale();
                let (state, left) = status();
                match state {
                    SlaState::RespondedOnTime | SlaState::RespondedLate => {
                        let label = if state == SlaState::RespondedOnTime {
                            td_string!(l, sla.on_time)
                        } else {
                            td_string!(l, sla.late)
                        };
                        match responded_at {
                            Some(at) => format!("{label} · {}", format_due(l, at)),
                            None => label.to_owned(),
                        }
                    }
                    SlaState::ClosedInTime => td_string!(l, sla.closed_in_time).to_owned(),
                    SlaState::ClosedLate => format!("{} · {}", td_string!(l, sla.closed_late), format_due(l, due)),
                    SlaState::Breached => format!("{} · {}", td_string!(l, sla.breached), format_due(l, due)),
                    _ if running() => format!("{} {}", td_string!(l, sla.left), format_left(left)),
                    _ => format!("{} {} ({})", td_string!(l, sla.left), format_left(left), td_string!(l, sla.paused)),
                }
            }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_spanish_due_dates_and_time_left() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 3, 16, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(format_due(Locale::es, at), "jueves 3 dic, 10:00");
        assert_eq!(format_due(Locale::en, at), "Thursday 3 Dec, 10:00");
        assert_eq!(
            format_left(Duration::seconds(3 * 3600 + 12 * 60 + 5)),
            "3 h 12 min 05 s"
        );
        assert_eq!(format_left(Duration::seconds(65)), "1 min 05 s");
    }
}
