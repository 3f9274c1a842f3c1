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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use annex_core::audit_trail::Hash;

use crate::{Error, Result};

/// The most writes one sync makes durable; bounds how long the first member waits.
const MAX_GROUP: usize = 64;

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
    conn: Option<SqliteConnection>,
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
    guard: OwnedMutexGuard<State>,
    writer: Arc<Writer>,
    /// Committed or rolled back; dropping it then leaves nothing to undo.
    done: bool,
}

impl Writer {
    /// Takes over `conn` and starts the flusher.
    pub(crate) fn new(conn: SqliteConnection) -> Arc<Writer> {
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
        guard.settle().await?;
        // IMMEDIATE takes the write lock at once, so a transaction that reads and then
        // writes cannot fail half-way because another process wrote in between. Sent with
        // the savepoint, as one round trip.
        let sql = if guard.open {
            "SAVEPOINT annex_tx"
        } else {
            "BEGIN IMMEDIATE; SAVEPOINT annex_tx"
        };
        guard.open = true;
        if let Err(e) = sqlx::query(sql).execute(guard.conn()?).await {
            // Closes the outer transaction, whatever state the failure left it in.
            guard.fail(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(Member {
            guard,
            writer: self.clone(),
            done: false,
        })
    }

    /// Runs `f` on the connection with no transaction open (migrations), after committing
    /// any open group.
    pub(crate) async fn exclusive<T>(
        &self,
        f: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T>,
    ) -> Result<T> {
        let mut guard = self.lock().await;
        guard.settle().await?;
        guard.commit_group().await?;
        f(guard.conn()?).await
    }

    /// Commits any open group and closes the connection.
    pub(crate) async fn close(&self) {
        let mut guard = self.lock().await;
        let _ = guard.settle().await;
        let _ = guard.commit_group().await;
        if let Some(conn) = guard.conn.take() {
            let _ = conn.close().await;
        }
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
        let mut guard = w.lock().await;
        if guard.settle().await.is_ok() {
            let _ = guard.commit_group().await;
        }
    }
}

impl State {
    fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| Error::Commit("the database is closed".into()))
    }

    /// Rolls back a member that was dropped inside its savepoint.
    async fn settle(&mut self) -> Result<()> {
        if !self.undo {
            return Ok(());
        }
        self.undo = false;
        let undo = sqlx::query("ROLLBACK TO annex_tx; RELEASE annex_tx")
            .execute(self.conn()?)
            .await;
        if let Err(e) = undo {
            // The savepoint is gone, so the outer transaction is too: the group's writes
            // were lost with it.
            self.fail(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(())
    }

    /// Commits the outer transaction, if open, and tells the group.
    async fn commit_group(&mut self) -> Result<()> {
        if !self.open {
            return Ok(());
        }
        match sqlx::query("COMMIT").execute(self.conn()?).await {
            Ok(_) => {
                self.open = false;
                self.head = None;
                for member in self.group.drain(..) {
                    let _ = member.send(Ok(()));
                }
                Ok(())
            }
            Err(e) => {
                self.fail(&e.to_string()).await;
                Err(Error::Commit(e.to_string()))
            }
        }
    }

    /// Abandons the outer transaction and tells every member of the group it failed.
    async fn fail(&mut self, why: &str) {
        if let Ok(c) = self.conn() {
            // Fails harmlessly when SQLite has already rolled back.
            let _ = sqlx::query("ROLLBACK").execute(c).await;
        }
        self.open = false;
        self.undo = false;
        self.head = None;
        for member in self.group.drain(..) {
            let _ = member.send(Err(why.to_string()));
        }
    }
}

impl Member {
    /// The connection, inside this member's savepoint.
    pub(crate) fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.guard.conn()
    }

    /// The audit trail's head as the group left it, if this transaction is not the first.
    pub(crate) fn head(&self) -> Option<(i64, Hash)> {
        self.guard.head
    }

    /// Makes the write durable and returns: at once if no other writer is queued (one
    /// `COMMIT`, which also releases the savepoint), else by joining the group and waiting
    /// for its commit. `head` is the audit trail's head after this member's events.
    pub(crate) async fn commit(mut self, head: Option<(i64, Hash)>) -> Result<()> {
        self.done = true;
        let guard = &mut self.guard;
        if self.writer.queued.load(Ordering::SeqCst) == 0 || guard.group.len() + 1 >= MAX_GROUP {
            return guard.commit_group().await;
        }
        if let Err(e) = sqlx::query("RELEASE annex_tx").execute(guard.conn()?).await {
            guard.fail(&e.to_string()).await;
            return Err(Error::Commit(e.to_string()));
        }
        if head.is_some() {
            guard.head = head;
        }
        let (tx, rx) = oneshot::channel();
        guard.group.push(tx);
        let writer = self.writer.clone();
        // Lets the next writer in.
        drop(self);
        // Whoever holds the connection next commits the group, or the flusher does once
        // everyone queued has had their turn.
        writer.flush.notify_one();
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(Error::Commit(why)),
            Err(_) => Err(Error::Commit("the writer stopped before committing".into())),
        }
    }

    /// Rolls this member back, leaving the group as it was.
    pub(crate) async fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.guard.undo = true;
        self.guard.settle().await?;
        if self.writer.queued.load(Ordering::SeqCst) == 0 {
            self.guard.commit_group().await?;
        }
        Ok(())
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if !self.done {
            // Dropped inside its savepoint (an error, a refusal, a cancelled request): the
            // next holder of the connection, or the flusher, rolls it back once this guard
            // is released.
            self.guard.undo = true;
            self.writer.flush.notify_one();
        }
    }
}
