//! Annex persistence: the one place SQL lives.
//!
//! The standards catalog needs no storage: it is compiled into the binary and served from
//! memory (`annex_core::catalog`). This crate is where the records kernel keeps its data: a
//! concrete `Store` over SQLite (embedded, the default) and PostgreSQL (several app servers),
//! with one migrations folder per backend. It arrives with the records kernel (issue 3);
//! until then it only fixes the crate's place in the dependency chain
//! `annex-core <- annex-store <- annex-app`.

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(String),
}
