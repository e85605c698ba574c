//! The SLA report: per plan, priority and month, how first responses went.

use super::plan::{Priority, SupportPlan};
use super::sla::{business_time_between, Calendar};
use super::time::COSTA_RICA;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the report needs of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub plan: SupportPlan,
    pub priority: Priority,
    pub received_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// `YYYY-MM` in Costa Rica time.
    pub month: String,
    pub plan: SupportPlan,
    pub priority: Priority,
    pub received: u32,
    pub responded_on_time: u32,
    /// Answered late, or unanswered past the deadline.
    pub breached: u32,
    /// First-response time in business hours over answered tickets.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

fn plan_rank(p: SupportPlan) -> u8 {
    match p {
        SupportPlan::Standard => 0,
        SupportPlan::Advanced => 1,
        SupportPlan::Premium => 2,
    }
}

fn priority_rank(p: Priority) -> u8 {
    match p {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Normal => 2,
    }
}

/// Nearest-rank percentile of sorted values (`q` in 0..=1).
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub fn sla_report(
    tickets: &[ReportInput],
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Vec<ReportRow> {
    type Key = (String, u8, u8);
    let mut groups: BTreeMap<Key, (SupportPlan, Priority, Vec<&ReportInput>)> = BTreeMap::new();
    for t in tickets {
        let local = t.received_at.with_timezone(&COSTA_RICA);
        let key = (
            format!("{:04}-{:02}", local.year(), local.month()),
            plan_rank(t.plan),
            priority_rank(t.priority),
        );
        groups
            .entry(key)
            .or_insert_with(|| (t.plan, t.priority, Vec::new()))
            .2
            .push(t);
    }
    groups
        .into_iter()
        .map(|((month, _, _), (plan, priority, items))| {
            let mut hours: Vec<f64> = items
                .iter()
                .filter_map(|t| {
                    t.responded_at.map(|r| {
                        business_time_between(t.plan, t.received_at, r, calendar).num_seconds()
                            as f64
                            / 3600.0
                    })
                })
                .collect();
            hours.sort_by(f64::total_cmp);
            ReportRow {
                month,
                plan,
                priority,
                received: items.len() as u32,
                responded_on_time: items
                    .iter()
                    .filter(|t| t.responded_at.is_some_and(|r| r <= t.due))
                    .count() as u32,
                breached: items
                    .iter()
                    .filter(|t| match t.responded_at {
                        Some(r) => r > t.due,
                        None => now > t.due,
                    })
                    .count() as u32,
                median_hours: percentile(&hours, 0.5).map(round2),
                p90_hours: percentile(&hours, 0.9).map(round2),
            }
        })
        .collect()
}

/// CSV (RFC 4180) of the report, with a header row.
pub fn report_csv(rows: &[ReportRow]) -> String {
    let mut out = String::from("month,plan,priority,received,responded_on_time,breached,median_business_hours,p90_business_hours\r\n");
    for r in rows {
        let num = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            r.month,
            r.plan.as_str(),
            r.priority.as_str(),
            r.received,
            r.responded_on_time,
            r.breached,
            num(r.median_hours),
            num(r.p90_hours)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn cr(d: u32, h: u32) -> DateTime<Utc> {
        COSTA_RICA
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn groups_counts_and_percentiles() {
        let cal = Calendar::costa_rica(&[], &[]);
        let mk = |received: DateTime<Utc>, responded: Option<DateTime<Utc>>| ReportInput {
            plan: SupportPlan::Premium,
            priority: Priority::High,
            received_at: received,
            due: received + Duration::hours(4),
            responded_at: responded,
        };
        let tickets = vec![
            mk(cr(23, 9), Some(cr(23, 10))),
            mk(cr(23, 9), Some(cr(23, 12))),
            mk(cr(23, 9), Some(cr(23, 15))),
            mk(cr(24, 9), None),
            ReportInput {
                plan: SupportPlan::Standard,
                priority: Priority::Normal,
                received_at: cr(24, 9),
                due: cr(27, 9),
                responded_at: None,
            },
        ];
        let rows = sla_report(&tickets, cr(26, 9), &cal);
        assert_eq!(rows.len(), 2);
        let estandar = &rows[0];
        assert_eq!(
            (estandar.plan, estandar.received, estandar.breached),
            (SupportPlan::Standard, 1, 0)
        );
        let premium = &rows[1];
        assert_eq!(premium.month, "2026-11");
        assert_eq!(
            (
                premium.received,
                premium.responded_on_time,
                premium.breached
            ),
            (4, 2, 2)
        );
        assert_eq!(premium.median_hours, Some(3.0));
        assert_eq!(premium.p90_hours, Some(6.0));
        let csv = report_csv(&rows);
        assert!(csv.starts_with("month,plan,priority"));
        assert!(
            csv.contains("2026-11,premium,high,4,2,2,3.00,6.00\r\n"),
            "{csv}"
        );
    }
}
