//! Benchmarks of the catalog: parsing and validating every embedded file (what start-up does
//! once), comparing every pair of current standards, and importing the largest fixture (the
//! SP 800-53 LOW catalog, 2.6 MB: parsed, then joined to the built-in catalog). Figures and
//! method: BENCHMARKS.md.

use annex_core::Catalog;
use annex_core::import::{self, Context, Imported, Options};
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

/// The largest fixture, read from `../shared/fixtures` (skipped when it is not there).
const LOW_CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/oscal/nist-oscal-content/sp800-53-rev5/",
    "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
);

/// The largest YAML fixture (CISO Assistant files are read in place, never copied).
const CISO_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/ciso-assistant/iso27001-2022.yaml"
);

fn import_low(c: &mut Criterion) {
    let (Ok(bytes), Ok(builtin)) = (std::fs::read(LOW_CATALOG), Catalog::builtin()) else {
        eprintln!("skipped: {LOW_CATALOG} not found");
        return;
    };
    let ctx = Context {
        catalog: builtin,
        frameworks: &[],
    };
    let options = Options::default();
    let mut group = c.benchmark_group("import");
    group.sample_size(30);
    group.bench_function("parse the SP 800-53 LOW catalog (2.6 MB)", |b| {
        b.iter(|| black_box(import::parse("low.json", &bytes, ctx, &options).map(|i| i.id().len())))
    });
    group.bench_function("parse it and join it to the built-in catalog", |b| {
        b.iter(|| {
            let Ok(Imported::Framework(f)) = import::parse("low.json", &bytes, ctx, &options)
            else {
                return 0;
            };
            black_box(
                builtin
                    .with_imports(vec![f.to_standard()], Vec::new())
                    .map(|c| c.standards().len())
                    .unwrap_or(0),
            )
        })
    });
    if let Ok(yaml) = std::fs::read(CISO_2022) {
        group.bench_function(
            "parse the CISO Assistant ISO/IEC 27001:2022 library (604 KB YAML)",
            |b| {
                b.iter(|| {
                    black_box(
                        import::parse("iso27001-2022.yaml", &yaml, ctx, &options)
                            .map(|i| i.id().len()),
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, load, compare, import_low);
criterion_main!(benches);
