//! Annex use cases: one function per thing a user does. The web layer and the command line
//! both call these and nothing below them, so every rule — permissions, validation, the
//! workflow, the audit trail — is enforced once.
//!
//! - [`standards`]: list, show and search the catalog.
//! - [`compare`]: compare two or more standards.
//! - [`recommend`]: which standards to pursue, in what order, and why.
//! - [`accounts`]: first set-up, users, login and logout, sessions, API tokens, throttling.
//! - [`kinds`]: the record kinds with their fields and workflows.
//! - [`records`]: create, read, list, edit, transition, sign, link, attach, comment and
//!   acknowledge controlled records.
//! - [`complaint`]: the customer satisfaction trend of the complaint register.
//! - [`assessment`]: assessments over several standards: checklist, answers and evidence,
//!   live readiness, snapshots, transitions to a new edition, reports.
//! - [`frameworks`]: the catalog assessments work from: built-in standards and imported
//!   frameworks and mapping sets; importing OSCAL and CISO Assistant files.
//! - [`export`]: a register to CSV or XLSX with the list's filters, a record for its PDF;
//!   every export an audit-trail event.
//! - [`audit_trail`]: read and verify the hash-chained audit trail.
//! - [`reminders`]: the due-date engine applied: today's window, and the email digest of
//!   each person's overdue and soon-due records, sent over SMTP once a day.
//! - [`demo`]: the demo organisation, made through the use cases above into an empty
//!   database.
//! - [`settings`]: settings changed at run time (the risk matrix), audited; open risks
//!   recomputed when the matrix changes.
//! - [`risk`]: the risk register's heat map.
//! - [`config`]: the settings and the configuration file (`annex.toml`) they come from.
//! - [`clock`]: server time in UTC, as the audit trail records it.
//! - `passwords`: Argon2id hashing in a fixed amount of memory.

pub mod accounts;
pub mod assessment;
pub mod audit_trail;
pub mod clock;
pub mod compare;
pub mod competence;
pub mod complaint;
pub mod config;
pub mod demo;
pub mod error;
pub mod export;
pub mod frameworks;
pub mod kinds;
mod passwords;
pub mod recommend;
pub mod records;
pub mod reminders;
pub mod risk;
pub mod settings;
pub mod standards;

pub use accounts::Principal;
pub use config::Config;
pub use error::Error;

use annex_core::Catalog;
use annex_store::Store;

/// The application: what every use case needs. Cheap to clone and share between threads.
#[derive(Debug, Clone)]
pub struct App {
    pub catalog: &'static Catalog,
    store: Option<Store>,
    pub config: Config,
    /// The catalog with imported frameworks, rebuilt when the imports change.
    frameworks: frameworks::Cache,
}

impl App {
    /// The catalog alone (compiled into the binary, parsed once per process): enough for the
    /// standards, comparison and selector, which need no database.
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            catalog: Catalog::builtin()?,
            store: None,
            config: Config::default(),
            frameworks: frameworks::Cache::default(),
        })
    }

    /// The catalog and a migrated database: everything.
    pub fn with_store(store: Store) -> Result<Self, Error> {
        Ok(Self {
            store: Some(store),
            ..Self::new()?
        })
    }

    /// Opens the database at `url` (`sqlite://PATH` or `postgres://...`), applies pending
    /// migrations, and returns the full application.
    pub async fn open(url: &str) -> Result<Self, Error> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Self::with_store(store)
    }

    /// Closes the database cleanly (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        if let Some(s) = &self.store {
            s.close().await;
        }
    }

    /// The migrations this build carries: `(version, description, applied)`.
    pub async fn migrations(&self) -> Result<Vec<(i64, String, bool)>, Error> {
        Ok(self.store()?.migrations().await?)
    }

    /// Which database backend: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.store.as_ref().map_or("none", Store::backend)
    }

    /// The database; an error where Annex runs without one.
    pub fn store(&self) -> Result<&Store, Error> {
        self.store
            .as_ref()
            .ok_or_else(|| Error::Internal("this command runs without a database".into()))
    }
}
