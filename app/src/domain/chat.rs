//! Web chat rules: conversation and presence states, message limits, avatar initials,
//! canned-response shortcuts and fair assignment of waiting chats to agents.

use super::sla::{clock_running, next_opening, Calendar};
use super::SupportPlan;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;
/// Largest file a chat accepts (the same limit as ticket attachments).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Longest client-generated message id.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// An agent counts as connected while their console has checked in this recently.
pub const PRESENCE_TIMEOUT_SECONDS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// In the queue, no agent yet.
    Waiting,
    /// An agent accepted it.
    Active,
    Closed,
}

impl ChatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStatus::Waiting => "waiting",
            ChatStatus::Active => "active",
            ChatStatus::Closed => "closed",
        }
    }
}

impl FromStr for ChatStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "waiting" => Ok(ChatStatus::Waiting),
            "active" => Ok(ChatStatus::Active),
            "closed" => Ok(ChatStatus::Closed),
            _ => Err(()),
        }
    }
}

/// An agent's availability as they set it in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

impl Presence {
    pub const ALL: [Presence; 3] = [Presence::Online, Presence::Away, Presence::Offline];

    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }
}

impl FromStr for Presence {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "online" => Ok(Presence::Online),
            "away" => Ok(Presence::Away),
            "offline" => Ok(Presence::Offline),
            _ => Err(()),
        }
    }
}

/// When the chat offers live conversations (`PORTAL_CHAT_HOURS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatHours {
    /// The plan's business hours (Mon–Fri 08–17, Premium also Saturday; holidays excluded).
    Business,
    /// Whenever an agent is online (for teams that staff the chat around the clock).
    Always,
}

impl FromStr for ChatHours {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "business" => Ok(ChatHours::Business),
            "always" => Ok(ChatHours::Always),
            _ => Err(()),
        }
    }
}

/// Whether the chat is within its hours at `now`, and if not, when it opens next.
pub fn chat_hours(
    hours: ChatHours,
    plan: SupportPlan,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> (bool, Option<DateTime<Utc>>) {
    match hours {
        ChatHours::Always => (true, None),
        ChatHours::Business if clock_running(plan, now, calendar) => (true, None),
        ChatHours::Business => (false, Some(next_opening(plan, now, calendar))),
    }
}

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    Customer,
    Agent,
    /// Notices from the portal itself ("Ana joined", "ticket created").
    System,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::Customer => "customer",
            ChatRole::Agent => "agent",
            ChatRole::System => "system",
        }
    }
}

impl FromStr for ChatRole {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "customer" => Ok(ChatRole::Customer),
            "agent" => Ok(ChatRole::Agent),
            "system" => Ok(ChatRole::System),
            _ => Err(()),
        }
    }
}

/// Why a message body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    Empty,
    TooLong,
    /// U+0000, which no database stores as text.
    Nul,
}

/// The body as stored: trimmed, non-empty, at most [`MAX_MESSAGE_CHARS`] characters, no NUL.
pub fn clean_body(raw: &str) -> Result<&str, BodyProblem> {
    let body = raw.trim();
    if body.is_empty() {
        Err(BodyProblem::Empty)
    } else if body.chars().count() > MAX_MESSAGE_CHARS {
        Err(BodyProblem::TooLong)
    } else if body.contains('\0') {
        Err(BodyProblem::Nul)
    } else {
        Ok(body)
    }
}

/// A client id is optional; when given it must be short printable ASCII (UUIDs, counters).
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Avatar initials: first letters of the first and last words ("Ana María Solís" → "AS").
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = |w: &str| {
        w.chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
    };
    match (words.first(), words.last()) {
        (Some(a), Some(b)) if words.len() > 1 => {
            format!(
                "{}{}",
                first(a).unwrap_or_default(),
                first(b).unwrap_or_default()
            )
        }
        (Some(a), _) => first(a).unwrap_or_else(|| "?".into()),
        _ => "?".into(),
    }
}

/// Replaces a leading `/shortcut` with the canned response it names. `None` when the text does
/// not start with a known shortcut.
pub fn expand_shortcut<'a>(
    text: &str,
    canned: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    let rest = text.strip_prefix('/')?;
    let (word, tail) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    canned
        .into_iter()
        .find(|(shortcut, _)| shortcut.eq_ignore_ascii_case(word))
        .map(|(_, body)| format!("{body}{tail}"))
}

/// A shortcut: 1–30 lowercase letters, digits or dashes.
pub fn valid_shortcut(s: &str) -> bool {
    (1..=30).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What assignment needs to know about one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub agent_id: i64,
    pub presence: Presence,
    pub last_seen_at: DateTime<Utc>,
    pub active_chats: i64,
    pub max_chats: i64,
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl AgentLoad {
    /// Online, with a console that checked in recently.
    pub fn connected(&self, now: DateTime<Utc>) -> bool {
        self.presence == Presence::Online
            && (now - self.last_seen_at).num_seconds() <= PRESENCE_TIMEOUT_SECONDS
    }

    /// Connected and below their concurrent-chat limit.
    pub fn can_take(&self, now: DateTime<Utc>) -> bool {
        self.connected(now) && self.active_chats < self.max_chats
    }
}

/// Fair assignment: among agents who can take a chat, the one with the fewest active chats;
/// ties go to whoever was assigned longest ago (never assigned counts as longest).
pub fn pick_agent(agents: &[AgentLoad], now: DateTime<Utc>) -> Option<i64> {
    agents
        .iter()
        .filter(|a| a.can_take(now))
        .min_by_key(|a| (a.active_chats, a.last_assigned_at, a.agent_id))
        .map(|a| a.agent_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(clean_body("  hola \n"), Ok("hola"));
        assert_eq!(clean_body("   "), Err(BodyProblem::Empty));
        let long = "á".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(clean_body(&long), Err(BodyProblem::TooLong));
        let max = "á".repeat(MAX_MESSAGE_CHARS);
        assert!(clean_body(&max).is_ok());
        assert_eq!(clean_body("hola\0mundo"), Err(BodyProblem::Nul));
    }

    #[test]
    fn client_ids_are_short_ascii() {
        assert!(valid_client_id("c-1f2e_3.4"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("a b"));
        assert!(!valid_client_id(&"x".repeat(65)));
    }

    #[test]
    fn initials_use_first_and_last_word() {
        assert_eq!(initials("Ana María Solís"), "AS");
        assert_eq!(initials("andrés"), "A");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials("Ñandú Óscar"), "ÑÓ");
    }

    #[test]
    fn shortcuts_expand_and_keep_the_rest() {
        let canned = [
            ("saludo", "¡Hola! ¿En qué le ayudo?"),
            ("vpn", "Reinicie la VPN."),
        ];
        assert_eq!(
            expand_shortcut("/saludo", canned).as_deref(),
            Some("¡Hola! ¿En qué le ayudo?")
        );
        assert_eq!(
            expand_shortcut("/VPN y avíseme", canned).as_deref(),
            Some("Reinicie la VPN. y avíseme")
        );
        assert_eq!(expand_shortcut("/nada", canned), None);
        assert_eq!(expand_shortcut("saludo", canned), None);
        assert!(valid_shortcut("vpn-2"));
        assert!(!valid_shortcut("VPN"));
        assert!(!valid_shortcut(""));
    }

    fn agent(id: i64, active: i64, assigned_min_ago: Option<i64>, now: DateTime<Utc>) -> AgentLoad {
        AgentLoad {
            agent_id: id,
            presence: Presence::Online,
            last_seen_at: now,
            active_chats: active,
            max_chats: 3,
            last_assigned_at: assigned_min_ago.map(|m| now - Duration::minutes(m)),
        }
    }

    #[test]
    fn assignment_prefers_least_loaded_then_longest_idle() {
        let now = Utc::now();
        let agents = [
            agent(1, 2, Some(1), now),
            agent(2, 1, Some(1), now),
            agent(3, 1, Some(9), now),
        ];
        assert_eq!(pick_agent(&agents, now), Some(3));
        let never = [agent(1, 0, Some(5), now), agent(2, 0, None, now)];
        assert_eq!(pick_agent(&never, now), Some(2));
    }

    #[test]
    fn business_hours_follow_the_plan_and_the_calendar() {
        use chrono::TimeZone;
        let calendar = Calendar::costa_rica(&[], &[]);
        // Saturday 28 Nov 2026 10:00 CR (16:00 UTC): Premium is open, Estándar opens Monday 08:00.
        let saturday = Utc
            .with_ymd_and_hms(2026, 11, 28, 16, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            chat_hours(
                ChatHours::Business,
                SupportPlan::Premium,
                saturday,
                &calendar
            ),
            (true, None)
        );
        let monday = Utc
            .with_ymd_and_hms(2026, 11, 30, 14, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            chat_hours(
                ChatHours::Business,
                SupportPlan::Standard,
                saturday,
                &calendar
            ),
            (false, Some(monday))
        );
        // Thursday 26 Nov 2026 20:00 CR: closed, opens Friday 08:00; "always" is open.
        let night = Utc
            .with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
            .single()
            .expect("date");
        let friday = Utc
            .with_ymd_and_hms(2026, 11, 27, 14, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            chat_hours(ChatHours::Business, SupportPlan::Advanced, night, &calendar),
            (false, Some(friday))
        );
        assert_eq!(
            chat_hours(ChatHours::Always, SupportPlan::Standard, night, &calendar),
            (true, None)
        );
        assert_eq!("always".parse(), Ok(ChatHours::Always));
        assert!("nunca".parse::<ChatHours>().is_err());
    }

    #[test]
    fn assignment_respects_limits_and_presence() {
        let now = Utc::now();
        let mut full = agent(1, 3, None, now);
        assert_eq!(pick_agent(std::slice::from_ref(&full), now), None);
        full.active_chats = 0;
        full.presence = Presence::Away;
        assert_eq!(pick_agent(std::slice::from_ref(&full), now), None);
        full.presence = Presence::Online;
        full.last_seen_at = now - Duration::seconds(PRESENCE_TIMEOUT_SECONDS + 1);
        assert_eq!(pick_agent(&[full], now), None);
    }
}
