//! Assessment pages: `/assessments` (the list, and the form that starts one from a picker of
//! standards and a scope), `/assessments/{n}` (the checklist grouped by section, filtered by
//! what is unanswered, nonconforming or to review and by standard, each item answered in
//! place: the result list takes the first letter typed, Tab reaches the notes, Enter saves
//! and the next item is focused), and `/assessments/{n}/readiness` (the dashboard: figures,
//! charts and the gap list of each standard). They call the same use cases as the API.

use annex_app::assessment::{self, AnswerInput, Detail, ItemView, NewInput, Show, Summary};
use annex_app::{App, Error, Principal, frameworks};
use annex_core::assessment::{Conformity, Readiness};
use annex_core::catalog::Nature;
use annex_core::kinds::FieldError;
use annex_core::role::Permission;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Errors, Form, Nav};
use crate::auth::Auth;
use crate::error::{PageError, render};

/// A standard offered in the picker.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "assessment/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub csrf: String,
    pub list: Vec<Summary>,
    pub can_assess: bool,
    pub choices: Vec<Choice>,
    pub title: String,
    pub sites: String,
    pub processes: String,
    pub errors: Errors,
}

async fn choices(app: &App, checked: &[String]) -> Result<Vec<Choice>, Error> {
    let catalog = frameworks::catalog(app).await?;
    let mut out: Vec<(bool, Choice)> = catalog
        .standards()
        .iter()
        .filter(|s| s.nature != Nature::Structure)
        .map(|s| {
            (
                !s.is_current(),
                Choice {
                    id: s.id.clone(),
                    label: format!(
                        "{} — {}{}",
                        s.designation,
                        s.title,
                        if s.is_current() { "" } else { " (withdrawn)" }
                    ),
                    checked: checked.contains(&s.id),
                },
            )
        })
        .collect();
    out.sort_by_key(|(withdrawn, _)| *withdrawn);
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

fn split(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
) -> Result<Response, PageError> {
    let page = ListPage {
        csrf: who.csrf.clone().unwrap_or_default(),
        list: assessment::list(&app, &who).await?,
        can_assess: who.role.may(Permission::Assess),
        choices: choices(&app, &[]).await?,
        title: String::new(),
        sites: String::new(),
        processes: String::new(),
        errors: Errors::default(),
        nav,
    };
    Ok(render(&page))
}

pub async fn create(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let standards: Vec<String> = form
        .0
        .iter()
        .filter(|(k, _)| k == "standards")
        .map(|(_, v)| v.clone())
        .collect();
    let input = NewInput {
        title: form.get("title"),
        standards: standards.clone(),
        sites: split(&form.get("sites")),
        processes: split(&form.get("processes")),
    };
    match assessment::create(&app, &who, input).await {
        Ok(s) => Ok(Redirect::to(&format!("/assessments/{}", s.number)).into_response()),
        Err(e @ Error::Rejected(_)) => {
            let page = ListPage {
                csrf: who.csrf.clone().unwrap_or_default(),
                list: assessment::list(&app, &who).await?,
                can_assess: true,
                choices: choices(&app, &standards).await?,
                title: form.get("title"),
                sites: form.get("sites"),
                processes: form.get("processes"),
                errors: Errors::of(&e),
                nav,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// An item as the checklist draws it.
pub struct Row {
    pub v: ItemView,
    /// Per standard of the assessment: its clause(s) on this item, or empty.
    pub clauses: Vec<String>,
    pub errors: Errors,
    pub focus: bool,
}

/// A section with its items.
pub struct Group {
    pub key: String,
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "assessment/checklist.html")]
pub struct ChecklistPage {
    pub nav: Nav,
    pub csrf: String,
    pub d: Detail,
    pub groups: Vec<Group>,
    pub shown: usize,
    pub show: String,
    pub standard: String,
    pub query: String,
    pub can_assess: bool,
    pub results: Vec<(&'static str, &'static str)>,
    pub errors: Errors,
    /// Standards that have a successor to transition to: (old, new designation).
    pub successors: Vec<(String, String)>,
}

impl ChecklistPage {
    /// The designation of a standard of the assessment.
    pub fn designation<'a>(&'a self, id: &'a str) -> &'a str {
        self.d
            .designations
            .iter()
            .find(|(i, _)| i == id)
            .map_or(id, |(_, d)| d.as_str())
    }

    /// The maturity levels offered: 0 (none) to 5 (optimised).
    pub fn levels(&self, chosen: &Option<u8>) -> Vec<(u8, bool)> {
        (0..=5).map(|l| (l, *chosen == Some(l))).collect()
    }

    /// How an item came over in a transition, in words.
    pub fn delta(&self, d: &annex_core::assessment::Delta) -> &'static str {
        match d {
            annex_core::assessment::Delta::Carried => "carried over",
            annex_core::assessment::Delta::Changed => "changed: review",
            annex_core::assessment::Delta::New => "new requirement",
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ChecklistQuery {
    pub show: Option<String>,
    pub standard: Option<String>,
    pub focus: Option<u32>,
}

fn query_of(show: &str, standard: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if !show.is_empty() && show != "all" {
        q.append_pair("show", show);
    }
    if !standard.is_empty() {
        q.append_pair("standard", standard);
    }
    q.finish()
}

async fn checklist_page(
    app: &App,
    who: &Principal,
    nav: Nav,
    number: &str,
    q: &ChecklistQuery,
    failed: Option<(u32, Errors, ItemView)>,
) -> Result<ChecklistPage, Error> {
    let show_text = q.show.clone().unwrap_or_default();
    let show = crate::api::assessment::show_of(Some(&show_text))?;
    let standard = q.standard.clone().unwrap_or_default();
    let mut d = assessment::get(app, who, number).await?;
    let catalog = frameworks::catalog(app).await?;
    let successors =
        assessment::successors(&catalog, d.summary.standards.iter().map(String::as_str))
            .into_iter()
            .map(|(old, next)| (old, next.designation.clone()))
            .collect();
    d.filter(show, Some(standard.as_str()).filter(|s| !s.is_empty()));
    let mut groups: Vec<Group> = Vec::new();
    let standards = d.summary.standards.clone();
    let mut errors = Errors::default();
    for mut v in std::mem::take(&mut d.items) {
        let mut row_errors = Errors::default();
        if let Some((no, e, typed)) = &failed
            && *no == v.item.no
        {
            row_errors = e.clone();
            errors = e.clone();
            v.result = typed.result;
            v.notes = typed.notes.clone();
            v.justification = typed.justification.clone();
            v.maturity = typed.maturity;
        }
        let clauses = standards
            .iter()
            .map(|s| {
                v.item
                    .members
                    .iter()
                    .filter(|m| &m.standard == s)
                    .map(|m| m.number.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        let focus = failed.as_ref().map(|(n, ..)| *n).or(q.focus) == Some(v.item.no);
        let row = Row {
            clauses,
            errors: row_errors,
            focus,
            v,
        };
        match groups.last_mut() {
            Some(g) if g.key == row.v.item.section => g.rows.push(row),
            _ => groups.push(Group {
                key: row.v.item.section.clone(),
                title: d
                    .sections
                    .iter()
                    .find(|s| s.key == row.v.item.section)
                    .map(|s| s.title.clone())
                    .unwrap_or_default(),
                rows: vec![row],
            }),
        }
    }
    Ok(ChecklistPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        shown: groups.iter().map(|g| g.rows.len()).sum(),
        groups,
        query: query_of(&show_text, &standard),
        show: if show == Show::All {
            String::new()
        } else {
            show_text
        },
        standard,
        can_assess: who.role.may(Permission::Assess) && d.summary.state == "open",
        results: Conformity::ALL.map(|c| (c.as_str(), c.label())).to_vec(),
        errors,
        successors,
        d,
    })
}

pub async fn checklist(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    Query(q): Query<ChecklistQuery>,
) -> Result<Response, PageError> {
    Ok(render(
        &checklist_page(&app, &who, nav, &number, &q, None).await?,
    ))
}

/// Saves one item's answer from its form, then shows the checklist again with the next
/// item focused; a refused answer is shown beside its item with what was typed.
pub async fn answer(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path((number, no)): Path<(String, u32)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let q = ChecklistQuery {
        show: form.opt("show"),
        standard: form.opt("standard"),
        focus: None,
    };
    let maturity_text = form.get("maturity");
    let mut pre = Vec::new();
    let maturity = if maturity_text.trim().is_empty() {
        None
    } else {
        match maturity_text.trim().parse::<u8>() {
            Ok(m) => Some(m),
            Err(_) => {
                pre.push(FieldError::new("maturity", "must be a level from 0 to 5"));
                None
            }
        }
    };
    let version = form.get("version").trim().parse::<i64>().unwrap_or(-1);
    let records = split(&form.get("records"));
    let input = AnswerInput {
        result: form.get("result"),
        maturity,
        notes: form.get("notes"),
        justification: form.get("justification"),
        records: Some(records),
        version,
    };
    let outcome = if pre.is_empty() {
        assessment::answer(&app, &who, &number, i64::from(no), input.clone()).await
    } else {
        Err(Error::Rejected(pre))
    };
    match outcome {
        Ok(_) => {
            let query = query_of(
                q.show.as_deref().unwrap_or_default(),
                q.standard.as_deref().unwrap_or_default(),
            );
            let sep = if query.is_empty() { "" } else { "&" };
            Ok(Redirect::to(&format!(
                "/assessments/{number}?{query}{sep}focus={}#item-{}",
                no + 1,
                no + 1
            ))
            .into_response())
        }
        Err(e @ (Error::Rejected(_) | Error::Conflict { .. })) => {
            let mut typed = assessment::item_view(&app, &who, &number, no).await?;
            typed.result = Conformity::parse(&input.result).unwrap_or(typed.result);
            typed.notes = input.notes.clone();
            typed.justification = input.justification.clone();
            typed.maturity = input.maturity;
            let status = if matches!(e, Error::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = checklist_page(
                &app,
                &who,
                nav,
                &number,
                &q,
                Some((no, Errors::of(&e), typed)),
            )
            .await?;
            Ok((status, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "assessment/readiness.html")]
pub struct ReadinessPage {
    pub nav: Nav,
    pub csrf: String,
    pub s: Summary,
    pub r: Readiness,
    pub can_assess: bool,
    /// SVG charts: bars per standard, the section-by-standard heat map, the trend.
    pub charts: Vec<String>,
}

pub async fn readiness(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let d = assessment::get(&app, &who, &number).await?;
    let charts = charts(&d);
    Ok(render(&ReadinessPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        can_assess: who.role.may(Permission::Assess),
        s: d.summary,
        r: d.readiness,
        charts,
    }))
}

/// The readiness charts of an assessment, as SVG: bars per standard, the section-by-standard
/// heat map and, once snapshots are kept, the trend.
fn charts(d: &Detail) -> Vec<String> {
    use annex_report::chart;
    let plan = d.plan();
    let mut out = vec![
        chart::readiness_bars(&d.readiness),
        chart::heat_map(&plan, &d.readiness),
    ];
    if !d.snapshots.is_empty() {
        out.push(chart::readiness_trend(&plan, &d.snapshots));
    }
    out
}

/// A report download from the page (`/assessments/{n}/report/{format}`).
pub async fn report(
    State(app): State<App>,
    Auth(who): Auth,
    Path((number, format)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(crate::api::assessment::report(&app, &who, &number, &format).await?)
}

pub async fn snapshot(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    assessment::snapshot(&app, &who, &number).await?;
    Ok(Redirect::to(&format!("/assessments/{number}/readiness")).into_response())
}

pub async fn transition(
    State(app): State<App>,
    Auth(who): Auth,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let s = assessment::transition(&app, &who, &number, Default::default()).await?;
    Ok(Redirect::to(&format!("/assessments/{}", s.number)).into_response())
}

pub async fn file(
    State(app): State<App>,
    Auth(who): Auth,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    Ok(crate::api::assessment::file_response(
        assessment::file(&app, &who, &number, id).await?,
    ))
}
