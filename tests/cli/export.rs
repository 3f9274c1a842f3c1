//! `annex export` as an operator runs it against a data folder: a filtered register to CSV and
//! XLSX, a record to PDF, a bad format refused with exit status 2, and each export in the audit
//! trail as the command line's `system`.

use std::io::Cursor;
use std::path::Path;

use annex_app::records::NewRecord;
use annex_app::{App, Principal};
use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use super::{annex_in, stderr, stdout};

/// Two nonconformities in a fresh data folder, created as the command line would.
async fn seed(dir: &Path) {
    let url = format!("sqlite://{}", dir.join("annex.db").display());
    let app = App::open(&url).await.unwrap();
    for (title, severity) in [
        ("Torque wrench out of calibration", "major"),
        ("Labels misprinted", "minor"),
    ] {
        let fields = json!({"severity": severity, "description": "Found on the line"});
        annex_app::records::create(
            &app,
            &Principal::system(),
            NewRecord {
                kind: "nonconformity".into(),
                title: title.into(),
                due_on: Some("2027-01-15".into()),
                fields: fields.as_object().unwrap().clone(),
                ..NewRecord::default()
            },
        )
        .await
        .unwrap();
    }
    app.close().await;
}

#[test]
fn export_writes_registers_and_records_and_each_export_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tokio::runtime::Runtime::new().unwrap().block_on(seed(d));

    // CSV, filtered by words.
    let csv = d.join("ncs.csv");
    let o = annex_in(
        d,
        &[
            "export",
            "records",
            "--kind",
            "nonconformity",
            "--q",
            "wrench",
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("exported 1 rows of nonconformity to"),
        "{}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(
            "Number,Title,State,Owner,Site,Due date,Created (UTC),Updated (UTC),Severity,"
        ),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[1].starts_with("NC-0001,Torque wrench out of calibration,Reported,,,2027-01-15,"),
        "{text}"
    );
    assert!(lines[1].contains(",Major,Found on the line,"), "{text}");

    // XLSX, the format taken from the file name; a state filter and an order.
    let xlsx = d.join("ncs.xlsx");
    let o = annex_in(
        d,
        &[
            "export",
            "records",
            "--kind",
            "nonconformity",
            "--state",
            "reported",
            "--sort",
            "title",
            "--out",
            xlsx.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut book = Xlsx::new(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
    let range = book.worksheet_range("Nonconformities").unwrap();
    let titles: Vec<String> = range
        .rows()
        .skip(1)
        .map(|r| match &r[1] {
            Data::String(s) => s.clone(),
            other => panic!("not text: {other:?}"),
        })
        .collect();
    assert_eq!(
        titles,
        ["Labels misprinted", "Torque wrench out of calibration"]
    );

    // A record to PDF.
    let pdf = d.join("nc.pdf");
    let o = annex_in(
        d,
        &[
            "export",
            "record",
            "nc-0001",
            "--out",
            pdf.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("exported NC-0001 version 1 to"),
        "{}",
        stderr(&o)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    // Bad input: exit status 2, the field and the rule named, nothing written.
    let o = annex_in(
        d,
        &[
            "export",
            "records",
            "--kind",
            "nonconformity",
            "--format",
            "pdf",
            "--out",
            "-",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("format: 'pdf' is not one of: csv, xlsx"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    let o = annex_in(
        d,
        &[
            "export",
            "records",
            "--kind",
            "nonconformity",
            "--state",
            "done",
            "--out",
            "x.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("state: 'done' is not a state of nonconformities"),
        "{}",
        stderr(&o)
    );
    let o = annex_in(d, &["export", "record", "NC-0099", "--out", "x.pdf"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("record NC-0099 not found"),
        "{}",
        stderr(&o)
    );

    // Three exports, each an event of the command line's `system`; the chain is intact.
    let events = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let url = format!("sqlite://{}", d.join("annex.db").display());
        let app = App::open(&url).await.unwrap();
        let mut found = Vec::new();
        for action in ["register.export", "record.export"] {
            let filter = annex_app::audit_trail::EventFilter {
                action: Some(action.into()),
                limit: 10,
                ..Default::default()
            };
            found.extend(
                annex_app::audit_trail::list(&app, &Principal::system(), filter)
                    .await
                    .unwrap()
                    .events,
            );
        }
        app.close().await;
        found
    });
    let summary: Vec<(String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e.actor.clone(),
                e.action.clone(),
                e.after.as_ref().unwrap()["format"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "system".to_string(),
                "register.export".to_string(),
                "xlsx".to_string()
            ),
            ("system".into(), "register.export".into(), "csv".into()),
            ("system".into(), "record.export".into(), "pdf".into()),
        ]
    );
    assert_eq!(events[1].after.as_ref().unwrap()["rows"], 1);
    assert_eq!(
        events[0].after.as_ref().unwrap()["filters"]["state"],
        json!(["reported"])
    );
    let o = annex_in(d, &["verify"], "");
    assert!(o.status.success(), "{}", stdout(&o));
}
