//! Fresh, migrated databases for tests (feature `testing`): a SQLite file in a temporary
//! folder, and — when `ANNEX_TEST_DATABASE_URL` names a PostgreSQL server — a new database on
//! it. Each test gets its own, so tests run in parallel without seeing each other's rows.
//!
//! Test databases are named `annex_t_<pid>_<n>`; databases left by test processes that have
//! ended are dropped when the next one starts.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::{Durability, Result, Store};

/// A store for one test; keep it alive as long as the store is used (it owns the folder).
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Wraps a store opened elsewhere (benchmarks choose their own durability).
    pub fn from_store(store: Store, url: String) -> TestDb {
        TestDb {
            store,
            url,
            _dir: None,
        }
    }
}

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("ANNEX_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A migrated SQLite store in a new temporary folder.
pub async fn sqlite() -> Result<TestDb> {
    let dir = tempfile::tempdir().map_err(|e| crate::Error::Url(e.to_string()))?;
    let path = dir.path().join("annex.db");
    let url = format!("sqlite://{}", path.display());
    // Tests need not survive a power cut; NORMAL keeps them quick.
    let store = Store::connect_with(&url, Durability::Normal).await?;
    store.migrate().await?;
    Ok(TestDb {
        store,
        url,
        _dir: Some(dir),
    })
}

/// A migrated PostgreSQL store in a new database on the server `admin_url` names.
pub async fn postgres(admin_url: &str) -> Result<TestDb> {
    static N: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    let name = format!("annex_t_{pid}_{}", N.fetch_add(1, Ordering::Relaxed));
    let mut admin = PgConnection::connect(admin_url).await?;
    drop_stale(&mut admin).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let url = replace_database(admin_url, &name);
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(TestDb {
        store,
        url,
        _dir: None,
    })
}

/// Both backends where available: SQLite always, PostgreSQL when configured.
pub async fn each() -> Result<Vec<TestDb>> {
    let mut dbs = vec![sqlite().await?];
    if let Some(url) = postgres_url() {
        dbs.push(postgres(&url).await?);
    }
    Ok(dbs)
}

/// The URL with its database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Drops test databases whose process has ended (best effort).
async fn drop_stale(admin: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE substr(datname, 1, 8) = 'annex_t_'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name
            .strip_prefix("annex_t_")
            .and_then(|r| r.split('_').next())
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut *admin)
            .await;
        }
    }
}

impl crate::Store {
    /// How many writers wait for SQLite's write connection (0 on PostgreSQL), so that a test
    /// can stage a group commit without sleeping.
    pub fn writers_waiting(&self) -> usize {
        match &self.db {
            crate::Db::Sqlite { write, .. } => write.queued(),
            crate::Db::Postgres(_) => 0,
        }
    }
}

impl crate::Tx {
    /// Runs SQL as someone with direct database access would (tamper tests).
    pub async fn raw(&mut self, sql: &'static str) -> Result<u64> {
        crate::tx::execute!(self, sql)
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name_and_keeps_the_query() {
        assert_eq!(
            replace_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
