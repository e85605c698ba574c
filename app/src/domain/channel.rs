//! Conversation channels (web chat, WhatsApp, Messenger, Instagram) and the rules that differ
//! between them: Meta's 24-hour customer-service window and outbound delivery states.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a conversation happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Web,
    Whatsapp,
    Messenger,
    Instagram,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Whatsapp => "whatsapp",
            Channel::Messenger => "messenger",
            Channel::Instagram => "instagram",
        }
    }

    /// Conversations carried by Meta's platforms: replies leave through the Graph API and only
    /// within the customer-service window.
    pub fn is_meta(self) -> bool {
        !matches!(self, Channel::Web)
    }
}

impl FromStr for Channel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "web" => Ok(Channel::Web),
            "whatsapp" => Ok(Channel::Whatsapp),
            "messenger" => Ok(Channel::Messenger),
            "instagram" => Ok(Channel::Instagram),
            _ => Err(()),
        }
    }
}

/// Hours after the customer's last message during which a business may answer freely.
pub const SERVICE_WINDOW_HOURS: i64 = 24;

/// When the window opened by the customer's last message closes.
pub fn window_closes_at(last_inbound: DateTime<Utc>) -> DateTime<Utc> {
    last_inbound + Duration::hours(SERVICE_WINDOW_HOURS)
}

/// Whether a reply may still be sent at `now`.
pub fn window_open(last_inbound: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < window_closes_at(last_inbound)
}

/// Where an agent's reply on a Meta channel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Stored, waiting for the Graph API to accept it.
    Queued,
    Sent,
    Delivered,
    Read,
    /// Refused by the platform or out of retries.
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
            Delivery::Failed => "failed",
        }
    }

    fn rank(self) -> u8 {
        match self {
            Delivery::Queued => 0,
            Delivery::Sent | Delivery::Failed => 1,
            Delivery::Delivered => 2,
            Delivery::Read => 3,
        }
    }

    /// The state after a status report arrives: webhooks come late and out of order, so a
    /// state only moves forward (a "sent" after "read" changes nothing), and a message that was
    /// delivered or read cannot fail any more.
    pub fn advance(current: Option<Delivery>, report: Delivery) -> Option<Delivery> {
        match current {
            None => Some(report),
            Some(Delivery::Failed) => None,
            Some(c) if report.rank() > c.rank() => Some(report),
            Some(Delivery::Queued) if report == Delivery::Failed => Some(report),
            Some(_) => None,
        }
    }
}

impl FromStr for Delivery {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "queued" => Ok(Delivery::Queued),
            "sent" => Ok(Delivery::Sent),
            "delivered" => Ok(Delivery::Delivered),
            "read" => Ok(Delivery::Read),
            "failed" => Ok(Delivery::Failed),
            _ => Err(()),
        }
    }
}

/// A phone number reduced to its digits (how WhatsApp names a contact: `50688887777`), or
/// `None` when it cannot be one (fewer than 8 or more than 15 digits, as E.164 allows).
pub fn phone_digits(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.is_empty()
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    (8..=15).contains(&digits.len()).then_some(digits)
}

/// How a WhatsApp number reads to people: Costa Rican numbers as `+506 8888 7777`, others
/// as `+` and the digits.
pub fn display_phone(digits: &str) -> String {
    match digits.strip_prefix("506") {
        Some(local) if local.len() == 8 => format!("+506 {} {}", &local[..4], &local[4..]),
        _ => format!("+{digits}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn channels_round_trip() {
        for c in [
            Channel::Web,
            Channel::Whatsapp,
            Channel::Messenger,
            Channel::Instagram,
        ] {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        assert!("sms".parse::<Channel>().is_err());
        assert!(!Channel::Web.is_meta());
        assert!(Channel::Instagram.is_meta());
    }

    #[test]
    fn the_window_closes_24_hours_after_the_last_customer_message() {
        let last = Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap();
        assert!(window_open(
            last,
            last + Duration::hours(23) + Duration::minutes(59)
        ));
        assert!(!window_open(last, last + Duration::hours(24)));
        assert_eq!(
            window_closes_at(last),
            Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap()
        );
    }

    #[test]
    fn delivery_only_moves_forward() {
        use Delivery::*;
        assert_eq!(Delivery::advance(Some(Queued), Sent), Some(Sent));
        assert_eq!(Delivery::advance(Some(Sent), Read), Some(Read));
        assert_eq!(Delivery::advance(Some(Read), Delivered), None);
        assert_eq!(Delivery::advance(Some(Read), Sent), None);
        assert_eq!(Delivery::advance(Some(Delivered), Failed), None);
        assert_eq!(Delivery::advance(Some(Queued), Failed), Some(Failed));
        assert_eq!(Delivery::advance(Some(Sent), Failed), None);
        assert_eq!(Delivery::advance(Some(Failed), Read), None);
        assert_eq!(Delivery::advance(None, Delivered), Some(Delivered));
        for d in [Queued, Sent, Delivered, Read, Failed] {
            assert_eq!(d.as_str().parse::<Delivery>(), Ok(d));
        }
    }

    #[test]
    fn phones() {
        assert_eq!(
            phone_digits("+506 8888-7777").as_deref(),
            Some("50688887777")
        );
        assert_eq!(
            phone_digits("(506) 6303 6361").as_deref(),
            Some("50663036361")
        );
        assert_eq!(phone_digits("8888"), None);
        assert_eq!(phone_digits("call me"), None);
        assert_eq!(phone_digits(""), None);
        assert_eq!(display_phone("50663036361"), "+506 6303 6361");
        assert_eq!(display_phone("14155550100"), "+14155550100");
    }
}
