//! `GET /api/v1/compare?ids=a,b[,c...]`: overlap, shared and unique clauses, facts.

use annex_app::App;
use annex_core::compare::Comparison;
use axum::Json;
use axum::extract::{RawQuery, State};

use super::query_pairs;
use crate::error::ApiError;

/// The `ids` of a query string: repeated (`ids=a&ids=b`) or comma-separated (`ids=a,b`).
pub(crate) fn ids(raw: Option<&str>) -> Vec<String> {
    query_pairs(raw)
        .into_iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v)
        .collect()
}

/// Compares two or more standards.
#[utoipa::path(get, path = "/api/v1/compare", tag = "compare",
    params(("ids" = String, Query, description = "Two or more standard ids, comma-separated or repeated", example = "iso9001:2015,iso14001:2015")),
    responses((status = 200, body = Comparison),
              (status = 422, body = crate::error::Problem, description = "Fewer than two ids, a repeated id, or an unknown id (with the closest ids)")))]
pub async fn run(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Comparison>, ApiError> {
    Ok(Json(annex_app::compare::run(&app, &ids(raw.as_deref()))?))
}
