//! Throughput of the deadline engine: `cargo bench -p app --bench sla`.

use app::domain::sla::{first_response_due, Calendar};
use app::domain::{Priority, SupportPlan};
use chrono::{Duration, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn deadlines(c: &mut Criterion) {
    let calendar = Calendar::costa_rica(&[], &[]);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    // 1,000 instants spread over 2026 (every ~8.8 hours), all plans and priorities.
    let inputs: Vec<_> = (0..1000)
        .map(|i| {
            let plan = SupportPlan::ALL[i % 3];
            let priority = Priority::ALL[(i / 3) % 3];
            (plan, priority, start + Duration::minutes(i as i64 * 526))
        })
        .collect();
    let mut group = c.benchmark_group("sla");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("first_response_due x1000", |b| {
        b.iter(|| {
            for (plan, priority, received) in &inputs {
                black_box(first_response_due(
                    *plan,
                    *priority,
                    *received,
                    black_box(&calendar),
                ));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, deadlines);
criterion_main!(benches);
