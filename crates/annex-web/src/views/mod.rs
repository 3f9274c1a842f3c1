//! Server-rendered pages for people: the catalog browser, a standard's page, the comparison
//! page and the selector. Every form works without JavaScript; htmx only spares a reload.

pub mod compare;
pub mod recommend;
pub mod standards;

use annex_app::App;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/standards") }))
        .route("/standards", get(standards::list))
        .route("/standards/search", get(standards::search))
        .route("/standards/{id}", get(standards::show))
        .route("/compare", get(compare::page))
        .route("/recommend", get(recommend::page))
}

/// One choice in a picker: value, label, and whether it is chosen.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub detail: String,
    pub checked: bool,
}
