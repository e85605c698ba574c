//! Gantt chart geometry: where every bar, milestone, arrow and tick goes. Pure arithmetic, so
//! the server renders the same SVG the browser later makes interactive.

use super::project::{group_by_phase, ItemKind, PlanItem};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;

/// Time scale of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Day,
    #[default]
    Week,
    Month,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Day, Scale::Week, Scale::Month];

    /// Query-string code (Spanish, as it shows in the address bar).
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Day => "dia",
            Scale::Week => "semana",
            Scale::Month => "mes",
        }
    }

    /// The most days one chart shows on this scale (about 22,000 px whatever the data): a
    /// plan reaching further is drawn clipped at the chart's edges.
    pub fn max_days(self) -> i64 {
        match self {
            Scale::Day => 2 * 366,
            Scale::Week => 6 * 366,
            Scale::Month => 20 * 366,
        }
    }

    pub fn px_per_day(self) -> f64 {
        match self {
            Scale::Day => 30.0,
            Scale::Week => 9.0,
            Scale::Month => 3.0,
        }
    }
}

impl FromStr for Scale {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Scale::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

pub const LABEL_WIDTH: f64 = 230.0;
pub const HEADER_HEIGHT: f64 = 44.0;
pub const ROW_HEIGHT: f64 = 32.0;
pub const BAR_HEIGHT: f64 = 18.0;
const MARGIN_DAYS: i64 = 3;

/// A row of the chart.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A phase heading.
    Phase { name: String, y: f64 },
    /// An item (index into the items given to [`layout`]).
    Item { index: usize, y: f64 },
}

/// A tick on the time axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub date: NaiveDate,
}

/// A finish-to-start arrow between two bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrow {
    pub from: i64,
    pub to: i64,
    /// SVG path data.
    pub path: String,
    pub violated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GanttLayout {
    pub scale: Scale,
    pub origin: NaiveDate,
    pub last_day: NaiveDate,
    pub width: f64,
    pub height: f64,
    pub rows: Vec<Row>,
    /// Minor ticks: days (day scale), Mondays (week scale) or months (month scale).
    pub ticks: Vec<Tick>,
    /// Month starts (day and week scales) or year starts (month scale), for the upper band.
    pub bands: Vec<Tick>,
    pub arrows: Vec<Arrow>,
    pub today_x: Option<f64>,
}

impl GanttLayout {
    /// Left edge of a day; days outside the chart are pinned to its edges.
    pub fn x_of(&self, date: NaiveDate) -> f64 {
        let last = (self.last_day - self.origin).num_days() + 1;
        let days = (date - self.origin).num_days().clamp(0, last);
        LABEL_WIDTH + days as f64 * self.scale.px_per_day()
    }

    /// Horizontal extent of an item (`end` inclusive; milestones get a point at mid-day).
    pub fn span_of(&self, start: NaiveDate, end: NaiveDate) -> (f64, f64) {
        let x = self.x_of(start);
        let right = (self.x_of(end) + self.scale.px_per_day()).min(self.width);
        let w = (right - x).max(2.0);
        (x, w)
    }

    /// The number of whole days a horizontal drag of `dx` pixels moves a bar.
    pub fn days_for(&self, dx: f64) -> i64 {
        (dx / self.scale.px_per_day()).round() as i64
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn next_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(date + Duration::days(31))
}

/// Lays out `items` (in plan order) on `scale`; `today` draws the today line when in range.
pub fn layout(items: &[PlanItem], scale: Scale, today: NaiveDate) -> GanttLayout {
    let dates = items.iter().flat_map(|i| {
        [Some(i.start), Some(i.end), i.baseline_start, i.baseline_end]
            .into_iter()
            .flatten()
    });
    let (min, max) = dates.fold((None::<NaiveDate>, None::<NaiveDate>), |(lo, hi), d| {
        (
            Some(lo.map_or(d, |l| l.min(d))),
            Some(hi.map_or(d, |h| h.max(d))),
        )
    });
    let (min, max) = (min.unwrap_or(today), max.unwrap_or(today));
    let (mut origin, mut last_day) = (
        min - Duration::days(MARGIN_DAYS),
        max + Duration::days(MARGIN_DAYS),
    );
    match scale {
        Scale::Day => {}
        Scale::Week => {
            // Start on a Monday so week ticks line up with the left edge.
            origin -= Duration::days(i64::from(origin.weekday().num_days_from_monday()));
            last_day += Duration::days(i64::from(6 - last_day.weekday().num_days_from_monday()));
        }
        Scale::Month => {
            origin = first_of_month(origin);
            last_day = next_month(last_day) - Duration::days(1);
        }
    }
    if (last_day - origin).num_days() >= scale.max_days() {
        // Too long to draw whole: the window starts a little before today when the plan
        // spans today, otherwise at the plan's start.
        let lead = scale.max_days() / 4;
        let wanted = if (origin..=last_day).contains(&today) {
            today - Duration::days(lead)
        } else {
            origin
        };
        origin = wanted.max(origin);
        last_day = origin + Duration::days(scale.max_days() - 1);
    }
    let days = (last_day - origin).num_days() + 1;
    let width = LABEL_WIDTH + days as f64 * scale.px_per_day();

    let mut rows = Vec::with_capacity(items.len() + 8);
    let mut y = HEADER_HEIGHT;
    let mut row_y: HashMap<i64, (usize, f64)> = HashMap::with_capacity(items.len());
    for (phase, members) in group_by_phase(items) {
        if !phase.is_empty() {
            rows.push(Row::Phase { name: phase, y });
            y += ROW_HEIGHT;
        }
        for index in members {
            rows.push(Row::Item { index, y });
            row_y.insert(items[index].id, (index, y));
            y += ROW_HEIGHT;
        }
    }
    let height = y + 8.0;

    let mut chart = GanttLayout {
        scale,
        origin,
        last_day,
        width,
        height,
        rows,
        ticks: Vec::new(),
        bands: Vec::new(),
        arrows: Vec::new(),
        today_x: None,
    };

    let mut day = origin;
    while day <= last_day {
        let minor = match scale {
            Scale::Day => true,
            Scale::Week => day.weekday() == Weekday::Mon,
            Scale::Month => day.day() == 1,
        };
        if minor {
            chart.ticks.push(Tick {
                x: chart.x_of(day),
                date: day,
            });
        }
        let band = match scale {
            Scale::Month => day.ordinal() == 1,
            _ => day.day() == 1,
        };
        if band || day == origin {
            chart.bands.push(Tick {
                x: chart.x_of(day),
                date: day,
            });
        }
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }

    if (origin..=last_day).contains(&today) {
        chart.today_x = Some(chart.x_of(today) + scale.px_per_day() / 2.0);
    }

    for item in items {
        let Some(&(_, to_y)) = row_y.get(&item.id) else {
            continue;
        };
        for dep in &item.depends_on {
            let Some(&(pred_index, from_y)) = row_y.get(dep) else {
                continue;
            };
            let pred = &items[pred_index];
            let (px, pw) = chart.span_of(pred.start, pred.end);
            let x1 = match pred.kind {
                ItemKind::Milestone => px + pw / 2.0 + 6.0,
                ItemKind::Activity => px + pw,
            };
            let y1 = from_y + ROW_HEIGHT / 2.0;
            let x2 = chart.x_of(item.start);
            let y2 = to_y + ROW_HEIGHT / 2.0;
            let path = if x2 >= x1 + 12.0 {
                format!("M{x1:.1} {y1:.1}H{:.1}V{y2:.1}H{x2:.1}", x1 + 6.0)
            } else {
                // Not enough room: drop between the rows and come back from the left.
                let mid = if y2 > y1 { to_y } else { to_y + ROW_HEIGHT };
                format!(
                    "M{x1:.1} {y1:.1}H{:.1}V{mid:.1}H{:.1}V{y2:.1}H{x2:.1}",
                    x1 + 6.0,
                    x2 - 8.0
                )
            };
            chart.arrows.push(Arrow {
                from: *dep,
                to: item.id,
                path,
                violated: item.start < pred.free_from(),
            });
        }
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::ItemState;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn item(id: i64, phase: &str, start: NaiveDate, end: NaiveDate, deps: &[i64]) -> PlanItem {
        PlanItem {
            id,
            kind: ItemKind::Activity,
            name: format!("A{id}"),
            phase: phase.into(),
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
    fn week_scale_starts_on_a_monday_with_margin() {
        // 2026-03-04 is a Wednesday; minus 3 days margin = Sunday 1st → Monday 23 Feb.
        let chart = layout(&[item(1, "", d(3, 4), d(3, 10), &[])], Scale::Week, d(3, 5));
        assert_eq!(chart.origin, NaiveDate::from_ymd_opt(2026, 2, 23).unwrap());
        assert_eq!(chart.origin.weekday(), Weekday::Mon);
        assert_eq!(chart.last_day.weekday(), Weekday::Sun);
        assert!(chart.ticks.iter().all(|t| t.date.weekday() == Weekday::Mon));
        assert!(chart.today_x.is_some());
    }

    #[test]
    fn bars_cover_whole_days() {
        let chart = layout(&[item(1, "", d(3, 4), d(3, 6), &[])], Scale::Day, d(1, 1));
        let (x, w) = chart.span_of(d(3, 4), d(3, 6));
        assert_eq!(x, LABEL_WIDTH + 3.0 * 30.0);
        assert_eq!(w, 90.0);
        assert_eq!(chart.today_x, None);
        assert_eq!(chart.days_for(44.0), 1);
        assert_eq!(chart.days_for(-50.0), -2);
    }

    #[test]
    fn phases_get_heading_rows() {
        let items = vec![
            item(1, "Diseño", d(3, 1), d(3, 2), &[]),
            item(2, "Migración", d(3, 3), d(3, 4), &[1]),
            item(3, "Diseño", d(3, 3), d(3, 4), &[]),
        ];
        let chart = layout(&items, Scale::Day, d(3, 1));
        let kinds: Vec<String> = chart
            .rows
            .iter()
            .map(|r| match r {
                Row::Phase { name, .. } => name.clone(),
                Row::Item { index, .. } => items[*index].id.to_string(),
            })
            .collect();
        assert_eq!(kinds, ["Diseño", "1", "3", "Migración", "2"]);
        assert_eq!(chart.height, HEADER_HEIGHT + 5.0 * ROW_HEIGHT + 8.0);
        assert_eq!(chart.arrows.len(), 1);
        assert!(!chart.arrows[0].violated);
    }

    #[test]
    fn violated_dependencies_are_flagged() {
        let items = vec![
            item(1, "", d(3, 1), d(3, 5), &[]),
            item(2, "", d(3, 4), d(3, 8), &[1]),
        ];
        let chart = layout(&items, Scale::Week, d(3, 1));
        assert!(chart.arrows[0].violated);
    }

    #[test]
    fn month_scale_spans_whole_months() {
        let chart = layout(
            &[item(1, "", d(3, 10), d(5, 20), &[])],
            Scale::Month,
            d(3, 1),
        );
        assert_eq!(chart.origin, d(3, 1));
        assert_eq!(chart.last_day, d(5, 31));
        assert_eq!(chart.ticks.len(), 3);
    }

    #[test]
    fn charts_are_bounded_whatever_the_dates() {
        let far = item(
            1,
            "",
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
            &[],
        );
        for scale in Scale::ALL {
            let chart = layout(std::slice::from_ref(&far), scale, d(3, 1));
            assert!(chart.width <= 23_000.0, "{scale:?}: {}", chart.width);
            assert!(chart.ticks.len() <= 800, "{scale:?}: {}", chart.ticks.len());
            let (x, w) = chart.span_of(far.start, far.end);
            assert!(x >= LABEL_WIDTH && x + w <= chart.width + 1.0, "{scale:?}");
        }
    }

    #[test]
    fn empty_plans_still_lay_out() {
        let chart = layout(&[], Scale::Week, d(3, 1));
        assert!(chart.rows.is_empty());
        assert!(chart.width > LABEL_WIDTH);
    }
}
