//! The SQLite write side: one connection, and group commit.
//!
//! SQLite lets one connection write at a time, and with `synchronous=FULL` every commit waits
//! for the write-ahead log to reach the disk (about 0.6 ms on the reference machine, more than
//! the rest of a record's creation). Group commit shares that wait between concurrent writers
//! without weakening it:
//!
//! - The first [`Tx`](crate::Tx) to begin opens an outer transaction (`BEGIN IMMEDIATE`);
//!   each `Tx` runs inside it as a savepoint and holds the connection while it works.
//! - A `Tx` that commits while others are queued for the connection releases its savepoint,
//!   joins the *group* and waits; otherwise it commits the outer transaction, which makes the
//!   whole group durable with one sync, and tells every member.
//! - Nothing is acknowledged before that commit returns, so a crash loses only writes whose
//!   callers were never told they succeeded. A member that was dropped rolls back to its
//!   savepoint without touching the others.
//! - A background flusher commits a group whose members are all waiting (for instance when
//!   the next writer in the queue was dropped), so a group is never left open.
//!
//! If the outer transaction is lost (SQLite rolls a transaction back by itself on some I/O
//! errors), every member of the group is told its write failed.
//!
//! Why rusqlite here when the rest of the store uses sqlx: sqlx runs each SQLite connection on
//! a thread of its own and sends every statement there and its result back, two thread
//! switches per statement. A record's creation is six statements, and with the connection
//! held meanwhile those switches, not SQLite, set the pace (about 1,150 creations a second at
//! best). Here the task that holds the connection runs its statements itself, each a few
//! microseconds from a cached prepared statement; only the commit, which waits for the disk,
//! moves to a blocking thread. Reads keep sqlx's pool: they run side by side and gain little.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ToSql};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use annex_core::audit_trail::Hash;

use crate::{Error, Result};

/// The most writes one sync makes durable; bounds how long the first member waits.
const MAX_GROUP: usize = 64;

/// How long a writer waits for another process (an `annex` command) to finish writing.
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// What a member learns when its group commits: nothing, or why it failed.
type Outcome = std::result::Result<(), String>;

/// The write connection and the state of the open group.
pub(crate) struct Writer {
    state: Arc<Mutex<State>>,
    /// Tasks waiting for the connection; a committer that sees any joins the group.
    queued: AtomicUsize,
    /// Wakes the flusher.
    flush: Arc<Notify>,
}

pub(crate) struct State {
    conn: Option<Connection>,
    /// An outer transaction is open.
    open: bool,
    /// Members that released their savepoint and wait for the outer commit.
    group: Vec<oneshot::Sender<Outcome>>,
    /// A member was dropped inside its savepoint; roll it back before anything else.
    undo: bool,
    /// The audit trail's head as the last committed member left it, while the outer
    /// transaction is open (its write lock keeps other processes from appending).
    head: Option<(i64, Hash)>,
}

/// A transaction's hold on the write connection, inside its savepoint.
pub(crate) struct Member {
    /// Taken when the member commits or rolls back.
    guard: Option<OwnedMutexGuard<State>>,
    writer: Arc<Writer>,
}

/// Runs `f` on a blocking thread with the connection held: for what waits on the disk. The
/// guard moves into the thread, so a caller that stops waiting cannot leave the connection
/// half-way through a commit; it comes back with `f`'s result.
async fn blocking<T: Send + 'static>(
    mut guard: OwnedMutexGuard<State>,
    f: impl FnOnce(&mut State) -> T + Send + 'static,
) -> Result<(OwnedMutexGuard<State>, T)> {
    tokio::task::spawn_blocking(move || {
        let out = f(&mut guard);
        (guard, out)
    })
    .await
    .map_err(|e| Error::Commit(format!("the writer stopped: {e}")))
}

/// Runs a statement without parameters or rows (transaction control), prepared once.
trait Run {
    fn run(&mut self, sql: &str) -> rusqlite::Result<()>;
}

impl Run for Connection {
    fn run(&mut self, sql: &str) -> rusqlite::Result<()> {
        self.prepare_cached(sql)?.raw_execute().map(drop)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

impl Writer {
    /// Takes over `conn` and starts the flusher.
    pub(crate) fn new(conn: Connection) -> Arc<Writer> {
        let writer = Arc::new(Writer {
            state: Arc::new(Mutex::new(State {
                conn: Some(conn),
                open: false,
                group: Vec::new(),
                undo: false,
                head: None,
            })),
            queued: AtomicUsize::new(0),
            flush: Arc::new(Notify::new()),
        });
        tokio::spawn(flusher(Arc::downgrade(&writer), writer.flush.clone()));
        writer
    }

    /// How many tasks wait for the connection.
    #[cfg(feature = "testing")]
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    async fn lock(&self) -> OwnedMutexGuard<State> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let guard = self.state.clone().lock_owned().await;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        guard
    }

    /// Begins a member transaction: the outer transaction if none is open, then a savepoint.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<Member> {
        let mut guard = self.lock().await;
        guard.settle()?;
        if !guard.open {
            // IMMEDIATE takes the write lock at once, so a transaction that reads and then
            // writes cannot fail half-way because another process wrote in between. While
            // another process holds the lock, wait here without holding up a thread (the
            // connection's own busy wait would sleep on one).
            let started = Instant::now();
            loop {
                match guard.conn()?.run("BEGIN IMMEDIATE") {
                    Ok(()) => break,
                    Err(e) if is_busy(&e) && started.elapsed() < BUSY_WAIT => {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            guard.open = true;
        }
        if let Err(e) = guard.conn()?.run("SAVEPOINT annex_tx") {
            // Closes the outer transaction, whatever state the failure left it in.
            guard.fail(&e.to_string());
            return Err(e.into());
        }
        Ok(Member {
            guard: Some(guard),
            writer: self.clone(),
        })
    }

    /// Runs `f` on the connection with no transaction open (statistics), after committing
    /// any open group.
    pub(crate) async fn exclusive<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (_, out) = blocking(self.lock().await, move |s| {
            s.settle()?;
            s.commit_group()?;
            f(s.conn()?)
        })
        .await?;
        out
    }

    /// Runs `f` with the connection held and no transaction open (migrations, which sqlx
    /// applies on a connection of its own), after committing any open group.
    pub(crate) async fn paused<T>(&self, f: impl AsyncFnOnce() -> Result<T>) -> Result<T> {
        let (guard, settled) = blocking(self.lock().await, |s| {
            s.settle()?;
            s.commit_group()
        })
        .await?;
        settled?;
        let out = f().await;
        drop(guard);
        out
    }

    /// Commits any open group and closes the connection.
    pub(crate) async fn close(&self) {
        let _ = blocking(self.lock().await, |s| {
            let _ = s.settle();
            let _ = s.commit_group();
            if let Some(conn) = s.conn.take() {
                let _ = conn.close();
            }
        })
        .await;
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Lets the flusher see that the writer is gone and stop.
        self.flush.notify_one();
    }
}

/// Commits groups whose members are all waiting, and rolls back dropped members when no
/// other writer comes along to do it.
async fn flusher(writer: Weak<Writer>, flush: Arc<Notify>) {
    loop {
        flush.notified().await;
        let Some(w) = writer.upgrade() else { return };
        let guard = w.lock().await;
        drop(w);
        let _ = blocking(guard, |s| {
            if s.settle().is_ok() {
                let _ = s.commit_group();
            }
        })
        .await;
    }
}

impl State {
    fn conn(&mut self) -> Result<&mut Connection> {
        self.conn
            .as_mut()
            .ok_or_else(|| Error::Commit("the database is closed".into()))
    }

    /// Rolls back a member that was dropped inside its savepoint.
    fn settle(&mut self) -> Result<()> {
        if !self.undo {
            return Ok(());
        }
        self.undo = false;
        if let Err(e) = self
            .conn()?
            .execute_batch("ROLLBACK TO annex_tx; RELEASE annex_tx")
        {
            // The savepoint is gone, so the outer transaction is too: the group's writes
            // were lost with it.
            self.fail(&e.to_string());
            return Err(e.into());
        }
        Ok(())
    }

    /// Commits the outer transaction, if open, and tells the group. Waits for the disk:
    /// call it on a blocking thread.
    fn commit_group(&mut self) -> Result<()> {
        if !self.open {
            return Ok(());
        }
        match self.conn()?.run("COMMIT") {
            Ok(()) => {
                self.open = false;
                self.head = None;
                for member in self.group.drain(..) {
                    let _ = member.send(Ok(()));
                }
                Ok(())
            }
            Err(e) => {
                self.fail(&e.to_string());
                Err(Error::Commit(e.to_string()))
            }
        }
    }

    /// Abandons the outer transaction and tells every member of the group it failed.
    fn fail(&mut self, why: &str) {
        if let Ok(c) = self.conn() {
            // Fails harmlessly when SQLite has already rolled back.
            let _ = c.run("ROLLBACK");
        }
        self.open = false;
        self.undo = false;
        self.head = None;
        for member in self.group.drain(..) {
            let _ = member.send(Err(why.to_string()));
        }
    }
}

/// Binds `args` to `stmt`'s parameters. The store writes `$n` placeholders, which SQLite
/// numbers in the order they first appear; binding by the number in the name keeps `$n` the
/// n-th argument wherever it appears, as on PostgreSQL.
fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[&dyn ToSql]) -> Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(i);
        let arg = args
            .get(n.wrapping_sub(1))
            .ok_or_else(|| Error::Sqlite(rusqlite::Error::InvalidParameterCount(n, args.len())))?;
        stmt.raw_bind_parameter(i, arg)?;
    }
    Ok(())
}

impl Member {
    fn state(&mut self) -> Result<&mut State> {
        self.guard
            .as_deref_mut()
            .ok_or_else(|| Error::Commit("the transaction has ended".into()))
    }

    /// Runs one statement inside this member's savepoint; returns the rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, args: &[&dyn ToSql]) -> Result<u64> {
        let conn = self.state()?.conn()?;
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        Ok(stmt.raw_execute()? as u64)
    }

    /// Runs one query inside this member's savepoint and maps each row with `f`.
    pub(crate) fn query<T>(
        &mut self,
        sql: &str,
        args: &[&dyn ToSql],
        mut f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let conn = self.state()?.conn()?;
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(row)?);
        }
        Ok(out)
    }

    /// The audit trail's head as the group left it, if this transaction is not the first.
    pub(crate) fn head(&self) -> Option<(i64, Hash)> {
        self.guard.as_ref().and_then(|g| g.head)
    }

    /// Makes the write durable and returns: at once if no other writer is queued (one
    /// `COMMIT`, which also releases the savepoint), else by joining the group and waiting
    /// for its commit. `head` is the audit trail's head after this member's events.
    pub(crate) async fn commit(mut self, head: Option<(i64, Hash)>) -> Result<()> {
        let Some(mut guard) = self.guard.take() else {
            return Err(Error::Commit("the transaction has ended".into()));
        };
        if self.writer.queued.load(Ordering::SeqCst) == 0 || guard.group.len() + 1 >= MAX_GROUP {
            return blocking(guard, State::commit_group).await?.1;
        }
        if let Err(e) = guard.conn()?.run("RELEASE annex_tx") {
            guard.fail(&e.to_string());
            return Err(Error::Commit(e.to_string()));
        }
        if head.is_some() {
            guard.head = head;
        }
        let (tx, rx) = oneshot::channel();
        guard.group.push(tx);
        // Lets the next writer in.
        drop(guard);
        // Whoever holds the connection next commits the group, or the flusher does once
        // everyone queued has had their turn.
        self.writer.flush.notify_one();
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(Error::Commit(why)),
            Err(_) => Err(Error::Commit("the writer stopped before committing".into())),
        }
    }

    /// Rolls this member back, leaving the group as it was.
    pub(crate) async fn rollback(mut self) -> Result<()> {
        let Some(mut guard) = self.guard.take() else {
            return Ok(());
        };
        guard.undo = true;
        guard.settle()?;
        if self.writer.queued.load(Ordering::SeqCst) == 0 {
            blocking(guard, State::commit_group).await?.1?;
        }
        Ok(())
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            // Dropped inside its savepoint (an error, a refusal, a cancelled request): the
            // next holder of the connection, or the flusher, rolls it back once this guard
            // is released.
            guard.undo = true;
            drop(guard);
            self.writer.flush.notify_one();
        }
    }
}
