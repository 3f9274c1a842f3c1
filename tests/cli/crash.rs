//! A crash in the middle of writes: `annex serve` is killed with SIGKILL while several API
//! clients create, change and step records. Afterwards every write the server acknowledged is
//! there exactly as acknowledged, record numbers are gapless and unique per kind, `annex
//! verify` finds the audit trail intact, and the server starts again and takes new writes.
//! On SQLite always, and on PostgreSQL when `ANNEX_TEST_DATABASE_URL` names a server.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::server::{Conn, Db, Fault, Server, healthy};

const PASSWORD: &str = "correct horse battery staple";
/// Concurrent clients, half on nonconformities and half on documents, so that two kinds
/// draw numbers at the same time.
const WRITERS: usize = 6;
/// Acknowledged writes before the kill: hundreds, so that the kill lands in a steady stream
/// of commits rather than at start-up.
const KILL_AFTER: usize = 300;

/// Sets up the first administrator, logs in and creates an API token for the writers.
async fn api_token(addr: SocketAddr) -> String {
    let mut c = Conn::open(addr).await.unwrap();
    let r = c
        .call(
            Method::POST,
            "/api/v1/setup",
            Some(json!({"username": "admin", "display_name": "Ada Admin", "password": PASSWORD})),
        )
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let r = c
        .call(
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "admin", "password": PASSWORD})),
        )
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    c.headers.push(("cookie", r.cookie.unwrap()));
    c.headers
        .push(("x-csrf-token", r.json["csrf"].as_str().unwrap().to_string()));
    let r = c
        .call(
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "crash test"})),
        )
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["token"].as_str().unwrap().to_string()
}

async fn client(addr: SocketAddr, token: &str) -> Result<Conn, Fault> {
    let mut c = Conn::open(addr).await?;
    c.headers.push(("authorization", format!("Bearer {token}")));
    Ok(c)
}

/// A new record of `kind` with every field its first workflow step needs.
fn new_record(kind: &str, title: &str) -> Value {
    match kind {
        "nonconformity" => json!({
            "kind": kind,
            "title": title,
            "fields": {
                "severity": "major",
                "description": format!("{title}: torque out of tolerance on line 2"),
                "containment": "Batch held in quarantine",
            }
        }),
        _ => json!({
            "kind": kind,
            "title": title,
            "fields": {
                "doc_type": "procedure",
                "summary": format!("{title}: how the line is set up"),
                "periodic_review": "2027-11-30",
                "change_description": "First issue",
            }
        }),
    }
}

/// A change to a field, and the workflow step a new record of `kind` can take next.
fn change_and_step(kind: &str, n: usize) -> (Value, &'static str) {
    match kind {
        "nonconformity" => (
            json!({"product_or_process": format!("Line 2, batch {n}")}),
            "contain",
        ),
        _ => (
            json!({"summary": format!("Revised set-up, take {n}")}),
            "submit",
        ),
    }
}

/// A request sent that had no answer when the connection died: it may or may not have been
/// committed.
#[derive(Debug)]
enum Unanswered {
    Create,
    Change(String),
}

/// What one writer was told: the last acknowledged view of each record it wrote.
#[derive(Debug)]
struct Log {
    kind: &'static str,
    acked: BTreeMap<String, Value>,
    unanswered: Option<Unanswered>,
}

/// Creates records, changes each once and takes its first workflow step, one request after
/// another, until the server stops answering.
async fn writer(
    addr: SocketAddr,
    token: String,
    kind: &'static str,
    w: usize,
    acks: Arc<AtomicUsize>,
) -> Log {
    let mut log = Log {
        kind,
        acked: BTreeMap::new(),
        unanswered: None,
    };
    let Ok(mut c) = client(addr, &token).await else {
        return log;
    };
    for n in 0.. {
        log.unanswered = Some(Unanswered::Create);
        let Ok(r) = c
            .call(
                Method::POST,
                "/api/v1/records",
                Some(new_record(kind, &format!("w{w} #{n}"))),
            )
            .await
        else {
            return log;
        };
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let number = r.json["number"].as_str().unwrap().to_string();
        log.acked.insert(number.clone(), r.json);
        log.unanswered = None;
        acks.fetch_add(1, Ordering::Relaxed);

        let (fields, step) = change_and_step(kind, n);
        let path = format!("/api/v1/records/{number}");
        let version = log.acked[&number]["version"].clone();
        log.unanswered = Some(Unanswered::Change(number.clone()));
        let Ok(r) = c
            .call(
                Method::PATCH,
                &path,
                Some(json!({"version": version, "fields": fields})),
            )
            .await
        else {
            return log;
        };
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let version = r.json["version"].clone();
        log.acked.insert(number.clone(), r.json);
        log.unanswered = None;
        acks.fetch_add(1, Ordering::Relaxed);

        log.unanswered = Some(Unanswered::Change(number.clone()));
        let Ok(r) = c
            .call(
                Method::POST,
                &format!("{path}/transitions"),
                Some(json!({"version": version, "transition": step})),
            )
            .await
        else {
            return log;
        };
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        log.acked.insert(number, r.json);
        log.unanswered = None;
        acks.fetch_add(1, Ordering::Relaxed);
    }
    log
}

/// Every number of `kind` in the database, in order, read through the API's list.
async fn numbers(c: &mut Conn, kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = c
            .call(
                Method::GET,
                &format!("/api/v1/records?kind={kind}&limit=500{cursor}"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        for item in r.json["items"].as_array().unwrap() {
            out.push(item["number"].as_str().unwrap().to_string());
        }
        match r.json["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => {
                // Zero-padded to four digits, so text order is number order below 10,000.
                out.sort();
                return out;
            }
        }
    }
}

fn verify(db: &Db) {
    let o = Command::new(env!("CARGO_BIN_EXE_annex"))
        .args(db.args())
        .arg("verify")
        .env_remove("ANNEX_DATABASE_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("audit trail intact"), "{out}");
}

async fn crash_during_writes(db: &Db) {
    let mut server = Server::start(db);
    healthy(server.addr).await;
    let token = api_token(server.addr).await;

    let acks = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let kind = if w % 2 == 0 {
                "nonconformity"
            } else {
                "document"
            };
            tokio::spawn(writer(server.addr, token.clone(), kind, w, acks.clone()))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acks.load(Ordering::Relaxed) < KILL_AFTER {
        assert!(
            Instant::now() < deadline,
            "only {} writes acknowledged",
            acks.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    let mut logs = Vec::new();
    for w in writers {
        logs.push(w.await.unwrap());
    }
    let acked: usize = logs.iter().map(|l| l.acked.len()).sum();
    assert!(acked > 0);

    // The chain verifies straight after the crash, before anything has been repaired.
    verify(db);

    let server = Server::start(db);
    healthy(server.addr).await;
    let mut c = client(server.addr, &token).await.unwrap();

    // Every acknowledged write is there as it was acknowledged; a record whose last change
    // had no answer may also have been committed one version further.
    for log in &logs {
        for (number, seen) in &log.acked {
            let r = c
                .call(Method::GET, &format!("/api/v1/records/{number}"), None)
                .await
                .unwrap();
            assert_eq!(r.status, StatusCode::OK, "{number} lost: {}", r.json);
            let now = &r.json["record"];
            let maybe_later = matches!(&log.unanswered, Some(Unanswered::Change(n)) if n == number);
            if maybe_later && now["version"] != seen["version"] {
                assert_eq!(
                    now["version"].as_i64().unwrap(),
                    seen["version"].as_i64().unwrap() + 1,
                    "{number}"
                );
            } else {
                assert_eq!(now, seen, "{number} differs from what was acknowledged");
            }
            assert_eq!(
                r.json["versions"].as_array().unwrap().len() as i64,
                now["version"].as_i64().unwrap(),
                "{number}: one stored version per version number"
            );
        }
    }

    // Numbers per kind: 1, 2, 3... without gaps or repeats; besides the acknowledged ones,
    // at most one per writer whose creation had no answer.
    for (kind, prefix) in [("nonconformity", "NC"), ("document", "DOC")] {
        let found = numbers(&mut c, kind).await;
        let expected: Vec<String> = (1..=found.len())
            .map(|i| format!("{prefix}-{i:04}"))
            .collect();
        assert_eq!(found, expected, "{kind} numbers");
        let of_kind = logs.iter().filter(|l| l.kind == kind);
        let acked: usize = of_kind.clone().map(|l| l.acked.len()).sum();
        let unanswered = of_kind
            .filter(|l| matches!(l.unanswered, Some(Unanswered::Create)))
            .count();
        assert!(
            (acked..=acked + unanswered).contains(&found.len()),
            "{kind}: {} in the database, {acked} acknowledged, {unanswered} unanswered",
            found.len()
        );
    }

    // The restarted server takes new writes, numbered on from where the crash left off.
    let before = numbers(&mut c, "nonconformity").await.len();
    let r = c
        .call(
            Method::POST,
            "/api/v1/records",
            Some(new_record("nonconformity", "after the crash")),
        )
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["number"], format!("NC-{:04}", before + 1));
    let r = c
        .call(Method::POST, "/api/v1/audit-trail/verify", None)
        .await
        .unwrap();
    assert_eq!(r.json["intact"], true, "{}", r.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_writes_loses_no_acknowledged_record_and_the_trail_verifies() {
    let dir = tempfile::tempdir().unwrap();
    crash_during_writes(&Db::Folder(dir.path().to_path_buf())).await;

    if let Some(url) = annex_store::testing::postgres_url() {
        // A fresh, migrated database of this test's own; the server gets its URL.
        let db = annex_store::testing::postgres(&url).await.unwrap();
        db.store.close().await;
        crash_during_writes(&Db::Url(db.url.clone())).await;
    }
}
