//! The crate's error type: catalog files that break a rule, and lookups that find nothing.

use std::fmt;

/// One broken rule in one catalog file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// File name relative to `standards/`, e.g. `iso9001-2015.toml`.
    pub file: String,
    /// Where in the file: a field name or `clauses[4.1].anchor`.
    pub field: String,
    /// The rule that was broken, in plain words.
    pub rule: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.field, self.rule)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalog files do not load; every problem found is listed.
    #[error("the standards catalog is invalid:\n{}", list(.0))]
    Catalog(Vec<CatalogError>),
    /// No standard has this id; `closest` names the nearest known ids.
    #[error("unknown standard '{input}'{}", closest_hint(.closest))]
    UnknownStandard { input: String, closest: Vec<String> },
}

fn list(errors: &[CatalogError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn closest_hint(closest: &[String]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", closest.join(", "))
    }
}
