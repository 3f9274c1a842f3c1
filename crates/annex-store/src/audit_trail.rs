//! Reading the audit trail back: pages for people, and the whole chain for verification.
//!
//! Verification reads the events in sequence order in chunks (memory stays flat at any
//! length), feeds them to [`annex_core::audit_trail::Verifier`], and finally compares the last
//! event with the stored head row, which is how a deleted tail is detected: without the head,
//! removing the newest events would leave a shorter chain that is still consistent.

use annex_core::audit_trail::{Break, Broken, Draft, Event, Verifier};
use serde::Serialize;
use sqlx::FromRow;

use crate::tx::parse_hash;
use crate::{Error, Result, Store, on_pool};

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
    pub async fn verify(&self) -> Result<Verification> {
        const CHUNK: i64 = 20_000;
        let head = self.audit_head().await;
        let mut verifier = Verifier::new();
        let mut last = 0_i64;
        let mut broken = None;
        'chunks: loop {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT {CHUNK}"
            );
            let rows: Vec<EventRow> = on_pool!(self, p => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(last).fetch_all(p).await?
            });
            let n = rows.len();
            for row in rows {
                last = row.seq;
                let event = match row.into_event() {
                    Ok(e) => e,
                    Err(b) => {
                        broken = Some(b);
                        break 'chunks;
                    }
                };
                if let Err(b) = verifier.push(&event) {
                    broken = Some(b);
                    break 'chunks;
                }
            }
            if i64::try_from(n).unwrap_or(0) < CHUNK {
                break;
            }
        }
        let (head_seq, head_hash) = match head {
            Ok(h) => h,
            Err(_) => (-1, String::new()),
        };
        if broken.is_none() {
            let checked = i64::try_from(verifier.checked()).unwrap_or(i64::MAX);
            // The chain must end exactly at the stored head: fewer events means the tail was
            // cut off; a different hash means the last event or the head was rewritten.
            if checked != head_seq {
                broken = Some(Broken {
                    seq: head_seq,
                    reason: Break::Tail { last: checked },
                });
            } else if hex::encode(verifier.head()) != head_hash {
                broken = Some(Broken {
                    seq: head_seq,
                    reason: Break::Head,
                });
            }
        }
        Ok(Verification {
            checked: verifier.checked(),
            head_seq,
            head_hash,
            broken,
        })
    }
}
