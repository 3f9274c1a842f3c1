//! Settings pages: `/settings/risk-matrix`, the risk matrix — its scales, its levels and a
//! heat-map preview in their colours — for everyone who reads records, with the form that
//! changes it for those who may (administrators). **Preview** draws the matrix typed on the
//! form without saving it; **Save** needs a reason and recomputes the open risks.

use annex_app::settings::{self, MatrixChange, RiskMatrixView};
use annex_app::{App, Error};
use annex_core::role::Permission;
use annex_core::settings::{
    LEVELS_MAX, Level, RiskMatrix, SCALE_MAX, SCALE_MIN, Step, text_colour,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::Auth;
use crate::error::{PageError, render};
use crate::views::{Errors, Form, Input, Nav, SummaryItem};

const PATH: &str = "/settings/risk-matrix";
const PREFIX: &str = "matrix-";

/// One cell of the preview: its score and the level it falls into.
pub struct PreviewCell {
    pub score: i64,
    pub label: String,
    pub colour: String,
    pub text_colour: String,
}

/// A row of the preview, highest likelihood first.
pub struct PreviewRow {
    pub label: String,
    pub cells: Vec<PreviewCell>,
}

/// The matrix drawn as a heat map.
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    pub impacts: Vec<String>,
    pub levels: Vec<Level>,
}

fn preview(m: &RiskMatrix) -> Preview {
    let name = |steps: &[Step], n: usize| format!("{} {}", n + 1, steps[n].label);
    Preview {
        rows: (0..m.likelihood.len())
            .rev()
            .map(|l| PreviewRow {
                label: name(&m.likelihood, l),
                cells: (0..m.impact.len())
                    .map(|i| {
                        let score = i64::try_from((l + 1) * (i + 1)).unwrap_or(0);
                        let level = m.level_of(score);
                        let colour = level.map_or_else(|| "#ffffff".into(), |v| v.colour.clone());
                        PreviewCell {
                            score,
                            label: level.map(|v| v.label.clone()).unwrap_or_default(),
                            text_colour: text_colour(&colour).into(),
                            colour,
                        }
                    })
                    .collect(),
            })
            .collect(),
        impacts: (0..m.impact.len()).map(|i| name(&m.impact, i)).collect(),
        levels: m.levels.clone(),
    }
}

#[derive(Template)]
#[template(path = "settings/risk_matrix.html")]
pub struct MatrixPage {
    pub nav: Nav,
    pub csrf: String,
    pub current: RiskMatrixView,
    /// The matrix drawn: the saved one, or the one on the form when previewing.
    pub preview: Preview,
    pub previewing: bool,
    pub can_edit: bool,
    pub sizes: Vec<Input>,
    /// Rows of the two scales: label and description inputs.
    pub likelihood: Vec<Vec<Input>>,
    pub impact: Vec<Vec<Input>>,
    /// Rows of the levels: id, label, colour, min, max.
    pub levels: Vec<Vec<Input>>,
    pub levels_error: Option<String>,
    pub reason: Input,
    pub version: i64,
    pub summary: Vec<SummaryItem>,
    pub notice: Option<String>,
}

/// The form's inputs, filled from `m` or from what was typed.
struct Filled {
    sizes: Vec<Input>,
    likelihood: Vec<Vec<Input>>,
    impact: Vec<Vec<Input>>,
    levels: Vec<Vec<Input>>,
}

fn step_rows(axis: &str, steps: &[Step]) -> Vec<Vec<Input>> {
    (0..SCALE_MAX)
        .map(|i| {
            let s = steps.get(i).cloned().unwrap_or_default();
            let n = i + 1;
            vec![
                Input::new(
                    PREFIX,
                    &format!("{axis}.{n}.label"),
                    &format!("Step {n} label"),
                    "text",
                )
                .value(s.label)
                .maxlength(Some(annex_core::settings::LABEL_MAX)),
                Input::new(
                    PREFIX,
                    &format!("{axis}.{n}.description"),
                    &format!("Step {n} meaning"),
                    "text",
                )
                .value(s.description)
                .maxlength(Some(annex_core::settings::DESCRIPTION_MAX)),
            ]
        })
        .collect()
}

fn fill(m: &RiskMatrix, errors: &Errors) -> Filled {
    let size = |name: &str, label: &str, n: usize| {
        Input::new(PREFIX, name, label, "select")
            .value(n.to_string())
            .options(None, [("3", "3"), ("4", "4"), ("5", "5")])
            .hint(format!(
                "{SCALE_MIN} to {SCALE_MAX} steps; only that many rows below are used."
            ))
            .errors(errors)
    };
    let with = |rows: Vec<Vec<Input>>| -> Vec<Vec<Input>> {
        rows.into_iter()
            .map(|r| r.into_iter().map(|i| i.errors(errors)).collect())
            .collect()
    };
    let levels = (0..LEVELS_MAX)
        .map(|i| {
            let l = m.levels.get(i).cloned();
            let n = i + 1;
            let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            vec![
                Input::new(
                    PREFIX,
                    &format!("levels.{n}.id"),
                    &format!("Level {n} id"),
                    "text",
                )
                .value(l.as_ref().map(|l| l.id.clone()).unwrap_or_default()),
                Input::new(
                    PREFIX,
                    &format!("levels.{n}.label"),
                    &format!("Level {n} label"),
                    "text",
                )
                .value(l.as_ref().map(|l| l.label.clone()).unwrap_or_default()),
                Input::new(
                    PREFIX,
                    &format!("levels.{n}.colour"),
                    &format!("Level {n} colour"),
                    "text",
                )
                .value(l.as_ref().map(|l| l.colour.clone()).unwrap_or_default()),
                Input::new(
                    PREFIX,
                    &format!("levels.{n}.min"),
                    &format!("Level {n} lowest score"),
                    "number",
                )
                .value(num(l.as_ref().map(|l| l.min))),
                Input::new(
                    PREFIX,
                    &format!("levels.{n}.max"),
                    &format!("Level {n} highest score"),
                    "number",
                )
                .value(num(l.as_ref().map(|l| l.max))),
            ]
        })
        .collect();
    Filled {
        sizes: vec![
            size("likelihood", "Likelihood steps", m.likelihood.len()),
            size("impact", "Impact steps", m.impact.len()),
        ],
        likelihood: with(step_rows("likelihood", &m.likelihood)),
        impact: with(step_rows("impact", &m.impact)),
        levels: with(levels),
    }
}

/// The matrix typed on the form. Scales take as many rows as their size says; level rows
/// left wholly blank are dropped; a score that is not a whole number reads as 0, which the
/// matrix's rules then refuse by name.
fn matrix_of(form: &Form) -> RiskMatrix {
    let size = |name: &str| {
        form.get(name)
            .trim()
            .parse::<usize>()
            .unwrap_or(0)
            .min(SCALE_MAX)
    };
    let steps = |axis: &str| -> Vec<Step> {
        (1..=size(axis))
            .map(|n| Step {
                label: form.get(&format!("{axis}.{n}.label")),
                description: form.get(&format!("{axis}.{n}.description")),
            })
            .collect()
    };
    let levels = (1..=LEVELS_MAX)
        .filter_map(|n| {
            let get = |f: &str| form.get(&format!("levels.{n}.{f}"));
            let parts = ["id", "label", "colour", "min", "max"].map(get);
            if parts.iter().all(|p| p.trim().is_empty()) {
                return None;
            }
            let [id, label, colour, min, max] = parts;
            let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
            Some(Level {
                min: num(&min),
                max: num(&max),
                id,
                label,
                colour,
            })
        })
        .collect();
    RiskMatrix {
        likelihood: steps("likelihood"),
        impact: steps("impact"),
        levels,
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Saved {
    pub recomputed: Option<usize>,
    pub reassessed: Option<usize>,
}

#[allow(clippy::too_many_arguments)]
fn page(
    nav: Nav,
    who: &annex_app::Principal,
    current: RiskMatrixView,
    shown: &RiskMatrix,
    previewing: bool,
    typed: Option<&Form>,
    errors: &Errors,
    notice: Option<String>,
) -> MatrixPage {
    let f = fill(shown, errors);
    let reason = Input::new(PREFIX, "reason", "Reason for the change", "textarea")
        .value(typed.map(|t| t.get("reason")).unwrap_or_default())
        .required(true)
        .hint("Kept in the audit trail with the change: the decision it carries out.")
        .errors(errors);
    let all: Vec<Input> = f
        .sizes
        .iter()
        .cloned()
        .chain(f.likelihood.iter().flatten().cloned())
        .chain(f.impact.iter().flatten().cloned())
        .chain(f.levels.iter().flatten().cloned())
        .chain([reason.clone()])
        .collect();
    MatrixPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        can_edit: who.role.may(Permission::ManageSettings),
        preview: preview(shown),
        previewing,
        version: current.version,
        current,
        sizes: f.sizes,
        likelihood: f.likelihood,
        impact: f.impact,
        levels: f.levels,
        levels_error: errors.get("levels"),
        reason,
        summary: errors.summary(&all),
        notice,
    }
}

/// `GET /settings/risk-matrix`.
pub async fn risk_matrix(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let current = settings::risk_matrix(&app, &who).await?;
    let notice = saved.recomputed.map(|n| {
        let back = saved.reassessed.unwrap_or(0);
        format!(
            "The risk matrix is saved. {n} open risk{} recomputed{}.",
            if n == 1 { "" } else { "s" },
            if back > 0 {
                format!("; {back} sent back from accepted to assessed")
            } else {
                String::new()
            }
        )
    });
    let shown = current.matrix.clone();
    Ok(render(&page(
        nav,
        &who,
        current,
        &shown,
        false,
        None,
        &Errors::default(),
        notice,
    )))
}

/// `POST /settings/risk-matrix`: previews or saves the matrix on the form.
pub async fn set_risk_matrix(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let typed = matrix_of(&form);
    let current = settings::risk_matrix(&app, &who).await?;
    if form.has("preview") {
        let (errors, shown) = match typed.validate() {
            Ok(m) => (Errors::default(), m),
            Err(e) => (Errors(e), current.matrix.clone()),
        };
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        // Draw what was typed, errors and all, so nothing typed is lost.
        let mut p = page(nav, &who, current, &shown, true, Some(&form), &errors, None);
        let typed_inputs = fill(&typed, &errors);
        p.sizes = typed_inputs.sizes;
        p.likelihood = typed_inputs.likelihood;
        p.impact = typed_inputs.impact;
        p.levels = typed_inputs.levels;
        return Ok((status, render(&p)).into_response());
    }
    let change = MatrixChange {
        matrix: typed.clone(),
        reason: form.opt("reason"),
        version: form.get("version").trim().parse().ok(),
    };
    match settings::set_risk_matrix(&app, &who, change).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "{PATH}?recomputed={}&reassessed={}",
            done.recomputed.len(),
            done.reassessed.len()
        ))
        .into_response()),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. } | Error::Conflict { .. })) => {
            let errors = Errors::of(&e);
            let shown = current.matrix.clone();
            let mut p = page(
                nav,
                &who,
                current,
                &shown,
                false,
                Some(&form),
                &errors,
                None,
            );
            let typed_inputs = fill(&typed, &errors);
            p.sizes = typed_inputs.sizes;
            p.likelihood = typed_inputs.likelihood;
            p.impact = typed_inputs.impact;
            p.levels = typed_inputs.levels;
            let status = if matches!(e, Error::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
