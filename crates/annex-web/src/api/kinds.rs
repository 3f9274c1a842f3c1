//! `GET /api/v1/kinds`: every record kind with its fields, states and transitions, so API
//! clients and forms are driven by the same declaration.

use annex_app::kinds;
use annex_core::kinds::KindInfo;
use axum::Json;
use axum::extract::Path;

use crate::error::ApiError;

/// Every record kind.
#[utoipa::path(get, path = "/api/v1/kinds", tag = "records", responses((status = 200, body = [KindInfo])))]
pub async fn list() -> Json<Vec<KindInfo>> {
    Json(kinds::list())
}

/// One record kind.
#[utoipa::path(get, path = "/api/v1/kinds/{id}", tag = "records", params(("id" = String, Path)),
    responses((status = 200, body = KindInfo), (status = 422, body = crate::error::Problem)))]
pub async fn show(Path(id): Path<String>) -> Result<Json<KindInfo>, ApiError> {
    Ok(Json(kinds::get(&id)?.describe()))
}
