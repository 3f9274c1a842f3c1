//! `/api/v1/frameworks`: imported frameworks and mapping sets — the list, one with its clause
//! tree or links, and the import itself: the file as the request body (as attachments are
//! uploaded), its name and the options in the query string.

use annex_app::App;
use annex_app::frameworks::{self, FrameworkDetail, FrameworkSummary, ImportOutcome};
use annex_core::import::Options;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use annex_app::Error;

use crate::auth::Auth;
use crate::error::ApiError;

/// Every imported framework and mapping set, oldest first.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks",
    responses((status = 200, body = Vec<FrameworkSummary>), (status = 401, body = crate::error::Problem)))]
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
) -> Result<Json<Vec<FrameworkSummary>>, ApiError> {
    Ok(Json(frameworks::list(&app, &who).await?))
}

/// One import: a framework with its origin (file, format, SHA-256, controls left out) and
/// clause tree, or a mapping set with its links.
#[utoipa::path(get, path = "/api/v1/frameworks/{id}", tag = "frameworks", params(("id" = String, Path, description = "e.g. ciso:iso27001-2013")),
    responses((status = 200, body = FrameworkDetail), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    State(app): State<App>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> Result<Json<FrameworkDetail>, ApiError> {
    Ok(Json(frameworks::get(&app, &who, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name, e.g. `iso27001-2022.yaml`.
    pub file_name: String,
    /// For an OSCAL profile: import the controls its catalog holds and record the others as
    /// left out, instead of refusing.
    #[serde(default)]
    pub partial: bool,
    /// For an OSCAL profile: the id of the imported catalog to resolve it against.
    #[serde(default)]
    pub catalog: Option<String>,
}

/// Imports an OSCAL catalog or profile (JSON) or a CISO Assistant library holding a
/// framework or a requirement mapping set (YAML); the body is the file. Managers and
/// administrators only. A malformed file is refused with 422, every problem named by its path
/// in the file (`/catalog/groups/3/controls/0/id`, `objects.framework.requirement_nodes[12].parent_urn`),
/// and nothing is stored. The same file again answers 200 and changes nothing; another file
/// with an id already imported is refused. The import is a `framework.imported` event in the
/// audit trail.
#[utoipa::path(post, path = "/api/v1/frameworks", tag = "frameworks", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportOutcome), (status = 200, body = ImportOutcome, description = "already imported from the same file"),
        (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(app): State<App>,
    Auth(who): Auth,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let p = params(raw.as_deref())?;
    let options = Options {
        partial: p.partial,
        catalog: p.catalog,
    };
    let outcome = frameworks::import(&app, &who, &p.file_name, &bytes, &options).await?;
    let status = if outcome.unchanged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome)).into_response())
}

/// The query string read by hand, so that a missing or bad value is a problem document
/// naming it rather than axum's plain-text rejection.
fn params(raw: Option<&str>) -> Result<ImportParams, Error> {
    let mut p = ImportParams {
        file_name: String::new(),
        partial: false,
        catalog: None,
    };
    for (k, v) in crate::query::pairs(raw) {
        match k.as_str() {
            "file_name" => p.file_name = v,
            "partial" => {
                p.partial = match v.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" | "" => false,
                    _ => return Err(Error::invalid("partial", "must be true or false")),
                }
            }
            "catalog" => p.catalog = Some(v).filter(|v| !v.trim().is_empty()),
            _ => {}
        }
    }
    if p.file_name.trim().is_empty() {
        return Err(Error::invalid(
            "file_name",
            "is required: the name of the uploaded file (…?file_name=catalog.json)",
        ));
    }
    Ok(p)
}
