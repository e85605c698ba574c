//! The Gantt chart as SVG: rendered on the server (it shows before WASM loads and prints well),
//! then interactive: focus or click shows an item's details; staff drag a bar (or use the arrow
//! keys) to propose new dates, which the page confirms with a dependency warning.

use super::{short_date, state_label};
use crate::domain::gantt::{
    layout, Row, Scale, BAR_HEIGHT, HEADER_HEIGHT, LABEL_WIDTH, ROW_HEIGHT,
};
use crate::domain::project::{ItemKind, ItemState, PlanItem};
use crate::i18n::*;
use crate::tickets::pages::month_name;
use chrono::{Datelike, Duration, NaiveDate};
use leptos::prelude::*;
use std::sync::Arc;

/// Dates staff are moving an item to, not saved yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingMove {
    pub id: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The state the chart shares with its page.
#[derive(Clone, Copy)]
pub struct GanttInteraction {
    pub selected: RwSignal<Option<i64>>,
    pub pending: RwSignal<Option<PendingMove>>,
    pub editable: bool,
}

impl GanttInteraction {
    pub fn new(editable: bool) -> Self {
        GanttInteraction {
            selected: RwSignal::new(None),
            pending: RwSignal::new(None),
            editable,
        }
    }
}

#[derive(Clone, Copy)]
struct Drag {
    id: i64,
    x0: f64,
    start: NaiveDate,
    end: NaiveDate,
    moved: bool,
}

fn tick_label(locale: Locale, scale: Scale, date: NaiveDate) -> String {
    match scale {
        Scale::Day => date.day().to_string(),
        Scale::Week => format!("{}/{:02}", date.day(), date.month()),
        Scale::Month => month_name(locale, date.month()).to_owned(),
    }
}

fn band_label(locale: Locale, scale: Scale, date: NaiveDate) -> String {
    match scale {
        Scale::Month => date.year().to_string(),
        _ => format!("{} {}", month_name(locale, date.month()), date.year()),
    }
}

fn clip(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Short text after a bar: the deviation in days and "blocked".
fn flag_text(locale: Locale, item: &PlanItem) -> String {
    let mut parts = Vec::new();
    if let Some(days) = item.deviation_days().filter(|d| *d != 0) {
        parts.push(format!("{days:+} d"));
    }
    if item.state == ItemState::Blocked {
        parts.push(td_string!(locale, projects.state_blocked).to_owned());
    }
    parts.join(" · ")
}

fn tooltip(locale: Locale, item: &PlanItem) -> String {
    let dates = if item.kind == ItemKind::Milestone {
        short_date(item.end)
    } else {
        format!("{} – {}", short_date(item.start), short_date(item.end))
    };
    format!(
        "{}\n{dates} · {} % · {}",
        item.name,
        item.progress,
        state_label(locale, item.state)
    )
}

#[component]
pub fn GanttSvg(
    items: Arc<Vec<PlanItem>>,
    scale: Scale,
    today: NaiveDate,
    locale: Locale,
    interaction: GanttInteraction,
) -> impl IntoView {
    let chart = layout(&items, scale, today);
    let (origin, px) = (chart.origin, scale.px_per_day());
    let x_of = move |d: NaiveDate| LABEL_WIDTH + (d - origin).num_days() as f64 * px;
    let (width, height) = (chart.width, chart.height);
    let GanttInteraction {
        selected,
        pending,
        editable,
    } = interaction;
    let drag = StoredValue::new(None::<Drag>);

    let grid = chart
        .ticks
        .iter()
        .map(|t| {
            view! {
                <line class="g-grid" x1=t.x x2=t.x y1=HEADER_HEIGHT / 2.0 y2=height/>
                <text class="g-tick" x=t.x + 3.0 y=HEADER_HEIGHT - 10.0>{tick_label(locale, scale, t.date)}</text>
            }
        })
        .collect_view();
    let bands = chart
        .bands
        .iter()
        .map(|b| {
            view! {
                <line class="g-band-line" x1=b.x x2=b.x y1=0 y2=height/>
                <text class="g-band" x=b.x + 4.0 y=15>{band_label(locale, scale, b.date)}</text>
            }
        })
        .collect_view();

    let rows = chart
        .rows
        .iter()
        .map(|row| match row {
            Row::Phase { name, y } => view! {
                <g class="g-phase-row">
                    <rect class="g-phase" x=0 y=*y width=width height=ROW_HEIGHT/>
                    <text class="g-phase-label" x=8 y=y + 21.0>{clip(name, 34)}</text>
                </g>
            }
            .into_any(),
            Row::Item { index, y } => {
                let item = &items[*index];
                let y = *y;
                let (id, kind, start0, end0) = (item.id, item.kind, item.start, item.end);
                let bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
                let mid_y = y + ROW_HEIGHT / 2.0;
                let current = move || {
                    pending.with(|p| match p {
                        Some(m) if m.id == id => (m.start, m.end),
                        _ => (start0, end0),
                    })
                };
                let bar_x = move || x_of(current().0);
                let bar_w = move || {
                    let (s, e) = current();
                    (x_of(e) + px - x_of(s)).max(2.0)
                };
                let progress = f64::from(item.progress.min(100)) / 100.0;
                let ghost = match (item.baseline_start, item.baseline_end) {
                    (Some(bs), Some(be)) if item.is_deviated() => Some(view! {
                        <rect class="g-baseline" x=x_of(bs) y=bar_y + BAR_HEIGHT + 1.0
                            width=(x_of(be) + px - x_of(bs)).max(2.0) height=4 rx=1/>
                    }),
                    _ => None,
                };
                let shape = match kind {
                    ItemKind::Activity => view! {
                        <rect class="g-bar" x=bar_x y=bar_y width=bar_w height=BAR_HEIGHT rx=3/>
                        <rect class="g-progress" x=bar_x y=bar_y width=move || bar_w() * progress height=BAR_HEIGHT rx=3/>
                    }
                    .into_any(),
                    ItemKind::Milestone => {
                        let d = move || {
                            let cx = bar_x() + px / 2.0;
                            format!(
                                "M{cx:.1} {:.1}L{:.1} {mid_y:.1}L{cx:.1} {:.1}L{:.1} {mid_y:.1}Z",
                                mid_y - 8.0,
                                cx + 8.0,
                                mid_y + 8.0,
                                cx - 8.0
                            )
                        };
                        view! { <path class="g-milestone" d=d/> }.into_any()
                    }
                };
                let flag = flag_text(locale, item);
                let flag_x = move || bar_x() + bar_w().max(px) + 6.0;
                let class = format!(
                    "g-item g-kind-{}{}{}{}",
                    kind.as_str(),
                    if item.state == ItemState::Blocked { " g-blocked" } else { "" },
                    if item.deviation_days().is_some_and(|d| d > 0) { " g-deviated" } else { "" },
                    if item.is_overdue(today) { " g-late" } else { "" },
                );
                let label = tooltip(locale, item).replace('\n', " · ");
                let on_down = move |ev: leptos::ev::PointerEvent| {
                    if !editable || ev.button() != 0 {
                        return;
                    }
                    let (start, end) = current();
                    drag.set_value(Some(Drag { id, x0: f64::from(ev.client_x()), start, end, moved: false }));
                    capture_pointer(&ev);
                };
                let on_move = move |ev: leptos::ev::PointerEvent| {
                    let Some(mut d) = drag.get_value().filter(|d| d.id == id) else {
                        return;
                    };
                    let days = ((f64::from(ev.client_x()) - d.x0) / px).round() as i64;
                    if days != 0 || d.moved {
                        d.moved = true;
                        drag.set_value(Some(d));
                        let shift = Duration::days(days);
                        pending.set(Some(PendingMove { id, start: d.start + shift, end: d.end + shift }));
                    }
                };
                let on_up = move |_ev: leptos::ev::PointerEvent| {
                    if let Some(d) = drag.get_value().filter(|d| d.id == id) {
                        drag.set_value(None);
                        let unchanged = pending.with_untracked(|p| {
                            p.is_none_or(|m| m.id == id && m.start == start0 && m.end == end0)
                        });
                        if !d.moved || unchanged {
                            pending.set(None);
                        }
                        selected.set(Some(id));
                    }
                };
                let on_key = move |ev: leptos::ev::KeyboardEvent| {
                    let step = match ev.key().as_str() {
                        "ArrowRight" => 1,
                        "ArrowLeft" => -1,
                        "Escape" => {
                            pending.set(None);
                            return;
                        }
                        "Enter" | " " => {
                            ev.prevent_default();
                            selected.set(Some(id));
                            return;
                        }
                        _ => return,
                    };
                    if !editable {
                        return;
                    }
                    ev.prevent_default();
                    let (start, end) = current();
                    let shift = Duration::days(step);
                    // Shift+arrow changes the length (end date); a milestone always moves whole.
                    let next = if ev.shift_key() && kind == ItemKind::Activity {
                        PendingMove { id, start, end: (end + shift).max(start) }
                    } else {
                        PendingMove { id, start: start + shift, end: end + shift }
                    };
                    let back_home = next.start == start0 && next.end == end0;
                    pending.set((!back_home).then_some(next));
                    selected.set(Some(id));
                };
                view! {
                    <g class=class data-item=id data-state=item.state.as_str() tabindex="0"
                        role="button" aria-label=label
                        class:g-selected=move || selected.get() == Some(id)
                        class:g-draggable=editable
                        class:g-moving=move || pending.with(|p| p.is_some_and(|m| m.id == id))
                        on:focus=move |_| selected.set(Some(id))
                        on:click=move |_| selected.set(Some(id))
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                        on:pointercancel=move |_| { drag.set_value(None); pending.set(None); }
                        on:keydown=on_key>
                        <title>{tooltip(locale, item)}</title>
                        <rect class="g-hit" x=LABEL_WIDTH y=y width=width - LABEL_WIDTH height=ROW_HEIGHT/>
                        <text class="g-label" x=14 y=y + 20.0>{clip(&item.name, 30)}</text>
                        {ghost}
                        {shape}
                        <text class="g-flag" x=flag_x y=y + 20.0>{flag}</text>
                    </g>
                }
                .into_any()
            }
        })
        .collect_view();

    let arrows = chart
        .arrows
        .iter()
        .map(|a| {
            let marker = if a.violated { "url(#g-arrow-bad)" } else { "url(#g-arrow)" };
            view! { <path class="g-arrow" class:g-arrow-bad=a.violated d=a.path.clone() marker-end=marker data-from=a.from data-to=a.to/> }
        })
        .collect_view();
    let today_line = chart.today_x.map(|x| {
        view! {
            <line class="g-today" x1=x x2=x y1=HEADER_HEIGHT - 6.0 y2=height/>
            <text class="g-today-label" x=x + 3.0 y=HEADER_HEIGHT - 24.0>{td_string!(locale, projects.today)}</text>
        }
    });
    let title = format!(
        "{} ({} {})",
        td_string!(locale, projects.chart),
        items.len(),
        td_string!(locale, projects.items_count)
    );

    view! {
        <svg class="gantt" xmlns="http://www.w3.org/2000/svg" width=width height=height
            viewBox=format!("0 0 {width:.0} {height:.0}") role="group" aria-label=title data-testid="gantt"
            data-px-per-day=px>
            <defs>
                <marker id="g-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                    <path d="M0 0L8 4L0 8Z" class="g-arrow-head"/>
                </marker>
                <marker id="g-arrow-bad" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                    <path d="M0 0L8 4L0 8Z" class="g-arrow-head-bad"/>
                </marker>
            </defs>
            <rect class="g-header" x=0 y=0 width=width height=HEADER_HEIGHT/>
            {grid}
            {bands}
            {rows}
            {arrows}
            {today_line}
            <line class="g-divider" x1=LABEL_WIDTH x2=LABEL_WIDTH y1=0 y2=height/>
        </svg>
    }
}

/// Keeps receiving pointer moves while dragging even when the pointer leaves the bar.
fn capture_pointer(ev: &leptos::ev::PointerEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
