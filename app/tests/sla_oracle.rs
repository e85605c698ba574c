//! The SLA engine against a brute-force, minute-by-minute model over 2026–2027 (two Holy Weeks,
//! every Saturday, every holiday).

use app::domain::sla::{
    add_business_time, business_time_between, first_response_due, legal_holidays, Calendar,
};
use app::domain::{Priority, SupportPlan};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use proptest::prelude::*;
use std::collections::HashSet;

fn holidays() -> HashSet<NaiveDate> {
    (2025..=2029)
        .flat_map(legal_holidays)
        .map(|(d, _)| d)
        .collect()
}

/// The obvious definition: is this minute a business minute for the plan?
fn business_minute(plan: SupportPlan, at: DateTime<Utc>, off: &HashSet<NaiveDate>) -> bool {
    let local = at - Duration::hours(6);
    let day_ok = match local.weekday() {
        Weekday::Sun => false,
        Weekday::Sat => plan == SupportPlan::Premium,
        _ => true,
    };
    day_ok && !off.contains(&local.date_naive()) && (8..17).contains(&local.hour())
}

fn oracle_due(
    plan: SupportPlan,
    priority: Priority,
    received: DateTime<Utc>,
    off: &HashSet<NaiveDate>,
) -> DateTime<Utc> {
    let mut remaining = i64::from(plan.first_response_hours(priority)) * 60;
    let mut t = received;
    while remaining > 0 {
        if business_minute(plan, t, off) {
            remaining -= 1;
        }
        t += Duration::minutes(1);
    }
    t
}

fn plan_strategy() -> impl Strategy<Value = SupportPlan> {
    prop_oneof![
        Just(SupportPlan::Standard),
        Just(SupportPlan::Advanced),
        Just(SupportPlan::Premium)
    ]
}

fn priority_strategy() -> impl Strategy<Value = Priority> {
    prop_oneof![
        Just(Priority::High),
        Just(Priority::Medium),
        Just(Priority::Normal)
    ]
}

/// Any minute of 2026 and 2027.
fn instant_strategy() -> impl Strategy<Value = DateTime<Utc>> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 6, 0, 0)
        .single()
        .unwrap_or_default();
    (0i64..(2 * 365 * 24 * 60)).prop_map(move |m| start + Duration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn deadline_matches_minute_by_minute_model(plan in plan_strategy(), priority in priority_strategy(), received in instant_strategy()) {
        let off = holidays();
        let calendar = Calendar::costa_rica(&[], &[]);
        prop_assert_eq!(first_response_due(plan, priority, received, &calendar), oracle_due(plan, priority, received, &off));
    }

    #[test]
    fn business_time_between_inverts_adding(plan in plan_strategy(), from in instant_strategy(), minutes in 1i64..(60 * 40)) {
        let calendar = Calendar::costa_rica(&[], &[]);
        let due = add_business_time(plan, from, Duration::minutes(minutes), &calendar);
        prop_assert_eq!(business_time_between(plan, from, due, &calendar), Duration::minutes(minutes));
    }
}

#[test]
fn holy_week_and_saturdays_exhaustively_for_one_week() {
    // Every minute of Holy Week 2027 (Thu 25 and Fri 26 March) and the Saturday after.
    let off = holidays();
    let calendar = Calendar::costa_rica(&[], &[]);
    let start = Utc
        .with_ymd_and_hms(2027, 3, 22, 6, 0, 0)
        .single()
        .unwrap_or_default();
    for m in (0..7 * 24 * 60).step_by(7) {
        let received = start + Duration::minutes(m);
        for plan in SupportPlan::ALL {
            for priority in Priority::ALL {
                assert_eq!(
                    first_response_due(plan, priority, received, &calendar),
                    oracle_due(plan, priority, received, &off),
                    "{plan} {priority:?} {received}"
                );
            }
        }
    }
}
