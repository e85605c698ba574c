//! How this capability's values read in each language (for pages, mail and exports alike).

use crate::domain::channel::{Channel, Delivery};
use crate::i18n::*;

pub fn delivery_label(l: Locale, d: Delivery) -> (&'static str, &'static str, &'static str) {
    match d {
        Delivery::Queued => ("receipt", "… ", td_string!(l, chat.delivery_queued)),
        Delivery::Sent => ("receipt", "✓ ", td_string!(l, chat.delivery_sent)),
        Delivery::Delivered => ("receipt", "✓✓ ", td_string!(l, chat.delivery_delivered)),
        Delivery::Read => ("receipt read", "✓✓ ", td_string!(l, chat.read)),
        Delivery::Failed => ("receipt failed", "⚠ ", td_string!(l, chat.delivery_failed)),
    }
}

pub fn channel_label(l: Locale, channel: Channel) -> &'static str {
    match channel {
        Channel::Web => td_string!(l, chat.channel_web),
        Channel::Whatsapp => td_string!(l, chat.channel_whatsapp),
        Channel::Messenger => td_string!(l, chat.channel_messenger),
        Channel::Instagram => td_string!(l, chat.channel_instagram),
    }
}
