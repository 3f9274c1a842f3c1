//! Reminders: the due-date engine ([`annex_core::reminders`]) applied to the records in the
//! database. Today's [`Window`] for the task list and the lists, and the email digest: each
//! person who owns overdue or soon-due open records gets one message listing them, with links
//! to their pages, sent over SMTP (settings in the `[email]` section of the configuration).
//!
//! `annex serve` sends the digest once a day at the configured time ([`run`]); `annex remind`
//! sends it at once ([`send`]). With several app servers on one database, a day's digest is
//! claimed in the database before it is sent, so it goes out once. Each digest sent is an
//! audit-trail event naming the recipient and the records they were reminded of. A mail
//! server that fails is logged and reported, never waited on for longer than the configured
//! timeout.

use std::collections::HashMap;
use std::time::Duration;

use annex_core::audit_trail::Draft;
use annex_core::kinds;
use annex_core::reminders::{self as engine, Urgency, Window};
use annex_core::role::Permission;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::accounts::require;
use crate::config::{Email, Security};
use crate::{App, Error, Principal, clock};

/// Today (UTC, as due dates are kept) and the configured lead.
pub fn window(app: &App) -> Option<Window> {
    Window::new(&clock::today(), app.config.lead_days)
}

/// One record in a digest.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub number: String,
    pub title: String,
    /// The register it is in: "Nonconformities".
    pub register: String,
    pub urgency: Urgency,
    /// What is due: "Due", "Next periodic review".
    pub what: String,
    pub on: String,
    /// Days from today; negative when overdue.
    pub days: i64,
    /// The record's page.
    pub link: String,
}

/// What one person is reminded of.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub username: String,
    pub display_name: String,
    /// Empty when the account has no address: the digest cannot be sent.
    pub email: String,
    pub day: String,
    pub lead_days: u32,
    /// Most urgent first, then soonest.
    pub items: Vec<Item>,
}

impl Digest {
    fn of(&self, u: Urgency) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.urgency == u)
    }

    pub fn subject(&self) -> String {
        let overdue = self.of(Urgency::Overdue).count();
        let soon = self.items.len() - overdue;
        match (overdue, soon) {
            (0, n) => format!("Annex: {n} record(s) due soon"),
            (n, 0) => format!("Annex: {n} record(s) overdue"),
            (o, s) => format!("Annex: {o} record(s) overdue, {s} due soon"),
        }
    }

    /// The message, as plain text: one block per urgency, one line per record and its link.
    pub fn body(&self, base_url: &str) -> String {
        let mut out = format!(
            "Hello {},\n\nThese open records of yours need attention (as of {}, UTC).\n",
            self.display_name, self.day
        );
        let heads = [
            (Urgency::Overdue, "Overdue".to_string()),
            (Urgency::DueToday, "Due today".to_string()),
            (
                Urgency::DueSoon,
                format!("Due in the next {} days", self.lead_days),
            ),
        ];
        for (u, head) in heads {
            let items: Vec<&Item> = self.of(u).collect();
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{head} ({})\n", items.len()));
            for i in items {
                let when = match i.days {
                    d if d < -1 => format!("{} days ago", -d),
                    -1 => "yesterday".to_string(),
                    0 => "today".to_string(),
                    1 => "tomorrow".to_string(),
                    d => format!("in {d} days"),
                };
                out.push_str(&format!(
                    "- {}  {}  ({})\n  {} {}, {when}\n  {}\n",
                    i.number, i.title, i.register, i.what, i.on, i.link
                ));
            }
        }
        out.push_str(&format!(
            "\nYour task list: {base_url}/\n\nYou receive this because you own these records \
             in Annex. Closing a record or moving its date ends its reminders.\n"
        ));
        out
    }
}

/// Every person's digest for today: the open records they own whose most urgent date is
/// overdue, today or within the lead. Accounts that are disabled or past their last day are
/// left out. `base_url` prefixes the links.
pub async fn digests(app: &App, who: &Principal, base_url: &str) -> Result<Vec<Digest>, Error> {
    require(app, who, Permission::ManageSettings).await?;
    let window = window(app).ok_or_else(|| Error::Internal("today is not a date".into()))?;
    collect(app, &window, base_url).await
}

/// The sweep and the classification, without the permission check: what the benchmark of
/// the due-date engine measures.
pub async fn collect(app: &App, window: &Window, base_url: &str) -> Result<Vec<Digest>, Error> {
    let store = app.store()?;
    let terminal = crate::records::terminal_states(None);
    let rows = store.reminders(&window.horizon(), &terminal).await?;
    let today = window.today();
    let users: HashMap<i64, annex_store::accounts::UserRow> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.expires_on.as_deref().is_none_or(|e| e >= today.as_str()))
        .map(|u| (u.id, u))
        .collect();
    let mut out: Vec<Digest> = Vec::new();
    let empty = Map::new();
    for r in rows {
        let Some(user) = users.get(&r.owner_id) else {
            continue;
        };
        let Some(kind) = kinds::get(&r.kind) else {
            continue;
        };
        let parsed;
        let fields = match r.fields.as_deref().map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(m))) => {
                parsed = m;
                &parsed
            }
            _ => &empty,
        };
        // The engine has the last word: the sweep is a range on the stored earliest date.
        let Some(rem) = engine::reminder(window, kind, &r.state, r.due_on.as_deref(), fields)
        else {
            continue;
        };
        if !rem.urgency.reminds() {
            continue;
        }
        if out.last().is_none_or(|d| d.username != user.username) {
            out.push(Digest {
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                email: user.email.clone(),
                day: today.clone(),
                lead_days: window.lead_days(),
                items: Vec::new(),
            });
        }
        if let Some(d) = out.last_mut() {
            d.items.push(Item {
                link: format!("{base_url}/r/{}", r.number),
                number: r.number,
                title: r.title,
                register: kind.plural.to_string(),
                urgency: rem.urgency,
                what: rem.what,
                on: rem.on,
                days: rem.days,
            });
        }
    }
    for d in &mut out {
        d.items
            .sort_by(|a, b| (a.urgency, &a.on, &a.number).cmp(&(b.urgency, &b.on, &b.number)));
    }
    Ok(out)
}

/// How sending one person's digest went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub username: String,
    pub email: String,
    pub items: usize,
    /// Why it was not sent; none when it was.
    pub error: Option<String>,
}

/// What a digest run did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub day: String,
    /// Another run (this server's or another's) had already claimed the day: nothing was sent.
    pub already_claimed_by: Option<String>,
    pub outcomes: Vec<Outcome>,
    /// Nothing could be sent, and the day's claim was given back for a later attempt.
    pub given_back: bool,
}

impl Report {
    pub fn sent(&self) -> usize {
        self.outcomes.iter().filter(|o| o.error.is_none()).count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.sent()
    }
}

/// How a run treats the day's claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The daily run: send only if no one has claimed today yet.
    Once,
    /// Asked for by hand (`annex remind`): send even if today was already sent; claim the
    /// day if it is free, so the daily run does not send again.
    Anyway,
}

/// Sends today's digests now. `by` names this server in the claim (its host name).
pub async fn send(app: &App, who: &Principal, claim: Claim, by: &str) -> Result<Report, Error> {
    require(app, who, Permission::ManageSettings).await?;
    let email = app.config.email.clone().ok_or_else(|| {
        Error::invalid(
            "email",
            "no [email] section in the configuration file: digests cannot be sent",
        )
    })?;
    let window = window(app).ok_or_else(|| Error::Internal("today is not a date".into()))?;
    let day = window.today();
    let store = app.store()?;
    let mut tx = store.begin().await?;
    let claimed = tx.claim_digest(&day, by, clock::now_us()).await?;
    tx.commit().await?;
    if !claimed && claim == Claim::Once {
        let holder = store.digest(&day).await?.map(|d| d.claimed_by);
        return Ok(Report {
            day,
            already_claimed_by: Some(holder.unwrap_or_default()),
            outcomes: Vec::new(),
            given_back: false,
        });
    }
    let digests = match collect(app, &window, &email.base_url).await {
        Ok(d) => d,
        Err(e) => {
            release(app, &day, claimed).await;
            return Err(e);
        }
    };
    let transport = transport(&email)?;
    let mut outcomes = Vec::with_capacity(digests.len());
    for d in &digests {
        let error = match deliver(&transport, &email, d).await {
            Ok(()) => {
                audit_sent(app, who, d).await?;
                None
            }
            Err(e) => {
                tracing::warn!(
                    "reminder digest to {} <{}> not sent: {e}",
                    d.username,
                    d.email
                );
                Some(e)
            }
        };
        outcomes.push(Outcome {
            username: d.username.clone(),
            email: d.email.clone(),
            items: d.items.len(),
            error,
        });
    }
    let mut report = Report {
        day: day.clone(),
        already_claimed_by: None,
        outcomes,
        given_back: false,
    };
    if claimed {
        let attempted = report.outcomes.iter().any(|o| !o.email.is_empty());
        if attempted && report.sent() == 0 {
            // Nothing got through (the mail server is down): give the day back, so a later
            // attempt sends it.
            release(app, &day, true).await;
            report.given_back = true;
        } else {
            let mut tx = store.begin().await?;
            let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
            tx.finish_digest(&day, n(report.sent()), n(report.failed()), clock::now_us())
                .await?;
            tx.commit().await?;
        }
    }
    Ok(report)
}

async fn release(app: &App, day: &str, claimed: bool) {
    if !claimed {
        return;
    }
    let released = async {
        let mut tx = app.store()?.begin().await?;
        tx.release_digest(day).await?;
        tx.commit().await?;
        Ok::<(), Error>(())
    };
    if let Err(e) = released.await {
        tracing::warn!("could not give back the claim of {day}'s reminder digest: {e}");
    }
}

/// The audit-trail event of a digest sent: to whom, and which records, by urgency.
async fn audit_sent(app: &App, who: &Principal, d: &Digest) -> Result<(), Error> {
    let numbers = |u: Urgency| -> Vec<&str> { d.of(u).map(|i| i.number.as_str()).collect() };
    let mut tx = app.store()?.begin().await?;
    tx.audit(Draft {
        at_us: clock::now_us(),
        actor: who.username.clone(),
        action: "reminders.sent".into(),
        subject: format!("user:{}", d.username),
        before: None,
        after: Some(json!({
            "day": d.day,
            "to": d.email,
            "overdue": numbers(Urgency::Overdue),
            "due_today": numbers(Urgency::DueToday),
            "due_soon": numbers(Urgency::DueSoon),
        })),
        reason: None,
    });
    tx.commit().await?;
    Ok(())
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

fn transport(email: &Email) -> Result<Transport, Error> {
    let host = email.smtp_host.as_str();
    let bad = |e: lettre::transport::smtp::Error| Error::invalid("email.smtp_host", e.to_string());
    let builder = match email.security {
        Security::None => Transport::builder_dangerous(host),
        Security::StartTls => Transport::starttls_relay(host).map_err(bad)?,
        Security::Tls => Transport::relay(host).map_err(bad)?,
    };
    let mut builder = builder
        .port(email.smtp_port)
        .timeout(Some(Duration::from_secs(email.timeout_seconds)));
    if let (Some(u), Some(p)) = (&email.username, &email.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(builder.build())
}

/// Sends one digest; the error in words when it could not be.
async fn deliver(transport: &Transport, email: &Email, d: &Digest) -> Result<(), String> {
    if d.email.is_empty() {
        return Err("the account has no email address".into());
    }
    let from: Mailbox = email
        .from
        .parse()
        .map_err(|e| format!("sender {}: {e}", email.from))?;
    let to = Mailbox::new(
        Some(d.display_name.clone()),
        d.email
            .parse()
            .map_err(|e| format!("address {}: {e}", d.email))?,
    );
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(d.subject())
        .header(ContentType::TEXT_PLAIN)
        .body(d.body(&email.base_url))
        .map_err(|e| e.to_string())?;
    // The transport's timeout bounds each read and write; this bounds the whole exchange, so
    // a server that trickles its answers cannot hold the run either.
    let limit = Duration::from_secs(email.timeout_seconds.saturating_mul(4));
    match tokio::time::timeout(limit, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{}:{}: {e}", email.smtp_host, email.smtp_port)),
        Err(_) => Err(format!(
            "{}:{}: no answer within {} s",
            email.smtp_host,
            email.smtp_port,
            limit.as_secs()
        )),
    }
}

/// The daily digest inside `annex serve`: from the configured time of day on, the first server
/// to claim the day sends it. When nothing could be sent the day is given back and tried again
/// `retry` later. Runs until the process ends; does nothing without an `[email]` section.
pub async fn run(app: App, by: String, retry: Duration) {
    let Some(email) = app.config.email.clone() else {
        return;
    };
    let (hour, minute) = email.digest_time;
    let due_at = format!("{hour:02}:{minute:02}");
    let mut done: Option<String> = None;
    let mut next_try = tokio::time::Instant::now();
    loop {
        let now = clock::iso(clock::now_us());
        let (day, time) = (now.get(..10).unwrap_or(""), now.get(11..16).unwrap_or(""));
        let waiting = done.as_deref() == Some(day) || time < due_at.as_str();
        if !waiting && tokio::time::Instant::now() >= next_try {
            match send(&app, &Principal::system(), Claim::Once, &by).await {
                Ok(r) if r.already_claimed_by.is_some() => done = Some(r.day),
                Ok(r) if r.given_back => {
                    tracing::warn!(
                        "reminder digest of {}: none of {} sent; trying again in {} s",
                        r.day,
                        r.failed(),
                        retry.as_secs()
                    );
                    next_try = tokio::time::Instant::now() + retry;
                }
                Ok(r) => {
                    tracing::info!(
                        "reminder digest of {}: {} sent, {} not sent",
                        r.day,
                        r.sent(),
                        r.failed()
                    );
                    done = Some(r.day);
                }
                Err(e) => {
                    tracing::warn!(
                        "reminder digest failed: {e}; trying again in {} s",
                        retry.as_secs()
                    );
                    next_try = tokio::time::Instant::now() + retry;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! Digests sent through a real SMTP exchange with a sink listening on localhost, on
    //! SQLite and (when `ANNEX_TEST_DATABASE_URL` is set) PostgreSQL.

    use std::sync::{Arc, Mutex};

    use annex_store::Store;
    use annex_store::audit_trail::EventFilter;
    use annex_store::testing::{self, TestDb};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;
    use crate::accounts::{self, NewAccount};
    use crate::records::{self, NewRecord};

    /// A message as the sink received it.
    #[derive(Debug, Clone)]
    struct Mail {
        from: String,
        to: Vec<String>,
        data: String,
    }

    type Inbox = Arc<Mutex<Vec<Mail>>>;

    /// A mail server on a free local port that accepts every message and keeps it: enough
    /// SMTP for lettre (EHLO, MAIL, RCPT, DATA, RSET, QUIT).
    async fn sink() -> (u16, Inbox) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox: Inbox = Arc::default();
        let kept = inbox.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let inbox = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read);
                    let mut mail = Mail {
                        from: String::new(),
                        to: Vec::new(),
                        data: String::new(),
                    };
                    let say = async |w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str| {
                        w.write_all(s.as_bytes()).await.unwrap();
                    };
                    say(&mut write, "220 sink ready\r\n").await;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let upper = line.to_ascii_uppercase();
                        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            say(&mut write, "250-sink\r\n250 8BITMIME\r\n").await;
                        } else if upper.starts_with("MAIL FROM:") {
                            mail.from = path(&line);
                            say(&mut write, "250 ok\r\n").await;
                        } else if upper.starts_with("RCPT TO:") {
                            mail.to.push(path(&line));
                            say(&mut write, "250 ok\r\n").await;
                        } else if upper.starts_with("DATA") {
                            say(&mut write, "354 go on\r\n").await;
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                mail.data.push_str(&line);
                            }
                            inbox.lock().unwrap().push(mail.clone());
                            mail.to.clear();
                            mail.data.clear();
                            say(&mut write, "250 kept\r\n").await;
                        } else if upper.starts_with("QUIT") {
                            say(&mut write, "221 bye\r\n").await;
                            return;
                        } else {
                            say(&mut write, "250 ok\r\n").await;
                        }
                    }
                });
            }
        });
        (port, inbox)
    }

    /// The `<address>` of a MAIL or RCPT command, without its parameters.
    fn path(line: &str) -> String {
        let start = line.find('<').unwrap_or(0);
        let end = line.find('>').map_or(line.len(), |e| e + 1);
        line[start..end].to_string()
    }

    fn email(port: u16) -> Email {
        Email {
            smtp_host: "127.0.0.1".into(),
            smtp_port: port,
            security: Security::None,
            username: None,
            password: None,
            from: "Annex <annex@example.com>".into(),
            base_url: "https://annex.example.com".into(),
            digest_time: (7, 0),
            timeout_seconds: 2,
        }
    }

    async fn dbs() -> Vec<TestDb> {
        let mut out = vec![testing::sqlite().await.unwrap()];
        if let Some(url) = testing::postgres_url() {
            out.push(testing::postgres(&url).await.unwrap());
        }
        out
    }

    fn day(offset: i64) -> String {
        engine::add_days(&clock::today(), offset).unwrap()
    }

    fn nc(title: &str, owner: &str, due: i64) -> NewRecord {
        let mut fields = Map::new();
        fields.insert("severity".into(), json!("major"));
        fields.insert("description".into(), json!("Found on the line"));
        NewRecord {
            kind: "nonconformity".into(),
            title: title.into(),
            owner: Some(owner.into()),
            due_on: Some(day(due)),
            fields,
            ..NewRecord::default()
        }
    }

    /// Ada (administrator) and Bob (manager) with addresses, Carl without one; records due
    /// at various distances, one document reminding through its periodic review.
    async fn organisation(store: Store, port: u16) -> (App, Principal) {
        let mut app = App::with_store(store).unwrap();
        app.config.email = Some(email(port));
        let ada = accounts::setup(
            &app,
            NewAccount {
                username: "ada".into(),
                display_name: "Ada Admin".into(),
                email: "ada@example.com".into(),
                password: "correct horse battery staple".into(),
                ..NewAccount::default()
            },
        )
        .await
        .unwrap();
        for (name, display, mail) in [
            ("bob", "Bob Builder", "bob@example.com"),
            ("carl", "Carl Nomail", ""),
        ] {
            accounts::add_user(
                &app,
                &ada,
                NewAccount {
                    username: name.into(),
                    display_name: display.into(),
                    email: mail.into(),
                    password: "correct horse battery staple".into(),
                    role: "manager".into(),
                    ..NewAccount::default()
                },
            )
            .await
            .unwrap();
        }
        for r in [
            nc("Torque out of tolerance", "bob", -3),
            nc("Label misprinted", "bob", 0),
            nc("Supplier late", "bob", 5),
            nc("Far away", "bob", 30),
            nc("Nobody reads this", "carl", -1),
        ] {
            records::create(&app, &ada, r).await.unwrap();
        }
        let mut fields = Map::new();
        fields.insert("periodic_review".into(), json!(day(-10)));
        records::create(
            &app,
            &ada,
            NewRecord {
                kind: "document".into(),
                title: "Control of records".into(),
                owner: Some("ada".into()),
                fields,
                ..NewRecord::default()
            },
        )
        .await
        .unwrap();
        (app, ada)
    }

    #[tokio::test]
    async fn each_owner_gets_one_digest_of_their_overdue_and_soon_due_records() {
        for db in dbs().await {
            let (port, inbox) = sink().await;
            let (app, ada) = organisation(db.store.clone(), port).await;
            let report = send(&app, &ada, Claim::Once, "test").await.unwrap();
            assert_eq!(report.sent(), 2, "{report:?}");
            assert_eq!(report.failed(), 1, "{report:?}");
            let carl = report
                .outcomes
                .iter()
                .find(|o| o.username == "carl")
                .unwrap();
            assert_eq!(
                carl.error.as_deref(),
                Some("the account has no email address")
            );

            let mails = inbox.lock().unwrap().clone();
            assert_eq!(mails.len(), 2, "{mails:?}");
            let to_bob = mails
                .iter()
                .find(|m| m.to == ["<bob@example.com>"])
                .expect("a message to bob");
            assert_eq!(to_bob.from, "<annex@example.com>");
            let data = &to_bob.data;
            assert!(
                data.contains("Subject: Annex: 1 record(s) overdue, 2 due soon"),
                "{data}"
            );
            assert!(
                data.contains("To: Bob Builder <bob@example.com>")
                    || data.contains("To: \"Bob Builder\" <bob@example.com>"),
                "{data}"
            );
            for (number, title) in [
                ("NC-0001", "Torque out of tolerance"),
                ("NC-0002", "Label misprinted"),
                ("NC-0003", "Supplier late"),
            ] {
                assert!(
                    data.contains(&format!("- {number}  {title}  (Nonconformities)")),
                    "{data}"
                );
                assert!(
                    data.contains(&format!("https://annex.example.com/r/{number}")),
                    "{data}"
                );
            }
            assert!(!data.contains("NC-0004"), "later than the lead: {data}");
            assert!(
                !data.contains("NC-0005"),
                "carl's record in bob's mail: {data}"
            );
            // Most urgent first.
            let at = |s: &str| data.find(s).unwrap();
            assert!(at("Overdue (1)") < at("NC-0001") && at("NC-0001") < at("Due today (1)"));
            assert!(at("Due today (1)") < at("NC-0002") && at("NC-0002") < at("NC-0003"));
            assert!(
                data.contains(&format!("Due {}, 3 days ago", day(-3))),
                "{data}"
            );

            let to_ada = mails
                .iter()
                .find(|m| m.to == ["<ada@example.com>"])
                .unwrap();
            assert!(
                to_ada
                    .data
                    .contains("DOC-0001  Control of records  (Documents)")
            );
            assert!(
                to_ada
                    .data
                    .contains(&format!("Next periodic review {}, 10 days ago", day(-10))),
                "{}",
                to_ada.data
            );

            // Sending is in the audit trail: to whom, and which records.
            let events = db
                .store
                .events(&EventFilter {
                    subject: Some("user:bob".into()),
                    action: Some("reminders.sent".into()),
                    limit: 10,
                    ..EventFilter::default()
                })
                .await
                .unwrap();
            assert_eq!(events.len(), 1);
            let after = events[0].draft.after.clone().unwrap();
            assert_eq!(after["overdue"], json!(["NC-0001"]));
            assert_eq!(after["due_today"], json!(["NC-0002"]));
            assert_eq!(after["due_soon"], json!(["NC-0003"]));
            assert_eq!(after["to"], "bob@example.com");
            assert!(db.store.verify().await.unwrap().broken.is_none());
        }
    }

    #[tokio::test]
    async fn a_day_is_sent_once_however_many_servers_try() {
        for db in dbs().await {
            let (port, inbox) = sink().await;
            let (app, ada) = organisation(db.store.clone(), port).await;
            // Three servers at the same moment: separate connections to the same database.
            let mut servers = vec![app.clone()];
            for _ in 0..2 {
                let store = match db.store.backend() {
                    "postgres" => Store::connect(&db.url).await.unwrap(),
                    _ => db.store.clone(),
                };
                let mut other = App::with_store(store).unwrap();
                other.config = app.config.clone();
                servers.push(other);
            }
            let runs = servers.into_iter().enumerate().map(|(i, s)| {
                let ada = ada.clone();
                tokio::spawn(
                    async move { send(&s, &ada, Claim::Once, &format!("server{i}")).await },
                )
            });
            let mut reports = Vec::new();
            for r in runs {
                reports.push(r.await.unwrap().unwrap());
            }
            let senders: Vec<&Report> = reports
                .iter()
                .filter(|r| r.already_claimed_by.is_none())
                .collect();
            assert_eq!(senders.len(), 1, "{reports:?}");
            assert_eq!(inbox.lock().unwrap().len(), 2);
            let claim = db.store.digest(&clock::today()).await.unwrap().unwrap();
            assert_eq!((claim.sent, claim.failed), (2, 1));
            assert!(claim.finished_at.is_some());
            // A later daily run the same day sends nothing; by hand, it sends again.
            let again = send(&app, &ada, Claim::Once, "late").await.unwrap();
            assert!(again.already_claimed_by.unwrap().starts_with("server"));
            assert_eq!(inbox.lock().unwrap().len(), 2);
            send(&app, &ada, Claim::Anyway, "cli").await.unwrap();
            assert_eq!(inbox.lock().unwrap().len(), 4);
        }
    }

    #[tokio::test]
    async fn a_mail_server_that_is_down_or_silent_fails_the_run_without_holding_it() {
        let db = testing::sqlite().await.unwrap();
        // A port nobody listens on.
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap().port()
        };
        let (app, ada) = organisation(db.store.clone(), closed).await;
        let report = send(&app, &ada, Claim::Once, "test").await.unwrap();
        assert_eq!(report.sent(), 0);
        assert!(report.given_back, "{report:?}");
        let bob = report
            .outcomes
            .iter()
            .find(|o| o.username == "bob")
            .unwrap();
        assert!(
            bob.error
                .as_deref()
                .unwrap()
                .contains(&format!("127.0.0.1:{closed}"))
        );
        // The day was given back: the next attempt may send it.
        assert!(db.store.digest(&clock::today()).await.unwrap().is_none());

        // A server that accepts and never answers: each digest gives up after its timeout.
        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let held = tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((s, _)) = silent.accept().await {
                kept.push(s);
            }
        });
        let mut app = app;
        let mut e = email(port);
        e.timeout_seconds = 1;
        app.config.email = Some(e);
        let t = std::time::Instant::now();
        let report = send(&app, &ada, Claim::Once, "test").await.unwrap();
        assert_eq!(report.sent(), 0);
        assert!(report.outcomes.iter().all(|o| o.error.is_some()));
        assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
        held.abort();
    }

    #[tokio::test]
    async fn without_email_settings_digests_are_refused_but_can_be_listed() {
        let db = testing::sqlite().await.unwrap();
        let (mut app, ada) = organisation(db.store.clone(), 9).await;
        app.config.email = None;
        let e = send(&app, &ada, Claim::Anyway, "test").await.unwrap_err();
        assert_eq!(e.field(), Some("email"));
        let digests = digests(&app, &ada, "http://x").await.unwrap();
        let names: Vec<&str> = digests.iter().map(|d| d.username.as_str()).collect();
        assert_eq!(names, ["ada", "bob", "carl"]);
        // Only administrators send or list everyone's digests.
        let bob = crate::Principal {
            id: 2,
            username: "bob".into(),
            role: annex_core::role::Role::Manager,
            ..Principal::system()
        };
        assert!(matches!(
            super::digests(&app, &bob, "http://x").await,
            Err(Error::Forbidden { .. })
        ));
    }
}
