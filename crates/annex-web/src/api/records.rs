//! `/api/v1/records`: list (filters, sort, cursor pagination), create, read, update,
//! transition, sign, link, attach, comment, acknowledge and history of controlled records.

use annex_app::App;
use annex_app::audit_trail::EventFilter;
use annex_app::audit_trail::{self, EventView};
use annex_app::records::{
    self, AckView, AttachmentView, CommentView, Detail, Edit, LinkView, NewLink, NewRecord, Page,
    RecordView, SignatureView, Signing, Step, Upload, VersionView,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::body::Body;
use crate::auth::Auth;
use crate::error::ApiError;

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Record kind, e.g. `document`.
    pub kind: Option<String>,
    /// One or more states (repeat the parameter).
    #[serde(default)]
    pub state: Vec<String>,
    /// A user name, or `me`.
    pub owner: Option<String>,
    pub site: Option<String>,
    /// Due on or before this date.
    pub due_before: Option<String>,
    /// Due on or after this date.
    pub due_after: Option<String>,
    /// `overdue`, `today`, `soon` (after today, within the configured lead, 7 days by
    /// default) or `later`: open records whose most urgent date — the due date, or a date the
    /// kind declares as a reminder such as a document's periodic review — is that urgent.
    pub due: Option<String>,
    /// Words to find in number, title and fields.
    pub q: Option<String>,
    /// `updated` (default), `-updated`, `created`, `-created`, `due`, `title`.
    pub sort: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; 50 by default.
    pub limit: Option<i64>,
    /// Only records not in an end state.
    #[serde(default)]
    pub open: bool,
}

/// Records the caller may see, one page at a time.
#[utoipa::path(get, path = "/api/v1/records", tag = "records", params(ListParams),
    responses((status = 200, body = Page), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    uri: axum::http::Uri,
) -> Result<Json<Page>, ApiError> {
    // Through the same reading as the list pages: `state` may repeat.
    let form = crate::views::Form::parse(uri.query().unwrap_or("").as_bytes());
    Ok(Json(
        records::list(&app, &who, crate::query::records(None, &form)).await?,
    ))
}

/// Creates a record.
#[utoipa::path(post, path = "/api/v1/records", tag = "records", request_body = NewRecord,
    responses((status = 201, body = RecordView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(app): State<App>,
    Auth(who): Auth,
    Body(new): Body<NewRecord>,
) -> Result<Response, ApiError> {
    let r = records::create(&app, &who, new).await?;
    let location = format!("/api/v1/records/{}", r.number);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(r)).into_response())
}

/// A record with its signatures, links, attachments, comments, versions and the actions
/// open to the caller.
#[utoipa::path(get, path = "/api/v1/records/{number}", tag = "records", params(("number" = String, Path)),
    responses((status = 200, body = Detail), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    Ok(Json(records::get(&app, &who, &number).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateInput {
    /// The version you read; a stale one is refused with 409.
    pub version: i64,
    pub title: Option<String>,
    /// A user name; an empty string leaves the record without an owner.
    pub owner: Option<String>,
    pub site: Option<String>,
    /// A date; an empty string removes it.
    pub due_on: Option<String>,
    /// Fields to change; null removes one.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
    pub reason: Option<String>,
}

/// Changes a record's values.
#[utoipa::path(patch, path = "/api/v1/records/{number}", tag = "records", params(("number" = String, Path)), request_body = UpdateInput,
    responses((status = 200, body = RecordView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(u): Body<UpdateInput>,
) -> Result<Json<RecordView>, ApiError> {
    let edit = Edit {
        version: u.version,
        title: u.title,
        owner: u.owner.map(|o| Some(o).filter(|o| !o.trim().is_empty())),
        site: u.site,
        due_on: u.due_on.map(|d| Some(d).filter(|d| !d.trim().is_empty())),
        fields: u.fields,
        reason: u.reason,
    };
    Ok(Json(records::update(&app, &who, &number, edit).await?))
}

/// Takes a workflow step.
#[utoipa::path(post, path = "/api/v1/records/{number}/transitions", tag = "records", params(("number" = String, Path)), request_body = Step,
    responses((status = 200, body = RecordView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn transition(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(step): Body<Step>,
) -> Result<Json<RecordView>, ApiError> {
    Ok(Json(records::transition(&app, &who, &number, step).await?))
}

/// Signs the current version.
#[utoipa::path(post, path = "/api/v1/records/{number}/signatures", tag = "records", params(("number" = String, Path)), request_body = Signing,
    responses((status = 201, body = SignatureView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn sign(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(signing): Body<Signing>,
) -> Result<Response, ApiError> {
    let sig = records::sign(&app, &who, &number, signing).await?;
    Ok((StatusCode::CREATED, Json(sig)).into_response())
}

/// Links the record to another record or to a clause.
#[utoipa::path(post, path = "/api/v1/records/{number}/links", tag = "records", params(("number" = String, Path)), request_body = NewLink,
    responses((status = 201, body = LinkView), (status = 422, body = crate::error::Problem)))]
pub async fn link(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(link): Body<NewLink>,
) -> Result<Response, ApiError> {
    let l = records::link(&app, &who, &number, link).await?;
    Ok((StatusCode::CREATED, Json(l)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AttachParams {
    /// The file's name.
    pub name: String,
}

/// Attaches a file: the request body is the file, its `Content-Type` the media type.
#[utoipa::path(post, path = "/api/v1/records/{number}/attachments", tag = "records", params(("number" = String, Path), AttachParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn attach(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Query(p): Query<AttachParams>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let a = records::attach(&app, &who, &number, upload(p.name, &headers, &bytes)).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Downloads an attachment.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "records", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
pub async fn download(
    State(app): State<App>,
    Auth(who): Auth,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = records::attachment(&app, &who, id).await?;
    Ok(file_download(&a.name, a.media_type, a.sha256, bytes))
}

/// An upload as the API receives it: the body is the file, `Content-Type` its media type.
pub fn upload(name: String, headers: &HeaderMap, bytes: &Bytes) -> Upload {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Upload {
        name,
        media_type,
        bytes: bytes.to_vec(),
    }
}

/// A stored file as a download, its SHA-256 in `X-Content-SHA256` so a copy can be checked;
/// quotes and control characters are left out of the file name.
pub fn file_download(name: &str, media_type: String, sha256: String, bytes: Vec<u8>) -> Response {
    let name: String = name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    (
        [
            (header::CONTENT_TYPE, media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::HeaderName::from_static("x-content-sha256"), sha256),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommentInput {
    pub body: String,
}

/// Adds a comment.
#[utoipa::path(post, path = "/api/v1/records/{number}/comments", tag = "records", params(("number" = String, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentView), (status = 422, body = crate::error::Problem)))]
pub async fn comment(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
    Body(c): Body<CommentInput>,
) -> Result<Response, ApiError> {
    let c = records::comment(&app, &who, &number, &c.body).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// Acknowledges having read the current revision.
#[utoipa::path(post, path = "/api/v1/records/{number}/acknowledgements", tag = "records", params(("number" = String, Path)),
    responses((status = 201, body = AckView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn acknowledge(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let a = records::acknowledge(&app, &who, &number).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    /// Every version, newest first.
    pub versions: Vec<VersionView>,
    /// The record's audit-trail events, newest first (when the caller may read the trail).
    pub events: Vec<EventView>,
}

/// Every version of a record and its audit-trail events.
#[utoipa::path(get, path = "/api/v1/records/{number}/history", tag = "records", params(("number" = String, Path)),
    responses((status = 200, body = History), (status = 404, body = crate::error::Problem)))]
pub async fn history(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Json<History>, ApiError> {
    let d = records::get(&app, &who, &number).await?;
    let events = if who.role.may(annex_core::role::Permission::ReadAuditTrail) {
        audit_trail::list(
            &app,
            &who,
            EventFilter {
                subject: Some(d.record.number.clone()),
                limit: 1000,
                ..EventFilter::default()
            },
        )
        .await?
        .events
    } else {
        Vec::new()
    };
    Ok(Json(History {
        versions: d.versions,
        events,
    }))
}
