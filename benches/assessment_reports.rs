//! Benchmarks of an assessment's reports: an assessment over the six current standards
//! (ISO 9001, ISO 13485, ISO 14001, ISO 45001, ISO/IEC 27001:2022, ISO 56002) with every item
//! answered, rendered as the printed report (PDF, charts included), the workbook, the CSV and
//! OSCAL assessment results. Figures and method: BENCHMARKS.md, "Assessment reports".

use annex_report::assessment::{csv, oscal, printed, report_over, xlsx};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const SIX: [&str; 6] = [
    "iso9001:2015",
    "iso13485:2016",
    "iso14001:2015",
    "iso45001:2018",
    "iso27001:2022",
    "iso56002:2019",
];

fn reports(c: &mut Criterion) {
    let report = report_over(&SIX, true);
    let items = report.rows.len();
    let mut g = c.benchmark_group("assessment report");
    // A PDF takes the better part of a second; ten samples keep the run to minutes.
    g.sample_size(10);
    // typst memoises layout within a process: the same document twice costs far less the
    // second time. Each PDF here is of a report that differs from the last (another time
    // made, another note), as the reports a server makes do.
    let mut n = 0u32;
    g.bench_function(format!("PDF, six standards, {items} items answered"), |b| {
        b.iter_batched(
            || {
                n += 1;
                let mut r = report.clone();
                r.generated_at = format!("2026-11-22T{:02}:{:02}:00Z", n / 60 % 24, n % 60);
                r.rows[0].notes = format!("Seen again, visit {n}.");
                r
            },
            |r| black_box(annex_pdf::assessment(&printed(&r)).map(|p| p.len())),
            BatchSize::LargeInput,
        )
    });
    g.bench_function(
        format!("XLSX, six standards, {items} items answered"),
        |b| b.iter(|| black_box(xlsx(&report).map(|x| x.len()))),
    );
    g.bench_function(
        format!("OSCAL JSON, six standards, {items} items answered"),
        |b| b.iter(|| black_box(serde_json::to_vec(&oscal(&report)).map(|x| x.len()))),
    );
    g.bench_function(format!("CSV, six standards, {items} items answered"), |b| {
        b.iter(|| black_box(csv(&report).map(|x| x.len())))
    });
    g.bench_function("charts: readiness bars, heat map, trend", |b| {
        b.iter(|| {
            black_box((
                annex_report::chart::readiness_bars(&report.readiness),
                annex_report::chart::heat_map(&report.plan, &report.readiness),
                annex_report::chart::readiness_trend(&report.plan, &report.trend),
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, reports);
criterion_main!(benches);
