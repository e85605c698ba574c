//! Server-side rendering of the Gantt chart for a 300-item project:
//! `cargo bench -p server --bench gantt_render`. Measures the pure layout and the whole SVG
//! component rendered to HTML (what SSR sends), at each time scale; prints p50/p95/max.

use app::domain::gantt::{layout, Scale};
use app::domain::project::{ItemKind, ItemState, PlanItem};
use app::i18n::Locale;
use app::projects::pages::gantt::{GanttInteraction, GanttSvg};
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use std::sync::Arc;
use std::time::Instant;

const ITEMS: usize = 300;
const ROUNDS: usize = 200;

/// 10 phases of 30 items: chained activities, a milestone closing each phase, every third item
/// slipped against its baseline, one in twenty blocked.
fn plan() -> Vec<PlanItem> {
    let origin = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let mut items = Vec::with_capacity(ITEMS);
    for n in 0..ITEMS {
        let phase = n / 30;
        let within = n % 30;
        let start = origin + Duration::days((phase * 25 + within) as i64);
        let milestone = within == 29;
        let end = if milestone {
            start
        } else {
            start + Duration::days(2 + (n % 7) as i64)
        };
        let slipped = n % 3 == 0;
        items.push(PlanItem {
            id: n as i64 + 1,
            kind: if milestone {
                ItemKind::Milestone
            } else {
                ItemKind::Activity
            },
            name: format!("Actividad {n} de la fase {phase}: migración de servicios"),
            phase: format!("Sprint {}", phase + 1),
            start,
            end,
            progress: (n % 11 * 10) as u8,
            state: if n % 20 == 7 {
                ItemState::Blocked
            } else {
                ItemState::InProgress
            },
            blocked_reason: (n % 20 == 7).then(|| "Esperando al proveedor".to_owned()),
            owner: Some("Andrés Agente".into()),
            baseline_start: Some(start),
            baseline_end: Some(if slipped {
                end - Duration::days(2)
            } else {
                end
            }),
            depends_on: if within > 0 {
                vec![n as i64]
            } else {
                Vec::new()
            },
        });
    }
    items
}

fn report(label: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{label:<34} p50 {:>7.2} ms   p95 {:>7.2} ms   max {:>7.2} ms",
        at(0.50),
        at(0.95),
        samples[samples.len() - 1]
    );
}

fn main() {
    let items = Arc::new(plan());
    let today = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap_or_default();
    println!("Gantt chart, {ITEMS} items, {ROUNDS} rounds per line");
    for scale in Scale::ALL {
        let mut layout_ms = Vec::with_capacity(ROUNDS);
        let mut render_ms = Vec::with_capacity(ROUNDS);
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let chart = layout(&items, scale, today);
            std::hint::black_box(&chart);
            layout_ms.push(t.elapsed().as_secs_f64() * 1000.0);

            let owner = Owner::new();
            let html = owner.with(|| {
                let t = Instant::now();
                let html = view! {
                    <GanttSvg items=items.clone() scale today locale=Locale::es interaction=GanttInteraction::new(true)/>
                }
                .to_html();
                render_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                html
            });
            bytes = html.len();
            assert!(html.contains("data-testid=\"gantt\""), "the chart rendered");
        }
        report(&format!("layout, {} scale", scale.as_str()), layout_ms);
        report(
            &format!(
                "SVG to HTML, {} scale ({} KiB)",
                scale.as_str(),
                bytes / 1024
            ),
            render_ms,
        );
    }
}
