//! The records kernel's pages in a real browser: a headless Chromium driven over WebDriver
//! (fantoccini talking to chromedriver), each test a journey a user takes and what they then
//! see — set-up and login, a form's errors beside its fields, keyboard use, lists, search, an
//! electronic signature, and a phone-sized screen. Annex is served on a free local port over a
//! fresh SQLite database; `pages.rs` covers the same pages request by request, on PostgreSQL
//! too.
//!
//! Controls are found the way a person or a screen reader finds them — by their label, a
//! button's words, a link's text, a heading — and never by sleeping: every step waits for
//! what the next page shows.
//!
//! These tests need Chromium and ChromeDriver (Debian: `apt-get install chromium
//! chromium-driver`). Without them they fail saying so, rather than pass without having run.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use annex_app::records::{self, ListQuery, NewRecord, Signing, Step, Upload};
use annex_app::{App, Principal, accounts};
use annex_store::testing::{self, TestDb};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::support::PASSWORD;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const INSTALL: &str = "the browser tests need Chromium and ChromeDriver: on Debian or Ubuntu, \
                       `apt-get update && apt-get install -y chromium chromium-driver`";

/// One browser at a time: the suite shares a couple of cores with every other test, and
/// several Chromiums at once would only compete for them.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ---------------------------------------------------------------------------------------------
// The browser and the server

/// chromedriver as a child process in a process group of its own, so that dropping it — also
/// when a test fails half-way — ends chromedriver and every Chromium process it started.
struct Driver {
    child: Child,
    port: u16,
    /// Chromium's profile and temporary files, removed when the test ends, even when the
    /// browser could not clean up after itself.
    tmp: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: {INSTALL}"
            );
        }
        // A port nobody uses now; chromedriver binds it a moment later.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free local port")
            .port();
        let tmp = tempfile::tempdir().expect("a folder for the browser");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {CHROMEDRIVER} ({e}): {INSTALL}"));
        let mut driver = Driver { child, port, tmp };
        // Ready when it says so. The reader keeps draining its output so that it never blocks
        // on a full pipe.
        let out = driver.child.stdout.take();
        let (ready, started) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out.expect("chromedriver's output")).lines() {
                let Ok(line) = line else { break };
                if line.contains("started successfully") {
                    let _ = ready.send(());
                }
            }
        });
        if let Err(e) = started.recv_timeout(Duration::from_secs(60)) {
            panic!("chromedriver did not start on port {port} ({e:?})");
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0)); Chromium inherits it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Annex served on `base` over a fresh database, and a Chromium to look at it with.
struct Browser {
    c: Client,
    base: String,
    app: App,
    // Dropped in this order: the database folder, then chromedriver and Chromium, then the
    // turn of the next test.
    _db: TestDb,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    async fn start() -> Browser {
        let turn = TURN.lock().await;
        let db = testing::sqlite().await.expect("a test database");
        let app = App::with_store(db.store.clone()).expect("catalog loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(annex_web::serve(
            listener,
            app.clone(),
            std::future::pending(),
        ));
        let driver = Driver::start();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--no-first-run",
                    format!("--user-data-dir={}", driver.tmp.path().join("profile").display()),
                ],
            }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let c = builder
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start through chromedriver: {e}"));
        c.set_window_size(1280, 900).await.unwrap();
        Browser {
            c,
            base,
            app,
            _db: db,
            _driver: driver,
            _turn: turn,
        }
    }

    /// Closes the browser properly; a failed test leaves that to [`Driver`]'s drop.
    async fn finish(self) {
        self.c.close().await.unwrap();
    }

    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// The path of the page shown.
    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_string()
    }

    /// Waits for an element `xpath` finds.
    async fn wait(&self, xpath: &str) -> Element {
        match self.c.wait().for_element(Locator::XPath(xpath)).await {
            Ok(e) => e,
            Err(e) => panic!(
                "waited for {xpath} ({e}); the page is {}",
                self.c.current_url().await.unwrap()
            ),
        }
    }

    /// Waits for the page whose heading is `text`.
    async fn wait_h1(&self, text: &str) -> Element {
        self.wait(&format!("//h1[normalize-space(.)={}]", lit(text)))
            .await
    }

    /// The one element `xpath` finds; none or several is a failure.
    async fn one(&self, xpath: &str) -> Element {
        let mut found = self.c.find_all(Locator::XPath(xpath)).await.unwrap();
        assert_eq!(found.len(), 1, "want exactly one {xpath}");
        found.remove(0)
    }

    async fn count(&self, xpath: &str) -> usize {
        self.c.find_all(Locator::XPath(xpath)).await.unwrap().len()
    }

    /// The control labelled `label` within `scope` (an XPath, "" for the whole page), found
    /// through its `<label for>` — as assistive technology names it — so that a label tied to
    /// nothing fails the test. A label's first words are its name; "(required)" follows.
    async fn field(&self, scope: &str, label: &str) -> Element {
        let l = self
            .one(&format!(
                "{scope}//label[normalize-space(text()[1])={}]",
                lit(label)
            ))
            .await;
        let id = l
            .attr("for")
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("label “{label}” names no control"));
        self.c
            .find(Locator::Id(&id))
            .await
            .unwrap_or_else(|_| panic!("label “{label}” names #{id}, which is not there"))
    }

    /// Types `text` into the control labelled `label`, replacing what was there.
    async fn fill(&self, scope: &str, label: &str, text: &str) {
        let f = self.field(scope, label).await;
        f.clear().await.unwrap();
        f.send_keys(text).await.unwrap();
    }

    /// The button within `scope` whose words are `text`.
    async fn button(&self, scope: &str, text: &str) -> Element {
        self.one(&format!(
            "{scope}//button[normalize-space(.)={}]",
            lit(text)
        ))
        .await
    }

    async fn text(&self, xpath: &str) -> String {
        self.one(xpath).await.text().await.unwrap()
    }

    /// The texts of a table's body rows, one string per row with cells joined by " | ".
    async fn rows(&self, table: &str) -> Vec<String> {
        let mut out = Vec::new();
        for row in self
            .c
            .find_all(Locator::XPath(&format!("{table}/tbody/tr")))
            .await
            .unwrap()
        {
            let mut cells = Vec::new();
            for cell in row.find_all(Locator::XPath("./td")).await.unwrap() {
                cells.push(cell.text().await.unwrap());
            }
            out.push(cells.join(" | "));
        }
        out
    }

    /// The error shown beside `control`: the control says it is invalid and names the error
    /// with `aria-describedby`, and the error is visible in the control's own field.
    async fn error_beside(&self, control: &Element) -> String {
        let id = control.attr("id").await.unwrap().unwrap_or_default();
        assert_eq!(
            control.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true"),
            "#{id} is not marked invalid"
        );
        let described = control
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap_or_default();
        let error_id = described
            .split_whitespace()
            .find(|d| d.ends_with("-error"))
            .unwrap_or_else(|| panic!("#{id} is not described by an error: “{described}”"));
        let error = self.c.find(Locator::Id(error_id)).await.unwrap();
        assert!(error.is_displayed().await.unwrap(), "#{error_id} is hidden");
        let same_field = self
            .c
            .execute(
                "return arguments[0].closest('.field') !== null \
                 && arguments[0].closest('.field') === arguments[1].closest('.field');",
                vec![json!(control), json!(error)],
            )
            .await
            .unwrap();
        assert_eq!(same_field, json!(true), "#{error_id} is not beside #{id}");
        error.text().await.unwrap()
    }

    /// Presses `keys` one after another on whatever has the focus, as a keyboard does.
    async fn press(&self, keys: &str) {
        let mut seq = KeyActions::new("keyboard".into());
        for k in keys.chars() {
            seq = seq
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.c.perform_actions(seq).await.unwrap();
    }

    /// What has the focus, and whether it shows: the focus ring is an outline drawn while the
    /// element (or a part of it, such as a date control's calendar button) has the focus.
    async fn focused(&self) -> Focus {
        let v = self
            .c
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e);
                 const r = e.getBoundingClientRect();
                 return { tag: e.tagName.toLowerCase(), id: e.id,
                   text: (e.innerText || '').trim(),
                   ring: e.matches(':focus-within') && s.outlineStyle !== 'none'
                     && parseFloat(s.outlineWidth) > 0,
                   on_screen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
                     && r.left < window.innerWidth };",
                vec![],
            )
            .await
            .unwrap();
        Focus {
            tag: v["tag"].as_str().unwrap_or_default().into(),
            id: v["id"].as_str().unwrap_or_default().into(),
            text: v["text"].as_str().unwrap_or_default().into(),
            ring: v["ring"] == json!(true),
            on_screen: v["on_screen"] == json!(true),
        }
    }

    /// Presses Tab until the focus is on what `want` accepts, at most `max` times, and returns
    /// every stop on the way, the last one being what was wanted. Each must show its focus
    /// ring and be on the screen.
    async fn tab_to(&self, what: &str, max: usize, want: impl Fn(&Focus) -> bool) -> Vec<Focus> {
        let mut stops = Vec::new();
        for _ in 0..max {
            self.press(&Key::Tab.to_string()).await;
            let f = self.focused().await;
            assert!(
                f.ring && f.on_screen,
                "the focus on {f:?} does not show (tabbing to {what})"
            );
            let done = want(&f);
            stops.push(f);
            if done {
                return stops;
            }
        }
        panic!("{what} not reached with {max} Tabs; the focus went to {stops:#?}");
    }

    /// Checks the page as a phone shows it: no scrolling sideways, and every control people
    /// can see has a name that assistive technology reads out.
    async fn fits_a_phone(&self, what: &str) {
        let v = self
            .c
            .execute(
                "const w = window.innerWidth;
                 // Inside a scrolling box, unless absolutely placed (then it may escape it).
                 const clipped = e => { if (getComputedStyle(e).position === 'absolute') return false;
                   for (let p = e.parentElement; p; p = p.parentElement) {
                     const o = getComputedStyle(p).overflowX;
                     if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
                   return false; };
                 const wide = [...document.body.querySelectorAll('*')]
                   .filter(e => e.getBoundingClientRect().right > w + 0.5 && !clipped(e))
                   .slice(0, 8).map(e => e.outerHTML.slice(0, 100));
                 const named = e => (e.labels && [...e.labels].some(l => l.textContent.trim()))
                   || (e.getAttribute('aria-label') || '').trim() !== ''
                   || (e.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => {
                        const l = id && document.getElementById(id);
                        return l && l.textContent.trim() !== ''; });
                 const controls = [...document.querySelectorAll('input, select, textarea')]
                   .filter(e => e.type !== 'hidden' && e.getClientRects().length > 0);
                 return { scroll_width: document.documentElement.scrollWidth, width: w,
                   wide, controls: controls.length,
                   unnamed: controls.filter(e => !named(e)).map(e => e.outerHTML) };",
                vec![],
            )
            .await
            .unwrap();
        let width = v["width"].as_u64().unwrap();
        assert!(
            width <= 400,
            "{what}: the window is {width} px wide, not a phone's"
        );
        assert!(
            v["scroll_width"].as_u64().unwrap() <= width,
            "{what} scrolls sideways on a phone ({} px in {width} px); too wide: {:#}",
            v["scroll_width"],
            v["wide"]
        );
        assert!(
            v["controls"].as_u64().unwrap() > 0,
            "{what}: no control to check, not even the search box"
        );
        assert_eq!(
            v["unnamed"],
            json!([]),
            "{what}: controls without a label on a phone"
        );
    }

    /// Logs in through the form and waits for My tasks.
    async fn log_in(&self, username: &str, password: &str) {
        self.goto("/login").await;
        self.wait_h1("Log in").await;
        self.fill("", "User name", username).await;
        self.fill("", "Password", password).await;
        self.button("", "Log in").await.click().await.unwrap();
        self.wait_h1("My tasks").await;
    }
}

#[derive(Debug)]
struct Focus {
    tag: String,
    id: String,
    text: String,
    ring: bool,
    on_screen: bool,
}

/// `s` as an XPath string literal (the tests' own words, never both kinds of quote).
fn lit(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

// ---------------------------------------------------------------------------------------------
// Records made through the app layer, for journeys that start further on

/// The first administrator, `admin` (Ada Admin), with the tests' password.
async fn admin(app: &App) -> Principal {
    accounts::setup(
        app,
        accounts::NewAccount {
            username: "admin".into(),
            display_name: "Ada Admin".into(),
            password: PASSWORD.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A document with everything it needs to be submitted for review; returns its number.
async fn document(app: &App, who: &Principal, title: &str) -> String {
    let fields = json!({
        "doc_type": "procedure",
        "summary": "How the work is done and checked.",
        "periodic_review": "2031-01-01",
        "change_description": "First issue.",
    })
    .as_object()
    .cloned()
    .unwrap();
    records::create(
        app,
        who,
        NewRecord {
            kind: "document".into(),
            title: title.into(),
            fields,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .number
}

async fn submit(app: &App, who: &Principal, number: &str, version: i64) {
    records::transition(
        app,
        who,
        number,
        Step {
            version,
            transition: "submit".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Journeys

/// A first visit to an empty Annex: nobody has an account, so it asks for the first
/// administrator, who is then logged in to My tasks. Logging out and in again works; a wrong
/// password is refused, keeping the user name typed; My tasks then shows her overdue record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_visit_sets_up_the_administrator_who_logs_in_to_my_tasks() {
    let b = Browser::start().await;
    b.goto("/").await;
    b.wait_h1("Set up Annex").await;
    assert_eq!(b.path().await, "/setup");
    b.fill("", "User name", "admin").await;
    b.fill("", "Full name", "Ada Admin").await;
    b.fill("", "Password", PASSWORD).await;
    b.fill("", "Password again", PASSWORD).await;
    b.button("", "Create the administrator and log in")
        .await
        .click()
        .await
        .unwrap();
    b.wait_h1("My tasks").await;
    assert_eq!(
        b.text("//header//*[@class='who']//strong").await,
        "Ada Admin"
    );
    assert!(
        b.text("//main")
            .await
            .contains("Nothing is waiting for you"),
        "a new administrator has no tasks"
    );

    // Something of hers falls overdue.
    let s = accounts::login(&b.app, "admin", PASSWORD).await.unwrap();
    let ada = accounts::session(&b.app, &s.token).await.unwrap();
    records::create(
        &b.app,
        &ada,
        NewRecord {
            kind: "nonconformity".into(),
            title: "Scratched housings in lot 42".into(),
            due_on: Some("2020-01-31".into()),
            fields: json!({"severity": "minor", "description": "Found at goods-in."})
                .as_object()
                .cloned()
                .unwrap(),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    b.button("//header", "Log out").await.click().await.unwrap();
    b.wait_h1("Log in").await;
    b.fill("", "User name", "admin").await;
    b.fill("", "Password", "not the password at all").await;
    b.button("", "Log in").await.click().await.unwrap();
    let alert = b.wait("//*[@role='alert']").await.text().await.unwrap();
    assert!(alert.contains("Not done"), "{alert}");
    assert_eq!(b.path().await, "/login", "still logged out");
    assert_eq!(
        b.field("", "User name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("admin"),
        "the user name is kept"
    );
    b.fill("", "Password", PASSWORD).await;
    b.button("", "Log in").await.click().await.unwrap();
    b.wait_h1("My tasks").await;
    let tasks = b.rows("//table[contains(@class,'records')]").await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert!(
        tasks[0].starts_with("NC-0001 | Scratched housings in lot 42")
            && tasks[0].contains("2020-01-31 overdue"),
        "{}",
        tasks[0]
    );
    let counts = b.text("//ul[@aria-label='Summary']").await;
    assert!(
        counts.contains("1 open") && counts.contains("1 overdue"),
        "{counts}"
    );
    b.finish().await;
}

/// Creating a document: bad values come back with each rule beside its field and nothing
/// saved; once fixed, the record page shows number, state and what the user may do, and the
/// search box in the header finds it by a word of its title.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_shows_errors_beside_fields_then_the_record_is_saved_and_found() {
    let b = Browser::start().await;
    let ada = admin(&b.app).await;
    b.log_in("admin", PASSWORD).await;
    b.c.find(Locator::LinkText("Documents"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_h1("Documents").await;
    b.c.find(Locator::LinkText("New document"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_h1("New document").await;

    // Blank (spaces satisfy the browser's own check, not Annex's) and an unknown owner.
    b.fill("", "Title", "   ").await;
    b.fill("", "Owner", "nobody-here").await;
    b.fill("", "Purpose and scope", "How torque wrenches are checked.")
        .await;
    b.button("", "Create document").await.click().await.unwrap();
    let summary = b.wait("//*[@role='alert']").await.text().await.unwrap();
    assert!(summary.contains("Title: required"), "{summary}");
    b.wait_h1("New document").await;
    let title = b.field("", "Title").await;
    assert_eq!(b.error_beside(&title).await, "required");
    let owner = b.field("", "Owner").await;
    assert!(
        b.error_beside(&owner)
            .await
            .contains("is not an active user")
    );
    assert_eq!(
        b.field("", "Purpose and scope")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("How torque wrenches are checked."),
        "what was typed is kept"
    );
    let saved = records::list(
        &b.app,
        &ada,
        ListQuery {
            kind: Some("document".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.total, 0, "nothing was created");

    b.fill("", "Title", "Calibration of torque wrenches").await;
    b.fill("", "Owner", "admin").await;
    b.field("", "Type")
        .await
        .select_by_label("Procedure")
        .await
        .unwrap();
    b.button("", "Create document").await.click().await.unwrap();
    b.wait_h1("Calibration of torque wrenches").await;
    assert_eq!(b.path().await, "/r/DOC-0001");
    assert_eq!(
        b.text("//*[@class='record-head']//*[@class='num']").await,
        "DOC-0001"
    );
    assert_eq!(
        b.text("//*[@class='record-head']//*[contains(@class,'state')]")
            .await,
        "Draft"
    );
    let actions = "//section[@aria-labelledby='actions']";
    assert_eq!(
        b.count(&format!("{actions}//a[.='Edit document']")).await,
        1
    );
    b.button(actions, "Submit for review").await;
    assert_eq!(
        b.count(&format!("{actions}//form")).await,
        1,
        "a draft offers one step, and no approval"
    );

    // The search box in the header, by keyboard: words, then Enter.
    b.field("//header", "Search records")
        .await
        .send_keys(&format!("torque{}", Key::Enter))
        .await
        .unwrap();
    b.wait_h1("Search records").await;
    assert_eq!(
        b.text("//*[@role='status']").await,
        "1 record matches “torque”."
    );
    b.c.find(Locator::LinkText("DOC-0001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_h1("Calibration of torque wrenches").await;
    b.finish().await;
}

/// Keyboard only: Tab reaches the login form's fields and button, and every form control of
/// the create form, each showing where the focus is; Enter submits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_alone_logs_in_and_submits_a_form() {
    let b = Browser::start().await;
    admin(&b.app).await;
    b.goto("/login").await;
    b.wait_h1("Log in").await;

    let skip = b.tab_to("the skip link", 1, |_| true).await;
    assert_eq!(
        skip[0].text, "Skip to content",
        "the first stop skips the menu"
    );
    b.tab_to("User name", 12, |f| f.id == "login-username")
        .await;
    b.press("admin").await;
    b.tab_to("Password", 1, |f| f.id == "login-password").await;
    b.press(PASSWORD).await;
    b.tab_to("the Log in button", 1, |f| {
        f.tag == "button" && f.text == "Log in"
    })
    .await;
    b.press(&Key::Enter.to_string()).await;
    b.wait_h1("My tasks").await;

    // Past the menu by the skip link, as keyboard users do: the menu names every register.
    b.tab_to("the skip link", 1, |f| f.text == "Skip to content")
        .await;
    b.press(&Key::Enter.to_string()).await;
    b.tab_to("New document", 30, |f| {
        f.tag == "a" && f.text == "New document"
    })
    .await;
    b.press(&Key::Enter.to_string()).await;
    b.wait_h1("New document").await;
    b.tab_to("the skip link", 1, |f| f.text == "Skip to content")
        .await;
    b.press(&Key::Enter.to_string()).await;
    b.tab_to("Title", 20, |f| f.id == "f-title").await;
    b.press("Keyboard-only procedure").await;
    // On to the button, through every other control of the form in order.
    let stops = b
        .tab_to("the Create button", 20, |f| {
            f.tag == "button" && f.text == "Create document"
        })
        .await;
    // A date control takes several stops (day, month, year, calendar); count it once.
    let mut passed: Vec<&str> = stops[..stops.len() - 1]
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    passed.dedup();
    let controls =
        b.c.execute(
            "return [...document.querySelectorAll('main form input:not([type=hidden]), \
             main form select, main form textarea')].map(e => e.id).slice(1);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        json!(passed),
        controls,
        "every control is reached, in order"
    );
    b.press(&Key::Enter.to_string()).await;
    b.wait_h1("Keyboard-only procedure").await;
    assert_eq!(b.path().await, "/r/DOC-0001");
    b.finish().await;
}

/// A register with more documents than a page holds: filter by state, sort by title, and
/// page on with the next link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_by_state_sorts_and_pages() {
    let b = Browser::start().await;
    let ada = admin(&b.app).await;
    // Created out of title order, so that "recently changed first" and "title" differ.
    for i in 0..30 {
        let n = (i * 7) % 30 + 1;
        let number = document(&b.app, &ada, &format!("Procedure {n:02}")).await;
        if n % 10 == 3 {
            submit(&b.app, &ada, &number, 1).await;
        }
    }
    b.log_in("admin", PASSWORD).await;
    b.goto("/records/document").await;
    b.wait_h1("Documents").await;
    assert_eq!(b.text("//*[@role='status']").await, "30 records match.");
    let table = "//table[contains(@class,'records')]";
    assert_eq!(b.rows(table).await.len(), 30, "50 a page by default");

    b.one("//summary[.='Filter and sort']")
        .await
        .click()
        .await
        .unwrap();
    b.field("", "Order")
        .await
        .select_by_label("Title, A to Z")
        .await
        .unwrap();
    b.field("", "Per page")
        .await
        .select_by_label("25")
        .await
        .unwrap();
    b.button("", "Apply").await.click().await.unwrap();
    b.wait("//a[.='Next page']").await;
    let titles = |rows: Vec<String>| -> Vec<String> {
        rows.iter()
            .map(|r| r.split(" | ").nth(1).unwrap_or_default().to_string())
            .collect()
    };
    let first = titles(b.rows(table).await);
    let want: Vec<String> = (1..=25).map(|n| format!("Procedure {n:02}")).collect();
    assert_eq!(first, want);

    b.c.find(Locator::LinkText("Next page"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait("//a[.='First page']").await;
    let second = titles(b.rows(table).await);
    let want: Vec<String> = (26..=30).map(|n| format!("Procedure {n:02}")).collect();
    assert_eq!(second, want);
    assert_eq!(b.count("//a[.='Next page']").await, 0, "the last page");

    b.one("//summary[.='Filter and sort']")
        .await
        .click()
        .await
        .unwrap();
    b.field("", "In review").await.click().await.unwrap();
    b.button("", "Apply").await.click().await.unwrap();
    b.wait("//*[@role='status'][.='3 records match.']").await;
    let rows = b.rows(table).await;
    assert_eq!(
        titles(rows.clone()),
        ["Procedure 03", "Procedure 13", "Procedure 23"],
        "still by title"
    );
    assert!(rows.iter().all(|r| r.contains("In review")), "{rows:?}");
    b.finish().await;
}

/// An electronic signature from the record page: the signer types the password again, a
/// wrong one is refused beside the field, and the signature then shows its printed name and
/// meaning (21 CFR 11.50, 11.200).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_signs_with_the_password_and_the_signature_is_shown() {
    let b = Browser::start().await;
    let ada = admin(&b.app).await;
    let number = document(&b.app, &ada, "Incoming inspection").await;
    submit(&b.app, &ada, &number, 1).await;
    b.log_in("admin", PASSWORD).await;
    b.goto(&format!("/r/{number}")).await;
    b.wait_h1("Incoming inspection").await;
    assert!(
        b.text("//section[@aria-labelledby='signatures']")
            .await
            .contains("No electronic signatures yet")
    );

    let form = "//form[@id='sign-reviewed']";
    b.fill(form, "Your password", "not my password").await;
    b.button(form, "Sign as reviewed")
        .await
        .click()
        .await
        .unwrap();
    b.wait(&format!("{form}//*[@role='alert']")).await;
    let password = b.field(form, "Your password").await;
    let error = b.error_beside(&password).await;
    assert!(error.contains("password"), "{error}");
    assert_eq!(
        password.prop("value").await.unwrap().as_deref(),
        Some(""),
        "a password is never sent back"
    );
    assert!(
        b.text("//section[@aria-labelledby='signatures']")
            .await
            .contains("No electronic signatures yet"),
        "nothing was signed"
    );

    password.send_keys(PASSWORD).await.unwrap();
    b.button(form, "Sign as reviewed")
        .await
        .click()
        .await
        .unwrap();
    let table = "//section[@aria-labelledby='signatures']//table";
    b.wait(table).await;
    let rows = b.rows(table).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let cells: Vec<&str> = rows[0].split(" | ").collect();
    assert_eq!(cells[0], "Ada Admin (admin)", "printed name");
    assert_eq!(cells[1], "Reviewed", "meaning");
    assert!(
        cells[3].starts_with("2 "),
        "the version signed: {}",
        cells[3]
    );
    assert_eq!(cells[4], "valid ✓");
    b.finish().await;
}

/// On a phone (390 × 844 CSS pixels): the pages a user goes through fit the width and every
/// control they see is labelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_phone_and_label_every_control() {
    let b = Browser::start().await;
    let ada = admin(&b.app).await;
    // A record with something in every part of its page, and a title as file names go: one
    // long word.
    let number = document(
        &b.app,
        &ada,
        "SOP_QA_017_Calibration_of_torque_wrenches_rev3",
    )
    .await;
    records::comment(
        &b.app,
        &ada,
        &number,
        "Checked against https://calibration.example/certificates/2026/TW_000123456789_certificate.pdf",
    )
    .await
    .unwrap();
    records::attach(
        &b.app,
        &ada,
        &number,
        Upload {
            name: "torque_wrench_calibration_certificate_2026_TW_000123456789.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 not really".to_vec(),
        },
    )
    .await
    .unwrap();
    submit(&b.app, &ada, &number, 1).await;
    records::sign(
        &b.app,
        &ada,
        &number,
        Signing {
            version: 2,
            meaning: "reviewed".into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let draft = document(&b.app, &ada, "Handling of customer property").await;

    b.c.set_window_size(390, 844).await.unwrap();
    b.goto("/login").await;
    b.wait_h1("Log in").await;
    b.fits_a_phone("the login page").await;
    b.log_in("admin", PASSWORD).await;
    b.fits_a_phone("My tasks").await;

    b.goto("/records/document").await;
    b.wait_h1("Documents").await;
    b.one("//summary[.='Filter and sort']")
        .await
        .click()
        .await
        .unwrap();
    b.fits_a_phone("the document list with its filters open")
        .await;

    b.goto("/records/document/new").await;
    b.wait_h1("New document").await;
    b.fits_a_phone("the new document form").await;
    // The browser's own check stops an empty title; spaces reach Annex's.
    b.fill("", "Title", " ").await;
    b.button("", "Create document").await.click().await.unwrap();
    b.wait("//*[@role='alert']").await;
    b.fits_a_phone("the new document form with its errors")
        .await;

    b.goto(&format!("/r/{number}")).await;
    b.wait_h1("SOP_QA_017_Calibration_of_torque_wrenches_rev3")
        .await;
    for summary in
        b.c.find_all(Locator::XPath("//details/summary"))
            .await
            .unwrap()
    {
        summary.click().await.unwrap();
    }
    b.fits_a_phone("a record page with its versions and values open")
        .await;

    b.goto(&format!("/r/{draft}/edit")).await;
    b.wait_h1(&format!("Edit {draft}")).await;
    b.fits_a_phone("the edit form").await;

    b.goto("/search?q=torque").await;
    b.wait_h1("Search records").await;
    b.fits_a_phone("search results").await;

    // The administrator's pages: the audit trail and the users.
    b.goto("/admin/audit-trail").await;
    b.wait_h1("Audit trail").await;
    b.fits_a_phone("the audit trail").await;
    b.goto("/admin/users").await;
    b.wait_h1("Users").await;
    b.fits_a_phone("the users page").await;
    b.finish().await;
}
