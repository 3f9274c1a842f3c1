//! Importing frameworks over the JSON API and the pages, on SQLite and PostgreSQL: a CISO
//! Assistant framework and its mapping set, OSCAL catalogs and a partial profile; refused
//! files change nothing; readers are refused; the list and each import's page.
//!
//! The fixtures are read from `../shared/fixtures/` (the CISO Assistant files are AGPL and
//! never copied into the project; malformed variants are made in memory).

use axum::http::{Method, StatusCode, header};
use serde_json::Value;

use super::support::{Client, Resp, TestApp};

const OSCAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/oscal/nist-oscal-content/sp800-53-rev5"
);
const CISO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/ciso-assistant"
);
const LOW: &str = "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json";
const LOW_ID: &str = "oscal:nist-special-publication-800-53-revision-5-1-1-low-impact-baseline";
const MAPPING: &str = "mapping-iso27001-2013-to-iso27001-2022.yaml";

fn fixture(dir: &str, name: &str) -> String {
    let path = format!("{dir}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Posts `content` as the file `query` names, the way a script does.
async fn import(app: &TestApp, c: &Client, query: &str, content: &str) -> Resp {
    app.call(
        c,
        Method::POST,
        &format!("/api/v1/frameworks?{query}"),
        Some("application/octet-stream"),
        content.as_bytes().to_vec(),
    )
    .await
}

/// Posts the upload form as a browser does: the file and the other fields as parts, the
/// CSRF token in the query string.
async fn upload(
    app: &TestApp,
    c: &Client,
    name: &str,
    content: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let boundary = "annexImportBoundary5";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    let csrf = c.csrf.clone().unwrap_or_default();
    let no_header = Client {
        csrf: None,
        ..c.clone()
    };
    app.call(
        &no_header,
        Method::POST,
        &format!("/frameworks?csrf={csrf}"),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        body.into_bytes(),
    )
    .await
}

async fn imports(app: &TestApp, c: &Client) -> Vec<Value> {
    app.get(c, "/api/v1/frameworks")
        .await
        .json()
        .as_array()
        .unwrap()
        .clone()
}

async fn audited(app: &TestApp, admin: &Client, action: &str) -> Vec<Value> {
    app.get(admin, &format!("/api/v1/audit-trail?action={action}"))
        .await
        .json()["events"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_manager_imports_a_ciso_framework_and_its_mapping_set() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let manager = app.user(&admin, "mia", "manager").await;
        let text = fixture(CISO, "iso27001-2013.yaml");

        // A mapping set before its framework: refused, naming what to import first.
        let r = import(
            &app,
            &manager,
            &format!("file_name={MAPPING}"),
            &fixture(CISO, MAPPING),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(
            r.error_fields(),
            ["objects.requirement_mapping_set.source_framework_urn"],
            "{b}"
        );

        let r = import(&app, &manager, "file_name=iso27001-2013.yaml", &text).await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let j = r.json();
        assert_eq!(j["id"], "ciso:iso27001-2013");
        assert_eq!(j["kind"], "framework");
        assert_eq!(j["format"], "ciso-framework");
        assert_eq!(
            (j["clauses"].as_i64(), j["assessable"].as_i64()),
            (Some(200), Some(140))
        );
        assert_eq!(j["imported_by"], "mia");
        assert_eq!(j["href"], "/frameworks/ciso:iso27001-2013");

        // The mapping set now resolves: to the imported 2013 framework and the built-in
        // ISO/IEC 27001:2022.
        let r = import(
            &app,
            &manager,
            &format!("file_name={MAPPING}"),
            &fixture(CISO, MAPPING),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let m = r.json();
        assert_eq!(m["clauses"], 134);
        assert_eq!(
            (m["from"].as_str(), m["to"].as_str()),
            (Some("ciso:iso27001-2013"), Some("iso27001:2022"))
        );
        assert_eq!(m["by_relation"]["equal"], 77);
        assert_eq!(m["by_relation"]["subset"], 48);
        assert_eq!(m["by_relation"]["superset"], 6);
        assert_eq!(m["by_relation"]["intersect"], 3);

        // Both are listed, and the catalog assessments work from holds the framework.
        let list = imports(&app, &manager).await;
        assert_eq!(list.len(), 2, "{b}");
        let catalog = annex_app::frameworks::catalog(&app.app).await.unwrap();
        let s = catalog.get("ciso:iso27001-2013").unwrap();
        assert_eq!(s.clauses.iter().filter(|c| c.assessable).count(), 140);
        assert!(
            catalog
                .compare(&["ciso:iso27001-2013", "iso27001:2022"])
                .unwrap()
                .pairs[0]
                .a_shared
                > 100
        );

        // One with its clause tree and origin.
        let d = app
            .get(&manager, "/api/v1/frameworks/ciso:iso27001-2013")
            .await
            .json();
        assert_eq!(
            d["origin"]["identifier"],
            "urn:intuitem:risk:framework:iso27001-2013"
        );
        assert_eq!(d["origin"]["sha256"].as_str().unwrap().len(), 64);
        let top: Vec<&str> = d["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap())
            .collect();
        assert_eq!(top, ["core", "annex-a"], "{b}");
        let d = app
            .get(
                &manager,
                "/api/v1/frameworks/ciso:mapping-iso27001-2013-to-iso27001-2022",
            )
            .await
            .json();
        assert_eq!(d["links"].as_array().unwrap().len(), 134);

        // The same file again changes nothing; another file with the same id is refused.
        let r = import(&app, &manager, "file_name=again.yaml", &text).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(r.json()["unchanged"], true);
        let edited = text.replacen("name: Leadership", "name: Leadership and commitment", 1);
        let r = import(&app, &manager, "file_name=edited.yaml", &edited).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(r.text().contains("already imported"), "{}", r.text());
        assert_eq!(imports(&app, &manager).await.len(), 2, "{b}");

        // Each import is one event in the audit trail.
        let events = audited(&app, &admin, "framework.imported").await;
        assert_eq!(events.len(), 2, "{b}");
        assert!(
            events
                .iter()
                .any(|e| e["subject"] == "framework:ciso:iso27001-2013")
        );
    }
}

#[tokio::test]
async fn an_oscal_catalog_and_a_partial_profile_are_imported_with_what_was_left_out() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let r = import(
            &app,
            &admin,
            &format!("file_name={LOW}"),
            &fixture(OSCAL, LOW),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        assert_eq!(r.json()["id"], LOW_ID);
        assert_eq!(r.json()["assessable"], 149);

        let profile = fixture(OSCAL, "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
        let q = format!("file_name=moderate.json&catalog={LOW_ID}");
        let r = import(&app, &admin, &q, &profile).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(
            r.error_fields(),
            ["/profile/imports/0/include-controls/0/with-ids"]
        );
        assert!(r.text().contains("138 of the 287 controls"), "{}", r.text());

        let r = import(&app, &admin, &format!("{q}&partial=true"), &profile).await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let j = r.json();
        assert_eq!(j["assessable"], 149);
        assert_eq!(j["left_out"].as_array().unwrap().len(), 138);
        let id = j["id"].as_str().unwrap().to_string();
        let d = app
            .get(&admin, &format!("/api/v1/frameworks/{id}"))
            .await
            .json();
        assert_eq!(d["origin"]["left_out"][0], "ac-2.1");
        assert_eq!(d["origin"]["resolved_against"], LOW_ID);

        // Its page names the left-out controls.
        let page = app.get(&admin, &format!("/frameworks/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("138 controls left out"), "{b}");
        assert!(page.text().contains("<code>ac-2.1</code>"));
    }
}

#[tokio::test]
async fn a_refused_file_changes_nothing_and_names_each_problem() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let low = fixture(OSCAL, LOW);
        let r = import(&app, &admin, "file_name=low.json", &low[..low.len() / 3]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(r.error_fields(), ["(file)"]);
        assert!(r.text().contains("not valid JSON at line"));

        let broken = fixture(CISO, "iso27001-2013.yaml")
            .replacen("assessable: true", "assessable: 7", 1)
            .replacen(
                "parent_urn: urn:intuitem:risk:req_node:iso27001-2013:5\n",
                "parent_urn: urn:intuitem:risk:req_node:iso27001-2013:nowhere\n",
                1,
            );
        let r = import(&app, &admin, "file_name=broken.yaml", &broken).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let fields = r.error_fields();
        assert!(
            fields.contains(&"objects.framework.requirement_nodes[2].assessable".to_string()),
            "{fields:?}"
        );
        assert!(
            fields.iter().any(|f| f.ends_with("].parent_urn")),
            "{fields:?}"
        );

        let r = import(
            &app,
            &admin,
            "file_name=results.json",
            &fixture(
                &format!("{OSCAL}/../examples"),
                "ifa_assessment-results-example.json",
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(r.error_fields(), ["/assessment-results"]);

        let r = import(&app, &admin, "partial=true", "{}").await;
        assert_eq!(r.error_fields(), ["file_name"], "{b}");

        assert!(imports(&app, &admin).await.is_empty(), "{b}");
        assert!(
            audited(&app, &admin, "framework.imported").await.is_empty(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn readers_and_auditors_may_read_but_not_import() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let reader = app.user(&admin, "ben", "reader").await;
        let auditor = app.user(&admin, "grace", "auditor").await;
        let text = fixture(CISO, "iso27001-2013.yaml");
        for c in [&reader, &auditor] {
            let r = import(&app, c, "file_name=iso27001-2013.yaml", &text).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{b} {}", c.username);
        }
        let r = upload(&app, &reader, "iso27001-2013.yaml", &text, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");
        assert!(imports(&app, &reader).await.is_empty());
        assert_eq!(
            audited(&app, &admin, "permission.denied").await.len(),
            3,
            "{b}"
        );

        let r = import(&app, &admin, "file_name=iso27001-2013.yaml", &text).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(imports(&app, &reader).await.len(), 1);
        let page = app.get(&reader, "/frameworks").await;
        assert!(
            page.text()
                .contains("href=\"/frameworks/ciso:iso27001-2013\"")
        );
        assert!(
            !page.text().contains("enctype=\"multipart/form-data\""),
            "no form for readers"
        );

        // Not logged in: the API says so, the page asks to log in.
        let anon = Client::default();
        assert_eq!(
            app.get(&anon, "/api/v1/frameworks").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get(&anon, "/frameworks").await.status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn the_page_imports_an_uploaded_file_and_shows_refusals_beside_the_form() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let manager = app.user(&admin, "mia", "manager").await;
        let page = app.get(&manager, "/frameworks").await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        assert!(page.text().contains("Nothing imported yet"));
        assert!(page.text().contains("enctype=\"multipart/form-data\""));
        assert!(
            page.text()
                .contains("href=\"/frameworks\" aria-current=\"page\"")
        );

        // A refused file: the form again, each problem with its path, nothing imported.
        let broken = fixture(CISO, "iso27001-2013.yaml").replacen(
            "assessable: true",
            "assessable: maybe",
            1,
        );
        let r = upload(&app, &manager, "broken.yaml", &broken, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let html = r.text();
        assert!(html.contains("Not imported: broken.yaml"), "{html}");
        assert!(html.contains("<code>objects.framework.requirement_nodes[2].assessable</code>: must be true or false, not text"));
        assert!(imports(&app, &manager).await.is_empty());

        // A good one: its page.
        let r = upload(
            &app,
            &manager,
            "iso27001-2022.yaml",
            &fixture(CISO, "iso27001-2022.yaml"),
            &[("partial", "true"), ("catalog", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text());
        let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
        assert_eq!(to, "/frameworks/ciso:iso27001-2022?imported=new");
        let page = app.get(&manager, &to).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("Imported ciso:iso27001-2022 from iso27001-2022.yaml"));
        assert!(html.contains("id=\"c-A.5.1\""));
        assert!(html.contains("123 of 140 are answered in an assessment"));
        assert!(html.contains("Statement of Applicability"));

        let list = app.get(&manager, "/frameworks").await.text();
        assert!(list.contains("123 assessable of 140"), "{list}");
        assert_eq!(
            app.get(&manager, "/frameworks/ciso:nothing").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_import() {
    let app = TestApp::new(annex_store::testing::sqlite().await.unwrap()).await;
    let j = app
        .get(&Client::default(), "/api/v1/openapi.json")
        .await
        .json();
    assert!(j["paths"]["/api/v1/frameworks"]["post"].is_object());
    assert!(j["paths"]["/api/v1/frameworks/{id}"]["get"].is_object());
    for schema in ["ImportOutcome", "FrameworkDetail", "Origin"] {
        assert!(
            j["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

#[tokio::test]
async fn an_imported_iso27001_2013_assessment_transitions_to_the_built_in_2022() {
    for app in TestApp::each().await {
        let b = app.backend();
        let admin = app.admin().await;
        let r = import(
            &app,
            &admin,
            "file_name=iso27001-2013.yaml",
            &fixture(CISO, "iso27001-2013.yaml"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let old_id = r.json()["id"].as_str().unwrap().to_string();

        // Assessed like a built-in standard.
        let r = app
            .post(
                &admin,
                "/api/v1/assessments",
                serde_json::json!({"title": "ISMS 2013", "standards": [old_id]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let old = r.json()["number"].as_str().unwrap().to_string();
        let d = app
            .get(&admin, &format!("/api/v1/assessments/{old}"))
            .await
            .json();
        let items = d["items"].as_array().unwrap();
        assert_eq!(
            items.len(),
            140,
            "{b}: every assessable node of the 2013 outline"
        );
        let context = items
            .iter()
            .find(|i| i["members"][0]["number"] == "4.1")
            .unwrap();
        let r = app
            .json(&admin, Method::PUT, &format!("/api/v1/assessments/{old}/items/{}", context["no"]),
                serde_json::json!({"result": "conforming", "notes": "Context register reviewed", "version": 0}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());

        // No mapping yet: the transition is refused, saying what to import.
        let replace = serde_json::json!({"replace": [[old_id, "iso27001:2022"]]});
        let r = app
            .post(
                &admin,
                &format!("/api/v1/assessments/{old}/transition"),
                replace.clone(),
            )
            .await;
        assert_eq!(r.error_fields(), ["replace.1"], "{b}");
        assert!(r.text().contains("import one first"), "{b}: {}", r.text());

        let r = import(
            &app,
            &admin,
            &format!("file_name={MAPPING}"),
            &fixture(CISO, MAPPING),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let r = app
            .post(
                &admin,
                &format!("/api/v1/assessments/{old}/transition"),
                replace,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let new = r.json()["number"].as_str().unwrap().to_string();
        let d = app
            .get(&admin, &format!("/api/v1/assessments/{new}"))
            .await
            .json();
        let items = d["items"].as_array().unwrap();
        let find = |n: &str| {
            items
                .iter()
                .find(|i| i["members"][0]["number"] == n)
                .unwrap()
        };
        let context = find("4.1");
        assert_eq!(context["delta"], "carried", "{b}");
        assert_eq!(context["result"], "conforming", "{b}");
        // A.5.7 Threat intelligence is new in 2022.
        assert_eq!(find("A.5.7")["delta"], "new", "{b}");
        assert_eq!(find("A.5.7")["result"], "not-assessed", "{b}");
    }
}
