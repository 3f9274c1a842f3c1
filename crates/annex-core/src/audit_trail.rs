//! The audit trail (21 CFR 11.10(e); EU GMP Annex 11 §9): every change, login, signature,
//! export and refusal is an [`Event`], and the events form one SHA-256 hash chain. Each
//! event's hash covers its canonical encoding and the previous event's hash, so that a row
//! edited, inserted or deleted behind the program's back breaks the chain at that point and
//! [`Verifier`] names the first broken link.
//!
//! This module is pure: the store decides how events are written (one chain even with several
//! app servers) and feeds them back, in sequence order, for verification.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The "previous hash" of the first event.
pub const GENESIS: Hash = [0; 32];

/// What happened, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Server time, UTC, in microseconds since the Unix epoch.
    pub at_us: i64,
    /// Who: a user name, or `system`.
    pub actor: String,
    /// Which action, e.g. `record.update`, `login.failed`, `signature.applied`.
    pub action: String,
    /// What it was done to, e.g. `DOC-0007`, `user:alice`, `setting:smtp`.
    pub subject: String,
    /// The values before and after, where the action changed something.
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The reason for the change, where the workflow asks for one.
    pub reason: Option<String>,
}

/// An event in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the chain: 1, 2, 3... without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub draft: Draft,
    #[serde(with = "hex_hash")]
    pub prev_hash: Hash,
    #[serde(with = "hex_hash")]
    pub hash: Hash,
}

impl Draft {
    /// Places the draft in the chain after an event whose hash is `prev_hash`.
    pub fn chain(self, seq: i64, prev_hash: Hash) -> Event {
        let hash = digest(seq, &self, &prev_hash);
        Event {
            seq,
            draft: self,
            prev_hash,
            hash,
        }
    }
}

impl Event {
    /// The hash this event should have, recomputed from its contents.
    pub fn recompute(&self) -> Hash {
        digest(self.seq, &self.draft, &self.prev_hash)
    }
}

/// SHA-256 over the previous hash and the canonical encoding of the event: every field
/// length-prefixed, so no two different events encode alike; JSON values with their object
/// keys sorted, so the encoding does not depend on how a database returns them.
fn digest(seq: i64, d: &Draft, prev_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(seq.to_be_bytes());
    h.update(d.at_us.to_be_bytes());
    let mut buf = Vec::with_capacity(256);
    for field in [
        Some(d.actor.as_str()),
        Some(d.action.as_str()),
        Some(d.subject.as_str()),
        d.reason.as_deref(),
    ] {
        put_str(&mut buf, field);
    }
    for value in [&d.before, &d.after] {
        match value {
            None => buf.push(0),
            Some(v) => {
                // Length-prefix the JSON in place: reserve the prefix, write, then fill it in.
                buf.push(1);
                let at = buf.len();
                buf.extend_from_slice(&[0; 8]);
                canonical_json(v, &mut buf);
                let len = (buf.len() - at - 8) as u64;
                buf[at..at + 8].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    h.update(&buf);
    h.finalize().into()
}

fn put_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put_bytes(buf, s.as_bytes());
        }
    }
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

/// JSON with object keys sorted at every level and no insignificant whitespace.
pub fn canonical_json(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, k);
                out.push(b':');
                canonical_json(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        scalar => write_json(out, scalar),
    }
}

/// Writes a string or scalar as JSON; writing into a `Vec` cannot fail, and a string or
/// scalar always serialises, so the error is impossible and ignored.
fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// How the chain is broken at an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Break {
    /// Events are missing (deleted) or out of order: this sequence number was expected.
    Gap { expected: i64 },
    /// The event does not point at the hash of the event before it (inserted or reordered).
    Link,
    /// The event's contents no longer match its hash (edited).
    Content,
    /// The stored head names event `seq` but the chain ends at event `last`: the newest
    /// events were deleted.
    Tail { last: i64 },
    /// The stored head's hash is not the hash of its event: the head or the last event was
    /// rewritten.
    Head,
}

/// The first broken link found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    pub seq: i64,
    #[serde(flatten)]
    pub reason: Break,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason {
            Break::Gap { expected } => {
                write!(
                    f,
                    "event {} found where event {expected} was expected: events are missing",
                    self.seq
                )
            }
            Break::Link => write!(
                f,
                "event {} does not follow from event {}",
                self.seq,
                self.seq - 1
            ),
            Break::Content => write!(f, "event {} was changed after it was written", self.seq),
            Break::Tail { last } => write!(
                f,
                "the chain ends at event {last} but its head records event {}: \
                 the newest events were deleted",
                self.seq
            ),
            Break::Head => write!(
                f,
                "the chain's head does not match event {}: the head or that event was rewritten",
                self.seq
            ),
        }
    }
}

/// Checks a chain event by event, in sequence order, without holding it in memory.
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: Hash,
    checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A verifier for a chain that starts at event 1.
    pub fn new() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS,
            checked: 0,
        }
    }

    /// Checks the next event; the first error is the first broken link.
    pub fn push(&mut self, e: &Event) -> Result<(), Broken> {
        if e.seq != self.next_seq {
            return Err(Broken {
                seq: e.seq,
                reason: Break::Gap {
                    expected: self.next_seq,
                },
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Broken {
                seq: e.seq,
                reason: Break::Link,
            });
        }
        if e.recompute() != e.hash {
            return Err(Broken {
                seq: e.seq,
                reason: Break::Content,
            });
        }
        self.next_seq += 1;
        self.prev_hash = e.hash;
        self.checked += 1;
        Ok(())
    }

    /// Events checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The hash of the last event checked: the chain's head.
    pub fn head(&self) -> Hash {
        self.prev_hash
    }
}

/// Verifies a whole chain: the number of events checked, or the first broken link.
pub fn verify<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<u64, Broken> {
    let mut v = Verifier::new();
    for e in events {
        v.push(e)?;
    }
    Ok(v.checked())
}

/// Hashes as lower-case hex in JSON.
mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(h: &super::Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<super::Hash, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = hex::decode(&s).map_err(D::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| D::Error::custom("a SHA-256 hash has 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(i: i64) -> Draft {
        Draft {
            at_us: 1_700_000_000_000_000 + i,
            actor: "alice".into(),
            action: "record.update".into(),
            subject: format!("DOC-{i:04}"),
            before: Some(json!({"title": "old", "n": i})),
            after: Some(json!({"n": i, "title": "new"})),
            reason: (i % 2 == 0).then(|| "typo".to_string()),
        }
    }

    fn chain(n: i64) -> Vec<Event> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|i| {
                let e = draft(i).chain(i, prev);
                prev = e.hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(50)), Ok(50));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_edited_value_is_named_as_the_first_broken_link() {
        let mut c = chain(20);
        c[6].draft.after = Some(json!({"n": 7, "title": "forged"}));
        assert_eq!(
            verify(&c),
            Err(Broken {
                seq: 7,
                reason: Break::Content
            })
        );
        let mut c = chain(20);
        c[11].draft.actor = "mallory".into();
        assert_eq!(
            verify(&c),
            Err(Broken {
                seq: 12,
                reason: Break::Content
            })
        );
    }

    #[test]
    fn a_deleted_event_is_a_gap() {
        let mut c = chain(10);
        c.remove(4);
        assert_eq!(
            verify(&c),
            Err(Broken {
                seq: 6,
                reason: Break::Gap { expected: 5 }
            })
        );
        let mut c = chain(10);
        c.pop();
        assert_eq!(
            verify(&c),
            Ok(9),
            "truncation at the end needs the stored head to detect"
        );
    }

    #[test]
    fn a_rehashed_forgery_still_breaks_the_next_link() {
        // Whoever edits an event and recomputes its hash breaks the link of the event after.
        let mut c = chain(10);
        c[3].draft.reason = Some("forged".into());
        c[3].hash = c[3].recompute();
        assert_eq!(
            verify(&c),
            Err(Broken {
                seq: 5,
                reason: Break::Link
            })
        );
    }

    #[test]
    fn the_hash_ignores_json_key_order_but_not_values() {
        let a = Draft {
            before: Some(json!({"a": 1, "b": [1, {"y": 2, "x": 1}]})),
            ..draft(1)
        };
        let b = Draft {
            before: Some(json!({"b": [1, {"x": 1, "y": 2}], "a": 1})),
            ..draft(1)
        };
        assert_eq!(a.clone().chain(1, GENESIS).hash, b.chain(1, GENESIS).hash);
        let c = Draft {
            before: Some(json!({"a": 2, "b": [1, {"y": 2, "x": 1}]})),
            ..draft(1)
        };
        assert_ne!(a.chain(1, GENESIS).hash, c.chain(1, GENESIS).hash);
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let a = Draft {
            actor: "ab".into(),
            action: "c".into(),
            ..draft(1)
        };
        let b = Draft {
            actor: "a".into(),
            action: "bc".into(),
            ..draft(1)
        };
        assert_ne!(a.chain(1, GENESIS).hash, b.chain(1, GENESIS).hash);
        let none = Draft {
            reason: None,
            ..draft(1)
        };
        let empty = Draft {
            reason: Some(String::new()),
            ..draft(1)
        };
        assert_ne!(none.chain(1, GENESIS).hash, empty.chain(1, GENESIS).hash);
    }

    #[test]
    fn events_round_trip_through_json_with_hex_hashes() {
        let e = &chain(3)[2];
        let text = serde_json::to_string(e).unwrap();
        assert!(text.contains(&hex::encode(e.hash)));
        let back: Event = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, e);
        assert_eq!(verify(&chain(3)), Ok(3));
    }
}
