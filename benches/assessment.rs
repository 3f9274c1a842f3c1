//! Benchmarks of assessments: the checklist built over all six current management-system
//! standards, readiness recomputed for a 1,000-item checklist, and, on SQLite through the app
//! and the router, the creation of that assessment and its checklist page with every item
//! answered. Each figure is the median (and the slowest) of many runs. Method and figures:
//! BENCHMARKS.md, "Assessments".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use annex_app::App;
use annex_app::accounts::NewAccount;
use annex_app::assessment::{self, AnswerInput, NewInput};
use annex_core::Catalog;
use annex_core::assessment::{Answered, Carry, Conformity, Plan, readiness};
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

const SIX: [&str; 6] = [
    "iso9001:2015",
    "iso13485:2016",
    "iso14001:2015",
    "iso45001:2018",
    "iso27001:2022",
    "iso56002:2019",
];

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    println!(
        "{what}: median {:.2} ms, slowest {:.2} ms ({} runs)",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        times.len()
    );
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect()
}

/// The six-standard checklist repeated until it has at least `n` items (renumbered, with
/// its carries), so that readiness can be timed at a round size.
fn plan_of_at_least(plan: &Plan, n: usize) -> Plan {
    let mut out = plan.clone();
    out.items.clear();
    out.carries.clear();
    let mut offset = 0;
    while out.items.len() < n {
        for item in &plan.items {
            let mut i = item.clone();
            i.no += offset;
            out.items.push(i);
        }
        for c in &plan.carries {
            out.carries.push(Carry {
                from: c.from + offset,
                to: c.to + offset,
                ..c.clone()
            });
        }
        offset += plan.items.len() as u32;
    }
    out
}

fn main() {
    let catalog = Catalog::builtin().unwrap();
    let ids: Vec<String> = SIX.iter().map(|s| s.to_string()).collect();
    let plan = Plan::build(catalog, &ids).unwrap();
    println!(
        "six standards: {} items, {} sections, {} carries",
        plan.items.len(),
        plan.sections.len(),
        plan.carries.len()
    );
    report(
        "checklist built over six standards (core)",
        time(200, || Plan::build(catalog, &ids)),
    );

    let big = plan_of_at_least(&plan, 1000);
    let results = Conformity::ALL;
    let answers: Vec<Answered> = (0..big.items.len())
        .map(|i| Answered {
            result: Some(results[i % 5]).filter(|r| *r != Conformity::NotApplicable),
            evidence: (i % 3) as u32,
        })
        .collect();
    let maturity: Vec<Option<u8>> = (0..big.items.len()).map(|i| Some((i % 6) as u8)).collect();
    report(
        &format!("readiness of {} items (core)", big.items.len()),
        time(500, || readiness(&big, &answers, &maturity)),
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("annex.db").display());
        let app = App::open(&url).await.unwrap();
        let admin = annex_app::accounts::setup(
            &app,
            NewAccount {
                username: "admin".into(),
                display_name: "Ada Admin".into(),
                password: "correct horse battery staple".into(),
                ..NewAccount::default()
            },
        )
        .await
        .unwrap();
        let input = NewInput {
            title: "Integrated".into(),
            standards: ids.clone(),
            ..NewInput::default()
        };
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..30 {
            let t = Instant::now();
            last = assessment::create(&app, &admin, input.clone())
                .await
                .unwrap()
                .number;
            times.push(t.elapsed());
        }
        report("assessment created over six standards (app, SQLite)", times);

        // Answer every item, then time readiness through the app and the checklist page.
        let d = assessment::get(&app, &admin, &last).await.unwrap();
        for (i, item) in d.items.iter().enumerate() {
            let result = ["conforming", "improvement", "minor-nonconformity"][i % 3];
            assessment::answer(
                &app,
                &admin,
                &last,
                i64::from(item.item.no),
                AnswerInput {
                    result: result.into(),
                    maturity: Some(3),
                    notes: "seen on site".into(),
                    justification: String::new(),
                    records: None,
                    version: 0,
                },
            )
            .await
            .unwrap();
        }
        let mut times = Vec::new();
        for _ in 0..100 {
            let t = Instant::now();
            black_box(assessment::readiness(&app, &admin, &last).await.unwrap());
            times.push(t.elapsed());
        }
        report(
            &format!(
                "readiness of {} answered items (app, SQLite)",
                d.items.len()
            ),
            times,
        );

        let token = annex_app::accounts::create_token(&app, &admin, "bench")
            .await
            .unwrap()
            .token;
        let router = annex_web::router(app.clone());
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..50 {
            let req = Request::builder()
                .uri(format!("/assessments/{last}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let t = Instant::now();
            let res = router.clone().oneshot(req).await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            size = res.into_body().collect().await.unwrap().to_bytes().len();
            times.push(t.elapsed());
        }
        report(
            &format!(
                "checklist page, {} items answered, {} kB of HTML (router, SQLite)",
                d.items.len(),
                size / 1024
            ),
            times,
        );
        app.close().await;
    });
}
