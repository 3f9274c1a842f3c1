//! Pages for controlled records: the home page of the user's tasks (`/`), a kind's list with
//! filters (`/records/{kind}`), search across kinds (`/search`), the create and edit forms
//! generated from the kind's declaration, and a record's page (`/r/{number}`) with the actions
//! open to the user, its signatures, links, attachments, comments, acknowledgements, versions
//! and audit timeline. Every action on a record is a form posted under `/r/{number}/...`; on
//! success it redirects back to the record page, on a broken rule it shows the page again with
//! the rule beside the field and what the user typed.

use annex_app::audit_trail::{self, EventFilter, EventView};
use annex_app::records::{
    self, Detail, Edit, ListQuery, NewLink, NewRecord, Page, RECORD_RELATIONS, RecordView, Signing,
    Step, Upload, VersionView,
};
use annex_app::{App, Error, Principal, accounts, clock, kinds};
use annex_core::kinds::{FieldInfo, KindInfo, TypeName};
use annex_core::role::Permission;
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

use super::accounts::encode;
use super::{Errors, Form, Input, Nav, Opt, SummaryItem, utc};
use crate::auth::{Auth, MaybeAuth};
use crate::error::{PageError, render};

/// How many tasks the home page lists.
const TASKS: i64 = 50;

// ---------------------------------------------------------------------------------------------
// Shared

/// A kind by the id in a URL; an unknown one is a page that is not there.
fn kind_info(id: &str) -> Result<KindInfo, PageError> {
    kinds::get(id)
        .map(|k| k.describe())
        .map_err(|_| PageError(Error::NotFound(format!("record kind '{id}'"))))
}

/// What a field name the app layer reports (`title`, `fields.summary`...) is called on forms.
fn label_of(kind: &KindInfo, name: &str) -> String {
    match name {
        "title" => "Title".into(),
        "state" => "State".into(),
        "owner" => "Owner".into(),
        "site" => "Site".into(),
        "due_on" => "Due date".into(),
        "version" => "Version".into(),
        other => other
            .strip_prefix("fields.")
            .and_then(|f| kind.fields.iter().find(|i| i.name == f))
            .map_or_else(|| other.to_string(), |f| f.label.clone()),
    }
}

/// A stored field value for people: a choice by its label, a flag as yes or no.
fn shown(field: Option<&FieldInfo>, v: &Value) -> String {
    match (field, v) {
        (_, Value::Null) => String::new(),
        (Some(f), Value::String(s)) if f.ty == TypeName::Choice => f
            .choices
            .iter()
            .find(|c| c.value == *s)
            .map_or_else(|| s.clone(), |c| c.label.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(true)) => "Yes".into(),
        (_, Value::Bool(false)) => "No".into(),
        (_, other) => other.to_string(),
    }
}

/// One labelled value on a record page.
#[derive(Debug, Clone)]
pub struct Shown {
    pub label: String,
    pub value: String,
    /// Long text: keep its line breaks.
    pub long: bool,
}

fn field_values(kind: &KindInfo, fields: &Map<String, Value>) -> Vec<Shown> {
    kind.fields
        .iter()
        .map(|f| Shown {
            label: f.label.clone(),
            value: fields
                .get(&f.name)
                .map(|v| shown(Some(f), v))
                .unwrap_or_default(),
            long: f.ty == TypeName::LongText,
        })
        .collect()
}

fn state_label(kind: &KindInfo, state: &str) -> String {
    kind.states
        .iter()
        .find(|s| s.id == state)
        .map_or_else(|| state.to_string(), |s| s.label.clone())
}

/// The dates the home page counts against: today and six days on (UTC, as due dates are kept).
fn this_week() -> (String, String) {
    let now = clock::now_us();
    (
        clock::date_of(now),
        clock::date_of(now + 6 * 86_400_000_000),
    )
}

fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

fn record_href(number: &str) -> String {
    format!("/r/{}", encode(number))
}

// ---------------------------------------------------------------------------------------------
// Home

#[derive(Template)]
#[template(path = "records/home.html")]
pub struct HomePage {
    pub nav: Nav,
    pub tasks: Vec<RecordView>,
    pub total: i64,
    pub overdue: usize,
    pub this_week: usize,
    pub kinds: Vec<KindLink>,
}

impl HomePage {
    /// There are more open records than the page lists.
    pub fn more(&self) -> bool {
        usize::try_from(self.total).unwrap_or(0) > self.tasks.len()
    }
}

pub struct KindLink {
    pub id: String,
    pub plural: String,
    pub label: String,
    pub help: String,
    pub can_create: bool,
}

fn kind_links(who: &Principal) -> Vec<KindLink> {
    kinds::list()
        .into_iter()
        .map(|k| KindLink {
            can_create: may_create(who, &k),
            id: k.id,
            plural: k.plural,
            label: k.label,
            help: k.help,
        })
        .collect()
}

fn may_create(who: &Principal, kind: &KindInfo) -> bool {
    who.role.may(Permission::CreateRecords) && kind.create_roles.contains(&who.role)
}

/// `GET /`: the user's open records, soonest due first. Without a login: the login page, or
/// set-up when there is no account yet (or the catalog, when Annex runs without a database).
pub async fn home(
    State(app): State<App>,
    MaybeAuth(found): MaybeAuth,
    nav: Nav,
) -> Result<Response, PageError> {
    let Some(found) = found else {
        return Ok(match accounts::needs_setup(&app).await {
            Ok(true) => see_other("/setup"),
            Ok(false) => see_other("/login"),
            Err(_) => see_other("/standards"),
        });
    };
    let who = found.principal;
    let page = records::tasks(&app, &who, TASKS).await?;
    let (today, week_end) = this_week();
    let overdue = page.items.iter().filter(|r| r.overdue).count();
    let this_week = page
        .items
        .iter()
        .filter(|r| {
            r.due_on
                .as_deref()
                .is_some_and(|d| d >= today.as_str() && d <= week_end.as_str())
        })
        .count();
    Ok(render(&HomePage {
        nav,
        total: page.total,
        tasks: page.items,
        overdue,
        this_week,
        kinds: kind_links(&who),
    }))
}

// ---------------------------------------------------------------------------------------------
// Lists and search

#[derive(Template)]
#[template(path = "records/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub kind: KindInfo,
    pub can_create: bool,
    pub states: Vec<Opt>,
    pub state_error: Option<String>,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
    pub page: Option<Page>,
    pub next_href: Option<String>,
    /// Set when this is not the first page.
    pub first_href: Option<String>,
}

/// The orders of a list, by the names [`records::SORTS`] uses, for people.
fn sort_label(name: &str) -> &str {
    match name {
        "updated" => "Recently changed first",
        "-updated" => "Least recently changed first",
        "created" => "Newest first",
        "-created" => "Oldest first",
        "due" => "Due soonest first",
        "title" => "Title, A to Z",
        other => other,
    }
}

/// The filters of a list as a query string, without the cursor: for "next page" links.
fn filter_query(q: &Form) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q.0 {
        if k != "cursor" && !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

fn list_query(kind: Option<String>, q: &Form) -> ListQuery {
    ListQuery {
        kind,
        state: q.all("state"),
        owner: q.opt("owner"),
        site: q.opt("site"),
        due_before: q.opt("due_before"),
        due_after: q.opt("due_after"),
        q: q.opt("q"),
        sort: q.opt("sort"),
        cursor: q.opt("cursor"),
        // Something that is not a number is sent on as 0, for the app layer to name the rule.
        limit: q.opt("limit").map(|l| l.trim().parse().unwrap_or(0)),
        open: matches!(q.get("open").as_str(), "true" | "on" | "1"),
    }
}

fn page_links(base: &str, q: &Form, page: &Page) -> (Option<String>, Option<String>) {
    let filters = filter_query(q);
    let sep = if filters.is_empty() { "" } else { "&" };
    let next = page
        .next
        .as_ref()
        .map(|c| format!("{base}?{filters}{sep}cursor={}", encode(c)));
    let first = q.opt("cursor").map(|_| {
        if filters.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{filters}")
        }
    });
    (next, first)
}

/// `GET /records/{kind}`: one page of a kind's records, filtered and sorted.
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(kind_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let kind = kind_info(&kind_id)?;
    let q = Form(crate::query::pairs(raw.as_deref()));
    let (page, errors) =
        match records::list(&app, &who, list_query(Some(kind.id.clone()), &q)).await {
            Ok(p) => (Some(p), Errors::default()),
            Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => (None, Errors::of(&e)),
            Err(e) => return Err(e.into()),
        };
    let chosen = q.all("state");
    let p = "filter-";
    let sort = q.opt("sort").unwrap_or_else(|| "updated".into());
    let limit = q.opt("limit").unwrap_or_else(|| "50".into());
    let inputs: Vec<Input> = vec![
        Input::new(p, "q", "Words", "search")
            .value(q.get("q"))
            .hint("In the number, title or fields."),
        Input::new(p, "owner", "Owner", "text")
            .value(q.get("owner"))
            .hint("A user name, or “me”."),
        Input::new(p, "site", "Site", "text").value(q.get("site")),
        Input::new(p, "due_after", "Due on or after", "date").value(q.get("due_after")),
        Input::new(p, "due_before", "Due on or before", "date").value(q.get("due_before")),
        Input::new(p, "open", "Open records only", "checkbox")
            .checked(matches!(q.get("open").as_str(), "true" | "on" | "1"))
            .hint("Leave out closed and obsolete ones."),
        Input::new(p, "sort", "Order", "select")
            .value(sort)
            .options(
                None,
                records::SORTS.iter().map(|(n, _)| (*n, sort_label(n))),
            ),
        Input::new(p, "limit", "Per page", "select")
            .value(limit)
            .options(
                None,
                [("25", "25"), ("50", "50"), ("100", "100"), ("200", "200")],
            ),
    ]
    .into_iter()
    .map(|i| i.errors(&errors))
    .collect();
    let base = format!("/records/{}", kind.id);
    let (next_href, first_href) = page
        .as_ref()
        .map(|p| page_links(&base, &q, p))
        .unwrap_or_default();
    let summary = errors.summary(&inputs);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        nav,
        can_create: may_create(&who, &kind),
        states: kind
            .states
            .iter()
            .map(|s| Opt {
                value: s.id.clone(),
                label: s.label.clone(),
                selected: chosen.contains(&s.id),
            })
            .collect(),
        state_error: errors.get("state"),
        kind,
        inputs,
        summary,
        page,
        next_href,
        first_href,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "records/search.html")]
pub struct SearchPage {
    pub nav: Nav,
    pub q: String,
    pub page: Option<Page>,
    pub error: Option<String>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

impl SearchPage {
    pub fn catalog_href(&self) -> String {
        format!("/standards?q={}", encode(&self.q))
    }
}

/// `GET /search?q=`: records of every kind matching the words.
pub async fn search(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Form(crate::query::pairs(raw.as_deref()));
    let words = q.get("q");
    if words.trim().is_empty() {
        return Ok(render(&SearchPage {
            nav,
            q: words,
            page: None,
            error: None,
            next_href: None,
            first_href: None,
        }));
    }
    let query = ListQuery {
        q: Some(words.clone()),
        cursor: q.opt("cursor"),
        ..ListQuery::default()
    };
    let (page, error) = match records::list(&app, &who, query).await {
        Ok(p) => (Some(p), None),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => (None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let only_q = Form(vec![("q".into(), words.clone())]);
    let with_cursor = Form(
        only_q
            .0
            .iter()
            .cloned()
            .chain(q.opt("cursor").map(|c| ("cursor".to_string(), c)))
            .collect(),
    );
    let (next_href, first_href) = page
        .as_ref()
        .map(|p| page_links("/search", &with_cursor, p))
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&SearchPage {
            nav,
            q: words,
            page,
            error,
            next_href,
            first_href,
        }),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Create and edit

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

/// `GET /records/{kind}/new`: the create form, built from the kind's declaration.
pub async fn new_form(
    Auth(who): Auth,
    nav: Nav,
    Path(kind_id): Path<String>,
) -> Result<Response, PageError> {
    let kind = kind_info(&kind_id)?;
    Ok(render(&new_page(nav, &who, kind, None, &Errors::default())))
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
    };
    match records::create(&app, &who, input).await {
        Ok(r) => Ok(see_other(&record_href(&r.number))),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            let page = new_page(nav, &who, kind, Some(&form), &Errors::of(&e));
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
            long: false,
        })
        .collect();
    Conflict {
        current: r.version,
        changed,
        reload,
    }
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

// ---------------------------------------------------------------------------------------------
// The record page

#[derive(Template)]
#[template(path = "records/show.html")]
pub struct ShowPage {
    pub nav: Nav,
    pub csrf: String,
    pub kind: KindInfo,
    pub d: Detail,
    pub fields: Vec<Shown>,
    pub steps: Vec<StepForm>,
    pub signs: Vec<SignForm>,
    pub ack_summary: Vec<SummaryItem>,
    pub comment: ActionForm,
    pub link: ActionForm,
    pub attach: ActionForm,
    pub versions: Vec<VersionShown>,
    /// The audit timeline; `None` when the user's role may not read the audit trail.
    pub events: Option<Vec<EventShown>>,
    pub conflict: Option<Conflict>,
}

/// The form of one workflow step the user may take.
pub struct StepForm {
    pub id: String,
    pub form_id: String,
    pub label: String,
    pub to: String,
    /// The meaning of the signature taking it applies.
    pub signature: Option<String>,
    pub requires: Vec<String>,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
}

/// The form of a signature the user may apply without moving the record.
pub struct SignForm {
    pub meaning: String,
    pub label: String,
    pub form_id: String,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
}

/// Any other form on the page: its controls and errors.
pub struct ActionForm {
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
}

pub struct VersionShown {
    pub v: VersionView,
    pub changed: Vec<String>,
    pub state: String,
    pub values: Vec<Shown>,
}

pub struct EventShown {
    pub e: EventView,
    pub at: String,
    pub before: String,
    pub after: String,
}

impl ShowPage {
    pub fn utc(&self, iso: &str) -> String {
        utc(iso)
    }

    pub fn size(&self, bytes: &i64) -> String {
        human_size(*bytes)
    }

    pub fn relation(&self, r: &str) -> String {
        r.replace('_', " ")
    }

    /// A clause id (`iso9001:2015/7.5`) as a link into the catalog.
    pub fn clause_href(&self, clause: &str) -> String {
        match clause.split_once('/') {
            Some((std, number)) => format!("/standards/{std}#c-{number}"),
            None => "/standards".into(),
        }
    }

    pub fn record_href(&self, number: &str) -> String {
        record_href(number)
    }
}

pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A form on the record page that was posted and refused: which one, why, and what was in it.
pub struct Attempt {
    pub form: String,
    pub errors: Errors,
    pub typed: Form,
}

impl Attempt {
    fn new(form: &str, e: &Error, typed: Form) -> Self {
        Self {
            form: form.to_string(),
            errors: Errors::of(e),
            typed,
        }
    }
}

fn json_text(v: Option<&Value>) -> String {
    v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default()
}

async fn show_page(
    app: &App,
    who: &Principal,
    nav: Nav,
    number: &str,
    attempt: Option<Attempt>,
    conflict_changed: Option<Vec<String>>,
) -> Result<ShowPage, PageError> {
    let d = records::get(app, who, number).await?;
    let kind = kind_info(&d.record.kind)?;
    let events = if who.role.may(Permission::ReadAuditTrail) {
        let filter = EventFilter {
            subject: Some(d.record.number.clone()),
            limit: 200,
            ..EventFilter::default()
        };
        Some(
            audit_trail::list(app, who, filter)
                .await?
                .events
                .into_iter()
                .map(|e| EventShown {
                    at: utc(&e.at),
                    before: json_text(e.before.as_ref()),
                    after: json_text(e.after.as_ref()),
                    e,
                })
                .collect(),
        )
    } else {
        None
    };
    let empty = Errors::default();
    let blank = Form::default();
    // The errors and typed values for the form `id`; nothing for the others.
    let for_form = |id: &str| match &attempt {
        Some(a) if a.form == id => (&a.errors, &a.typed),
        _ => (&empty, &blank),
    };
    let version = d.record.version;
    let steps = d
        .actions
        .steps
        .iter()
        .map(|s| {
            let form_id = format!("step-{}", s.id);
            let (errors, typed) = for_form(&form_id);
            let p = format!("{form_id}-");
            let mut inputs = Vec::new();
            if s.reason {
                inputs.push(
                    Input::new(&p, "reason", "Reason", "textarea")
                        .value(typed.get("reason"))
                        .required(true)
                        .maxlength(Some(annex_core::kinds::REASON_MAX))
                        .hint("Why you are taking this step. It is kept in the audit trail."),
                );
            }
            if let Some(m) = s.signature {
                inputs.push(
                    Input::new(&p, "password", "Your password", "password")
                        .required(true)
                        .autocomplete("current-password")
                        .hint(signature_hint(m.label(), version, &who.display_name)),
                );
            }
            let inputs: Vec<Input> = inputs.into_iter().map(|i| i.errors(errors)).collect();
            StepForm {
                id: s.id.clone(),
                label: s.label.clone(),
                to: state_label(&kind, &s.to),
                signature: s.signature.map(|m| m.label().to_string()),
                requires: s
                    .requires
                    .iter()
                    .map(|r| label_of(&kind, &format!("fields.{r}")))
                    .collect(),
                summary: errors.summary(&inputs),
                inputs,
                form_id,
            }
        })
        .collect();
    let signs = d
        .actions
        .sign
        .iter()
        .map(|m| {
            let form_id = format!("sign-{}", m.as_str());
            let (errors, _) = for_form(&form_id);
            let inputs = vec![
                Input::new(
                    &format!("{form_id}-"),
                    "password",
                    "Your password",
                    "password",
                )
                .required(true)
                .autocomplete("current-password")
                .hint(signature_hint(m.label(), version, &who.display_name))
                .errors(errors),
            ];
            SignForm {
                meaning: m.as_str().to_string(),
                label: m.label().to_string(),
                summary: errors.summary(&inputs),
                inputs,
                form_id,
            }
        })
        .collect();
    let (errors, _) = for_form("acknowledge");
    let ack_summary = errors.summary(&[]);
    let (errors, typed) = for_form("comment");
    let inputs = vec![
        Input::new("comment-", "body", "Comment", "textarea")
            .value(typed.get("body"))
            .required(true)
            .maxlength(Some(10_000))
            .errors(errors),
    ];
    let comment = ActionForm {
        summary: errors.summary(&inputs),
        inputs,
    };
    let (errors, typed) = for_form("link");
    let relation = typed.get("relation");
    let inputs = vec![
        Input::new("link-", "target", "Record number or clause", "text")
            .value(typed.get("target"))
            .required(true)
            .hint("Another record's number, such as NC-0003, or a clause of a standard written standard/clause, such as iso9001:2015/7.5.")
            .autocomplete("off")
            .errors(errors),
        Input::new("link-", "relation", "Relation", "select")
            .value(relation)
            .options(
                Some("The usual one: relates to a record, evidences a clause"),
                RECORD_RELATIONS
                    .iter()
                    .map(|r| (*r, *r))
                    .chain([(records::CLAUSE_RELATION, records::CLAUSE_RELATION)]),
            )
            .errors(errors),
    ];
    let link = ActionForm {
        summary: errors.summary(&inputs),
        inputs,
    };
    let (errors, _) = for_form("attach");
    let inputs = vec![
        Input::new("attach-", "file", "File", "file")
            .required(true)
            .hint(format!(
                "Up to {}. Its SHA-256 is recorded, so any copy can be checked against it later.",
                human_size(i64::try_from(app.config.attachment_limit).unwrap_or(i64::MAX))
            ))
            .errors(errors),
    ];
    let attach = ActionForm {
        summary: errors.summary(&inputs),
        inputs,
    };
    let versions = d
        .versions
        .iter()
        .map(|v| {
            let mut values = vec![
                Shown {
                    label: "Title".into(),
                    value: v.title.clone(),
                    long: false,
                },
                Shown {
                    label: "State".into(),
                    value: state_label(&kind, &v.state),
                    long: false,
                },
                Shown {
                    label: "Owner".into(),
                    value: v
                        .owner
                        .as_ref()
                        .map(|o| o.display_name.clone())
                        .unwrap_or_default(),
                    long: false,
                },
                Shown {
                    label: "Site".into(),
                    value: v.site.clone(),
                    long: false,
                },
                Shown {
                    label: "Due date".into(),
                    value: v.due_on.clone().unwrap_or_default(),
                    long: false,
                },
            ];
            values.extend(field_values(&kind, &v.fields));
            VersionShown {
                changed: v.changed.iter().map(|c| label_of(&kind, c)).collect(),
                state: state_label(&kind, &v.state),
                values,
                v: v.clone(),
            }
        })
        .collect();
    let conflict =
        conflict_changed.map(|c| conflict_of(&kind, &d, &c, record_href(&d.record.number)));
    Ok(ShowPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        fields: field_values(&kind, &d.record.fields),
        steps,
        signs,
        ack_summary,
        comment,
        link,
        attach,
        versions,
        events,
        conflict,
        kind,
        d,
    })
}

/// What the user is told before a password applies their signature (21 CFR 11.50, 11.200).
fn signature_hint(meaning: &str, version: i64, name: &str) -> String {
    format!(
        "Entering your password applies your electronic signature, meaning “{meaning}”, to \
         version {version} of this record. It is recorded with your printed name ({name}) and \
         the time, and counts as your handwritten signature."
    )
}

/// `GET /r/{number}`: the record page.
pub async fn show(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    Ok(render(
        &show_page(&app, &who, nav, &number, None, None).await?,
    ))
}

/// After an action: back to the record page on success; on a broken rule the page again with
/// the rule beside the field of the form that was posted; on a conflict the page again saying
/// what changed. Refusals and missing records are error pages.
async fn after(
    app: &App,
    who: &Principal,
    nav: Nav,
    number: &str,
    form_id: &str,
    typed: Form,
    result: Result<(), Error>,
) -> Result<Response, PageError> {
    let (status, attempt, conflict) = match result {
        Ok(()) => return Ok(see_other(&record_href(&number.trim().to_uppercase()))),
        Err(Error::Conflict { changed, .. }) => (StatusCode::CONFLICT, None, Some(changed)),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(Attempt::new(form_id, &e, typed)),
            None,
        ),
        Err(e @ Error::TooLarge { .. }) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Some(Attempt::new(form_id, &e, typed)),
            None,
        ),
        Err(e) => return Err(e.into()),
    };
    let page = show_page(app, who, nav, number, attempt, conflict).await?;
    Ok((status, render(&page)).into_response())
}

/// `POST /r/{number}/transition`: takes a workflow step.
pub async fn transition(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let step = Step {
        version: form.get("version").trim().parse().unwrap_or(0),
        transition: form.get("transition"),
        reason: form.opt("reason"),
        password: form.opt("password"),
    };
    let form_id = format!("step-{}", step.transition.trim());
    let result = records::transition(&app, &who, &number, step)
        .await
        .map(|_| ());
    after(
        &app,
        &who,
        nav,
        &number,
        &form_id,
        without_password(form),
        result,
    )
    .await
}

/// `POST /r/{number}/sign`: signs the current version.
pub async fn sign(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let signing = Signing {
        version: form.get("version").trim().parse().unwrap_or(0),
        meaning: form.get("meaning"),
        password: form.get("password"),
    };
    let form_id = format!("sign-{}", signing.meaning.trim());
    let result = records::sign(&app, &who, &number, signing)
        .await
        .map(|_| ());
    after(
        &app,
        &who,
        nav,
        &number,
        &form_id,
        without_password(form),
        result,
    )
    .await
}

/// A password is never sent back in a page.
fn without_password(form: Form) -> Form {
    Form(
        form.0
            .into_iter()
            .filter(|(k, _)| k != "password")
            .collect(),
    )
}

/// `POST /r/{number}/acknowledge`: confirms having read the revision in effect.
pub async fn acknowledge(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let result = records::acknowledge(&app, &who, &number).await.map(|_| ());
    after(
        &app,
        &who,
        nav,
        &number,
        "acknowledge",
        Form::default(),
        result,
    )
    .await
}

/// `POST /r/{number}/comment`: adds a comment.
pub async fn comment(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let result = records::comment(&app, &who, &number, &form.get("body"))
        .await
        .map(|_| ());
    after(&app, &who, nav, &number, "comment", form, result).await
}

/// `POST /r/{number}/link`: links to another record, or to a clause (anything with a `/`).
pub async fn link(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let target = form.get("target");
    let (target, clause) = if target.contains('/') {
        (None, Some(target))
    } else {
        (Some(target), None)
    };
    let l = NewLink {
        target,
        clause,
        relation: form.opt("relation"),
    };
    // The form has one box for both; errors about the clause belong beside it.
    let result = records::link(&app, &who, &number, l)
        .await
        .map(|_| ())
        .map_err(|e| match e {
            Error::Rejected(list) => Error::Rejected(
                list.into_iter()
                    .map(|mut f| {
                        if f.field == "clause" {
                            f.field = "target".into();
                        }
                        f
                    })
                    .collect(),
            ),
            Error::Invalid { field, rule } if field == "clause" => Error::Invalid {
                field: "target".into(),
                rule,
            },
            other => other,
        });
    after(&app, &who, nav, &number, "link", form, result).await
}

/// `POST /r/{number}/attachments?csrf=...`: attaches the uploaded file. The CSRF token rides in
/// the query string because the middleware does not read multipart bodies.
pub async fn attach(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(number): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let result = match read_upload(multipart, app.config.attachment_limit).await {
        Ok(upload) => records::attach(&app, &who, &number, upload)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&app, &who, nav, &number, "attach", Form::default(), result).await
}

/// The `file` part of a multipart form as an upload.
async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    limit: usize,
) -> Result<Upload, Error> {
    let mut multipart =
        multipart.map_err(|e| Error::invalid("file", format!("not a file upload: {e}")))?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(Error::invalid("file", "choose a file to attach")),
            Err(e) => return Err(multipart_error(&e, limit)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let media_type = field.content_type().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| multipart_error(&e, limit))?;
        return Ok(Upload {
            name,
            media_type,
            bytes: bytes.to_vec(),
        });
    }
}

/// A body cut off at axum's limit is a file that is too large; anything else is unreadable.
fn multipart_error(e: &axum::extract::multipart::MultipartError, limit: usize) -> Error {
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
