//! A record's page and the forms posted from it: workflow steps, signatures, acknowledgement,
//! comments, links and attachments.

use annex_app::audit_trail::{self, EventFilter, EventView};
use annex_app::records::{
    self, Detail, NewLink, RECORD_RELATIONS, Signing, Step, Upload, VersionView,
};
use annex_app::{App, Error, Principal};
use annex_core::kinds::KindInfo;
use annex_core::role::Permission;
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{
    Conflict, Shown, conflict_of, field_values, kind_info, label_of, record_href, see_other,
    state_label,
};
use crate::auth::Auth;
use crate::error::{PageError, render};
use crate::views::{Errors, Form, Input, Nav, SummaryItem, utc};

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
    /// Errors of a posted form that the page no longer shows (the record moved on meanwhile,
    /// so the step is not open any more): said at the top instead.
    pub lost: Vec<SummaryItem>,
    /// The kind's trend chart of this record (an objective's measurements), as SVG.
    pub chart: Option<String>,
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
    /// The kinds of record this one waits on as its parts (a CAPA's actions), with their
    /// labels: each gets an "Add" link that opens its form already linked to this record.
    pub fn parts(&self) -> Vec<(&'static str, &'static str)> {
        let Some(kind) = annex_core::kinds::get(&self.kind.id) else {
            return Vec::new();
        };
        let mut out: Vec<(&str, &str)> = Vec::new();
        for g in kind.transitions.iter().flat_map(|t| t.guards) {
            if let annex_core::kinds::Guard::PartsFinished(k) = *g
                && let Some(part) = annex_core::kinds::get(k)
                && !out.iter().any(|(id, _)| *id == part.id)
            {
                out.push((part.id, part.label));
            }
        }
        out
    }

    /// Records the kind's page offers to raise as part of this one (a supplier's
    /// nonconformities and corrective-action requests), as (kind, button label).
    pub fn raises(&self) -> Vec<(&'static str, &'static str)> {
        annex_core::kinds::presentation(&self.kind.id)
            .raises
            .iter()
            .map(|r| (r.kind, r.label))
            .collect()
    }

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

/// The kind's trend chart of a record's table (an objective's measurements over time, its
/// target and band across), oldest first; `None` when the kind has none or nothing is
/// measured yet.
fn trend_chart(
    kind: &KindInfo,
    title: &str,
    fields: &serde_json::Map<String, Value>,
) -> Option<String> {
    let t = annex_core::kinds::presentation(&kind.id).trend?;
    let mut points: Vec<(String, f64)> = fields
        .get(t.rows)?
        .as_array()?
        .iter()
        .filter_map(|r| Some((r.get(t.x)?.as_str()?.to_string(), r.get(t.y)?.as_f64()?)))
        .collect();
    if points.is_empty() {
        return None;
    }
    // Dates order as text; rows of one day keep the order they were entered in.
    points.sort_by(|a, b| a.0.cmp(&b.0));
    let num = |f: Option<&str>| f.and_then(|f| fields.get(f)).and_then(Value::as_f64);
    let text = |f: Option<&str>| {
        f.and_then(|f| fields.get(f))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let target = num(t.target);
    let banded = t
        .band_when
        .is_none_or(|(f, v)| fields.get(f).and_then(Value::as_str) == Some(v));
    let band = match t.band {
        Some((lo, hi)) if banded => num(Some(lo)).zip(num(Some(hi))),
        _ => None,
    };
    let unit = text(t.unit);
    let rows_label = label_of(kind, &format!("fields.{}", t.rows));
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let show = |v: f64| {
        let n = serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string());
        let n = n.strip_suffix(".0").unwrap_or(&n).to_string();
        if unit.is_empty() {
            n
        } else {
            format!("{n} {unit}")
        }
    };
    let mut desc = format!(
        "{} {}, from {} to {}; the latest is {} on {}.",
        points.len(),
        if points.len() == 1 { "value" } else { "values" },
        first.0,
        last.0,
        show(last.1),
        last.0
    );
    if let Some(t) = target {
        desc.push_str(&format!(" The target is {}.", show(t)));
    }
    if let Some((lo, hi)) = band {
        desc.push_str(&format!(
            " It should stay between {} and {}.",
            show(lo),
            show(hi)
        ));
    }
    desc.push_str(&format!(
        " The same values are listed in the {rows_label} table."
    ));
    Some(annex_report::chart::line_chart(
        &points,
        &annex_report::chart::ChartOptions {
            id: "trend".into(),
            desc,
            unit: unit.into(),
            width: 640,
            height: 280,
            target,
            band,
            decimals: None,
            ..annex_report::chart::ChartOptions::new(format!("{title}: {rows_label} over time"))
        },
    ))
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
    let steps: Vec<StepForm> = d
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
    let signs: Vec<SignForm> = d
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
                    table: None,
                },
                Shown {
                    label: "State".into(),
                    value: state_label(&kind, &v.state),
                    long: false,
                    table: None,
                },
                Shown {
                    label: "Owner".into(),
                    value: v
                        .owner
                        .as_ref()
                        .map(|o| o.display_name.clone())
                        .unwrap_or_default(),
                    long: false,
                    table: None,
                },
                Shown {
                    label: "Site".into(),
                    value: v.site.clone(),
                    long: false,
                    table: None,
                },
                Shown {
                    label: "Due date".into(),
                    value: v.due_on.clone().unwrap_or_default(),
                    long: false,
                    table: None,
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
    let shown_forms: Vec<String> = steps
        .iter()
        .map(|s| s.form_id.clone())
        .chain(signs.iter().map(|s| s.form_id.clone()))
        .chain(
            [
                ("acknowledge", d.actions.acknowledge),
                ("comment", d.actions.comment),
                ("link", d.actions.link),
                ("attach", d.actions.attach),
            ]
            .into_iter()
            .filter(|(_, shown)| *shown)
            .map(|(id, _)| id.to_string()),
        )
        .collect();
    let lost = match &attempt {
        Some(a) if !shown_forms.contains(&a.form) => a.errors.summary(&[]),
        _ => Vec::new(),
    };
    let chart = trend_chart(&kind, &d.record.title, &d.record.fields);
    Ok(ShowPage {
        chart,
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
        lost,
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

/// `GET /r/{number}/<action>`: the URL a refused form was posted to, reloaded or bookmarked;
/// the record page is where its form lives.
pub async fn back(Path(number): Path<String>) -> Response {
    see_other(&record_href(&number))
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

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(26), "26 bytes");
        assert_eq!(human_size(2048), "2.0 KB");
        assert_eq!(human_size(25 * 1024 * 1024), "25.0 MB");
    }
}
