//! A write transaction, and how audit events join the chain.
//!
//! The app layer opens a [`Tx`], makes its changes, adds the audit events that describe them
//! with [`Tx::audit`], and commits. At commit the events are appended to the hash chain inside
//! the same database transaction, so a change and its audit event are written together or not
//! at all (21 CFR 11.10(e)), and a crash leaves the chain verifiable.
//!
//! One linear chain across app servers: appending first locks the single `audit_head` row
//! (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite transactions are already serialised by
//! `BEGIN IMMEDIATE`), so two servers can never both append after the same event. The lock is
//! taken last, just before commit, so it is held only for the few inserts of the append.

use annex_core::audit_trail::{Draft, Event, GENESIS, Hash, canonical_text};
use sqlx::{Postgres, Transaction};

use crate::writer::Member;
use crate::{Db, Error, Result};

pub(crate) enum Inner {
    /// A savepoint inside SQLite's group transaction (see [`crate::writer`]).
    Sqlite(Member),
    Postgres(Transaction<'static, Postgres>),
}

/// An open write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    pub(crate) inner: Inner,
    pending: Vec<Draft>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tx({} pending audit events)", self.pending.len())
    }
}

/// Runs a statement in the transaction, written once for both backends; evaluates to the
/// number of rows it changed. Arguments bind to `$1`, `$2`... in order.
macro_rules! execute {
    ($tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match &mut $tx.inner {
            $crate::tx::Inner::Sqlite(m) => {
                m.execute(sql, &[$(&$arg as &dyn rusqlite::ToSql),*])
            }
            $crate::tx::Inner::Postgres(t) => sqlx::query(sqlx::AssertSqlSafe(sql))
                $(.bind($arg))*
                .execute(&mut **t)
                .await
                .map(|r| r.rows_affected())
                .map_err($crate::Error::from),
        }
    }};
}
pub(crate) use execute;

/// Runs a query in the transaction; evaluates to its rows as `$row`s (a type with both
/// sqlx's `FromRow` and [`FromSqlite`]).
macro_rules! fetch_all {
    ($tx:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match &mut $tx.inner {
            $crate::tx::Inner::Sqlite(m) => m.query(
                sql,
                &[$(&$arg as &dyn rusqlite::ToSql),*],
                <$row as $crate::tx::FromSqlite>::from_sqlite,
            ),
            $crate::tx::Inner::Postgres(t) => sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe(sql))
                $(.bind($arg))*
                .fetch_all(&mut **t)
                .await
                .map_err($crate::Error::from),
        }
    }};
}
pub(crate) use fetch_all;

/// As [`fetch_all!`], for at most one row.
macro_rules! fetch_optional {
    ($tx:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::tx::fetch_all!($tx, $row, $sql $(, $arg)*).map(|rows| rows.into_iter().next())
    };
}
pub(crate) use fetch_optional;

/// Runs a query in the transaction; evaluates to the first column of its one row as a `$t`.
macro_rules! fetch_scalar {
    ($tx:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match &mut $tx.inner {
            $crate::tx::Inner::Sqlite(m) => m
                .query(sql, &[$(&$arg as &dyn rusqlite::ToSql),*], |r| r.get::<_, $t>(0))
                .and_then(|rows| {
                    rows.into_iter()
                        .next()
                        .ok_or($crate::Error::Sqlite(rusqlite::Error::QueryReturnedNoRows))
                }),
            $crate::tx::Inner::Postgres(t) => sqlx::query_scalar::<_, $t>(sqlx::AssertSqlSafe(sql))
                $(.bind($arg))*
                .fetch_one(&mut **t)
                .await
                .map_err($crate::Error::from),
        }
    }};
}
pub(crate) use fetch_scalar;

/// A row read inside a SQLite transaction, by column position in the query's select list.
pub(crate) trait FromSqlite: Sized {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

impl FromSqlite for (i64, String) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

impl Tx {
    pub(crate) async fn begin(db: &Db) -> Result<Tx> {
        let inner = match db {
            Db::Sqlite { write, .. } => Inner::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Inner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            pending: Vec::new(),
        })
    }

    /// Adds an event to append to the audit trail when this transaction commits.
    pub fn audit(&mut self, draft: Draft) {
        self.pending.push(draft);
    }

    /// Appends the pending audit events to the chain and commits. Returns the events as
    /// chained.
    pub async fn commit(mut self) -> Result<Vec<Event>> {
        let events = if self.pending.is_empty() {
            Vec::new()
        } else {
            let drafts = std::mem::take(&mut self.pending);
            self.append(drafts).await?
        };
        let head = events.last().map(|e| (e.seq, e.hash));
        match self.inner {
            Inner::Sqlite(t) => t.commit(head).await?,
            Inner::Postgres(t) => t.commit().await?,
        }
        Ok(events)
    }

    /// Rolls back explicitly (dropping does the same).
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            Inner::Sqlite(t) => t.rollback().await?,
            Inner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    async fn append(&mut self, drafts: Vec<Draft>) -> Result<Vec<Event>> {
        let (mut seq, mut prev) = match &mut self.inner {
            // Within SQLite's group transaction no other process can write, so the head
            // left by the previous member is still the head.
            Inner::Sqlite(m) => match m.head() {
                Some(head) => head,
                None => {
                    self.read_head("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .await?
                }
            },
            Inner::Postgres(_) => {
                self.read_head("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
                    .await?
            }
        };
        let mut events = Vec::with_capacity(drafts.len());
        for draft in drafts {
            seq += 1;
            let event = draft.chain(seq, prev);
            prev = event.hash;
            // The trigger of migration 0003 moves the head row along.
            self.insert_event(&event).await?;
            events.push(event);
        }
        Ok(events)
    }

    async fn read_head(&mut self, sql: &'static str) -> Result<(i64, Hash)> {
        let head = fetch_optional!(self, (i64, String), sql)?;
        let (seq, hash) =
            head.ok_or_else(|| Error::Damaged("the audit_head row is missing".into()))?;
        Ok((seq, parse_hash(&hash)?))
    }

    async fn insert_event(&mut self, e: &Event) -> Result<()> {
        // Stored as the canonical text the hash covers, so verification need not parse it.
        let before = e.draft.before.as_ref().map(canonical_text);
        let after = e.draft.after.as_ref().map(canonical_text);
        let prev = hex::encode(e.prev_hash);
        let hash = hex::encode(e.hash);
        execute!(
            self,
            "INSERT INTO audit_events \
             (seq, at_us, actor, action, subject, before, after, reason, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            e.seq,
            e.draft.at_us,
            &e.draft.actor,
            &e.draft.action,
            &e.draft.subject,
            &before,
            &after,
            &e.draft.reason,
            &prev,
            &hash,
        )?;
        Ok(())
    }
}

/// Reads a hex SHA-256 as stored in the database.
pub(crate) fn parse_hash(s: &str) -> Result<Hash> {
    let mut h = GENESIS;
    hex::decode_to_slice(s, &mut h)
        .map_err(|_| Error::Damaged(format!("'{s}' is not a SHA-256 in hex")))?;
    Ok(h)
}
