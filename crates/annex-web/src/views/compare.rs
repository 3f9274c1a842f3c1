//! The comparison page: pick two or more standards; see their facts side by side, the
//! overlap matrix, the clause-by-clause alignment and what is unique to each.

use annex_app::App;
use annex_core::compare::Comparison;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Choice, Nav};
use crate::error::render;

#[derive(Template)]
#[template(path = "compare/page.html")]
pub struct ComparePage {
    pub nav: Nav,
    pub choices: Vec<Choice>,
    pub result: Option<Comparison>,
    pub matrix: Vec<MatrixRow>,
    pub error: Option<String>,
}

/// One row of the overlap matrix: how much of `id` each other standard covers.
pub struct MatrixRow {
    pub id: String,
    pub designation: String,
    /// Per column: `None` on the diagonal, else (shared, total, percent).
    pub cells: Vec<Option<(usize, usize, f64)>>,
}

impl ComparePage {
    /// Heat class for a matrix cell, in steps of 20 %.
    pub fn heat(&self, percent: &f64) -> String {
        format!("heat{}", (*percent / 20.0).floor().clamp(0.0, 4.0) as u8)
    }
}

pub async fn page(State(app): State<App>, nav: Nav, RawQuery(raw): RawQuery) -> Response {
    let ids = crate::query::ids(raw.as_deref());
    let chosen: Vec<String> = ids
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_lowercase())
        .collect();
    let choices = annex_app::standards::list(&app)
        .into_iter()
        .map(|s| Choice {
            value: s.id.clone(),
            label: s.designation.clone(),
            detail: s.title.clone(),
            checked: chosen.contains(&s.id),
        })
        .collect();
    let (result, error, status) = if ids.is_empty() {
        (None, None, StatusCode::OK)
    } else {
        match annex_app::compare::run(&app, &ids) {
            Ok(c) => (Some(c), None, StatusCode::OK),
            Err(e) => (None, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        }
    };
    let matrix = result
        .as_ref()
        .map(|c| {
            c.standards
                .iter()
                .map(|row| MatrixRow {
                    id: row.id.clone(),
                    designation: row.designation.clone(),
                    cells: c
                        .standards
                        .iter()
                        .map(|col| c.pair(&row.id, &col.id))
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    (
        status,
        render(&ComparePage {
            nav,
            choices,
            result,
            matrix,
            error,
        }),
    )
        .into_response()
}
