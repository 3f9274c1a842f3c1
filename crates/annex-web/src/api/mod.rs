//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`. Errors are RFC 9457 problem documents ([`crate::error::Problem`]).

pub mod accounts;
pub mod assessment;
pub mod audit_trail;
pub mod body;
pub mod compare;
pub mod competence;
pub mod complaint;
pub mod export;
pub mod frameworks;
pub mod kinds;
pub mod openapi;
pub mod recommend;
pub mod records;
pub mod settings;
pub mod standards;

use annex_app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::response::Json;
use axum::routing::{delete, get, patch, post, put};
use serde::Serialize;

pub fn routes(app: &App) -> Router<App> {
    // Uploads may be as large as the attachment limit; the app layer answers 413 with a
    // problem document for anything over it, axum for anything far over it.
    let upload_limit = app.config.attachment_limit.saturating_add(64 * 1024);
    // Framework files are read whole; the app layer refuses anything over its own limit.
    let import_limit = annex_core::import::MAX_BYTES.saturating_add(64 * 1024);
    Router::new()
        .route("/setup", post(accounts::setup))
        .route("/session", post(accounts::login).delete(accounts::logout))
        .route("/me", get(accounts::me))
        .route("/tokens", post(accounts::create_token))
        .route("/tokens/{id}", delete(accounts::revoke_token))
        .route("/users", get(accounts::users).post(accounts::add_user))
        .route("/users/{username}", patch(accounts::set_access))
        .route("/users/{username}/password", put(accounts::set_password))
        .route("/kinds", get(kinds::list))
        .route("/kinds/{id}", get(kinds::show))
        .route("/records", get(records::list).post(records::create))
        .route("/records/export", get(export::register_file))
        .route(
            "/records/{number}",
            get(records::show).patch(records::update),
        )
        .route("/records/{number}/transitions", post(records::transition))
        .route("/records/{number}/signatures", post(records::sign))
        .route("/records/{number}/links", post(records::link))
        .route(
            "/records/{number}/attachments",
            post(records::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/records/{number}/comments", post(records::comment))
        .route(
            "/records/{number}/acknowledgements",
            post(records::acknowledge),
        )
        .route("/records/{number}/history", get(records::history))
        .route("/records/{number}/pdf", get(export::record_pdf))
        .route("/attachments/{id}", get(records::download))
        .route("/complaints/satisfaction", get(complaint::satisfaction))
        .route(
            "/settings/risk-matrix",
            get(settings::risk_matrix).put(settings::set_risk_matrix),
        )
        .route("/risks/heat-map", get(settings::heat_map))
        .route(
            "/assessments",
            get(assessment::list).post(assessment::create),
        )
        .route("/assessments/{number}", get(assessment::show))
        .route(
            "/assessments/{number}/readiness",
            get(assessment::readiness),
        )
        .route(
            "/assessments/{number}/items/{item}",
            put(assessment::answer),
        )
        .route(
            "/assessments/{number}/items/{item}/files",
            post(assessment::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/assessments/{number}/files/{id}", get(assessment::file))
        .route("/assessments/{number}/report", get(assessment::report_file))
        .route(
            "/assessments/{number}/snapshots",
            post(assessment::snapshot),
        )
        .route(
            "/assessments/{number}/transition",
            post(assessment::transition),
        )
        .route("/audit-trail", get(audit_trail::list))
        .route("/audit-trail/verify", post(audit_trail::verify))
        .route(
            "/frameworks",
            get(frameworks::list)
                .post(frameworks::import)
                .layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/frameworks/{id}", get(frameworks::show))
        .route("/standards", get(standards::list))
        .route("/standards/{id}", get(standards::show))
        .route("/search", get(standards::search))
        .route("/compare", get(compare::run))
        .route("/competence", get(competence::matrix))
        .route("/recommend", get(recommend::run))
        .route("/openapi.json", get(openapi::document))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the server answers and its catalog is loaded.
    pub status: &'static str,
    pub version: &'static str,
    /// Standards in the catalog.
    pub standards: usize,
}

/// Health check for load balancers and monitoring.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(app): State<App>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        standards: app.catalog.standards().len(),
    })
}
