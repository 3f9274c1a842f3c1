//! Benchmark of the records kernel on each backend (SQLite always; PostgreSQL when
//! `ANNEX_TEST_DATABASE_URL` names a server): record creation with its audit event, one list
//! page at 100,000 records, the export of that register to XLSX and CSV and of one record to
//! PDF, and verification of a 1,000,000-event audit trail read from the database. A plain
//! program rather than criterion: each figure needs a large database built first, and the
//! quantities wanted are throughput and latency percentiles. Figures and method:
//! BENCHMARKS.md.
//!
//!     cargo bench --bench records
//!     ANNEX_BENCH=export cargo bench --bench records    # the exports alone
//!
//! `ANNEX_BENCH=reminders` runs the due-date engine over 1,000,000 records instead: the
//! digest's sweep and classification, a register's overdue list and a person's counts.
//!
//! `ANNEX_BENCH=registers` fills every kind's register to 100,000 records in turn (values made
//! from each kind's declaration) and measures its list pages and its XLSX export;
//! `ANNEX_BENCH=registers:risk,supplier` does only the kinds named.
//!
//! `ANNEX_BENCH=import` imports the largest fixture (the SP 800-53 LOW catalog, 2.6 MB)
//! through the app into a fresh database, several times, and reads the catalog with it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use annex_app::accounts::NewAccount;
use annex_app::records::{ListQuery, NewRecord};
use annex_app::{App, Principal};
use annex_core::audit_trail::Draft;
use annex_store::records::Content;
use annex_store::testing::{self, TestDb};
use annex_store::{Durability, Store};
use serde_json::json;

const LIST_AT: i64 = 100_000;
/// Records for the reminders mode; `ANNEX_BENCH_RECORDS` changes it (a quick check).
fn reminders_at() -> i64 {
    std::env::var("ANNEX_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}
const OWNERS: i64 = 1_000;
const EVENTS: i64 = 1_000_000;

fn nc(i: i64) -> NewRecord {
    let mut fields = serde_json::Map::new();
    fields.insert(
        "severity".into(),
        json!(["minor", "major", "critical"][(i % 3) as usize]),
    );
    fields.insert(
        "description".into(),
        json!(format!("Deviation {i} found on line {}", i % 7)),
    );
    NewRecord {
        kind: "nonconformity".into(),
        title: format!("Nonconformity {i}: torque out of tolerance"),
        due_on: Some(format!("2027-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
        fields,
        ..NewRecord::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Fills the database up to `target` records with rows written in large transactions (the
/// shape of what the app writes, without one transaction per record), each with its event.
async fn fill(store: &Store, from: i64, target: i64) {
    let mut i = from;
    while i < target {
        let mut tx = store.begin().await.unwrap();
        for _ in 0..5_000.min(target - i) {
            i += 1;
            let seq = tx.next_seq("nonconformity").await.unwrap();
            let number = format!("NC-{seq:04}");
            let r = nc(i);
            let fields = serde_json::Value::Object(r.fields.clone()).to_string();
            let state = ["reported", "contained", "investigated", "closed"][(i % 4) as usize];
            let c = Content {
                title: &r.title,
                state,
                owner_id: Some(1),
                site: if i % 2 == 0 { "north" } else { "south" },
                due_on: r.due_on.as_deref(),
                remind_on: r.due_on.as_deref(),
                fields: &fields,
                search_text: &format!("{number} {} {fields}", r.title),
            };
            let id = tx
                .insert_record(
                    "nonconformity",
                    seq,
                    &number,
                    &c,
                    1_790_000_000_000_000 + i,
                    Some(1),
                )
                .await
                .unwrap();
            tx.insert_version(
                id,
                1,
                &c,
                1_790_000_000_000_000 + i,
                Some(1),
                &"0".repeat(64),
            )
            .await
            .unwrap();
            tx.audit(Draft {
                at_us: 1_790_000_000_000_000 + i,
                actor: "admin".into(),
                action: "record.create".into(),
                subject: number,
                before: None,
                after: Some(json!({"title": r.title})),
                reason: None,
            });
        }
        tx.commit().await.unwrap();
    }
}

async fn events(store: &Store, n: i64) {
    let (mut done, _) = store.audit_head().await.unwrap();
    while done < n {
        let mut tx = store.begin().await.unwrap();
        for _ in 0..20_000.min(n - done) {
            done += 1;
            tx.audit(Draft {
                at_us: 1_790_000_000_000_000 + done,
                actor: format!("user{}", done % 50),
                action: "record.update".into(),
                subject: format!("NC-{:05}", done % 20_000),
                before: Some(json!({"state": "reported"})),
                after: Some(json!({"state": "contained"})),
                reason: None,
            });
        }
        tx.commit().await.unwrap();
    }
}

/// Creations a second through the app layer, by one writer and by 8 and 32 concurrent ones
/// (a server's requests; on SQLite these share syncs through group commit). Returns how many
/// records were created.
async fn create_rates(name: &str, app: &App, who: &Principal) -> i64 {
    let n = 3_000;
    let mut made = 0;
    for writers in [1, 8, 32] {
        let t = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..writers {
            let (app, who) = (app.clone(), who.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..n / writers {
                    annex_app::records::create(&app, &who, nc(w * 100_000 + i))
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let done = n / writers * writers;
        made += done;
        println!(
            "{name}: create {done} records, {writers} concurrent writer(s): {:.0}/s",
            done as f64 / t.elapsed().as_secs_f64()
        );
    }
    made
}

/// Resident memory of this process in KiB: now, and the peak since the last [`reset_peak`].
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts a new peak for [`memory_kib`] (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The register at 100,000 records exported whole to XLSX and CSV, and a filtered quarter of
/// it; then one record to PDF, the first time (fonts parsed) and after.
async fn exports(name: &str, app: &App, who: &Principal) {
    use annex_core::export::Format;
    use annex_report::export::File;
    let cases = [
        ("whole register", Format::Xlsx, None),
        ("whole register", Format::Csv, None),
        ("state filter (a quarter)", Format::Xlsx, Some("contained")),
    ];
    for (label, format, state) in cases {
        for _ in 0..2 {
            reset_peak();
            let (before, _) = memory_kib();
            let t = Instant::now();
            let mut file = File::new(format).unwrap();
            let q = ListQuery {
                kind: Some("nonconformity".into()),
                state: state.map(|s| vec![s.to_string()]).unwrap_or_default(),
                ..ListQuery::default()
            };
            let done = annex_app::export::register(app, who, q, &mut file)
                .await
                .unwrap();
            let rows_at = t.elapsed();
            let bytes = file.finish().unwrap();
            let total = t.elapsed();
            let (_, peak) = memory_kib();
            println!(
                "{name}: export {} rows ({label}) to {}: {:.2} s (rows written in {:.2} s), {:.1} MB file, peak memory +{:.0} MB",
                done.rows,
                format.as_str(),
                total.as_secs_f64(),
                rows_at.as_secs_f64(),
                bytes.len() as f64 / 1e6,
                peak.saturating_sub(before) as f64 / 1024.0
            );
        }
    }
    for round in ["first", "second", "third"] {
        let t = Instant::now();
        let data = annex_app::export::record(app, who, "NC-0042")
            .await
            .unwrap();
        let read = t.elapsed();
        let pdf = annex_pdf::record(&data).unwrap();
        println!(
            "{name}: record NC-0042 to PDF ({round}): {:.0} ms ({:.0} ms reading and auditing), {} KB",
            ms(t.elapsed()),
            ms(read),
            pdf.len() / 1000
        );
    }
}

/// Field values for record `i` of `kind`, made from its declaration: every field a user may
/// fill, filled (long text at a paragraph's length, tables at three rows), then computed
/// fields computed, so each register's rows weigh what real ones do.
fn sample_fields(
    kind: &annex_core::kinds::Kind,
    i: i64,
) -> serde_json::Map<String, serde_json::Value> {
    use annex_core::kinds::{DeriveCtx, Field, FieldType};
    fn value(f: &Field, i: i64) -> serde_json::Value {
        match f.ty {
            FieldType::Text { max } => {
                let t = format!("{} {i} on line {}", f.label, i % 7);
                json!(t.chars().take(max).collect::<String>())
            }
            FieldType::LongText { max } => {
                let t = format!(
                    "{} for record {i}: found during the routine check on line {}; the \
                     operator stopped the batch, the supervisor was told and the parts \
                     were quarantined pending review.",
                    f.label,
                    i % 7
                );
                json!(t.chars().take(max).collect::<String>())
            }
            FieldType::Integer { min, max } | FieldType::Number { min, max } => {
                json!(min + i.rem_euclid(max - min + 1))
            }
            FieldType::Date => json!(format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
            FieldType::Choice(cs) => json!(cs[(i as usize) % cs.len()].value),
            FieldType::Bool => json!(i % 2 == 0),
            // The bench writes below the app layer, which is what checks that they exist.
            FieldType::Ref(annex_core::kinds::Ref::User) => json!("admin"),
            FieldType::Ref(annex_core::kinds::Ref::Record(kind)) => json!(
                annex_core::kinds::get(kind).map_or_else(String::new, |k| k.number(1 + i % 50))
            ),
            FieldType::Rows { columns, max } => json!(
                (0..3.min(max as i64))
                    .map(|r| {
                        columns
                            .iter()
                            .map(|c| (c.name.to_string(), value(c, i + r)))
                            .collect::<serde_json::Map<_, _>>()
                    })
                    .collect::<Vec<_>>()
            ),
        }
    }
    // Values that break a rule across fields (a treatment that does not suit the risk's
    // type) are tried again shifted, so every register fills whatever its rules.
    let settings = annex_core::settings::Settings::default();
    for shift in 0..20 {
        let fields: serde_json::Map<_, _> = kind
            .fields
            .iter()
            .filter(|f| !f.system)
            .enumerate()
            .map(|(n, f)| (f.name.to_string(), value(f, i + shift * (n as i64 + 1))))
            .collect();
        if let Ok(mut fields) = kind.validate(&fields, true)
            && kind
                .compute(&mut fields, &DeriveCtx::new("2026-11-22", &settings))
                .is_ok()
        {
            return fields;
        }
    }
    panic!("{}: no sample fields pass its rules", kind.id)
}

/// Each register at [`LIST_AT`] records of its kind: list pages and the XLSX export.
async fn registers(name: &str, db: TestDb, only: &[String]) {
    use annex_core::export::Format;
    use annex_report::export::File;
    let app = App::with_store(db.store.clone()).unwrap();
    let who = admin(&app).await;
    // `ANNEX_BENCH_RECORDS` makes it a quick check.
    let at = std::env::var("ANNEX_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(LIST_AT);
    for kind in annex_core::kinds::all()
        .iter()
        .filter(|k| only.is_empty() || only.iter().any(|o| o == k.id))
    {
        let t = Instant::now();
        // A hundred distinct records, states in turn, repeated to the count in one statement.
        let samples: Vec<(String, String)> = (0..100)
            .map(|i| {
                let state = kind.states[(i as usize) % kind.states.len()].id.to_string();
                let fields = serde_json::Value::Object(sample_fields(kind, i)).to_string();
                (state, fields)
            })
            .collect();
        db.store
            .bench_fill_kind(kind.id, kind.prefix, at, &samples)
            .await
            .unwrap();
        db.store.analyze().await.unwrap();
        let filled = t.elapsed().as_secs_f64();
        let mut line = format!("{name}: {} ({filled:.0} s to fill)", kind.plural);
        let some_state = kind.states[1 % kind.states.len()].id;
        for (label, q) in [
            (
                "newest first",
                ListQuery {
                    kind: Some(kind.id.into()),
                    ..ListQuery::default()
                },
            ),
            (
                "one state, due order",
                ListQuery {
                    kind: Some(kind.id.into()),
                    state: vec![some_state.into()],
                    sort: Some("due".into()),
                    ..ListQuery::default()
                },
            ),
        ] {
            let mut times = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                let page = annex_app::records::list(&app, &who, q.clone())
                    .await
                    .unwrap();
                times.push(t.elapsed());
                assert!(!page.items.is_empty());
            }
            times.sort();
            line += &format!(
                "; list ({label}) p50 {:.2} ms, p99 {:.2} ms",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.99))
            );
        }
        let t = Instant::now();
        let mut file = File::new(Format::Xlsx).unwrap();
        let q = ListQuery {
            kind: Some(kind.id.into()),
            ..ListQuery::default()
        };
        let done = annex_app::export::register(&app, &who, q, &mut file)
            .await
            .unwrap();
        let bytes = file.finish().unwrap();
        line += &format!(
            "; XLSX of {} rows {:.2} s, {:.1} MB",
            done.rows,
            t.elapsed().as_secs_f64(),
            bytes.len() as f64 / 1e6
        );
        println!("{line}");
    }
}

/// The first administrator of a new database.
async fn admin(app: &App) -> Principal {
    annex_app::accounts::setup(
        app,
        NewAccount {
            username: "admin".into(),
            display_name: "Ada Admin".into(),
            password: "correct horse battery staple".into(),
            ..NewAccount::default()
        },
    )
    .await
    .unwrap()
}

async fn bench(name: &str, db: TestDb) {
    let app = App::with_store(db.store.clone()).unwrap();
    let admin = admin(&app).await;
    let who = admin;

    // Creation through the app layer: validation, number, record, version, audit event.
    let n = create_rates(name, &app, &who).await;
    let have = n;
    let t = Instant::now();
    fill(&db.store, have, LIST_AT).await;
    // As `annex serve` does at start (PostgreSQL's autovacuum would also get to it).
    db.store.analyze().await.unwrap();
    println!(
        "{name}: filled to {LIST_AT} records in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let queries: [(&str, ListQuery); 7] = [
        (
            "first page, newest first",
            ListQuery {
                kind: Some("nonconformity".into()),
                ..ListQuery::default()
            },
        ),
        (
            "state filter, due order",
            ListQuery {
                kind: Some("nonconformity".into()),
                state: vec!["contained".into()],
                sort: Some("due".into()),
                ..ListQuery::default()
            },
        ),
        (
            "open only, site filter",
            ListQuery {
                kind: Some("nonconformity".into()),
                site: Some("north".into()),
                open: true,
                ..ListQuery::default()
            },
        ),
        (
            "title order",
            ListQuery {
                kind: Some("nonconformity".into()),
                sort: Some("title".into()),
                ..ListQuery::default()
            },
        ),
        (
            "my tasks: my open records, due order",
            ListQuery {
                owner: Some("me".into()),
                open: true,
                sort: Some("due".into()),
                ..ListQuery::default()
            },
        ),
        (
            "full-text search for one record's words",
            ListQuery {
                q: Some("deviation 77777".into()),
                ..ListQuery::default()
            },
        ),
        (
            "full-text search matching every record",
            ListQuery {
                q: Some("torque line".into()),
                ..ListQuery::default()
            },
        ),
    ];
    for (label, q) in queries {
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let page = annex_app::records::list(&app, &who, q.clone())
                .await
                .unwrap();
            times.push(t.elapsed());
            assert!(!page.items.is_empty());
        }
        times.sort();
        println!(
            "{name}: list page of 50 at {LIST_AT} records ({label}): p50 {:.2} ms, p99 {:.2} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }

    // Deep pages: walk 200 pages of 50 in due order by their cursors.
    let mut times = Vec::new();
    let mut cursor = None;
    for _ in 0..200 {
        let q = ListQuery {
            kind: Some("nonconformity".into()),
            sort: Some("due".into()),
            cursor: cursor.take(),
            ..ListQuery::default()
        };
        let t = Instant::now();
        let page = annex_app::records::list(&app, &who, q).await.unwrap();
        times.push(t.elapsed());
        cursor = page.next;
    }
    times.sort();
    println!(
        "{name}: pages 1 to 200 of 50 at {LIST_AT} records (due order, by cursor): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    exports(name, &app, &who).await;

    let t = Instant::now();
    events(&db.store, EVENTS).await;
    println!(
        "{name}: wrote the audit trail up to {EVENTS} events in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for _ in 0..3 {
        let t = Instant::now();
        let v = db.store.verify().await.unwrap();
        let s = t.elapsed().as_secs_f64();
        assert!(v.broken.is_none());
        println!(
            "{name}: verify {} events from the database: {:.2} s, {:.2} M events/s",
            v.checked,
            s,
            v.checked as f64 / s / 1e6
        );
    }
}

/// The due-date engine over [`reminders_at`] records owned by [`OWNERS`] people.
/// The largest fixture, read from `../shared/fixtures`.
const LOW_CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/oscal/nist-oscal-content/sp800-53-rev5/",
    "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
);

/// Imports the LOW catalog into seven fresh databases made by `fresh`: the import (read,
/// check against the catalog, store with its audit event, commit), then the first read of
/// the catalog with it (rebuilt: the imports changed) and a second (cached: one query).
async fn import_low<F: std::future::Future<Output = TestDb>>(name: &str, fresh: impl Fn() -> F) {
    let bytes = std::fs::read(LOW_CATALOG).unwrap();
    let options = annex_core::import::Options::default();
    let (mut import, mut first, mut cached) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let db = fresh().await;
        let app = App::with_store(db.store.clone()).unwrap();
        // The catalog as it was before the import, as a running server has it.
        annex_app::frameworks::catalog(&app).await.unwrap();
        let t = Instant::now();
        let o =
            annex_app::frameworks::import(&app, &Principal::system(), "low.json", &bytes, &options)
                .await
                .unwrap();
        import.push(t.elapsed());
        assert_eq!(o.summary.assessable, 149);
        let t = Instant::now();
        let c = annex_app::frameworks::catalog(&app).await.unwrap();
        first.push(t.elapsed());
        assert!(c.get(&o.summary.id).is_some());
        let t = Instant::now();
        annex_app::frameworks::catalog(&app).await.unwrap();
        cached.push(t.elapsed());
        app.close().await;
    }
    for (what, times) in [
        ("import of the LOW catalog (2.6 MB)", &mut import),
        ("first catalog read after it (rebuilt)", &mut first),
        ("later catalog reads (cached)", &mut cached),
    ] {
        times.sort();
        println!(
            "{name}: {what}: median {:.1} ms (min {:.1}, max {:.1}, {} runs)",
            ms(percentile(times, 0.5)),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len()
        );
    }
}

async fn reminders(name: &str, db: TestDb) {
    let n = reminders_at();
    let today = annex_app::clock::today();
    let t = Instant::now();
    db.store
        .bench_fill_reminders(n, OWNERS, &today)
        .await
        .unwrap();
    db.store.analyze().await.unwrap();
    println!(
        "{name}: filled to {n} records in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let app = App::with_store(db.store.clone()).unwrap();
    let window = annex_app::reminders::window(&app).unwrap();

    // The sweep alone (SQL), then sweep and classification as the digest does it.
    let terminal: Vec<String> = vec!["closed".into(), "obsolete".into()];
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        rows = db
            .store
            .reminders(&window.horizon(), &terminal)
            .await
            .unwrap()
            .len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name}: sweep of records due up to {} ({rows} rows): median {:.0} ms, best {:.0} ms",
        window.horizon(),
        ms(percentile(&times, 0.5)),
        ms(times[0])
    );
    let mut times = Vec::new();
    let (mut people, mut items, mut overdue) = (0, 0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        let digests = annex_app::reminders::collect(&app, &window, "https://annex.example.com")
            .await
            .unwrap();
        times.push(t.elapsed());
        people = digests.len();
        items = digests.iter().map(|d| d.items.len()).sum::<usize>();
        overdue = digests
            .iter()
            .flat_map(|d| &d.items)
            .filter(|i| i.urgency == annex_core::reminders::Urgency::Overdue)
            .count();
    }
    times.sort();
    println!(
        "{name}: digests of {people} people, {items} records ({overdue} overdue), \
         sweep and classification: median {:.0} ms, best {:.0} ms",
        ms(percentile(&times, 0.5)),
        ms(times[0])
    );

    let admin = Principal::system();
    let user1 = Principal {
        id: 1,
        username: "user1".into(),
        display_name: "User 1".into(),
        role: annex_core::role::Role::Contributor,
        ..Principal::system()
    };
    let queries = [
        (
            "a register's overdue list, recently changed first",
            &admin,
            ListQuery {
                kind: Some("nonconformity".into()),
                due: Some("overdue".into()),
                ..ListQuery::default()
            },
        ),
        (
            "a register's overdue list, due order",
            &admin,
            ListQuery {
                kind: Some("nonconformity".into()),
                due: Some("overdue".into()),
                sort: Some("due".into()),
                ..ListQuery::default()
            },
        ),
        (
            "one person's records due soon",
            &user1,
            ListQuery {
                owner: Some("me".into()),
                due: Some("soon".into()),
                ..ListQuery::default()
            },
        ),
    ];
    for (label, who, q) in queries {
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let page = annex_app::records::list(&app, who, q.clone())
                .await
                .unwrap();
            times.push(t.elapsed());
            assert!(who.id == 1 || !page.items.is_empty());
        }
        times.sort();
        println!(
            "{name}: {label}, page of 50 with its count at {n} records: p50 {:.2} ms, p99 {:.2} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        for u in ["overdue", "today", "soon"] {
            let q = ListQuery {
                owner: Some("me".into()),
                due: Some(u.into()),
                ..ListQuery::default()
            };
            annex_app::records::count(&app, &user1, q).await.unwrap();
        }
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name}: My tasks' three counts (overdue, today, soon) at {n} records: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

fn main() {
    // `cargo bench` passes --bench; this program takes no options.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        // `ANNEX_BENCH=verify:PATH` verifies a 1,000,000-event SQLite chain kept at PATH
        // (written on first use), for profiling; `verify:postgres://...` one in that database.
        if let Some(path) = std::env::var("ANNEX_BENCH")
            .ok()
            .and_then(|b| b.strip_prefix("verify:").map(str::to_string))
        {
            let url = if path.starts_with("postgres") {
                path.clone()
            } else {
                format!("sqlite://{path}")
            };
            let store = Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            events(&store, EVENTS).await;
            for _ in 0..3 {
                let t = Instant::now();
                let v = store.verify().await.unwrap();
                assert!(v.broken.is_none());
                println!(
                    "verify {} events: {:.2} M events/s",
                    v.checked,
                    v.checked as f64 / t.elapsed().as_secs_f64() / 1e6
                );
            }
            return;
        }
        // `ANNEX_BENCH=export` measures only the exports, on each backend;
        // `ANNEX_BENCH=export:DIR` on SQLite only, in the data folder DIR, which it keeps
        // (filled on first use) for `annex --data-dir DIR export ...` to be measured alone.
        if let Some(kept) = std::env::var("ANNEX_BENCH")
            .ok()
            .and_then(|b| b.strip_prefix("export").map(str::to_string))
        {
            let folder = match kept.strip_prefix(':') {
                Some(path) => std::path::PathBuf::from(path),
                None => dir.path().to_path_buf(),
            };
            std::fs::create_dir_all(&folder).unwrap();
            let url = format!("sqlite://{}", folder.join("annex.db").display());
            let store = Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            let mut dbs = vec![("sqlite", TestDb::from_store(store, url))];
            if kept.is_empty()
                && let Some(url) = testing::postgres_url()
            {
                dbs.push(("postgres", testing::postgres(&url).await.unwrap()));
            }
            for (name, db) in dbs {
                let app = App::with_store(db.store.clone()).unwrap();
                let who = match annex_app::accounts::needs_setup(&app).await.unwrap() {
                    true => admin(&app).await,
                    false => Principal::system(),
                };
                let (have, _) = db.store.audit_head().await.unwrap();
                if have < LIST_AT {
                    fill(&db.store, 0, LIST_AT).await;
                    db.store.analyze().await.unwrap();
                }
                exports(name, &app, &who).await;
            }
            return;
        }
        // `ANNEX_BENCH=registers[:kind,...]`: each register's list pages and XLSX export.
        if let Some(only) = std::env::var("ANNEX_BENCH")
            .ok()
            .and_then(|b| b.strip_prefix("registers").map(str::to_string))
        {
            let only: Vec<String> = only
                .trim_start_matches(':')
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect();
            let url = format!("sqlite://{}", dir.path().join("registers.db").display());
            let store = Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            registers("sqlite", TestDb::from_store(store, url), &only).await;
            if let Some(url) = testing::postgres_url() {
                registers("postgres", testing::postgres(&url).await.unwrap(), &only).await;
            }
            return;
        }
        // `ANNEX_BENCH=import`: the largest fixture imported through the app.
        if std::env::var("ANNEX_BENCH").as_deref() == Ok("import") {
            let runs = std::sync::atomic::AtomicUsize::new(0);
            import_low("sqlite", || async {
                let n = runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = dir.path().join(format!("import-{n}.db"));
                let url = format!("sqlite://{}", path.display());
                let store = Store::connect(&url).await.unwrap();
                store.migrate().await.unwrap();
                TestDb::from_store(store, url)
            })
            .await;
            if let Some(url) = testing::postgres_url() {
                import_low("postgres", || async {
                    testing::postgres(&url).await.unwrap()
                })
                .await;
            }
            return;
        }
        // `ANNEX_BENCH=reminders`: the due-date engine over 1,000,000 records.
        if std::env::var("ANNEX_BENCH").as_deref() == Ok("reminders") {
            let url = format!("sqlite://{}", dir.path().join("reminders.db").display());
            let store = Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            reminders("sqlite", TestDb::from_store(store, url)).await;
            if let Some(url) = testing::postgres_url() {
                reminders("postgres", testing::postgres(&url).await.unwrap()).await;
            }
            return;
        }
        // `ANNEX_BENCH=create` measures only creation on SQLite (profiling).
        if std::env::var("ANNEX_BENCH").as_deref() == Ok("create") {
            for (label, durability, file) in [
                ("sqlite (synchronous=FULL)", Durability::Full, "f.db"),
                ("sqlite (synchronous=NORMAL)", Durability::Normal, "n.db"),
            ] {
                let url = format!("sqlite://{}", dir.path().join(file).display());
                let store = Store::connect_with(&url, durability).await.unwrap();
                store.migrate().await.unwrap();
                let app = App::with_store(store).unwrap();
                let admin = admin(&app).await;
                for _ in 0..2 {
                    create_rates(label, &app, &admin).await;
                }
            }
            return;
        }
        for (label, durability) in [
            ("sqlite (synchronous=FULL)", Durability::Full),
            ("sqlite (synchronous=NORMAL)", Durability::Normal),
        ] {
            let path = dir.path().join(format!("{durability:?}.db"));
            let url = format!("sqlite://{}", path.display());
            let store = Store::connect_with(&url, durability).await.unwrap();
            store.migrate().await.unwrap();
            // Only the creation figures differ by durability; run the rest once.
            if durability == Durability::Normal {
                let app = App::with_store(store.clone()).unwrap();
                let admin = admin(&app).await;
                create_rates(label, &app, &admin).await;
                continue;
            }
            bench(label, TestDb::from_store(store, url)).await;
        }
        if let Some(url) = testing::postgres_url() {
            bench("postgres", testing::postgres(&url).await.unwrap()).await;
        }
    });
}
