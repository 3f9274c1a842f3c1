//! Assessments over the JSON API and the pages: one checklist for several standards, an
//! answer counted for each standard that shares the requirement, results carried along
//! mappings, the not-applicable rules, evidence, readiness, snapshots and the transition
//! of a superseded edition.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Client, TestApp};

const API: &str = "/api/v1/assessments";

fn items(d: &Value) -> &Vec<Value> {
    d["items"].as_array().unwrap()
}

/// The item that answers `number` of `standard`.
fn item<'a>(d: &'a Value, standard: &str, number: &str) -> &'a Value {
    items(d)
        .iter()
        .find(|i| {
            i["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["standard"] == standard && m["number"] == number)
        })
        .unwrap_or_else(|| panic!("no item for {standard} {number}"))
}

fn by_no(d: &Value, no: u64) -> &Value {
    items(d).iter().find(|i| i["no"] == no).unwrap()
}

fn figures<'a>(r: &'a Value, standard: &str) -> &'a Value {
    &r["standards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["standard"] == standard)
        .unwrap()["figures"]
}

async fn answer(
    app: &TestApp,
    c: &Client,
    number: &str,
    no: u64,
    body: Value,
) -> super::support::Resp {
    app.json(c, Method::PUT, &format!("{API}/{number}/items/{no}"), body)
        .await
}

#[tokio::test]
async fn a_three_standard_assessment_is_answered_once_and_counts_for_each() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let auditor = app.user(&admin, "grace", "auditor").await;
        let reader = app.user(&admin, "ben", "reader").await;
        let nc = app
            .create(
                &auditor,
                json!({"kind": "nonconformity", "title": "Waste bins unlabelled",
                "fields": {"description": "Found in hall 2", "severity": "minor"}}),
            )
            .await;
        let nc_number = nc["number"].as_str().unwrap().to_string();

        // Readers may not start one; bad choices are refused naming each field.
        let body = json!({"title": "Integrated audit 2026",
            "standards": ["iso9001:2015", "iso14001:2015", "iso45001:2018"]});
        let r = app.post(&reader, API, body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");
        let r = app
            .post(
                &auditor,
                API,
                json!({"title": " ", "standards": ["iso9001:2015", "hs:2021", "iso9001"],
                "sites": ["Not A Site"]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(
            r.error_fields(),
            ["title", "standards.2", "standards.3", "sites.1"],
            "{b}"
        );
        assert_eq!(
            app.get(&auditor, API).await.json(),
            json!([]),
            "{b}: nothing written"
        );

        let r = app.post(&auditor, API, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let number = r.json()["number"].as_str().unwrap().to_string();
        assert_eq!(number, "ASM-0001");

        let d = app.get(&reader, &format!("{API}/{number}")).await.json();
        let shared = item(&d, "iso9001:2015", "4.1");
        let standards: Vec<&str> = shared["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["standard"].as_str().unwrap())
            .collect();
        assert_eq!(
            standards,
            ["iso9001:2015", "iso14001:2015", "iso45001:2018"],
            "{b}"
        );
        assert!(
            !shared["joined_by"].as_array().unwrap().is_empty(),
            "{b}: says why"
        );
        let shared_no = shared["no"].as_u64().unwrap();
        let total = items(&d).len() as u64;
        let r0 = app
            .get(&reader, &format!("{API}/{number}/readiness"))
            .await
            .json();
        let f = figures(&r0, "iso14001:2015");
        assert_eq!(f["not_assessed"], f["items"], "{b}");
        assert!(f["items"].as_u64().unwrap() < total, "{b}");

        // Answered once with a record as evidence: conforming for all three.
        let r = answer(
            &app,
            &auditor,
            &number,
            shared_no,
            json!({"result": "conforming",
            "maturity": 3, "notes": "Context reviewed at the last management review",
            "records": [nc_number.clone()], "version": 0}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let v = r.json();
        assert_eq!(v["version"], 1);
        assert_eq!(v["evidence"][0]["number"], json!(nc_number));
        assert!(v["assessed_by"].as_str().unwrap().contains("grace"), "{v}");
        let r1 = app
            .get(&reader, &format!("{API}/{number}/readiness"))
            .await
            .json();
        for s in ["iso9001:2015", "iso14001:2015", "iso45001:2018"] {
            let f = figures(&r1, s);
            assert_eq!(f["conforming"], 1, "{b} {s}");
            assert_eq!(f["without_evidence"], 0, "{b} {s}");
            assert_eq!(f["maturity"], json!(3.0), "{b} {s}");
        }

        // A stale version is a conflict; a reader may not answer; nothing changes.
        let r = answer(
            &app,
            &auditor,
            &number,
            shared_no,
            json!({"result": "major-nonconformity",
            "notes": "x", "version": 0}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}");
        let r = answer(
            &app,
            &reader,
            &number,
            shared_no,
            json!({"result": "conforming", "version": 1}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");

        // Not applicable: never for ISO 14001's environmental aspects; a nonconformity needs a
        // statement; an unknown record is named.
        let aspects = item(&d, "iso14001:2015", "6.1.2")["no"].as_u64().unwrap();
        let r = answer(
            &app,
            &auditor,
            &number,
            aspects,
            json!({"result": "not-applicable",
            "justification": "We have none", "version": 0}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(r.error_fields(), ["result"], "{b}");
        assert!(
            r.text().contains("ISO 14001:2015 does not let 6.1.2"),
            "{b}: {}",
            r.text()
        );
        let r = answer(
            &app,
            &auditor,
            &number,
            aspects,
            json!({"result": "minor-nonconformity",
            "records": ["NC-9999"], "version": 0}),
        )
        .await;
        assert_eq!(r.error_fields(), ["notes", "records.1"], "{b}");
        let r = answer(
            &app,
            &auditor,
            &number,
            aspects,
            json!({"result": "sort-of", "version": 0}),
        )
        .await;
        assert_eq!(r.error_fields(), ["result"], "{b}");
        let d = app.get(&reader, &format!("{API}/{number}")).await.json();
        assert_eq!(by_no(&d, aspects)["version"], 0, "{b}: nothing written");

        // ISO 9001 design and development may be declared not applicable, with the reason kept.
        let design = items(&d)
            .iter()
            .find(|i| {
                let m = i["members"].as_array().unwrap();
                m.len() == 1
                    && m[0]["standard"] == "iso9001:2015"
                    && m[0]["number"].as_str().unwrap().starts_with("8.3.")
            })
            .unwrap()["no"]
            .as_u64()
            .unwrap();
        let r = answer(
            &app,
            &auditor,
            &number,
            design,
            json!({"result": "not-applicable",
            "justification": "We build to customer drawings; no design", "version": 0}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(
            r.json()["justification"],
            json!("We build to customer drawings; no design")
        );

        // Carries: a full carry passes the result on, a partial one flags for review.
        let carries = d["carries"].as_array().unwrap().clone();
        let full = carries
            .iter()
            .find(|c| c["partial"] == false && c["from"] != shared_no);
        if let Some(full) = full {
            let (from, to) = (full["from"].as_u64().unwrap(), full["to"].as_u64().unwrap());
            let r = answer(
                &app,
                &auditor,
                &number,
                from,
                json!({"result": "major-nonconformity",
                "notes": "No evidence of this at all", "version": 0}),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
            let d = app.get(&reader, &format!("{API}/{number}")).await.json();
            let target = by_no(&d, to);
            if target["result"] == "not-assessed" {
                assert_eq!(
                    target["effective"]["result"], "major-nonconformity",
                    "{b}: {target}"
                );
                assert_eq!(target["effective"]["carried_from"], json!(from));
                assert!(!target["carried"].as_array().unwrap().is_empty());
            }
        }
        let partial = carries
            .iter()
            .find(|c| c["partial"] == true)
            .expect("a partial carry");
        let (from, to) = (
            partial["from"].as_u64().unwrap(),
            partial["to"].as_u64().unwrap(),
        );
        let d = app.get(&reader, &format!("{API}/{number}")).await.json();
        let v = by_no(&d, from)["version"].as_i64().unwrap();
        let r = answer(
            &app,
            &auditor,
            &number,
            from,
            json!({"result": "conforming", "version": v}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let d = app.get(&reader, &format!("{API}/{number}")).await.json();
        let target = by_no(&d, to);
        let flagged =
            target["result"] == "not-assessed" && target["effective"]["carried_from"].is_null();
        if flagged {
            assert_eq!(target["effective"]["review"], true, "{b}: {target}");
            assert_eq!(target["effective"]["result"], "not-assessed", "{b}");
        }
        let d = app
            .get(&reader, &format!("{API}/{number}?show=review"))
            .await
            .json();
        assert!(
            items(&d).iter().all(|i| i["effective"]["review"] == true),
            "{b}"
        );
        assert_eq!(items(&d).iter().any(|i| i["no"] == to), flagged, "{b}");

        // Filters: nonconforming items only; per standard; an unknown filter is named.
        let d = app
            .get(&reader, &format!("{API}/{number}?show=nonconforming"))
            .await
            .json();
        assert!(items(&d).iter().all(|i| {
            i["effective"]["result"]
                .as_str()
                .unwrap()
                .ends_with("nonconformity")
        }));
        let d = app
            .get(
                &reader,
                &format!("{API}/{number}?standard=iso45001:2018&show=unanswered"),
            )
            .await
            .json();
        assert!(!items(&d).is_empty());
        for i in items(&d) {
            assert!(
                i["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["standard"] == "iso45001:2018")
            );
            assert_eq!(i["result"], "not-assessed");
        }
        let r = app
            .get(&reader, &format!("{API}/{number}?show=everything"))
            .await;
        assert_eq!(r.error_fields(), ["show"], "{b}");

        // A file as evidence: kept with its hash, downloadable.
        let r = app
            .call(
                &auditor,
                Method::POST,
                &format!("{API}/{number}/items/{aspects}/files?name=aspects.csv"),
                Some("text/csv"),
                b"aspect,significant\nwaste,yes\n".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let v = r.json();
        let file = &v["evidence"][0];
        assert_eq!(file["kind"], "file");
        assert_eq!(file["name"], "aspects.csv");
        let r = app
            .get(&reader, &format!("{API}/{number}/files/{}", file["id"]))
            .await;
        assert_eq!(r.body, b"aspect,significant\nwaste,yes\n");
        assert_eq!(
            r.headers["x-content-sha256"],
            file["sha256"].as_str().unwrap()
        );

        // Snapshots make the trend.
        let r = app
            .post(&auditor, &format!("{API}/{number}/snapshots"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        assert_eq!(r.json()["shares"].as_array().unwrap().len(), 3);
        let d = app.get(&reader, &format!("{API}/{number}")).await.json();
        assert_eq!(d["snapshots"].as_array().unwrap().len(), 1, "{b}");

        // Every answer is in the audit trail.
        let t = app.get(&admin, "/api/v1/audit-trail?limit=500").await;
        assert!(t.text().contains("assessment.answer"), "{b}");
    }
}

#[tokio::test]
async fn an_assessment_of_iso9001_2008_transitions_to_2015_with_the_delta() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let r = app
            .post(
                &admin,
                API,
                json!({"title": "QMS 2008", "standards": ["iso9001:2008", "iso14001:2015"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let old = r.json()["number"].as_str().unwrap().to_string();
        let d = app.get(&admin, &format!("{API}/{old}")).await.json();
        // Answer every ISO 9001:2008 item conforming.
        for i in items(&d) {
            if i["members"][0]["standard"] == "iso9001:2008" {
                let r = answer(
                    &app,
                    &admin,
                    &old,
                    i["no"].as_u64().unwrap(),
                    json!({"result": "conforming", "notes": "ok", "version": 0}),
                )
                .await;
                assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
            }
        }
        let r = app
            .post(&admin, &format!("{API}/{old}/transition"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let s = r.json();
        assert_eq!(
            s["standards"],
            json!(["iso9001:2015", "iso14001:2015"]),
            "{b}"
        );
        assert_eq!(s["transition_from"], json!(old));
        assert_eq!(s["title"], json!("QMS 2008 — transition"));
        let new = s["number"].as_str().unwrap();
        let d = app.get(&admin, &format!("{API}/{new}")).await.json();
        let context = item(&d, "iso9001:2015", "4.2");
        assert_eq!(
            context["delta"], "new",
            "{b}: interested parties are new in 2015"
        );
        assert_eq!(context["result"], "not-assessed");
        let carried: Vec<&Value> = items(&d)
            .iter()
            .filter(|i| i["delta"] == "carried")
            .collect();
        assert!(!carried.is_empty(), "{b}");
        for i in &carried {
            assert_eq!(i["result"], "conforming", "{b}: {i}");
            assert!(
                i["notes"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("Carried from {old}"))
            );
        }
        // No successor to move to: refused, naming the field.
        let r = app
            .post(&admin, &format!("{API}/{new}/transition"), json!({}))
            .await;
        assert_eq!(r.error_fields(), ["replace"], "{b}");
    }
}

#[tokio::test]
async fn the_pages_start_an_assessment_answer_it_from_the_keyboard_and_show_readiness() {
    let app = TestApp::new(annex_store::testing::sqlite().await.unwrap()).await;
    let admin = app.admin().await;

    // The picker offers the standards, not the bare structures; a bad form says why.
    let page = app.get(&admin, "/assessments").await.text();
    assert!(page.contains("Start an assessment"));
    assert!(page.contains("value=\"iso14001:2015\""));
    assert!(!page.contains("value=\"hs:2021\""));
    let r = app
        .form(&admin, "/assessments", &[("title", "EMS and QMS")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("choose at least one standard"),
        "{}",
        r.text()
    );
    assert!(
        r.text().contains("value=\"EMS and QMS\""),
        "what was typed stays"
    );

    let r = app
        .form(
            &admin,
            "/assessments",
            &[
                ("title", "EMS and QMS"),
                ("standards", "iso9001:2015"),
                ("standards", "iso14001:2015"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.headers["location"], "/assessments/ASM-0001");

    let page = app.get(&admin, "/assessments/ASM-0001").await.text();
    assert!(
        page.contains(
            "ISO 9001:2015 4.1 Understanding the organization and its context; ISO 14001:2015 4.1"
        ),
        "one item for both"
    );
    assert!(page.contains("Why one item for 2 clauses"));
    assert!(page.contains("id=\"item-1\""));

    // Saving moves the focus to the next item.
    let r = app
        .form(
            &admin,
            "/assessments/ASM-0001/items/1",
            &[
                ("result", "conforming"),
                ("maturity", "4"),
                ("notes", "Context reviewed"),
                ("version", "0"),
                ("records", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.headers["location"],
        "/assessments/ASM-0001?focus=2#item-2"
    );
    let page = app
        .get(&admin, "/assessments/ASM-0001?focus=2")
        .await
        .text();
    assert!(
        page.contains("id=\"r-2\" name=\"result\" autofocus"),
        "the next item has the focus"
    );
    assert!(page.contains("Answered by"));

    // A refused answer is shown beside its item, with what was typed.
    let r = app
        .form(
            &admin,
            "/assessments/ASM-0001/items/2",
            &[
                ("result", "major-nonconformity"),
                ("notes", ""),
                ("version", "0"),
                ("justification", "not needed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(t.contains("a nonconformity needs a statement"), "{t}");
    assert!(t.contains("value=\"major-nonconformity\" selected"), "{t}");

    // Filters and the readiness dashboard.
    let page = app
        .get(
            &admin,
            "/assessments/ASM-0001?show=unanswered&standard=iso14001:2015",
        )
        .await
        .text();
    assert!(
        !page.contains("id=\"item-1\""),
        "answered items are filtered out"
    );
    let r = app.get(&admin, "/assessments/ASM-0001?show=bogus").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app
        .get(&admin, "/assessments/ASM-0001/readiness")
        .await
        .text();
    assert!(page.contains("ISO 14001:2015: "), "{page}");
    assert!(
        page.contains("Not assessed"),
        "the gap list names what is missing"
    );
    let r = app
        .form(&admin, "/assessments/ASM-0001/snapshots", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_report_downloads_in_every_format_and_the_dashboard_draws_its_charts() {
    let app = TestApp::new(annex_store::testing::sqlite().await.unwrap()).await;
    let admin = app.admin().await;
    let r = app
        .post(
            &admin,
            API,
            json!({"title": "Audit", "standards": ["iso9001:2015", "iso14001:2015"]}),
        )
        .await;
    let number = r.json()["number"].as_str().unwrap().to_string();
    let r = answer(
        &app,
        &admin,
        &number,
        1,
        json!({"result": "minor-nonconformity",
        "notes": "Context not reviewed this year", "version": 0}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let get = |format: &str| format!("{API}/{number}/report?format={format}");
    let x = app.get(&admin, &get("xlsx")).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"), "a workbook is a zip file");
    let c = app.get(&admin, &get("csv")).await.text();
    assert!(c.contains("Context not reviewed this year"), "{c}");
    let p = app.get(&admin, &get("pdf")).await;
    assert!(p.body.starts_with(b"%PDF"));
    let o = app.get(&admin, &get("oscal")).await.json();
    assert!(o["assessment-results"]["results"].is_array(), "{o}");
    let bad = app.get(&admin, &get("docx")).await;
    assert_eq!(bad.error_fields(), ["format"]);
    // The page link gives the same file.
    let page_pdf = app
        .get(&admin, &format!("/assessments/{number}/report/pdf"))
        .await;
    assert!(page_pdf.body.starts_with(b"%PDF"));

    let page = app
        .get(&admin, &format!("/assessments/{number}/readiness"))
        .await
        .text();
    assert_eq!(
        page.matches("<svg").count(),
        2,
        "bars and heat map, no trend yet"
    );
    app.form(&admin, &format!("/assessments/{number}/snapshots"), &[])
        .await;
    let page = app
        .get(&admin, &format!("/assessments/{number}/readiness"))
        .await
        .text();
    assert_eq!(
        page.matches("<svg").count(),
        3,
        "and the trend once a snapshot is kept"
    );
    let t = app
        .get(&admin, "/api/v1/audit-trail?limit=500")
        .await
        .text();
    assert!(t.contains("assessment.export"), "downloads are audited");
}
