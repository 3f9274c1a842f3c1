//! Register exports as files: [`Csv`] and [`Xlsx`], the two [`Sheet`]s the app layer fills
//! row by row. Times are written in UTC, as the audit trail keeps them.

use annex_core::export::{Cell, Format, Sheet};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet};

/// The media types of the export formats, for HTTP responses.
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A register export in the format asked for.
/// (Boxed: the two writers differ much in size, and a file is moved around while it is made.)
pub enum File {
    Csv(Box<Csv>),
    Xlsx(Box<Xlsx>),
}

impl File {
    pub fn new(format: Format) -> Result<Self, crate::Error> {
        Ok(match format {
            Format::Csv => Self::Csv(Box::default()),
            Format::Xlsx => Self::Xlsx(Box::new(Xlsx::new()?)),
        })
    }

    /// The media type, for HTTP responses.
    pub fn media_type(&self) -> &'static str {
        match self {
            Self::Csv(_) => CSV_TYPE,
            Self::Xlsx(_) => XLSX_TYPE,
        }
    }

    /// The file. For XLSX this compresses the sheet: run it where blocking is allowed.
    pub fn finish(self) -> Result<Vec<u8>, crate::Error> {
        match self {
            Self::Csv(c) => (*c).finish(),
            Self::Xlsx(x) => (*x).finish(),
        }
    }

    fn inner(&mut self) -> &mut dyn Sheet {
        match self {
            Self::Csv(c) => c.as_mut(),
            Self::Xlsx(x) => x.as_mut(),
        }
    }
}

impl Sheet for File {
    fn format(&self) -> Format {
        match self {
            Self::Csv(_) => Format::Csv,
            Self::Xlsx(_) => Format::Xlsx,
        }
    }

    fn max_rows(&self) -> Option<u64> {
        match self {
            Self::Csv(c) => c.max_rows(),
            Self::Xlsx(x) => x.max_rows(),
        }
    }

    fn header(&mut self, register: &str, labels: &[String]) -> Result<(), String> {
        self.inner().header(register, labels)
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        self.inner().row(cells)
    }
}

/// A register as CSV (RFC 4180, UTF-8, a header row).
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    pub fn new() -> Self {
        Self {
            w: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// The file.
    pub fn finish(self) -> Result<Vec<u8>, crate::Error> {
        self.w
            .into_inner()
            .map_err(|e| crate::Error::Unsupported(e.to_string()))
    }
}

/// Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return before one) gets a leading apostrophe, so that opening an export never runs what
/// someone typed into a record (CSV injection). XLSX keeps text as text and needs no such care.
pub(crate) fn defused(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// A moment in microseconds as UTC ISO 8601 to the second.
fn iso(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

impl Sheet for Csv {
    fn format(&self) -> Format {
        Format::Csv
    }

    fn header(&mut self, _register: &str, labels: &[String]) -> Result<(), String> {
        self.w.write_record(labels).map_err(|e| e.to_string())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        for c in cells {
            let r = match c {
                Cell::Empty => self.w.write_field(""),
                Cell::Text(s) => self.w.write_field(defused(s).as_bytes()),
                Cell::Integer(n) => self.w.write_field(n.to_string()),
                Cell::Date(d) => self.w.write_field(d),
                Cell::Time(us) => self.w.write_field(iso(*us)),
            };
            r.map_err(|e| e.to_string())?;
        }
        self.w
            .write_record(None::<&[u8]>)
            .map_err(|e| e.to_string())
    }
}

/// A register as an XLSX workbook of one sheet: a bold, frozen header row with filters, dates
/// and times as real dates (times in UTC), numbers as numbers.
///
/// The sheet is written in rust_xlsxwriter's constant-memory mode: each row goes to a
/// temporary file as soon as it is complete, so a 100,000-row register is never held as cells
/// in memory; only the compressed file is, at the end.
pub struct Xlsx {
    book: Workbook,
    bold: CellFormat,
    date: CellFormat,
    time: CellFormat,
    /// The next row to write (0 is the header).
    next: u32,
    columns: u16,
}

/// The most data rows an XLSX sheet holds (1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

impl Xlsx {
    pub fn new() -> Result<Self, crate::Error> {
        let mut book = Workbook::new();
        book.add_worksheet_with_constant_memory().map_err(xlsx)?;
        Ok(Self {
            book,
            bold: CellFormat::new().set_bold(),
            date: CellFormat::new().set_num_format("yyyy-mm-dd"),
            time: CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            next: 0,
            columns: 0,
        })
    }

    fn sheet(&mut self) -> Result<&mut Worksheet, String> {
        self.book.worksheet_from_index(0).map_err(|e| e.to_string())
    }

    /// The file. Compressing it is the slow part of a large export.
    pub fn finish(mut self) -> Result<Vec<u8>, crate::Error> {
        let (rows, columns) = (self.next, self.columns);
        if rows > 1 && columns > 0 {
            let sheet = self.sheet().map_err(crate::Error::Unsupported)?;
            sheet
                .autofilter(0, 0, rows - 1, columns - 1)
                .map_err(xlsx)?;
        }
        self.book.save_to_buffer().map_err(xlsx)
    }
}

fn xlsx(e: rust_xlsxwriter::XlsxError) -> crate::Error {
    crate::Error::Unsupported(format!("cannot write XLSX: {e}"))
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    let name: String = s
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Register".into()
    } else {
        name
    }
}

impl Sheet for Xlsx {
    fn format(&self) -> Format {
        Format::Xlsx
    }

    fn max_rows(&self) -> Option<u64> {
        Some(XLSX_MAX_ROWS)
    }

    fn header(&mut self, register: &str, labels: &[String]) -> Result<(), String> {
        let bold = self.bold.clone();
        let columns = u16::try_from(labels.len()).map_err(|e| e.to_string())?;
        let sheet = self.sheet()?;
        sheet
            .set_name(sheet_name(register))
            .map_err(|e| e.to_string())?;
        for (i, label) in labels.iter().enumerate() {
            let col = u16::try_from(i).map_err(|e| e.to_string())?;
            sheet
                .write_string_with_format(0, col, label, &bold)
                .map_err(|e| e.to_string())?;
            // Number, title, then the rest: widths a reader can start from.
            let width = match i {
                0 => 12.0,
                1 => 45.0,
                _ => 18.0,
            };
            sheet
                .set_column_width(col, width)
                .map_err(|e| e.to_string())?;
        }
        sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        self.next = 1;
        self.columns = columns;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        let row = self.next;
        let (date, time) = (self.date.clone(), self.time.clone());
        let sheet = self.sheet()?;
        for (i, c) in cells.iter().enumerate() {
            let col = u16::try_from(i).map_err(|e| e.to_string())?;
            let r = match c {
                Cell::Empty => continue,
                Cell::Text(s) => sheet.write_string(row, col, s),
                // Excel holds numbers as doubles: exact up to 2^53, far beyond any field's range.
                #[allow(clippy::cast_precision_loss)]
                Cell::Integer(n) => sheet.write_number(row, col, *n as f64),
                Cell::Date(d) => match ExcelDateTime::parse_from_str(d) {
                    Ok(dt) => sheet.write_datetime_with_format(row, col, &dt, &date),
                    Err(_) => sheet.write_string(row, col, d),
                },
                Cell::Time(us) => match ExcelDateTime::from_timestamp(us.div_euclid(1_000_000)) {
                    Ok(dt) => sheet.write_datetime_with_format(row, col, &dt, &time),
                    Err(_) => sheet.write_string(row, col, iso(*us)),
                },
            };
            r.map_err(|e| e.to_string())?;
        }
        self.next += 1;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn csv_keeps_types_readable_and_defuses_formulas() {
        let mut c = Csv::new();
        c.header(
            "Things",
            &[
                "Number".into(),
                "Title".into(),
                "Due".into(),
                "At".into(),
                "N".into(),
            ],
        )
        .unwrap();
        c.row(&[
            Cell::Text("NC-0001".into()),
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Date("2026-11-22".into()),
            Cell::Time(1_763_717_400_000_000),
            Cell::Integer(-3),
        ])
        .unwrap();
        c.row(&[
            Cell::Empty,
            Cell::Text("a, \"b\"\nc".into()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ])
        .unwrap();
        let text = String::from_utf8(c.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "Number,Title,Due,At,N\n\
             NC-0001,\"'=HYPERLINK(\"\"x\"\")\",2026-11-22,2025-11-21T09:30:00Z,-3\n\
             ,\"a, \"\"b\"\"\nc\",,,\n"
        );
    }

    #[test]
    fn sheet_names_are_ones_excel_accepts() {
        assert_eq!(sheet_name("Nonconformities"), "Nonconformities");
        assert_eq!(sheet_name("A/B: [x]?"), "AB x");
        assert_eq!(sheet_name("???"), "Register");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
