//! `GET /api/v1/compare?ids=a,b[,c...]`: overlap, shared and unique clauses, facts.

use annex_app::App;
use annex_core::compare::Comparison;
use axum::Json;
use axum::extract::{RawQuery, State};

use crate::error::ApiError;
use crate::query;

/// Compares two or more standards.
#[utoipa::path(get, path = "/api/v1/compare", tag = "compare",
    params(("ids" = String, Query, description = "Two or more standard ids, comma-separated or repeated", example = "iso9001:2015,iso14001:2015")),
    responses((status = 200, body = Comparison),
              (status = 422, body = crate::error::Problem, description = "Fewer than two ids, a repeated id, or an unknown id (with the closest ids)")))]
pub async fn run(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Comparison>, ApiError> {
    Ok(Json(annex_app::compare::run(
        &app,
        &query::ids(raw.as_deref()),
    )?))
}
