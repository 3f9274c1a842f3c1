//! The `annex` command as a person at a terminal meets it: the real binary, its output and
//! its exit status. One test binary for the crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

// `annex serve` as a child process, and the server killed during writes. In subfolder files
// so that cargo does not build each as a test binary of its own.
#[path = "cli/crash.rs"]
mod crash;
#[path = "cli/export.rs"]
mod export;
#[path = "cli/import.rs"]
mod import;
#[path = "cli/server.rs"]
mod server;

fn annex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_annex"))
        .args(args)
        .output()
        .expect("annex runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn standards_lists_the_catalog() {
    let o = annex(&["standards"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for id in [
        "iso9001:2015",
        "iso13485:2016",
        "iso27001:2022",
        "hs:2021",
        "iso9002:1994",
    ] {
        assert!(out.contains(id), "{id} missing:\n{out}");
    }
    assert!(out.contains("withdrawn → iso9001:2015"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&annex(&["standards", "--format", "json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 11);
}

#[test]
fn standards_show_gives_facts_and_with_tree_the_clauses() {
    let o = annex(&["standards", "show", "iso13485:2016", "--tree"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("ISO 13485:2016 — Medical devices"));
    assert!(out.contains("Certification path"));
    assert!(out.contains("  7.3 Design and development\n"));
    assert!(out.contains("    7.3.4 Design and development outputs [title unverified]\n"));
    let without = stdout(&annex(&["standards", "show", "iso13485:2016"]));
    assert!(!without.contains("7.3.4"));
}

#[test]
fn compare_json_gives_shared_and_unique_clauses_and_overlap_both_ways() {
    let o = annex(&[
        "compare",
        "iso9001:2015",
        "iso14001:2015",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let p = &j["pairs"][0];
    assert_eq!(p["a"], "iso9001:2015");
    assert_eq!(p["a_total"], 75);
    assert_eq!(p["b_total"], 45);
    assert!(p["a_percent"].as_f64().unwrap() < p["b_percent"].as_f64().unwrap());
    assert!(!p["shared"].as_array().unwrap().is_empty());
    assert_eq!(j["unique"].as_array().unwrap().len(), 2);
}

#[test]
fn compare_renders_table_markdown_and_csv() {
    let table = stdout(&annex(&[
        "compare",
        "iso9001:2015",
        "iso14001:2015",
        "iso45001:2018",
    ]));
    assert!(table.starts_with("Comparing ISO 9001:2015, ISO 14001:2015, ISO 45001:2018"));
    assert!(table.contains("| 9.2 Internal audit"));
    assert!(table.contains("Unique to iso45001:2018"));
    let md = stdout(&annex(&[
        "compare",
        "iso9001:2015",
        "iso14001:2015",
        "--format",
        "markdown",
    ]));
    assert!(md.starts_with("# Comparing"));
    assert!(md.contains("## Facts"));
    let csv = stdout(&annex(&[
        "compare",
        "iso9001:2015",
        "iso14001:2015",
        "--format",
        "csv",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "kind,standard_a,clause_a,title_a,standard_b,clause_b,title_b,relationship,strength,basis"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("shared,iso9001:2015,7.5.3,"))
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("unique,iso14001:2015,6.1.2,"))
    );
}

#[test]
fn an_unknown_id_is_exit_status_2_naming_the_closest_ids() {
    let o = annex(&["compare", "iso9001", "iso14001:2015"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown standard 'iso9001'"), "{err}");
    assert!(err.contains("closest: iso9001:2015"), "{err}");
    let o = annex(&["standards", "show", "iso27001:2013"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("iso27001:2022"));
    let o = annex(&["compare", "iso9001:2015"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least two"));
}

#[test]
fn recommend_orders_standards_with_reasons_and_saved_effort() {
    let o = annex(&[
        "recommend",
        "--industry",
        "medical-devices",
        "--regulated-market",
        "--environmental-obligations",
        "--held",
        "iso9001:2015",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Held: iso9001:2015"), "{out}");
    let first = out.find("1. ISO 13485:2016").unwrap();
    assert!(out.find("ISO 14001:2015").unwrap() > first);
    assert!(out.contains("Saved effort:"));
    assert!(out.contains("says (who_needs_it):"));
    let o = annex(&["recommend", "--industry", "shipbuilding"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must be one of"));
}

/// `annex` against a data folder, with `stdin` fed to it.
fn annex_in(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_annex"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("ANNEX_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("annex runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn migrate_user_and_verify_manage_a_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = annex_in(d, &["migrate"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0001 records kernel: applied"),
        "{}",
        stdout(&o)
    );
    assert!(d.join("annex.db").exists());

    let o = annex_in(
        d,
        &[
            "user",
            "add",
            "alice",
            "--name",
            "Alice Adams",
            "--role",
            "administrator",
        ],
        "a long enough password\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("added alice (Alice Adams, administrator)"));
    let o = annex_in(
        d,
        &["user", "add", "bob", "--name", "Bob", "--role", "boss"],
        "short\n",
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("password: at least 12 characters") && err.contains("role: must be one of"),
        "{err}"
    );
    let o = annex_in(d, &["user", "disable", "alice"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = annex_in(d, &["user", "list"], "");
    assert!(
        stdout(&o).contains("alice\tadministrator\tAlice Adams\t (disabled)"),
        "{}",
        stdout(&o)
    );
    let o = annex_in(d, &["user", "passwd", "nobody"], "another long password\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("user 'nobody' not found"));

    // Two account changes and a verification so far: intact.
    let o = annex_in(d, &["verify"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("audit trail intact: 2 events"),
        "{}",
        stdout(&o)
    );

    // Someone edits the first event in the database file directly.
    let url = format!("sqlite://{}", d.join("annex.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = annex_store::Store::connect(&url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.raw("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    });
    let o = annex_in(d, &["verify"], "");
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("audit trail BROKEN: event 1 was changed after it was written"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn kinds_lists_fields_states_and_transitions() {
    let o = annex(&["kinds"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for s in [
        "Document (document, numbered DOC-0001...)",
        "in_review -> approved",
        "signature 'approved'",
        "Nonconformity",
        "severity",
    ] {
        assert!(out.contains(s), "{s} missing:\n{out}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&annex(&["kinds", "--format", "json"]))).unwrap();
    assert_eq!(json[1]["id"], "nonconformity");
}

#[tokio::test]
async fn serve_stops_on_sigterm_as_soon_as_it_answers() {
    // Several times, because what went wrong once was a signal sent at the very moment the
    // server first answered.
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let mut s = server::Server::start(&server::Db::Folder(dir.path().to_path_buf()));
        server::healthy(s.addr).await;
        let status = s.terminate(std::time::Duration::from_secs(10));
        assert!(
            status.is_some_and(|s| s.success()),
            "annex serve did not stop cleanly on SIGTERM: {status:?}"
        );
    }
}

#[test]
fn a_broken_configuration_file_is_refused_at_start_naming_the_key_and_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let config = dir.path().join("mail.toml");
    std::fs::write(
        &config,
        "[email]\nsmtp_host = \"mail.example.com\"\nsmtp_port = 0\nsecurity = \"ssl\"\n\
         from = \"annex@example.com\"\nbase_url = \"https://annex.example.com\"\n",
    )
    .unwrap();
    let o = annex(&[
        "--data-dir",
        data_arg,
        "--config",
        config.to_str().unwrap(),
        "migrate",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "annex: {}: email.security: must be one of: none, starttls, tls; \
             email.smtp_port: must be a whole number from 1 to 65535\n",
            config.display()
        )
    );
    assert!(!data.join("annex.db").exists(), "nothing is opened");

    // Without --config, annex.toml in the data folder is read.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("annex.toml"), "[reminders]\nlead_days = -1\n").unwrap();
    let o = annex(&["--data-dir", data_arg, "user", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("annex.toml: reminders.lead_days: must be a whole number from 0 to 90"),
        "{}",
        stderr(&o)
    );
    std::fs::write(data.join("annex.toml"), "[reminders]\nlead_days = 14\n").unwrap();
    let o = annex(&["--data-dir", data_arg, "user", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A file named but missing is an error too, not the defaults.
    let o = annex(&[
        "--data-dir",
        data_arg,
        "--config",
        "/nonexistent/annex.toml",
        "migrate",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("config: cannot read /nonexistent/annex.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn remind_needs_email_settings_and_a_dry_run_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let o = annex(&["--data-dir", data, "remind", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "nobody has overdue or soon-due records: no digest to send\n"
    );
    let o = annex(&["--data-dir", data, "remind"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "annex: email: no [email] section in the configuration file: digests cannot be sent\n"
    );
}
