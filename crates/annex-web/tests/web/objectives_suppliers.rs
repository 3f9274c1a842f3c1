//! Objectives and suppliers as their users meet them: an objective measured over time whose
//! status follows its measurements, drawn as a trend on its page; a supplier scored on
//! weighted criteria whose approval waits for the score, listed on the approved supplier
//! list, with its nonconformities raised from its page. Over the JSON API and the pages, on
//! SQLite and, when `ANNEX_TEST_DATABASE_URL` is set, PostgreSQL.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::support::{Client, PASSWORD, Resp, TestApp};

async fn step(app: &TestApp, c: &Client, number: &str, body: Value) -> Resp {
    app.post(c, &format!("/api/v1/records/{number}/transitions"), body)
        .await
}

async fn record(app: &TestApp, c: &Client, number: &str) -> Value {
    let r = app.get(c, &format!("/api/v1/records/{number}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn patch(app: &TestApp, c: &Client, number: &str, body: Value) -> Resp {
    app.json(c, Method::PATCH, &format!("/api/v1/records/{number}"), body)
        .await
}

/// An on-time delivery objective, approved-ready, with these measurements.
fn on_time(title: &str, target_date: &str, measurements: Value) -> Value {
    json!({
        "kind": "objective", "title": title, "owner": "wes",
        "fields": {
            "area": "quality",
            "kpi": "On-time deliveries, share of all deliveries in the month",
            "unit": "%",
            "baseline": 88,
            "direction": "higher",
            "target": 95,
            "frequency": "monthly",
            "target_date": target_date,
            "plan": "Weekly capacity review with the planners",
            "resources": "Planning team, 2 h a week",
            "responsible": "Head of logistics",
            "measurements": measurements,
        }
    })
}

#[tokio::test]
async fn an_objectives_status_follows_its_measurements_and_its_target_date() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let mia = app.user(&admin, "mia", "manager").await;
        let wes = app.user(&admin, "wes", "contributor").await;
        let o = app
            .create(&wes, on_time("On-time delivery", "2099-12-31", json!([])))
            .await;
        assert_eq!(o["number"], "OBJ-0001");
        assert_eq!(o["state"], "draft");
        assert_eq!(o["fields"]["status"], "not_measured", "{}", app.backend());

        // Only a manager approves, with a signature.
        let r = step(
            &app,
            &wes,
            "OBJ-0001",
            json!({"version": 1, "transition": "approve", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = step(
            &app,
            &mia,
            "OBJ-0001",
            json!({"version": 1, "transition": "approve", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "approved");

        // Measurements are added while it is active; the status is the latest one's.
        let r = patch(
            &app,
            &wes,
            "OBJ-0001",
            json!({"version": 2, "fields": {"measurements": [
                {"date": "2026-01-31", "value": 91},
                {"date": "2026-02-28", "value": 96.5, "note": "New carrier"},
            ]}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let j = r.json();
        assert_eq!(
            j["state"], "approved",
            "measurements do not need a new approval"
        );
        assert_eq!(j["fields"]["status"], "on_track");
        assert_eq!(j["fields"]["latest_value"], 96.5);
        assert_eq!(j["fields"]["latest_on"], "2026-02-28");
        assert_eq!(j["fields"]["next_measurement_due"], "2026-03-28");

        let r = patch(
            &app,
            &wes,
            "OBJ-0001",
            json!({"version": 3, "fields": {"measurements": [
                {"date": "2026-01-31", "value": 91},
                {"date": "2026-02-28", "value": 96.5, "note": "New carrier"},
                {"date": "2026-03-31", "value": 90},
            ]}}),
        )
        .await;
        assert_eq!(r.json()["fields"]["status"], "at_risk", "{}", r.text());

        // A bad measurement is named by row and column, and nothing changes.
        let r = patch(
            &app,
            &wes,
            "OBJ-0001",
            json!({"version": 4, "fields": {"measurements": [
                {"date": "2026-04-31", "value": "ninety"},
            ]}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(
            r.error_fields(),
            ["fields.measurements.1.date", "fields.measurements.1.value"]
        );
        let d = record(&app, &wes, "OBJ-0001").await;
        assert_eq!(d["record"]["version"], 4);
        assert_eq!(
            d["record"]["fields"]["measurements"]
                .as_array()
                .unwrap()
                .len(),
            3
        );

        // At risk is not achieved.
        let r = step(
            &app,
            &mia,
            "OBJ-0001",
            json!({"version": 4, "transition": "achieve"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_fields(), ["fields.status"]);
        assert!(r.text().contains("it is at_risk"), "{}", r.text());

        // Moving the target after approval sends it back for a new approval.
        let r = patch(
            &app,
            &wes,
            "OBJ-0001",
            json!({"version": 4, "fields": {"target": 92}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "draft");

        // Past its target date without meeting it, an objective is missed.
        let late = app
            .create(
                &wes,
                on_time(
                    "On-time delivery 2025",
                    "2025-12-31",
                    json!([{"date": "2025-12-31", "value": 93}, {"date": "2026-01-31", "value": 97}]),
                ),
            )
            .await;
        assert_eq!(late["fields"]["status"], "missed");
        assert_eq!(late["fields"]["latest_value"], 97);
    }
}

/// A critical supplier with three weighted criteria scored as given, out of 5.
fn sterilizer(title: &str, scores: [f64; 3]) -> Value {
    json!({
        "kind": "supplier", "title": title, "owner": "wes",
        "fields": {
            "supplies": "EO sterilisation of finished devices",
            "criticality": "critical",
            "contact_email": "quality@sterile.example",
            "certifications": [
                {"standard": "iso13485", "number": "MD 612345", "issuer": "BSI", "expires_on": "2027-09-30"}
            ],
            "evaluated_on": "2026-01-15",
            "evaluation": [
                {"criterion": "Quality record", "weight": 50, "score": scores[0]},
                {"criterion": "Delivery", "weight": 30, "score": scores[1]},
                {"criterion": "Certification", "weight": 20, "score": scores[2]},
            ],
        }
    })
}

#[tokio::test]
async fn a_supplier_is_approved_only_once_its_score_reaches_the_threshold() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let mia = app.user(&admin, "mia", "manager").await;
        let wes = app.user(&admin, "wes", "contributor").await;
        let s = app
            .create(&wes, sterilizer("Sterile Co", [4.0, 3.0, 3.0]))
            .await;
        assert_eq!(s["number"], "SUP-0001");
        assert_eq!(s["fields"]["evaluation_score"], 70, "{}", app.backend());
        assert_eq!(
            s["fields"]["evaluation_outcome"],
            "approved_with_conditions"
        );
        assert_eq!(s["fields"]["next_evaluation_due"], "2027-01-15");
        assert_eq!(s["fields"]["certificate_expires"], "2027-09-30");
        let r = step(
            &app,
            &wes,
            "SUP-0001",
            json!({"version": 1, "transition": "evaluate"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // 70 % is below the 80 % an approval needs: refused, and nothing is signed.
        let r = step(
            &app,
            &mia,
            "SUP-0001",
            json!({"version": 2, "transition": "approve", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.error_fields(), ["fields.evaluation_score"]);
        assert!(
            r.text().contains("must be at least 80; it is 70"),
            "{}",
            r.text()
        );
        let d = record(&app, &mia, "SUP-0001").await;
        assert_eq!(d["record"]["state"], "evaluated");
        assert!(d["signatures"].as_array().unwrap().is_empty());

        // A better evaluation allows it.
        let mut better = sterilizer("Sterile Co", [5.0, 4.0, 4.0])["fields"]["evaluation"].clone();
        better[1]["comment"] = json!("Two late deliveries, both announced");
        let r = patch(
            &app,
            &wes,
            "SUP-0001",
            json!({"version": 2, "fields": {"evaluation": better}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["fields"]["evaluation_score"], 90);
        let r = step(
            &app,
            &mia,
            "SUP-0001",
            json!({"version": 3, "transition": "approve", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "approved");
        let d = record(&app, &mia, "SUP-0001").await;
        assert_eq!(d["signatures"][0]["meaning"], "approved");

        // The approved supplier list holds the approved supplier, not the prospective one.
        app.create(&wes, sterilizer("Maybe Ltd", [1.0, 1.0, 1.0]))
            .await;
        let asl = app
            .get(&mia, "/api/v1/records?kind=supplier&state=approved&state=conditionally_approved&state=re_evaluation&sort=title")
            .await
            .json();
        let numbers: Vec<&str> = asl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap())
            .collect();
        assert_eq!(numbers, ["SUP-0001"]);

        // A supplier nonconformity raised as part of the supplier shows on the supplier.
        let nc = app
            .create(&wes, json!({
                "kind": "nonconformity", "title": "Lot 26-114 not sterile-released", "part_of": "SUP-0001",
                "fields": {"severity": "major", "description": "Certificate of sterilisation missing", "source": "supplier"}
            }))
            .await;
        let d = record(&app, &mia, "SUP-0001").await;
        let links = d["links"].as_array().unwrap();
        assert!(
            links
                .iter()
                .any(|l| l["number"] == nc["number"] && l["direction"] == "in"),
            "{links:?}"
        );

        // Changing the evaluation of an approved supplier needs a new approval.
        let r = patch(
            &app,
            &wes,
            "SUP-0001",
            json!({"version": 4, "fields": {"evaluation": [
                {"criterion": "Quality record", "weight": 1, "score": 2}
            ]}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "evaluated");
        assert_eq!(r.json()["fields"]["evaluation_outcome"], "not_approved");
    }
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn an_objective_page_draws_its_measurements_as_a_trend_with_the_target() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        app.user(&admin, "wes", "contributor").await;
        app.create(
            &admin,
            on_time(
                "Deliveries <b>on time</b>",
                "2099-12-31",
                json!([
                    {"date": "2026-02-28", "value": 93.5},
                    {"date": "2026-01-31", "value": 91},
                    {"date": "2026-03-31", "value": 96.2, "note": "<i>best</i> month"},
                ]),
            ),
        )
        .await;
        let r = app.get(&admin, "/r/OBJ-0001").await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.text();
        let svg = &html[html.find("<svg").expect("a chart")..html.find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"trend-title\">Deliveries &lt;b&gt;on time&lt;/b&gt;: Measurements over time</title>"), "{svg}");
        assert!(svg.contains("3 values, from 2026-01-31 to 2026-03-31; the latest is 96.2 % on 2026-03-31. The target is 95 %."), "{svg}");
        // Oldest first, whatever the order they were typed in.
        let first = svg.find("<title>2026-01-31: 91 %</title>").unwrap();
        let second = svg.find("<title>2026-02-28: 93.5 %</title>").unwrap();
        let third = svg.find("<title>2026-03-31: 96.2 %</title>").unwrap();
        assert!(first < second && second < third);
        assert!(svg.contains("Target 95 %"));
        assert!(!svg.contains("<b>") && !svg.contains("<script"));
        // The same data as a table, notes escaped.
        assert!(html.contains("<td>96.2</td>"), "{html}");
        assert!(
            html.contains("<td>&#60;i&#62;best&#60;/i&#62; month</td>"),
            "{html}"
        );
        assert!(html.contains("<dt>Status</dt><dd>On track</dd>"), "{html}");

        // Without a measurement there is nothing to draw.
        app.create(&admin, on_time("Fresh", "2099-12-31", json!([])))
            .await;
        let html = app.get(&admin, "/r/OBJ-0002").await.text();
        assert!(!html.contains("<svg"));
        assert!(html.contains("Not measured yet"));
    }
}

#[tokio::test]
async fn the_supplier_form_takes_criteria_rows_and_the_page_shows_the_score() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        let form = app.get(&admin, "/records/supplier/new").await.text();
        for name in [
            "fields.evaluation.1.criterion",
            "fields.evaluation.1.weight",
            "fields.evaluation.3.score",
            "fields.certifications.1.expires_on",
        ] {
            assert!(form.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(
            !form.contains("name=\"fields.evaluation_score\""),
            "computed, not typed"
        );
        let csrf = csrf_in(&form);
        let admin = Client {
            csrf: Some(csrf),
            ..admin
        };
        let fields = |score: &'static str| {
            vec![
                ("title", "Acme Castings"),
                ("fields.supplies", "Aluminium housings"),
                ("fields.criticality", "major"),
                ("fields.evaluated_on", "2026-02-01"),
                ("fields.evaluation.1.criterion", "Quality record"),
                ("fields.evaluation.1.weight", "3"),
                ("fields.evaluation.1.score", score),
                ("fields.evaluation.2.criterion", "Delivery"),
                ("fields.evaluation.2.weight", "1"),
                ("fields.evaluation.2.score", "3"),
                ("fields.evaluation.2.comment", "Late twice"),
                ("fields.evaluation.3.criterion", ""),
                ("fields.evaluation.3.weight", ""),
                ("fields.evaluation.3.score", ""),
            ]
        };
        // A score off the 0–5 scale is refused beside its cell, and nothing is created.
        let r = app
            .form(&admin, "/records/supplier/new", &fields("7"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(
            r.text()
                .contains("id=\"f-fields-evaluation-1-score-error\">must be between 0 and 5"),
            "{}",
            r.text()
        );
        assert!(
            r.text().contains("value=\"Late twice\""),
            "typed rows are kept"
        );

        let r = app
            .form(&admin, "/records/supplier/new", &fields("5"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.headers[header::LOCATION], "/r/SUP-0001");
        let html = app.get(&admin, "/r/SUP-0001").await.text();
        // (3*5 + 1*3) / (4*5) = 90 %
        assert!(
            html.contains("<dt>Evaluation score (%)</dt><dd>90</dd>"),
            "{html}"
        );
        assert!(html.contains("<dt>Evaluation outcome</dt><dd>Approved</dd>"));
        assert!(html.contains("<td>Late twice</td>"));
        assert!(
            html.contains("<dt>Next evaluation due</dt><dd>2028-02-01</dd>"),
            "major: two years"
        );
        // Its nonconformities and corrective-action requests are raised from its page.
        assert!(html.contains("href=\"/records/nonconformity/new?part_of=SUP-0001\""));
        assert!(html.contains("href=\"/records/capa/new?part_of=SUP-0001\""));
        assert!(html.contains("Request corrective action (SCAR)"));
    }
}

#[tokio::test]
async fn the_suppliers_register_links_the_approved_supplier_list_and_exports_it() {
    for app in TestApp::each().await {
        let admin = app.admin().await;
        app.user(&admin, "wes", "contributor").await;
        for (title, scores) in [
            ("Zeta Steel", [5.0, 5.0, 4.0]),
            ("Alpha Plastics", [4.0, 4.0, 5.0]),
            ("Nope Inc", [1.0, 1.0, 1.0]),
        ] {
            app.create(&admin, sterilizer(title, scores)).await;
        }
        for n in ["SUP-0001", "SUP-0002"] {
            let r = step(
                &app,
                &admin,
                n,
                json!({"version": 1, "transition": "evaluate"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let r = step(
                &app,
                &admin,
                n,
                json!({"version": 2, "transition": "approve", "password": PASSWORD}),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
        let html = app.get(&admin, "/records/supplier").await.text();
        let href = "/records/supplier?state=approved&#38;state=conditionally_approved&#38;state=re_evaluation&#38;sort=title";
        assert!(
            html.contains(&format!("<a href=\"{href}\">Approved supplier list</a>")),
            "{html}"
        );

        let asl = app
            .get(&admin, "/records/supplier?state=approved&state=conditionally_approved&state=re_evaluation&sort=title")
            .await
            .text();
        assert!(
            asl.contains("<strong aria-current=\"page\">Approved supplier list</strong>"),
            "{asl}"
        );
        assert!(asl.contains("2 records match"), "{asl}");
        assert!(!asl.contains("Nope Inc"));
        let alpha = asl.find("Alpha Plastics").unwrap();
        assert!(alpha < asl.find("Zeta Steel").unwrap(), "sorted by name");

        // Its XLSX export carries the same filters.
        let xlsx_href = "/records/supplier/export?format=xlsx&state=approved&state=conditionally_approved&state=re_evaluation&sort=title";
        assert!(asl.contains(&xlsx_href.replace('&', "&#38;")), "{asl}");
        let r = app.get(&admin, xlsx_href).await;
        assert_eq!(r.status, StatusCode::OK);
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.body.clone())).unwrap();
        let name = book.sheet_names()[0].clone();
        let rows: Vec<String> = book
            .worksheet_range(&name)
            .unwrap()
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(rows.len(), 3, "a header and two suppliers: {rows:#?}");
        assert!(
            rows[1].contains("Alpha Plastics") && rows[2].contains("Zeta Steel"),
            "{rows:#?}"
        );
        assert!(rows[1].contains("SUP-0002"));
        assert!(!rows.iter().any(|r| r.contains("Nope Inc")));
    }
}
