//! Stories of equipment and calibration, and of competence and training, over the JSON API
//! and the competence matrix page, on every backend: an out-of-tolerance calibration opens an
//! impact assessment dated from the last good calibration and flags the equipment; a document
//! naming a job role gives its holders read-and-acknowledge training when it comes into
//! effect, done when they acknowledge it; the matrix says who is current, expired or missing.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Client, PASSWORD, TestApp};

async fn step(app: &TestApp, c: &Client, number: &str, body: Value) -> super::support::Resp {
    app.post(c, &format!("/api/v1/records/{number}/transitions"), body)
        .await
}

async fn record(app: &TestApp, c: &Client, number: &str) -> Value {
    let r = app.get(c, &format!("/api/v1/records/{number}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn list(app: &TestApp, c: &Client, query: &str) -> Vec<Value> {
    let r = app.get(c, &format!("/api/v1/records?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

fn numbers(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect()
}

/// Creates a calibration of `eq` and records its result, signed by `c`.
async fn calibrate(app: &TestApp, c: &Client, eq: &str, fields: Value) -> Value {
    let cal = app
        .create(
            c,
            json!({"kind": "calibration", "title": "Calibration", "part_of": eq, "fields": fields}),
        )
        .await;
    let n = cal["number"].as_str().unwrap();
    let r = step(
        app,
        c,
        n,
        json!({"version": 1, "transition": "record", "password": PASSWORD}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn an_out_of_tolerance_calibration_opens_an_impact_assessment_of_the_period_since_the_last_good_one()
 {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let tech = app.user(&admin, "tom", "contributor").await;
        let boss = app.user(&admin, "mia", "manager").await;

        let eq = app
            .create(
                &tech,
                json!({"kind": "equipment", "title": "Digital caliper 150 mm", "fields": {
                    "asset_tag": "QC-017", "tolerance": "±0.02 mm",
                    "interval": 12, "interval_unit": "months", "known_good_on": "2023-01-10",
                }}),
            )
            .await;
        let e = eq["number"].as_str().unwrap().to_string();
        assert_eq!(eq["fields"]["next_calibration_due"], "2024-01-10");
        assert_eq!(eq["fields"]["calibration_status"], "in_tolerance");
        // Its due date has passed: the register's Overdue view lists it.
        let overdue = list(&app, &tech, "kind=equipment&due=overdue").await;
        assert_eq!(numbers(&overdue), [e.as_str()], "{}", app.backend());
        assert_eq!(overdue[0]["reminder"]["what"], "Next calibration due");

        // A good calibration moves the dates on.
        calibrate(
            &app,
            &tech,
            &e,
            json!({"calibrated_on": "2024-01-15", "performed_by": "Metrology lab", "as_found": "in_tolerance"}),
        )
        .await;
        let d = record(&app, &tech, &e).await;
        assert_eq!(d["record"]["fields"]["last_calibrated_on"], "2024-01-15");
        assert_eq!(d["record"]["fields"]["next_calibration_due"], "2025-01-15");

        // The next finds it reading high and it is not adjusted.
        let bad = calibrate(
            &app,
            &tech,
            &e,
            json!({
                "calibrated_on": "2024-06-03", "performed_by": "Metrology lab",
                "as_found": "out_of_tolerance", "deviation": "Reads 0.05 mm high at 100 mm.",
            }),
        )
        .await;
        let cal = bad["number"].as_str().unwrap();
        assert_eq!(bad["state"], "done");

        let opened = list(&app, &tech, "kind=impact_assessment").await;
        assert_eq!(opened.len(), 1, "{}", app.backend());
        let ia = &opened[0];
        let n = ia["number"].as_str().unwrap().to_string();
        assert_eq!(ia["state"], "open");
        assert_eq!(ia["owner"]["username"], "tom");
        assert_eq!(
            (
                ia["fields"]["period_from"].as_str(),
                ia["fields"]["period_to"].as_str()
            ),
            (Some("2024-01-15"), Some("2024-06-03"))
        );
        assert_eq!(ia["fields"]["equipment"], e.as_str());
        assert_eq!(ia["fields"]["calibration"], cal);
        assert_eq!(ia["fields"]["deviation"], "Reads 0.05 mm high at 100 mm.");
        let d = record(&app, &tech, &n).await;
        assert!(
            d["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["relation"] == "caused_by" && l["number"] == cal),
            "{}",
            d["links"]
        );

        // The equipment is flagged, and due again at once.
        let d = record(&app, &tech, &e).await;
        assert_eq!(
            d["record"]["fields"]["calibration_status"],
            "out_of_tolerance"
        );
        assert_eq!(d["record"]["fields"]["last_calibrated_on"], "2024-01-15");
        assert_eq!(d["record"]["fields"]["next_calibration_due"], "2024-06-03");
        assert_eq!(d["record"]["overdue"], true);

        // Closing needs a manager, the decision and its grounds.
        let r = step(
            &app,
            &tech,
            &n,
            json!({"version": 1, "transition": "close", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = step(
            &app,
            &boss,
            &n,
            json!({"version": 1, "transition": "close", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.error_fields(),
            ["fields.affected", "fields.decision", "fields.rationale"]
        );
        let r = app
            .json(&boss, Method::PATCH, &format!("/api/v1/records/{n}"), json!({
                "version": 1,
                "fields": {"affected": "Lots 2231-2240 were inspected with it.",
                           "decision": "re_inspection", "rationale": "Half the drawing tolerance."},
            }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = step(
            &app,
            &boss,
            &n,
            json!({"version": 2, "transition": "close", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "closed");
        let d = record(&app, &boss, &n).await;
        assert_eq!(d["signatures"][0]["meaning"], "approved");

        // A calibration that leaves it in tolerance clears the flag.
        calibrate(
            &app,
            &tech,
            &e,
            json!({
                "calibrated_on": "2024-06-05", "performed_by": "Metrology lab",
                "as_found": "out_of_tolerance", "adjusted": true, "as_left": "in_tolerance",
            }),
        )
        .await;
        let d = record(&app, &tech, &e).await;
        assert_eq!(d["record"]["fields"]["calibration_status"], "in_tolerance");
        assert_eq!(d["record"]["fields"]["next_calibration_due"], "2025-06-05");
        // Found out again, so a second assessment covers the two days since the last good one.
        let opened = list(&app, &tech, "kind=impact_assessment&sort=-created").await;
        assert_eq!(opened.len(), 2);
        assert_eq!(opened[1]["fields"]["period_from"], "2024-01-15");

        // A reference to equipment that does not exist is refused beside the field.
        let r = app
            .post(
                &tech,
                "/api/v1/records",
                json!({"kind": "impact_assessment", "title": "x",
                "fields": {"period_to": "2024-06-03", "equipment": "eq-0099"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_fields(), ["fields.equipment"]);
        assert!(
            r.text().contains("no equipment numbered 'EQ-0099'"),
            "{}",
            r.text()
        );
    }
}

/// A document naming `role`, taken to effective by its author, reviewer and approver.
async fn effective_document(app: &TestApp, admin: &Client, role: &str) -> String {
    let author = app.user(admin, "carol", "contributor").await;
    let reviewer = app.user(admin, "ian", "auditor").await;
    let approver = app.user(admin, "mia2", "manager").await;
    let doc = app
        .create(
            &author,
            json!({"kind": "document", "title": "Hand soldering", "fields": {
                "summary": "How joints are soldered by hand.", "periodic_review": "2030-01-01",
                "change_description": "First issue", "used_by_roles": [{"role": role}],
            }}),
        )
        .await;
    let n = doc["number"].as_str().unwrap().to_string();
    let r = step(
        app,
        &author,
        &n,
        json!({"version": 1, "transition": "submit"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .post(
            &reviewer,
            &format!("/api/v1/records/{n}/signatures"),
            json!({"version": 2, "meaning": "reviewed", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = step(
        app,
        &approver,
        &n,
        json!({"version": 2, "transition": "approve", "password": PASSWORD}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = step(
        app,
        &approver,
        &n,
        json!({"version": 3, "transition": "make_effective"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    n
}

#[tokio::test]
async fn a_document_naming_a_job_role_gives_its_holders_reading_to_acknowledge() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let boss = app.user(&admin, "mia", "manager").await;
        let rick = app.user(&admin, "rick", "reader").await;
        let ted = app.user(&admin, "ted", "contributor").await;

        // Holders must be active users.
        let role = json!({"kind": "job_role", "title": "Assembler", "fields": {
            "competences": [{"competence": "Soldering", "level": "practitioner"}],
            "holders": [{"user": "rick"}, {"user": "nobody"}],
        }});
        let r = app.post(&boss, "/api/v1/records", role.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_fields(), ["fields.holders.2.user"]);
        assert!(r.text().contains("'nobody' is not an active user"));
        let mut role = role;
        role["fields"]["holders"] = json!([{"user": "rick"}, {"user": "ted"}]);
        let role = app.create(&boss, role).await;
        let rn = role["number"].as_str().unwrap().to_string();

        // A document naming a role that does not exist is refused.
        let r = app
            .post(
                &ted,
                "/api/v1/records",
                json!({"kind": "document", "title": "x",
                "fields": {"used_by_roles": [{"role": "ROLE-0042"}]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_fields(), ["fields.used_by_roles.1.role"]);

        let doc = effective_document(&app, &admin, &rn).await;
        let opened = list(&app, &boss, "kind=training&sort=-created").await;
        let mut owners: Vec<&str> = opened
            .iter()
            .map(|t| t["owner"]["username"].as_str().unwrap())
            .collect();
        owners.sort_unstable();
        assert_eq!(owners, ["rick", "ted"], "{}", app.backend());
        for t in &opened {
            assert_eq!(t["state"], "planned");
            assert_eq!(t["fields"]["training_type"], "read_and_acknowledge");
            assert_eq!(t["fields"]["document"], doc.as_str());
            assert_eq!(t["fields"]["document_revision"], 1);
            assert!(t["fields"]["complete_by"].is_string());
            assert_eq!(t["reminder"]["what"], "Complete by");
        }
        let mine = list(&app, &rick, "kind=training&owner=me").await;
        let t = mine[0]["number"].as_str().unwrap().to_string();
        let d = record(&app, &rick, &t).await;
        assert!(
            d["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["relation"] == "references" && l["number"] == doc.as_str())
        );

        // Rick reads and acknowledges: his training is done that day; Ted's is still open.
        let r = app
            .post(
                &rick,
                &format!("/api/v1/records/{doc}/acknowledgements"),
                json!({}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        let d = record(&app, &rick, &t).await;
        assert_eq!(d["record"]["state"], "effective");
        let today = d["record"]["fields"]["completed_on"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(d["record"]["fields"]["evaluated_on"], today.as_str());
        assert_eq!(
            d["record"]["fields"]["evaluation_method"],
            "acknowledgement"
        );
        assert!(d["record"]["fields"]["complete_by"].is_null());
        assert!(d["record"]["reminder"].is_null());
        let events = app
            .get(&admin, &format!("/api/v1/audit-trail?subject={t}"))
            .await
            .json();
        assert!(
            events.to_string().contains("acknowledged revision 1 of"),
            "{events}"
        );
        let teds = list(&app, &ted, "kind=training&owner=me").await;
        assert_eq!(teds[0]["state"], "planned");
    }
}

/// An effective training of `who` in `competence`, expiring on `expires_on`.
async fn trained(app: &TestApp, boss: &Client, who: &str, competence: &str, expires_on: &str) {
    let t = app
        .create(
            boss,
            json!({"kind": "training", "title": format!("{competence} course"), "owner": who,
                "fields": {
                    "training_type": "course", "competence": competence,
                    "completed_on": "2020-01-01", "expires_on": expires_on,
                    "evaluation_method": "test", "evaluation_result": "Passed",
                    "evaluated_on": "2020-01-02",
            }}),
        )
        .await;
    let n = t["number"].as_str().unwrap();
    let r = step(
        app,
        boss,
        n,
        json!({"version": 1, "transition": "complete"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = step(
        app,
        boss,
        n,
        json!({"version": 2, "transition": "verify", "password": PASSWORD}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// Rick is current in soldering, Ted's soldering has expired, and nobody has ESD awareness.
async fn staffed(app: &TestApp) -> Client {
    let admin = app.admin().await;
    let boss = app.user(&admin, "mia", "manager").await;
    app.user(&admin, "rick", "reader").await;
    app.user(&admin, "ted", "contributor").await;
    app.create(
        &boss,
        json!({"kind": "job_role", "title": "Assembler", "fields": {
            "competences": [
                {"competence": "Soldering", "level": "practitioner", "obtained_by": "course"},
                {"competence": "ESD awareness", "level": "awareness"},
            ],
            "holders": [{"user": "ted"}, {"user": "rick"}],
        }}),
    )
    .await;
    trained(app, &boss, "rick", "Soldering", "2999-01-01").await;
    trained(app, &boss, "ted", " soldering ", "2021-01-01").await;
    boss
}

#[tokio::test]
async fn the_competence_matrix_says_who_is_current_expired_or_missing() {
    for app in TestApp::each().await {
        let boss = staffed(&app).await;
        let r = app.get(&boss, "/api/v1/competence").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let m = r.json();
        assert_eq!(m["competences"], json!(["Soldering", "ESD awareness"]));
        let people: Vec<&str> = m["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["user"]["username"].as_str().unwrap())
            .collect();
        assert_eq!(people, ["rick", "ted"]);
        let standing = |p: usize, c: usize| m["people"][p]["cells"][c]["standing"].clone();
        assert_eq!(standing(0, 0), "current", "{}", app.backend());
        assert_eq!(standing(0, 1), "missing");
        assert_eq!(standing(1, 0), "expired");
        assert_eq!(standing(1, 1), "missing");
        assert!(m["people"][0]["cells"][0]["training"].is_string());
        assert_eq!(m["people"][1]["cells"][0]["expires_on"], "2021-01-01");
    }
}

#[tokio::test]
async fn the_competence_matrix_page_shows_each_standing_with_a_link_to_the_training() {
    for app in TestApp::each().await {
        let boss = staffed(&app).await;
        let r = app.get(&boss, "/competence").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        assert!(page.contains("<h1>Competence matrix</h1>"));
        assert!(page.contains("<th scope=\"col\">ESD awareness</th>"));
        assert!(page.contains("rick reader"), "{page}");
        assert!(
            page.contains("standing current\"><a href=\"/r/TRN-0001\">Current</a>"),
            "{page}"
        );
        assert!(
            page.contains("standing expired\"><a href=\"/r/TRN-0002\">Expired</a>"),
            "{page}"
        );
        assert!(page.contains("standing missing\">Missing"), "{page}");
        assert!(page.contains("aria-current=\"page\">Competence</a>"));
        // Without a session the page is not shown.
        let r = app.get(&Client::default(), "/competence").await;
        assert_ne!(r.status, StatusCode::OK);
    }
}
