//! The records kernel as people meet it in a browser: set-up, login, the forms and pages, each
//! test a story of what a user does and what the page then says. Forms are posted the way a
//! browser posts them (urlencoded, the CSRF token in a hidden field), on SQLite and, when
//! `ANNEX_TEST_DATABASE_URL` is set, PostgreSQL.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use super::support::{Client, PASSWORD, Resp, TestApp};

fn location(r: &Resp) -> String {
    r.headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no Location ({}): {}", r.status, r.text()))
}

/// Asserts a Post/Redirect/Get answer to `to`.
fn redirects(r: &Resp, to: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(r), to);
}

/// The session cookie a response sets, as a browser sends it back.
fn cookie_of(r: &Resp) -> String {
    let set = r
        .headers
        .get(header::SET_COOKIE)
        .unwrap_or_else(|| panic!("no cookie set: {}", r.text()))
        .to_str()
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

/// The CSRF token a page's forms carry.
fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF field")
        + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The version a record page's forms say they were read at.
fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let at = html.find(marker).expect("a form with a version") + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The error shown beside the control with id `id`, which must point at it with
/// `aria-describedby`.
fn error_beside(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}-error\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error beside {id}: {html}"))
        + marker.len();
    let control = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no control {id}"));
    let tag_end = control + html[control..].find('>').unwrap();
    assert!(
        html[control..tag_end].contains(&format!("{id}-error")),
        "{id} is not described by its error: {}",
        &html[control..tag_end]
    );
    html[at..].split("</p>").next().unwrap().to_string()
}

/// Posts one file as a browser's multipart form does, without the CSRF header.
async fn upload(app: &TestApp, client: &Client, path: &str, name: &str, content: &str) -> Resp {
    let boundary = "annexTestBoundary7";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    let no_header = Client {
        csrf: None,
        ..client.clone()
    };
    app.call(
        &no_header,
        Method::POST,
        path,
        Some(&format!("multipart/form-data; boundary={boundary}")),
        body.into_bytes(),
    )
    .await
}

/// A document with everything it needs to be submitted for review, created by `client`.
async fn document(app: &TestApp, client: &Client, title: &str) -> String {
    let r = app
        .create(
            client,
            json!({
                "kind": "document",
                "title": title,
                "fields": {
                    "summary": "How incoming goods are checked.",
                    "periodic_review": "2030-01-01",
                    "change_description": "First issue.",
                },
            }),
        )
        .await;
    r["number"].as_str().unwrap().to_string()
}

/// The number's page, as `client` sees it.
async fn page(app: &TestApp, client: &Client, number: &str) -> String {
    let r = app.get(client, &format!("/r/{number}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

/// A document submitted by carol (contributor) and signed as reviewed by dave (contributor),
/// ready for a manager to approve.
struct Review {
    number: String,
    carol: Client,
    manager: Client,
    admin: Client,
}

async fn reviewed(app: &TestApp) -> Review {
    let admin = app.admin().await;
    let carol = app.user(&admin, "carol", "contributor").await;
    let dave = app.user(&admin, "dave", "contributor").await;
    let manager = app.user(&admin, "manny", "manager").await;
    let number = document(app, &carol, "Incoming inspection").await;
    let r = app
        .form(
            &carol,
            &format!("/r/{number}/transition"),
            &[("version", "1"), ("transition", "submit")],
        )
        .await;
    redirects(&r, &format!("/r/{number}"));
    let r = app
        .form(
            &dave,
            &format!("/r/{number}/sign"),
            &[
                ("version", "2"),
                ("meaning", "reviewed"),
                ("password", PASSWORD),
            ],
        )
        .await;
    redirects(&r, &format!("/r/{number}"));
    Review {
        number,
        carol,
        manager,
        admin,
    }
}

#[tokio::test]
async fn the_first_administrator_is_set_up_once_then_set_up_is_refused() {
    for app in TestApp::each().await {
        let anyone = Client::default();
        redirects(&app.get(&anyone, "/login").await, "/setup");
        redirects(&app.get(&anyone, "/").await, "/setup");
        let form = app.get(&anyone, "/setup").await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        assert!(html.contains("<label for=\"setup-display-name\">Full name"));
        assert!(html.contains("Printed beside your electronic signatures"));

        let mut fields = vec![
            ("username", "ada"),
            ("display_name", "Ada Lovelace"),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("password_again", "something else entirely"),
        ];
        let r = app.form(&anyone, "/setup", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend()
        );
        assert!(error_beside(&r.text(), "setup-password-again").contains("does not match"));
        assert!(
            r.text().contains("value=\"Ada Lovelace\""),
            "what was typed is kept"
        );
        assert!(
            !r.text().contains(PASSWORD),
            "passwords are never sent back"
        );

        fields[4].1 = PASSWORD;
        let r = app.form(&anyone, "/setup", &fields).await;
        redirects(&r, "/");
        let ada = Client {
            cookie: Some(cookie_of(&r)),
            ..Client::default()
        };
        let home = app.get(&ada, "/").await;
        assert!(home.text().contains("My tasks"));
        assert!(home.text().contains("Ada Lovelace"));
        assert!(home.text().contains("Administrator"));

        redirects(&app.get(&anyone, "/setup").await, "/login");
        let again = app.form(&anyone, "/setup", &fields).await;
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        assert!(again.text().contains("already set up"));
    }
}

#[tokio::test]
async fn logging_in_shows_a_wrong_password_and_follows_only_local_next_paths() {
    for app in TestApp::each().await {
        app.admin().await;
        let anyone = Client::default();
        let form = app.get(&anyone, "/login?next=/records/document").await;
        assert!(
            form.text()
                .contains("name=\"next\" value=\"/records/document\"")
        );

        let r = app
            .form(
                &anyone,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", "not my password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("wrong user name or password"));
        assert!(
            r.text().contains("value=\"admin\""),
            "the user name is kept"
        );
        assert!(r.headers.get(header::SET_COOKIE).is_none());

        let r = app
            .form(
                &anyone,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("next", "/records/document"),
                ],
            )
            .await;
        redirects(&r, "/records/document");
        let cookie = cookie_of(&r);
        assert!(cookie.starts_with("annex_session="));

        let r = app
            .form(
                &anyone,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("next", "//evil.example"),
                ],
            )
            .await;
        redirects(&r, "/");

        // Guessing is cut short: after five failures the form says to wait.
        for _ in 0..5 {
            let r = app
                .form(
                    &anyone,
                    "/login",
                    &[("username", "admin"), ("password", "guess")],
                )
                .await;
            assert_ne!(r.status, StatusCode::SEE_OTHER);
        }
        let r = app
            .form(
                &anyone,
                "/login",
                &[("username", "admin"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", app.backend());
        assert!(r.text().contains("too many failed logins"));
        let wait: u64 = r.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
    }
}

#[tokio::test]
async fn pages_send_strangers_to_login_and_keep_the_catalog_public() {
    for app in TestApp::each().await {
        app.admin().await;
        let anyone = Client::default();
        redirects(&app.get(&anyone, "/").await, "/login");
        redirects(
            &app.get(&anyone, "/records/document").await,
            "/login?next=%2Frecords%2Fdocument",
        );
        redirects(
            &app.get(&anyone, "/r/DOC-0001").await,
            "/login?next=%2Fr%2FDOC-0001",
        );
        redirects(
            &app.get(&anyone, "/admin/audit-trail").await,
            "/login?next=%2Fadmin%2Faudit-trail",
        );
        // A form posted after the session ended comes back to the page it was on.
        let r = app
            .send(
                axum::http::Request::post("/r/DOC-0001/comment")
                    .header(header::HOST, "annex.example")
                    .header(header::REFERER, "https://annex.example/r/DOC-0001")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from("body=hello"))
                    .unwrap(),
            )
            .await;
        redirects(&r, "/login?next=%2Fr%2FDOC-0001");
        let catalog = app.get(&anyone, "/standards").await;
        assert_eq!(catalog.status, StatusCode::OK);
        assert!(catalog.text().contains("href=\"/login\""));
        assert!(!catalog.text().contains("Log out"));
    }
}

#[tokio::test]
async fn the_header_shows_who_is_logged_in_and_only_the_links_their_role_allows() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol", "contributor").await;
        let html = app.get(&carol, "/standards").await.text();
        assert!(html.contains("carol contributor"));
        assert!(html.contains("Contributor"));
        assert!(html.contains("href=\"/records/nonconformity\">Nonconformities"));
        assert!(html.contains("action=\"/logout\""));
        assert!(!html.contains("href=\"/admin/audit-trail\""));
        assert!(!html.contains("href=\"/admin/users\""));
        let html = app.get(&admin, "/").await.text();
        assert!(html.contains("href=\"/admin/audit-trail\""));
        assert!(html.contains("href=\"/admin/users\""));
        // An error page keeps the header of the user who asked.
        let missing = app.get(&carol, "/r/DOC-0404").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.text().contains("record DOC-0404 not found"));
        assert!(missing.text().contains("carol contributor"));
    }
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let r = app.form(&admin, "/logout", &[]).await;
        redirects(&r, "/login");
        assert!(
            r.headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        redirects(&app.get(&admin, "/").await, "/login");
    }
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let number = document(&app, &admin, "Calibration procedure").await;
        let path = format!("/r/{number}/comment");
        let no_token = Client {
            csrf: None,
            ..admin.clone()
        };
        let r = app.form(&no_token, &path, &[("body", "Looks fine")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", app.backend());
        assert!(r.text().contains("CSRF token is missing"));
        let wrong = Client {
            csrf: Some("0".repeat(64)),
            ..admin.clone()
        };
        let r = app.form(&wrong, &path, &[("body", "Looks fine")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(page(&app, &admin, &number).await.contains("No comments."));
        // The token the page itself carries is the one that works.
        let html = page(&app, &admin, &number).await;
        assert_eq!(Some(csrf_in(&html)), admin.csrf);
        redirects(
            &app.form(&admin, &path, &[("body", "Looks fine")]).await,
            &format!("/r/{number}"),
        );
        assert!(page(&app, &admin, &number).await.contains("Looks fine"));
    }
}

#[tokio::test]
async fn a_document_created_through_the_form_lands_on_its_page() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol", "contributor").await;
        let list = app.get(&carol, "/records/document").await.text();
        assert!(
            list.contains("href=\"/records/document/new\""),
            "contributors may create"
        );

        let form = app.get(&carol, "/records/document/new").await.text();
        assert!(form.contains("<label for=\"f-fields-summary\">Purpose and scope"));
        assert!(form.contains("<textarea id=\"f-fields-summary\" name=\"fields.summary\""));
        assert!(form.contains("<select id=\"f-fields-doc-type\" name=\"fields.doc_type\""));
        assert!(form.contains("type=\"date\" id=\"f-fields-periodic-review\""));
        assert!(
            form.contains("value=\"carol\""),
            "the owner is me unless I say otherwise"
        );
        assert!(
            !form.contains("fields.revision"),
            "system fields are the workflow's"
        );

        let r = app
            .form(
                &carol,
                "/records/document/new",
                &[
                    ("title", "Supplier evaluation"),
                    ("owner", "carol"),
                    ("site", ""),
                    ("due_on", "2030-06-30"),
                    ("fields.doc_type", "procedure"),
                    ("fields.summary", "How suppliers are chosen and rated."),
                    ("fields.body", ""),
                    ("fields.periodic_review", "2031-01-01"),
                ],
            )
            .await;
        redirects(&r, "/r/DOC-0001");
        let html = page(&app, &carol, "DOC-0001").await;
        assert!(html.contains("DOC-0001"));
        assert!(html.contains("Supplier evaluation"));
        assert!(html.contains(">Draft<"));
        assert!(html.contains("Procedure"), "a choice is shown by its label");
        assert!(html.contains("How suppliers are chosen and rated."));
        assert!(html.contains("carol contributor"));
    }
}

#[tokio::test]
async fn a_bad_value_shows_the_form_again_with_the_rule_beside_the_field() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let r = app
            .form(
                &admin,
                "/records/nonconformity/new",
                &[
                    ("title", "Scratched housings in lot 42"),
                    ("owner", "nobody-here"),
                    ("due_on", "2026-02-30"),
                    ("fields.severity", ""),
                    ("fields.description", "Found at goods-in."),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend()
        );
        let html = r.text();
        assert_eq!(error_beside(&html, "f-fields-severity"), "required");
        assert!(error_beside(&html, "f-due-on").contains("must be a date"));
        assert!(error_beside(&html, "f-owner").contains("is not an active user"));
        assert!(
            html.contains("value=\"Scratched housings in lot 42\""),
            "typed title kept"
        );
        assert!(html.contains("Found at goods-in."));
        assert!(
            html.contains("href=\"#f-fields-severity\""),
            "the summary links the field"
        );
        // Nothing was created.
        let list = app.get(&admin, "/records/nonconformity").await.text();
        assert!(list.contains("0 records match"));
    }
}

#[tokio::test]
async fn the_record_page_offers_only_what_the_role_may_do() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol", "contributor").await;
        let rita = app.user(&admin, "rita", "reader").await;
        let number = document(&app, &carol, "Work instruction W-7").await;

        let mine = page(&app, &carol, &number).await;
        assert!(mine.contains(&format!("href=\"/r/{number}/edit\"")));
        assert!(mine.contains("Submit for review"));

        let read_only = page(&app, &rita, &number).await;
        assert!(
            !read_only.contains(&format!("/r/{number}/edit")),
            "no edit link"
        );
        assert!(!read_only.contains("Submit for review"), "no submit button");
        assert!(
            !read_only.contains("action=\"/r/DOC-0001/attachments"),
            "readers attach nothing"
        );
        assert!(read_only.contains("Add comment"), "readers may comment");
        assert!(
            !read_only.contains("Audit timeline"),
            "readers do not see the audit trail"
        );
        let edit = app.get(&rita, &format!("/r/{number}/edit")).await;
        assert_eq!(edit.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_manager_approves_with_a_password_and_the_signature_is_shown() {
    for app in TestApp::each().await {
        let Review {
            number,
            manager,
            carol,
            ..
        } = reviewed(&app).await;
        let html = page(&app, &manager, &number).await;
        assert!(html.contains(">In review<"));
        assert!(html.contains("<h3 id=\"step-approve-title\">Approve</h3>"));
        assert!(html.contains("type=\"password\" id=\"step-approve-password\""));
        assert!(html.contains("applies your electronic signature, meaning “Approved”"));
        assert!(
            !page(&app, &carol, &number).await.contains("step-approve"),
            "contributors may not approve"
        );

        // Signing as reviewed made no new version: the form still says version 2.
        let version = version_in(&html);
        assert_eq!(version, "2");
        let r = app
            .form(
                &manager,
                &format!("/r/{number}/transition"),
                &[
                    ("version", &version),
                    ("transition", "approve"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        redirects(&r, &format!("/r/{number}"));
        let html = page(&app, &carol, &number).await;
        assert!(html.contains(">Approved<"));
        let signatures =
            &html[html.find("id=\"signatures\"").unwrap()..html.find("id=\"links\"").unwrap()];
        assert!(signatures.contains("dave contributor"), "{signatures}");
        assert!(signatures.contains("Reviewed"));
        assert!(signatures.contains("manny manager"));
        assert!(signatures.contains("<td>Approved</td>"));
        assert!(signatures.contains("valid ✓"));
        assert!(!signatures.contains("INVALID"));
        assert!(
            signatures.contains("earlier version"),
            "signatures bind to the version signed"
        );
        assert!(
            html.contains("<strong>Version 3</strong>"),
            "the history shows the approval"
        );
    }
}

#[tokio::test]
async fn a_step_with_the_wrong_password_is_refused_and_changes_nothing() {
    for app in TestApp::each().await {
        let Review {
            number,
            manager,
            admin,
            ..
        } = reviewed(&app).await;
        let r = app
            .form(
                &manager,
                &format!("/r/{number}/transition"),
                &[
                    ("version", "2"),
                    ("transition", "approve"),
                    ("password", "a wrong password"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend()
        );
        let html = r.text();
        assert!(error_beside(&html, "step-approve-password").contains("does not match"));
        assert!(!html.contains("a wrong password"));
        assert!(html.contains(">In review<"));
        let again = page(&app, &manager, &number).await;
        assert!(again.contains(">In review<"), "still in review");
        assert!(!again.contains("<td>Approved</td>"));

        // Someone else approves first; the same step posted from the old page is a conflict,
        // said at the top since the step's form is gone.
        redirects(
            &app.form(
                &admin,
                &format!("/r/{number}/transition"),
                &[
                    ("version", "2"),
                    ("transition", "approve"),
                    ("password", PASSWORD),
                ],
            )
            .await,
            &format!("/r/{number}"),
        );
        let r = app
            .form(
                &manager,
                &format!("/r/{number}/transition"),
                &[
                    ("version", "2"),
                    ("transition", "approve"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let html = r.text();
        assert!(!html.contains("id=\"step-approve\""));
        let top = &html[..html.find("id=\"fields\"").unwrap()];
        assert!(
            top.contains("Nothing was done: someone else changed this record"),
            "{top}"
        );
        assert!(top.contains("it is now at version 3"), "{top}");
        assert!(top.contains("State"), "{top}");
    }
}

#[tokio::test]
async fn a_reason_is_asked_for_where_the_workflow_needs_one() {
    for app in TestApp::each().await {
        let Review { number, carol, .. } = reviewed(&app).await;
        let r = app
            .form(
                &carol,
                &format!("/r/{number}/transition"),
                &[("version", "2"), ("transition", "reject"), ("reason", "  ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&r.text(), "step-reject-reason").contains("required"));
        let r = app
            .form(
                &carol,
                &format!("/r/{number}/transition"),
                &[
                    ("version", "2"),
                    ("transition", "reject"),
                    ("reason", "Scope is wrong"),
                ],
            )
            .await;
        redirects(&r, &format!("/r/{number}"));
        let html = page(&app, &carol, &number).await;
        assert!(html.contains(">Draft<"));
    }
}

#[tokio::test]
async fn an_effective_document_is_acknowledged_by_its_readers() {
    for app in TestApp::each().await {
        let Review {
            number,
            manager,
            admin,
            ..
        } = reviewed(&app).await;
        let path = format!("/r/{number}/transition");
        redirects(
            &app.form(
                &manager,
                &path,
                &[
                    ("version", "2"),
                    ("transition", "approve"),
                    ("password", PASSWORD),
                ],
            )
            .await,
            &format!("/r/{number}"),
        );
        redirects(
            &app.form(
                &manager,
                &path,
                &[("version", "3"), ("transition", "make_effective")],
            )
            .await,
            &format!("/r/{number}"),
        );
        let rita = app.user(&admin, "rita", "reader").await;
        let html = page(&app, &rita, &number).await;
        assert!(html.contains(">Effective<"));
        assert!(html.contains("I have read this document"));
        redirects(
            &app.form(&rita, &format!("/r/{number}/acknowledge"), &[])
                .await,
            &format!("/r/{number}"),
        );
        let html = page(&app, &rita, &number).await;
        assert!(html.contains("You have acknowledged the revision in effect."));
        assert!(html.contains("rita reader</li>") || html.contains("rita reader read revision 1"));
    }
}

#[tokio::test]
async fn editing_keeps_every_version_and_a_stale_form_is_a_conflict() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol", "contributor").await;
        let number = document(&app, &carol, "Control of records").await;
        let form = app.get(&carol, &format!("/r/{number}/edit")).await.text();
        assert!(form.contains("name=\"version\" value=\"1\""));
        assert!(form.contains("value=\"Control of records\""));
        assert!(form.contains("How incoming goods are checked."));

        let fields = [
            ("version", "1"),
            ("title", "Control of documented information"),
            ("owner", "carol"),
            ("site", ""),
            ("due_on", ""),
            ("fields.summary", "How incoming goods are checked."),
            ("fields.periodic_review", "2030-01-01"),
            ("fields.change_description", "First issue."),
            ("reason", "Wording of ISO 9001:2015"),
        ];
        let r = app
            .form(&carol, &format!("/r/{number}/edit"), &fields)
            .await;
        redirects(&r, &format!("/r/{number}"));
        let html = page(&app, &carol, &number).await;
        assert!(html.contains("Control of documented information"));
        assert!(html.contains("<strong>Version 2</strong>"));
        assert!(html.contains("changed: Title"));

        // The same form again, still saying version 1: someone (carol herself) changed it since.
        let mut stale = fields;
        stale[1].1 = "Records control";
        let r = app.form(&carol, &format!("/r/{number}/edit"), &stale).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", app.backend());
        let html = r.text();
        assert!(html.contains("someone else changed this record"));
        assert!(html.contains("<dt>Title</dt><dd>Control of documented information</dd>"));
        assert!(html.contains(&format!("href=\"/r/{number}/edit\">reload the form")));
        assert!(
            html.contains("value=\"Records control\""),
            "what was typed is kept"
        );
        assert!(
            page(&app, &carol, &number)
                .await
                .contains("Control of documented information")
        );
    }
}

#[tokio::test]
async fn the_list_filters_by_state_and_pages_with_a_cursor() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        for title in ["Alpha procedure", "Beta procedure", "Gamma procedure"] {
            document(&app, &admin, title).await;
        }
        redirects(
            &app.form(
                &admin,
                "/r/DOC-0002/transition",
                &[("version", "1"), ("transition", "submit")],
            )
            .await,
            "/r/DOC-0002",
        );
        let html = app
            .get(&admin, "/records/document?state=in_review")
            .await
            .text();
        assert!(html.contains("1 record matches"));
        assert!(html.contains("Beta procedure"));
        assert!(!html.contains("Alpha procedure"));
        assert!(html.contains("name=\"state\" value=\"in_review\" checked"));

        let first = app
            .get(&admin, "/records/document?sort=title&limit=2")
            .await
            .text();
        assert!(first.contains("3 records match"));
        assert!(first.contains("Alpha procedure") && first.contains("Beta procedure"));
        assert!(!first.contains("Gamma procedure"));
        let at = first.find("rel=\"next\"").expect("a next page link");
        let href_start = first[..at].rfind("href=\"").unwrap() + 6;
        let href = first[href_start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&");
        assert!(
            href.contains("sort=title") && href.contains("limit=2") && href.contains("cursor="),
            "{href}"
        );
        let second = app.get(&admin, &href).await.text();
        assert!(second.contains("Gamma procedure"));
        assert!(!second.contains("Alpha procedure"), "{href}\n{second}");
        assert!(
            !second.contains("rel=\"next\""),
            "the last page has no next"
        );
        assert!(second.contains(">First page</a>"));

        let bad = app.get(&admin, "/records/document?due_before=soon").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&bad.text(), "filter-due-before").contains("must be a date"));
        assert_eq!(
            app.get(&admin, "/records/widget").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn search_finds_a_record_by_a_word_of_its_title() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        document(&app, &admin, "Calibration of torque wrenches").await;
        document(&app, &admin, "Handling of customer property").await;
        let html = app.get(&admin, "/search?q=torque").await.text();
        assert!(html.contains("1 record matches"), "{}", app.backend());
        assert!(html.contains("href=\"/r/DOC-0001\""));
        assert!(!html.contains("customer property"));
        assert!(html.contains("href=\"/standards?q=torque\""));
        assert!(
            app.get(&admin, "/")
                .await
                .text()
                .contains("action=\"/search\""),
            "search box in the header"
        );
    }
}

#[tokio::test]
async fn home_lists_my_open_tasks_soonest_first_with_overdue_ones_marked() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol", "contributor").await;
        let today = annex_app::clock::today();
        for (title, due, owner) in [
            ("Late review", "2020-01-01", "carol"),
            ("Due today", today.as_str(), "carol"),
            ("Far away", "2999-01-01", "carol"),
            ("Someone else's", "2020-01-01", "admin"),
        ] {
            app.create(
                &carol,
                json!({"kind": "document", "title": title, "due_on": due, "owner": owner}),
            )
            .await;
        }
        let html = app.get(&carol, "/").await.text();
        assert!(html.contains("<strong>3</strong> open"), "{html}");
        assert!(html.contains("<strong>1</strong> overdue"));
        assert!(html.contains("<strong>1</strong> due today"));
        assert!(html.contains("<strong>0</strong> due in the next 7 days"));
        assert!(!html.contains("Someone else"));
        let late = html.find("Late review").unwrap();
        let now = html.find("Due today").unwrap();
        let far = html.find("Far away").unwrap();
        assert!(late < now && now < far, "soonest due first");
        assert!(html.contains("class=\"overdue\""));
        assert!(html.contains("href=\"/records/document/new\""));
    }
}

#[tokio::test]
async fn comments_links_and_attachments_are_added_from_the_record_page() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let number = document(&app, &admin, "Internal audit programme").await;
        let other = document(&app, &admin, "Audit checklist").await;
        let base = format!("/r/{number}");

        let r = app
            .form(
                &admin,
                &format!("{base}/link"),
                &[("target", "iso9001:2015/9.2"), ("relation", "")],
            )
            .await;
        redirects(&r, &base);
        let r = app
            .form(
                &admin,
                &format!("{base}/link"),
                &[("target", &other), ("relation", "references")],
            )
            .await;
        redirects(&r, &base);
        let r = app
            .form(
                &admin,
                &format!("{base}/link"),
                &[("target", "NC-9999"), ("relation", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&r.text(), "link-target").contains("no record numbered"));
        assert!(r.text().contains("value=\"NC-9999\""));

        let r = app
            .form(&admin, &format!("{base}/comment"), &[("body", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&r.text(), "comment-body").contains("1 to 10000 characters"));

        // A browser's multipart upload; the CSRF token rides in the action URL.
        let csrf = admin.csrf.clone().unwrap();
        let refused = upload(
            &app,
            &admin,
            &format!("{base}/attachments"),
            "plan.txt",
            "audit plan",
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "no token, no upload");
        let path = format!("{base}/attachments?csrf={csrf}");
        let r = upload(&app, &admin, &path, "plan.txt", "audit plan").await;
        redirects(&r, &base);
        let r = upload(&app, &admin, &path, "empty.txt", "").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&r.text(), "attach-file").contains("the file is empty"));
        let big = "x".repeat(65 * 1024);
        let r = upload(&app, &admin, &path, "big.txt", &big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(error_beside(&r.text(), "attach-file").contains("larger than the limit"));

        let html = page(&app, &admin, &number).await;
        assert!(html.contains("ISO 9001:2015 9.2"), "clause title shown");
        assert!(html.contains("href=\"/standards/iso9001:2015#c-9.2\""));
        assert!(html.contains(&format!("href=\"/r/{other}\"")));
        assert!(html.contains("This record references"));
        assert!(html.contains(">plan.txt</a>"));
        assert!(!html.contains("empty.txt") && !html.contains("big.txt"));
        let at = html.find("/api/v1/attachments/").unwrap() + 20;
        let id: String = html[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let file = app.get(&admin, &format!("/api/v1/attachments/{id}")).await;
        assert_eq!(
            file.status,
            StatusCode::OK,
            "the download accepts the session cookie"
        );
        assert_eq!(file.body, b"audit plan");
        let sha = file.headers["x-content-sha256"].to_str().unwrap();
        assert!(html.contains(&format!("<code class=\"hash\">{sha}</code>")));
        // Reloading the URL a form was posted to goes back to the record.
        redirects(&app.get(&admin, &format!("{base}/link")).await, &base);
        // The other record shows the link coming in.
        assert!(
            page(&app, &admin, &other)
                .await
                .contains(&format!("href=\"/r/{number}\""))
        );
    }
}

#[tokio::test]
async fn the_audit_trail_page_lists_events_and_verifies_the_chain() {
    for app in TestApp::each().await {
        let Review {
            number,
            manager,
            carol,
            admin,
        } = reviewed(&app).await;
        let html = app.get(&admin, "/admin/audit-trail").await.text();
        assert!(html.contains("record.create"));
        assert!(html.contains("signature.apply"));
        assert!(html.contains(&format!("href=\"/r/{number}\"")));
        assert!(html.contains("Verify the chain"));

        let html = app
            .get(&admin, "/admin/audit-trail?action=login&actor=dave")
            .await
            .text();
        assert!(html.contains("user:dave"));
        assert!(!html.contains("record.create"));

        let r = app.form(&admin, "/admin/audit-trail/verify", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.text().contains("The chain is intact."),
            "{}",
            app.backend()
        );

        // Managers read the trail, and see it on the record page, but do not verify it.
        let html = app.get(&manager, "/admin/audit-trail").await.text();
        assert!(html.contains("record.create"));
        assert!(!html.contains("Verify the chain"));
        assert!(
            page(&app, &manager, &number)
                .await
                .contains("Audit timeline")
        );
        let r = app.form(&manager, "/admin/audit-trail/verify", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.get(&carol, "/admin/audit-trail").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn administrators_add_and_disable_users_and_contributors_are_refused() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let html = app.get(&admin, "/admin/users").await.text();
        assert!(html.contains("Ada Admin"));
        assert!(html.contains("<option value=\"external_auditor\">External auditor</option>"));

        let mut fields = vec![
            ("username", "erin"),
            ("display_name", "Erin External"),
            ("email", ""),
            ("role", "external_auditor"),
            ("sites", ""),
            ("expires_on", ""),
            ("password", PASSWORD),
        ];
        let r = app.form(&admin, "/admin/users", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error_beside(&r.text(), "user-expires-on").contains("required for an external auditor")
        );
        assert!(
            r.text()
                .contains("<option value=\"external_auditor\" selected>")
        );

        fields[5].1 = "2999-12-31";
        let r = app.form(&admin, "/admin/users", &fields).await;
        redirects(&r, "/admin/users?added=erin");
        let html = app.get(&admin, "/admin/users?added=erin").await.text();
        assert!(html.contains("Account erin added."));
        assert!(html.contains("Erin External"));

        let carol = app.user(&admin, "carol", "contributor").await;
        let r = app.get(&carol, "/admin/users").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.form(&carol, "/admin/users", &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = app
            .form(&admin, "/admin/users/carol/access", &[("disabled", "true")])
            .await;
        redirects(&r, "/admin/users?changed=carol");
        assert!(
            app.get(&admin, "/admin/users")
                .await
                .text()
                .contains("disabled")
        );
        redirects(&app.get(&carol, "/").await, "/login");
        let r = app
            .form(&admin, "/admin/users/admin/access", &[("disabled", "true")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .contains("you cannot remove your own administrator access")
        );
    }
}

#[tokio::test]
async fn a_register_has_an_overdue_list_with_a_count_badge() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let today = annex_app::clock::today();
        for (title, due) in [
            ("Late review", Some("2020-01-01")),
            ("Shelf check", Some(today.as_str())),
            ("Far away", Some("2999-01-01")),
            ("Never due", None),
        ] {
            app.create(
                &admin,
                json!({"kind": "document", "title": title, "due_on": due}),
            )
            .await;
        }
        // Its periodic review has passed: overdue although it has no due date.
        app.create(
            &admin,
            json!({"kind": "document", "title": "Stale procedure",
                   "fields": {"periodic_review": "2021-06-30"}}),
        )
        .await;
        app.create(
            &admin,
            json!({"kind": "nonconformity", "title": "Other register", "due_on": "2020-01-01",
                   "fields": {"severity": "minor", "description": "d"}}),
        )
        .await;

        let html = app.get(&admin, "/records/document").await.text();
        assert!(
            html.contains(
                "href=\"/records/document?due=overdue&amp;sort=due\">Overdue <span class=\"badge late\">2</span>"
            ),
            "{html}"
        );
        let r = app
            .get(&admin, "/records/document?due=overdue&sort=due")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.text();
        assert!(html.contains("aria-current=\"page\">Overdue"), "{html}");
        assert!(html.contains("2 records match"), "{html}");
        assert!(html.contains("Late review") && html.contains("Stale procedure"));
        for absent in ["Shelf check", "Far away", "Never due", "Other register"] {
            assert!(!html.contains(absent), "{absent} in the overdue list");
        }
        assert!(html.contains("Next periodic review 2021-06-30"), "{html}");

        let r = app.get(&admin, "/records/document?due=yesterday").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .contains("must be one of: overdue, today, soon, later"),
            "{}",
            r.text()
        );
    }
}

#[tokio::test]
async fn an_action_added_from_a_capa_page_is_created_already_part_of_it() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let mia = app.user(&admin, "mia", "manager").await;
        let capa = app
            .create(
                &mia,
                serde_json::json!({
                    "kind": "capa", "title": "Illegible labels",
                    "fields": {"source": "complaint", "problem": "Smeared labels reported"}
                }),
            )
            .await;
        assert_eq!(capa["number"], "CAPA-0001");
        let page = app.get(&mia, "/r/CAPA-0001").await.text();
        assert!(
            page.contains("href=\"/records/action/new?part_of=CAPA-0001\""),
            "the CAPA page offers to add an action"
        );
        let form = app
            .get(&mia, "/records/action/new?part_of=CAPA-0001")
            .await
            .text();
        assert!(form.contains("name=\"part_of\""), "{form}");
        assert!(form.contains("value=\"CAPA-0001\""), "{form}");

        // A number that does not exist is refused beside the field, and nothing is created.
        let r = app
            .form(
                &mia,
                "/records/action/new",
                &[
                    ("title", "Add drying time"),
                    ("owner", "mia"),
                    ("due_on", "2030-06-30"),
                    ("part_of", "CAPA-0099"),
                    ("fields.description", "Add a drying time to WI-12"),
                ],
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text().contains(
                "<p class=\"field-error\" id=\"f-part-of-error\">no record numbered \
                 &#39;CAPA-0099&#39;</p>"
            ),
            "{}",
            r.text()
        );
        let r = app
            .form(
                &mia,
                "/records/action/new",
                &[
                    ("title", "Add drying time"),
                    ("owner", "mia"),
                    ("due_on", "2030-06-30"),
                    ("part_of", "CAPA-0001"),
                    ("fields.description", "Add a drying time to WI-12"),
                ],
            )
            .await;
        redirects(&r, "/r/ACT-0001");
        let capa = app.get(&mia, "/api/v1/records/CAPA-0001").await.json();
        let links = capa["links"].as_array().unwrap();
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0]["number"], "ACT-0001");
        assert_eq!(links[0]["relation"], "part_of");
        assert_eq!(links[0]["direction"], "in");
        let nc_page = app.get(&mia, "/records/nonconformity/new").await.text();
        assert!(!nc_page.contains("part_of=NC"));
    }
}

#[tokio::test]
async fn the_complaint_register_shows_the_satisfaction_trend_as_a_chart_and_figures() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let html = app.get(&admin, "/records/complaint").await.text();
        assert!(html.contains("<h2 id=\"trend-heading\">Customer satisfaction</h2>"));
        assert!(html.contains("no scores yet"), "{html}");
        assert!(
            html.contains("<svg") && html.contains(">No data</text>"),
            "{html}"
        );

        // A complaint answered and closed today with a score of 3.
        let n = app
            .create(
                &admin,
                json!({"kind": "complaint", "title": "Scratched housing", "fields": {
                    "received_on": "2026-01-05", "channel": "phone", "customer": "Acme",
                    "description": "Housing scratched on arrival",
                    "classification": "complaint", "category": "packaging", "severity": "low",
                    "reportable": false, "reportability_rationale": "Cosmetic only",
                    "investigation": "Carton too thin", "capa_needed": false,
                    "response": "Replacement sent", "responded_on": "2026-01-07",
                    "satisfaction": 3
                }}),
            )
            .await["number"]
            .as_str()
            .unwrap()
            .to_string();
        for (v, t) in [(1, "classify"), (2, "respond"), (3, "close")] {
            let r = app
                .post(
                    &admin,
                    &format!("/api/v1/records/{n}/transitions"),
                    json!({"version": v, "transition": t, "password": PASSWORD}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{t}: {}", r.text());
        }

        let html = app.get(&admin, "/records/complaint").await.text();
        assert!(html.contains("average 3.0 from 1 score."), "{html}");
        let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(
            "<title>Average customer satisfaction (1 to 5) per month of closing</title>"
        ));
        let month = &annex_app::clock::today()[..7];
        assert!(
            svg.contains(&format!("<title>{month}: 3.0</title>")),
            "{svg}"
        );
        assert!(!svg.contains("No data"));
        assert!(
            html.contains(&format!("<tr><td>{month}</td><td>3.0</td><td>1</td></tr>")),
            "{html}"
        );
        // Other registers have no such chart.
        let docs = app.get(&admin, "/records/document").await.text();
        assert!(!docs.contains("<svg") && !docs.contains("Customer satisfaction"));
    }
}
