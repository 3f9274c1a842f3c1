//! The catalog browser (`/standards`, with clause search) and a standard's page.

use annex_app::App;
use annex_core::catalog::{Clause, SearchHit, Standard, Verification};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::Nav;
use crate::error::{PageError, render};

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
}

#[derive(Template)]
#[template(path = "standards/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub current: Vec<&'static Standard>,
    pub other: Vec<&'static Standard>,
    pub q: String,
    pub hits: Vec<SearchHit>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "standards/hits.html")]
pub struct HitsPartial {
    pub q: String,
    pub hits: Vec<SearchHit>,
    pub error: Option<String>,
}

/// Shown beside a clause title whose wording is not confirmed by two public sources.
pub fn verification_note(v: &Verification) -> &'static str {
    match v {
        Verification::V2 => "",
        Verification::V1 => "one source",
        Verification::U => "unverified",
    }
}

fn run_search(app: &App, q: &str) -> (Vec<SearchHit>, Option<String>) {
    match annex_app::standards::search(app, q, 100) {
        Ok(hits) => (hits, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    }
}

pub async fn list(State(app): State<App>, nav: Nav, Query(q): Query<SearchQuery>) -> Response {
    let (current, other) = annex_app::standards::list(&app)
        .into_iter()
        .partition(|s| s.is_current());
    let (hits, error) = run_search(&app, &q.q);
    render(&ListPage {
        nav,
        current,
        other,
        q: q.q,
        hits,
        error,
    })
}

/// The search results alone, for htmx to swap in as the user types.
pub async fn search(State(app): State<App>, Query(q): Query<SearchQuery>) -> Response {
    let (hits, error) = run_search(&app, &q.q);
    render(&HitsPartial {
        q: q.q,
        hits,
        error,
    })
}

#[derive(Template)]
#[template(path = "standards/show.html")]
pub struct ShowPage {
    pub nav: Nav,
    pub s: &'static Standard,
    pub requirements: usize,
    pub clauses: Vec<ClauseView>,
    pub unverified: usize,
}

pub struct ClauseView {
    pub c: &'static Clause,
    pub depth: usize,
    pub note: &'static str,
    pub anchor: String,
}

pub async fn show(
    State(app): State<App>,
    nav: Nav,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let s = annex_app::standards::show(&app, &id)?;
    let clauses: Vec<ClauseView> = s
        .clauses
        .iter()
        .map(|c| ClauseView {
            c,
            depth: c.depth.min(4),
            note: verification_note(&c.verification),
            anchor: annex_app::standards::anchor(&app, c)
                .map(|(rel, h)| {
                    format!(
                        "{} of harmonized structure {} {}",
                        rel.label(),
                        h.number,
                        h.title
                    )
                })
                .unwrap_or_default(),
        })
        .collect();
    let unverified = s
        .clauses
        .iter()
        .filter(|c| c.verification == Verification::U)
        .count();
    Ok(render(&ShowPage {
        nav,
        s,
        requirements: s.requirements().count(),
        clauses,
        unverified,
    }))
}
