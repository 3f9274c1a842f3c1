//! `GET /api/v1/complaints/satisfaction`: the customer satisfaction trend of the complaint
//! register, the same figures the register's page draws.

use annex_app::App;
use annex_app::complaint::{self, SatisfactionTrend};
use axum::Json;
use axum::extract::State;

use crate::auth::Auth;
use crate::error::ApiError;

/// The average satisfaction score (1 to 5) of the complaints closed in each of the last
/// twelve months, with how many scores each average is of; of the complaints you may see.
#[utoipa::path(get, path = "/api/v1/complaints/satisfaction", tag = "records",
    responses((status = 200, body = SatisfactionTrend), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn satisfaction(
    State(app): State<App>,
    Auth(who): Auth,
) -> Result<Json<SatisfactionTrend>, ApiError> {
    Ok(Json(complaint::satisfaction(&app, &who).await?))
}
