//! Exports as a user meets them: a filtered register downloaded as CSV and XLSX (from the API
//! and from the list page's links) and read back as a spreadsheet program would; a record's
//! PDF read back as text; each export found in the audit trail; and what a user may not see
//! left out or refused.

use std::io::Cursor;

use axum::http::{StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use super::support::{Client, PASSWORD, Resp, TestApp};

/// Three nonconformities: two about wrenches (one at the north site, one major and overdue),
/// one about labels. Numbers NC-0001..3 in this order.
async fn register(app: &TestApp, admin: &Client) {
    app.user(admin, "mia", "manager").await;
    app.create(admin, json!({
        "kind": "nonconformity", "title": "Torque wrench out of calibration", "owner": "mia",
        "due_on": "2027-01-15",
        "fields": {"severity": "major", "description": "Found during internal audit\nsecond line", "source": "internal_audit"}
    }))
    .await;
    app.create(
        admin,
        json!({
            "kind": "nonconformity", "title": "Labels misprinted", "owner": "mia",
            "fields": {"severity": "minor", "description": "Batch 7", "source": "product"}
        }),
    )
    .await;
    app.create(admin, json!({
        "kind": "nonconformity", "title": "Wrench case cracked", "site": "north",
        "fields": {"severity": "minor", "description": "=1+1 typed as text", "source": "process"}
    }))
    .await;
}

fn today() -> String {
    annex_app::clock::today()
}

fn header_of(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header: {} {}", r.status, r.text()))
        .to_str()
        .unwrap()
}

/// A CSV export's rows, header first.
fn csv_rows(r: &Resp) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(r.body.as_slice())
        .records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The first sheet of an XLSX export, header first, and the sheet's name.
fn xlsx_rows(r: &Resp) -> (String, Vec<Vec<Data>>) {
    let mut book = Xlsx::new(Cursor::new(r.body.clone())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    (name, range.rows().map(<[Data]>::to_vec).collect())
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A PDF's text, as `pdftotext` (poppler) reads it.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed to read PDFs back ({e}): apt-get install poppler-utils")
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn export_events(app: &TestApp, admin: &Client, action: &str) -> Vec<Value> {
    app.get(admin, &format!("/api/v1/audit-trail?action={action}"))
        .await
        .json()["events"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_filtered_register_exports_to_csv_and_xlsx_and_each_export_is_audited() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        register(&app, &admin).await;
        let fields = app.get(&admin, "/api/v1/kinds/nonconformity").await.json()["fields"]
            .as_array()
            .unwrap()
            .len();

        // CSV: the words and order of the list; the label NC is left out.
        let r = app
            .get(
                &admin,
                "/api/v1/records/export?format=csv&kind=nonconformity&q=wrench&sort=title",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{} {}", app.backend(), r.text());
        assert_eq!(
            header_of(&r, header::CONTENT_TYPE),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            header_of(&r, header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"nonconformities-{}.csv\"", today())
        );
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store");
        let rows = csv_rows(&r);
        assert_eq!(
            rows[0][..11],
            [
                "Number",
                "Title",
                "State",
                "Owner",
                "Site",
                "Due date",
                "Created (UTC)",
                "Updated (UTC)",
                "Severity",
                "What happened",
                "Found through"
            ]
        );
        assert_eq!(rows[0].len(), 8 + fields);
        assert_eq!(rows.len(), 3, "{rows:?}");
        let torque = &rows[1];
        assert_eq!(
            torque[..6],
            [
                "NC-0001",
                "Torque wrench out of calibration",
                "Reported",
                "mia manager",
                "",
                "2027-01-15"
            ]
        );
        assert!(torque[6].starts_with(&today()) && torque[6].ends_with('Z'));
        assert_eq!(
            torque[8..11],
            [
                "Major",
                "Found during internal audit\nsecond line",
                "Internal audit"
            ]
        );
        // Text a spreadsheet would run as a formula is defused.
        assert_eq!(rows[2][..2], ["NC-0003", "Wrench case cracked"]);
        assert_eq!(rows[2][9], "'=1+1 typed as text");

        // XLSX: a state filter; dates as dates.
        let r = app
            .get(
                &admin,
                "/api/v1/records/export?format=xlsx&kind=nonconformity&state=reported&owner=mia&sort=-created",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(
            header_of(&r, header::CONTENT_TYPE),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            header_of(&r, header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"nonconformities-{}.xlsx\"", today())
        );
        let (sheet, rows) = xlsx_rows(&r);
        assert_eq!(sheet, "Nonconformities");
        assert_eq!(rows.len(), 3);
        assert_eq!(text(&rows[0][3]), "Owner");
        let numbers: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
        assert_eq!(numbers, ["NC-0001", "NC-0002"]);
        assert_eq!(text(&rows[1][8]), "Major");
        match &rows[1][5] {
            // Excel counts days from 1899-12-30: 46402 is 2027-01-15.
            Data::DateTime(d) => assert_eq!(d.as_f64(), 46402.0),
            other => panic!("the due date is not a date cell: {other:?}"),
        }
        assert!(matches!(rows[1][6], Data::DateTime(_)), "{:?}", rows[1][6]);
        assert_eq!(rows[2][5], Data::Empty);

        // Each export is an event: who, which register, which filters, how many rows.
        let events = export_events(&app, &admin, "register.export").await;
        assert_eq!(events.len(), 2);
        let (xlsx, csv) = (&events[0], &events[1]);
        assert_eq!(csv["actor"], "admin");
        assert_eq!(csv["subject"], "nonconformity");
        assert_eq!(
            csv["after"],
            json!({"format": "csv", "rows": 2, "filters": {"kind": "nonconformity", "q": "wrench", "sort": "title"}})
        );
        assert_eq!(xlsx["after"]["format"], "xlsx");
        assert_eq!(xlsx["after"]["rows"], 2);
        assert_eq!(xlsx["after"]["filters"]["state"], json!(["reported"]));
        assert_eq!(xlsx["after"]["filters"]["owner"], "mia");

        // The reminder filter of the list applies too: nothing here is overdue.
        let r = app
            .get(
                &admin,
                "/api/v1/records/export?format=csv&kind=nonconformity&due=overdue",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(csv_rows(&r).len(), 1, "{}", r.text());
        let events = export_events(&app, &admin, "register.export").await;
        assert_eq!(events[0]["after"]["filters"]["due"], "overdue");
        assert_eq!(events[0]["after"]["rows"], 0);

        // An empty register is a header and no rows, and still an event.
        let r = app
            .get(&admin, "/api/v1/records/export?format=csv&kind=document")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(csv_rows(&r).len(), 1);
        assert!(header_of(&r, header::CONTENT_DISPOSITION).contains("documents-"));
        assert_eq!(
            export_events(&app, &admin, "register.export").await.len(),
            4
        );

        // Every kind exports, each with its own declared fields as columns.
        let kinds = app.get(&admin, "/api/v1/kinds").await.json();
        for kind in kinds.as_array().unwrap() {
            let id = kind["id"].as_str().unwrap();
            let labels: Vec<&str> = kind["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["label"].as_str().unwrap())
                .collect();
            for format in ["csv", "xlsx"] {
                let r = app
                    .get(
                        &admin,
                        &format!("/api/v1/records/export?format={format}&kind={id}"),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{id} {format}: {}", r.text());
                let header: Vec<String> = if format == "csv" {
                    csv_rows(&r).remove(0)
                } else {
                    xlsx_rows(&r).1[0].iter().map(text).collect()
                };
                assert_eq!(header[8..], labels, "{id} {format}");
            }
        }
    }
}

#[tokio::test]
async fn bad_export_requests_are_refused_naming_the_field_and_nothing_is_exported() {
    let app = TestApp::each().await.remove(0);
    let admin = app.admin().await;
    register(&app, &admin).await;
    for (query, field, rule) in [
        (
            "format=pdf&kind=nonconformity",
            "format",
            "'pdf' is not one of: csv, xlsx",
        ),
        ("kind=nonconformity", "format", "required: one of csv, xlsx"),
        (
            "format=csv",
            "kind",
            "required: an export is of one register",
        ),
        (
            "format=csv&kind=no_such_kind",
            "kind",
            "unknown kind 'no_such_kind'",
        ),
        (
            "format=xlsx&kind=nonconformity&state=done",
            "state",
            "'done' is not a state",
        ),
        (
            "format=csv&kind=nonconformity&due_before=soon",
            "due_before",
            "must be a date",
        ),
        (
            "format=csv&kind=nonconformity&sort=size",
            "sort",
            "must be one of",
        ),
    ] {
        let r = app
            .get(&admin, &format!("/api/v1/records/export?{query}"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.text()
        );
        assert_eq!(
            header_of(&r, header::CONTENT_TYPE),
            "application/problem+json"
        );
        assert_eq!(r.error_fields(), vec![field], "{query}");
        assert!(r.text().contains(rule), "{query}: {}", r.text());
    }
    let r = app
        .get(
            &Client::default(),
            "/api/v1/records/export?format=csv&kind=nonconformity",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        export_events(&app, &admin, "register.export")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_list_page_links_its_exports_with_its_filters() {
    let app = TestApp::each().await.remove(0);
    let admin = app.admin().await;
    register(&app, &admin).await;
    let page = app
        .get(
            &admin,
            "/records/nonconformity?q=wrench&sort=title&limit=25&cursor=",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    // The list's filters and order, not its page size.
    let csv = "/records/nonconformity/export?format=csv&#38;q=wrench&#38;sort=title";
    assert!(html.contains(&format!("href=\"{csv}\"")), "{html}");
    assert!(html.contains("/records/nonconformity/export?format=xlsx&#38;q=wrench&#38;sort=title"));
    let r = app.get(&admin, &csv.replace("&#38;", "&")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let numbers: Vec<String> = csv_rows(&r)[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(numbers, ["NC-0001", "NC-0003"]);

    // A list whose filters break a rule offers no export; the export page names the rule.
    let bad = app
        .get(&admin, "/records/nonconformity?due_before=soon")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.text().contains("/export?"));
    let r = app
        .get(
            &admin,
            "/records/nonconformity/export?format=csv&due_before=soon",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("must be a date"), "{}", r.text());
    // Without a login: to the login page and back.
    let r = app
        .get(
            &Client::default(),
            "/records/nonconformity/export?format=csv",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(header_of(&r, header::LOCATION).starts_with("/login?next="));
}

#[tokio::test]
async fn a_user_limited_to_a_site_exports_only_what_they_may_read() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        register(&app, &admin).await;
        app.create(&admin, json!({"kind": "nonconformity", "title": "South wrench", "site": "south", "fields": {"severity": "minor", "description": "d"}})).await;
        let nora = app.user_with(&admin, json!({"username": "nora", "display_name": "Nora North", "password": PASSWORD, "role": "reader", "sites": ["north"]})).await;
        let r = app
            .get(
                &nora,
                "/api/v1/records/export?format=xlsx&kind=nonconformity&q=wrench&sort=-created",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let (_, rows) = xlsx_rows(&r);
        let numbers: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
        // Not NC-0004 of the south site; the company-wide NC-0001 and north's NC-0003.
        assert_eq!(numbers, ["NC-0001", "NC-0003"], "{}", app.backend());
        // Asking for the south site outright gives nothing, not the south's records.
        let r = app
            .get(
                &nora,
                "/api/v1/records/export?format=csv&kind=nonconformity&site=south",
            )
            .await;
        assert_eq!(csv_rows(&r).len(), 1);
        let events = export_events(&app, &admin, "register.export").await;
        assert_eq!(events[0]["actor"], "nora");
        assert_eq!(events[0]["after"]["rows"], 0);
        assert_eq!(events[1]["after"]["rows"], 2);
        // A record of another site is not there to print.
        let r = app.get(&nora, "/api/v1/records/NC-0004/pdf").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        assert!(
            export_events(&app, &admin, "record.export")
                .await
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_record_prints_to_pdf_with_its_signatures_history_and_timeline() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let author = app.user(&admin, "carol", "contributor").await;
        let reviewer = app.user(&admin, "ian", "auditor").await;
        let approver = app.user(&admin, "mia", "manager").await;
        let reader = app.user(&admin, "rick", "reader").await;
        let doc = app.create(&author, json!({
            "kind": "document", "title": "Control of documented information",
            "fields": {"doc_type": "procedure", "summary": "How documents are controlled", "periodic_review": "2027-11-30", "change_description": "First issue"}
        })).await;
        let n = doc["number"].as_str().unwrap().to_string();
        let steps = format!("/api/v1/records/{n}/transitions");
        let r = app
            .post(
                &author,
                &steps,
                json!({"version": 1, "transition": "submit"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let sig = app
            .post(
                &reviewer,
                &format!("/api/v1/records/{n}/signatures"),
                json!({"version": 2, "meaning": "reviewed", "password": PASSWORD}),
            )
            .await;
        assert_eq!(sig.status, StatusCode::CREATED, "{}", sig.text());
        let r = app
            .post(
                &approver,
                &steps,
                json!({"version": 2, "transition": "approve", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        app.post(
            &admin,
            &format!("/api/v1/records/{n}/links"),
            json!({"clause": "iso9001:2015/7.5.3"}),
        )
        .await;

        let r = app.get(&admin, &format!("/api/v1/records/{n}/pdf")).await;
        assert_eq!(r.status, StatusCode::OK, "{} {}", app.backend(), r.text());
        assert_eq!(header_of(&r, header::CONTENT_TYPE), "application/pdf");
        assert_eq!(
            header_of(&r, header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"{n}-v3.pdf\"")
        );
        let pdf = pdf_text(&r.body);
        for expected in [
            "Control of documented information",
            "Approved",
            "Owner",
            "carol contributor (carol)",
            "How documents are controlled",
            // The signatures: printed names, meanings, the version signed, validity.
            "ian auditor",
            "Reviewed",
            "mia manager",
            // Both signed version 2; the approval step made version 3.
            "Valid; signs an earlier version",
            "iso9001:2015/7.5.3",
            // The version history and the audit timeline, this export included.
            "Version history",
            "(first version)",
            "record.create",
            "signature.apply",
            "record.transition",
            "record.export",
            "Ada Admin (admin)",
        ] {
            assert!(
                pdf.contains(expected),
                "{expected:?} missing from the PDF:\n{pdf}"
            );
        }
        // The reviewed signature line: name, meaning, time and version together.
        let line = pdf
            .lines()
            .find(|l| l.contains("ian auditor") && l.contains("Reviewed"))
            .unwrap_or_else(|| panic!("no signature row in:\n{pdf}"));
        assert!(line.contains(&today()) && line.contains(" 2 "), "{line}");

        let events = export_events(&app, &admin, "record.export").await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["subject"], n);
        assert_eq!(events[0]["after"], json!({"format": "pdf", "version": 3}));

        // A reader may print it, without the audit timeline their role may not read.
        let r = app.get(&reader, &format!("/r/{n}/pdf")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let pdf = pdf_text(&r.body);
        assert!(pdf.contains("ian auditor") && pdf.contains("Version history"));
        assert!(
            pdf.contains("printed only for roles that may read the audit trail"),
            "{pdf}"
        );
        assert!(!pdf.contains("signature.apply"), "{pdf}");
        // The record page links its PDF; an unknown record is not found.
        let page = app.get(&reader, &format!("/r/{n}")).await.text();
        assert!(page.contains(&format!("href=\"/r/{n}/pdf\"")));
        assert_eq!(
            app.get(&reader, "/api/v1/records/DOC-0099/pdf")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&Client::default(), &format!("/api/v1/records/{n}/pdf"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(export_events(&app, &admin, "record.export").await.len(), 2);
    }
}
