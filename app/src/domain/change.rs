//! Change requests (gestión de cambios): work outside a project's original scope, estimated by
//! an agent, approved by the customer against the hour bank, and paid for by the minutes logged.

use super::codes::text_enum;
use chrono::{DateTime, Duration, Utc};

text_enum!(
    /// Where a change request stands.
    ChangeStatus {
        Submitted => "submitted",
        Estimated => "estimated",
        Approved => "approved",
        InProgress => "in_progress",
        Done => "done",
        Rejected => "rejected",
        Declined => "declined",
    }
);

text_enum!(
    /// The agent's assessment of what could go wrong (bajo, medio, alto).
    Risk { Low => "bajo", Medium => "medio", High => "alto" }
);

impl Risk {
    /// Accepts the Spanish codes and their English names.
    pub fn parse(text: &str) -> Option<Risk> {
        match text.trim().to_lowercase().as_str() {
            "bajo" | "low" => Some(Risk::Low),
            "medio" | "medium" => Some(Risk::Medium),
            "alto" | "high" => Some(Risk::High),
            _ => None,
        }
    }
}

text_enum!(
    /// One step in a change request's history.
    ChangeEventKind {
        Submitted => "submitted",
        Estimated => "estimated",
        Rejected => "rejected",
        Approved => "approved",
        Declined => "declined",
        Work => "work",
        Done => "done",
        Reopened => "reopened",
    }
);

/// How long after completion the customer may reopen a change request.
pub const REOPEN_DAYS: i64 = 7;

/// Largest estimate or work entry accepted at once: 200 hours.
pub const MAX_MINUTES: i64 = 200 * 60;

impl ChangeStatus {
    /// An agent may assess (or re-assess) it.
    pub fn can_estimate(self) -> bool {
        matches!(
            self,
            ChangeStatus::Submitted
                | ChangeStatus::Estimated
                | ChangeStatus::Approved
                | ChangeStatus::InProgress
        )
    }

    pub fn can_reject(self) -> bool {
        matches!(self, ChangeStatus::Submitted | ChangeStatus::Estimated)
    }

    /// The customer has an estimate waiting for an answer.
    pub fn awaiting_customer(self) -> bool {
        self == ChangeStatus::Estimated
    }

    /// Agents may log work against the approved estimate.
    pub fn accepts_work(self) -> bool {
        matches!(self, ChangeStatus::Approved | ChangeStatus::InProgress)
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ChangeStatus::Done | ChangeStatus::Rejected | ChangeStatus::Declined
        )
    }
}

/// Where a change request goes when the customer declines an estimate: back to the work
/// already approved when there is some (a re-estimate was declined), otherwise declined.
pub fn after_decline(approved_minutes: i64, used_minutes: i64) -> ChangeStatus {
    match (approved_minutes, used_minutes) {
        (0, _) => ChangeStatus::Declined,
        (_, 0) => ChangeStatus::Approved,
        _ => ChangeStatus::InProgress,
    }
}

/// A done change request may be reopened by its customer within seven days.
pub fn can_reopen(
    status: ChangeStatus,
    done_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == ChangeStatus::Done
        && done_at.is_some_and(|at| now - at <= Duration::days(REOPEN_DAYS))
}

/// Why a work entry cannot be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkRefusal {
    /// It would go beyond the approved estimate: `left` minutes remain of it.
    OverEstimate { left: i64 },
    /// The hour bank cannot cover it: `available` minutes.
    Balance { available: i64 },
}

/// Checks a work entry of `minutes` against what the customer approved and already used.
pub fn check_work(approved: i64, used: i64, minutes: i64) -> Result<(), WorkRefusal> {
    let left = (approved - used).max(0);
    if minutes > left {
        return Err(WorkRefusal::OverEstimate { left });
    }
    Ok(())
}

/// The minutes an approval still has to cover from the balance: the estimate less what was
/// already logged on the request.
pub fn minutes_to_cover(estimate: i64, used: i64) -> i64 {
    (estimate - used).max(0)
}

/// Reads a duration typed by a person as whole minutes: `1:30`, `1.5` or `1,5` hours, `2 h`,
/// `2 h 30 min`, `45 min`. `None` when it is not one of those or not above zero.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim().to_lowercase();
    let minutes = if let Some((h, m)) = t.split_once(':') {
        let (h, m): (i64, i64) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
        (0..60).contains(&m).then_some(h.checked_mul(60)? + m)?
    } else if t.contains('h') || t.contains("min") {
        let mut total = 0i64;
        let mut number = String::new();
        for part in t.split_whitespace().flat_map(split_unit) {
            match part.as_str() {
                "h" | "hr" | "hrs" | "hora" | "horas" | "hours" | "hour" => {
                    total += number.parse::<i64>().ok()?.checked_mul(60)?;
                    number.clear();
                }
                "m" | "min" | "mins" | "minutos" | "minutes" => {
                    total += number.parse::<i64>().ok()?;
                    number.clear();
                }
                digits if digits.chars().all(|c| c.is_ascii_digit()) && number.is_empty() => {
                    number = digits.to_owned();
                }
                _ => return None,
            }
        }
        if !number.is_empty() {
            return None;
        }
        total
    } else {
        let t = t.replace(',', ".");
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let hundredths: i64 = format!("{frac:0<2}").parse().ok()?;
        // Hundredths of an hour to minutes, rounded to the nearest minute.
        whole.checked_mul(60)? + (hundredths * 60 + 50) / 100
    };
    (minutes > 0).then_some(minutes)
}

/// `2h30min` → `2`, `h`, `30`, `min`.
fn split_unit(word: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in word.chars() {
        let digit = c.is_ascii_digit();
        match parts.last_mut() {
            Some(last) if last.chars().all(|d| d.is_ascii_digit()) == digit => last.push(c),
            _ => parts.push(c.to_string()),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_read_as_people_type_them() {
        assert_eq!(parse_duration("1:30"), Some(90));
        assert_eq!(parse_duration("1.5"), Some(90));
        assert_eq!(parse_duration("1,25"), Some(75));
        assert_eq!(parse_duration("2"), Some(120));
        assert_eq!(parse_duration("2 h 30 min"), Some(150));
        assert_eq!(parse_duration("2h30min"), Some(150));
        assert_eq!(parse_duration("45 min"), Some(45));
        assert_eq!(parse_duration("0.33"), Some(20));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("-1"), None);
        assert_eq!(parse_duration("1:75"), None);
        assert_eq!(parse_duration("dos horas"), None);
        assert_eq!(parse_duration("1.234"), None);
        assert_eq!(parse_duration("2 h 30"), None);
    }

    #[test]
    fn risk_reads_spanish_and_english() {
        assert_eq!(Risk::parse("Alto"), Some(Risk::High));
        assert_eq!(Risk::parse("medium"), Some(Risk::Medium));
        assert_eq!(Risk::parse("bajo"), Some(Risk::Low));
        assert_eq!(Risk::parse("crítico"), None);
        assert_eq!(Risk::High.as_str(), "alto");
    }

    #[test]
    fn work_stays_within_the_approved_estimate() {
        assert_eq!(check_work(120, 60, 60), Ok(()));
        assert_eq!(
            check_work(120, 60, 61),
            Err(WorkRefusal::OverEstimate { left: 60 })
        );
        assert_eq!(
            check_work(0, 0, 1),
            Err(WorkRefusal::OverEstimate { left: 0 })
        );
        assert_eq!(minutes_to_cover(300, 120), 180);
        assert_eq!(minutes_to_cover(100, 120), 0);
    }

    #[test]
    fn steps_follow_the_service_model() {
        assert!(ChangeStatus::Submitted.can_estimate());
        assert!(ChangeStatus::InProgress.can_estimate());
        assert!(!ChangeStatus::Done.can_estimate());
        assert!(ChangeStatus::Estimated.can_reject());
        assert!(!ChangeStatus::Approved.can_reject());
        assert!(!ChangeStatus::Estimated.accepts_work());
        assert!(ChangeStatus::Approved.accepts_work());
        assert_eq!(after_decline(0, 0), ChangeStatus::Declined);
        assert_eq!(after_decline(120, 0), ChangeStatus::Approved);
        assert_eq!(after_decline(120, 30), ChangeStatus::InProgress);
    }

    #[test]
    fn reopen_within_seven_days() {
        let done = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
        let day = Duration::days(1);
        assert!(can_reopen(ChangeStatus::Done, Some(done), done + day * 7));
        assert!(!can_reopen(
            ChangeStatus::Done,
            Some(done),
            done + day * 7 + Duration::seconds(1)
        ));
        assert!(!can_reopen(ChangeStatus::InProgress, Some(done), done));
        assert!(!can_reopen(ChangeStatus::Done, None, done));
    }
}
