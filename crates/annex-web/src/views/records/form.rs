//! The create and edit forms, generated from the kind's declaration: one control per field
//! that is not the workflow's, values converted to what the app layer expects (numbers, flags).

use annex_app::records::{self, Detail, Edit, NewRecord, RecordView};
use annex_app::{App, Error, Principal};
use annex_core::kinds::{FieldInfo, KindInfo, TypeName};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::{Conflict, conflict_of, kind_info, record_href, see_other, state_label};
use crate::auth::Auth;
use crate::error::{PageError, render};
use crate::views::{Errors, Form, Input, Nav, SummaryItem};

/// The control for one of a kind's fields.
fn field_input(prefix: &str, f: &FieldInfo, value: Option<&Value>, typed: Option<&Form>) -> Input {
    let name = format!("fields.{}", f.name);
    let text = match typed {
        Some(form) => form.get(&name),
        None => value.map(shown_raw).unwrap_or_default(),
    };
    let control = match f.ty {
        TypeName::Text => "text",
        TypeName::LongText => "textarea",
        TypeName::Integer => "number",
        TypeName::Date => "date",
        TypeName::Choice => "select",
        TypeName::Bool => "checkbox",
    };
    let mut i = Input::new(prefix, &name, &f.label, control)
        .hint(f.help.clone())
        .required(f.required)
        .maxlength(f.max_length)
        .value(text.clone());
    i.min = f.min;
    i.max = f.max;
    match f.ty {
        TypeName::Bool => {
            let on = match typed {
                Some(form) => form.get(&name) == "true",
                None => value == Some(&Value::Bool(true)),
            };
            i.checked(on)
        }
        TypeName::Choice => i.options(
            Some("Choose…"),
            f.choices
                .iter()
                .map(|c| (c.value.as_str(), c.label.as_str())),
        ),
        _ => i,
    }
}

/// A stored value as a form shows it for editing.
fn shown_raw(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The kind's fields from a form, as the app layer takes them: numbers for integer fields,
/// flags for checkboxes. A blank value is left out when creating and removed (null) when
/// editing. A number that does not parse is passed on as typed, so that the app layer names
/// the rule it breaks.
fn fields_from(kind: &KindInfo, form: &Form, editing: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for f in kind.fields.iter().filter(|f| !f.system) {
        let name = format!("fields.{}", f.name);
        let raw = form.get(&name);
        let v = match f.ty {
            TypeName::Bool => Value::Bool(raw == "true"),
            _ if raw.trim().is_empty() => {
                if editing {
                    Value::Null
                } else {
                    continue;
                }
            }
            TypeName::Integer => raw
                .trim()
                .parse::<i64>()
                .map_or_else(|_| Value::String(raw.clone()), Value::from),
            _ => Value::String(raw),
        };
        out.insert(f.name.clone(), v);
    }
    out
}

#[derive(Template)]
#[template(path = "records/new.html")]
pub struct NewPage {
    pub nav: Nav,
    pub kind: KindInfo,
    pub csrf: String,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
}

fn new_page(
    nav: Nav,
    who: &Principal,
    kind: KindInfo,
    form: Option<&Form>,
    part_of: &str,
    errors: &Errors,
) -> NewPage {
    let p = "f-";
    let typed =
        |name: &str, default: &str| form.map_or_else(|| default.to_string(), |f| f.get(name));
    let mut inputs = vec![
        Input::new(p, "title", "Title", "text")
            .value(typed("title", ""))
            .required(true)
            .maxlength(Some(annex_core::kinds::TITLE_MAX)),
        Input::new(p, "owner", "Owner", "text")
            .value(typed("owner", &who.username))
            .hint("The user name of the person responsible for it; you, unless you say otherwise.")
            .autocomplete("off"),
        Input::new(p, "site", "Site", "text")
            .value(typed("site", ""))
            .hint("The site code it belongs to; leave empty for the whole organisation.")
            .maxlength(Some(40)),
        Input::new(p, "due_on", "Due date", "date").value(typed("due_on", "")),
        Input::new(p, "part_of", "Part of", "text")
            .value(typed("part_of", part_of))
            .hint("The number of a record this one is part of, such as the CAPA an action serves; leave empty if none.")
            .autocomplete("off"),
    ];
    inputs.extend(
        kind.fields
            .iter()
            .filter(|f| !f.system)
            .map(|f| field_input(p, f, None, form)),
    );
    let inputs: Vec<Input> = inputs.into_iter().map(|i| i.errors(errors)).collect();
    NewPage {
        nav,
        kind,
        csrf: who.csrf.clone().unwrap_or_default(),
        summary: errors.summary(&inputs),
        inputs,
    }
}

/// What the create form may be opened with: `?part_of=CAPA-0001` from a record's page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    part_of: String,
}

/// `GET /records/{kind}/new`: the create form, built from the kind's declaration.
pub async fn new_form(
    Auth(who): Auth,
    nav: Nav,
    Path(kind_id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let kind = kind_info(&kind_id)?;
    Ok(render(&new_page(
        nav,
        &who,
        kind,
        None,
        &q.part_of,
        &Errors::default(),
    )))
}

/// `POST /records/{kind}/new`: creates the record and goes to its page.
pub async fn create(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(kind_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let kind = kind_info(&kind_id)?;
    let form = Form::parse(&body);
    let input = NewRecord {
        kind: kind.id.clone(),
        title: form.get("title"),
        owner: form.opt("owner"),
        site: form.opt("site"),
        due_on: form.opt("due_on"),
        fields: fields_from(&kind, &form, false),
        part_of: form.opt("part_of"),
    };
    match records::create(&app, &who, input).await {
        Ok(r) => Ok(see_other(&record_href(&r.number))),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            let page = new_page(nav, &who, kind, Some(&form), "", &Errors::of(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "records/edit.html")]
pub struct EditPage {
    pub nav: Nav,
    pub record: RecordView,
    pub csrf: String,
    pub version: i64,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
    pub conflict: Option<Conflict>,
}

fn edit_page(
    nav: Nav,
    who: &Principal,
    kind: &KindInfo,
    d: Detail,
    form: Option<&Form>,
    errors: &Errors,
    conflict: Option<Conflict>,
) -> EditPage {
    let p = "f-";
    let r = &d.record;
    let typed = |name: &str, stored: String| form.map_or(stored, |f| f.get(name));
    let mut inputs = vec![
        Input::new(p, "title", "Title", "text")
            .value(typed("title", r.title.clone()))
            .required(true)
            .maxlength(Some(annex_core::kinds::TITLE_MAX)),
        Input::new(p, "owner", "Owner", "text")
            .value(typed(
                "owner",
                r.owner
                    .as_ref()
                    .map(|o| o.username.clone())
                    .unwrap_or_default(),
            ))
            .hint("A user name; empty leaves the record without an owner.")
            .autocomplete("off"),
        Input::new(p, "site", "Site", "text")
            .value(typed("site", r.site.clone()))
            .maxlength(Some(40)),
        Input::new(p, "due_on", "Due date", "date")
            .value(typed("due_on", r.due_on.clone().unwrap_or_default())),
    ];
    inputs.extend(
        kind.fields
            .iter()
            .filter(|f| !f.system)
            .map(|f| field_input(p, f, r.fields.get(&f.name), form)),
    );
    inputs.push(
        Input::new(p, "reason", "Reason for the change", "textarea")
            .value(form.map(|f| f.get("reason")).unwrap_or_default())
            .hint(
                "Optional. Kept in the audit trail with the change, for whoever reviews it later.",
            )
            .maxlength(Some(annex_core::kinds::REASON_MAX)),
    );
    let inputs: Vec<Input> = inputs.into_iter().map(|i| i.errors(errors)).collect();
    EditPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        // A conflict keeps the version the user read, so that saving again cannot overwrite
        // what they have not seen: they reload first.
        version: form
            .and_then(|f| f.get("version").parse().ok())
            .unwrap_or(r.version),
        summary: errors.summary(&inputs),
        inputs,
        conflict,
        record: d.record,
    }
}

/// `GET /r/{number}/edit`: the edit form, when the record may be edited now.
pub async fn edit_form(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let d = records::get(&app, &who, &number).await?;
    let kind = kind_info(&d.record.kind)?;
    if !d.actions.edit {
        return Err(PageError(Error::Forbidden {
            action: "record.update".into(),
            rule: format!(
                "{} cannot be edited by you while it is {}; {} are edited only in: {}",
                d.record.number,
                d.record.state_label.to_lowercase(),
                kind.plural.to_lowercase(),
                kind.editable_in
                    .iter()
                    .map(|s| state_label(&kind, s).to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }));
    }
    Ok(render(&edit_page(
        nav,
        &who,
        &kind,
        d,
        None,
        &Errors::default(),
        None,
    )))
}

/// `POST /r/{number}/edit`: saves the change if nobody else changed the record meanwhile.
pub async fn update(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let d = records::get(&app, &who, &number).await?;
    let kind = kind_info(&d.record.kind)?;
    let edit = Edit {
        version: form.get("version").trim().parse().unwrap_or(0),
        title: Some(form.get("title")),
        owner: Some(form.opt("owner")),
        site: Some(form.get("site")),
        due_on: Some(form.opt("due_on")),
        fields: fields_from(&kind, &form, true),
        reason: form.opt("reason"),
    };
    match records::update(&app, &who, &number, edit).await {
        Ok(r) => Ok(see_other(&record_href(&r.number))),
        Err(Error::Conflict { changed, .. }) => {
            let d = records::get(&app, &who, &number).await?;
            let reload = format!("{}/edit", record_href(&d.record.number));
            let conflict = conflict_of(&kind, &d, &changed, reload);
            let page = edit_page(
                nav,
                &who,
                &kind,
                d,
                Some(&form),
                &Errors::default(),
                Some(conflict),
            );
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            let page = edit_page(nav, &who, &kind, d, Some(&form), &Errors::of(&e), None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use annex_core::kinds::{FieldInfo, TypeName};
    use serde_json::json;

    use super::*;

    #[test]
    fn form_fields_become_typed_values_for_the_app_layer() {
        let mut kind = annex_app::kinds::get("document").unwrap().describe();
        let field = |name: &str, ty| FieldInfo {
            name: name.into(),
            label: name.into(),
            help: String::new(),
            ty,
            required: false,
            system: false,
            max_length: None,
            min: None,
            max: None,
            choices: Vec::new(),
        };
        kind.fields = vec![
            field("count", TypeName::Integer),
            field("typo", TypeName::Integer),
            field("done", TypeName::Bool),
            field("note", TypeName::Text),
            field("empty", TypeName::Date),
        ];
        let form = Form::parse(b"fields.count=+42&fields.typo=4x&fields.note=hi&fields.empty=");
        let created = fields_from(&kind, &form, false);
        assert_eq!(created["count"], json!(42));
        assert_eq!(
            created["typo"],
            json!("4x"),
            "passed on for the app layer to refuse"
        );
        assert_eq!(created["done"], json!(false), "an unticked box is false");
        assert_eq!(created["note"], json!("hi"));
        assert!(
            !created.contains_key("empty"),
            "blank is left out when creating"
        );
        let edited = fields_from(&kind, &form, true);
        assert_eq!(edited["empty"], Value::Null, "and removed when editing");
    }
}
