//! The catalog with imported frameworks: where an imported framework came from ([`Origin`]),
//! and [`Catalog::with_imports`], which builds a new catalog of the built-in standards plus
//! imported frameworks and mapping sets. Reading the files themselves is
//! [`crate::import`]'s work; this only joins what it produced, and checks that it fits.
//!
//! The built-in catalog is validated once by [`super::parse`] and left as it is: imports are
//! appended after it, so every built-in index (and the harmonized-structure backbone) keeps
//! its place.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{Catalog, Standard, normalise_id};
use crate::error::CatalogError;
use crate::import::MappingSet;
use crate::mapping::{Table, TableRow};

/// The kind of file an import was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ImportFormat {
    /// An OSCAL catalog (JSON): groups and controls.
    OscalCatalog,
    /// An OSCAL profile (JSON), resolved against an imported OSCAL catalog.
    OscalProfile,
    /// A CISO Assistant library holding a framework (YAML).
    CisoFramework,
    /// A CISO Assistant library holding a requirement mapping set (YAML).
    CisoMappingSet,
}

impl ImportFormat {
    pub fn label(self) -> &'static str {
        match self {
            Self::OscalCatalog => "OSCAL catalog",
            Self::OscalProfile => "OSCAL profile",
            Self::CisoFramework => "CISO Assistant framework",
            Self::CisoMappingSet => "CISO Assistant mapping set",
        }
    }

    /// The stored form, e.g. `oscal-catalog`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OscalCatalog => "oscal-catalog",
            Self::OscalProfile => "oscal-profile",
            Self::CisoFramework => "ciso-framework",
            Self::CisoMappingSet => "ciso-mapping-set",
        }
    }
}

/// Where an imported framework or mapping set came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub format: ImportFormat,
    /// The file name as uploaded.
    pub file_name: String,
    /// The framework's URN (CISO Assistant) or the document's UUID (OSCAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The version the file gives itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SHA-256 of the file's bytes, hex: proves which file this was.
    pub sha256: String,
    /// For a profile: the imported catalog its controls were taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_against: Option<String>,
    /// Control ids a profile names that its catalog does not hold, left out because the
    /// import was asked to be partial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

impl Catalog {
    /// A new catalog: this one's standards and tables, then `standards` (imported frameworks,
    /// with their clauses' parent, depth and assessable already set) and `tables` (imported
    /// mapping sets, naming standards and clauses by id and number), checked to fit: ids not
    /// taken, clause numbers unique, parents in range, mapped clauses present. Anchors are
    /// recomputed, so that a mapping set from an imported framework to a standard on the
    /// harmonized structure relates the framework to the others through it.
    pub fn with_imports(
        &self,
        standards: Vec<Standard>,
        tables: Vec<MappingSet>,
    ) -> Result<Catalog, Vec<CatalogError>> {
        let mut problems = Vec::new();
        let mut all = self.standards.clone();
        let mut by_id = self.by_id.clone();
        for s in standards {
            let file = s
                .origin
                .as_ref()
                .map_or_else(|| s.id.clone(), |o| o.file_name.clone());
            let before = problems.len();
            check_imported(&s, &file, &mut problems);
            let key = normalise_id(&s.id);
            if by_id.contains_key(&key) {
                problems.push(problem(
                    &file,
                    "id",
                    format!("'{}' is already a standard in the catalog", s.id),
                ));
            }
            if problems.len() > before {
                continue;
            }
            let index = all.len();
            by_id.insert(key, index);
            // A designation is a second way to find a standard only while it is free:
            // an imported "ISO/IEC 27001:2022" must not hide the built-in one.
            by_id.entry(normalise_id(&s.designation)).or_insert(index);
            all.push(s);
        }
        let mut resolved = self.tables.clone();
        for set in tables {
            if let Some(t) = resolve(&set, &all, &by_id, &mut problems) {
                resolved.push(t);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut catalog = Catalog {
            standards: all,
            by_id,
            tables: resolved,
            anchors: Vec::new(),
            hs: self.hs,
        };
        catalog.compute_anchors();
        Ok(catalog)
    }
}

fn problem(file: &str, field: impl Into<String>, rule: impl Into<String>) -> CatalogError {
    CatalogError {
        file: file.to_string(),
        field: field.into(),
        rule: rule.into(),
    }
}

/// What an imported framework must hold for the catalog's code to rely on it.
fn check_imported(s: &Standard, file: &str, problems: &mut Vec<CatalogError>) {
    if s.id.trim().is_empty() || !s.id.contains(':') || s.id.contains(char::is_whitespace) {
        problems.push(problem(
            file,
            "id",
            "must be a prefix and a name joined by ':', without spaces",
        ));
    }
    if s.clauses.is_empty() {
        problems.push(problem(
            file,
            "clauses",
            "an imported framework has clauses",
        ));
    }
    let mut seen = HashSet::new();
    for (i, c) in s.clauses.iter().enumerate() {
        if !seen.insert(c.number.as_str()) {
            problems.push(problem(
                file,
                format!("clauses[{}].number", c.number),
                "appears twice",
            ));
        }
        if c.parent.is_some_and(|p| p >= i) {
            problems.push(problem(
                file,
                format!("clauses[{}].parent", c.number),
                "a parent is listed before its children",
            ));
        }
    }
    if let Some(na) = &s.not_applicable {
        for n in &na.clauses {
            if s.clause_index(n).is_none() {
                problems.push(problem(
                    file,
                    "not_applicable.clauses",
                    format!("'{n}' is not a clause of {}", s.id),
                ));
            }
        }
    }
}

/// An imported mapping set as a table of clause indices.
fn resolve(
    set: &MappingSet,
    standards: &[Standard],
    by_id: &HashMap<String, usize>,
    problems: &mut Vec<CatalogError>,
) -> Option<Table> {
    let file = set.origin.file_name.as_str();
    let from = by_id.get(&normalise_id(&set.from)).copied();
    let to = by_id.get(&normalise_id(&set.to)).copied();
    for (field, id, found) in [("from", &set.from, from), ("to", &set.to, to)] {
        if found.is_none() {
            problems.push(problem(
                file,
                field,
                format!("'{id}' is not a standard in the catalog"),
            ));
        }
    }
    let (from, to) = (from?, to?);
    if from == to {
        problems.push(problem(
            file,
            "to",
            "a mapping joins two different standards",
        ));
        return None;
    }
    let (a, b) = (&standards[from], &standards[to]);
    let mut rows = Vec::with_capacity(set.rows.len());
    for (i, row) in set.rows.iter().enumerate() {
        let ca = a.clause_index(&row.from);
        let cb = b.clause_index(&row.to);
        if ca.is_none() {
            problems.push(problem(
                file,
                format!("rows[{i}].from"),
                format!("'{}' is not a clause of {}", row.from, a.id),
            ));
        }
        if cb.is_none() {
            problems.push(problem(
                file,
                format!("rows[{i}].to"),
                format!("'{}' is not a clause of {}", row.to, b.id),
            ));
        }
        if let (Some(ca), Some(cb)) = (ca, cb) {
            rows.push(TableRow {
                from: ca,
                to: vec![cb],
                relation: row.relation,
                strength: row.strength,
                verification: super::Verification::V1,
                note: row.note.clone(),
            });
        }
    }
    Some(Table {
        file: set.id.clone(),
        from,
        to,
        source: set.name.clone(),
        rows,
    })
}
