//! Annex renderers: the same results in the shapes people take them away in — an aligned
//! text table for the terminal, Markdown for a wiki or a pull request, CSV for a spreadsheet,
//! JSON for scripts; and register exports as CSV and XLSX. (Printed records are PDF, made by
//! the `annex-pdf` crate: typst is slow to compile and lives there alone.)
//!
//! - [`chart`]: line and bar charts of labelled values as SVG (trends on register and record
//!   pages), and the readiness charts of an assessment.
//! - [`assessment`]: an assessment's report as XLSX, CSV, OSCAL assessment results and the
//!   data of its printed (PDF) report.
//! - [`export`]: a register, row by row, as CSV or XLSX.
//! - [`standards`]: the catalog list and one standard with its clause tree.
//! - [`compare`]: a comparison of standards.
//! - [`recommend`]: a recommendation.

pub mod assessment;
pub mod chart;
pub mod compare;
pub mod export;
pub mod kinds;
pub mod recommend;
pub mod standards;

use comfy_table::{ContentArrangement, Table, presets};

/// An output shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Markdown,
    Json,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write CSV: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
    #[error("{0}")]
    Unsupported(String),
}

/// A text table for the terminal: borders of plain ASCII so that it survives any pipe.
pub(crate) fn text_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::ASCII_MARKDOWN)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(|h| h.to_string()));
    t
}

/// A Markdown table; pipes in cells are escaped so the table stays a table.
pub(crate) fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

pub(crate) fn csv_rows(header: &[&str], rows: &[Vec<String>]) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Unsupported(e.to_string()))?;
    Ok(String::from_utf8(bytes)?)
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

pub(crate) fn pct(shared: usize, total: usize, percent: f64) -> String {
    format!("{shared}/{total} ({percent:.1} %)")
}
