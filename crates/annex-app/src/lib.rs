//! Annex use cases: one function per thing a user does. The web layer and the command line
//! both call these and nothing below them, so rules (how many standards a comparison needs,
//! which ids exist) are enforced once.
//!
//! - [`standards`]: list, show and search the catalog.
//! - [`compare`]: compare two or more standards.
//! - [`recommend`]: which standards to pursue, in what order, and why.

pub mod compare;
pub mod error;
pub mod recommend;
pub mod standards;

pub use error::Error;

use annex_core::Catalog;

/// The application: what every use case needs. Cheap to clone and share between threads.
#[derive(Debug, Clone, Copy)]
pub struct App {
    pub catalog: &'static Catalog,
}

impl App {
    /// Loads the catalog compiled into the binary (parsed and validated once per process).
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            catalog: Catalog::builtin()?,
        })
    }
}
