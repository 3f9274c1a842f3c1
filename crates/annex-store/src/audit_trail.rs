//! Reading the audit trail back: pages for people, and the whole chain for verification.
//!
//! Verification reads the events in sequence order in chunks (memory stays flat at any
//! length), feeds them to [`annex_core::audit_trail::Verifier`], and finally compares the last
//! event with the stored head row, which is how a deleted tail is detected: without the head,
//! removing the newest events would leave a shorter chain that is still consistent.

use annex_core::audit_trail::{Break, Broken, Draft, Event, Hash, Sealed, Verifier};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::FromRow;

use crate::tx::parse_hash;
use std::path::Path;

use crate::{Db, Error, Result, Store, on_pool};

#[derive(Debug, Clone, FromRow)]
struct EventRow {
    seq: i64,
    at_us: i64,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    reason: Option<String>,
    prev_hash: String,
    hash: String,
}

const EVENT_COLUMNS: &str =
    "seq, at_us, actor, action, subject, before, after, reason, prev_hash, hash";

impl EventRow {
    /// The stored event; a value that does not parse is damage, reported at this `seq`.
    fn into_event(self) -> Result<Event, Broken> {
        let content = |s: Option<String>| -> Result<Option<serde_json::Value>, Broken> {
            s.map(|s| serde_json::from_str(&s))
                .transpose()
                .map_err(|_| Broken {
                    seq: self.seq,
                    reason: Break::Content,
                })
        };
        let before = content(self.before.clone())?;
        let after = content(self.after.clone())?;
        let hash = |s: &str| {
            parse_hash(s).map_err(|_| Broken {
                seq: self.seq,
                reason: Break::Content,
            })
        };
        Ok(Event {
            seq: self.seq,
            prev_hash: hash(&self.prev_hash)?,
            hash: hash(&self.hash)?,
            draft: Draft {
                at_us: self.at_us,
                actor: self.actor,
                action: self.action,
                subject: self.subject,
                before,
                after,
                reason: self.reason,
            },
        })
    }
}

/// Which events to show.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub subject: Option<String>,
    pub actor: Option<String>,
    /// Action, or an action prefix ending in `.` (`record.` for every record action).
    pub action: Option<String>,
    /// Only events with a smaller sequence number (newest first paging).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Events checked before stopping.
    pub checked: u64,
    /// The stored head: last sequence number and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// The first broken link, if any.
    pub broken: Option<Broken>,
}

impl Store {
    /// Events matching `filter`, newest first.
    pub async fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut n = 0;
        if let Some(s) = &filter.subject {
            n += 1;
            sql.push_str(&format!(" AND subject = ${n}"));
            binds.push(s.clone());
        }
        if let Some(a) = &filter.actor {
            n += 1;
            sql.push_str(&format!(" AND actor = ${n}"));
            binds.push(a.clone());
        }
        if let Some(a) = &filter.action {
            n += 1;
            if let Some(prefix) = a.strip_suffix('.') {
                // Prefix match without LIKE, whose escaping differs between the dialects.
                sql.push_str(&format!(
                    " AND substr(action, 1, {}) = ${n}",
                    prefix.len() + 1
                ));
                binds.push(format!("{prefix}."));
            } else {
                sql.push_str(&format!(" AND action = ${n}"));
                binds.push(a.clone());
            }
        }
        let before = filter.before_seq.unwrap_or(i64::MAX);
        n += 1;
        sql.push_str(&format!(
            " AND seq < ${n} ORDER BY seq DESC LIMIT {}",
            filter.limit.clamp(1, 1000)
        ));
        let rows: Vec<EventRow> = on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(b.clone());
            }
            q.bind(before).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                let seq = r.seq;
                r.into_event()
                    .map_err(|_| Error::Damaged(format!("event {seq} does not parse")))
            })
            .collect()
    }

    /// The number of events and the stored head.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let head: Option<(i64, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(p)
                .await?
        });
        head.ok_or_else(|| Error::Damaged("the audit_head row is missing".into()))
    }

    /// Recomputes the whole chain and names the first broken link.
    ///
    /// The chain is read in stretches of [`STRETCH`] sequence numbers, several at a time on
    /// their own connections, and each stretch is hashed on a blocking thread: every event's
    /// hash depends only on its own row, so stretches can be checked apart and then joined
    /// in order by checking that each starts where the one before it ended.
    pub async fn verify(&self) -> Result<Verification> {
        self.verify_in(STRETCH).await
    }

    /// As [`Store::verify`], in stretches of `stretch` sequence numbers (tests use small
    /// ones to put breaks at the seams).
    #[doc(hidden)]
    pub async fn verify_in(&self, stretch: i64) -> Result<Verification> {
        let stretch = stretch.max(1);
        // The head and the last event read in one statement, so one snapshot: events
        // appended while verification runs lie beyond both and are left for next time.
        let sql = "SELECT h.seq, h.hash, (SELECT COALESCE(MAX(seq), 0) FROM audit_events) \
                   FROM audit_head h WHERE h.id = 1";
        let snapshot: Option<(i64, String, i64)> = on_pool!(self, p => {
            sqlx::query_as(sql).fetch_optional(p).await?
        });
        let (head, last) = match snapshot {
            Some((seq, hash, last)) => (Some((seq, hash)), last),
            None => {
                let last: i64 = on_pool!(self, p => {
                    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
                        .fetch_one(p)
                        .await?
                });
                (None, last)
            }
        };
        let in_flight = std::thread::available_parallelism().map_or(2, |n| n.get() + 1);
        let mut pending = std::collections::VecDeque::new();
        let mut from = 0_i64;
        let mut chain = Verifier::new();
        let mut broken = None;
        loop {
            while pending.len() < in_flight && from < last {
                let store = self.clone();
                let to = from.saturating_add(stretch).min(last);
                pending.push_back(tokio::spawn(async move { store.stretch(from, to).await }));
                from = to;
            }
            let Some(next) = pending.pop_front() else {
                break;
            };
            let s = next
                .await
                .map_err(|e| Error::Damaged(format!("verification stopped: {e}")))??;
            if let Err(b) = join(&mut chain, &s) {
                broken = Some(b);
                break;
            }
        }
        // Stretches still being read are let finish, never aborted: a PostgreSQL connection
        // dropped in the middle of a COPY goes back to the pool with the rest of the COPY
        // still to come, and whoever uses it next reads those messages instead of their own.
        for p in pending {
            let _ = p.await;
        }
        let (head_seq, head_hash) = head.unwrap_or((-1, String::new()));
        if broken.is_none() {
            let checked = i64::try_from(chain.checked()).unwrap_or(i64::MAX);
            // The chain must end exactly at the stored head: fewer events means the tail was
            // cut off; a different hash means the last event or the head was rewritten.
            if checked != head_seq {
                broken = Some(Broken {
                    seq: head_seq,
                    reason: Break::Tail { last: checked },
                });
            } else if hex::encode(chain.head()) != head_hash {
                broken = Some(Broken {
                    seq: head_seq,
                    reason: Break::Head,
                });
            }
        }
        Ok(Verification {
            checked: chain.checked(),
            head_seq,
            head_hash,
            broken,
        })
    }

    /// Reads and checks the events with `from < seq <= to`.
    async fn stretch(&self, from: i64, to: i64) -> Result<Stretch> {
        let stopped =
            |e: tokio::task::JoinError| Error::Damaged(format!("verification stopped: {e}"));
        match &self.db {
            Db::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || Stretch::read_sqlite(&path, from, to))
                    .await
                    .map_err(stopped)?
            }
            Db::Postgres(p) => {
                // COPY, in binary: each value comes length-prefixed exactly as stored, with
                // no per-row work on either side beyond sending it. (Read as rows, the
                // driver's decoding of every value cost several times the hashing.)
                let sql = format!(
                    "COPY (SELECT {EVENT_COLUMNS} FROM audit_events \
                     WHERE seq > {from} AND seq <= {to} ORDER BY seq) TO STDOUT (FORMAT binary)"
                );
                let mut conn = p.acquire().await?;
                let mut data = Vec::new();
                let mut stream = conn.copy_out_raw(&sql).await?;
                while let Some(chunk) = stream.try_next().await? {
                    data.extend_from_slice(&chunk);
                }
                drop(stream);
                tokio::task::spawn_blocking(move || Stretch::check_copy(&data, from))
                    .await
                    .map_err(stopped)
            }
        }
    }
}

/// PostgreSQL's binary COPY output, read in place: a header, then per row a field count and
/// per field a length (-1 for NULL) and the value's bytes; big-endian throughout.
struct CopyRows<'a> {
    rest: &'a [u8],
}

impl<'a> CopyRows<'a> {
    /// Skips the header; `None` if `data` does not start with one.
    fn new(data: &'a [u8]) -> Option<CopyRows<'a>> {
        let mut rows = CopyRows {
            rest: data.strip_prefix(b"PGCOPY\n\xff\r\n\0")?,
        };
        let _flags = rows.int(4)?;
        let extension = usize::try_from(rows.int(4)?).ok()?;
        rows.take(extension)?;
        Some(rows)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(head)
    }

    /// A big-endian signed integer of `n` (2, 4 or 8) bytes.
    fn int(&mut self, n: usize) -> Option<i64> {
        let bytes = self.take(n)?;
        let mut v = if bytes.first()? & 0x80 != 0 { -1 } else { 0 };
        for b in bytes {
            v = (v << 8) | i64::from(*b);
        }
        Some(v)
    }

    /// The next row's field count, or `None` at the end.
    fn row(&mut self) -> Option<i64> {
        match self.int(2)? {
            -1 => None,
            n => Some(n),
        }
    }

    /// The next field: `Some(None)` for NULL, `None` when the data is used up.
    fn field(&mut self) -> Option<Option<&'a [u8]>> {
        match self.int(4)? {
            -1 => Some(None),
            n => self.take(usize::try_from(n).ok()?).map(Some),
        }
    }

    /// One row of [`EVENT_COLUMNS`] as a sealed event and its hash's hex; `None` when a
    /// value is not what the column holds (damage, or a stream cut short).
    fn event(&mut self, last: Option<(&[u8], Hash)>) -> Option<(Sealed<'a>, &'a str)> {
        if self.row()? != 10 {
            return None;
        }
        let mut int = || {
            let bytes = self.field()??;
            (bytes.len() == 8).then(|| CopyRows { rest: bytes }.int(8))?
        };
        let (seq, at_us) = (int()?, int()?);
        let mut field = || -> Option<Option<&'a str>> {
            match self.field()? {
                None => Some(None),
                Some(b) => std::str::from_utf8(b).ok().map(Some),
            }
        };
        let (actor, action, subject) = (field()??, field()??, field()??);
        let (before, after, reason) = (field()?, field()?, field()?);
        let prev = field()??;
        let hex = field()??;
        let sealed = Sealed {
            seq,
            at_us,
            actor,
            action,
            subject,
            before,
            after,
            reason,
            prev_hash: prev_hash(prev, last)?,
            hash: parse_hash(hex).ok()?,
        };
        Some((sealed, hex))
    }
}

/// How many sequence numbers one read of the chain covers.
const STRETCH: i64 = 20_000;

/// A stretch of the chain checked on its own.
struct Stretch {
    /// The first event's sequence number and stored previous hash, if the stretch has any.
    start: Option<(i64, Hash)>,
    /// The verifier after the stretch, started at its first event.
    verifier: Verifier,
    /// The first broken link inside the stretch.
    broken: Option<Broken>,
}

impl Stretch {
    fn new() -> Stretch {
        Stretch {
            start: None,
            verifier: Verifier::new(),
            broken: None,
        }
    }

    /// Checks the next event of the stretch that starts after `from`; `None` is an event
    /// that could not be read (damage). Returns whether to go on.
    fn push(&mut self, event: Option<&Sealed<'_>>, from: i64) -> bool {
        let Some(e) = event else {
            // Unreadable: the event after the last good one was damaged.
            let seq = self.start.map_or(from + 1, |_| self.verifier.next_seq());
            self.broken = Some(Broken {
                seq,
                reason: Break::Content,
            });
            return false;
        };
        if self.start.is_none() {
            self.start = Some((e.seq, e.prev_hash));
            self.verifier = Verifier::resume(e.seq, e.prev_hash);
        }
        if let Err(b) = self.verifier.push_sealed(e) {
            self.broken = Some(b);
            return false;
        }
        true
    }

    /// Checks the events of the stretch that starts after `from`, as PostgreSQL's binary
    /// COPY sent them.
    fn check_copy(data: &[u8], from: i64) -> Stretch {
        let mut out = Stretch::new();
        let Some(mut rows) = CopyRows::new(data) else {
            out.push(None, from);
            return out;
        };
        let mut last: Option<(&[u8], Hash)> = None;
        while !rows.rest.starts_with(&[0xff, 0xff]) && !rows.rest.is_empty() {
            let event = rows.event(last);
            if !out.push(event.as_ref().map(|(e, _)| e), from) {
                break;
            }
            last = event.map(|(e, hex)| (hex.as_bytes(), e.hash));
        }
        out
    }

    /// Reads and checks the events with `from < seq <= to` from the SQLite file at `path`,
    /// on a connection of its own (call on a blocking thread).
    fn read_sqlite(path: &Path, from: i64, to: i64) -> Result<Stretch> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq"
        ))?;
        let mut rows = stmt.query([from, to])?;
        let mut out = Stretch::new();
        // The hex of the last hash read, to recognise the next event's previous hash
        // without decoding it again.
        let mut last: Option<([u8; 64], Hash)> = None;
        while let Some(row) = rows.next()? {
            let event = sealed_row(row, last.as_ref().map(|(hex, h)| (&hex[..], *h)));
            if !out.push(event.as_ref().map(|(e, _)| e), from) {
                break;
            }
            last = event.and_then(|(e, hex)| Some((hex.as_bytes().try_into().ok()?, e.hash)));
        }
        Ok(out)
    }
}

/// A previous-event hash: most are the hex text of the hash just read (`last`), which saves
/// decoding them again.
fn prev_hash(text: &str, last: Option<(&[u8], Hash)>) -> Option<Hash> {
    match last {
        Some((hex, hash)) if hex == text.as_bytes() => Some(hash),
        _ => parse_hash(text).ok(),
    }
}

/// One row of [`EVENT_COLUMNS`] as a sealed event and its hash's hex, read in place; `None`
/// when a value has the wrong type (damage).
fn sealed_row<'r>(
    row: &'r rusqlite::Row<'_>,
    last: Option<(&[u8], Hash)>,
) -> Option<(Sealed<'r>, &'r str)> {
    use rusqlite::types::ValueRef;
    let int = |i| match row.get_ref(i) {
        Ok(ValueRef::Integer(n)) => Some(n),
        _ => None,
    };
    let field = |i| match row.get_ref(i) {
        Ok(ValueRef::Null) => Some(None),
        Ok(ValueRef::Text(t)) => std::str::from_utf8(t).ok().map(Some),
        _ => None,
    };
    let text = |i| field(i).flatten();
    let hex = text(9)?;
    let sealed = Sealed {
        seq: int(0)?,
        at_us: int(1)?,
        actor: text(2)?,
        action: text(3)?,
        subject: text(4)?,
        before: field(5)?,
        after: field(6)?,
        reason: field(7)?,
        prev_hash: prev_hash(text(8)?, last)?,
        hash: parse_hash(hex).ok()?,
    };
    Some((sealed, hex))
}

/// Continues the chain with a stretch checked apart; then the stretch's own first broken
/// link, if any, is the chain's.
fn join(chain: &mut Verifier, s: &Stretch) -> Result<(), Broken> {
    if let Some((seq, prev_hash)) = s.start {
        chain.join(seq, prev_hash, &s.verifier)?;
    }
    s.broken.clone().map_or(Ok(()), Err)
}
