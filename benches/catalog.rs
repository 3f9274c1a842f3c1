//! Benchmarks of the catalog: parsing and validating every embedded file (what start-up does
//! once), and comparing every pair of current standards. Figures and method: BENCHMARKS.md.

use annex_core::Catalog;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn load(c: &mut Criterion) {
    c.bench_function("catalog load (parse + validate + derive anchors)", |b| {
        b.iter(|| black_box(Catalog::load_builtin().map(|c| c.standards().len())))
    });
}

fn compare(c: &mut Criterion) {
    let Ok(catalog) = Catalog::builtin() else {
        return;
    };
    let current: Vec<&str> = catalog
        .standards()
        .iter()
        .filter(|s| s.is_current())
        .map(|s| s.id.as_str())
        .collect();
    let pairs: Vec<[&str; 2]> = current
        .iter()
        .enumerate()
        .flat_map(|(i, a)| current[i + 1..].iter().map(move |b| [*a, *b]))
        .collect();
    c.bench_function(
        &format!("compare all {} pairs of current standards", pairs.len()),
        |b| {
            b.iter(|| {
                for pair in &pairs {
                    let _ = black_box(catalog.compare(pair));
                }
            })
        },
    );
    c.bench_function(
        &format!("compare all {} current standards at once", current.len()),
        |b| b.iter(|| black_box(catalog.compare(&current))),
    );
}

criterion_group!(benches, load, compare);
criterion_main!(benches);
