//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`. Errors are RFC 9457 problem documents ([`crate::error::Problem`]).

pub mod compare;
pub mod openapi;
pub mod recommend;
pub mod standards;

use annex_app::App;
use axum::Router;
use axum::extract::State;
use axum::response::Json;
use axum::routing::get;
use serde::Serialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/standards", get(standards::list))
        .route("/standards/{id}", get(standards::show))
        .route("/search", get(standards::search))
        .route("/compare", get(compare::run))
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
