//! The OpenAPI document of the JSON API, generated from the handlers and types themselves so
//! that it cannot drift from what the server does.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Annex API", description = "Annex integrated management system: standards catalog, comparison and recommendation.", license(name = "Apache-2.0 OR MIT")),
    paths(
        super::health,
        super::standards::list,
        super::standards::show,
        super::standards::search,
        super::compare::run,
        super::recommend::run,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags((name = "standards", description = "The standards catalog"),
         (name = "compare", description = "Comparison of standards"),
         (name = "recommend", description = "Which standards to pursue"))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
