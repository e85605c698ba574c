//! Projects on an agile Gantt chart: item kinds and states, deviations against the baseline,
//! finish-to-start dependencies, progress and the health rule. Dates are whole Costa Rica days;
//! an item's `end` is inclusive (a one-day activity has `start == end`).

use super::codes::text_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

text_enum!(
    /// Where a project stands (planificado, en curso, en pausa, cerrado).
    ProjectStatus { Planned => "planned", Active => "active", Paused => "paused", Closed => "closed" }
);

text_enum!(
    /// An activity spans days; a milestone is a date and a commitment to deliver.
    ItemKind { Activity => "activity", Milestone => "milestone" }
);

text_enum!(
    /// pendiente, en curso, bloqueado (with a reason), hecho. A milestone that is done is met.
    ItemState { Pending => "pending", InProgress => "in_progress", Blocked => "blocked", Done => "done" }
);

/// One row of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: i64,
    pub kind: ItemKind,
    pub name: String,
    /// Phase, sprint or iteration the item belongs to ("" = none).
    pub phase: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// 0–100.
    pub progress: u8,
    pub state: ItemState,
    pub blocked_reason: Option<String>,
    pub owner: Option<String>,
    pub baseline_start: Option<NaiveDate>,
    pub baseline_end: Option<NaiveDate>,
    /// Finish-to-start predecessors.
    pub depends_on: Vec<i64>,
}

impl PlanItem {
    /// Days the item finishes after (+) or before (−) its baseline; `None` without a baseline.
    pub fn deviation_days(&self) -> Option<i64> {
        self.baseline_end.map(|b| (self.end - b).num_days())
    }

    /// Days the item starts after (+) or before (−) its baseline.
    pub fn start_deviation_days(&self) -> Option<i64> {
        self.baseline_start.map(|b| (self.start - b).num_days())
    }

    /// Moved against the baseline at either end.
    pub fn is_deviated(&self) -> bool {
        self.deviation_days().is_some_and(|d| d != 0)
            || self.start_deviation_days().is_some_and(|d| d != 0)
    }

    pub fn is_done(&self) -> bool {
        self.state == ItemState::Done
    }

    /// Should have finished before `today` and has not (for a milestone: missed).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.is_done() && self.end < today
    }

    /// Calendar days the item spans, both ends included.
    pub fn span_days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Earliest day a successor may start: the day after an activity ends, the milestone's own
    /// date for a milestone.
    pub fn free_from(&self) -> NaiveDate {
        match self.kind {
            ItemKind::Milestone => self.end,
            ItemKind::Activity => self.end.succ_opt().unwrap_or(self.end),
        }
    }
}

/// `item` starts before its predecessor `depends_on` has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyConflict {
    pub item: i64,
    pub depends_on: i64,
}

/// Every finish-to-start dependency the plan violates.
/// How far plan items may reach around their project's start: dates beyond these are refused,
/// so a chart never spans centuries (its size grows with the days it covers).
pub const ITEM_YEARS_BEFORE: i32 = 5;
pub const ITEM_YEARS_AFTER: i32 = 20;
/// Projects start and end within these years and last at most [`ITEM_YEARS_AFTER`] years.
pub const FIRST_PROJECT_YEAR: i32 = 2000;
pub const LAST_PROJECT_YEAR: i32 = 2100;

fn shift_years(date: NaiveDate, years: i32) -> NaiveDate {
    date.with_year(date.year() + years)
        // 29 February in a year without it.
        .or_else(|| NaiveDate::from_ymd_opt(date.year() + years, date.month(), 28))
        .unwrap_or(date)
}

/// The first and last day an item of a project starting on `project_start` may use.
pub fn item_window(project_start: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        shift_years(project_start, -ITEM_YEARS_BEFORE),
        shift_years(project_start, ITEM_YEARS_AFTER),
    )
}

/// Whether a project's own dates are in range: both within the supported years and the
/// target end at most [`ITEM_YEARS_AFTER`] years after the start.
pub fn project_dates_in_range(start: NaiveDate, target_end: NaiveDate) -> bool {
    let years = FIRST_PROJECT_YEAR..=LAST_PROJECT_YEAR;
    years.contains(&start.year())
        && years.contains(&target_end.year())
        && target_end <= item_window(start).1
}

pub fn dependency_conflicts(items: &[PlanItem]) -> Vec<DependencyConflict> {
    let by_id: HashMap<i64, &PlanItem> = items.iter().map(|i| (i.id, i)).collect();
    let mut out = Vec::new();
    for item in items {
        for dep in &item.depends_on {
            if let Some(pred) = by_id.get(dep) {
                if item.start < pred.free_from() {
                    out.push(DependencyConflict {
                        item: item.id,
                        depends_on: *dep,
                    });
                }
            }
        }
    }
    out
}

/// The conflicts that involve item `id` once its dates become `start..=end` (the warning shown
/// while staff move a bar, before anything is saved).
pub fn conflicts_after_move(
    items: &[PlanItem],
    id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<DependencyConflict> {
    let moved: Vec<PlanItem> = items
        .iter()
        .map(|i| {
            if i.id == id {
                PlanItem {
                    start,
                    end,
                    ..i.clone()
                }
            } else {
                i.clone()
            }
        })
        .collect();
    dependency_conflicts(&moved)
        .into_iter()
        .filter(|c| c.item == id || c.depends_on == id)
        .collect()
}

/// True when giving `id` the predecessors `deps` would close a loop (or names itself).
pub fn creates_cycle(items: &[PlanItem], id: i64, deps: &[i64]) -> bool {
    let mut graph: HashMap<i64, Vec<i64>> =
        items.iter().map(|i| (i.id, i.depends_on.clone())).collect();
    graph.insert(id, deps.to_vec());
    // Walk the predecessors of `id`; reaching `id` again is a cycle.
    let mut seen = HashSet::new();
    let mut stack: Vec<i64> = deps.to_vec();
    while let Some(next) = stack.pop() {
        if next == id {
            return true;
        }
        if seen.insert(next) {
            if let Some(preds) = graph.get(&next) {
                stack.extend(preds.iter().copied());
            }
        }
    }
    false
}

/// Overall progress: activities weighted by their length in days (milestones carry no work).
pub fn overall_progress(items: &[PlanItem]) -> u8 {
    let (done, total) = items.iter().filter(|i| i.kind == ItemKind::Activity).fold(
        (0i64, 0i64),
        |(done, total), i| {
            let span = i.span_days();
            (done + span * i64::from(i.progress.min(100)), total + span)
        },
    );
    if total == 0 {
        return 0;
    }
    u8::try_from((done + total / 2) / total).unwrap_or(100)
}

/// The progress a project should show by `today` if work were spread evenly over its span.
pub fn expected_progress(start: NaiveDate, target_end: NaiveDate, today: NaiveDate) -> u8 {
    let span = (target_end - start).num_days() + 1;
    if span <= 0 || today < start {
        return 0;
    }
    let elapsed = ((today - start).num_days()).min(span);
    u8::try_from(elapsed * 100 / span).unwrap_or(100)
}

/// Points of progress a project may trail its expected progress before it is at risk.
pub const PROGRESS_TOLERANCE: u8 = 15;

/// The documented health rule:
/// - **late** when an unfinished item should already have ended (an overdue activity or a
///   missed milestone), or the plan finishes after the project's target end;
/// - **at risk** when something is blocked, an item finishes later than its baseline, or overall
///   progress trails the expected progress by more than [`PROGRESS_TOLERANCE`] points;
/// - **on track** otherwise (closed projects are on track).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    OnTrack,
    AtRisk,
    Late,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::OnTrack => "on_track",
            Health::AtRisk => "at_risk",
            Health::Late => "late",
        }
    }
}

/// What a project list shows about each project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFigures {
    pub progress: u8,
    pub expected_progress: u8,
    /// Name and date of the earliest milestone not yet met.
    pub next_milestone: Option<(String, NaiveDate)>,
    pub blocked: usize,
    pub deviated: usize,
    pub overdue: usize,
    pub health: Health,
}

pub fn project_figures(
    items: &[PlanItem],
    status: ProjectStatus,
    start: NaiveDate,
    target_end: NaiveDate,
    today: NaiveDate,
) -> ProjectFigures {
    let progress = overall_progress(items);
    let expected = expected_progress(start, target_end, today);
    let blocked = items
        .iter()
        .filter(|i| i.state == ItemState::Blocked)
        .count();
    let late_against_baseline = items
        .iter()
        .filter(|i| i.deviation_days().is_some_and(|d| d > 0))
        .count();
    let deviated = items.iter().filter(|i| i.is_deviated()).count();
    let overdue = items.iter().filter(|i| i.is_overdue(today)).count();
    let plan_end = items.iter().map(|i| i.end).max();
    let next_milestone = items
        .iter()
        .filter(|i| i.kind == ItemKind::Milestone && !i.is_done())
        .min_by_key(|i| i.end)
        .map(|i| (i.name.clone(), i.end));
    let health = if status == ProjectStatus::Closed {
        Health::OnTrack
    } else if overdue > 0 || plan_end.is_some_and(|e| e > target_end) {
        Health::Late
    } else if blocked > 0
        || late_against_baseline > 0
        || expected.saturating_sub(progress) > PROGRESS_TOLERANCE
    {
        Health::AtRisk
    } else {
        Health::OnTrack
    };
    ProjectFigures {
        progress,
        expected_progress: expected,
        next_milestone,
        blocked,
        deviated,
        overdue,
        health,
    }
}

/// Orders items by phase (phases in order of their first item) keeping the plan's order within
/// each phase; returns the phases with the indexes of their items.
pub fn group_by_phase(items: &[PlanItem]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match groups.iter_mut().find(|(p, _)| *p == item.phase) {
            Some((_, members)) => members.push(index),
            None => groups.push((item.phase.clone(), vec![index])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn activity(id: i64, start: NaiveDate, end: NaiveDate, deps: &[i64]) -> PlanItem {
        PlanItem {
            id,
            kind: ItemKind::Activity,
            name: format!("A{id}"),
            phase: String::new(),
            start,
            end,
            progress: 0,
            state: ItemState::Pending,
            blocked_reason: None,
            owner: None,
            baseline_start: None,
            baseline_end: None,
            depends_on: deps.to_vec(),
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in ProjectStatus::ALL {
            assert_eq!(s.as_str().parse::<ProjectStatus>(), Ok(*s));
        }
        for s in ItemState::ALL {
            assert_eq!(s.as_str().parse::<ItemState>(), Ok(*s));
        }
        assert!("bloqueado".parse::<ItemState>().is_err());
    }

    #[test]
    fn deviation_is_measured_against_the_baseline_end() {
        let mut a = activity(1, d(3, 2), d(3, 6), &[]);
        assert_eq!(a.deviation_days(), None);
        assert!(!a.is_deviated());
        a.baseline_start = Some(d(3, 2));
        a.baseline_end = Some(d(3, 3));
        assert_eq!(a.deviation_days(), Some(3));
        assert!(a.is_deviated());
        a.end = d(3, 1);
        assert_eq!(a.deviation_days(), Some(-2));
    }

    #[test]
    fn finish_to_start_needs_the_day_after_an_activity() {
        let a = activity(1, d(3, 2), d(3, 6), &[]);
        let same_day = activity(2, d(3, 6), d(3, 9), &[1]);
        let next_day = activity(3, d(3, 7), d(3, 9), &[1]);
        let conflicts = dependency_conflicts(&[a, same_day, next_day]);
        assert_eq!(
            conflicts,
            vec![DependencyConflict {
                item: 2,
                depends_on: 1
            }]
        );
    }

    #[test]
    fn a_milestone_frees_its_successors_on_its_own_date() {
        let mut m = activity(1, d(3, 6), d(3, 6), &[]);
        m.kind = ItemKind::Milestone;
        let b = activity(2, d(3, 6), d(3, 9), &[1]);
        assert!(dependency_conflicts(&[m, b]).is_empty());
    }

    #[test]
    fn moving_a_predecessor_warns_about_its_successor() {
        let items = vec![
            activity(1, d(3, 2), d(3, 6), &[]),
            activity(2, d(3, 9), d(3, 12), &[1]),
            activity(3, d(3, 20), d(3, 22), &[]),
        ];
        assert!(conflicts_after_move(&items, 1, d(3, 3), d(3, 8)).is_empty());
        assert_eq!(
            conflicts_after_move(&items, 1, d(3, 5), d(3, 9)),
            vec![DependencyConflict {
                item: 2,
                depends_on: 1
            }]
        );
        // Moving an unrelated item never reports someone else's conflict.
        assert!(conflicts_after_move(&items, 3, d(3, 1), d(3, 2)).is_empty());
    }

    #[test]
    fn cycles_are_detected() {
        let items = vec![
            activity(1, d(3, 2), d(3, 6), &[]),
            activity(2, d(3, 9), d(3, 12), &[1]),
            activity(3, d(3, 13), d(3, 14), &[2]),
        ];
        assert!(creates_cycle(&items, 1, &[3]));
        assert!(creates_cycle(&items, 2, &[2]));
        assert!(!creates_cycle(&items, 3, &[1, 2]));
    }

    #[test]
    fn progress_is_weighted_by_length() {
        let mut a = activity(1, d(3, 1), d(3, 10), &[]);
        a.progress = 100;
        let b = activity(2, d(3, 11), d(3, 30), &[]);
        assert_eq!(overall_progress(&[a.clone(), b]), 33);
        let mut m = activity(3, d(3, 31), d(3, 31), &[]);
        m.kind = ItemKind::Milestone;
        assert_eq!(overall_progress(&[a, m]), 100);
        assert_eq!(overall_progress(&[]), 0);
    }

    #[test]
    fn expected_progress_follows_the_calendar() {
        assert_eq!(expected_progress(d(3, 1), d(3, 10), d(2, 1)), 0);
        assert_eq!(expected_progress(d(3, 1), d(3, 10), d(3, 6)), 50);
        assert_eq!(expected_progress(d(3, 1), d(3, 10), d(5, 1)), 100);
    }

    #[test]
    fn health_rule() {
        let today = d(3, 10);
        let figures = |items: &[PlanItem]| {
            project_figures(items, ProjectStatus::Active, d(3, 1), d(4, 30), today).health
        };
        let mut a = activity(1, d(3, 1), d(3, 20), &[]);
        a.progress = 50;
        assert_eq!(figures(&[a.clone()]), Health::OnTrack);

        let mut blocked = a.clone();
        blocked.state = ItemState::Blocked;
        assert_eq!(figures(&[blocked]), Health::AtRisk);

        let mut slipped = a.clone();
        slipped.baseline_start = Some(d(3, 1));
        slipped.baseline_end = Some(d(3, 18));
        assert_eq!(figures(&[slipped]), Health::AtRisk);

        // Ten days into a twenty-day project (expected 45 %) with nothing done.
        let mut behind = a.clone();
        behind.progress = 0;
        let short = project_figures(&[behind], ProjectStatus::Active, d(3, 1), d(3, 20), today);
        assert_eq!(short.expected_progress, 45);
        assert_eq!(short.health, Health::AtRisk);

        let overdue = activity(2, d(3, 1), d(3, 9), &[]);
        assert_eq!(figures(&[a.clone(), overdue]), Health::Late);

        let beyond_target = activity(3, d(4, 20), d(5, 5), &[]);
        assert_eq!(figures(&[a.clone(), beyond_target]), Health::Late);

        let closed = project_figures(
            &[activity(2, d(3, 1), d(3, 9), &[])],
            ProjectStatus::Closed,
            d(3, 1),
            d(4, 30),
            today,
        );
        assert_eq!(closed.health, Health::OnTrack);
    }

    #[test]
    fn next_milestone_is_the_earliest_unmet() {
        let mut m1 = activity(1, d(3, 5), d(3, 5), &[]);
        m1.kind = ItemKind::Milestone;
        m1.state = ItemState::Done;
        let mut m2 = activity(2, d(4, 5), d(4, 5), &[]);
        m2.kind = ItemKind::Milestone;
        m2.name = "Go-live".into();
        let f = project_figures(
            &[m1, m2],
            ProjectStatus::Active,
            d(3, 1),
            d(4, 30),
            d(3, 10),
        );
        assert_eq!(f.next_milestone, Some(("Go-live".into(), d(4, 5))));
    }

    #[test]
    fn phases_keep_their_first_appearance_order() {
        let mut items = vec![
            activity(1, d(3, 1), d(3, 2), &[]),
            activity(2, d(3, 1), d(3, 2), &[]),
            activity(3, d(3, 1), d(3, 2), &[]),
        ];
        items[0].phase = "Diseño".into();
        items[1].phase = "Migración".into();
        items[2].phase = "Diseño".into();
        let groups = group_by_phase(&items);
        assert_eq!(
            groups,
            vec![("Diseño".into(), vec![0, 2]), ("Migración".into(), vec![1])]
        );
    }
}
