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

impl crate::Store {
    /// Fills a new database for the reminders benchmark in one statement each: `owners`
    /// accounts (ids 1 to `owners`, with addresses) and `n` records numbered `BR-1`..., owned
    /// round-robin five at a time, alternately nonconformities and documents. Four in five are in a terminal
    /// state; due dates are spread over the year either side of `today`, one in ten records
    /// has none. No versions or audit events: the benchmark reads, it does not verify.
    pub async fn bench_fill_reminders(&self, n: i64, owners: i64, today: &str) -> Result<()> {
        let (users, records) = match &self.db {
            crate::Db::Sqlite { .. } => (
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 INSERT INTO users (username, display_name, email, password_hash, role, \
                 created_at, password_changed_at) \
                 SELECT 'user' || i, 'User ' || i, 'user' || i || '@example.com', 'x', \
                 'contributor', 0, 0 FROM n",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1), \
                 r AS (SELECT i, CASE WHEN i % 2 = 0 THEN 'nonconformity' ELSE 'document' END \
                 AS kind, CASE WHEN i % 10 = 0 THEN NULL ELSE \
                 date($3, ((i * 7919) % 731 - 365) || ' days') END AS due FROM n) \
                 INSERT INTO records (kind, seq, number, title, state, owner_id, site, due_on, \
                 remind_on, fields, version, search_text, created_at, created_by, updated_at) \
                 SELECT kind, i, 'BR-' || i, 'Record ' || i, \
                 CASE WHEN i % 5 = 0 OR i % 5 = 1 OR i % 5 = 2 OR i % 5 = 3 THEN \
                 (CASE WHEN kind = 'document' THEN 'obsolete' ELSE 'closed' END) \
                 ELSE (CASE WHEN kind = 'document' THEN 'effective' ELSE 'investigated' END) \
                 END, 1 + (i / 5) % $2, '', due, due, '{}', 1, 'BR-' || i || ' Record ' || i, \
                 i, 1, i FROM r",
            ),
            crate::Db::Postgres(_) => (
                "INSERT INTO users (username, display_name, email, password_hash, role, \
                 created_at, password_changed_at) \
                 SELECT 'user' || i, 'User ' || i, 'user' || i || '@example.com', 'x', \
                 'contributor', 0, 0 FROM generate_series(1, $1::bigint) AS g(i)",
                "INSERT INTO records (kind, seq, number, title, state, owner_id, site, due_on, \
                 remind_on, fields, version, search_text, created_at, created_by, updated_at) \
                 SELECT kind, i, 'BR-' || i, 'Record ' || i, \
                 CASE WHEN i % 5 < 4 THEN \
                 (CASE WHEN kind = 'document' THEN 'obsolete' ELSE 'closed' END) \
                 ELSE (CASE WHEN kind = 'document' THEN 'effective' ELSE 'investigated' END) \
                 END, 1 + (i / 5) % $2, '', due, due, '{}', 1, 'BR-' || i || ' Record ' || i, \
                 i, 1, i FROM (SELECT i, \
                 CASE WHEN i % 2 = 0 THEN 'nonconformity' ELSE 'document' END AS kind, \
                 CASE WHEN i % 10 = 0 THEN NULL ELSE \
                 to_char($3::date + ((i * 7919) % 731 - 365)::int, 'YYYY-MM-DD') END AS due \
                 FROM generate_series(1, $1::bigint) AS g(i)) AS r",
            ),
        };
        let mut tx = self.begin().await?;
        crate::tx::execute!(tx, users, owners)?;
        crate::tx::execute!(tx, records, n, owners, today)?;
        tx.commit().await?;
        Ok(())
    }
}

impl crate::Store {
    /// Fills `kind`'s register with `n` records (`seq` 1 to `n`, numbered as the app numbers
    /// them with `prefix`) in one statement, for the registers benchmark: record `i` takes
    /// its state and fields from `samples[i % samples.len()]` (`(state, fields as JSON)`),
    /// sits at site `north` or `south` in turn and is due on a day spread over two years.
    /// No versions or audit events: the benchmark lists and exports, it does not verify.
    /// Going through the write path one record at a time fills only about a thousand
    /// records a second (BENCHMARKS.md, Registers).
    pub async fn bench_fill_kind(
        &self,
        kind: &str,
        prefix: &str,
        n: i64,
        samples: &[(String, String)],
    ) -> Result<()> {
        let postgres = matches!(self.db, crate::Db::Postgres(_));
        let mut tx = self.begin().await?;
        let create = if postgres {
            "CREATE TEMP TABLE bench_samples (k BIGINT PRIMARY KEY, state TEXT, fields TEXT)              ON COMMIT DROP"
        } else {
            "CREATE TEMP TABLE IF NOT EXISTS bench_samples (k INTEGER PRIMARY KEY, state TEXT,              fields TEXT)"
        };
        crate::tx::execute!(tx, create)?;
        crate::tx::execute!(tx, "DELETE FROM bench_samples")?;
        for (k, (state, fields)) in samples.iter().enumerate() {
            let k = i64::try_from(k).unwrap_or(i64::MAX);
            crate::tx::execute!(
                tx,
                "INSERT INTO bench_samples (k, state, fields) VALUES ($1, $2, $3)",
                k,
                state.as_str(),
                fields.as_str()
            )?;
        }
        let count = i64::try_from(samples.len().max(1)).unwrap_or(1);
        let fill = if postgres {
            "INSERT INTO records (kind, seq, number, title, state, owner_id, site, due_on,              remind_on, fields, version, search_text, created_at, created_by, updated_at)              SELECT $1, i, $2 || '-' || CASE WHEN i < 10000 THEN lpad(i::text, 4, '0')              ELSE i::text END, $3 || ' ' || i, s.state, 1,              CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END,              to_char(DATE '2026-01-01' + (i % 730)::int, 'YYYY-MM-DD'),              to_char(DATE '2026-01-01' + (i % 730)::int, 'YYYY-MM-DD'), s.fields, 1,              $2 || '-' || i || ' ' || $3 || ' ' || i || ' ' || s.fields, i, 1, i              FROM generate_series(1, $4::bigint) AS g(i)              JOIN bench_samples s ON s.k = i % $5"
        } else {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $4)              INSERT INTO records (kind, seq, number, title, state, owner_id, site, due_on,              remind_on, fields, version, search_text, created_at, created_by, updated_at)              SELECT $1, i, $2 || '-' || printf('%04d', i), $3 || ' ' || i, s.state, 1,              CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END,              date('2026-01-01', (i % 730) || ' days'), date('2026-01-01', (i % 730) || ' days'),              s.fields, 1, $2 || '-' || i || ' ' || $3 || ' ' || i || ' ' || s.fields, i, 1, i              FROM n JOIN bench_samples s ON s.k = i % $5"
        };
        crate::tx::execute!(tx, fill, kind, prefix, kind, n, count)?;
        tx.commit().await?;
        Ok(())
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
