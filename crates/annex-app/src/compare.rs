//! Comparing standards: the overlap, shared and unique clauses, and facts side by side.

use annex_core::compare::Comparison;

use crate::{App, Error};

/// Most standards compared at once: every standard in the catalog fits.
pub const MAX_STANDARDS: usize = 16;

/// Compares two or more distinct standards, named by id or designation.
pub fn run<S: AsRef<str>>(app: &App, ids: &[S]) -> Result<Comparison, Error> {
    let ids: Vec<&str> = ids
        .iter()
        .flat_map(|s| s.as_ref().split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() < 2 {
        return Err(Error::invalid(
            "ids",
            "name at least two standards to compare",
        ));
    }
    if ids.len() > MAX_STANDARDS {
        return Err(Error::invalid(
            "ids",
            format!("compare at most {MAX_STANDARDS} standards at once"),
        ));
    }
    let mut seen = Vec::new();
    for id in &ids {
        let s = app
            .catalog
            .resolve(id)
            .map_err(|e| Error::from_core("ids", e))?;
        if seen.contains(&s.id) {
            return Err(Error::invalid("ids", format!("{} is named twice", s.id)));
        }
        seen.push(s.id.clone());
    }
    app.catalog
        .compare(&seen)
        .map_err(|e| Error::from_core("ids", e))
}
