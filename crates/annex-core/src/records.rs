//! The pure parts of the records kernel: the content hash of a record version, which
//! electronic signatures are bound to, the signature manifest and its hash, and the text a
//! record is found by in full-text search.
//!
//! A signature is bound to its record (21 CFR 11.70) by covering the hash of the exact
//! version signed, and that hash covers the record's number: a signature row copied onto
//! another record, or onto another version, no longer matches what it claims to sign.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::audit_trail::{Hash, canonical_json};

/// What a record version holds, as hashed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionContent<'a> {
    pub kind: &'a str,
    pub number: &'a str,
    pub version: i64,
    pub title: &'a str,
    pub state: &'a str,
    pub owner_id: Option<i64>,
    pub site: &'a str,
    pub due_on: Option<&'a str>,
    pub fields: &'a Value,
}

/// SHA-256 of a version's canonical JSON encoding (keys sorted, no spaces), so the same
/// content always gives the same hash on any backend.
pub fn version_hash(c: &VersionContent<'_>) -> Hash {
    let v = json!({
        "kind": c.kind,
        "number": c.number,
        "version": c.version,
        "title": c.title,
        "state": c.state,
        "owner_id": c.owner_id,
        "site": c.site,
        "due_on": c.due_on,
        "fields": c.fields,
    });
    let mut buf = Vec::with_capacity(256);
    canonical_json(&v, &mut buf);
    Sha256::digest(&buf).into()
}

/// The manifest of an electronic signature (21 CFR 11.50): who signed (printed name), when
/// (UTC), what it means, and exactly which record version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub number: String,
    pub version: i64,
    /// Hex SHA-256 of the version signed.
    pub version_hash: String,
    pub meaning: String,
    pub signer_id: i64,
    pub printed_name: String,
    pub at_us: i64,
}

/// SHA-256 over the whole manifest; stored beside the signature and repeated in its audit
/// event, so neither the signature nor what it points at can be altered unnoticed.
pub fn signature_hash(m: &Manifest) -> Hash {
    let v = json!({
        "number": m.number,
        "version": m.version,
        "version_hash": m.version_hash,
        "meaning": m.meaning,
        "signer_id": m.signer_id,
        "printed_name": m.printed_name,
        "at_us": m.at_us,
    });
    let mut buf = Vec::with_capacity(256);
    canonical_json(&v, &mut buf);
    Sha256::digest(&buf).into()
}

/// The words a record is found by: its number, title and every text value of its fields.
pub fn search_text(number: &str, title: &str, fields: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(number.len() + title.len() + 64);
    out.push_str(number);
    out.push(' ');
    out.push_str(title);
    for v in fields.values() {
        match v {
            Value::String(s) => {
                out.push(' ');
                out.push_str(s);
            }
            Value::Number(n) => {
                out.push(' ');
                out.push_str(&n.to_string());
            }
            _ => {}
        }
    }
    out
}

/// The fields whose values differ between two versions (added, removed or changed), with
/// the common columns named as they are in the API (`title`, `state`, ...).
pub fn changed(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn content<'a>(number: &'a str, fields: &'a Value) -> VersionContent<'a> {
        VersionContent {
            kind: "document",
            number,
            version: 3,
            title: "Control of documents",
            state: "in_review",
            owner_id: Some(2),
            site: "north",
            due_on: None,
            fields,
        }
    }

    #[test]
    fn the_same_content_on_another_record_hashes_differently() {
        let f = json!({"summary": "How documents are controlled"});
        assert_eq!(
            version_hash(&content("DOC-0001", &f)),
            version_hash(&content("DOC-0001", &f))
        );
        assert_ne!(
            version_hash(&content("DOC-0001", &f)),
            version_hash(&content("DOC-0002", &f))
        );
    }

    #[test]
    fn field_order_does_not_change_the_hash_but_a_value_does() {
        let a: Value = serde_json::from_str(r#"{"a": 1, "b": "x"}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b": "x", "a": 1}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"b": "y", "a": 1}"#).unwrap();
        let h = |v| version_hash(&content("DOC-0001", v));
        assert_eq!(h(&a), h(&b));
        assert_ne!(h(&a), h(&c));
    }

    #[test]
    fn a_manifest_changed_in_any_part_hashes_differently() {
        let m = Manifest {
            number: "DOC-0001".into(),
            version: 2,
            version_hash: "ab".repeat(32),
            meaning: "approved".into(),
            signer_id: 7,
            printed_name: "Ada Lovelace".into(),
            at_us: 1_700_000_000_000_000,
        };
        let h = signature_hash(&m);
        let mut other = m.clone();
        other.number = "DOC-0002".into();
        assert_ne!(h, signature_hash(&other));
        let mut other = m.clone();
        other.meaning = "reviewed".into();
        assert_ne!(h, signature_hash(&other));
        let mut other = m;
        other.version = 3;
        assert_ne!(h, signature_hash(&other));
    }

    #[test]
    fn changed_names_added_removed_and_altered_fields() {
        let a = json!({"x": 1, "y": "a", "z": true});
        let b = json!({"x": 1, "y": "b", "w": 0});
        let (Value::Object(a), Value::Object(b)) = (a, b) else {
            unreachable!()
        };
        assert_eq!(changed(&a, &b), vec!["w", "y", "z"]);
    }

    #[test]
    fn search_text_holds_number_title_and_text_values() {
        let f = json!({"severity": "major", "description": "Cracked housing", "n": 4, "b": true});
        let Value::Object(f) = f else { unreachable!() };
        let t = search_text("NC-0004", "Housing", &f);
        for w in ["NC-0004", "Housing", "major", "Cracked housing", "4"] {
            assert!(t.contains(w), "{t} lacks {w}");
        }
        assert!(!t.contains("true"));
    }
}
