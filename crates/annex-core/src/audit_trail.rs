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

/// A value as the store keeps it: its canonical JSON text, which is exactly what the hash
/// covers, so that verification hashes stored bytes instead of parsing them.
pub fn canonical_text(v: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    canonical_json(v, &mut out);
    // Serialised JSON is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// An event as stored, borrowed from a database row: the values before and after as the
/// canonical JSON text [`canonical_text`] wrote. Verifying it hashes that text as it is, so a
/// stored value that is no longer canonical (edited, even to equal JSON) breaks the chain.
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    pub seq: i64,
    pub at_us: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl Sealed<'_> {
    /// The hash this event should have, recomputed from its stored contents.
    pub fn recompute(&self) -> Hash {
        digest_sealed(self)
    }
}

/// SHA-256 over the previous hash and the canonical encoding of the event: every field
/// length-prefixed, so no two different events encode alike; JSON values with their object
/// keys sorted, so the encoding does not depend on how a database returns them.
fn digest(seq: i64, d: &Draft, prev_hash: &Hash) -> Hash {
    let mut buf = Vec::with_capacity(256);
    put_fields(
        &mut buf,
        &d.actor,
        &d.action,
        &d.subject,
        d.reason.as_deref(),
    );
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
    seal(prev_hash, seq, d.at_us, &buf)
}

/// The same digest over an event as stored, its JSON values already canonical text.
fn digest_sealed(e: &Sealed<'_>) -> Hash {
    let mut buf = Vec::with_capacity(256);
    put_fields(&mut buf, e.actor, e.action, e.subject, e.reason);
    put_str(&mut buf, e.before);
    put_str(&mut buf, e.after);
    seal(&e.prev_hash, e.seq, e.at_us, &buf)
}

fn put_fields(buf: &mut Vec<u8>, actor: &str, action: &str, subject: &str, reason: Option<&str>) {
    for field in [Some(actor), Some(action), Some(subject), reason] {
        put_str(buf, field);
    }
}

fn seal(prev_hash: &Hash, seq: i64, at_us: i64, encoded: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(seq.to_be_bytes());
    h.update(at_us.to_be_bytes());
    h.update(encoded);
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

    /// A verifier for a stretch of a chain that starts at event `seq`, whose previous event
    /// has the hash `prev_hash`. Stretches checked apart (in parallel) are joined by checking
    /// that each starts where the one before it ended.
    pub fn resume(seq: i64, prev_hash: Hash) -> Self {
        Self {
            next_seq: seq,
            prev_hash,
            checked: 0,
        }
    }

    /// Checks the next event; the first error is the first broken link.
    pub fn push(&mut self, e: &Event) -> Result<(), Broken> {
        self.check(e.seq, &e.prev_hash, &e.hash, || e.recompute())
    }

    /// Checks the next event as stored.
    pub fn push_sealed(&mut self, e: &Sealed<'_>) -> Result<(), Broken> {
        self.check(e.seq, &e.prev_hash, &e.hash, || e.recompute())
    }

    fn check(
        &mut self,
        seq: i64,
        prev_hash: &Hash,
        hash: &Hash,
        recompute: impl FnOnce() -> Hash,
    ) -> Result<(), Broken> {
        if seq != self.next_seq {
            return Err(Broken {
                seq,
                reason: Break::Gap {
                    expected: self.next_seq,
                },
            });
        }
        if *prev_hash != self.prev_hash {
            return Err(Broken {
                seq,
                reason: Break::Link,
            });
        }
        if recompute() != *hash {
            return Err(Broken {
                seq,
                reason: Break::Content,
            });
        }
        self.next_seq += 1;
        self.prev_hash = *hash;
        self.checked += 1;
        Ok(())
    }

    /// Continues this chain with a stretch that `other` checked apart, having been started
    /// with [`Verifier::resume`]`(seq, prev_hash)`: the stretch must begin at the next
    /// sequence number and point at this chain's head.
    pub fn join(&mut self, seq: i64, prev_hash: Hash, other: &Verifier) -> Result<(), Broken> {
        if seq != self.next_seq {
            return Err(Broken {
                seq,
                reason: Break::Gap {
                    expected: self.next_seq,
                },
            });
        }
        if prev_hash != self.prev_hash {
            return Err(Broken {
                seq,
                reason: Break::Link,
            });
        }
        self.next_seq = other.next_seq;
        self.prev_hash = other.prev_hash;
        self.checked += other.checked;
        Ok(())
    }

    /// The sequence number the next event must have.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
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
    fn a_stored_event_hashes_as_the_event_it_was_written_from() {
        let e = Draft {
            before: Some(json!({"b": [1, {"y": "é\"", "x": 1.5}], "a": null})),
            reason: Some("typo".into()),
            ..draft(3)
        }
        .chain(3, [7; 32]);
        let before = canonical_text(e.draft.before.as_ref().unwrap());
        let after = e.draft.after.as_ref().map(canonical_text);
        assert_eq!(before, r#"{"a":null,"b":[1,{"x":1.5,"y":"é\""}]}"#);
        let sealed = |before: &str| {
            Sealed {
                seq: e.seq,
                at_us: e.draft.at_us,
                actor: &e.draft.actor,
                action: &e.draft.action,
                subject: &e.draft.subject,
                before: Some(before),
                after: after.as_deref(),
                reason: e.draft.reason.as_deref(),
                prev_hash: e.prev_hash,
                hash: e.hash,
            }
            .recompute()
        };
        assert_eq!(sealed(&before), e.hash);
        // Equal JSON, but not the text that was sealed: the stored row was edited.
        assert_ne!(sealed(r#"{"b":[1,{"x":1.5,"y":"é\""}],"a":null}"#), e.hash);
        let mut v = Verifier::resume(3, [7; 32]);
        assert_eq!(v.push(&e), Ok(()));
        assert_eq!(v.next_seq(), 4);
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
