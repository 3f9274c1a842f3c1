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
use crate::views::{Errors, Form, Input, Nav, SummaryItem, Table};

/// The control for one of a kind's fields.
fn field_input(prefix: &str, f: &FieldInfo, value: Option<&Value>, typed: Option<&Form>) -> Input {
    let name = format!("fields.{}", f.name);
    if f.ty == TypeName::Rows {
        return table_input(prefix, &name, f, value, typed);
    }
    let text = match typed {
        Some(form) => form.get(&name),
        None => value.map(shown_raw).unwrap_or_default(),
    };
    control_for(prefix, &name, &f.label, f, text, typed)
}

/// One control, its value as typed or stored: a field's, or a cell's of a table.
fn control_for(
    prefix: &str,
    name: &str,
    label: &str,
    f: &FieldInfo,
    text: String,
    typed: Option<&Form>,
) -> Input {
    let control = match f.ty {
        // A user name or a record number is typed; the app says when it names nothing.
        TypeName::Text | TypeName::User | TypeName::Record => "text",
        TypeName::LongText => "textarea",
        TypeName::Integer | TypeName::Number => "number",
        TypeName::Date => "date",
        TypeName::Choice => "select",
        TypeName::Bool => "checkbox",
        TypeName::Rows => "rows",
    };
    let mut i = Input::new(prefix, name, label, control)
        .hint(f.help.clone())
        .required(f.required)
        .maxlength(f.max_length)
        .value(text.clone());
    i.min = f.min;
    i.max = f.max;
    i.decimal = f.ty == TypeName::Number;
    match f.ty {
        TypeName::Bool => {
            let on = match typed {
                Some(form) => form.get(name) == "true",
                None => text == "true",
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

/// Empty rows a table offers below its filled ones.
const SPARE_ROWS: usize = 3;

/// A table field: its rows as stored or typed, then a few empty ones, up to its limit.
fn table_input(
    prefix: &str,
    name: &str,
    f: &FieldInfo,
    value: Option<&Value>,
    typed: Option<&Form>,
) -> Input {
    let rows: Vec<Map<String, Value>> = match typed {
        Some(form) => rows_typed(form, name)
            .into_iter()
            .map(|(_, cells)| {
                cells
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect()
            })
            .collect(),
        None => value
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|r| r.as_object().cloned()).collect())
            .unwrap_or_default(),
    };
    let count = (rows.len() + SPARE_ROWS).min(f.max_rows.unwrap_or(0).max(rows.len()));
    let cells = (0..count)
        .map(|n| {
            f.columns
                .iter()
                .map(|c| {
                    let cell = format!("{name}.{}.{}", n + 1, c.name);
                    let text = rows
                        .get(n)
                        .and_then(|r| r.get(&c.name))
                        .map(shown_raw)
                        .unwrap_or_default();
                    let label = format!("{}, row {}: {}", f.label, n + 1, c.label);
                    let mut i = control_for(prefix, &cell, &label, c, text, None);
                    i.required = false;
                    i
                })
                .collect()
        })
        .collect();
    let mut i = Input::new(prefix, name, &f.label, "rows")
        .hint(f.help.clone())
        .required(f.required);
    i.table = Some(Box::new(Table {
        columns: f.columns.iter().map(|c| c.label.clone()).collect(),
        rows: cells,
    }));
    i
}

/// The rows of table `name` as a form sent them (`name.<row>.<column>`), in row order.
fn rows_typed(form: &Form, name: &str) -> Vec<(usize, Vec<(String, String)>)> {
    let prefix = format!("{name}.");
    let mut rows: std::collections::BTreeMap<usize, Vec<(String, String)>> = Default::default();
    for (k, v) in &form.0 {
        let Some((row, column)) = k.strip_prefix(&prefix).and_then(|r| r.split_once('.')) else {
            continue;
        };
        if let Ok(n) = row.parse::<usize>() {
            rows.entry(n)
                .or_default()
                .push((column.to_string(), v.clone()));
        }
    }
    rows.into_iter().collect()
}

/// A stored value as a form shows it for editing.
fn shown_raw(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One typed value as the app layer takes it: a number for a number field, a flag for a
/// checkbox. A number that does not parse is passed on as typed, so that the app layer names
/// the rule it breaks.
fn typed_value(ty: TypeName, raw: &str) -> Value {
    match ty {
        TypeName::Bool => Value::Bool(raw == "true"),
        TypeName::Integer => raw
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::String(raw.to_string()), Value::from),
        TypeName::Number => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(raw.to_string()), Value::Number),
        _ => Value::String(raw.to_string()),
    }
}

/// The kind's fields from a form, as the app layer takes them. A blank value is left out
/// when creating and removed (null) when editing; a table's blank cells are left out, and
/// its rows are numbered again from 1 in the order sent.
fn fields_from(kind: &KindInfo, form: &Form, editing: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for f in kind.fields.iter().filter(|f| !f.system) {
        let name = format!("fields.{}", f.name);
        if f.ty == TypeName::Rows {
            let rows: Vec<Value> = rows_typed(form, &name)
                .into_iter()
                .map(|(_, cells)| {
                    Value::Object(
                        cells
                            .into_iter()
                            .filter(|(_, v)| !v.trim().is_empty())
                            .filter_map(|(k, v)| {
                                let c = f.columns.iter().find(|c| c.name == k)?;
                                Some((k, typed_value(c.ty, &v)))
                            })
                            .collect(),
                    )
                })
                .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()))
                .collect();
            if !rows.is_empty() {
                out.insert(f.name.clone(), Value::Array(rows));
            } else if editing {
                out.insert(f.name.clone(), Value::Null);
            }
            continue;
        }
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
            ty => typed_value(ty, &raw),
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
            columns: Vec::new(),
            max_rows: None,
            refers_to: None,
        };
        let mut table = field("readings", TypeName::Rows);
        table.columns = vec![
            field("on", TypeName::Date),
            field("value", TypeName::Number),
        ];
        table.max_rows = Some(10);
        kind.fields = vec![
            field("count", TypeName::Integer),
            field("typo", TypeName::Integer),
            field("done", TypeName::Bool),
            field("note", TypeName::Text),
            field("empty", TypeName::Date),
            field("ratio", TypeName::Number),
            table.clone(),
        ];
        let form = Form::parse(
            b"fields.count=+42&fields.typo=4x&fields.note=hi&fields.empty=&fields.ratio=97.5\
              &fields.readings.2.on=2026-02-01&fields.readings.2.value=3.25\
              &fields.readings.1.on=2026-01-01&fields.readings.1.value=abc\
              &fields.readings.3.on=&fields.readings.3.value=",
        );
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
        assert_eq!(created["ratio"], json!(97.5));
        assert_eq!(
            created["readings"],
            json!([
                {"on": "2026-01-01", "value": "abc"},
                {"on": "2026-02-01", "value": 3.25},
            ]),
            "rows in row order, the blank one left out, a bad number passed on"
        );
        let edited = fields_from(&kind, &form, true);
        assert_eq!(edited["empty"], Value::Null, "and removed when editing");

        // The form offers the typed rows back, then spare empty ones.
        let input = field_input("f-", &table, None, Some(&form));
        let t = input.table.unwrap();
        assert_eq!(t.columns, ["on", "value"]);
        assert_eq!(t.rows.len(), 6, "three typed rows and three spare ones");
        assert_eq!(t.rows[0][1].name, "fields.readings.1.value");
        assert_eq!(t.rows[0][1].value, "abc");
        assert!(t.rows[0][1].decimal);
    }
}
