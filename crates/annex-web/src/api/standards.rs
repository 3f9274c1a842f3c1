//! `GET /api/v1/standards`, `/standards/{id}` and `/search`: the catalog.

use annex_app::App;
use annex_core::catalog::{
    ClauseNode, Discipline, Facts, Nature, SearchHit, Standard, Status, Structure,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A standard in the catalog list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardItem {
    pub id: String,
    pub designation: String,
    pub title: String,
    pub discipline: Discipline,
    pub nature: Nature,
    pub certifiable: bool,
    pub structure: Structure,
    pub status: Status,
    pub published: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// Requirement clauses (clauses 4 onwards and annex controls).
    pub requirements: usize,
    /// Link to the whole standard.
    pub href: String,
}

impl From<&Standard> for StandardItem {
    fn from(s: &Standard) -> Self {
        Self {
            id: s.id.clone(),
            designation: s.designation.clone(),
            title: s.title.clone(),
            discipline: s.discipline,
            nature: s.nature,
            certifiable: s.certifiable,
            structure: s.structure,
            status: s.status,
            published: s.published,
            superseded_by: s.superseded_by.clone(),
            requirements: s.requirements().count(),
            href: format!("/api/v1/standards/{}", s.id),
        }
    }
}

/// A standard with its facts and whole clause tree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardDetail {
    #[serde(flatten)]
    pub item: StandardItem,
    pub withdrawn: Option<u16>,
    pub amendments: Vec<String>,
    pub sources: Vec<String>,
    pub facts: Facts,
    /// Top-level clauses, each with its children.
    pub clauses: Vec<ClauseNode>,
}

/// Every standard, current ones first.
#[utoipa::path(get, path = "/api/v1/standards", tag = "standards",
    responses((status = 200, body = [StandardItem])))]
pub async fn list(State(app): State<App>) -> Json<Vec<StandardItem>> {
    Json(
        annex_app::standards::list(&app)
            .into_iter()
            .map(StandardItem::from)
            .collect(),
    )
}

/// One standard: facts and clause tree.
#[utoipa::path(get, path = "/api/v1/standards/{id}", tag = "standards",
    params(("id" = String, Path, description = "Standard id, e.g. iso9001:2015")),
    responses((status = 200, body = StandardDetail),
              (status = 404, body = crate::error::Problem, description = "No such standard; names the closest ids")))]
pub async fn show(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<StandardDetail>, ApiError> {
    let s = annex_app::standards::show(&app, &id)?;
    Ok(Json(StandardDetail {
        item: s.into(),
        withdrawn: s.withdrawn,
        amendments: s.amendments.clone(),
        sources: s.sources.clone(),
        facts: s.facts.clone(),
        clauses: s.tree(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words that must all appear in a clause's number, title or intent.
    pub q: String,
}

/// Clauses across the catalog matching every word of `q` (at most 100).
#[utoipa::path(get, path = "/api/v1/search", tag = "standards", params(SearchQuery),
    responses((status = 200, body = [SearchHit]), (status = 422, body = crate::error::Problem)))]
pub async fn search(
    State(app): State<App>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    Ok(Json(annex_app::standards::search(&app, &q.q, 100)?))
}
