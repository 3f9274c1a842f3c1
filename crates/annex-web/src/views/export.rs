//! The pages' export links: `/records/{kind}/export?format=csv|xlsx&<the list's filters>` on
//! each register list, and `/r/{number}/pdf` on each record page. They answer with the same
//! files as the API ([`crate::api::export`]); a problem is shown as a page, and an expired
//! login goes to the login page and back.

use annex_app::App;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::Form;
use crate::auth::Auth;
use crate::error::PageError;

/// `GET /records/{kind}/export`: the register with the list's filters, as CSV or XLSX.
pub async fn register(
    State(app): State<App>,
    Auth(who): Auth,
    Path(kind): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Form(crate::query::pairs(raw.as_deref()));
    let query = crate::query::records(Some(kind), &q);
    Ok(crate::api::export::register(&app, &who, query, q.opt("format").as_deref()).await?)
}

/// `GET /r/{number}/pdf`: the record as a PDF.
pub async fn record(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    Ok(crate::api::export::record(&app, &who, &number).await?)
}
