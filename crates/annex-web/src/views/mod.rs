//! Server-rendered pages for people: the catalog browser, a standard's page, the comparison
//! page and the selector (public), and the records kernel behind a login — set-up, login, the
//! home page of tasks, record lists, forms and record pages, exports, search, the audit trail
//! and user administration. Every form works without JavaScript.
//!
//! This file holds what every page shares: the routes, the header navigation ([`Nav`]), form
//! bodies ([`Form`]) and field errors ([`Errors`]).

pub mod accounts;
pub mod assessment;
pub mod audit_trail;
pub mod compare;
pub mod competence;
pub mod export;
pub mod frameworks;
pub mod recommend;
pub mod records;
pub mod settings;
pub mod standards;

use annex_app::{App, Error, Principal};
use annex_core::kinds::FieldError;
use annex_core::role::Permission;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::auth::Found;

pub fn routes(app: &App) -> Router<App> {
    // As in the API: the app layer answers "too large" for anything over the attachment
    // limit; axum cuts off anything far over it.
    let upload_limit = app.config.attachment_limit.saturating_add(64 * 1024);
    let import_limit = annex_core::import::MAX_BYTES.saturating_add(64 * 1024);
    Router::new()
        .route("/", get(records::home))
        .route("/setup", get(accounts::setup_form).post(accounts::setup))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route(
            "/admin/users",
            get(accounts::users).post(accounts::add_user),
        )
        .route("/admin/users/{username}/access", post(accounts::set_access))
        .route("/admin/audit-trail", get(audit_trail::list))
        .route("/admin/audit-trail/verify", post(audit_trail::verify))
        .route(
            "/settings/risk-matrix",
            get(settings::risk_matrix).post(settings::set_risk_matrix),
        )
        .route("/search", get(records::search))
        .route("/records/{kind}", get(records::list))
        .route("/records/{kind}/export", get(export::register))
        .route(
            "/records/{kind}/new",
            get(records::new_form).post(records::create),
        )
        .route("/r/{number}", get(records::show))
        .route("/r/{number}/pdf", get(export::record))
        .route(
            "/r/{number}/edit",
            get(records::edit_form).post(records::update),
        )
        .route(
            "/r/{number}/transition",
            get(records::back).post(records::transition),
        )
        .route("/r/{number}/sign", get(records::back).post(records::sign))
        .route(
            "/r/{number}/acknowledge",
            get(records::back).post(records::acknowledge),
        )
        .route(
            "/r/{number}/comment",
            get(records::back).post(records::comment),
        )
        .route("/r/{number}/link", get(records::back).post(records::link))
        .route(
            "/r/{number}/attachments",
            get(records::back)
                .post(records::attach)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/frameworks",
            get(frameworks::list)
                .post(frameworks::import)
                .layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/frameworks/{id}", get(frameworks::show))
        .route("/standards", get(standards::list))
        .route("/standards/search", get(standards::search))
        .route("/standards/{id}", get(standards::show))
        .route("/compare", get(compare::page))
        .route("/competence", get(competence::page))
        .route(
            "/assessments",
            get(assessment::list).post(assessment::create),
        )
        .route("/assessments/{number}", get(assessment::checklist))
        .route(
            "/assessments/{number}/readiness",
            get(assessment::readiness),
        )
        .route(
            "/assessments/{number}/items/{item}",
            post(assessment::answer),
        )
        .route(
            "/assessments/{number}/snapshots",
            post(assessment::snapshot),
        )
        .route(
            "/assessments/{number}/transition",
            post(assessment::transition),
        )
        .route("/assessments/{number}/files/{id}", get(assessment::file))
        .route(
            "/assessments/{number}/report/{format}",
            get(assessment::report),
        )
        .route("/recommend", get(recommend::page))
}

/// One choice in a picker: value, label, and whether it is chosen.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub detail: String,
    pub checked: bool,
}

// ---------------------------------------------------------------------------------------------
// Header navigation

/// What the header of every page shows: the catalog for everyone; for a logged-in user also
/// their records, search, the audit trail and users where their role allows, their name and a
/// log-out button. Extracted from the request, so a handler only has to ask for it.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user: Option<NavUser>,
    /// Every record kind: `(id, plural)`.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The path of the page, to mark the current link with `aria-current`.
    pub here: String,
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    /// For the log-out form.
    pub csrf: String,
    pub audit_trail: bool,
    pub users: bool,
    /// May change settings (the risk matrix).
    pub settings: bool,
}

impl Nav {
    pub fn new(who: Option<&Principal>, here: &str) -> Self {
        Self {
            user: who.map(|p| NavUser {
                username: p.username.clone(),
                display_name: p.display_name.clone(),
                role: p.role.label(),
                csrf: p.csrf.clone().unwrap_or_default(),
                audit_trail: p.role.may(Permission::ReadAuditTrail),
                users: p.role.may(Permission::ManageUsers),
                settings: p.role.may(Permission::ManageSettings),
            }),
            kinds: annex_core::kinds::all()
                .iter()
                .map(|k| (k.id, k.plural))
                .collect(),
            here: here.to_string(),
        }
    }

    /// Whether the page is `path` or below it (`/records/document` is below
    /// `/records/document`, `/r/DOC-0001` is not below `/`).
    pub fn is(&self, path: &str) -> bool {
        if path == "/" {
            return self.here == "/";
        }
        self.here == path
            || self
                .here
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The list page of kind `id`.
    pub fn kind_href(&self, id: &str) -> String {
        format!("/records/{id}")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Nav {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let who = parts.extensions.get::<Found>().map(|f| &f.principal);
        Ok(Nav::new(who, parts.uri.path()))
    }
}

// ---------------------------------------------------------------------------------------------
// Forms

/// A urlencoded form body as name/value pairs, in order (names may repeat). Read by hand
/// rather than into a struct because a kind's fields are only known at run time.
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, or an empty string.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The value of `name`, or `None` when it was not sent or is blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name` (checkboxes, multi-selects).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// The rules a submitted form broke, by field, as the app layer reported them.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

/// One line of a form's error summary; `href` points at the field when the form has it.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub text: String,
    pub href: Option<String>,
}

impl Errors {
    pub fn of(e: &Error) -> Self {
        let list = e.field_errors();
        if list.is_empty() {
            // Errors without a field (a conflict, a failed login) still need saying.
            Self(vec![FieldError::new("", e.to_string())])
        } else {
            Self(list)
        }
    }

    pub fn one(field: &str, rule: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, rule)])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rules broken by `field`, joined; `None` when it is fine.
    pub fn get(&self, field: &str) -> Option<String> {
        let rules: Vec<&str> = self
            .0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.rule.as_str())
            .collect();
        (!rules.is_empty()).then(|| rules.join("; "))
    }

    /// Every error, for the box above a form: one about a control of the form is named by its
    /// label and links to it; others are said as they are.
    pub fn summary(&self, inputs: &[Input]) -> Vec<SummaryItem> {
        self.0
            .iter()
            .map(|e| {
                match inputs
                    .iter()
                    .flat_map(Input::controls)
                    .find(|i| i.name == e.field)
                {
                    Some(i) => SummaryItem {
                        text: format!("{}: {}", i.label, e.rule),
                        href: Some(format!("#{}", i.id)),
                    },
                    None if e.field.is_empty() => SummaryItem {
                        text: e.rule.clone(),
                        href: None,
                    },
                    None => SummaryItem {
                        text: format!("{}: {}", field_words(&e.field), e.rule),
                        href: None,
                    },
                }
            })
            .collect()
    }
}

/// One labelled form control with its hint and error, rendered by the `input` macro in
/// `templates/macros.html` the same way on every form: `<label for>`, the hint and the error
/// tied to the control with `aria-describedby`, and what the user typed kept.
#[derive(Debug, Clone)]
pub struct Input {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: String,
    /// An `<input type>` (`text`, `password`, `email`, `date`, `number`, `checkbox`), or
    /// `textarea` or `select`.
    pub control: &'static str,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub maxlength: Option<usize>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub options: Vec<Opt>,
    pub autocomplete: &'static str,
    pub error: Option<String>,
    /// A number input that takes fractions (`step="any"`), not whole numbers only.
    pub decimal: bool,
    /// For control `rows`: the table of cells, one input per column and row.
    pub table: Option<Box<Table>>,
}

/// The cells of a table field on a form: headed columns, and rows of inputs whose names
/// count rows from 1 (`fields.measurements.2.value`), as the app layer names their errors.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Input>>,
}

/// One `<option>` of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Input {
    /// A control for form field `name`, with id `{prefix}{name}`.
    pub fn new(prefix: &str, name: &str, label: &str, control: &'static str) -> Self {
        Self {
            id: input_id(prefix, name),
            name: name.to_string(),
            label: label.to_string(),
            hint: String::new(),
            control,
            value: String::new(),
            checked: false,
            required: false,
            maxlength: None,
            min: None,
            max: None,
            options: Vec::new(),
            autocomplete: "",
            error: None,
            decimal: false,
            table: None,
        }
    }

    /// Every control this one is made of: itself, and for a table each of its cells.
    pub fn controls(&self) -> Vec<&Input> {
        let mut all = vec![self];
        if let Some(t) = &self.table {
            all.extend(t.rows.iter().flatten());
        }
        all
    }

    pub fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }

    pub fn required(mut self, r: bool) -> Self {
        self.required = r;
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }

    pub fn maxlength(mut self, m: Option<usize>) -> Self {
        self.maxlength = m;
        self
    }

    pub fn checked(mut self, c: bool) -> Self {
        self.checked = c;
        self
    }

    /// Options of a select, `(value, label)`; the one equal to the value is selected. A blank
    /// first option is added when `blank` is given, so that nothing is chosen by default.
    pub fn options<'a>(
        mut self,
        blank: Option<&'a str>,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let value = self.value.clone();
        self.options = blank
            .map(|b| ("", b))
            .into_iter()
            .chain(options)
            .map(|(v, l)| Opt {
                value: v.to_string(),
                label: l.to_string(),
                selected: v == value,
            })
            .collect();
        self
    }

    /// Takes the errors about this field, if any.
    pub fn errors(mut self, errors: &Errors) -> Self {
        self.error = errors.get(&self.name);
        if let Some(t) = &mut self.table {
            for cell in t.rows.iter_mut().flatten() {
                cell.error = errors.get(&cell.name);
            }
        }
        self
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// The HTML id of the input for `field` in the form whose ids start with `prefix`.
pub fn input_id(prefix: &str, field: &str) -> String {
    format!("{prefix}{}", field.replace(['.', '_'], "-"))
}

/// A field name the app layer reports, in words, for messages about fields not on the form.
fn field_words(field: &str) -> String {
    match field {
        "role" => "Your role".into(),
        "state" => "State".into(),
        "signature" => "Signatures".into(),
        "transition" => "Step".into(),
        "csrf" => "Form".into(),
        other => other
            .strip_prefix("fields.")
            .unwrap_or(other)
            .replace('_', " "),
    }
}

/// A time as the app layer gives it (`2026-11-21T09:30:00Z`), for people: `2026-11-21 09:30:00
/// UTC`. Always UTC, as recorded (21 CFR 11.50(a)(2)).
pub fn utc(iso: &str) -> String {
    match iso.strip_suffix('Z') {
        Some(t) => format!("{} UTC", t.replacen('T', " ", 1)),
        None => iso.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nav_marks_the_current_section_only() {
        let nav = Nav::new(None, "/records/document/new");
        assert!(nav.is("/records/document"));
        assert!(!nav.is("/records/doc"));
        assert!(!nav.is("/"));
        assert!(Nav::new(None, "/").is("/"));
    }

    #[test]
    fn forms_read_repeated_and_blank_values() {
        let f = Form::parse(b"state=draft&state=in_review&q=+&title=Hello%20world");
        assert_eq!(f.all("state"), ["draft", "in_review"]);
        assert_eq!(f.opt("q"), None);
        assert_eq!(f.get("title"), "Hello world");
        assert!(!f.has("owner"));
    }

    #[test]
    fn error_summaries_link_fields_on_the_form() {
        let e = Errors(vec![
            FieldError::new("fields.summary", "required"),
            FieldError::new("role", "not yours"),
        ]);
        let s = e.summary(&[Input::new("f-", "fields.summary", "Purpose", "textarea")]);
        assert_eq!(s[0].text, "Purpose: required");
        assert_eq!(s[0].href.as_deref(), Some("#f-fields-summary"));
        assert_eq!(s[1].text, "Your role: not yours");
        assert!(s[1].href.is_none());
        assert_eq!(utc("2026-11-21T09:30:00Z"), "2026-11-21 09:30:00 UTC");
    }
}
