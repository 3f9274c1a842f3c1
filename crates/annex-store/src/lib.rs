//! Annex persistence: the one place SQL lives.
//!
//! A concrete [`Store`] over SQLite (embedded, the default: one file in the data folder, WAL
//! mode) or PostgreSQL (several app servers sharing one database), picked from the URL
//! scheme at start-up. Both backends have a migrations folder of their own with the same
//! numbering, and run the same SQL wherever the two dialects agree (`$1` placeholders work
//! in both). Each query is written once and compiled for both backends by the `on_pool!`
//! macro (reads) and the `execute!`/`fetch_*!` macros of [`tx`] (inside a write
//! transaction, where SQLite runs through rusqlite: see `writer`).
//!
//! - [`accounts`]: users, sessions, API tokens, failed logins.
//! - [`records`]: records, their versions, links, attachments, comments, signatures and
//!   acknowledgements; the filtered, keyset-paginated list; full-text search.
//! - [`audit_trail`]: reading the chain back (pages, subjects, verification).
//! - [`reminders`]: every owner's records due up to a date, and the claim of a digest's day.
//! - [`frameworks`]: imported frameworks and mapping sets (OSCAL, CISO Assistant).
//! - [`settings`]: settings changed at run time (the risk matrix), one row each.
//! - [`assessment`]: assessments with their plans, answered items, evidence files and
//!   readiness snapshots.
//! - [`tx`]: a write transaction; audit events are appended to the chain at commit.
//!
//! The built-in standards catalog needs no storage: it is compiled into the binary; only
//! imported frameworks are stored.

pub mod accounts;
pub mod assessment;
pub mod audit_trail;
pub mod frameworks;
pub mod records;
pub mod reminders;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tx;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use tx::Tx;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From SQLite's write connection (see [`writer`]).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no backend Annex knows.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://...")]
    Url(String),
    /// A unique key was violated; the caller maps it to the field it concerns.
    #[error("a row with this {0} already exists")]
    Duplicate(&'static str),
    /// A commit did not happen: the write was not made (SQLite's group commit failed or the
    /// database was closed).
    #[error("the write was not committed: {0}")]
    Commit(String),
    /// A row the audit trail depends on is missing or unreadable.
    #[error("the audit trail is damaged: {0}")]
    Damaged(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which backend, with its pools.
#[derive(Clone)]
pub(crate) enum Db {
    /// SQLite allows one writer at a time: writes go through one connection, with group
    /// commit ([`writer`]), so that this process never fights itself for the lock; reads use a
    /// pool of their own.
    Sqlite {
        read: SqlitePool,
        write: Arc<writer::Writer>,
        /// The database file, for connections of its own (verification).
        path: Arc<Path>,
    },
    Postgres(PgPool),
}

/// The database behind Annex. Cheap to clone: it holds connection pools.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.db {
            Db::Sqlite { .. } => "Store(sqlite)",
            Db::Postgres(_) => "Store(postgres)",
        })
    }
}

/// Runs `$body` against the read pool of whichever backend the store has. The body is
/// compiled once per backend, so one query text serves both.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { read: $p, .. } => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// How durable a SQLite commit is. `Full` syncs the write-ahead log on every commit, so a
/// power cut loses nothing committed; `Normal` syncs at checkpoints, which survives a crash
/// of the process (kill -9) but not of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

impl Store {
    /// Opens the database named by `url`: `sqlite://PATH` (created if missing) or
    /// `postgres://...`. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, Durability::Full).await
    }

    /// As [`Store::connect`], choosing how durable SQLite commits are.
    pub async fn connect_with(url: &str, durability: Durability) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            return Ok(Store {
                db: Db::Postgres(pool),
            });
        }
        let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        else {
            return Err(Error::Url(url.to_string()));
        };
        Self::open_sqlite(Path::new(path), durability).await
    }

    /// Opens (creating if missing) the SQLite file at `path`.
    pub async fn open_sqlite(path: &Path, durability: Durability) -> Result<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            // Statement journals (savepoints, trigger-driven writes such as full-text
            // indexing) stay in memory: on disk each cost a file created and deleted.
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(30));
        let write = writer::Writer::new(open_writer(path, durability)?);
        // Readers open after the writer, which has created the file.
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Store {
            db: Db::Sqlite {
                read,
                write,
                path: path.into(),
            },
        })
    }

    /// Which backend: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Applies the migrations this binary carries that the database lacks. Safe to run from
    /// several app servers at once: PostgreSQL migrations take an advisory lock.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            // sqlx applies them on a connection from the read pool (any SQLite connection
            // may write) while the write connection is held idle.
            Db::Sqlite { read, write, .. } => {
                write
                    .paused(async || Ok(sqlx::migrate!("./migrations/sqlite").run(read).await?))
                    .await?
            }
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// The migrations this binary carries, and whether each is applied: `(version,
    /// description, applied)`.
    pub async fn migrations(&self) -> Result<Vec<(i64, String, bool)>> {
        let carried = match &self.db {
            Db::Sqlite { .. } => sqlx::migrate!("./migrations/sqlite"),
            Db::Postgres(_) => sqlx::migrate!("./migrations/postgres"),
        };
        let sql = "SELECT version FROM _sqlx_migrations WHERE success";
        let applied: Vec<i64> = on_pool!(self, p => {
            sqlx::query_scalar(sql).fetch_all(p).await.unwrap_or_default()
        });
        Ok(carried
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    applied.contains(&m.version),
                )
            })
            .collect())
    }

    /// Closes the pools, waiting for connections to return (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write, .. } => {
                write.close().await;
                read.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Refreshes the statistics the query planner chooses indexes by. PostgreSQL's autovacuum
    /// does this as tables grow; SQLite never does it by itself, and without statistics it
    /// may pick an index that reads far more rows than a list page shows. Sampling keeps it
    /// to milliseconds on a large database.
    pub async fn analyze(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                write
                    .exclusive(|c| Ok(c.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE")?))
                    .await
            }
            Db::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
                Ok(())
            }
        }
    }

    /// Begins a write transaction. Audit events added to it are appended to the chain when it
    /// commits, in the same transaction as the changes they describe.
    pub async fn begin(&self) -> Result<Tx> {
        Tx::begin(&self.db).await
    }
}

/// Maps a unique-key violation to [`Error::Duplicate`] naming `what`.
/// Opens SQLite's write connection (see [`writer`]), creating the file if needed, with the
/// same settings the read pool gets from sqlx.
fn open_writer(path: &Path, durability: Durability) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    // Opening may find another process recovering the log; wait for it here, once. Later
    // waits for the write lock happen in `Writer::begin` without holding a thread.
    conn.busy_timeout(Duration::from_secs(30))?;
    let synchronous = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
         PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
    ))?;
    conn.busy_timeout(Duration::ZERO)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Turns a unique-key violation into [`Error::Duplicate`]`(what)`.
pub(crate) fn unique(e: Error, what: &'static str) -> Error {
    let duplicate = match &e {
        Error::Database(sqlx::Error::Database(d)) => d.is_unique_violation(),
        Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        ),
        _ => false,
    };
    if duplicate { Error::Duplicate(what) } else { e }
}
