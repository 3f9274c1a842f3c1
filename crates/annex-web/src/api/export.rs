//! `/api/v1/records/export` (a register to CSV or XLSX, with the list's filters) and
//! `/api/v1/records/{number}/pdf` (a record with its signatures and history). The pages'
//! export links (`views::export`) answer through the same two functions here, [`register`]
//! and [`record`], so a file is the same whichever way it was asked for.

use annex_app::records::ListQuery;
use annex_app::{App, Error, Principal, export};
use annex_core::export::Format;
use annex_report::export::File;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::auth::Auth;
use crate::error::ApiError;

/// The query of an export: the list's filters and order, and the format. (Read as pairs,
/// like the list's, so that `state` may repeat; this type describes it to the OpenAPI document.)
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`.
    pub format: String,
    /// The register: a record kind, e.g. `nonconformity`.
    pub kind: String,
    /// One or more states (repeat the parameter).
    pub state: Vec<String>,
    /// A user name, or `me`.
    pub owner: Option<String>,
    pub site: Option<String>,
    /// By due date: `overdue`, `today`, `soon` or `later` (open records only).
    pub due: Option<String>,
    /// Due on or before this date.
    pub due_before: Option<String>,
    /// Due on or after this date.
    pub due_after: Option<String>,
    /// Words to find in number, title and fields.
    pub q: Option<String>,
    /// `updated` (default), `-updated`, `created`, `-created`, `due`, `title`.
    pub sort: Option<String>,
    /// Only records not in an end state.
    pub open: Option<bool>,
}

/// A file to download, never kept by caches: exports hold controlled records.
fn download(media_type: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The register `query` asks for, in `format`, as a download.
pub(crate) async fn register(
    app: &App,
    who: &Principal,
    query: ListQuery,
    format: Option<&str>,
) -> Result<Response, Error> {
    let format = Format::parse(format)?;
    let mut file = File::new(format).map_err(|e| Error::Internal(e.to_string()))?;
    let done = export::register(app, who, query, &mut file).await?;
    let media_type = file.media_type();
    // Compressing a large workbook takes a while: off the threads that answer requests.
    let bytes = tokio::task::spawn_blocking(move || file.finish())
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(download(media_type, &done.filename, bytes))
}

/// Record `number` as a PDF download.
pub(crate) async fn record(app: &App, who: &Principal, number: &str) -> Result<Response, Error> {
    let data = export::record(app, who, number).await?;
    let filename = format!("{}-v{}.pdf", data.number, data.version);
    // Laying out a page is CPU work of tens of milliseconds or more.
    let bytes = tokio::task::spawn_blocking(move || annex_pdf::record(&data))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(download(annex_pdf::PDF_TYPE, &filename, bytes))
}

/// A register — every record of one kind that the caller may see and the filters match, in
/// the list's order — as CSV or XLSX. The export is recorded in the audit trail with its
/// filters and the number of rows.
#[utoipa::path(get, path = "/api/v1/records/export", tag = "records", params(ExportParams),
    responses(
        (status = 200, description = "The register, as an attachment named like `nonconformities-2026-11-22.xlsx`",
            content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = crate::error::Problem),
        (status = 422, description = "An unknown format or a filter that breaks a rule, each named", body = crate::error::Problem)))]
pub async fn register_file(
    State(app): State<App>,
    Auth(who): Auth,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    // Read as the list reads its query, so that `state` may repeat.
    let form = crate::views::Form::parse(uri.query().unwrap_or("").as_bytes());
    let query = crate::query::records(None, &form);
    Ok(register(&app, &who, query, form.opt("format").as_deref()).await?)
}

/// A record as a PDF: its fields, state, owner, links, electronic signatures (printed name,
/// time, meaning, version signed, validity), version history and audit timeline (for roles
/// that may read the audit trail). The export is recorded in the record's audit timeline.
#[utoipa::path(get, path = "/api/v1/records/{number}/pdf", tag = "records", params(("number" = String, Path)),
    responses(
        (status = 200, description = "The record, as an attachment named like `NC-0001-v5.pdf`", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
pub async fn record_pdf(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    Ok(record(&app, &who, &number).await?)
}
