//! Store conformance: the same scenarios on SQLite and, when `ANNEX_TEST_DATABASE_URL` names a
//! server, on PostgreSQL. What one backend does, the other must do too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use annex_core::audit_trail::{Break, Draft};
use annex_store::accounts::NewUser;
use annex_store::records::{Content, Cursor, Filter, Sort};
use annex_store::testing::{self, TestDb};
use annex_store::{Error, Store};

fn draft(action: &str, subject: &str) -> Draft {
    Draft {
        at_us: 1_700_000_000_000_000,
        actor: "alice".into(),
        action: action.into(),
        subject: subject.into(),
        before: None,
        after: Some(serde_json::json!({"n": 1})),
        reason: None,
    }
}

fn content<'a>(title: &'a str, state: &'a str, site: &'a str, due: Option<&'a str>) -> Content<'a> {
    Content {
        title,
        state,
        owner_id: None,
        site,
        due_on: due,
        remind_on: due,
        fields: "{}",
        search_text: title,
    }
}

/// Creates a record the way the app layer does: number, row, version, audit event.
async fn create(store: &Store, kind: &str, title: &str, site: &str, due: Option<&str>) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let seq = tx.next_seq(kind).await.unwrap();
    let number = format!("{}-{seq:04}", kind.to_uppercase());
    let c = content(title, "draft", site, due);
    let id = tx
        .insert_record(kind, seq, &number, &c, 1000 + seq, None)
        .await
        .unwrap();
    tx.insert_version(id, 1, &c, 1000 + seq, None, &"0".repeat(64))
        .await
        .unwrap();
    tx.audit(draft("record.create", &number));
    tx.commit().await.unwrap();
    id
}

async fn each() -> Vec<TestDb> {
    testing::each().await.expect("test databases")
}

#[tokio::test]
async fn migrations_apply_once_and_are_listed() {
    for db in each().await {
        db.store.migrate().await.unwrap();
        let m = db.store.migrations().await.unwrap();
        assert!(!m.is_empty(), "{}", db.store.backend());
        assert!(m.iter().all(|(_, _, applied)| *applied), "{m:?}");
        assert_eq!(m[0].0, 1);
    }
}

#[tokio::test]
async fn users_are_unique_by_name_and_sessions_expire() {
    for db in each().await {
        let s = &db.store;
        assert_eq!(s.count_users().await.unwrap(), 0);
        let new = NewUser {
            username: "alice",
            display_name: "Alice Adams",
            email: "alice@example.org",
            password_hash: "$argon2id$x",
            role: "administrator",
            sites: "",
            expires_on: None,
            at: 10,
        };
        let mut tx = s.begin().await.unwrap();
        let id = tx.insert_user(&new).await.unwrap();
        tx.insert_session("h1", id, "csrf1", 10, 100).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = s.begin().await.unwrap();
        let dup = tx.insert_user(&new).await;
        assert!(matches!(dup, Err(Error::Duplicate("username"))), "{dup:?}");
        drop(tx);

        let u = s.user_by_name("alice").await.unwrap().unwrap();
        assert_eq!(
            (u.id, u.role.as_str(), u.disabled),
            (id, "administrator", false)
        );
        assert_eq!(s.session("h1", 50).await.unwrap().unwrap().csrf, "csrf1");
        assert!(s.session("h1", 100).await.unwrap().is_none(), "expired");
        assert!(s.session("nope", 50).await.unwrap().is_none());

        let mut tx = s.begin().await.unwrap();
        let t = tx.insert_token(id, "ci", "th", 20).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            s.token_user("th").await.unwrap().unwrap().1.username,
            "alice"
        );
        let mut tx = s.begin().await.unwrap();
        assert!(tx.revoke_token(id, t).await.unwrap());
        tx.set_access(id, "reader", "north,south", Some("2027-01-31"), true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(s.token_user("th").await.unwrap().is_none(), "revoked");
        let u = s.user_by_id(id).await.unwrap().unwrap();
        assert_eq!(
            (
                u.role.as_str(),
                u.sites.as_str(),
                u.expires_on.as_deref(),
                u.disabled
            ),
            ("reader", "north,south", Some("2027-01-31"), true)
        );

        let mut tx = s.begin().await.unwrap();
        for at in [1, 2, 3] {
            tx.record_login_failure("alice", at).await.unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(s.login_failures("alice", 1, 10).await.unwrap(), [3, 2]);
        assert_eq!(s.login_failures("alice", 0, 1).await.unwrap(), [3]);
    }
}

#[tokio::test]
async fn numbers_are_gapless_when_a_creation_rolls_back() {
    for db in each().await {
        let s = &db.store;
        create(s, "doc", "one", "", None).await;
        let mut tx = s.begin().await.unwrap();
        assert_eq!(tx.next_seq("doc").await.unwrap(), 2);
        tx.audit(draft("record.create", "DOC-0002"));
        drop(tx); // rolled back: number 2 and its event are given back
        create(s, "doc", "two", "", None).await;
        assert_eq!(
            s.record_by_number("DOC-0002").await.unwrap().unwrap().title,
            "two"
        );
        assert_eq!(s.audit_head().await.unwrap().0, 2);
        assert!(s.verify().await.unwrap().broken.is_none());
    }
}

#[tokio::test]
async fn concurrent_creations_get_distinct_gapless_numbers() {
    for db in each().await {
        let mut tasks = Vec::new();
        for t in 0..8 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    create(&s, "nc", &format!("t{t} r{i}"), "", None).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let rows = db
            .store
            .list(&Filter {
                kind: Some("nc".into()),
                sort: Sort::CreatedAsc,
                limit: 1000,
                ..Filter::default()
            })
            .await
            .unwrap();
        let mut seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        seqs.sort();
        assert_eq!(
            seqs,
            (1..=200).collect::<Vec<_>>(),
            "{}",
            db.store.backend()
        );
        let v = db.store.verify().await.unwrap();
        assert_eq!((v.checked, v.broken), (200, None));
    }
}

#[tokio::test]
async fn of_two_writers_of_the_same_version_exactly_one_wins() {
    for db in each().await {
        let id = create(&db.store, "doc", "shared", "", None).await;
        let mut tasks = Vec::new();
        for title in ["first", "second"] {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = s.begin().await.unwrap();
                let ok = tx
                    .update_record(id, 1, &content(title, "draft", "", None), 5000)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                ok
            }));
        }
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap());
        }
        assert_eq!(wins, 1, "{}", db.store.backend());
        let r = db.store.record(id).await.unwrap().unwrap();
        assert_eq!(r.version, 2);
    }
}

#[tokio::test]
async fn lists_filter_search_and_page_through_every_row_once() {
    for db in each().await {
        let s = &db.store;
        for i in 0..30 {
            let site = if i % 3 == 0 { "north" } else { "south" };
            let due = format!("2027-01-{:02}", i + 1);
            let title = if i == 7 {
                "Calibration of torque wrench".to_string()
            } else {
                format!("Item {i}")
            };
            create(s, "doc", &title, site, Some(&due)).await;
        }
        let base = Filter {
            kind: Some("doc".into()),
            limit: 7,
            ..Filter::default()
        };
        for sort in [
            Sort::UpdatedDesc,
            Sort::UpdatedAsc,
            Sort::CreatedDesc,
            Sort::DueAsc,
            Sort::TitleAsc,
        ] {
            let mut seen = Vec::new();
            let mut after: Option<Cursor> = None;
            loop {
                let page = s
                    .list(&Filter {
                        sort,
                        after: after.clone(),
                        ..base.clone()
                    })
                    .await
                    .unwrap();
                if page.is_empty() {
                    break;
                }
                after = Some(sort.cursor(page.last().unwrap()));
                seen.extend(page.iter().map(|r| r.seq));
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 30, "{sort:?} on {}: {seen:?}", s.backend());
            assert_eq!(seen.len(), 30);
            if sort == Sort::DueAsc {
                assert_eq!(seen[..3], [1, 2, 3]);
            }
        }
        let north = Filter {
            site: Some("north".into()),
            limit: 100,
            ..base.clone()
        };
        assert_eq!(s.count(&north, 100).await.unwrap(), 10);
        let scoped = Filter {
            sites_allowed: Some(vec!["north".into()]),
            limit: 100,
            ..base.clone()
        };
        assert!(
            s.list(&scoped)
                .await
                .unwrap()
                .iter()
                .all(|r| r.site == "north")
        );
        let nowhere = Filter {
            sites_allowed: Some(vec![]),
            ..base.clone()
        };
        assert_eq!(s.count(&nowhere, 100).await.unwrap(), 0);
        let due = Filter {
            due_by: Some("2027-01-05".into()),
            due_from: Some("2027-01-03".into()),
            ..base.clone()
        };
        assert_eq!(s.count(&due, 100).await.unwrap(), 3);

        let hits = s
            .list(&Filter {
                text: Some("torq calib".into()),
                ..base.clone()
            })
            .await
            .unwrap();
        assert_eq!(hits.len(), 1, "{}", s.backend());
        assert_eq!(hits[0].title, "Calibration of torque wrench");
        // Query syntax in user input is not syntax.
        for odd in [
            "\"",
            "*",
            "a:b",
            "(",
            "NOT",
            "-",
            "'; DROP TABLE records; --",
        ] {
            s.list(&Filter {
                text: Some(odd.into()),
                ..base.clone()
            })
            .await
            .unwrap();
        }
        assert_eq!(s.count(&base, 100).await.unwrap(), 30);
        // Counting stops one past the cap, so a caller can say "more than".
        assert_eq!(s.count(&base, 10).await.unwrap(), 11);
    }
}

#[tokio::test]
async fn tampering_with_the_audit_trail_is_found_at_the_first_broken_event() {
    for db in each().await {
        let s = &db.store;
        for i in 0..5 {
            create(s, "doc", &format!("r{i}"), "", None).await;
        }
        let ok = s.verify().await.unwrap();
        assert_eq!((ok.checked, ok.head_seq, ok.broken), (5, 5, None));

        // Behind the program's back: edit event 3.
        exec(
            &db,
            "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
        )
        .await;
        let v = s.verify().await.unwrap();
        assert_eq!(
            v.broken.as_ref().map(|b| (b.seq, b.reason.clone())),
            Some((3, Break::Content))
        );
        exec(&db, "UPDATE audit_events SET actor = 'alice' WHERE seq = 3").await;
        assert!(s.verify().await.unwrap().broken.is_none(), "restored");

        // Delete event 2: a gap.
        exec(&db, "DELETE FROM audit_events WHERE seq = 2").await;
        let v = s.verify().await.unwrap();
        assert_eq!(
            v.broken.map(|b| (b.seq, b.reason)),
            Some((3, Break::Gap { expected: 2 }))
        );
    }
}

#[tokio::test]
async fn a_deleted_tail_and_a_rewritten_head_are_found() {
    for db in each().await {
        let s = &db.store;
        for i in 0..4 {
            create(s, "doc", &format!("r{i}"), "", None).await;
        }
        exec(&db, "DELETE FROM audit_events WHERE seq = 4").await;
        let v = s.verify().await.unwrap();
        assert_eq!(
            v.broken.map(|b| (b.seq, b.reason)),
            Some((4, Break::Tail { last: 3 }))
        );
        exec(&db, "UPDATE audit_head SET seq = 3").await;
        let v = s.verify().await.unwrap();
        assert_eq!(v.broken.map(|b| (b.seq, b.reason)), Some((3, Break::Head)));
    }
}

async fn exec(db: &TestDb, sql: &'static str) {
    // Direct SQL, as someone with database access would run it.
    let s = Store::connect(&db.url).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.raw(sql).await.unwrap();
    tx.commit().await.unwrap();
    s.close().await;
}

/// Waits until `n` writers queue for SQLite's write connection.
async fn until_waiting(store: &Store, n: usize) {
    while store.writers_waiting() < n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_commit_keeps_its_members_when_a_later_writer_is_dropped() {
    // SQLite shares one sync between writers that commit while others wait: the first writer
    // joins a group and waits; the writer after it is dropped half-way. The first must still
    // be committed (by the flusher), the dropped one must leave nothing behind.
    let db = testing::sqlite().await.unwrap();
    let s = db.store.clone();
    let mut first = s.begin().await.unwrap();
    let later = {
        let s = s.clone();
        tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            let seq = tx.next_seq("nc").await.unwrap();
            let c = content("dropped", "draft", "", None);
            tx.insert_record("nc", seq, "NC-DROPPED", &c, 1, None)
                .await
                .unwrap();
            tx.audit(draft("record.create", "NC-DROPPED"));
            seq
            // dropped here, without commit
        })
    };
    until_waiting(&s, 1).await;
    let seq = first.next_seq("nc").await.unwrap();
    let c = content("kept", "draft", "", None);
    first
        .insert_record("nc", seq, "NC-0001", &c, 1, None)
        .await
        .unwrap();
    first.audit(draft("record.create", "NC-0001"));
    // Without the flusher this would wait forever: nobody else is left to commit the group.
    tokio::time::timeout(std::time::Duration::from_secs(20), first.commit())
        .await
        .expect("the group was committed")
        .unwrap();
    // The dropped writer drew the number after the kept one; rolling back returns it.
    assert_eq!(later.await.unwrap(), 2);
    let after = create(&s, "nc", "next", "", None).await;
    let kept = s.record_by_number("NC-0001").await.unwrap().expect("kept");
    assert_eq!(kept.title, "kept");
    assert!(s.record_by_number("NC-DROPPED").await.unwrap().is_none());
    assert_eq!(s.record(after).await.unwrap().unwrap().seq, 2);
    let v = s.verify().await.unwrap();
    assert_eq!((v.checked, v.broken), (2, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_whose_caller_went_away_is_committed_with_its_group() {
    // A request cancelled while its write waits for the group's sync: the write was part of
    // the group and is committed with it, with its audit event.
    let db = testing::sqlite().await.unwrap();
    let s = db.store.clone();
    let mut first = s.begin().await.unwrap();
    let next = {
        let s = s.clone();
        tokio::spawn(async move { create(&s, "nc", "second", "", None).await })
    };
    until_waiting(&s, 1).await;
    let seq = first.next_seq("nc").await.unwrap();
    let c = content("first", "draft", "", None);
    first
        .insert_record("nc", seq, "NC-0001", &c, 1, None)
        .await
        .unwrap();
    first.audit(draft("record.create", "NC-0001"));
    let waiting = tokio::spawn(first.commit());
    next.await.unwrap();
    waiting.abort();
    let rows = s
        .list(&Filter {
            kind: Some("nc".into()),
            limit: 10,
            ..Filter::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let v = s.verify().await.unwrap();
    assert_eq!((v.checked, v.broken), (2, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_writers_some_failing_leave_exactly_the_committed_records() {
    for db in each().await {
        let mut tasks = Vec::new();
        for t in 0..8 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let mut kept = Vec::new();
                for i in 0..30 {
                    let mut tx = s.begin().await.unwrap();
                    let seq = tx.next_seq("nc").await.unwrap();
                    let title = format!("w{t} r{i}");
                    let c = content(&title, "draft", "", None);
                    let number = format!("NC-{seq:04}");
                    tx.insert_record("nc", seq, &number, &c, 1, None)
                        .await
                        .unwrap();
                    tx.audit(draft("record.create", &number));
                    if (t + i) % 5 == 0 {
                        // A refused write: rolled back explicitly or dropped.
                        if i % 2 == 0 {
                            tx.rollback().await.unwrap();
                        }
                        continue;
                    }
                    tx.commit().await.unwrap();
                    kept.push(title);
                }
                kept
            }));
        }
        let mut kept = Vec::new();
        for t in tasks {
            kept.extend(t.await.unwrap());
        }
        let rows = db
            .store
            .list(&Filter {
                kind: Some("nc".into()),
                sort: Sort::CreatedAsc,
                limit: 1000,
                ..Filter::default()
            })
            .await
            .unwrap();
        let mut titles: Vec<String> = rows.iter().map(|r| r.title.clone()).collect();
        titles.sort();
        kept.sort();
        assert_eq!(titles, kept, "{}", db.store.backend());
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=kept.len() as i64).collect::<Vec<_>>());
        let v = db.store.verify().await.unwrap();
        assert_eq!((v.checked, v.broken), (kept.len() as u64, None));
    }
}

#[tokio::test]
async fn breaks_at_the_seams_between_stretches_checked_in_parallel_are_found() {
    // Verification checks stretches of the chain apart and joins them; a break exactly at a
    // seam must be found as surely as one inside a stretch.
    for db in each().await {
        let s = &db.store;
        for i in 0..25 {
            create(s, "doc", &format!("r{i}"), "", None).await;
        }
        let found = |v: annex_store::audit_trail::Verification| v.broken.map(|b| (b.seq, b.reason));
        for stretch in [1, 4, 7, 1000] {
            let v = s.verify_in(stretch).await.unwrap();
            assert_eq!((v.checked, v.broken), (25, None), "stretch {stretch}");
        }
        // Event 15 starts the third stretch of 7: point it elsewhere.
        exec(
            &db,
            "UPDATE audit_events SET prev_hash = hash WHERE seq = 15",
        )
        .await;
        assert_eq!(
            found(s.verify_in(7).await.unwrap()),
            Some((15, Break::Link))
        );
        assert_eq!(
            found(s.verify_in(1000).await.unwrap()),
            Some((15, Break::Link))
        );
        exec(
            &db,
            "UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE seq = 14) \
             WHERE seq = 15",
        )
        .await;
        assert_eq!(found(s.verify_in(7).await.unwrap()), None);
        // A whole stretch deleted: the next one starts where 8 was expected.
        exec(&db, "DELETE FROM audit_events WHERE seq > 7 AND seq <= 14").await;
        let v = s.verify_in(7).await.unwrap();
        assert_eq!(v.checked, 7);
        assert_eq!(found(v), Some((15, Break::Gap { expected: 8 })));
        assert_eq!(
            found(s.verify_in(3).await.unwrap()),
            Some((15, Break::Gap { expected: 8 }))
        );
    }
}

#[tokio::test]
async fn odd_values_are_verified_and_their_edits_found() {
    // Verification reads values in place (SQLite rows, PostgreSQL's binary COPY, both
    // length-prefixed); values that look like length prefixes, empty text, non-ASCII and
    // negative numbers must neither break it nor hide edits.
    for db in each().await {
        let s = &db.store;
        let mut tx = s.begin().await.unwrap();
        for (i, odd) in ["-", "3:abc", "", "é–漢字:-", "1:-2:--"].iter().enumerate() {
            tx.audit(Draft {
                at_us: -(i as i64),
                actor: (*odd).into(),
                action: format!("{odd}{odd}"),
                subject: (*odd).into(),
                before: Some(serde_json::json!({ *odd: odd })),
                after: None,
                reason: Some((*odd).into()),
            });
        }
        tx.commit().await.unwrap();
        let v = s.verify().await.unwrap();
        assert_eq!((v.checked, v.broken), (5, None), "{}", s.backend());
        // The empty reason of event 3 made NULL: an edit, though both read as "nothing".
        exec(&db, "UPDATE audit_events SET reason = NULL WHERE seq = 3").await;
        let v = s.verify().await.unwrap();
        assert_eq!(
            v.broken.map(|b| (b.seq, b.reason)),
            Some((3, Break::Content))
        );
        exec(&db, "UPDATE audit_events SET reason = '' WHERE seq = 3").await;
        assert_eq!(s.verify().await.unwrap().broken, None);
        // A hash that is not a hash.
        exec(
            &db,
            "UPDATE audit_events SET hash = 'not:a-hash' WHERE seq = 4",
        )
        .await;
        let v = s.verify().await.unwrap();
        assert_eq!(
            v.broken.map(|b| (b.seq, b.reason)),
            Some((4, Break::Content))
        );
    }
}

/// Inserts a record of `kind` with these fields (JSON) the way the app layer does.
async fn create_with(store: &Store, kind: &str, site: &str, fields: &str) {
    let mut tx = store.begin().await.unwrap();
    let seq = tx.next_seq(kind).await.unwrap();
    let number = format!("{}-{seq:04}", kind.to_uppercase());
    let c = Content {
        fields,
        ..content("r", "closed", site, None)
    };
    let id = tx
        .insert_record(kind, seq, &number, &c, 1000 + seq, None)
        .await
        .unwrap();
    tx.insert_version(id, 1, &c, 1000 + seq, None, &"0".repeat(64))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_field_is_averaged_per_month_of_a_date_field() {
    for db in each().await {
        let s = &db.store;
        for (site, fields) in [
            ("north", r#"{"satisfaction": 4, "closed_on": "2026-01-10"}"#),
            ("north", r#"{"satisfaction": 5, "closed_on": "2026-01-31"}"#),
            ("south", r#"{"satisfaction": 1, "closed_on": "2026-01-15"}"#),
            ("north", r#"{"satisfaction": 2, "closed_on": "2026-03-01"}"#),
            // Before the period, without a score, with a score that is not a number, or
            // never closed: none of these count.
            ("north", r#"{"satisfaction": 1, "closed_on": "2025-12-31"}"#),
            ("north", r#"{"closed_on": "2026-02-02"}"#),
            (
                "north",
                r#"{"satisfaction": "great", "closed_on": "2026-02-03"}"#,
            ),
            ("north", r#"{"satisfaction": 3}"#),
        ] {
            create_with(s, "complaint", site, fields).await;
        }
        // Another kind with the same field names stays out.
        create_with(
            s,
            "survey",
            "north",
            r#"{"satisfaction": 1, "closed_on": "2026-01-05"}"#,
        )
        .await;
        let filter = Filter {
            kind: Some("complaint".into()),
            ..Filter::default()
        };
        let rows = s
            .monthly_average(&filter, "satisfaction", "closed_on", "2026-01-01")
            .await
            .unwrap();
        let got: Vec<(&str, f64, i64)> = rows
            .iter()
            .map(|r| (r.month.as_str(), r.average, r.count))
            .collect();
        assert_eq!(
            got,
            [("2026-01", 10.0 / 3.0, 3), ("2026-03", 2.0, 1)],
            "{}",
            db.url
        );
        let north = Filter {
            sites_allowed: Some(vec!["north".into()]),
            ..filter
        };
        let rows = s
            .monthly_average(&north, "satisfaction", "closed_on", "2026-01-01")
            .await
            .unwrap();
        assert_eq!(rows[0].average, 4.5, "{}", db.url);
        assert_eq!(rows[0].count, 2);
    }
}
