//! An assessment's report in the shapes people take it away in, all made from one
//! [`Report`]: a workbook ([`xlsx`]: a summary, the integrated checklist, one sheet per
//! standard and the gaps), the integrated checklist as CSV ([`csv`]), OSCAL assessment
//! results ([`oscal`]) and the data of the printed report ([`printed`], which `annex-pdf`
//! lays out; the charts travel in it as SVG, so that `annex-pdf` needs nothing from here).
//!
//! Every renderer writes an item the same way: its own answer, the result that counts
//! (answered here, carried in full from another item, or not assessed) and where it was
//! carried from, whether a partial carry flagged it for review, then maturity, notes,
//! justification, evidence and who answered when. Times are UTC.

mod oscal;
#[cfg(any(test, feature = "testing"))]
mod sample;
#[cfg(test)]
mod tests;

pub use oscal::oscal;
#[cfg(any(test, feature = "testing"))]
pub use sample::{report_over, sample_report};

use annex_core::assessment::{Conformity, Evidence, Report, ReportRow};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use crate::Error;
use crate::chart;
use crate::export::defused;

/// The media type of an OSCAL JSON document, for HTTP responses: plain JSON, which every
/// client takes.
pub const OSCAL_JSON_TYPE: &str = "application/json";

// ---- What every renderer says about an item ------------------------------------------------

/// The result that counts, in words: "Minor nonconformity".
fn effective_label(row: &ReportRow) -> &'static str {
    row.effective.result.label()
}

/// The item a result was carried from, with its label: "12: 7.5.1 General". Empty when the
/// result is the item's own (or there is none).
fn carried_from(report: &Report, row: &ReportRow) -> String {
    row.effective
        .carried_from
        .map(|no| match report.plan.item(no) {
            Some(item) => format!("{no}: {}", item.label()),
            None => no.to_string(),
        })
        .unwrap_or_default()
}

/// "Yes" where a partial carry left the item to be reviewed and answered.
fn review(row: &ReportRow) -> &'static str {
    if row.effective.review && row.effective.result == Conformity::NotAssessed {
        "Yes"
    } else {
        ""
    }
}

/// The evidence, one label a line.
fn evidence(row: &ReportRow) -> String {
    row.evidence
        .iter()
        .map(Evidence::label)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The item's clauses of one standard: "8.5.1 Control of production and service provision"
/// (several joined by "; ", which happens when a third standard joins two clauses of one).
fn clauses_of(row: &ReportRow, standard: &str) -> String {
    row.item
        .members
        .iter()
        .filter(|m| m.standard == standard)
        .map(|m| format!("{} {}", m.number, m.title))
        .collect::<Vec<_>>()
        .join("; ")
}

fn section_title<'a>(report: &'a Report, key: &'a str) -> &'a str {
    report
        .plan
        .sections
        .iter()
        .find(|s| s.key == key)
        .map_or(key, |s| s.title.as_str())
}

fn delta_label(row: &ReportRow) -> &'static str {
    use annex_core::assessment::Delta;
    match row.item.delta {
        Some(Delta::Carried) => "Carried over",
        Some(Delta::Changed) => "Changed: review",
        Some(Delta::New) => "New requirement",
        None => "",
    }
}

/// A moment as people read it: "2026-11-20 09:30 UTC"; the text as given when it is not
/// RFC 3339.
fn when(t: &str) -> String {
    t.parse::<jiff::Timestamp>()
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// A number as a CSV cell holds it: "3", "62.5".
fn plain(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// A share as written in reports: "62.5 %", "100 %".
fn percent(v: f64) -> String {
    let s = format!("{v:.1}");
    format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
}

/// The cells of one item on the integrated sheet (and in the CSV), after its number and
/// section: one clause column per standard, then the answer.
fn integrated_header(report: &Report) -> Vec<String> {
    let mut h: Vec<String> = vec!["No".into(), "Section".into()];
    h.extend(report.plan.standards.iter().map(|s| s.designation.clone()));
    h.extend(ANSWER_COLUMNS.iter().map(|s| s.to_string()));
    if has_delta(report) {
        h.push("Change from the old edition".into());
    }
    h.push("Why one item".into());
    h
}

const ANSWER_COLUMNS: [&str; 10] = [
    "Result",
    "Effective result",
    "Carried from",
    "To review",
    "Maturity",
    "Notes",
    "Justification",
    "Evidence",
    "Assessed by",
    "Assessed at (UTC)",
];

fn has_delta(report: &Report) -> bool {
    report.rows.iter().any(|r| r.item.delta.is_some())
}

/// A cell as the workbook and the CSV write it.
enum Cell {
    Text(String),
    Number(f64),
    /// RFC 3339, written as a date and time in the workbook.
    Time(String),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The answer columns of a row (see [`ANSWER_COLUMNS`]).
fn answer_cells(report: &Report, row: &ReportRow) -> Vec<Cell> {
    vec![
        text(row.result.label()),
        text(effective_label(row)),
        text(carried_from(report, row)),
        text(review(row)),
        row.maturity
            .map_or_else(|| text(""), |m| Cell::Number(f64::from(m))),
        text(row.notes.clone()),
        text(row.justification.clone()),
        text(evidence(row)),
        text(row.assessed_by.clone().unwrap_or_default()),
        row.assessed_at.clone().map_or_else(|| text(""), Cell::Time),
    ]
}

fn integrated_cells(report: &Report, row: &ReportRow) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Number(f64::from(row.item.no)),
        text(section_title(report, &row.item.section)),
    ];
    cells.extend(
        report
            .plan
            .standards
            .iter()
            .map(|s| text(clauses_of(row, &s.id))),
    );
    cells.extend(answer_cells(report, row));
    if has_delta(report) {
        cells.push(text(delta_label(row)));
    }
    cells.push(text(row.item.joined_by.join("\n")));
    cells
}

// ---- CSV -----------------------------------------------------------------------------------

/// The integrated checklist as CSV (RFC 4180, UTF-8, a header row): one row per item with
/// every standard's clause in its own column. Text a spreadsheet would take for a formula is
/// defused with a leading apostrophe.
pub fn csv(report: &Report) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(integrated_header(report))?;
    for row in &report.rows {
        let record: Vec<String> = integrated_cells(report, row)
            .into_iter()
            .map(|c| match c {
                Cell::Text(s) => defused(&s).into_owned(),
                Cell::Number(n) => plain(n),
                Cell::Time(t) => t,
            })
            .collect();
        w.write_record(&record)?;
    }
    w.into_inner()
        .map_err(|e| Error::Unsupported(e.to_string()))
}

// ---- XLSX ----------------------------------------------------------------------------------

/// The formats of a workbook's cells.
struct Formats {
    bold: CellFormat,
    wrap: CellFormat,
    time: CellFormat,
    title: CellFormat,
}

impl Formats {
    fn new() -> Self {
        Self {
            bold: CellFormat::new().set_bold(),
            wrap: CellFormat::new().set_text_wrap(),
            time: CellFormat::new().set_num_format("yyyy-mm-dd hh:mm"),
            title: CellFormat::new().set_bold().set_font_size(14),
        }
    }
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Unsupported(format!("cannot write XLSX: {e}"))
}

fn col(i: usize) -> Result<u16, Error> {
    u16::try_from(i).map_err(|e| Error::Unsupported(format!("too many columns: {e}")))
}

fn row_no(i: usize) -> Result<u32, Error> {
    u32::try_from(i).map_err(|e| Error::Unsupported(format!("too many rows: {e}")))
}

/// Writes one cell. Text stays text in a workbook (nothing typed is read as a formula).
fn put(sheet: &mut Worksheet, f: &Formats, r: u32, c: u16, cell: &Cell) -> Result<(), Error> {
    match cell {
        Cell::Text(s) if s.is_empty() => Ok(()),
        Cell::Text(s) if s.contains('\n') => {
            sheet.write_string_with_format(r, c, s, &f.wrap).map(|_| ())
        }
        Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
        Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
        Cell::Time(t) => match t
            .parse::<jiff::Timestamp>()
            .ok()
            .and_then(|ts| ExcelDateTime::from_timestamp(ts.as_second()).ok())
        {
            Some(dt) => sheet
                .write_datetime_with_format(r, c, &dt, &f.time)
                .map(|_| ()),
            None => sheet.write_string(r, c, t).map(|_| ()),
        },
    }
    .map_err(xlsx_error)
}

/// A table from row `top`: a bold header, the rows, filters on the header and the header
/// frozen in place; each column `widths[i]` wide (the last width for the rest).
fn table(
    sheet: &mut Worksheet,
    f: &Formats,
    top: u32,
    header: &[String],
    rows: &[Vec<Cell>],
    widths: &[f64],
) -> Result<(), Error> {
    for (i, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(top, col(i)?, h, &f.bold)
            .map_err(xlsx_error)?;
        let w = widths.get(i).or(widths.last()).copied().unwrap_or(16.0);
        sheet.set_column_width(col(i)?, w).map_err(xlsx_error)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            put(sheet, f, top + 1 + row_no(r)?, col(c)?, cell)?;
        }
    }
    if !header.is_empty() {
        sheet
            .autofilter(top, 0, top + row_no(rows.len())?, col(header.len() - 1)?)
            .map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(top + 1, 0).map_err(xlsx_error)?;
    Ok(())
}

/// A sheet name Excel accepts, unique in the workbook: at most 31 characters, none of
/// `[]:*?/\` (a colon or slash of a designation becomes a dash: "ISO 9001-2015").
fn sheet_name(designation: &str, taken: &mut Vec<String>) -> String {
    let clean: String = designation
        .chars()
        .map(|c| {
            if matches!(c, ':' | '/' | '\\') {
                '-'
            } else {
                c
            }
        })
        .filter(|c| !matches!(c, '[' | ']' | '*' | '?'))
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base: String = if clean.is_empty() {
        "Standard".into()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    // Excel compares sheet names without regard to case.
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The assessment as a workbook: "Summary" (scope and every standard's figures),
/// "Integrated" (one row per item with every standard's clause in its own column), one
/// sheet per standard (its items only, with its clause number and title) and "Gaps" (what
/// stands between the organisation and each certificate).
pub fn xlsx(report: &Report) -> Result<Vec<u8>, Error> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut taken: Vec<String> = vec!["Summary".into(), "Integrated".into(), "Gaps".into()];

    book.push_worksheet(summary_sheet(report, &f)?);

    let mut sheet = Worksheet::new();
    sheet.set_name("Integrated").map_err(xlsx_error)?;
    let header = integrated_header(report);
    let rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .map(|r| integrated_cells(report, r))
        .collect();
    let mut widths = vec![6.0, 28.0];
    widths.extend(report.plan.standards.iter().map(|_| 30.0));
    widths.extend([
        20.0, 20.0, 24.0, 10.0, 9.0, 40.0, 30.0, 30.0, 20.0, 17.0, 40.0,
    ]);
    table(&mut sheet, &f, 0, &header, &rows, &widths)?;
    book.push_worksheet(sheet);

    for st in &report.plan.standards {
        let mut sheet = Worksheet::new();
        sheet
            .set_name(sheet_name(&st.designation, &mut taken))
            .map_err(xlsx_error)?;
        let mut header: Vec<String> = ["No", "Clause", "Title", "Section"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        header.extend(ANSWER_COLUMNS.iter().map(|s| s.to_string()));
        header.push("Also counts for".into());
        let mut rows = Vec::new();
        for row in report.rows.iter().filter(|r| r.item.counts_for(&st.id)) {
            for m in row.item.members.iter().filter(|m| m.standard == st.id) {
                let mut cells = vec![
                    Cell::Number(f64::from(row.item.no)),
                    text(m.number.clone()),
                    text(m.title.clone()),
                    text(section_title(report, &row.item.section)),
                ];
                cells.extend(answer_cells(report, row));
                cells.push(text(
                    row.item
                        .members
                        .iter()
                        .filter(|o| o.standard != st.id)
                        .map(|o| format!("{} {}", report.plan.designation(&o.standard), o.number))
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
                rows.push(cells);
            }
        }
        let widths = [
            6.0, 9.0, 40.0, 28.0, 20.0, 20.0, 24.0, 10.0, 9.0, 40.0, 30.0, 30.0, 20.0, 17.0, 30.0,
        ];
        table(&mut sheet, &f, 0, &header, &rows, &widths)?;
        book.push_worksheet(sheet);
    }

    let mut sheet = Worksheet::new();
    sheet.set_name("Gaps").map_err(xlsx_error)?;
    let header: Vec<String> = ["Standard", "Item", "Clause", "Title", "Reason"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<Cell>> = report
        .readiness
        .standards
        .iter()
        .flat_map(|st| {
            st.gaps.iter().map(|g| {
                vec![
                    text(st.designation.clone()),
                    Cell::Number(f64::from(g.item)),
                    text(g.clause.clone()),
                    text(g.title.clone()),
                    text(g.reason.label()),
                ]
            })
        })
        .collect();
    table(
        &mut sheet,
        &f,
        0,
        &header,
        &rows,
        &[20.0, 6.0, 9.0, 50.0, 24.0],
    )?;
    book.push_worksheet(sheet);

    book.save_to_buffer().map_err(xlsx_error)
}

/// The figures of one standard as the summary lists them, after its designation.
const FIGURE_COLUMNS: [&str; 12] = [
    "Items",
    "Conforming",
    "Of which improvements",
    "Minor NC",
    "Major NC",
    "Not applicable",
    "Not assessed",
    "To review",
    "Without evidence",
    "Share conforming (%)",
    "Mean maturity",
    "Ready",
];

fn summary_sheet(report: &Report, f: &Formats) -> Result<Worksheet, Error> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Summary").map_err(xlsx_error)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!("{} {}", report.number, report.title),
            &f.title,
        )
        .map_err(xlsx_error)?;
    let facts: Vec<(&str, Cell)> = vec![
        ("Assessment", text(report.number.clone())),
        ("Title", text(report.title.clone())),
        (
            "Standards",
            text(
                report
                    .plan
                    .standards
                    .iter()
                    .map(|s| s.designation.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        ("Sites", text(report.sites.join(", "))),
        (
            "Processes",
            text(
                report
                    .processes
                    .iter()
                    .map(|(n, t)| format!("{n} {t}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        (
            "Items on the checklist",
            Cell::Number(report.rows.len() as f64),
        ),
        ("Created by", text(report.created_by.clone())),
        ("Created at (UTC)", Cell::Time(report.created_at.clone())),
        (
            "Report made at (UTC)",
            Cell::Time(report.generated_at.clone()),
        ),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        let r = 2 + row_no(i)?;
        sheet
            .write_string_with_format(r, 0, *label, &f.bold)
            .map_err(xlsx_error)?;
        put(&mut sheet, f, r, 1, value)?;
    }
    let top = 2 + row_no(facts.len())? + 1;
    let mut header = vec!["Standard".to_string()];
    header.extend(FIGURE_COLUMNS.iter().map(|s| s.to_string()));
    let rows: Vec<Vec<Cell>> = report
        .readiness
        .standards
        .iter()
        .map(|st| {
            let g = &st.figures;
            let n = |v: u32| Cell::Number(f64::from(v));
            vec![
                text(st.designation.clone()),
                n(g.items),
                n(g.conforming),
                n(g.improvements),
                n(g.minor),
                n(g.major),
                n(g.not_applicable),
                n(g.not_assessed),
                n(g.review),
                n(g.without_evidence),
                Cell::Number(g.share),
                g.maturity.map_or_else(|| text(""), Cell::Number),
                text(if g.ready() { "Yes" } else { "No" }),
            ]
        })
        .collect();
    table(&mut sheet, f, top, &header, &rows, &[22.0, 12.0])?;
    // The facts' labels need more room than the figures' designations do.
    sheet.set_column_width(0, 24.0).map_err(xlsx_error)?;
    sheet.set_column_width(1, 18.0).map_err(xlsx_error)?;
    Ok(sheet)
}

// ---- The printed report --------------------------------------------------------------------

/// What the printed report (`annex_pdf::assessment`) lays out: every value already in words,
/// so that the template only places text; the charts as SVG.
#[derive(Debug, Clone, Serialize)]
pub struct Printed {
    pub number: String,
    pub title: String,
    pub standards: Vec<String>,
    pub sites: Vec<String>,
    /// "PRC-0001 Production".
    pub processes: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    pub generated_at: String,
    pub summary: Vec<PrintedFigures>,
    pub charts: PrintedCharts,
    pub sections: Vec<PrintedSection>,
    pub gaps: Vec<PrintedGaps>,
    pub evidence: Vec<PrintedEvidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedFigures {
    pub designation: String,
    pub items: String,
    pub conforming: String,
    pub minor: String,
    pub major: String,
    pub not_applicable: String,
    pub not_assessed: String,
    pub without_evidence: String,
    pub share: String,
    pub maturity: String,
    pub ready: bool,
}

/// The charts, as SVG documents.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedCharts {
    pub readiness: String,
    pub heat_map: String,
    /// None before the first snapshot.
    pub trend: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedSection {
    pub title: String,
    pub items: Vec<PrintedItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedItem {
    pub no: String,
    /// "ISO 9001:2015 8.7 Control of nonconforming outputs", one per clause.
    pub clauses: Vec<String>,
    /// The result that counts, with where it came from: "Conforming (carried from item 12)".
    pub result: String,
    /// The result's kind, for the template's colour: "conforming", "minor-nonconformity"...
    pub result_kind: String,
    pub maturity: String,
    pub notes: String,
    pub justification: String,
    pub evidence: Vec<String>,
    /// "Grace Auditor (grace), 2026-11-20 09:30 UTC".
    pub assessed: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedGaps {
    pub designation: String,
    pub gaps: Vec<PrintedGap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedGap {
    pub item: String,
    pub clause: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedEvidence {
    /// "NC-0007 Scratched housing" or "file: photo.jpg".
    pub label: String,
    /// The SHA-256 of a file, when known.
    pub sha256: String,
    /// The items it supports: "3, 7, 12".
    pub items: String,
}

/// The printed report's data: the report in words, with its charts.
pub fn printed(report: &Report) -> Printed {
    let designation = |id: &str| report.plan.designation(id).to_string();
    let summary = report
        .readiness
        .standards
        .iter()
        .map(|st| {
            let g = &st.figures;
            PrintedFigures {
                designation: st.designation.clone(),
                items: g.items.to_string(),
                conforming: g.conforming.to_string(),
                minor: g.minor.to_string(),
                major: g.major.to_string(),
                not_applicable: g.not_applicable.to_string(),
                not_assessed: g.not_assessed.to_string(),
                without_evidence: g.without_evidence.to_string(),
                share: percent(g.share),
                maturity: g.maturity.map(|m| format!("{m:.1}")).unwrap_or_default(),
                ready: g.ready(),
            }
        })
        .collect();
    let mut sections: Vec<PrintedSection> = report
        .plan
        .sections
        .iter()
        .map(|s| PrintedSection {
            title: s.title.clone(),
            items: Vec::new(),
        })
        .collect();
    for row in &report.rows {
        let e = &row.effective;
        let mut result = effective_label(row).to_string();
        if let Some(from) = e.carried_from {
            result.push_str(&format!(" (carried from item {from})"));
        } else if !review(row).is_empty() {
            result.push_str(" (partly covered elsewhere: review)");
        }
        let item = PrintedItem {
            no: row.item.no.to_string(),
            clauses: row
                .item
                .members
                .iter()
                .map(|m| format!("{} {} {}", designation(&m.standard), m.number, m.title))
                .collect(),
            result,
            result_kind: e.result.as_str().to_string(),
            maturity: row.maturity.map(|m| m.to_string()).unwrap_or_default(),
            notes: row.notes.clone(),
            justification: row.justification.clone(),
            evidence: row.evidence.iter().map(Evidence::label).collect(),
            assessed: match (&row.assessed_by, &row.assessed_at) {
                (Some(by), Some(at)) => format!("{by}, {}", when(at)),
                (Some(by), None) => by.clone(),
                (None, Some(at)) => when(at),
                (None, None) => String::new(),
            },
        };
        let at = report
            .plan
            .sections
            .iter()
            .position(|s| s.key == row.item.section);
        match at {
            Some(i) => sections[i].items.push(item),
            None => sections.push(PrintedSection {
                title: row.item.section.clone(),
                items: vec![item],
            }),
        }
    }
    sections.retain(|s| !s.items.is_empty());
    let gaps = report
        .readiness
        .standards
        .iter()
        .map(|st| PrintedGaps {
            designation: st.designation.clone(),
            gaps: st
                .gaps
                .iter()
                .map(|g| PrintedGap {
                    item: g.item.to_string(),
                    clause: g.clause.clone(),
                    title: g.title.clone(),
                    reason: g.reason.label().to_string(),
                })
                .collect(),
        })
        .collect();
    // Each piece of evidence once, in the order first cited, with the items it supports.
    let mut evidence: Vec<(&Evidence, Vec<u32>)> = Vec::new();
    for row in &report.rows {
        for ev in &row.evidence {
            match evidence.iter_mut().find(|(e, _)| same_evidence(e, ev)) {
                Some((_, items)) => items.push(row.item.no),
                None => evidence.push((ev, vec![row.item.no])),
            }
        }
    }
    let evidence = evidence
        .into_iter()
        .map(|(ev, items)| PrintedEvidence {
            label: ev.label(),
            sha256: match ev {
                Evidence::File { sha256, .. } => sha256.clone(),
                Evidence::Record { .. } => String::new(),
            },
            items: items
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Printed {
        number: report.number.clone(),
        title: report.title.clone(),
        standards: report
            .plan
            .standards
            .iter()
            .map(|s| s.designation.clone())
            .collect(),
        sites: report.sites.clone(),
        processes: report
            .processes
            .iter()
            .map(|(n, t)| format!("{n} {t}"))
            .collect(),
        created_by: report.created_by.clone(),
        created_at: when(&report.created_at),
        generated_at: when(&report.generated_at),
        summary,
        charts: PrintedCharts {
            readiness: chart::readiness_bars(&report.readiness),
            heat_map: chart::heat_map(&report.plan, &report.readiness),
            trend: (!report.trend.is_empty())
                .then(|| chart::readiness_trend(&report.plan, &report.trend)),
        },
        sections,
        gaps,
        evidence,
    }
}

/// The same record, or the same file, cited on two items.
fn same_evidence(a: &Evidence, b: &Evidence) -> bool {
    match (a, b) {
        (Evidence::Record { number: x, .. }, Evidence::Record { number: y, .. }) => x == y,
        (Evidence::File { id: x, .. }, Evidence::File { id: y, .. }) => x == y,
        _ => false,
    }
}
