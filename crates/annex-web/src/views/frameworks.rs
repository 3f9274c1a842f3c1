//! Imported frameworks: `/frameworks`, the list of imports with the upload form (managers and
//! administrators), and `/frameworks/{id}`, one import's page — its origin (file, format,
//! SHA-256, the catalog a profile was resolved against, the controls left out) and its
//! clause tree, or a mapping set's links. A refused file is shown beside the form with every
//! problem named by its path in the file; nothing was imported.

use annex_app::frameworks::{self, FrameworkClause, FrameworkDetail, FrameworkSummary};
use annex_app::{App, Error};
use annex_core::import::Options;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::Auth;
use crate::error::{PageError, render};
use crate::views::{Errors, Input, Nav};

const PREFIX: &str = "import-";

/// A problem with the uploaded file: where in the file, and what is wrong.
pub struct Problem {
    pub path: String,
    pub rule: String,
}

#[derive(Template)]
#[template(path = "frameworks/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub csrf: String,
    pub items: Vec<FrameworkSummary>,
    pub can_import: bool,
    pub inputs: Vec<Input>,
    /// Problems found in the file (refused, nothing imported).
    pub problems: Vec<Problem>,
    pub file_name: String,
}

/// One clause of the tree, flattened with its depth.
pub struct Row {
    pub c: FrameworkClause,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "frameworks/show.html")]
pub struct ShowPage {
    pub nav: Nav,
    pub d: FrameworkDetail,
    pub rows: Vec<Row>,
    pub notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    pub imported: Option<String>,
}

fn inputs(errors: &Errors, partial: bool, catalog: &str) -> Vec<Input> {
    vec![
        Input::new(PREFIX, "file", "File", "file")
            .required(true)
            .hint(
                "An OSCAL catalog or profile (JSON), or a CISO Assistant library holding a \
                 framework or a requirement mapping set (YAML).",
            )
            .errors(errors),
        Input::new(PREFIX, "partial", "Partial profile", "checkbox")
            .checked(partial)
            .hint(
                "For an OSCAL profile naming controls its catalog lacks: import the others \
                 and record those as left out, instead of refusing the file.",
            )
            .errors(errors),
        Input::new(PREFIX, "catalog", "Catalog for a profile", "text")
            .value(catalog)
            .maxlength(Some(200))
            .hint(
                "For an OSCAL profile: the id of the imported catalog to resolve it against \
                 (oscal:...), when the profile's own reference does not find it.",
            )
            .errors(errors),
    ]
}

async fn page(
    app: &App,
    who: &annex_app::Principal,
    nav: Nav,
    errors: &Errors,
    form: (&str, bool, &str),
) -> Result<ListPage, Error> {
    let (file_name, partial, catalog) = form;
    let form_fields = ["file", "file_name", "partial", "catalog"];
    Ok(ListPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        items: frameworks::list(app, who).await?,
        can_import: frameworks::may_import(who),
        inputs: inputs(errors, partial, catalog),
        problems: errors
            .0
            .iter()
            .filter(|e| !form_fields.contains(&e.field.as_str()))
            .map(|e| Problem {
                path: if e.field.is_empty() {
                    "(file)".into()
                } else {
                    e.field.clone()
                },
                rule: e.rule.clone(),
            })
            .collect(),
        file_name: file_name.to_string(),
    })
}

/// `GET /frameworks`.
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
) -> Result<Response, PageError> {
    let p = page(&app, &who, nav, &Errors::default(), ("", false, "")).await?;
    Ok(render(&p))
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    partial: bool,
    catalog: String,
}

/// `POST /frameworks?csrf=...`: imports the uploaded file, then shows its page; a refused
/// file is shown again beside the form. The CSRF token rides in the query string because
/// the middleware does not read multipart bodies.
pub async fn import(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut upload = Upload::default();
    let result = match read(multipart, &mut upload).await {
        Ok(()) => {
            let options = Options {
                partial: upload.partial,
                catalog: Some(upload.catalog.trim().to_string()).filter(|c| !c.is_empty()),
            };
            frameworks::import(&app, &who, &upload.file_name, &upload.bytes, &options).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => {
            let what = if outcome.unchanged {
                "unchanged"
            } else {
                "new"
            };
            Ok(Redirect::to(&format!("{}?imported={what}", outcome.summary.href)).into_response())
        }
        Err(e @ (Error::Forbidden { .. } | Error::Store(_) | Error::Internal(_))) => {
            Err(PageError(e))
        }
        Err(e) => {
            let errors = Errors::of(&e);
            let p = page(
                &app,
                &who,
                nav,
                &errors,
                (&upload.file_name, upload.partial, &upload.catalog),
            )
            .await?;
            let status = match e {
                Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok((status, render(&p)).into_response())
        }
    }
}

async fn read(
    multipart: Result<Multipart, MultipartRejection>,
    upload: &mut Upload,
) -> Result<(), Error> {
    let mut multipart =
        multipart.map_err(|e| Error::invalid("file", format!("not a file upload: {e}")))?;
    let limit = annex_core::import::MAX_BYTES;
    let mut seen_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(unreadable(&e, limit)),
        };
        match field.name() {
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                upload.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| unreadable(&e, limit))?
                    .to_vec();
                seen_file = true;
            }
            Some("partial") => {
                upload.partial = field.text().await.is_ok_and(|v| v == "true");
            }
            Some("catalog") => {
                upload.catalog = field.text().await.unwrap_or_default();
            }
            _ => {}
        }
    }
    if !seen_file || (upload.file_name.is_empty() && upload.bytes.is_empty()) {
        return Err(Error::invalid("file", "choose a file to import"));
    }
    Ok(())
}

/// A body cut off at axum's limit is a file that is too large; anything else is unreadable.
fn unreadable(e: &axum::extract::multipart::MultipartError, limit: usize) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge {
            field: "file".into(),
            limit,
        }
    } else {
        Error::invalid(
            "file",
            format!("the upload could not be read: {}", e.body_text()),
        )
    }
}

/// `GET /frameworks/{id}`.
pub async fn show(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let d = frameworks::get(&app, &who, &id).await?;
    let mut rows = Vec::new();
    flatten(&d.clauses, 0, &mut rows);
    let notice = match q.imported.as_deref() {
        Some("new") => Some(format!(
            "Imported {} from {}.",
            d.summary.id, d.summary.file_name
        )),
        Some("unchanged") => Some(format!(
            "{} was already imported from this same file: nothing changed.",
            d.summary.id
        )),
        _ => None,
    };
    Ok(render(&ShowPage {
        nav,
        d,
        rows,
        notice,
    }))
}

fn flatten(clauses: &[FrameworkClause], depth: usize, out: &mut Vec<Row>) {
    for c in clauses {
        let mut c = c.clone();
        let children = std::mem::take(&mut c.children);
        out.push(Row { c, depth });
        flatten(&children, depth + 1, out);
    }
}
