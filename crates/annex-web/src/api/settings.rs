//! `/api/v1/settings`: settings changed while Annex runs — the risk matrix — and
//! `/api/v1/risks/heat-map`, the risk register's heat map drawn with it.

use annex_app::App;
use annex_app::risk::{self, HeatMap};
use annex_app::settings::{self, MatrixChange, MatrixChanged, RiskMatrixView};
use axum::Json;
use axum::extract::State;

use super::body::Body;
use crate::auth::Auth;
use crate::error::ApiError;

/// The risk matrix: its likelihood and impact scales and the levels scores fall into.
#[utoipa::path(get, path = "/api/v1/settings/risk-matrix", tag = "settings",
    responses((status = 200, body = RiskMatrixView), (status = 401, body = crate::error::Problem)))]
pub async fn risk_matrix(
    State(app): State<App>,
    Auth(who): Auth,
) -> Result<Json<RiskMatrixView>, ApiError> {
    Ok(Json(settings::risk_matrix(&app, &who).await?))
}

/// Replaces the risk matrix (administrators; a reason is required). Every open risk's score
/// and level are recomputed in the same transaction; an accepted risk whose level changes
/// goes back to assessed. A matrix whose scales no longer reach the ratings of open risks is
/// refused naming them. The change is a `settings.change` event in the audit trail.
#[utoipa::path(put, path = "/api/v1/settings/risk-matrix", tag = "settings", request_body = MatrixChange,
    responses((status = 200, body = MatrixChanged), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_risk_matrix(
    State(app): State<App>,
    Auth(who): Auth,
    Body(change): Body<MatrixChange>,
) -> Result<Json<MatrixChanged>, ApiError> {
    Ok(Json(settings::set_risk_matrix(&app, &who, change).await?))
}

/// Open risks the caller may see, counted by residual likelihood × impact, each cell
/// coloured by its level and linked to the list of its risks.
#[utoipa::path(get, path = "/api/v1/risks/heat-map", tag = "records",
    responses((status = 200, body = HeatMap), (status = 401, body = crate::error::Problem)))]
pub async fn heat_map(State(app): State<App>, Auth(who): Auth) -> Result<Json<HeatMap>, ApiError> {
    Ok(Json(risk::heat_map(&app, &who).await?))
}
