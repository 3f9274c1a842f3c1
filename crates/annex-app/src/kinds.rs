//! Record kinds as the API and the forms see them: every kind with its fields, states and
//! transitions, from the one declaration in `annex_core::kinds`.

use annex_core::kinds::{self, Kind, KindInfo};

use crate::Error;

/// Every kind, described.
pub fn list() -> Vec<KindInfo> {
    kinds::all().iter().map(|k| k.describe()).collect()
}

/// One kind by id; an unknown id names the known ones.
pub fn get(id: &str) -> Result<&'static Kind, Error> {
    kinds::get(id.trim()).ok_or_else(|| {
        Error::invalid(
            "kind",
            format!(
                "unknown kind '{}'; known kinds: {}",
                id.trim(),
                kinds::all()
                    .iter()
                    .map(|k| k.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}
