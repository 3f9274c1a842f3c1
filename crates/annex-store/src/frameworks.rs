//! Imported frameworks and mapping sets: one row each, with what the file was and, as JSON,
//! what was read from it (see migration 0007). How a file is read is
//! `annex_core::import`'s; the audit event of an import is added by the app layer to the
//! same transaction as the row.

use serde::Serialize;
use sqlx::FromRow;

use crate::tx::{FromSqlite, execute, fetch_optional};
use crate::{Result, Store, Tx, on_pool, unique};

/// An imported framework or mapping set, without its body.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct FrameworkRow {
    /// Grows with every import.
    pub seq: i64,
    pub id: String,
    /// `framework` or `mapping`.
    pub kind: String,
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub designation: String,
    pub from_id: Option<String>,
    pub to_id: Option<String>,
    /// Clauses of a framework; links of a mapping set.
    pub clauses: i64,
    /// Assessable clauses of a framework; 0 for a mapping set.
    pub assessable: i64,
    pub imported_at: i64,
    pub imported_by: Option<i64>,
}

const COLUMNS: &str = "seq, id, kind, format, file_name, sha256, designation, from_id, to_id, \
                       clauses, assessable, imported_at, imported_by";

impl FromSqlite for FrameworkRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(FrameworkRow {
            seq: r.get(0)?,
            id: r.get(1)?,
            kind: r.get(2)?,
            format: r.get(3)?,
            file_name: r.get(4)?,
            sha256: r.get(5)?,
            designation: r.get(6)?,
            from_id: r.get(7)?,
            to_id: r.get(8)?,
            clauses: r.get(9)?,
            assessable: r.get(10)?,
            imported_at: r.get(11)?,
            imported_by: r.get(12)?,
        })
    }
}

/// A framework or mapping set to store.
#[derive(Debug, Clone)]
pub struct NewFramework<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub format: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub designation: &'a str,
    pub from_id: Option<&'a str>,
    pub to_id: Option<&'a str>,
    pub clauses: i64,
    pub assessable: i64,
    /// The framework or mapping set as JSON text.
    pub body: &'a str,
    pub imported_at: i64,
    pub imported_by: Option<i64>,
}

/// The body of an import with its kind, for building the catalog.
#[derive(Debug, Clone, FromRow)]
pub struct FrameworkBody {
    pub kind: String,
    pub body: String,
}

impl Store {
    /// What changes with every import: `(rows, highest seq)`. One cheap query, so that each
    /// app server can tell whether the imports it has built its catalog from are current.
    pub async fn frameworks_stamp(&self) -> Result<(i64, i64)> {
        let sql = "SELECT count(*), coalesce(max(seq), 0) FROM frameworks";
        Ok(on_pool!(self, p => {
            sqlx::query_as::<_, (i64, i64)>(sql).fetch_one(p).await?
        }))
    }

    /// Every import, oldest first.
    pub async fn frameworks(&self) -> Result<Vec<FrameworkRow>> {
        let sql = format!("SELECT {COLUMNS} FROM frameworks ORDER BY seq");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?
        }))
    }

    /// Every import's body, oldest first (mapping sets after the frameworks they join,
    /// since those had to be imported first).
    pub async fn framework_bodies(&self) -> Result<Vec<FrameworkBody>> {
        let sql = "SELECT kind, body FROM frameworks ORDER BY seq";
        Ok(on_pool!(self, p => {
            sqlx::query_as(sql).fetch_all(p).await?
        }))
    }

    /// One import with its body.
    pub async fn framework(&self, id: &str) -> Result<Option<(FrameworkRow, String)>> {
        let sql = format!("SELECT {COLUMNS} FROM frameworks WHERE id = $1");
        let row: Option<FrameworkRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        let Some(row) = row else { return Ok(None) };
        let body: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT body FROM frameworks WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        Ok(body.map(|b| (row, b)))
    }
}

impl Tx {
    /// The import with id `id`, read inside the transaction.
    pub async fn framework(&mut self, id: &str) -> Result<Option<FrameworkRow>> {
        let sql = format!("SELECT {COLUMNS} FROM frameworks WHERE id = $1");
        fetch_optional!(self, FrameworkRow, &sql, id)
    }

    /// Stores an import; an id already imported is [`crate::Error::Duplicate`].
    pub async fn insert_framework(&mut self, f: &NewFramework<'_>) -> Result<()> {
        execute!(
            self,
            "INSERT INTO frameworks (id, kind, format, file_name, sha256, designation, from_id, \
             to_id, clauses, assessable, body, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            f.id,
            f.kind,
            f.format,
            f.file_name,
            f.sha256,
            f.designation,
            f.from_id,
            f.to_id,
            f.clauses,
            f.assessable,
            f.body,
            f.imported_at,
            f.imported_by,
        )
        .map_err(|e| unique(e, "framework id"))?;
        Ok(())
    }
}
