//! The competence matrix in the JSON API (`GET /api/v1/competence`): the same matrix as the
//! `/competence` page.

use annex_app::App;
use annex_app::competence::{self, Matrix};
use axum::Json;
use axum::extract::State;

use crate::auth::Auth;
use crate::error::ApiError;

/// People holding active job roles against the competences their roles require; each cell
/// says current, expiring soon, expired or missing, and names the training record behind it.
#[utoipa::path(get, path = "/api/v1/competence", tag = "records",
    responses((status = 200, body = Matrix), (status = 401, body = crate::error::Problem)))]
pub async fn matrix(State(app): State<App>, Auth(who): Auth) -> Result<Json<Matrix>, ApiError> {
    Ok(Json(competence::matrix(&app, &who).await?))
}
