//! Settings changed while Annex runs (the risk matrix first): one row per setting, its value
//! as JSON text and a version that counts its changes. What a setting means and its rules
//! live in `annex_core::settings`; the audit event of each change is added by the app layer
//! to the same transaction.

use serde::Serialize;
use sqlx::FromRow;

use crate::tx::{FromSqlite, Inner, execute, fetch_optional};
use crate::{Result, Store, Tx, on_pool, unique};

/// A stored setting.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct SettingRow {
    pub key: String,
    /// JSON text.
    pub value: String,
    /// 1 for the first stored value, one more for each change.
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: Option<i64>,
}

const COLUMNS: &str = "key, value, version, updated_at, updated_by";

impl FromSqlite for SettingRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SettingRow {
            key: r.get(0)?,
            value: r.get(1)?,
            version: r.get(2)?,
            updated_at: r.get(3)?,
            updated_by: r.get(4)?,
        })
    }
}

impl Store {
    /// The stored value of `key`; none while it has its default.
    pub async fn setting(&self, key: &str) -> Result<Option<SettingRow>> {
        let sql = format!("SELECT {COLUMNS} FROM settings WHERE key = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(p).await?
        }))
    }
}

impl Tx {
    /// The stored value of `key`, read inside the transaction; on PostgreSQL its row stays
    /// locked until commit, so the change that follows is based on what was read.
    pub async fn setting(&mut self, key: &str) -> Result<Option<SettingRow>> {
        let sql = match self.inner {
            Inner::Sqlite(_) => format!("SELECT {COLUMNS} FROM settings WHERE key = $1"),
            Inner::Postgres(_) => {
                format!("SELECT {COLUMNS} FROM settings WHERE key = $1 FOR UPDATE")
            }
        };
        fetch_optional!(self, SettingRow, &sql, key)
    }

    /// Stores `value` as version `version` of `key`: inserted when it is the first, else
    /// written over version `version - 1`. Returns false when someone changed it first; a
    /// first value stored by two at once is [`crate::Error::Duplicate`] for the second.
    pub async fn put_setting(
        &mut self,
        key: &str,
        value: &str,
        version: i64,
        at: i64,
        by: Option<i64>,
    ) -> Result<bool> {
        let n = if version == 1 {
            execute!(
                self,
                "INSERT INTO settings (key, value, version, updated_at, updated_by) \
                 VALUES ($1, $2, 1, $3, $4)",
                key,
                value,
                at,
                by,
            )
            .map_err(|e| unique(e, "setting"))?
        } else {
            execute!(
                self,
                "UPDATE settings SET value = $2, version = $3, updated_at = $4, updated_by = $5 \
                 WHERE key = $1 AND version = $6",
                key,
                value,
                version,
                at,
                by,
                version - 1,
            )?
        };
        Ok(n == 1)
    }
}
