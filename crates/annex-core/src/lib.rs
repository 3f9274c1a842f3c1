//! Annex domain logic: pure data and rules, no I/O and no async.
//!
//! - [`assessment`]: checklists over several standards answered once, propagation through
//!   mappings, not-applicable rules, readiness and transitions to a new edition.
//! - [`audit_trail`]: the SHA-256 hash chain of every change (21 CFR 11.10(e)) and its check.
//! - [`catalog`]: the standards, their clause trees and facts, compiled into the binary.
//! - [`import`]: frameworks and mapping sets read from OSCAL catalogs and profiles and
//!   CISO Assistant library files, every problem named by its path in the file.
//! - [`mapping`]: typed relationships between clauses of two standards (NIST OLIR).
//! - [`export`]: the typed cells of an exported register row and the sheet that takes them.
//! - [`compare`]: overlap of two or more standards, computed from the mappings.
//! - [`recommend`]: which standards an organisation should pursue, and in what order.
//! - [`records`]: version hashes and signature manifests of controlled records.
//! - [`role`]: the six roles and the permission matrix the app layer checks.
//! - [`kinds`]: record kinds (document, nonconformity, ...): fields, workflows, signatures.
//! - [`reminders`]: the due-date engine: overdue, due today, due soon or later.
//! - [`settings`]: settings changed at run time (the risk matrix): defaults and rules.

pub mod assessment;
pub mod audit_trail;
pub mod catalog;
pub mod compare;
pub mod error;
pub mod export;
pub mod import;
pub mod kinds;
pub mod mapping;
pub mod recommend;
pub mod records;
pub mod reminders;
pub mod role;
pub mod settings;

pub use catalog::{Catalog, Clause, Standard};
pub use error::{CatalogError, Error};
