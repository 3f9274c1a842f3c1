//! Exports of a register: the typed cells of one row and the [`Sheet`] a renderer offers to
//! receive them. The app layer reads the records and fills the cells; `annex-report` writes
//! them as CSV or XLSX. Neither knows the other, and neither knows any record kind: the
//! columns come from the kind's declaration.

use crate::kinds::FieldError;

/// The file formats a register exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Csv, Format::Xlsx];

    /// The file name extension, and the word URLs, the command line and the audit trail use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    /// Reads the `format` a request names (any case); a missing or unknown one is the rule
    /// broken, naming the formats there are.
    pub fn parse(s: Option<&str>) -> Result<Format, FieldError> {
        let wanted = s.map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
        let known = Self::ALL.map(Self::as_str).join(", ");
        if wanted.is_empty() {
            return Err(FieldError::new(
                "format",
                format!("required: one of {known}"),
            ));
        }
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| FieldError::new("format", format!("'{wanted}' is not one of: {known}")))
    }
}

/// One value of an exported row, typed so that a spreadsheet keeps dates as dates and numbers
/// as numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    /// A calendar date, `YYYY-MM-DD`.
    Date(String),
    /// A moment, microseconds since the Unix epoch; exported in UTC.
    Time(i64),
}

/// Where exported rows go: a CSV or XLSX writer. Rows arrive in order, one at a time, so a
/// writer never needs the whole register in memory at once.
pub trait Sheet: Send {
    fn format(&self) -> Format;
    /// The most data rows the format holds, if it has a limit (an XLSX sheet has one).
    fn max_rows(&self) -> Option<u64> {
        None
    }
    /// The register's name (a kind's plural, `Nonconformities`) and the column headings,
    /// once, before any row.
    fn header(&mut self, register: &str, labels: &[String]) -> Result<(), String>;
    fn row(&mut self, cells: &[Cell]) -> Result<(), String>;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_format_is_named_or_the_rule_says_which_there_are() {
        assert_eq!(Format::parse(Some(" XLSX ")).unwrap(), Format::Xlsx);
        assert_eq!(Format::parse(Some("csv")).unwrap(), Format::Csv);
        let e = Format::parse(Some("pdf")).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.as_str()),
            ("format", "'pdf' is not one of: csv, xlsx")
        );
        assert_eq!(
            Format::parse(None).unwrap_err().rule,
            "required: one of csv, xlsx"
        );
    }
}
