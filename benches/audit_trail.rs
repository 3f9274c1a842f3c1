//! Benchmark of audit-trail verification: recomputing a chain of 1,000,000 events held in
//! memory (the store's part, reading them, is measured with the store). Figures and method:
//! BENCHMARKS.md.

use annex_core::audit_trail::{Draft, Event, GENESIS, verify};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

fn chain(n: i64) -> Vec<Event> {
    let mut prev = GENESIS;
    (1..=n)
        .map(|i| {
            let d = Draft {
                at_us: 1_790_000_000_000_000 + i * 1_000,
                actor: format!("user{}", i % 50),
                action: "record.update".into(),
                subject: format!("NC-{:05}", i % 20_000),
                before: Some(json!({"state": "reported", "severity": "minor"})),
                after: Some(json!({"state": "contained", "severity": "minor"})),
                reason: (i % 10 == 0).then(|| "containment done".to_string()),
            };
            let e = d.chain(i, prev);
            prev = e.hash;
            e
        })
        .collect()
}

fn verification(c: &mut Criterion) {
    let events = chain(1_000_000);
    let mut g = c.benchmark_group("audit trail");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("verify 1,000,000 events", |b| {
        b.iter(|| black_box(verify(&events)))
    });
    g.finish();
}

criterion_group!(benches, verification);
criterion_main!(benches);
