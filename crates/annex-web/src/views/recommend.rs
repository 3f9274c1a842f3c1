//! The selector page: a few questions about the organisation, and which standards to pursue,
//! in what order, and why.

use annex_app::App;
use annex_core::recommend::{Answers, Exposure, Industry, Recommendation};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Choice, Nav};
use crate::error::render;
use crate::query;

#[derive(Template)]
#[template(path = "recommend/page.html")]
pub struct RecommendPage {
    pub nav: Nav,
    pub answers: Answers,
    pub industries: Vec<Choice>,
    pub exposures: Vec<Choice>,
    pub held: Vec<Choice>,
    pub result: Option<Recommendation>,
    pub error: Option<(String, String)>,
}

pub async fn page(State(app): State<App>, nav: Nav, RawQuery(raw): RawQuery) -> Response {
    let pairs = query::pairs(raw.as_deref());
    let asked = !pairs.is_empty();
    let (answers, result, error) = match annex_app::recommend::answers_from_pairs(pairs) {
        Ok(answers) if asked => match annex_app::recommend::run(&app, &answers) {
            Ok(r) => (answers, Some(r), None),
            Err(e) => (answers, None, Some(e)),
        },
        Ok(answers) => (answers, None, None),
        Err(e) => (Answers::default(), None, Some(e)),
    };
    let error = error.map(|e| (e.field().unwrap_or_default().to_string(), e.to_string()));
    let held_ids: Vec<String> = result.as_ref().map(|r| r.held.clone()).unwrap_or_default();
    let page = RecommendPage {
        nav,
        industries: Industry::ALL
            .iter()
            .map(|i| Choice {
                value: i.key().into(),
                label: i.label().into(),
                detail: String::new(),
                checked: *i == answers.industry,
            })
            .collect(),
        exposures: Exposure::ALL
            .iter()
            .map(|x| Choice {
                value: x.key().into(),
                label: x.key().into(),
                detail: String::new(),
                checked: *x == answers.infosec_exposure,
            })
            .collect(),
        held: annex_app::standards::list(&app)
            .into_iter()
            .filter(|s| s.certifiable)
            .map(|s| Choice {
                value: s.id.clone(),
                label: s.designation.clone(),
                detail: s.title.clone(),
                checked: held_ids.contains(&s.id) || answers.held.contains(&s.id),
            })
            .collect(),
        answers,
        result,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}
