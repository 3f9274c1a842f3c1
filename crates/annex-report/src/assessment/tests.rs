//! Tests of an assessment's reports, read back as a person or a tool would: the workbook
//! through calamine, the CSV through a CSV reader, the OSCAL document through the official
//! JSON schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use super::*;

fn cell(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        other => other.to_string(),
    }
}

type Book = Vec<(String, Vec<Vec<Data>>)>;

fn read_book(bytes: &[u8]) -> Book {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            (name, range.rows().map(<[Data]>::to_vec).collect())
        })
        .collect()
}

fn sheet<'a>(book: &'a Book, name: &str) -> &'a [Vec<Data>] {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

/// The row whose column `col` reads `value`, as text.
fn row_where(rows: &[Vec<Data>], col: usize, value: &str) -> Vec<String> {
    rows.iter()
        .find(|r| r.get(col).map(cell).as_deref() == Some(value))
        .unwrap_or_else(|| panic!("no row with {value} in column {col}"))
        .iter()
        .map(cell)
        .collect()
}

fn column(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|h| cell(h) == name)
        .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
}

fn item_no(report: &Report, standard: &str, number: &str) -> u32 {
    report
        .rows
        .iter()
        .find(|r| {
            r.item
                .members
                .iter()
                .any(|m| m.standard == standard && m.number == number)
        })
        .unwrap()
        .item
        .no
}

#[test]
fn the_workbook_has_a_summary_the_integrated_checklist_a_sheet_per_standard_and_the_gaps() {
    let report = sample_report();
    let book = read_book(&xlsx(&report).unwrap());
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Summary",
            "Integrated",
            "ISO 9001-2015",
            "ISO 14001-2015",
            "ISO 45001-2018",
            "Gaps"
        ]
    );

    // Summary: the scope and each standard's figures as readiness computed them.
    let summary = sheet(&book, "Summary");
    assert_eq!(
        row_where(summary, 0, "Standards")[1],
        "ISO 9001:2015, ISO 14001:2015, ISO 45001:2018"
    );
    assert_eq!(row_where(summary, 0, "Sites")[1], "brookfield, tarnside");
    assert_eq!(
        row_where(summary, 0, "Processes")[1],
        "PRC-0001 Production, PRC-0004 Purchasing"
    );
    let header = summary.iter().find(|r| cell(&r[0]) == "Standard").unwrap();
    let share = column(header, "Share conforming (%)");
    let major = column(header, "Major NC");
    for st in &report.readiness.standards {
        let row = row_where(summary, 0, &st.designation);
        assert_eq!(
            row[share],
            st.figures.share.to_string(),
            "{}",
            st.designation
        );
        assert_eq!(row[major], st.figures.major.to_string());
        assert_eq!(row[column(header, "Ready")], "No");
    }

    // Integrated: one row per item, every standard's clause in its own column.
    let integrated = sheet(&book, "Integrated");
    assert_eq!(integrated.len(), report.rows.len() + 1);
    let h = &integrated[0];
    let (c9001, c14001, c45001) = (
        column(h, "ISO 9001:2015"),
        column(h, "ISO 14001:2015"),
        column(h, "ISO 45001:2018"),
    );
    let shared = row_where(
        integrated,
        0,
        &item_no(&report, "iso9001:2015", "4.1").to_string(),
    );
    assert!(shared[c9001].starts_with("4.1 "), "{shared:?}");
    assert!(shared[c14001].starts_with("4.1 "), "{shared:?}");
    assert!(shared[c45001].starts_with("4.1 "), "{shared:?}");
    assert_eq!(
        shared[column(h, "Section")],
        "4 Context of the organization"
    );
    let nc = row_where(
        integrated,
        0,
        &item_no(&report, "iso9001:2015", "8.7").to_string(),
    );
    assert_eq!(nc[column(h, "Result")], "Minor nonconformity");
    assert_eq!(nc[column(h, "Effective result")], "Minor nonconformity");
    assert_eq!(nc[column(h, "Evidence")], "NC-0007 Scratched housing");
    assert!(nc[column(h, "Notes")].ends_with("$x$ =1+1"), "{nc:?}");
    assert_eq!(nc[column(h, "Maturity")], "2");
    assert_eq!(nc[column(h, "Assessed by")], "Grace Auditor (grace)");
    assert_eq!(nc[c14001], "", "ISO 14001 has no clause on this item");
    // An unanswered item that takes a result in full from another says where from.
    let carried = report
        .rows
        .iter()
        .find(|r| r.effective.carried_from.is_some())
        .unwrap();
    let row = row_where(integrated, 0, &carried.item.no.to_string());
    assert_eq!(row[column(h, "Result")], "Not assessed");
    assert_eq!(row[column(h, "Effective result")], "Conforming");
    let from = carried.effective.carried_from.unwrap();
    assert!(
        row[column(h, "Carried from")].starts_with(&format!("{from}: ")),
        "{row:?}"
    );
    // One that a partial carry flagged is marked for review.
    let flagged = report.rows.iter().find(|r| r.effective.review).unwrap();
    let row = row_where(integrated, 0, &flagged.item.no.to_string());
    assert_eq!(row[column(h, "To review")], "Yes");
    // Assessed at is a date and time, not text.
    let at = column(h, "Assessed at (UTC)");
    let n = nc_row_index(integrated, &item_no(&report, "iso9001:2015", "8.7"));
    assert!(
        matches!(integrated[n][at], Data::DateTime(_)),
        "{:?}",
        integrated[n][at]
    );

    // A standard's sheet: its items only, with its clause number and title.
    let s14001 = sheet(&book, "ISO 14001-2015");
    let items_14001 = report
        .rows
        .iter()
        .filter(|r| r.item.counts_for("iso14001:2015"))
        .count();
    assert_eq!(s14001.len(), items_14001 + 1);
    let h = &s14001[0];
    let aspects = row_where(s14001, column(h, "Clause"), "6.1.2");
    assert_eq!(aspects[column(h, "Title")], "Environmental aspects");
    assert_eq!(aspects[column(h, "Result")], "Major nonconformity");
    let context = row_where(s14001, column(h, "Clause"), "4.1");
    assert_eq!(
        context[column(h, "Also counts for")],
        "ISO 9001:2015 4.1; ISO 45001:2018 4.1"
    );

    // Gaps: every standard's, with the reason.
    let gaps = sheet(&book, "Gaps");
    let total: usize = report
        .readiness
        .standards
        .iter()
        .map(|s| s.gaps.len())
        .sum();
    assert_eq!(gaps.len(), total + 1);
    assert!(gaps.iter().any(|r| cell(&r[0]) == "ISO 14001:2015"
        && cell(&r[2]) == "6.1.2"
        && cell(&r[4]) == "Major nonconformity"));
}

fn nc_row_index(rows: &[Vec<Data>], no: &u32) -> usize {
    rows.iter()
        .position(|r| cell(&r[0]) == no.to_string())
        .unwrap()
}

#[test]
fn sheet_names_are_valid_in_excel_and_unique() {
    let mut taken = vec!["Summary".to_string()];
    assert_eq!(sheet_name("ISO 9001:2015", &mut taken), "ISO 9001-2015");
    assert_eq!(
        sheet_name("ISO/IEC 27001:2022", &mut taken),
        "ISO-IEC 27001-2022"
    );
    assert_eq!(sheet_name("summary", &mut taken), "summary (2)");
    let long = sheet_name(&format!("{}[x]*?", "N".repeat(40)), &mut taken);
    assert_eq!(long.chars().count(), 31);
    assert_eq!(
        sheet_name(&"N".repeat(40), &mut taken),
        format!("{} (2)", "N".repeat(27))
    );
    assert_eq!(sheet_name("'?'", &mut taken), "Standard");
}

#[test]
fn the_csv_is_the_integrated_sheet_with_formulas_defused() {
    let mut report = sample_report();
    let no = item_no(&report, "iso9001:2015", "8.7");
    report.rows[no as usize - 1].notes = "=HYPERLINK(\"http://x\")".into();
    let bytes = csv(&report).unwrap();
    let rows: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), report.rows.len() + 1);
    let h = &rows[0];
    assert_eq!(
        &h[..5],
        [
            "No",
            "Section",
            "ISO 9001:2015",
            "ISO 14001:2015",
            "ISO 45001:2018"
        ]
    );
    let at = |name: &str| h.iter().position(|x| x == name).unwrap();
    let nc = rows.iter().find(|r| r[0] == no.to_string()).unwrap();
    assert_eq!(nc[at("Result")], "Minor nonconformity");
    assert_eq!(nc[at("Notes")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(nc[at("Evidence")], "NC-0007 Scratched housing");
    assert_eq!(
        nc[at("Assessed at (UTC)")],
        report.rows[no as usize - 1].assessed_at.clone().unwrap()
    );
    assert!(nc[at("ISO 9001:2015")].starts_with("8.7 "));
}

// ---- OSCAL ---------------------------------------------------------------------------------

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/oscal/oscal-json-schemas-v1.2.3/oscal_assessment-results_schema.json"
    );
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the OSCAL schema at {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The schema's complaints about `doc`, one a line; empty when it is valid.
fn complaints(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap()
}

#[test]
fn the_oscal_document_validates_against_the_official_schema_and_a_broken_one_does_not() {
    let report = sample_report();
    let doc = oscal(&report);
    let v = validator();
    let errors = complaints(&v, &doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // The validator is not a rubber stamp: each of these breaks the document.
    type Spoil = fn(&mut Value);
    let broken: [(&str, Spoil); 5] = [
        ("a control id that is not a token", |d| {
            d["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"]
                [0]["control-id"] = "9001:8.5.1".into()
        }),
        ("a version 1 UUID", |d| {
            d["assessment-results"]["uuid"] = "6f1c2a4e-8d3b-1c55-9a7e-2b1f0c9d8e7a".into()
        }),
        ("no title", |d| {
            d["assessment-results"]["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("title");
        }),
        ("a time without a zone", |d| {
            d["assessment-results"]["metadata"]["last-modified"] = "2026-11-22T10:00:00".into()
        }),
        ("an unknown finding state", |d| {
            d["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
                "fine".into()
        }),
    ];
    for (what, spoil) in broken {
        let mut copy = doc.clone();
        spoil(&mut copy);
        assert_ne!(copy, doc, "{what}: nothing changed");
        assert!(!v.is_valid(&copy), "{what}: still valid");
    }
}

#[test]
fn the_oscal_document_names_clauses_findings_observations_and_evidence() {
    let report = sample_report();
    let doc = oscal(&report);
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.2.3");
    assert_eq!(ar["metadata"]["last-modified"], "2026-11-22T10:00:00Z");
    // The plan it imports is a resource in its back matter.
    let href = ar["import-ap"]["href"].as_str().unwrap();
    assert_eq!(href, "#6f1c2a4e-8d3b-4c55-9a7e-2b1f0c9d8e7a");
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    let resource = |href: &str| {
        resources
            .iter()
            .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == href)
            .unwrap_or_else(|| panic!("no resource {href}"))
    };
    assert!(
        resource(href)["title"]
            .as_str()
            .unwrap()
            .starts_with("ASM-0003")
    );

    let result = &ar["results"][0];
    let selections = result["reviewed-controls"]["control-selections"]
        .as_array()
        .unwrap();
    assert_eq!(selections.len(), 3);
    assert_eq!(selections[0]["remarks"], "ISO 9001:2015");
    let controls: Vec<&str> = selections[0]["include-controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control-id"].as_str().unwrap())
        .collect();
    assert!(controls.contains(&"iso9001-2015_8.5.1"), "{controls:?}");
    assert!(controls.contains(&"iso9001-2015_8.7"));

    // A finding per nonconforming or improvement item, by the result that counts.
    let findings = result["findings"].as_array().unwrap();
    let expected = report
        .rows
        .iter()
        .filter(|r| {
            r.effective.result.is_nonconformity() || r.effective.result == Conformity::Improvement
        })
        .count();
    assert_eq!(findings.len(), expected);
    let nc = findings
        .iter()
        .find(|f| f["target"]["target-id"] == "iso9001-2015_8.7_obj")
        .unwrap();
    assert_eq!(nc["target"]["status"]["state"], "not-satisfied");
    assert!(
        nc["title"]
            .as_str()
            .unwrap()
            .starts_with("Minor nonconformity: ISO 9001:2015 8.7")
    );
    assert!(
        nc["description"]
            .as_str()
            .unwrap()
            .contains("not segregated")
    );
    let ofi = findings
        .iter()
        .find(|f| f["props"][0]["value"] == "improvement")
        .unwrap();
    assert_eq!(ofi["target"]["status"]["state"], "satisfied");

    // Its observation cites the evidence, which the back matter holds once.
    let observation_uuid = nc["related-observations"][0]["observation-uuid"]
        .as_str()
        .unwrap();
    let observation = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uuid"] == observation_uuid)
        .unwrap();
    let evidence = &observation["relevant-evidence"][0];
    assert_eq!(evidence["description"], "NC-0007 Scratched housing");
    assert_eq!(
        resource(evidence["href"].as_str().unwrap())["title"],
        "NC-0007 Scratched housing"
    );
    assert_eq!(observation["origins"][0]["actors"][0]["type"], "party");
    let party = observation["origins"][0]["actors"][0]["actor-uuid"].clone();
    assert!(
        ar["metadata"]["parties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["uuid"] == party && p["name"] == "Grace Auditor (grace)")
    );
    let titles: Vec<&str> = resources
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles
            .iter()
            .filter(|t| **t == "file: walkthrough-photos.zip")
            .count(),
        1,
        "each piece of evidence once"
    );
}

#[test]
fn the_same_report_gives_the_same_oscal_document_and_another_assessment_other_uuids() {
    let report = sample_report();
    assert_eq!(oscal(&report), oscal(&report.clone()));
    let mut other = report.clone();
    other.uuid = "0b6f2d9c-3a1e-4f7b-8c2d-5e6f7a8b9c0d".into();
    let (a, b) = (oscal(&report), oscal(&other));
    assert_ne!(
        a["assessment-results"]["uuid"],
        b["assessment-results"]["uuid"]
    );
    assert_ne!(
        a["assessment-results"]["results"][0]["uuid"],
        b["assessment-results"]["results"][0]["uuid"]
    );
    // An assessment UUID OSCAL would not take (not version 4 or 5) is replaced by one named
    // after it, and the document stays valid.
    other.uuid = "not a uuid".into();
    let doc = oscal(&other);
    let errors = complaints(&validator(), &doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn clause_numbers_become_oscal_tokens() {
    assert_eq!(
        oscal::control_id("iso9001:2015", "8.5.1"),
        "iso9001-2015_8.5.1"
    );
    assert_eq!(
        oscal::control_id("iso27001:2022", "A.5.1"),
        "iso27001-2022_A.5.1"
    );
    assert_eq!(oscal::control_id("800-53", "AC 2(1)"), "_800-53_AC-2-1-");
    assert_eq!(oscal::token("é"), "_-");
}

// ---- The printed report's data -------------------------------------------------------------

#[test]
fn the_printed_report_groups_items_by_section_and_lists_each_piece_of_evidence_once() {
    let report = sample_report();
    let p = printed(&report);
    assert_eq!(
        p.standards,
        ["ISO 9001:2015", "ISO 14001:2015", "ISO 45001:2018"]
    );
    assert_eq!(p.generated_at, "2026-11-22 10:00 UTC");
    assert_eq!(p.sections[0].title, "4 Context of the organization");
    let printed_items: usize = p.sections.iter().map(|s| s.items.len()).sum();
    assert_eq!(printed_items, report.rows.len());
    let nc = p
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| {
            i.clauses
                .iter()
                .any(|c| c.starts_with("ISO 9001:2015 8.7 "))
        })
        .unwrap();
    assert_eq!(nc.result, "Minor nonconformity");
    assert_eq!(nc.evidence, ["NC-0007 Scratched housing"]);
    assert_eq!(
        nc.assessed.split(", ").next(),
        Some("Grace Auditor (grace)")
    );
    let carried = report
        .rows
        .iter()
        .find(|r| r.effective.carried_from.is_some())
        .unwrap();
    let shown = p
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.no == carried.item.no.to_string())
        .unwrap();
    assert_eq!(
        shown.result,
        format!(
            "Conforming (carried from item {})",
            carried.effective.carried_from.unwrap()
        )
    );
    let photos: Vec<&PrintedEvidence> = p
        .evidence
        .iter()
        .filter(|e| e.label == "file: walkthrough-photos.zip")
        .collect();
    assert_eq!(photos.len(), 1);
    let cited: Vec<String> = report
        .rows
        .iter()
        .filter(|r| {
            r.evidence
                .iter()
                .any(|e| e.label() == "file: walkthrough-photos.zip")
        })
        .map(|r| r.item.no.to_string())
        .collect();
    assert_eq!(photos[0].items, cited.join(", "));
    assert_eq!(p.summary[1].designation, "ISO 14001:2015");
    assert_eq!(p.summary[1].major, "1");
    assert!(p.charts.readiness.starts_with("<svg"));
    assert!(
        p.charts
            .trend
            .as_deref()
            .unwrap()
            .contains("ISO 45001:2018")
    );
    assert_eq!(p.gaps[1].gaps[0].reason, "Major nonconformity");
    assert_eq!(p.gaps[1].gaps[0].clause, "6.1.2");
}

#[test]
fn a_finished_assessment_over_the_six_current_standards_renders_and_validates() {
    let report = report_over(
        &[
            "iso9001:2015",
            "iso13485:2016",
            "iso14001:2015",
            "iso45001:2018",
            "iso27001:2022",
            "iso56002:2019",
        ],
        true,
    );
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.result != Conformity::NotAssessed)
    );
    let doc = oscal(&report);
    let errors = complaints(&validator(), &doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let controls: Vec<String> =
        doc["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["include-controls"].as_array().unwrap())
            .map(|c| c["control-id"].as_str().unwrap().to_string())
            .collect();
    assert!(
        controls.contains(&"iso27001-2022_A.5.1".to_string()),
        "{controls:?}"
    );
    let book = read_book(&xlsx(&report).unwrap());
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"ISO-IEC 27001-2022"), "{names:?}");
    assert_eq!(sheet(&book, "Integrated").len(), report.rows.len() + 1);
}
