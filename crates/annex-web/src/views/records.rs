//! Pages for controlled records, one file per part: [`list`] the home page of the user's tasks
//! (`/`), a kind's list with filters (`/records/{kind}`) and search across kinds (`/search`);
//! [`form`] the create and edit forms generated from the kind's declaration; [`page`] a
//! record's page (`/r/{number}`) with the actions open to the user, its signatures, links,
//! attachments, comments, acknowledgements, versions and audit timeline, and the forms posted
//! from it under `/r/{number}/...`. This file holds what they share: labels and values as
//! people read them, and the conflict message.
//!
//! On success a form redirects back to the record page; on a broken rule the page is shown
//! again with the rule beside the field and what the user typed.

mod form;
mod list;
mod page;

pub use form::{create, edit_form, new_form, update};
pub use list::{home, list, search};
pub use page::{acknowledge, attach, back, comment, link, show, sign, transition};

use annex_app::records::Detail;
use annex_app::{Error, kinds};
use annex_core::kinds::{FieldInfo, KindInfo, TypeName, show_plain as kinds_show_plain};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

use super::accounts::encode;
use crate::error::PageError;

/// A kind by the id in a URL; an unknown one is a page that is not there.
fn kind_info(id: &str) -> Result<KindInfo, PageError> {
    kinds::get(id)
        .map(|k| k.describe())
        .map_err(|_| PageError(Error::NotFound(format!("record kind '{id}'"))))
}

/// What a field name the app layer reports (`title`, `fields.summary`...) is called on forms.
fn label_of(kind: &KindInfo, name: &str) -> String {
    kind.label_of(name)
}

/// A stored field value for people: a choice by its label, a flag as yes or no.
fn shown(field: Option<&FieldInfo>, v: &Value) -> String {
    field.map_or_else(|| kinds_show_plain(v), |f| f.show(v))
}

/// One labelled value on a record page.
#[derive(Debug, Clone)]
pub struct Shown {
    pub label: String,
    pub value: String,
    /// Long text: keep its line breaks.
    pub long: bool,
    /// A table field, as a table: column headings and each row's cells.
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
}

fn field_values(kind: &KindInfo, fields: &Map<String, Value>) -> Vec<Shown> {
    kind.fields
        .iter()
        .map(|f| {
            let v = fields.get(&f.name);
            let table = match (f.ty, v.and_then(Value::as_array)) {
                (TypeName::Rows, Some(rows)) if !rows.is_empty() => Some((
                    f.columns.iter().map(|c| c.label.clone()).collect(),
                    rows.iter()
                        .map(|r| {
                            f.columns
                                .iter()
                                .map(|c| r.get(&c.name).map(|v| c.show(v)).unwrap_or_default())
                                .collect()
                        })
                        .collect(),
                )),
                _ => None,
            };
            Shown {
                label: f.label.clone(),
                value: v.map(|v| shown(Some(f), v)).unwrap_or_default(),
                long: matches!(f.ty, TypeName::LongText | TypeName::Rows),
                table,
            }
        })
        .collect()
}

fn state_label(kind: &KindInfo, state: &str) -> String {
    kind.states
        .iter()
        .find(|s| s.id == state)
        .map_or_else(|| state.to_string(), |s| s.label.clone())
}

fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

fn record_href(number: &str) -> String {
    format!("/r/{}", encode(number))
}

/// Someone else changed the record since the user read it: what, and its values now.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub current: i64,
    pub changed: Vec<Shown>,
    pub reload: String,
}

fn conflict_of(kind: &KindInfo, d: &Detail, changed: &[String], reload: String) -> Conflict {
    let r = &d.record;
    let changed = changed
        .iter()
        .map(|name| Shown {
            label: label_of(kind, name),
            value: match name.as_str() {
                "title" => r.title.clone(),
                "state" => r.state_label.clone(),
                "owner" => r
                    .owner
                    .as_ref()
                    .map(|o| o.display_name.clone())
                    .unwrap_or_default(),
                "site" => r.site.clone(),
                "due_on" => r.due_on.clone().unwrap_or_default(),
                "version" => String::new(),
                other => {
                    let f = other.strip_prefix("fields.").unwrap_or(other);
                    r.fields
                        .get(f)
                        .map(|v| shown(kind.fields.iter().find(|i| i.name == f), v))
                        .unwrap_or_default()
                }
            },
            long: true,
            table: None,
        })
        .collect();
    Conflict {
        current: r.version,
        changed,
        reload,
    }
}
