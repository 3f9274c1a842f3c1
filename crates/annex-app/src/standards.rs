//! Looking up the standards catalog: the list, one standard, and clause search.

use annex_core::Standard;
use annex_core::catalog::SearchHit;
use annex_core::catalog::{AnchorRelation, Clause, Nature};

use crate::{App, Error};

/// Longest search query accepted, in characters.
pub const MAX_QUERY: usize = 200;

/// Every standard: current standards first, then the common structures, then withdrawn
/// editions; by id within each group.
pub fn list(app: &App) -> Vec<&'static Standard> {
    let group = |s: &Standard| match (s.is_current(), s.nature) {
        (true, Nature::Structure) => 1,
        (true, _) => 0,
        (false, _) => 2,
    };
    let mut all: Vec<&Standard> = app.catalog.standards().iter().collect();
    all.sort_by(|a, b| (group(a), &a.id).cmp(&(group(b), &b.id)));
    all
}

/// One standard by id or designation.
pub fn show(app: &App, id: &str) -> Result<&'static Standard, Error> {
    app.catalog
        .resolve(id)
        .map_err(|e| Error::from_core("id", e))
}

/// The harmonized-structure clause that `clause` carries, and how.
pub fn anchor(app: &App, clause: &Clause) -> Option<(AnchorRelation, &'static Clause)> {
    app.catalog.anchor_of(clause)
}

/// Clauses across the catalog matching every word of `query`.
pub fn search(app: &App, query: &str, limit: usize) -> Result<Vec<SearchHit>, Error> {
    if query.chars().count() > MAX_QUERY {
        return Err(Error::invalid(
            "q",
            format!("must be at most {MAX_QUERY} characters"),
        ));
    }
    Ok(app.catalog.search(query, limit))
}
