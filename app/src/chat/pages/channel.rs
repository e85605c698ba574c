//! How the agent console marks a conversation's channel, and the 24-hour reply window of
//! WhatsApp / Messenger / Instagram conversations.

pub use crate::chat::labels::channel_label;
use crate::domain::channel::Channel;
use crate::domain::COSTA_RICA;
use crate::i18n::*;
use crate::tickets::pages::use_clock;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A small coloured tag with the channel's name (the colour tells them apart at a glance).
#[component]
pub fn ChannelBadge(channel: Channel) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="channel-badge" data-channel=channel.as_str() data-testid="channel">
            {move || channel_label(i18n.get_locale(), channel)}
        </span>
    }
}

fn remaining(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (until - now).num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// "Replies possible until 14:32 (3 h 10 min left)", or why they are not.
#[component]
pub fn ReplyWindow(closes_at: Signal<Option<DateTime<Utc>>>) -> impl IntoView {
    let i18n = use_i18n();
    let clock = use_clock();
    move || {
        let l = i18n.get_locale();
        let now = clock.get();
        match closes_at.get() {
            Some(until) if now < until => {
                let at = until.with_timezone(&COSTA_RICA).format("%d/%m %H:%M").to_string();
                let text = format!(
                    "{} {at} ({} {})",
                    td_string!(l, chat.window_open_until),
                    remaining(until, now),
                    td_string!(l, chat.window_left)
                );
                view! { <p class="notice window-open" data-testid="reply-window" data-open="true">{text}</p> }.into_any()
            }
            _ => view! {
                <p class="notice warn" data-testid="reply-window" data-open="false">{td_string!(l, chat.window_closed).to_string()}</p>
            }.into_any(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn remaining_time_reads_in_hours_and_minutes() {
        let now = Utc::now();
        assert_eq!(remaining(now + Duration::minutes(190), now), "3 h 10 min");
        assert_eq!(remaining(now + Duration::minutes(120), now), "2 h");
        assert_eq!(remaining(now + Duration::minutes(5), now), "5 min");
        assert_eq!(remaining(now - Duration::minutes(5), now), "0 min");
    }
}
