//! The SLA engine: Costa Rica business hours, legal holidays and first-response deadlines.
//! Pure and deterministic, so the browser countdown, the server, the REST API and the tests
//! compute exactly the same instants.

use super::plan::{Priority, SupportPlan};
use super::time::COSTA_RICA;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

/// Business hours start and end, in seconds after local midnight (08:00–17:00).
const OPEN: i64 = 8 * 3600;
const CLOSE: i64 = 17 * 3600;
/// No calendar has this many consecutive days off; a guard against a malformed calendar.
const MAX_DAYS_SCANNED: i64 = 3660;

/// Why a day is off, for the admin calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    NewYear,
    HolyThursday,
    GoodFriday,
    JuanSantamaria,
    Labour,
    Guanacaste,
    VirgenDeLosAngeles,
    Mothers,
    BlackPersons,
    Independence,
    ArmyAbolition,
    Christmas,
}

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .unwrap_or_else(|| unreachable!("Easter is a valid date"))
}

/// The fixed-date legal holidays: (month, day, which).
const FIXED_HOLIDAYS: [(u32, u32, HolidayKind); 10] = {
    use HolidayKind::*;
    [
        (1, 1, NewYear),
        (4, 11, JuanSantamaria),
        (5, 1, Labour),
        (7, 25, Guanacaste),
        (8, 2, VirgenDeLosAngeles),
        (8, 15, Mothers),
        (8, 31, BlackPersons),
        (9, 15, Independence),
        (12, 1, ArmyAbolition),
        (12, 25, Christmas),
    ]
};

/// Whether `date` is one of Costa Rica's legal holidays, by rule, in any year.
pub fn is_legal_holiday(date: NaiveDate) -> bool {
    let fixed = FIXED_HOLIDAYS
        .iter()
        .any(|(m, d, _)| date.month() == *m && date.day() == *d);
    // Holy Thursday and Good Friday fall between 19 March and 23 April.
    fixed
        || (matches!(date.month(), 3 | 4) && {
            let easter = easter_sunday(date.year());
            date == easter - Duration::days(3) || date == easter - Duration::days(2)
        })
}

/// Costa Rica's legal holidays of `year`, by rule (Código de Trabajo, art. 148).
pub fn legal_holidays(year: i32) -> Vec<(NaiveDate, HolidayKind)> {
    use HolidayKind::*;
    let easter = easter_sunday(year);
    let mut days: Vec<(NaiveDate, HolidayKind)> = FIXED_HOLIDAYS
        .into_iter()
        .filter_map(|(m, d, kind)| NaiveDate::from_ymd_opt(year, m, d).map(|date| (date, kind)))
        .chain([
            (easter - Duration::days(3), HolyThursday),
            (easter - Duration::days(2), GoodFriday),
        ])
        .collect();
    days.sort_by_key(|(d, _)| *d);
    days
}

/// The days off the engine honours: legal holidays by rule (any year), plus an admin's one-off
/// days off, minus the days an admin removed (e.g. when the law moves a holiday to a Monday).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Sorted, unique.
    added: Vec<NaiveDate>,
    /// Sorted, unique.
    removed: Vec<NaiveDate>,
}

impl Calendar {
    /// Legal holidays with the admin's changes applied; a removed day is never off.
    pub fn costa_rica(added: &[NaiveDate], removed: &[NaiveDate]) -> Calendar {
        let sorted = |days: &[NaiveDate]| {
            let mut days = days.to_vec();
            days.sort();
            days.dedup();
            days
        };
        Calendar {
            added: sorted(added),
            removed: sorted(removed),
        }
    }

    pub fn is_day_off(&self, date: NaiveDate) -> bool {
        self.removed.binary_search(&date).is_err()
            && (self.added.binary_search(&date).is_ok() || is_legal_holiday(date))
    }
}

/// The years a reception instant may fall in: wide enough for any real ticket and any
/// what-if question, narrow enough that every deadline stays a valid RFC 3339 instant.
pub const RECEIVED_YEARS: std::ops::RangeInclusive<i32> = 2000..=2999;

/// Reads a reception instant given as RFC 3339 text: refuses leap seconds (`…:60`), which no
/// clock records for a ticket, and years outside [`RECEIVED_YEARS`].
pub fn parse_received(raw: &str) -> Option<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(raw.trim()).ok()?;
    let at = at.with_timezone(&Utc);
    let leap_second = at.nanosecond() >= 1_000_000_000;
    (!leap_second && RECEIVED_YEARS.contains(&at.year())).then_some(at)
}

/// Whether `date` has business hours under `plan`.
pub fn is_business_day(plan: SupportPlan, date: NaiveDate, calendar: &Calendar) -> bool {
    let weekday_ok = match date.weekday() {
        Weekday::Sun => false,
        Weekday::Sat => plan.includes_saturday(),
        _ => true,
    };
    weekday_ok && !calendar.is_day_off(date)
}

fn local_midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    COSTA_RICA
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .unwrap_or_else(|| unreachable!("a fixed offset has no gaps"))
        .with_timezone(&Utc)
}

/// Local date and seconds after local midnight of an instant.
fn local_parts(at: DateTime<Utc>) -> (NaiveDate, i64) {
    let local = at.with_timezone(&COSTA_RICA).naive_local();
    let seconds = i64::from(local.time().num_seconds_from_midnight());
    (local.date(), seconds)
}

/// The instant at which `business` of business time has elapsed after `from`: the earliest
/// such instant, so time running out exactly at 17:00 is due at 17:00, not the next morning.
pub fn add_business_time(
    plan: SupportPlan,
    from: DateTime<Utc>,
    business: Duration,
    calendar: &Calendar,
) -> DateTime<Utc> {
    let (mut date, mut cursor) = local_parts(from);
    // A fraction of a second only matters when the clock started inside business hours:
    // then every later instant shifts by it.
    let fraction = from - (local_midnight_utc(date) + Duration::seconds(cursor));
    let carry = if clock_running(plan, from, calendar) {
        fraction
    } else {
        Duration::zero()
    };
    let mut remaining = business.num_seconds();
    for _ in 0..MAX_DAYS_SCANNED {
        if is_business_day(plan, date, calendar) {
            let start = cursor.max(OPEN);
            if start < CLOSE {
                let available = CLOSE - start;
                if remaining <= available {
                    return local_midnight_utc(date) + Duration::seconds(start + remaining) + carry;
                }
                remaining -= available;
            }
        }
        date = date.succ_opt().unwrap_or(date);
        cursor = 0;
    }
    local_midnight_utc(date)
}

/// First-response deadline of a ticket received at `received`.
pub fn first_response_due(
    plan: SupportPlan,
    priority: Priority,
    received: DateTime<Utc>,
    calendar: &Calendar,
) -> DateTime<Utc> {
    let target = Duration::hours(i64::from(plan.first_response_hours(priority)));
    add_business_time(plan, received, target, calendar)
}

/// Business time between two instants (zero when `to` is not after `from`).
pub fn business_time_between(
    plan: SupportPlan,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    calendar: &Calendar,
) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    let (mut date, from_secs) = local_parts(from);
    let (end_date, end_secs) = local_parts(to);
    let mut total = Duration::zero();
    let mut cursor = from_secs;
    while date <= end_date {
        if is_business_day(plan, date, calendar) {
            let start = cursor.max(OPEN);
            let stop = if date == end_date {
                end_secs.min(CLOSE)
            } else {
                CLOSE
            };
            if stop > start {
                total += Duration::seconds(stop - start);
            }
        }
        if date == end_date {
            break;
        }
        date = match date.succ_opt() {
            Some(d) => d,
            None => break,
        };
        cursor = 0;
    }
    total
}

/// Is the SLA clock running at `at` (inside business hours of a business day)?
pub fn clock_running(plan: SupportPlan, at: DateTime<Utc>, calendar: &Calendar) -> bool {
    let (date, secs) = local_parts(at);
    is_business_day(plan, date, calendar) && (OPEN..CLOSE).contains(&secs)
}

/// The next instant the SLA clock runs at or after `at` (for "we open on Monday at 08:00").
pub fn next_opening(plan: SupportPlan, at: DateTime<Utc>, calendar: &Calendar) -> DateTime<Utc> {
    if clock_running(plan, at, calendar) {
        return at;
    }
    let (mut date, secs) = local_parts(at);
    if secs >= OPEN {
        date = date.succ_opt().unwrap_or(date);
    }
    for _ in 0..MAX_DAYS_SCANNED {
        if is_business_day(plan, date, calendar) {
            return local_midnight_utc(date) + Duration::seconds(OPEN);
        }
        date = date.succ_opt().unwrap_or(date);
    }
    at
}

/// How a first response stands against its deadline, for countdowns and badges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// More than 25 % of the target left.
    OnTrack,
    /// 25 % of the target or less left.
    AtRisk,
    Breached,
    RespondedOnTime,
    RespondedLate,
    /// Resolved or closed before its deadline without a reply (e.g. the customer closed it).
    ClosedInTime,
    /// Resolved or closed without a reply after its deadline had passed.
    ClosedLate,
}

/// The live state of a first-response SLA at `now`, with the business time left.
pub fn sla_state(
    plan: SupportPlan,
    priority: Priority,
    due: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> (SlaState, Duration) {
    if let Some(at) = responded_at {
        let state = if at <= due {
            SlaState::RespondedOnTime
        } else {
            SlaState::RespondedLate
        };
        return (state, Duration::zero());
    }
    if now >= due {
        return (SlaState::Breached, Duration::zero());
    }
    let left = business_time_between(plan, now, due, calendar);
    let target = Duration::hours(i64::from(plan.first_response_hours(priority)));
    let state = if left * 4 <= target {
        SlaState::AtRisk
    } else {
        SlaState::OnTrack
    };
    (state, left)
}

/// A ticket's first-response state: [`sla_state`] while it is open; once resolved or closed
/// (`closed_at`) its outcome, never a running countdown.
pub fn ticket_sla_state(
    plan: SupportPlan,
    priority: Priority,
    due: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> (SlaState, Duration) {
    match (responded_at, closed_at) {
        (None, Some(closed)) if closed <= due => (SlaState::ClosedInTime, Duration::zero()),
        (None, Some(_)) => (SlaState::ClosedLate, Duration::zero()),
        _ => sla_state(plan, priority, due, responded_at, now, calendar),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cr(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        COSTA_RICA
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn cal() -> Calendar {
        Calendar::costa_rica(&[], &[])
    }

    #[test]
    fn holidays_hold_in_any_year_and_agree_with_the_yearly_list() {
        for year in 1900..=3000 {
            let listed: Vec<NaiveDate> = legal_holidays(year).into_iter().map(|(d, _)| d).collect();
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
            while day.year() == year {
                assert_eq!(is_legal_holiday(day), listed.contains(&day), "{day}");
                day = day.succ_opt().unwrap_or_default();
            }
        }
        // Received on New Year's Eve 2045 after hours: New Year's Day 2046 is skipped.
        let due = first_response_due(
            SupportPlan::Premium,
            Priority::High,
            cr(2046, 1, 1, 7, 0),
            &cal(),
        );
        assert_eq!(due, cr(2046, 1, 2, 12, 0));
    }

    #[test]
    fn received_instants_must_be_real_and_in_range() {
        assert!(parse_received("2026-11-26T10:15:00Z").is_some());
        assert!(parse_received("2026-11-26T10:15:00-06:00").is_some());
        assert_eq!(parse_received("2026-11-26T10:15:60Z"), None);
        assert_eq!(parse_received("2026-06-30T23:59:60Z"), None);
        assert_eq!(parse_received("9999-12-31T23:59:59Z"), None);
        assert_eq!(parse_received("1999-12-31T23:59:59Z"), None);
        assert_eq!(parse_received("ayer"), None);
        // The latest accepted instant still has a deadline inside RFC 3339's years.
        let late = parse_received("2999-12-31T16:00:00-06:00").unwrap_or_default();
        let due = first_response_due(SupportPlan::Standard, Priority::Normal, late, &cal());
        assert!(due.year() <= 3000, "{due}");
    }

    #[test]
    fn easter_dates_are_right() {
        let known = [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2000, 4, 23),
        ];
        for (y, m, d) in known {
            assert_eq!(
                easter_sunday(y),
                NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default(),
                "{y}"
            );
        }
    }

    #[test]
    fn holy_week_2026_is_off() {
        let c = cal();
        assert!(
            c.is_day_off(NaiveDate::from_ymd_opt(2026, 4, 2).unwrap_or_default()),
            "Holy Thursday"
        );
        assert!(
            c.is_day_off(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap_or_default()),
            "Good Friday"
        );
        assert!(!c.is_day_off(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default()));
        assert_eq!(legal_holidays(2026).len(), 12);
    }

    #[test]
    fn inside_business_hours_counts_straight() {
        // Thursday 26 Nov 2026 09:00, Premium Alta (4 h) → 13:00 same day.
        assert_eq!(
            first_response_due(
                SupportPlan::Premium,
                Priority::High,
                cr(2026, 11, 26, 9, 0),
                &cal()
            ),
            cr(2026, 11, 26, 13, 0)
        );
    }

    #[test]
    fn target_ending_at_closing_is_due_at_closing() {
        // 13:00 + 4 h = 17:00 exactly: due 17:00, not next morning.
        assert_eq!(
            first_response_due(
                SupportPlan::Premium,
                Priority::High,
                cr(2026, 11, 26, 13, 0),
                &cal()
            ),
            cr(2026, 11, 26, 17, 0)
        );
    }

    #[test]
    fn clock_waits_for_opening_and_skips_weekends() {
        // Friday 27 Nov 2026 16:00, Estándar Alta (8 h): 1 h Friday, Monday 08:00 + 7 h = 15:00.
        assert_eq!(
            first_response_due(
                SupportPlan::Standard,
                Priority::High,
                cr(2026, 11, 27, 16, 0),
                &cal()
            ),
            cr(2026, 11, 30, 15, 0)
        );
        // Premium counts Saturday: 1 h Friday, Saturday 08:00 + 3 h = 11:00.
        assert_eq!(
            first_response_due(
                SupportPlan::Premium,
                Priority::High,
                cr(2026, 11, 27, 16, 0),
                &cal()
            ),
            cr(2026, 11, 28, 11, 0)
        );
        // Received Sunday night: starts Monday 08:00.
        assert_eq!(
            first_response_due(
                SupportPlan::Advanced,
                Priority::High,
                cr(2026, 11, 29, 22, 0),
                &cal()
            ),
            cr(2026, 11, 30, 14, 0)
        );
        // Received before opening.
        assert_eq!(
            first_response_due(
                SupportPlan::Advanced,
                Priority::High,
                cr(2026, 11, 30, 6, 30),
                &cal()
            ),
            cr(2026, 11, 30, 14, 0)
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // Mon 30 Nov 2026 16:00 Estándar Media (12 h): 1 h Mon; Tue 1 Dec holiday; Wed 9 h; Thu 08:00 + 2 h.
        assert_eq!(
            first_response_due(
                SupportPlan::Standard,
                Priority::Medium,
                cr(2026, 11, 30, 16, 0),
                &cal()
            ),
            cr(2026, 12, 3, 10, 0)
        );
        // Wednesday before Holy Week 2026 at 12:00, Normal (24 h): Wed 5 h, Thu/Fri off, Mon 9, Tue 9, Wed 1 → Wed 8 Apr 09:00.
        assert_eq!(
            first_response_due(
                SupportPlan::Standard,
                Priority::Normal,
                cr(2026, 4, 1, 12, 0),
                &cal()
            ),
            cr(2026, 4, 8, 9, 0)
        );
    }

    #[test]
    fn admin_changes_apply() {
        let moved = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let extra = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let c = Calendar::costa_rica(&[extra], &[moved]);
        assert!(c.is_day_off(extra) && !c.is_day_off(moved));
    }

    #[test]
    fn business_time_between_and_state() {
        let c = cal();
        let from = cr(2026, 11, 27, 16, 0);
        let to = cr(2026, 11, 30, 9, 30);
        assert_eq!(
            business_time_between(SupportPlan::Standard, from, to, &c),
            Duration::minutes(150)
        );
        assert_eq!(
            business_time_between(SupportPlan::Standard, to, from, &c),
            Duration::zero()
        );
        let due = first_response_due(
            SupportPlan::Premium,
            Priority::High,
            cr(2026, 11, 26, 9, 0),
            &c,
        );
        let (state, left) = sla_state(
            SupportPlan::Premium,
            Priority::High,
            due,
            None,
            cr(2026, 11, 26, 12, 0),
            &c,
        );
        assert_eq!((state, left), (SlaState::AtRisk, Duration::hours(1)));
        let (state, _) = sla_state(
            SupportPlan::Premium,
            Priority::High,
            due,
            None,
            cr(2026, 11, 26, 10, 0),
            &c,
        );
        assert_eq!(state, SlaState::OnTrack);
        let (state, _) = sla_state(SupportPlan::Premium, Priority::High, due, None, due, &c);
        assert_eq!(state, SlaState::Breached);
        let (state, _) = sla_state(
            SupportPlan::Premium,
            Priority::High,
            due,
            Some(due),
            due,
            &c,
        );
        assert_eq!(state, SlaState::RespondedOnTime);
        // Closed tickets show their outcome, whatever the time now.
        let later = cr(2026, 12, 24, 10, 0);
        let closed = |responded, closed| {
            ticket_sla_state(
                SupportPlan::Premium,
                Priority::High,
                due,
                responded,
                closed,
                later,
                &c,
            )
            .0
        };
        assert_eq!(
            closed(None, Some(due - Duration::minutes(5))),
            SlaState::ClosedInTime
        );
        assert_eq!(
            closed(None, Some(due + Duration::minutes(5))),
            SlaState::ClosedLate
        );
        assert_eq!(closed(Some(due), Some(later)), SlaState::RespondedOnTime);
        assert_eq!(closed(Some(later), Some(later)), SlaState::RespondedLate);
        assert_eq!(closed(None, None), SlaState::Breached);
    }

    #[test]
    fn next_opening_skips_closed_time() {
        let c = cal();
        assert_eq!(
            next_opening(SupportPlan::Standard, cr(2026, 11, 27, 18, 0), &c),
            cr(2026, 11, 30, 8, 0)
        );
        assert_eq!(
            next_opening(SupportPlan::Premium, cr(2026, 11, 27, 18, 0), &c),
            cr(2026, 11, 28, 8, 0)
        );
        assert_eq!(
            next_opening(SupportPlan::Premium, cr(2026, 11, 27, 9, 0), &c),
            cr(2026, 11, 27, 9, 0)
        );
    }

    #[test]
    fn seconds_are_kept() {
        let received = cr(2026, 11, 26, 9, 0) + Duration::milliseconds(30_500);
        let due = first_response_due(SupportPlan::Premium, Priority::High, received, &cal());
        assert_eq!(
            due,
            cr(2026, 11, 26, 13, 0) + Duration::milliseconds(30_500)
        );
    }
}
