//! The risk register and the risk matrix it is rated with, over the JSON API and the pages:
//! the matrix as an audited setting, scores and levels computed from it, acceptance of the
//! residual risk by its owner alone, reassessment on edit, recomputation when the matrix
//! changes, and the heat map.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Client, PASSWORD, Resp, TestApp};

const MATRIX: &str = "/api/v1/settings/risk-matrix";

/// A 3 × 3 matrix in three levels.
fn three_by_three(reason: &str) -> Value {
    json!({
        "likelihood": [
            {"label": "Unlikely", "description": "Less than once in five years"},
            {"label": "Possible", "description": "About once in a few years"},
            {"label": "Likely", "description": "At least once a year"}
        ],
        "impact": [
            {"label": "Minor"}, {"label": "Serious"}, {"label": "Grave"}
        ],
        "levels": [
            {"id": "low", "label": "Low", "colour": "#2e7d32", "min": 1, "max": 2},
            {"id": "medium", "label": "Medium", "colour": "#f9a825", "min": 3, "max": 4},
            {"id": "high", "label": "High", "colour": "#c62828", "min": 5, "max": 9}
        ],
        "reason": reason
    })
}

async fn put_matrix(app: &TestApp, c: &Client, body: Value) -> Resp {
    app.json(c, Method::PUT, MATRIX, body).await
}

async fn record(app: &TestApp, c: &Client, number: &str) -> Value {
    app.get(c, &format!("/api/v1/records/{number}"))
        .await
        .json()
}

#[tokio::test]
async fn a_risk_is_rated_on_the_matrix_accepted_by_its_owner_and_reassessed_on_edit() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let owner = app.user(&admin, "rita", "contributor").await;
        let manager = app.user(&admin, "mia", "manager").await;

        // The default is a 5 × 5 matrix nobody has changed yet.
        let m = app.get(&owner, MATRIX).await.json();
        assert_eq!(m["default"], json!(true), "{b}");
        assert_eq!(m["likelihood"].as_array().unwrap().len(), 5);

        // Only administrators change it.
        let r = put_matrix(&app, &manager, three_by_three("Smaller scale")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");

        // A bad matrix is refused naming each field, and nothing changes.
        let mut bad = three_by_three("Smaller scale");
        bad["levels"][1]["min"] = json!(2);
        bad["levels"][2]["colour"] = json!("red");
        bad["impact"][1]["label"] = json!(" ");
        bad["reason"] = json!("");
        let r = put_matrix(&app, &admin, bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(
            r.error_fields(),
            [
                "impact.2.label",
                "levels.3.colour",
                "levels.2.min",
                "reason"
            ],
            "{b}"
        );
        assert!(
            r.text().contains("overlaps the previous level"),
            "{}",
            r.text()
        );
        assert_eq!(app.get(&owner, MATRIX).await.json()["default"], json!(true));

        // A sound one is saved, as version 1.
        let r = put_matrix(
            &app,
            &admin,
            three_by_three("Board decision 2026-04: 3x3 scale"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let m = app.get(&owner, MATRIX).await.json();
        assert_eq!(
            (m["version"].clone(), m["default"].clone()),
            (json!(1), json!(false))
        );
        assert_eq!(m["updated_by"], json!("admin"));

        // The change is in the audit trail with before, after and reason.
        let events = app
            .get(&admin, "/api/v1/audit-trail?action=settings.change")
            .await
            .json();
        let e = &events["events"][0];
        assert_eq!(e["subject"], json!("settings/risk_matrix"), "{b}");
        assert_eq!(e["reason"], json!("Board decision 2026-04: 3x3 scale"));
        assert_eq!(
            e["before"]["risk_matrix"]["likelihood"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(
            e["after"]["risk_matrix"]["likelihood"]
                .as_array()
                .unwrap()
                .len(),
            3
        );

        // Ratings beyond the matrix's scale are refused naming the field and the rule.
        let risk = json!({
            "kind": "risk",
            "title": "Ransomware encrypts the file server",
            "fields": {
                "risk_type": "risk",
                "category": "information_security",
                "source": "asset",
                "description": "Phishing leads to ransomware on the file server.",
                "inherent_likelihood": 4,
                "inherent_impact": 3,
                "treatment": "reduce",
            }
        });
        let r = app.post(&owner, "/api/v1/records", risk.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(r.error_fields(), ["fields.inherent_likelihood"]);
        assert!(
            r.text().contains(
                "must be between 1 and 3: the risk matrix's likelihood scale has 3 steps"
            ),
            "{}",
            r.text()
        );

        // Created within the scale: score and level computed.
        let mut ok = risk.clone();
        ok["fields"]["inherent_likelihood"] = json!(3);
        let created = app.create(&owner, ok).await;
        let n = created["number"].as_str().unwrap().to_string();
        assert_eq!(n, "RISK-0001");
        assert_eq!(created["fields"]["inherent_score"], json!(9));
        assert_eq!(created["fields"]["inherent_level"], json!("high"));

        let v = created["version"].as_i64().unwrap();
        let r = app
            .post(
                &owner,
                &format!("/api/v1/records/{n}/transitions"),
                json!({"version": v, "transition": "assess"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let v = r.json()["version"].as_i64().unwrap();
        let r = app
            .json(
                &owner,
                Method::PATCH,
                &format!("/api/v1/records/{n}"),
                json!({"version": v, "fields": {
                    "treatment_plan": "Offline backups; phishing training.",
                    "annex_a_controls": "A.8.13, A.6.3",
                    "residual_likelihood": 1, "residual_impact": 3}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(r.json()["fields"]["residual_score"], json!(3));
        assert_eq!(r.json()["fields"]["residual_level"], json!("medium"));
        let v = r.json()["version"].as_i64().unwrap();

        // Someone other than the owner may not accept it, even a manager.
        let r = app
            .post(
                &manager,
                &format!("/api/v1/records/{n}/transitions"),
                json!({"version": v, "transition": "accept", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(r.error_fields(), ["owner"]);
        assert!(r.text().contains("only the record's owner"));

        // The owner accepts with an 'accepted' signature.
        let r = app
            .post(
                &owner,
                &format!("/api/v1/records/{n}/transitions"),
                json!({"version": v, "transition": "accept", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let d = record(&app, &owner, &n).await;
        assert_eq!(d["record"]["state"], json!("accepted"));
        let sig = &d["signatures"][0];
        assert_eq!(
            (sig["meaning"].clone(), sig["valid"].clone()),
            (json!("accepted"), json!(true))
        );
        assert_eq!(sig["username"], json!("rita"));
        // It signs the version the owner saw: the one with residual likelihood 1.
        assert_eq!(sig["version"], json!(v), "{b}");

        // Editing the residual likelihood sends it back; the acceptance no longer counts.
        let v = d["record"]["version"].as_i64().unwrap();
        let r = app
            .json(&owner, Method::PATCH, &format!("/api/v1/records/{n}"),
                json!({"version": v, "fields": {"residual_likelihood": 2}, "reason": "New phishing wave"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(r.json()["state"], json!("assessed"));
        assert_eq!(r.json()["fields"]["residual_level"], json!("high"));
        let d = record(&app, &owner, &n).await;
        // The acceptance stays on record, for the version it signed, but the risk is no
        // longer accepted: it cannot be closed until its owner accepts the new rating.
        assert_eq!(d["signatures"].as_array().unwrap().len(), 1, "{b}");
        assert_eq!(d["signatures"][0]["current"], json!(false));
        let v = d["record"]["version"].as_i64().unwrap();
        let r = app
            .post(
                &manager,
                &format!("/api/v1/records/{n}/transitions"),
                json!({"version": v, "transition": "close"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert!(r.text().contains("only from: accepted"), "{}", r.text());
        assert!(
            d["actions"]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "accept")
        );

        // The heat map counts it in its residual cell, and the cell's link lists it.
        let h = app.get(&owner, "/api/v1/risks/heat-map").await.json();
        assert_eq!(h["open"], json!(1), "{b}");
        let cell = &h["rows"][1]["cells"][2]; // likelihood 2 (rows run 3, 2, 1), impact 3
        assert_eq!(
            (
                cell["likelihood"].clone(),
                cell["impact"].clone(),
                cell["count"].clone()
            ),
            (json!(2), json!(3), json!(1))
        );
        assert_eq!(cell["level"], json!("high"));
        let listed = app
            .get(
                &owner,
                "/api/v1/records?kind=risk&fields.residual_level=high",
            )
            .await
            .json();
        assert_eq!(listed["total"], json!(1), "{b}");
        let none = app
            .get(
                &owner,
                "/api/v1/records?kind=risk&fields.residual_level=low",
            )
            .await
            .json();
        assert_eq!(none["total"], json!(0));
        let r = app
            .get(&owner, "/api/v1/records?kind=risk&fields.nonsense=1")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_fields(), ["fields.nonsense"]);
    }
}

#[tokio::test]
async fn changing_the_matrix_recomputes_open_risks_and_refuses_to_drop_ratings_in_use() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        // Rated 5 × 4 on the default matrix: 20, critical.
        let r = app
            .create(
                &admin,
                json!({"kind": "risk", "title": "Key supplier fails", "fields": {
                "risk_type": "risk", "description": "Single source for the main board.",
                "inherent_likelihood": 5, "inherent_impact": 4, "treatment": "transfer",
                "residual_likelihood": 2, "residual_impact": 2}}),
            )
            .await;
        assert_eq!(r["fields"]["inherent_level"], json!("critical"), "{b}");
        assert_eq!(r["fields"]["residual_level"], json!("low"));

        // A 3 × 3 matrix would leave likelihood 5 and impact 4 off the scale: refused.
        let r = put_matrix(&app, &admin, three_by_three("Simpler")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(r.error_fields(), ["likelihood", "impact"]);
        assert!(r.text().contains("RISK-0001"), "{}", r.text());
        assert_eq!(app.get(&admin, MATRIX).await.json()["version"], json!(0));

        // Moving the ranges recomputes the level in a new version, audited with the reason.
        let mut m = app.get(&admin, MATRIX).await.json();
        m["levels"][0]["max"] = json!(3);
        m["levels"][1]["min"] = json!(4);
        m["reason"] = json!("Tighter low band");
        m["version"] = json!(0);
        let r = put_matrix(&app, &admin, m.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(r.json()["recomputed"], json!(["RISK-0001"]));
        let d = record(&app, &admin, "RISK-0001").await;
        assert_eq!(
            d["record"]["fields"]["residual_level"],
            json!("medium"),
            "{b}"
        );
        let events = app
            .get(&admin, "/api/v1/audit-trail?action=record.update")
            .await
            .json();
        assert_eq!(
            events["events"][0]["reason"],
            json!("risk matrix changed: Tighter low band")
        );

        // A change based on a stale read is a conflict.
        let r = put_matrix(&app, &admin, m).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.text());
    }
}

#[tokio::test]
async fn the_matrix_page_previews_saves_and_names_bad_fields_and_the_risk_list_draws_the_heat_map()
{
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let reader = app.user(&admin, "rob", "reader").await;

        let page = app.get(&admin, "/settings/risk-matrix").await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        let html = page.text();
        assert!(html.contains("Almost certain"), "{b}");
        assert!(
            html.contains("fill=\"#c62828\""),
            "the heat map is coloured by level"
        );
        assert!(html.contains("Save the matrix"));
        // Readers see it but get no form.
        let html = app.get(&reader, "/settings/risk-matrix").await.text();
        assert!(html.contains("Almost certain") && !html.contains("Save the matrix"));

        let mut fields: Vec<(String, String)> = vec![
            ("likelihood".into(), "3".into()),
            ("impact".into(), "3".into()),
        ];
        for (axis, labels) in [
            ("likelihood", ["Rare", "Possible", "Likely"]),
            ("impact", ["Minor", "Serious", "Grave"]),
        ] {
            for (i, l) in labels.iter().enumerate() {
                fields.push((format!("{axis}.{}.label", i + 1), (*l).into()));
            }
        }
        for (i, (id, colour, min, max)) in [
            ("low", "#00aa00", 1, 2),
            ("medium", "#ffcc00", 3, 4),
            ("high", "#dd0000", 5, 9),
        ]
        .iter()
        .enumerate()
        {
            let n = i + 1;
            fields.push((format!("levels.{n}.id"), (*id).into()));
            fields.push((format!("levels.{n}.label"), id.to_uppercase()));
            fields.push((format!("levels.{n}.colour"), (*colour).into()));
            fields.push((format!("levels.{n}.min"), min.to_string()));
            fields.push((format!("levels.{n}.max"), max.to_string()));
        }
        let as_refs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };

        // Preview draws the typed matrix and saves nothing.
        let mut preview = as_refs(&fields);
        preview.push(("preview".into(), "1".into()));
        let pairs: Vec<(&str, &str)> = preview
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = app.form(&admin, "/settings/risk-matrix", &pairs).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert!(r.text().contains("Preview (not saved)") && r.text().contains("fill=\"#dd0000\""));
        assert_eq!(app.get(&admin, MATRIX).await.json()["default"], json!(true));

        // A bad colour and no reason: the rules beside the fields, nothing saved.
        let mut bad = as_refs(&fields);
        bad.retain(|(k, _)| k != "levels.2.colour");
        bad.push(("levels.2.colour".into(), "yellow".into()));
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = app.form(&admin, "/settings/risk-matrix", &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let html = r.text();
        assert!(
            html.contains("Level 2 colour: must be a colour written #rrggbb"),
            "{html}"
        );
        assert!(html.contains("Reason for the change: required"), "{html}");
        assert!(html.contains("value=\"yellow\""), "what was typed is kept");
        assert_eq!(app.get(&admin, MATRIX).await.json()["default"], json!(true));

        // Saved with a reason.
        let mut good = as_refs(&fields);
        good.push(("reason".into(), "Management review 2026".into()));
        good.push(("version".into(), "0".into()));
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = app.form(&admin, "/settings/risk-matrix", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text());
        let html = app
            .get(&admin, "/settings/risk-matrix?recomputed=0&reassessed=0")
            .await
            .text();
        assert!(html.contains("The risk matrix is saved"), "{b}");
        assert!(html.contains("Version 1"));

        // The risks list draws the heat map of open risks in the matrix's colours.
        app.create(
            &admin,
            json!({"kind": "risk", "title": "Flood in the store", "fields": {
            "risk_type": "risk", "description": "River floods the basement store.",
            "residual_likelihood": 3, "residual_impact": 3}}),
        )
        .await;
        let html = app.get(&admin, "/records/risk").await.text();
        assert!(
            html.contains("Open risks by residual likelihood and impact"),
            "{b}"
        );
        assert!(
            html.contains("href=\"/records/risk?open=on&#38;fields.residual_likelihood=3&#38;fields.residual_impact=3\""),
            "{html}"
        );
        assert!(
            html.contains("aria-label=\"1 open risks at likelihood 3, impact 3 (HIGH)\""),
            "{html}"
        );
        assert!(
            html.contains("Residual level"),
            "the level filter is offered"
        );
        // Following a cell lists its risks and says which.
        let html = app
            .get(
                &admin,
                "/records/risk?open=on&fields.residual_likelihood=3&fields.residual_impact=3",
            )
            .await
            .text();
        assert!(html.contains("Flood in the store"), "{b}");
        assert!(
            html.contains("Only those with Residual likelihood = 3; Residual impact = 3"),
            "{html}"
        );
        let html = app
            .get(&admin, "/records/risk?fields.residual_level=low")
            .await
            .text();
        assert!(!html.contains("Flood in the store"));
    }
}
