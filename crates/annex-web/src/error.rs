//! The one place app errors become HTTP: a JSON problem document (RFC 9457) for the API,
//! an HTML page for people. Each names the field and the rule that was broken.

use annex_app::Error;
use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::auth::Found;
use crate::views::Nav;

/// One broken rule on one field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub rule: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For an unknown standard: the nearest known ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closest: Vec<String>,
}

impl Problem {
    pub fn from_error(e: &Error) -> Self {
        match e {
            Error::UnknownStandard {
                field,
                input,
                closest,
            } => Problem {
                kind: "urn:annex:problem:unknown-standard".into(),
                title: "Unknown standard".into(),
                // An id in the path names a resource that is not there; in a query it is
                // an invalid value.
                status: if field == "id" { 404 } else { 422 },
                detail: e.to_string(),
                errors: vec![FieldError {
                    field: field.clone(),
                    rule: format!("'{input}' is not a standard in the catalog"),
                }],
                closest: closest.clone(),
            },
            Error::Invalid { field, rule } => Problem {
                kind: "urn:annex:problem:invalid".into(),
                title: "Invalid input".into(),
                status: 422,
                detail: e.to_string(),
                errors: vec![FieldError {
                    field: field.clone(),
                    rule: rule.clone(),
                }],
                closest: Vec::new(),
            },
            Error::Rejected(errors) => Problem {
                kind: "urn:annex:problem:invalid".into(),
                title: "Invalid input".into(),
                status: 422,
                detail: e.to_string(),
                errors: errors
                    .iter()
                    .map(|f| FieldError {
                        field: f.field.clone(),
                        rule: f.rule.clone(),
                    })
                    .collect(),
                closest: Vec::new(),
            },
            Error::Unauthenticated(_) => Problem::simple(401, "unauthenticated", "Log in first", e),
            Error::Forbidden { action, rule } => Problem {
                errors: vec![FieldError {
                    field: action.clone(),
                    rule: rule.clone(),
                }],
                ..Problem::simple(403, "forbidden", "Not allowed", e)
            },
            Error::NotFound(_) => Problem::simple(404, "not-found", "Not found", e),
            Error::Conflict { changed, .. } => Problem {
                errors: changed
                    .iter()
                    .map(|c| FieldError {
                        field: c.clone(),
                        rule: "changed by someone else since you read it".into(),
                    })
                    .collect(),
                ..Problem::simple(409, "conflict", "Changed by someone else", e)
            },
            Error::TooLarge { field, .. } => Problem {
                errors: vec![FieldError {
                    field: field.clone(),
                    rule: e.to_string(),
                }],
                ..Problem::simple(413, "too-large", "Too large", e)
            },
            Error::Throttled { .. } => Problem::simple(429, "throttled", "Too many attempts", e),
            Error::Catalog(_) | Error::Store(_) | Error::Internal(_) => {
                tracing::error!(error = %e, "request failed");
                Problem {
                    kind: "urn:annex:problem:internal".into(),
                    title: "Internal error".into(),
                    status: 500,
                    detail: "something went wrong on the server; the error is logged".into(),
                    errors: Vec::new(),
                    closest: Vec::new(),
                }
            }
        }
    }

    fn simple(status: u16, kind: &str, title: &str, e: &Error) -> Self {
        Problem {
            kind: format!("urn:annex:problem:{kind}"),
            title: title.into(),
            status,
            detail: e.to_string(),
            errors: Vec::new(),
            closest: Vec::new(),
        }
    }

    pub fn not_found(detail: String) -> Self {
        Problem {
            kind: "urn:annex:problem:not-found".into(),
            title: "Not found".into(),
            status: 404,
            detail,
            errors: Vec::new(),
            closest: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(detail = %self.detail, "request failed");
        }
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(self),
        )
            .into_response()
    }
}

/// An API error: rendered as a problem document.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = Problem::from_error(&self.0).into_response();
        with_retry_after(&mut res, &self.0);
        res
    }
}

/// Adds `Retry-After` (RFC 9110 10.2.3) to the answer to a refusal that lifts by itself — a
/// throttled login — so that a script waits as long as it must instead of guessing.
pub fn with_retry_after(res: &mut Response, e: &Error) {
    if let Error::Throttled { retry_after } = e {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Nav,
    pub status: u16,
    pub title: String,
    pub detail: String,
    pub closest: Vec<String>,
}

/// A page error: rendered as an HTML page with the same status.
#[derive(Debug)]
pub struct PageError(pub Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = error_page(Problem::from_error(&self.0));
        with_retry_after(&mut res, &self.0);
        res
    }
}

/// The problem an error page shows, kept on the response so that [`with_nav`] can draw the
/// page again with the header of the user who asked.
#[derive(Debug, Clone)]
struct Shown(Problem);

fn error_page(p: Problem) -> Response {
    let mut res = error_page_for(&p, Nav::default());
    res.extensions_mut().insert(Shown(p));
    res
}

fn error_page_for(p: &Problem, nav: Nav) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let page = ErrorPage {
        nav,
        status: p.status,
        title: p.title.clone(),
        detail: p.detail.clone(),
        closest: p.closest.clone(),
    };
    (status, render(&page)).into_response()
}

/// Error pages are rendered where the error happens, which does not know who is logged in;
/// this middleware (inside [`crate::auth::authenticate`]) renders them again with the
/// logged-in user's header, so a refusal does not look like being logged out.
pub async fn with_nav(req: Request, next: Next) -> Response {
    let who = req.extensions().get::<Found>().map(|f| f.principal.clone());
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    match (who, res.extensions().get::<Shown>()) {
        (Some(who), Some(Shown(p))) => {
            let mut again = error_page_for(p, Nav::new(Some(&who), &path));
            // Keep what the handler set besides the body (a Retry-After, say).
            for (name, value) in res.headers() {
                if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
                    again.headers_mut().append(name.clone(), value.clone());
                }
            }
            again
        }
        _ => res,
    }
}

/// Renders a template; a template that fails to render is a 500, never a panic.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// Unknown routes: a problem document under `/api`, a page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    let detail = format!("nothing is at {}", uri.path());
    if uri.path().starts_with("/api/") {
        Problem::not_found(detail).into_response()
    } else {
        error_page(Problem::not_found(detail))
    }
}
