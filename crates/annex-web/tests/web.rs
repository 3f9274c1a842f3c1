//! The web layer as a browser and an API client meet it: the real router, real requests,
//! what comes back. One test binary for the crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use annex_app::App;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

// Tests of the records kernel over HTTP, with real sessions and CSRF tokens, on SQLite and
// (when ANNEX_TEST_DATABASE_URL is set) PostgreSQL, and in a real Chromium. In subfolder files
// so that cargo does not build each as a test binary of its own.
#[path = "web/assessments.rs"]
mod assessments;
#[path = "web/browser.rs"]
mod browser;
#[path = "web/demo.rs"]
mod demo;
#[path = "web/equipment_training.rs"]
mod equipment_training;
#[path = "web/exports.rs"]
mod exports;
#[path = "web/frameworks.rs"]
mod frameworks;
#[path = "web/objectives_suppliers.rs"]
mod objectives_suppliers;
#[path = "web/pages.rs"]
mod pages;
#[path = "web/records_api.rs"]
mod records_api;
#[path = "web/risks.rs"]
mod risks;
// Not every test uses every helper (and `TestApp::db` only keeps the database alive).
#[allow(dead_code)]
#[path = "web/support.rs"]
mod support;

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn get(path: &str) -> Reply {
    let app = App::new().expect("catalog loads");
    let res = annex_web::router(app)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

mod api {
    use super::*;

    #[tokio::test]
    async fn health_answers_with_the_catalog_size() {
        let r = get("/health").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["status"], "ok");
        assert_eq!(j["standards"], 11);
    }

    #[tokio::test]
    async fn the_standards_list_links_every_standard() {
        let j = get("/api/v1/standards").await.json();
        let list = j.as_array().unwrap();
        assert_eq!(list.len(), 11);
        let iso9001 = list.iter().find(|s| s["id"] == "iso9001:2015").unwrap();
        assert_eq!(iso9001["href"], "/api/v1/standards/iso9001:2015");
        assert_eq!(iso9001["certifiable"], true);
        assert_eq!(iso9001["requirements"], 75);
        let old = list.iter().find(|s| s["id"] == "iso9001:2008").unwrap();
        assert_eq!(old["status"], "withdrawn");
        assert_eq!(old["superseded_by"], "iso9001:2015");
    }

    #[tokio::test]
    async fn a_standard_comes_with_its_facts_and_whole_clause_tree() {
        let r = get("/api/v1/standards/iso27001:2022").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert!(
            j["facts"]["certification_path"]
                .as_str()
                .unwrap()
                .contains("stage 1")
        );
        let top: Vec<&str> = j["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap())
            .collect();
        assert_eq!(
            top,
            [
                "4", "5", "6", "7", "8", "9", "10", "A.5", "A.6", "A.7", "A.8"
            ]
        );
        let themes: Vec<usize> = j["clauses"].as_array().unwrap()[7..]
            .iter()
            .map(|t| t["children"].as_array().unwrap().len())
            .collect();
        assert_eq!(themes, [37, 8, 14, 34]);
        let six = &j["clauses"][2];
        let risk = six["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["number"] == "6.1")
            .unwrap();
        assert_eq!(risk["children"].as_array().unwrap().len(), 3);
        assert!(risk["intent"].as_str().unwrap().len() > 20);
    }

    #[tokio::test]
    async fn an_unknown_standard_is_a_problem_document_naming_the_closest() {
        let r = get("/api/v1/standards/iso9001").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.content_type, "application/problem+json");
        let j = r.json();
        assert_eq!(j["status"], 404);
        assert_eq!(j["type"], "urn:annex:problem:unknown-standard");
        assert_eq!(j["errors"][0]["field"], "id");
        assert_eq!(j["closest"][0], "iso9001:2015");
    }

    #[tokio::test]
    async fn compare_gives_shared_and_unique_clauses_and_overlap_both_ways() {
        let r = get("/api/v1/compare?ids=iso9001:2015,iso14001:2015").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        let direct = App::new()
            .unwrap()
            .catalog
            .compare(&["iso9001:2015", "iso14001:2015"])
            .unwrap();
        let p = &j["pairs"][0];
        assert_eq!(p["a_shared"], direct.pairs[0].a_shared);
        assert_eq!(p["b_shared"], direct.pairs[0].b_shared);
        assert_eq!(p["a_percent"], direct.pairs[0].a_percent);
        assert_eq!(p["b_percent"], direct.pairs[0].b_percent);
        assert!(
            p["shared"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["a"]["number"] == "9.2" && s["relationship"] == "equal")
        );
        assert!(
            j["unique"][1]["clauses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["number"] == "6.1.2")
        );
        // Repeated ids are the same request.
        let again = get("/api/v1/compare?ids=iso9001:2015&ids=iso14001:2015")
            .await
            .json();
        assert_eq!(again["pairs"][0]["a_shared"], p["a_shared"]);
    }

    #[tokio::test]
    async fn compare_refuses_bad_id_lists_naming_the_field() {
        for (query, rule) in [
            ("ids=iso9001:2015", "at least two"),
            ("ids=iso9001:2015,ISO%209001:2015", "named twice"),
            ("", "at least two"),
        ] {
            let r = get(&format!("/api/v1/compare?{query}")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            let j = r.json();
            assert_eq!(j["errors"][0]["field"], "ids", "{query}");
            assert!(
                j["errors"][0]["rule"].as_str().unwrap().contains(rule),
                "{query}: {}",
                r.body
            );
        }
        let r = get("/api/v1/compare?ids=iso9001:2015,iso14001").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["closest"][0], "iso14001:2015");
    }

    #[tokio::test]
    async fn recommend_explains_and_refuses_unknown_values() {
        let j = get(
            "/api/v1/recommend?industry=medical-devices&regulated_market=true&held=iso9001:2015",
        )
        .await
        .json();
        assert_eq!(j["recommended"][0]["id"], "iso13485:2016");
        assert_eq!(j["held"][0], "iso9001:2015");
        assert!(
            j["recommended"][0]["saved_effort"]["percent"]
                .as_f64()
                .unwrap()
                > 50.0
        );
        assert!(
            !j["recommended"][0]["reasons"][0]["quote"]
                .as_str()
                .unwrap()
                .is_empty()
        );

        let r = get("/api/v1/recommend?industry=shipbuilding").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "industry");
        let r = get("/api/v1/recommend?innovation=perhaps").await;
        assert_eq!(r.json()["errors"][0]["field"], "innovation");
        let r = get("/api/v1/recommend?held=iso9999:2000").await;
        assert_eq!(r.json()["errors"][0]["field"], "held");
    }

    #[tokio::test]
    async fn search_finds_clauses_across_standards() {
        let j = get("/api/v1/search?q=internal%20audit").await.json();
        let hits = j.as_array().unwrap();
        for id in ["iso9001:2015", "iso14001:2015", "iso13485:2016"] {
            assert!(hits.iter().any(|h| h["standard"] == id), "{id}");
        }
        let long = "x".repeat(201);
        assert_eq!(
            get(&format!("/api/v1/search?q={long}")).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[tokio::test]
    async fn the_openapi_document_describes_every_endpoint() {
        let j = get("/api/v1/openapi.json").await.json();
        assert!(j["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/health",
            "/api/v1/standards",
            "/api/v1/standards/{id}",
            "/api/v1/search",
            "/api/v1/compare",
            "/api/v1/recommend",
        ] {
            assert!(j["paths"][path]["get"].is_object(), "{path} missing");
        }
        for schema in [
            "Comparison",
            "Problem",
            "StandardDetail",
            "Recommendation",
            "ClauseNode",
        ] {
            assert!(
                j["components"]["schemas"][schema].is_object(),
                "{schema} missing"
            );
        }
    }

    #[tokio::test]
    async fn unknown_api_routes_are_problem_documents() {
        let r = get("/api/v1/nothing-here").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.content_type, "application/problem+json");
    }
}

mod catalog_pages {
    use super::*;

    #[tokio::test]
    async fn the_catalog_browser_lists_standards_and_searches_clauses() {
        let r = get("/standards").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.content_type.starts_with("text/html"));
        assert!(r.body.contains("ISO 13485:2016"));
        assert!(r.body.contains("href=\"/standards/iso27001:2022\""));
        assert!(r.body.contains("name=\"viewport\""), "usable on a phone");
        let r = get("/standards?q=calibration").await;
        assert!(r.body.contains("clauses match “calibration”"), "{}", r.body);
        // The htmx partial is the results alone.
        let r = get("/standards/search?q=calibration").await;
        assert!(r.body.contains("id=\"results\""));
        assert!(!r.body.contains("<html"));
        assert_eq!(get("/").await.status, StatusCode::SEE_OTHER);
    }

    #[tokio::test]
    async fn a_standard_page_shows_facts_and_flags_unverified_titles() {
        let r = get("/standards/iso13485:2016").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Who needs it"));
        assert!(r.body.contains("id=\"c-7.3.4\""));
        assert!(
            r.body.contains("badge warn"),
            "unverified titles are flagged"
        );
        let r = get("/standards/iso9001:2015").await;
        assert!(
            r.body
                .contains("Anchor: equal of harmonized structure 7.5.3"),
            "anchors are shown"
        );
    }

    #[tokio::test]
    async fn an_unknown_standard_page_is_a_404_with_suggestions() {
        let r = get("/standards/iso14001").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("href=\"/standards/iso14001:2015\""));
    }

    #[tokio::test]
    async fn the_comparison_page_shows_the_same_figures_as_the_api() {
        let api = get("/api/v1/compare?ids=iso9001:2015,iso14001:2015")
            .await
            .json();
        let r = get("/compare?ids=iso9001:2015&ids=iso14001:2015").await;
        assert_eq!(r.status, StatusCode::OK);
        let a = format!("{:.1} %", api["pairs"][0]["a_percent"].as_f64().unwrap());
        let b = format!("{:.1} %", api["pairs"][0]["b_percent"].as_f64().unwrap());
        assert!(r.body.contains(&a) && r.body.contains(&b), "{a} {b}");
        assert!(r.body.contains("Facts side by side"));
        assert!(r.body.contains("Clause-by-clause alignment"));
        assert!(r.body.contains("Unique to each"));
        assert!(r.body.contains("value=\"iso9001:2015\" checked"));
    }

    #[tokio::test]
    async fn the_comparison_page_explains_a_bad_pick_beside_the_picker() {
        let r = get("/compare?ids=iso9001:2015").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("ids: name at least two standards to compare")
        );
        assert!(r.body.contains("aria-describedby=\"ids-error\""));
    }

    #[tokio::test]
    async fn the_selector_recommends_and_quotes_its_reasons() {
        let r = get("/recommend").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("Recommended, in order"));
        let r = get("/recommend?industry=medical-devices&regulated_market=true&held=iso9001:2015")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let first = r.body.find("href=\"/standards/iso13485:2016\"").unwrap();
        let second = r.body.find("href=\"/standards/iso14971:2019\"").unwrap();
        assert!(first < second, "ISO 13485 comes first");
        assert!(r.body.contains("Saved effort:"));
        assert!(r.body.contains("value=\"iso9001:2015\" checked"));
        let r = get("/recommend?industry=shipbuilding").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("industry: must be one of"));
    }

    #[tokio::test]
    async fn pages_carry_security_headers_and_assets_are_embedded() {
        let r = get("/standards").await;
        let csp = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'"));
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        let css = get("/assets/annex.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.content_type.starts_with("text/css"));
        let js = get("/assets/htmx.min.js").await;
        assert!(js.content_type.starts_with("text/javascript"));
        assert!(js.body.len() > 10_000);
        assert_eq!(get("/assets/nope.js").await.status, StatusCode::NOT_FOUND);
        let missing = get("/no/such/page").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("nothing is at /no/such/page"));
    }
}
