//! `GET /api/v1/recommend?industry=...&held=...`: which standards to pursue and why.

use annex_app::App;
use annex_core::recommend::Recommendation;
use axum::Json;
use axum::extract::{RawQuery, State};

use crate::error::ApiError;
use crate::query;

/// Recommends standards from a few answers.
#[utoipa::path(get, path = "/api/v1/recommend", tag = "recommend",
    params(
        ("industry" = Option<String>, Query, description = "medical-devices, manufacturing, software-it, services, construction, energy, food, automotive, public-sector or other"),
        ("regulated_market" = Option<bool>, Query, description = "Sells into a regulated market (FDA, EU MDR...)"),
        ("customers_require_certification" = Option<bool>, Query),
        ("environmental_obligations" = Option<bool>, Query),
        ("safety_obligations" = Option<bool>, Query),
        ("infosec_exposure" = Option<String>, Query, description = "low, medium or high"),
        ("innovation" = Option<bool>, Query),
        ("held" = Option<String>, Query, description = "Standards already held: comma-separated or repeated ids"),
    ),
    responses((status = 200, body = Recommendation), (status = 422, body = crate::error::Problem)))]
pub async fn run(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Recommendation>, ApiError> {
    let answers = annex_app::recommend::answers_from_pairs(query::pairs(raw.as_deref()))?;
    Ok(Json(annex_app::recommend::run(&app, &answers)?))
}
