//! Assessments in the JSON API: start one, read its checklist (filtered) and readiness,
//! answer items, upload evidence files, keep readiness snapshots, and start the transition
//! of a superseded edition to its successor. The pages (`views::assessment`) call the same
//! use cases.

use annex_app::assessment::{
    self, AnswerInput, Detail, ItemView, NewInput, Show, Summary, TransitionInput,
};
use annex_app::{App, Error};
use annex_core::assessment::{Readiness, Snapshot};
use annex_core::kinds::FieldError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::body::Body;
use crate::auth::Auth;
use crate::error::ApiError;

/// Assessments the user sees, newest first.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments",
    responses((status = 200, body = Vec<Summary>), (status = 401, body = crate::error::Problem)))]
pub async fn list(State(app): State<App>, Auth(who): Auth) -> Result<Json<Vec<Summary>>, ApiError> {
    Ok(Json(assessment::list(&app, &who).await?))
}

/// Starts an assessment over one or more standards for a scope. A requirement the chosen
/// standards share is one item of the checklist, counted for each.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessments", request_body = NewInput,
    responses((status = 201, body = Summary), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(app): State<App>,
    Auth(who): Auth,
    Body(input): Body<NewInput>,
) -> Result<Response, ApiError> {
    let s = assessment::create(&app, &who, input).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChecklistParams {
    /// `all` (default), `unanswered`, `nonconforming` or `review`.
    pub show: Option<String>,
    /// Only the items that count for this standard id.
    pub standard: Option<String>,
}

/// Reads a checklist filter, refusing what it does not know.
pub fn show_of(show: Option<&str>) -> Result<Show, Error> {
    Show::parse(show.unwrap_or_default().trim()).ok_or_else(|| {
        Error::Rejected(vec![FieldError::new(
            "show",
            "must be one of: all, unanswered, nonconforming, review",
        )])
    })
}

/// An assessment with its checklist (every item, or those the filters select), each item's
/// answer, evidence, the results carried to it and why, and readiness.
#[utoipa::path(get, path = "/api/v1/assessments/{number}", tag = "assessments", params(("number" = String, Path), ChecklistParams),
    responses((status = 200, body = Detail), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Query(p): Query<ChecklistParams>,
) -> Result<Json<Detail>, ApiError> {
    let show = show_of(p.show.as_deref())?;
    let mut d = assessment::get(&app, &who, &number).await?;
    d.filter(show, p.standard.as_deref().filter(|s| !s.is_empty()));
    Ok(Json(d))
}

/// Readiness per standard and per section, computed now from the answers and evidence,
/// with the gap list of each standard.
#[utoipa::path(get, path = "/api/v1/assessments/{number}/readiness", tag = "assessments", params(("number" = String, Path)),
    responses((status = 200, body = Readiness), (status = 404, body = crate::error::Problem)))]
pub async fn readiness(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Json<Readiness>, ApiError> {
    Ok(Json(assessment::readiness(&app, &who, &number).await?))
}

/// Answers an item: result, maturity (0–5), notes, the justification of "not applicable",
/// and the records that evidence it. Send the item's version you read (0 when unanswered).
#[utoipa::path(put, path = "/api/v1/assessments/{number}/items/{item}", tag = "assessments",
    params(("number" = String, Path), ("item" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = ItemView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn answer(
    State(app): State<App>,
    Auth(who): Auth,
    Path((number, item)): Path<(String, i64)>,
    Body(input): Body<AnswerInput>,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(
        assessment::answer(&app, &who, &number, item, input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FileParams {
    /// The file's name.
    pub name: String,
}

/// Uploads a file as evidence of an item: the request body is the file, its `Content-Type`
/// the media type.
#[utoipa::path(post, path = "/api/v1/assessments/{number}/items/{item}/files", tag = "assessments",
    params(("number" = String, Path), ("item" = i64, Path), FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ItemView), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn attach(
    State(app): State<App>,
    Auth(who): Auth,
    Path((number, item)): Path<(String, i64)>,
    Query(p): Query<FileParams>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let upload = super::records::upload(p.name, &headers, &bytes);
    let v = assessment::attach(&app, &who, &number, item, upload).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Downloads an evidence file.
#[utoipa::path(get, path = "/api/v1/assessments/{number}/files/{id}", tag = "assessments",
    params(("number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
pub async fn file(
    State(app): State<App>,
    Auth(who): Auth,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    Ok(file_response(
        assessment::file(&app, &who, &number, id).await?,
    ))
}

/// An evidence file as a download.
pub fn file_response(f: assessment::FileDownload) -> Response {
    super::records::file_download(&f.name, f.media_type, f.sha256, f.bytes)
}

/// Keeps readiness as it is now, for the trend.
#[utoipa::path(post, path = "/api/v1/assessments/{number}/snapshots", tag = "assessments", params(("number" = String, Path)),
    responses((status = 201, body = Snapshot), (status = 403, body = crate::error::Problem)))]
pub async fn snapshot(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let s = assessment::snapshot(&app, &who, &number).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

/// Starts the transition of this assessment to the successors of its superseded standards:
/// answers carried where the mapping allows, the rest marked new or changed.
#[utoipa::path(post, path = "/api/v1/assessments/{number}/transition", tag = "assessments", params(("number" = String, Path)), request_body = TransitionInput,
    responses((status = 201, body = Summary), (status = 422, body = crate::error::Problem)))]
pub async fn transition(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(input): Body<TransitionInput>,
) -> Result<Response, ApiError> {
    let s = assessment::transition(&app, &who, &number, input).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `xlsx` (a summary, the integrated checklist, a sheet per standard, the gaps), `csv`
    /// (the integrated checklist), `pdf` (the auditor's report) or `oscal` (OSCAL assessment
    /// results, JSON).
    pub format: String,
}

/// The assessment's report; each download is an audit-trail event.
#[utoipa::path(get, path = "/api/v1/assessments/{number}/report", tag = "assessments", params(("number" = String, Path), ReportParams),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report_file(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Query(p): Query<ReportParams>,
) -> Result<Response, ApiError> {
    Ok(report(&app, &who, &number, &p.format).await?)
}

/// The report of `number` in `format`, as a download: what the API and the pages answer.
pub async fn report(
    app: &App,
    who: &annex_app::Principal,
    number: &str,
    format: &str,
) -> Result<Response, Error> {
    use annex_report::assessment as render;
    let (media, ext) = match format {
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "pdf" => ("application/pdf", "pdf"),
        "oscal" => (render::OSCAL_JSON_TYPE, "oscal.json"),
        _ => {
            return Err(Error::Rejected(vec![FieldError::new(
                "format",
                "must be one of: xlsx, csv, pdf, oscal",
            )]));
        }
    };
    let r = assessment::report(app, who, number, format).await?;
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("the {format} report: {e}"));
    let bytes = match format {
        "xlsx" => render::xlsx(&r).map_err(|e| fail(&e))?,
        "csv" => render::csv(&r).map_err(|e| fail(&e))?,
        "pdf" => annex_pdf::assessment(&render::printed(&r)).map_err(|e| fail(&e))?,
        _ => serde_json::to_vec_pretty(&render::oscal(&r)).map_err(|e| fail(&e))?,
    };
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{number}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
