//! Controlled records: create, read, list, edit, take a workflow step, sign, link, attach,
//! comment and acknowledge. Each function checks permission (refusals are audited), validates
//! against the kind's declaration (every problem reported, nothing written), changes the record
//! inside one transaction and appends the audit events describing the change in that same
//! transaction.
//!
//! Every change makes a new version; updates name the version they read, and a stale one is a
//! conflict that says what changed (never a silent overwrite). Signatures are bound to the hash
//! of the exact version signed (21 CFR 11.70).

use std::collections::HashMap;

use annex_core::audit_trail::Draft;
use annex_core::kinds::{
    self, DeriveCtx, FieldError, FieldType, FollowUpSource, Guard, Kind, Linked, Meaning, Part,
    Ref, SignatureFact, TransitionCtx, is_date,
};
use annex_core::records::{
    Manifest, VersionContent, changed, search_text, signature_hash, version_hash,
};
use annex_core::reminders::{self, Reminder, Urgency};
use annex_core::role::Permission;
use annex_store::records::{Content, Cursor, Filter, RecordRow, SignatureRow, Sort, VersionRow};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::accounts::{deny, reauthenticate, require};
use crate::{App, Error, Principal, clock};

/// Relations a record may have to another record.
pub const RECORD_RELATIONS: [&str; 6] = [
    "relates_to",
    "caused_by",
    "addresses",
    "references",
    "supersedes",
    // An action that is part of a CAPA (see `Guard::PartsFinished`).
    PART_OF,
];
/// The relation of a record to the bigger record it is a part of.
pub const PART_OF: &str = "part_of";
/// The relation of a record to a catalog clause.
pub const CLAUSE_RELATION: &str = "evidences";

/// Whether `s` is a valid site code.
pub fn is_site_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// A new record. Also the API's request body, as read.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRecord {
    pub kind: String,
    pub title: String,
    /// User name of the owner; the creator when absent.
    pub owner: Option<String>,
    pub site: Option<String>,
    pub due_on: Option<String>,
    /// The kind's fields (see `/api/v1/kinds`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
    /// The number of a record this one is part of (an action's CAPA): linked `part_of` in
    /// the same transaction, so the new record is never left unlinked.
    #[serde(default)]
    pub part_of: Option<String>,
}

/// A change to a record's values. Absent parts stay as they are; in `fields`, a null removes
/// a value.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    /// The version the change was based on.
    pub version: i64,
    pub title: Option<String>,
    /// `Some(None)` leaves the record without an owner.
    pub owner: Option<Option<String>>,
    pub site: Option<String>,
    pub due_on: Option<Option<String>>,
    pub fields: Map<String, Value>,
    pub reason: Option<String>,
}

/// A workflow step. Also the API's request body, as read.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub version: i64,
    pub transition: String,
    pub reason: Option<String>,
    /// Your password, when the step applies your electronic signature.
    pub password: Option<String>,
}

/// A signature without a workflow step (e.g. a review). Also the API's request body.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signing {
    /// The version you read; a stale one is refused with 409.
    pub version: i64,
    /// `authored`, `reviewed`, `approved`, `verified` or `accepted`.
    pub meaning: String,
    /// Your password, re-entered (21 CFR 11.200).
    pub password: String,
}

/// A link to another record (by number) or to a catalog clause (`iso9001:2015/7.5`). Also
/// the API's request body.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLink {
    /// Another record's number.
    pub target: Option<String>,
    /// A catalog clause, `iso9001:2015/7.5`.
    pub clause: Option<String>,
    /// For records: relates_to, caused_by, addresses, references, supersedes; for clauses:
    /// evidences.
    pub relation: Option<String>,
}

/// A file to attach.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub kind: Option<String>,
    pub state: Vec<String>,
    /// A user name, or `me`.
    pub owner: Option<String>,
    pub site: Option<String>,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    /// `overdue`, `today`, `soon` or `later`: open records whose most urgent date (the due
    /// date or a date the kind declares as a reminder) is that urgent; see
    /// [`annex_core::reminders`].
    pub due: Option<String>,
    /// Words to find in number, title and fields.
    pub q: Option<String>,
    /// `updated` (default, newest first), `-updated`... see [`SORTS`].
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Leave out records in terminal states (closed, obsolete...).
    pub open: bool,
    /// Fields of the kind that must hold these values, as `(name, value)`: `fields.NAME=V`
    /// in a query string (`fields.residual_level=high`). Needs `kind`.
    pub fields: Vec<(String, String)>,
}

/// The orders a list can have, by name.
pub const SORTS: [(&str, Sort); 6] = [
    ("updated", Sort::UpdatedDesc),
    ("-updated", Sort::UpdatedAsc),
    ("created", Sort::CreatedDesc),
    ("-created", Sort::CreatedAsc),
    ("due", Sort::DueAsc),
    ("title", Sort::TitleAsc),
];

// ---------------------------------------------------------------------------------------------
// Views

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// A record as shown in lists and on its page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub state: String,
    pub state_label: String,
    /// The state is an end state (closed, obsolete).
    pub terminal: bool,
    pub owner: Option<UserRef>,
    pub site: String,
    pub due_on: Option<String>,
    /// The most urgent date the record is due for something, by the due-date engine; none
    /// when it is closed or has no date.
    pub reminder: Option<Reminder>,
    /// The reminder is overdue.
    pub overdue: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
    /// Send back with changes: a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub created_by: Option<UserRef>,
    pub updated_at: String,
}

/// A workflow step the user may take now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub id: String,
    pub label: String,
    pub to: String,
    pub reason: bool,
    pub signature: Option<Meaning>,
    pub requires: Vec<String>,
}

/// What the user may do with the record now.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actions {
    pub edit: bool,
    pub steps: Vec<StepView>,
    pub sign: Vec<Meaning>,
    pub acknowledge: bool,
    pub acknowledged: bool,
    pub comment: bool,
    pub attach: bool,
    pub link: bool,
}

/// An electronic signature as shown with the record (21 CFR 11.50: printed name, date and
/// time, meaning).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureView {
    pub id: i64,
    pub meaning: String,
    pub meaning_label: String,
    pub printed_name: String,
    pub username: String,
    /// UTC, ISO 8601.
    pub at: String,
    pub version: i64,
    pub version_hash: String,
    pub hash: String,
    /// Recomputed now: the signature matches this record's stored version and its own hash.
    pub valid: bool,
    /// It signs the current version.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkView {
    pub id: i64,
    pub relation: String,
    /// `out`: from this record; `in`: from another record to this one.
    pub direction: String,
    pub number: Option<String>,
    pub title: Option<String>,
    pub clause: Option<String>,
    pub clause_title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub at: String,
    pub by: Option<UserRef>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentView {
    pub id: i64,
    pub body: String,
    pub at: String,
    pub by: Option<UserRef>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AckView {
    pub revision: i64,
    pub user: Option<UserRef>,
    pub at: String,
}

/// One kept version and what it changed from the one before.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionView {
    pub version: i64,
    pub at: String,
    pub by: Option<UserRef>,
    pub title: String,
    pub state: String,
    pub owner: Option<UserRef>,
    pub site: String,
    pub due_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
    pub hash: String,
    pub changed: Vec<String>,
}

/// Everything on a record's page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detail {
    pub record: RecordView,
    pub actions: Actions,
    pub signatures: Vec<SignatureView>,
    pub links: Vec<LinkView>,
    pub attachments: Vec<AttachmentView>,
    pub comments: Vec<CommentView>,
    pub acknowledgements: Vec<AckView>,
    pub versions: Vec<VersionView>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    pub items: Vec<RecordView>,
    /// Pass as `cursor` for the next page; none on the last.
    pub next: Option<String>,
    /// How many records match, over all pages, counted up to [`COUNT_CAP`].
    pub total: i64,
    /// More than `total` records match: counting stopped at [`COUNT_CAP`].
    pub total_capped: bool,
}

/// How far a list counts its matches. Counting a whole 100,000-record register costs more
/// than showing a page of it; past this, "more than 1,000" is what a reader needs.
pub const COUNT_CAP: i64 = 1_000;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Resolves user ids to names once per request.
/// Also carries today's reminder window, so that every record of a page is classified
/// against the same day.
struct Users<'a> {
    app: &'a App,
    cache: HashMap<i64, Option<UserRef>>,
    window: Option<reminders::Window>,
}

impl<'a> Users<'a> {
    fn new(app: &'a App) -> Self {
        Self {
            app,
            cache: HashMap::new(),
            window: crate::reminders::window(app),
        }
    }

    /// Knows `who` already, so naming them costs no query.
    fn knowing(app: &'a App, who: &Principal) -> Self {
        let mut users = Self::new(app);
        if let Some(id) = who.user_id() {
            users.cache.insert(
                id,
                Some(UserRef {
                    id,
                    username: who.username.clone(),
                    display_name: who.display_name.clone(),
                }),
            );
        }
        users
    }

    async fn get(&mut self, id: Option<i64>) -> Result<Option<UserRef>, Error> {
        let Some(id) = id else { return Ok(None) };
        if let Some(u) = self.cache.get(&id) {
            return Ok(u.clone());
        }
        let u = self.app.store()?.user_by_id(id).await?.map(|u| UserRef {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        });
        self.cache.insert(id, u.clone());
        Ok(u)
    }
}

pub(crate) fn kind_of(row: &RecordRow) -> Result<&'static Kind, Error> {
    kinds::get(&row.kind).ok_or_else(|| {
        Error::Internal(format!("{} has an unknown kind '{}'", row.number, row.kind))
    })
}

pub(crate) fn parse_fields(s: &str) -> Map<String, Value> {
    match serde_json::from_str(s) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

async fn view(users: &mut Users<'_>, row: &RecordRow) -> Result<RecordView, Error> {
    let kind = kind_of(row)?;
    let state = kind.state(&row.state);
    let terminal = state.is_some_and(|s| s.terminal);
    let fields = parse_fields(&row.fields);
    let reminder = users
        .window
        .as_ref()
        .and_then(|w| reminders::reminder(w, kind, &row.state, row.due_on.as_deref(), &fields));
    Ok(RecordView {
        id: row.id,
        number: row.number.clone(),
        kind: row.kind.clone(),
        kind_label: kind.label.to_string(),
        title: row.title.clone(),
        state: row.state.clone(),
        state_label: state.map_or_else(|| row.state.clone(), |s| s.label.to_string()),
        terminal,
        owner: users.get(row.owner_id).await?,
        site: row.site.clone(),
        overdue: reminder
            .as_ref()
            .is_some_and(|r| r.urgency == Urgency::Overdue),
        reminder,
        due_on: row.due_on.clone(),
        fields,
        version: row.version,
        created_at: clock::iso(row.created_at),
        created_by: users.get(row.created_by).await?,
        updated_at: clock::iso(row.updated_at),
    })
}

/// A record by number that the user may see; one they may not see is "not found", so that
/// its existence is not disclosed.
async fn visible(app: &App, who: &Principal, number: &str) -> Result<RecordRow, Error> {
    require(app, who, Permission::ReadRecords).await?;
    let number = number.trim().to_uppercase();
    match app.store()?.record_by_number(&number).await? {
        Some(r) if who.sees_site(&r.site) => Ok(r),
        _ => Err(Error::NotFound(format!("record {number}"))),
    }
}

/// The flat view of a version used to say what changed: common columns and `fields.<name>`.
pub(crate) fn flat(
    title: &str,
    state: &str,
    owner: Option<i64>,
    site: &str,
    due: Option<&str>,
    fields: &Map<String, Value>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("title".into(), json!(title));
    m.insert("state".into(), json!(state));
    m.insert("owner".into(), json!(owner));
    m.insert("site".into(), json!(site));
    m.insert("due_on".into(), json!(due));
    for (k, v) in fields {
        m.insert(format!("fields.{k}"), v.clone());
    }
    m
}

pub(crate) fn flat_row(r: &RecordRow) -> Map<String, Value> {
    flat(
        &r.title,
        &r.state,
        r.owner_id,
        &r.site,
        r.due_on.as_deref(),
        &parse_fields(&r.fields),
    )
}

fn flat_version(v: &VersionRow) -> Map<String, Value> {
    flat(
        &v.title,
        &v.state,
        v.owner_id,
        &v.site,
        v.due_on.as_deref(),
        &parse_fields(&v.fields),
    )
}

/// The conflict for an update based on version `read` of a record now at `current`.
async fn conflict(app: &App, current: &RecordRow, read: i64) -> Error {
    let old = app.store().ok();
    let before = match old {
        Some(s) => s.version(current.id, read).await.ok().flatten(),
        None => None,
    };
    let changed = match before {
        Some(v) => changed(&flat_version(&v), &flat_row(current)),
        None => vec!["version".into()],
    };
    Error::Conflict {
        read,
        current: current.version,
        changed,
    }
}

/// The values of a new version, checked: owner exists, site code, due date.
pub(crate) struct Common {
    pub(crate) owner_id: Option<i64>,
    pub(crate) site: String,
    pub(crate) due_on: Option<String>,
}

async fn check_owner(app: &App, owner: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match app.store().ok()?.user_by_name(owner.trim()).await {
        Ok(Some(u)) if !u.disabled => Some(u.id),
        _ => {
            errors.push(FieldError::new(
                "owner",
                format!("'{}' is not an active user", owner.trim()),
            ));
            None
        }
    }
}

fn check_site(who: &Principal, site: &str, errors: &mut Vec<FieldError>) {
    if !site.is_empty() && !is_site_code(site) {
        errors.push(FieldError::new(
            "site",
            "a site code is 1 to 40 letters, digits, '-' or '_'",
        ));
    } else if !who.sites.is_empty() && !who.sites.iter().any(|s| s == site) {
        errors.push(FieldError::new(
            "site",
            format!("must be one of your sites: {}", who.sites.join(", ")),
        ));
    }
}

fn check_due(due: Option<&str>, errors: &mut Vec<FieldError>) {
    if let Some(d) = due
        && !is_date(d)
    {
        errors.push(FieldError::new("due_on", "must be a date YYYY-MM-DD"));
    }
}

pub(crate) fn blank_to_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Which version a write makes: the first of a new record, or the next of an existing one.
pub(crate) enum Target<'a> {
    New { seq: i64 },
    Next(&'a RecordRow),
}

pub(crate) struct Written {
    pub(crate) id: i64,
    pub(crate) number: String,
    pub(crate) version: i64,
    pub(crate) hash: String,
    /// The fields as stored (JSON text).
    pub(crate) fields: String,
    pub(crate) remind_on: Option<String>,
}

/// Writes a record version — the record's first (inserting the record) or its next, if the
/// record is still at the version it was read at — and keeps it with its content hash. A
/// writer that lost the race gets the conflict naming what the winner changed.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_version(
    app: &App,
    tx: &mut annex_store::Tx,
    kind: &Kind,
    target: Target<'_>,
    title: &str,
    state: &str,
    c: &Common,
    fields: &Map<String, Value>,
    at: i64,
    by: Option<i64>,
) -> Result<Written, Error> {
    let (number, version) = match &target {
        Target::New { seq } => (kind.number(*seq), 1),
        Target::Next(row) => (row.number.clone(), row.version + 1),
    };
    let fields_value = Value::Object(fields.clone());
    let hash = hex::encode(version_hash(&VersionContent {
        kind: kind.id,
        number: &number,
        version,
        title,
        state,
        owner_id: c.owner_id,
        site: &c.site,
        due_on: c.due_on.as_deref(),
        fields: &fields_value,
    }));
    let fields_text = fields_value.to_string();
    let search = search_text(&number, title, fields);
    let remind_on = reminders::remind_on(kind, c.due_on.as_deref(), fields);
    let content = Content {
        title,
        state,
        owner_id: c.owner_id,
        site: &c.site,
        due_on: c.due_on.as_deref(),
        remind_on: remind_on.as_deref(),
        fields: &fields_text,
        search_text: &search,
    };
    let id = match target {
        Target::New { seq } => {
            tx.insert_record(kind.id, seq, &number, &content, at, by)
                .await?
        }
        Target::Next(row) => {
            if !tx.update_record(row.id, row.version, &content, at).await? {
                // Someone wrote in between. Read their version inside this transaction: on
                // SQLite it may still be waiting for its group commit, invisible to readers.
                let now = tx.record(row.id).await?.unwrap_or(row.clone());
                return Err(conflict(app, &now, row.version).await);
            }
            row.id
        }
    };
    tx.insert_version(id, version, &content, at, by, &hash)
        .await?;
    Ok(Written {
        id,
        number,
        version,
        hash,
        fields: fields_text,
        remind_on,
    })
}

pub(crate) fn draft(who: &Principal, action: &str, subject: &str) -> Draft {
    Draft {
        at_us: clock::now_us(),
        actor: who.username.clone(),
        action: action.into(),
        subject: subject.into(),
        before: None,
        after: None,
        reason: None,
    }
}

/// Audits a refused step or signature, then returns the refusal: role refusals as
/// "forbidden", the rest as the rules broken.
async fn refuse(
    app: &App,
    who: &Principal,
    action: &str,
    subject: &str,
    errors: Vec<FieldError>,
) -> Error {
    if errors.iter().any(|e| e.field == "role") {
        let rule = errors
            .iter()
            .map(|e| e.rule.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return deny(app, who, &format!("{action} {subject}"), &rule).await;
    }
    if let Ok(store) = app.store()
        && let Ok(mut tx) = store.begin().await
    {
        let mut d = draft(who, &format!("{action}.refused"), subject);
        d.reason = Some(
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        );
        tx.audit(d);
        let _ = tx.commit().await;
    }
    Error::Rejected(errors)
}

// ---------------------------------------------------------------------------------------------
// Use cases

/// Creates a record in its kind's first state, numbered `PREFIX-0001` upwards without gaps.
pub async fn create(app: &App, who: &Principal, input: NewRecord) -> Result<RecordView, Error> {
    require(app, who, Permission::CreateRecords).await?;
    let kind = crate::kinds::get(&input.kind)?;
    if let Err(e) = kind.check_create(who.role) {
        return Err(deny(app, who, &format!("create {}", kind.id), &e.rule).await);
    }
    let mut errors = Vec::new();
    let title = kinds::validate_title(&input.title)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let mut fields = kind
        .validate(&input.fields, true)
        .map_err(|e| errors.extend(e))
        .unwrap_or_default();
    check_refs(app, kind, &fields, &mut errors).await?;
    let settings = crate::settings::for_kind(app, kind).await?;
    if errors.is_empty() {
        let _ = kind
            .compute(&mut fields, &DeriveCtx::new(&clock::today(), &settings))
            .map_err(|e| errors.extend(e));
    }
    let owner_id = match blank_to_none(input.owner) {
        Some(o) => check_owner(app, &o, &mut errors).await,
        None => who.user_id(),
    };
    let site = blank_to_none(input.site).unwrap_or_else(|| match who.sites.as_slice() {
        [only] => only.clone(),
        _ => String::new(),
    });
    check_site(who, &site, &mut errors);
    let due_on = blank_to_none(input.due_on);
    check_due(due_on.as_deref(), &mut errors);
    let parent = match blank_to_none(input.part_of) {
        None => None,
        Some(p) => {
            require(app, who, Permission::Link).await?;
            match visible(app, who, &p).await {
                Ok(r) => Some(r),
                Err(Error::NotFound(_)) => {
                    errors.push(FieldError::new(
                        "part_of",
                        format!("no record numbered '{}'", p.to_uppercase()),
                    ));
                    None
                }
                Err(e) => return Err(e),
            }
        }
    };
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let common = Common {
        owner_id,
        site,
        due_on,
    };
    let store = app.store()?;
    let at = clock::now_us();
    let mut tx = store.begin().await?;
    let seq = tx.next_seq(kind.id).await?;
    let w = write_version(
        app,
        &mut tx,
        kind,
        Target::New { seq },
        &title,
        kind.initial,
        &common,
        &fields,
        at,
        who.user_id(),
    )
    .await?;
    let (id, number) = (w.id, w.number.clone());
    let mut d = draft(who, "record.create", &number);
    d.after = Some(json!({
        "kind": kind.id,
        "title": title,
        "state": kind.initial,
        "owner_id": common.owner_id,
        "site": common.site,
        "due_on": common.due_on,
        "fields": fields,
        "version": w.version,
        "version_hash": w.hash,
    }));
    tx.audit(d);
    if let Some(parent) = &parent {
        write_link(&mut tx, who, (id, &number), Some(parent), None, PART_OF, at).await?;
        refresh_wholes(app, &mut tx, who, id, &number, at).await?;
    }
    tx.commit().await?;
    // What was just written, without reading it back.
    let row = RecordRow {
        id,
        kind: kind.id.to_string(),
        seq,
        number,
        title,
        state: kind.initial.to_string(),
        owner_id: common.owner_id,
        site: common.site,
        due_on: common.due_on,
        remind_on: w.remind_on,
        fields: w.fields,
        version: w.version,
        created_at: at,
        created_by: who.user_id(),
        updated_at: at,
    };
    view(&mut Users::knowing(app, who), &row).await
}

/// Changes a record's values, if it is still at the version the change was based on.
pub async fn update(
    app: &App,
    who: &Principal,
    number: &str,
    edit: Edit,
) -> Result<RecordView, Error> {
    let row = visible(app, who, number).await?;
    let kind = kind_of(&row)?;
    require(app, who, Permission::EditRecords).await?;
    if let Err(errors) = kind.check_edit(&row.state, who.role) {
        return Err(refuse(app, who, "record.update", &row.number, errors).await);
    }
    if edit.version != row.version {
        return Err(conflict(app, &row, edit.version).await);
    }
    let mut errors = Vec::new();
    let title = match &edit.title {
        Some(t) => kinds::validate_title(t)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => row.title.clone(),
    };
    // System fields belong to the workflow: carry them over, let the user change the rest.
    let stored = parse_fields(&row.fields);
    let mut user: Map<String, Value> = stored
        .iter()
        .filter(|(k, _)| kind.field(k).is_none_or(|f| !f.system))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in &edit.fields {
        if v.is_null() {
            user.remove(k);
        } else {
            user.insert(k.clone(), v.clone());
        }
    }
    let mut fields = kind
        .validate(&user, true)
        .map_err(|e| errors.extend(e))
        .unwrap_or_default();
    for (k, v) in &stored {
        if kind.field(k).is_some_and(|f| f.system) {
            fields.insert(k.clone(), v.clone());
        }
    }
    check_refs(app, kind, &fields, &mut errors).await?;
    let settings = crate::settings::for_kind(app, kind).await?;
    let parts = parts_with_fields(app.store()?, kind, row.id).await?;
    if errors.is_empty() {
        let _ = kind
            .compute(
                &mut fields,
                &DeriveCtx::new(&clock::today(), &settings).with_parts(&parts),
            )
            .map_err(|e| errors.extend(e));
    }
    let owner_id = match &edit.owner {
        Some(Some(o)) if !o.trim().is_empty() => check_owner(app, o, &mut errors).await,
        Some(_) => None,
        None => row.owner_id,
    };
    let site = match edit.site {
        Some(s) => {
            let s = s.trim().to_string();
            check_site(who, &s, &mut errors);
            s
        }
        None => row.site.clone(),
    };
    let due_on = match edit.due_on {
        Some(d) => blank_to_none(d),
        None => row.due_on.clone(),
    };
    check_due(due_on.as_deref(), &mut errors);
    let reason = blank_to_none(edit.reason);
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > kinds::REASON_MAX)
    {
        errors.push(FieldError::new(
            "reason",
            format!("at most {} characters", kinds::REASON_MAX),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let before = flat_row(&row);
    let mut after = flat(
        &title,
        &row.state,
        owner_id,
        &site,
        due_on.as_deref(),
        &fields,
    );
    let mut names = changed(&before, &after);
    if names.is_empty() {
        // Nothing changed: no new version, no event.
        return view(&mut Users::new(app), &row).await;
    }
    // A changed assessment is no longer the one that was signed off: the record goes back
    // to be assessed again (the signatures stay with the version they signed).
    let state = kind.reassessed(&row.state, &names).unwrap_or(&row.state);
    if state != row.state {
        after.insert("state".into(), json!(state));
        names.push("state".into());
    }
    let common = Common {
        owner_id,
        site,
        due_on,
    };
    let store = app.store()?;
    let at = clock::now_us();
    let mut tx = store.begin().await?;
    let w = write_version(
        app,
        &mut tx,
        kind,
        Target::Next(&row),
        &title,
        state,
        &common,
        &fields,
        at,
        who.user_id(),
    )
    .await?;
    let mut d = draft(who, "record.update", &row.number);
    d.before = Some(Value::Object(
        names
            .iter()
            .filter_map(|n| before.get(n).map(|v| (n.clone(), v.clone())))
            .collect(),
    ));
    let mut after_changes: Map<String, Value> = names
        .iter()
        .filter_map(|n| after.get(n).map(|v| (n.clone(), v.clone())))
        .collect();
    after_changes.insert("version".into(), json!(w.version));
    after_changes.insert("version_hash".into(), json!(w.hash));
    d.after = Some(Value::Object(after_changes));
    d.reason = reason;
    tx.audit(d);
    refresh_wholes(app, &mut tx, who, row.id, &row.number, at).await?;
    tx.commit().await?;
    let row = store
        .record(row.id)
        .await?
        .ok_or_else(|| Error::NotFound(row.number.clone()))?;
    view(&mut Users::new(app), &row).await
}

fn facts(sigs: &[SignatureRow]) -> Vec<SignatureFact> {
    sigs.iter()
        .filter_map(|s| {
            Meaning::parse(&s.meaning).map(|meaning| SignatureFact {
                meaning,
                signer: s.signer_id,
            })
        })
        .collect()
}

/// Takes a workflow step. A step that applies a signature needs the user's password again.
pub async fn transition(
    app: &App,
    who: &Principal,
    number: &str,
    step: Step,
) -> Result<RecordView, Error> {
    let row = visible(app, who, number).await?;
    // A step posted from a page of an older version is a conflict first: the rules below
    // would judge it against a state its sender never saw.
    if step.version != row.version {
        return Err(conflict(app, &row, step.version).await);
    }
    let kind = kind_of(&row)?;
    let store = app.store()?;
    let today = clock::today();
    let reason = blank_to_none(step.reason.clone());
    let fields = parse_fields(&row.fields);
    let sigs = facts(
        &store
            .signatures(row.id)
            .await?
            .into_iter()
            .filter(|s| s.version == row.version)
            .collect::<Vec<_>>(),
    );
    // What the step's guards and the kind's computation look at, read only when they do:
    // most steps need neither. The parts are read once, whole for the computation and as
    // guards see them for the guards.
    let guards = kind
        .transition(step.transition.trim())
        .map_or(&[][..], |t| t.guards);
    let needs = |g: fn(&Guard) -> bool| guards.iter().any(g);
    let own_parts: Vec<Linked> =
        if kind.derive.is_some() || needs(|g| matches!(g, Guard::PartsFinished(_))) {
            store
                .linking_to(row.id, PART_OF)
                .await?
                .iter()
                .map(linked)
                .collect()
        } else {
            Vec::new()
        };
    let parts: Vec<Part> = own_parts
        .iter()
        .map(|p| Part {
            kind: p.kind.clone(),
            number: p.number.clone(),
            finished: p.terminal,
        })
        .collect();
    let linked_records = if needs(|g| matches!(g, Guard::Linked { .. })) {
        as_parts(store.linked_records(row.id).await?)
    } else {
        Vec::new()
    };
    let check = kind.check_transition(
        step.transition.trim(),
        &TransitionCtx {
            state: &row.state,
            role: who.role,
            fields: &fields,
            signatures: &sigs,
            actor: who.id,
            reason: reason.as_deref(),
            today: &today,
            parts: &parts,
            linked: &linked_records,
            owner: row.owner_id,
        },
    );
    let mut plan = match check {
        Ok(p) => p,
        Err(errors) => return Err(refuse(app, who, "record.transition", &row.number, errors).await),
    };
    let settings = crate::settings::for_kind(app, kind).await?;
    if let Err(errors) = kind.compute(
        &mut plan.fields,
        &DeriveCtx::new(&today, &settings).with_parts(&own_parts),
    ) {
        return Err(refuse(app, who, "record.transition", &row.number, errors).await);
    }
    // The whole this record is part of, as it stands before the step, for follow-ups that
    // need it (an equipment's last good calibration before this one).
    let whole = if kind.follow_ups.is_empty() {
        None
    } else {
        store
            .linked_from(row.id, PART_OF)
            .await?
            .first()
            .map(linked)
    };
    let opened = match follow_ups(
        kind,
        step.transition.trim(),
        &row,
        &plan.fields,
        &today,
        &settings,
        whole.as_ref(),
    ) {
        Ok(o) => o,
        Err(errors) => return Err(refuse(app, who, "record.transition", &row.number, errors).await),
    };
    if plan.signature.is_some() {
        require(app, who, Permission::Sign).await?;
        let password = step.password.clone().unwrap_or_default();
        if password.is_empty() {
            return Err(Error::invalid(
                "password",
                "required: this step applies your electronic signature",
            ));
        }
        reauthenticate(app, who, &password, &row.number).await?;
    }
    let at = clock::now_us();
    let mut tx = store.begin().await?;
    let Some(locked) = tx.record(row.id).await? else {
        return Err(Error::NotFound(row.number.clone()));
    };
    if locked.version != row.version {
        drop(tx);
        return Err(conflict(app, &locked, step.version).await);
    }
    let common = Common {
        owner_id: row.owner_id,
        site: row.site.clone(),
        due_on: row.due_on.clone(),
    };
    let signed = row.version;
    let mut sig_event = None;
    if let Some(meaning) = plan.signature {
        let (s, d) = signature(app, who, &row, signed, meaning, at).await?;
        tx.insert_signature(&s).await.map_err(|e| match e {
            annex_store::Error::Duplicate(_) => Error::invalid(
                "signature",
                "you have already signed this version with this meaning",
            ),
            other => other.into(),
        })?;
        sig_event = Some(d);
    }
    let w = write_version(
        app,
        &mut tx,
        kind,
        Target::Next(&row),
        &row.title,
        plan.to,
        &common,
        &plan.fields,
        at,
        who.user_id(),
    )
    .await?;
    if let Some(d) = sig_event {
        tx.audit(d);
    }
    let mut d = draft(who, "record.transition", &row.number);
    let changed_fields: Map<String, Value> = changed(&fields, &plan.fields)
        .into_iter()
        .map(|k| {
            (
                k.clone(),
                plan.fields.get(&k).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    d.before = Some(json!({"state": row.state, "version": row.version}));
    d.after = Some(json!({
        "transition": step.transition.trim(),
        "state": plan.to,
        "version": w.version,
        "version_hash": w.hash,
        "fields": changed_fields,
    }));
    d.reason = plan.reason.clone();
    tx.audit(d);
    for o in opened {
        open_follow_up(app, &mut tx, who, &row, o, at).await?;
    }
    crate::competence::on_transition(app, &mut tx, who, kind, &row, plan.to, &plan.fields, at)
        .await?;
    refresh_wholes(app, &mut tx, who, row.id, &row.number, at).await?;
    tx.commit().await?;
    let row = store
        .record(row.id)
        .await?
        .ok_or_else(|| Error::NotFound(row.number.clone()))?;
    view(&mut Users::new(app), &row).await
}

/// A record a transition opens by itself, checked and ready to write.
pub(crate) struct Opened {
    pub kind: &'static Kind,
    pub relation: &'static str,
    pub title: String,
    pub fields: Map<String, Value>,
    pub due_on: Option<String>,
    /// Its owner; the opening record's owner when none.
    pub owner_id: Option<i64>,
}

/// The records taking `transition` on `row` opens, with fields `after` the transition. They
/// are checked as user input is: one that fails is a mistake in the kind, reported rather
/// than written half-made.
fn follow_ups(
    kind: &Kind,
    transition: &str,
    row: &RecordRow,
    after: &Map<String, Value>,
    today: &str,
    settings: &annex_core::settings::Settings,
    whole: Option<&Linked>,
) -> Result<Vec<Opened>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in kind
        .follow_ups
        .iter()
        .filter(|f| f.on == transition && (f.when)(after))
    {
        let Some(target) = kinds::get(f.kind) else {
            errors.push(FieldError::new(
                "follow_up",
                format!("no kind '{}'", f.kind),
            ));
            continue;
        };
        let (title, fields) = (f.make)(&FollowUpSource {
            number: &row.number,
            title: &row.title,
            fields: after,
            today,
            whole,
        });
        let prefix = |e: FieldError| FieldError::new(format!("follow_up.{}", e.field), e.rule);
        let title = kinds::validate_title(&title).map_err(|e| errors.push(prefix(e)));
        let fields = target
            .validate(&fields, true)
            .map_err(|e| errors.extend(e.into_iter().map(prefix)));
        if let (Ok(title), Ok(mut fields)) = (title, fields) {
            if let Err(e) = target.compute(&mut fields, &DeriveCtx::new(today, settings)) {
                errors.extend(e.into_iter().map(prefix));
                continue;
            }
            out.push(Opened {
                kind: target,
                relation: f.relation,
                title,
                fields,
                due_on: f.due_in_days.and_then(|d| reminders::add_days(today, d)),
                owner_id: None,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Writes a follow-up of `source` in `tx`: owned by the source's owner unless it names its
/// own, at the source's site, linked to it, and audited as a creation that names what opened
/// it.
pub(crate) async fn open_follow_up(
    app: &App,
    tx: &mut annex_store::Tx,
    who: &Principal,
    source: &RecordRow,
    o: Opened,
    at: i64,
) -> Result<(), Error> {
    let common = Common {
        owner_id: o.owner_id.or(source.owner_id),
        site: source.site.clone(),
        due_on: o.due_on,
    };
    let seq = tx.next_seq(o.kind.id).await?;
    let w = write_version(
        app,
        tx,
        o.kind,
        Target::New { seq },
        &o.title,
        o.kind.initial,
        &common,
        &o.fields,
        at,
        who.user_id(),
    )
    .await?;
    let mut d = draft(who, "record.create", &w.number);
    d.after = Some(json!({
        "kind": o.kind.id,
        "title": o.title,
        "state": o.kind.initial,
        "owner_id": common.owner_id,
        "site": common.site,
        "due_on": common.due_on,
        "fields": o.fields,
        "version": w.version,
        "version_hash": w.hash,
        "opened_by": source.number,
    }));
    tx.audit(d);
    write_link(
        tx,
        who,
        (w.id, &w.number),
        Some(source),
        None,
        o.relation,
        at,
    )
    .await?;
    Ok(())
}

/// A stored record as computations and follow-ups see it.
pub(crate) fn linked(row: &RecordRow) -> Linked {
    let kind = kinds::get(&row.kind);
    Linked {
        kind: row.kind.clone(),
        number: row.number.clone(),
        title: row.title.clone(),
        state: row.state.clone(),
        terminal: kind
            .and_then(|k| k.state(&row.state))
            .is_some_and(|s| s.terminal),
        fields: parse_fields(&row.fields),
    }
}

/// The parts of a record whose kind computes fields, for the computation; none for kinds
/// that compute nothing, so they cost no query.
async fn parts_with_fields(
    store: &annex_store::Store,
    kind: &Kind,
    id: i64,
) -> Result<Vec<Linked>, Error> {
    if kind.derive.is_none() {
        return Ok(Vec::new());
    }
    Ok(store
        .linking_to(id, PART_OF)
        .await?
        .iter()
        .map(linked)
        .collect())
}

/// Computes again, in `tx`, each whole that record `id` is part of and whose kind computes
/// fields from its parts (an equipment's calibration dates once a calibration is recorded),
/// and saves it as a new version when the computed values changed. Audited as an update
/// naming the part that caused it.
pub(crate) async fn refresh_wholes(
    app: &App,
    tx: &mut annex_store::Tx,
    who: &Principal,
    id: i64,
    number: &str,
    at: i64,
) -> Result<(), Error> {
    let today = clock::today();
    for whole in tx.linked_from(id, PART_OF).await? {
        let kind = kind_of(&whole)?;
        if kind.derive.is_none() {
            continue;
        }
        let parts: Vec<Linked> = tx
            .linking_to(whole.id, PART_OF)
            .await?
            .iter()
            .map(linked)
            .collect();
        let before = parse_fields(&whole.fields);
        let mut fields = before.clone();
        let settings = crate::settings::for_kind(app, kind).await?;
        kind.compute(
            &mut fields,
            &DeriveCtx::new(&today, &settings).with_parts(&parts),
        )
        .map_err(Error::Rejected)?;
        let names = changed(&before, &fields);
        if names.is_empty() {
            continue;
        }
        let common = Common {
            owner_id: whole.owner_id,
            site: whole.site.clone(),
            due_on: whole.due_on.clone(),
        };
        let w = write_version(
            app,
            tx,
            kind,
            Target::Next(&whole),
            &whole.title,
            &whole.state,
            &common,
            &fields,
            at,
            who.user_id(),
        )
        .await?;
        let pick = |m: &Map<String, Value>| -> Map<String, Value> {
            names
                .iter()
                .map(|n| {
                    (
                        format!("fields.{n}"),
                        m.get(n).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect()
        };
        let mut d = draft(who, "record.update", &whole.number);
        d.before = Some(Value::Object(pick(&before)));
        let mut after = pick(&fields);
        after.insert("version".into(), json!(w.version));
        after.insert("version_hash".into(), json!(w.hash));
        d.after = Some(Value::Object(after));
        d.reason = Some(format!("computed again from its part {number}"));
        tx.audit(d);
    }
    Ok(())
}

/// Checks that what reference fields name exists: active users, records of the right kind
/// that the user may see. Each miss is reported against its field or table cell.
async fn check_refs(
    app: &App,
    kind: &Kind,
    fields: &Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> Result<(), Error> {
    let mut wanted: Vec<(String, Ref, String)> = Vec::new();
    for f in kind.fields {
        match f.ty {
            FieldType::Ref(to) => {
                if let Some(v) = fields.get(f.name).and_then(Value::as_str) {
                    wanted.push((format!("fields.{}", f.name), to, v.to_string()));
                }
            }
            FieldType::Rows { columns, .. } => {
                let rows = fields.get(f.name).and_then(Value::as_array);
                for (i, row) in rows.into_iter().flatten().enumerate() {
                    for c in columns {
                        if let (FieldType::Ref(to), Some(v)) =
                            (c.ty, row.get(c.name).and_then(Value::as_str))
                        {
                            wanted.push((
                                format!("fields.{}.{}.{}", f.name, i + 1, c.name),
                                to,
                                v.to_string(),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let store = app.store()?;
    for (at, to, v) in wanted {
        match to {
            Ref::User => {
                if store.user_by_name(&v).await?.is_none_or(|u| u.disabled) {
                    errors.push(FieldError::new(at, format!("'{v}' is not an active user")));
                }
            }
            Ref::Record(k) => {
                let found = store.record_by_number(&v).await?;
                if found.is_none_or(|r| r.kind != k) {
                    let label = kinds::get(k).map_or(k, |k| k.label).to_lowercase();
                    errors.push(FieldError::new(at, format!("no {label} numbered '{v}'")));
                }
            }
        }
    }
    Ok(())
}

/// The names of the terminal states of `only`, or of every kind: a state name is terminal
/// in every kind or in none (the kinds check sees to it), so lists across kinds can leave
/// terminal records out by name.
pub(crate) fn terminal_states(only: Option<&Kind>) -> Vec<String> {
    let mut names: Vec<String> = kinds::all()
        .iter()
        .filter(|k| only.is_none_or(|o| o.id == k.id))
        .flat_map(|k| k.states.iter().filter(|s| s.terminal))
        .map(|s| s.id.to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Writes a link from record `from` (id, number) to a record or a clause, and the audit
/// event that records it, in `tx`.
async fn write_link(
    tx: &mut annex_store::Tx,
    who: &Principal,
    from: (i64, &str),
    target: Option<&RecordRow>,
    clause: Option<&str>,
    relation: &str,
    at: i64,
) -> Result<i64, Error> {
    let id = tx
        .insert_link(
            from.0,
            target.map(|r| r.id),
            clause,
            relation,
            at,
            who.user_id(),
        )
        .await?;
    let mut d = draft(who, "record.link", from.1);
    d.after =
        Some(json!({"relation": relation, "target": target.map(|r| &r.number), "clause": clause}));
    tx.audit(d);
    Ok(id)
}

/// The records linked as [`PART_OF`] `row` (a CAPA's actions), for its guards.
/// Linked records (kind, number, state) as guards see them: finished when their state ends
/// their kind's workflow.
fn as_parts(rows: Vec<(String, String, String)>) -> Vec<Part> {
    rows.into_iter()
        .map(|(kind, number, state)| {
            let finished = kinds::get(&kind)
                .and_then(|k| k.state(&state))
                .is_some_and(|s| s.terminal);
            Part {
                kind,
                number,
                finished,
            }
        })
        .collect()
}

/// Builds a signature on `version` of `row` and the audit event that records it.
async fn signature(
    app: &App,
    who: &Principal,
    row: &RecordRow,
    version: i64,
    meaning: Meaning,
    at: i64,
) -> Result<(SignatureRow, Draft), Error> {
    let v = app
        .store()?
        .version(row.id, version)
        .await?
        .ok_or_else(|| Error::NotFound(format!("{} version {version}", row.number)))?;
    let manifest = Manifest {
        number: row.number.clone(),
        version,
        version_hash: v.hash.clone(),
        meaning: meaning.as_str().into(),
        signer_id: who.id,
        printed_name: who.display_name.clone(),
        at_us: at,
    };
    let hash = hex::encode(signature_hash(&manifest));
    let mut d = draft(who, "signature.apply", &row.number);
    d.after = Some(json!({
        "meaning": meaning.as_str(),
        "printed_name": who.display_name,
        "version": version,
        "version_hash": v.hash,
        "signature_hash": hash,
    }));
    Ok((
        SignatureRow {
            id: 0,
            record_id: row.id,
            version,
            version_hash: v.hash,
            meaning: meaning.as_str().into(),
            signer_id: who.id,
            printed_name: who.display_name.clone(),
            at,
            hash,
        },
        d,
    ))
}

/// Signs the current version without a workflow step (e.g. "reviewed").
pub async fn sign(
    app: &App,
    who: &Principal,
    number: &str,
    s: Signing,
) -> Result<SignatureView, Error> {
    let row = visible(app, who, number).await?;
    let kind = kind_of(&row)?;
    let Some(meaning) = Meaning::parse(s.meaning.trim()) else {
        return Err(Error::invalid(
            "meaning",
            format!(
                "must be one of: {}",
                Meaning::ALL.map(Meaning::as_str).join(", ")
            ),
        ));
    };
    require(app, who, Permission::Sign).await?;
    // Signing from a page of an older version is a conflict first, as for a step.
    if s.version != row.version {
        return Err(conflict(app, &row, s.version).await);
    }
    if let Err(errors) = kind.check_signing(meaning, &row.state, who.role) {
        return Err(refuse(app, who, "signature", &row.number, errors).await);
    }
    if s.password.is_empty() {
        return Err(Error::invalid(
            "password",
            "required: re-enter your password to sign",
        ));
    }
    reauthenticate(app, who, &s.password, &row.number).await?;
    let store = app.store()?;
    let at = clock::now_us();
    let mut tx = store.begin().await?;
    let Some(locked) = tx.record(row.id).await? else {
        return Err(Error::NotFound(row.number.clone()));
    };
    if locked.version != s.version {
        drop(tx);
        return Err(conflict(app, &locked, s.version).await);
    }
    let (mut sig, d) = signature(app, who, &row, row.version, meaning, at).await?;
    sig.id = tx.insert_signature(&sig).await.map_err(|e| match e {
        annex_store::Error::Duplicate(_) => Error::invalid(
            "meaning",
            "you have already signed this version with this meaning",
        ),
        other => other.into(),
    })?;
    tx.audit(d);
    tx.commit().await?;
    let versions = store.versions(row.id).await?;
    Ok(signature_view(&sig, &row, &versions, &who.username))
}

fn signature_view(
    s: &SignatureRow,
    row: &RecordRow,
    versions: &[VersionRow],
    username: &str,
) -> SignatureView {
    let stored = versions.iter().find(|v| v.version == s.version);
    // Valid only if the version it names still hashes to what was signed, and the manifest
    // still hashes to the stored signature hash.
    let version_ok = stored.is_some_and(|v| {
        v.hash == s.version_hash
            && hex::encode(version_hash(&VersionContent {
                kind: &row.kind,
                number: &row.number,
                version: v.version,
                title: &v.title,
                state: &v.state,
                owner_id: v.owner_id,
                site: &v.site,
                due_on: v.due_on.as_deref(),
                fields: &Value::Object(parse_fields(&v.fields)),
            })) == v.hash
    });
    let manifest_ok = hex::encode(signature_hash(&Manifest {
        number: row.number.clone(),
        version: s.version,
        version_hash: s.version_hash.clone(),
        meaning: s.meaning.clone(),
        signer_id: s.signer_id,
        printed_name: s.printed_name.clone(),
        at_us: s.at,
    })) == s.hash;
    SignatureView {
        id: s.id,
        meaning: s.meaning.clone(),
        meaning_label: Meaning::parse(&s.meaning)
            .map_or_else(|| s.meaning.clone(), |m| m.label().to_string()),
        printed_name: s.printed_name.clone(),
        username: username.to_string(),
        at: clock::iso(s.at),
        version: s.version,
        version_hash: s.version_hash.clone(),
        hash: s.hash.clone(),
        valid: version_ok && manifest_ok && s.record_id == row.id,
        current: s.version == row.version,
    }
}

/// Links a record to another record or to a catalog clause.
pub async fn link(app: &App, who: &Principal, number: &str, l: NewLink) -> Result<LinkView, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Link).await?;
    let target = blank_to_none(l.target);
    let clause = blank_to_none(l.clause);
    let mut errors = Vec::new();
    let (target_row, clause_id, relation) = match (target, clause) {
        (Some(t), None) => {
            let relation = blank_to_none(l.relation).unwrap_or_else(|| "relates_to".into());
            if !RECORD_RELATIONS.contains(&relation.as_str()) {
                errors.push(FieldError::new(
                    "relation",
                    format!("must be one of: {}", RECORD_RELATIONS.join(", ")),
                ));
            }
            let t = match visible(app, who, &t).await {
                Ok(r) if r.id == row.id => {
                    errors.push(FieldError::new("target", "a record cannot link to itself"));
                    None
                }
                Ok(r) => Some(r),
                Err(Error::NotFound(_)) => {
                    errors.push(FieldError::new(
                        "target",
                        format!("no record numbered '{}'", t.to_uppercase()),
                    ));
                    None
                }
                Err(e) => return Err(e),
            };
            (t, None, relation)
        }
        (None, Some(c)) => {
            let relation = blank_to_none(l.relation).unwrap_or_else(|| CLAUSE_RELATION.into());
            if relation != CLAUSE_RELATION {
                errors.push(FieldError::new(
                    "relation",
                    format!("a clause link is '{CLAUSE_RELATION}'"),
                ));
            }
            let id = match clause_title(app, &c) {
                Some(_) => Some(normalise_clause(&c)),
                None => {
                    errors.push(FieldError::new(
                        "clause",
                        format!(
                            "no clause '{c}': write it as standard/number, e.g. iso9001:2015/7.5"
                        ),
                    ));
                    None
                }
            };
            (None, id, relation)
        }
        _ => {
            return Err(Error::invalid(
                "target",
                "give either a record number (target) or a clause, not both",
            ));
        }
    };
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let store = app.store()?;
    let mut tx = store.begin().await?;
    let target_id = target_row.as_ref().map(|r| r.id);
    if tx
        .link_exists(row.id, target_id, clause_id.as_deref(), &relation)
        .await?
    {
        return Err(Error::invalid("target", "this link already exists"));
    }
    let id = write_link(
        &mut tx,
        who,
        (row.id, &row.number),
        target_row.as_ref(),
        clause_id.as_deref(),
        &relation,
        clock::now_us(),
    )
    .await?;
    tx.commit().await?;
    Ok(LinkView {
        id,
        relation,
        direction: "out".into(),
        number: target_row.as_ref().map(|r| r.number.clone()),
        title: target_row.map(|r| r.title),
        clause_title: clause_id.as_deref().and_then(|c| clause_title(app, c)),
        clause: clause_id,
    })
}

fn normalise_clause(c: &str) -> String {
    c.trim().to_lowercase()
}

/// The title of a clause named `standard/number`, if the catalog has it.
pub fn clause_title(app: &App, c: &str) -> Option<String> {
    let c = normalise_clause(c);
    let (std, number) = c.split_once('/')?;
    let standard = app.catalog.get(std)?;
    standard
        .clause(number)
        .map(|cl| format!("{} {} {}", standard.designation, cl.number, cl.title))
}

/// Checks an uploaded file's name, content and media type; returns the name to keep (the
/// base name only: a path in a file name is a trick, not information) and the media type.
pub(crate) fn check_upload(u: &Upload) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = u
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "file",
            "a file name of 1 to 200 characters is required",
        ));
    }
    if u.bytes.is_empty() {
        errors.push(FieldError::new("file", "the file is empty"));
    }
    let media_type = if u.media_type.trim().is_empty() {
        "application/octet-stream".to_string()
    } else {
        u.media_type.trim().to_string()
    };
    if media_type.len() > 200 || !media_type.contains('/') {
        errors.push(FieldError::new(
            "media_type",
            "must be a media type such as application/pdf",
        ));
    }
    if errors.is_empty() {
        Ok((name, media_type))
    } else {
        Err(errors)
    }
}

/// Attaches a file. Its SHA-256 is kept, so a copy can be checked against it later.
pub async fn attach(
    app: &App,
    who: &Principal,
    number: &str,
    u: Upload,
) -> Result<AttachmentView, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Attach).await?;
    if u.bytes.len() > app.config.attachment_limit {
        return Err(Error::TooLarge {
            field: "file".into(),
            limit: app.config.attachment_limit,
        });
    }
    let (name, media_type) = check_upload(&u).map_err(Error::Rejected)?;
    let sha = hex::encode(Sha256::digest(&u.bytes));
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    let id = tx
        .insert_attachment(
            row.id,
            &name,
            &media_type,
            &sha,
            &u.bytes,
            at,
            who.user_id(),
        )
        .await?;
    let mut d = draft(who, "record.attach", &row.number);
    d.after = Some(
        json!({"attachment_id": id, "name": name, "media_type": media_type, "size": u.bytes.len(), "sha256": sha}),
    );
    tx.audit(d);
    tx.commit().await?;
    Ok(AttachmentView {
        id,
        name,
        media_type,
        size: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
        sha256: sha,
        at: clock::iso(at),
        by: Users::new(app).get(who.user_id()).await?,
    })
}

/// An attachment's description and bytes, if its record is visible to the user.
pub async fn attachment(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(AttachmentView, Vec<u8>), Error> {
    require(app, who, Permission::ReadRecords).await?;
    let store = app.store()?;
    let Some((a, bytes)) = store.attachment(id).await? else {
        return Err(Error::NotFound(format!("attachment {id}")));
    };
    match store.record(a.record_id).await? {
        Some(r) if who.sees_site(&r.site) => {}
        _ => return Err(Error::NotFound(format!("attachment {id}"))),
    }
    let by = Users::new(app).get(a.created_by).await?;
    Ok((
        AttachmentView {
            id: a.id,
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            at: clock::iso(a.created_at),
            by,
        },
        bytes,
    ))
}

/// Adds a comment.
pub async fn comment(
    app: &App,
    who: &Principal,
    number: &str,
    body: &str,
) -> Result<CommentView, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Comment).await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 10_000 {
        return Err(Error::invalid("body", "1 to 10000 characters"));
    }
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    let id = tx.insert_comment(row.id, body, at, who.user_id()).await?;
    let mut d = draft(who, "record.comment", &row.number);
    d.after = Some(json!({"comment_id": id, "body": body}));
    tx.audit(d);
    tx.commit().await?;
    Ok(CommentView {
        id,
        body: body.to_string(),
        at: clock::iso(at),
        by: Users::new(app).get(who.user_id()).await?,
    })
}

/// The revision a reader acknowledges: the kind's `revision` field, else the version.
pub(crate) fn revision_of(row: &RecordRow) -> i64 {
    parse_fields(&row.fields)
        .get("revision")
        .and_then(Value::as_i64)
        .unwrap_or(row.version)
}

/// Records that the user has read and understood the current revision.
pub async fn acknowledge(app: &App, who: &Principal, number: &str) -> Result<AckView, Error> {
    let row = visible(app, who, number).await?;
    let kind = kind_of(&row)?;
    if let Err(errors) = kind.check_acknowledge(&row.state, who.role) {
        return Err(refuse(app, who, "record.acknowledge", &row.number, errors).await);
    }
    let Some(user_id) = who.user_id() else {
        return Err(Error::invalid(
            "user",
            "acknowledgements belong to user accounts",
        ));
    };
    let revision = revision_of(&row);
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    if tx.insert_ack(row.id, revision, user_id, at).await? {
        let mut d = draft(who, "record.acknowledge", &row.number);
        d.after = Some(json!({"revision": revision}));
        tx.audit(d);
        crate::competence::on_acknowledge(app, &mut tx, who, &row, revision, at).await?;
        tx.commit().await?;
    }
    Ok(AckView {
        revision,
        user: Users::new(app).get(Some(user_id)).await?,
        at: clock::iso(at),
    })
}

/// A record with everything its page shows.
pub async fn get(app: &App, who: &Principal, number: &str) -> Result<Detail, Error> {
    let row = visible(app, who, number).await?;
    let kind = kind_of(&row)?;
    let store = app.store()?;
    let mut users = Users::new(app);
    let record = view(&mut users, &row).await?;
    let versions_rows = store.versions(row.id).await?;
    let sig_rows = store.signatures(row.id).await?;
    let mut signatures = Vec::with_capacity(sig_rows.len());
    for s in &sig_rows {
        let name = users
            .get(Some(s.signer_id))
            .await?
            .map(|u| u.username)
            .unwrap_or_default();
        signatures.push(signature_view(s, &row, &versions_rows, &name));
    }
    let mut links = Vec::new();
    for (l, direction) in store
        .links(row.id)
        .await?
        .into_iter()
        .map(|l| (l, "out"))
        .chain(
            store
                .backlinks(row.id)
                .await?
                .into_iter()
                .map(|l| (l, "in")),
        )
    {
        links.push(LinkView {
            id: l.id,
            relation: l.relation,
            direction: direction.into(),
            number: l.target_number,
            title: l.target_title,
            clause_title: l.clause.as_deref().and_then(|c| clause_title(app, c)),
            clause: l.clause,
        });
    }
    let mut attachments = Vec::new();
    for a in store.attachments(row.id).await? {
        attachments.push(AttachmentView {
            id: a.id,
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            at: clock::iso(a.created_at),
            by: users.get(a.created_by).await?,
        });
    }
    let mut comments = Vec::new();
    for c in store.comments(row.id).await? {
        comments.push(CommentView {
            id: c.id,
            body: c.body,
            at: clock::iso(c.created_at),
            by: users.get(c.created_by).await?,
        });
    }
    let revision = revision_of(&row);
    let mut acknowledgements = Vec::new();
    let mut acknowledged = false;
    for a in store.acknowledgements(row.id).await? {
        acknowledged |= a.user_id == who.id && a.revision == revision;
        acknowledgements.push(AckView {
            revision: a.revision,
            user: users.get(Some(a.user_id)).await?,
            at: clock::iso(a.at),
        });
    }
    let mut versions = Vec::with_capacity(versions_rows.len());
    let mut prev: Option<Map<String, Value>> = None;
    for v in &versions_rows {
        let f = flat_version(v);
        let changed = prev.as_ref().map(|p| changed(p, &f)).unwrap_or_default();
        versions.push(VersionView {
            version: v.version,
            at: clock::iso(v.at),
            by: users.get(v.by_user).await?,
            title: v.title.clone(),
            state: v.state.clone(),
            owner: users.get(v.owner_id).await?,
            site: v.site.clone(),
            due_on: v.due_on.clone(),
            fields: parse_fields(&v.fields),
            hash: v.hash.clone(),
            changed,
        });
        prev = Some(f);
    }
    versions.reverse();
    let role = who.role;
    let actions = Actions {
        edit: role.may(Permission::EditRecords) && kind.check_edit(&row.state, role).is_ok(),
        steps: kind
            .available(&row.state, role)
            .into_iter()
            .filter(|t| t.signature.is_none() || role.may(Permission::Sign))
            .map(|t| StepView {
                id: t.id.into(),
                label: t.label.into(),
                to: t.to.into(),
                reason: t.reason,
                signature: t.signature,
                requires: t.requires.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
        sign: Meaning::ALL
            .into_iter()
            .filter(|m| {
                role.may(Permission::Sign) && kind.check_signing(*m, &row.state, role).is_ok()
            })
            .filter(|m| {
                !sig_rows.iter().any(|s| {
                    s.version == row.version && s.signer_id == who.id && s.meaning == m.as_str()
                })
            })
            .collect(),
        acknowledge: !acknowledged
            && who.user_id().is_some()
            && kind.check_acknowledge(&row.state, role).is_ok(),
        acknowledged,
        comment: role.may(Permission::Comment),
        attach: role.may(Permission::Attach),
        link: role.may(Permission::Link),
    };
    Ok(Detail {
        record,
        actions,
        signatures,
        links,
        attachments,
        comments,
        acknowledgements,
        versions,
    })
}

fn encode_cursor(c: &Cursor) -> String {
    match c {
        Cursor::Int(k, id) => format!("i{k}.{id}"),
        Cursor::Text(k, id) => format!("t{}.{id}", hex::encode(k)),
    }
}

fn decode_cursor(s: &str) -> Option<Cursor> {
    let (key, id) = s.get(1..)?.rsplit_once('.')?;
    let id: i64 = id.parse().ok()?;
    match s.as_bytes().first()? {
        b'i' => Some(Cursor::Int(key.parse().ok()?, id)),
        b't' => String::from_utf8(hex::decode(key).ok()?)
            .ok()
            .map(|k| Cursor::Text(k, id)),
        _ => None,
    }
}

/// One page of records the user may see.
pub async fn list(app: &App, who: &Principal, q: ListQuery) -> Result<Page, Error> {
    let filter = filter_of(app, who, q).await?;
    let store = app.store()?;
    let rows = store.list(&filter).await?;
    let total = count_of(store, &filter).await?;
    let next = if i64::try_from(rows.len()).unwrap_or(0) == filter.limit {
        rows.last().map(|r| encode_cursor(&filter.sort.cursor(r)))
    } else {
        None
    };
    let mut users = Users::new(app);
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(view(&mut users, r).await?);
    }
    Ok(Page {
        items,
        next,
        total: total.n,
        total_capped: total.capped,
    })
}

/// How many records a list query matches, without reading a page of them.
pub async fn count(app: &App, who: &Principal, q: ListQuery) -> Result<Count, Error> {
    let filter = filter_of(app, who, q).await?;
    count_of(app.store()?, &filter).await
}

/// A count of matching records, which stops at [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: i64,
    /// More than `n` match: counting stopped.
    pub capped: bool,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.capped {
            write!(f, "more than {}", self.n)
        } else {
            write!(f, "{}", self.n)
        }
    }
}

async fn count_of(store: &annex_store::Store, filter: &Filter) -> Result<Count, Error> {
    let counted = store.count(filter, COUNT_CAP).await?;
    Ok(Count {
        n: counted.min(COUNT_CAP),
        capped: counted > COUNT_CAP,
    })
}

/// The store filter a list query asks for, once every part of it is checked; the parts that
/// break a rule are reported together.
pub(crate) async fn filter_of(app: &App, who: &Principal, q: ListQuery) -> Result<Filter, Error> {
    require(app, who, Permission::ReadRecords).await?;
    let mut errors = Vec::new();
    let kind = match blank_to_none(q.kind) {
        Some(k) => match crate::kinds::get(&k) {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.extend(e.field_errors());
                None
            }
        },
        None => None,
    };
    let states: Vec<String> = q
        .state
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(kind) = kind {
        for s in &states {
            if kind.state(s).is_none() {
                errors.push(FieldError::new(
                    "state",
                    format!(
                        "'{s}' is not a state of {}: {}",
                        kind.plural.to_lowercase(),
                        kind.states
                            .iter()
                            .map(|s| s.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    let owner_id = match blank_to_none(q.owner) {
        Some(o) if o == "me" => Some(who.id),
        Some(o) => match app.store()?.user_by_name(&o).await? {
            Some(u) => Some(u.id),
            None => {
                errors.push(FieldError::new("owner", format!("no user '{o}'")));
                None
            }
        },
        None => None,
    };
    let due_before = blank_to_none(q.due_before);
    let due_after = blank_to_none(q.due_after);
    for (field, d) in [("due_before", &due_before), ("due_after", &due_after)] {
        if d.as_deref().is_some_and(|d| !is_date(d)) {
            errors.push(FieldError::new(field, "must be a date YYYY-MM-DD"));
        }
    }
    let due = match blank_to_none(q.due) {
        Some(d) => match Urgency::parse(&d) {
            Some(u) => Some(u),
            None => {
                errors.push(FieldError::new(
                    "due",
                    format!(
                        "must be one of: {}",
                        Urgency::ALL.map(Urgency::as_str).join(", ")
                    ),
                ));
                None
            }
        },
        None => None,
    };
    let window = crate::reminders::window(app);
    if due.is_some() && window.is_none() {
        return Err(Error::Internal("today is not a date".into()));
    }
    let bounds = due.zip(window).map(|(u, w)| w.bounds(u));
    let sort_name = blank_to_none(q.sort).unwrap_or_else(|| "updated".into());
    let sort = SORTS.iter().find(|(n, _)| *n == sort_name).map(|(_, s)| *s);
    if sort.is_none() {
        errors.push(FieldError::new(
            "sort",
            format!("must be one of: {}", SORTS.map(|(n, _)| n).join(", ")),
        ));
    }
    let after = match blank_to_none(q.cursor) {
        Some(c) => {
            let d = decode_cursor(&c);
            if d.is_none() {
                errors.push(FieldError::new(
                    "cursor",
                    "not a cursor from a previous page",
                ));
            }
            d
        }
        None => None,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        errors.push(FieldError::new("limit", "must be between 1 and 500"));
    }
    let fields = field_filters(kind, &q.fields, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let sort = sort.unwrap_or_default();
    // Only open records remind: an urgency implies open.
    let not_states: Vec<String> = if q.open || due.is_some() {
        terminal_states(kind)
    } else {
        Vec::new()
    };
    Ok(Filter {
        kind: kind.map(|k| k.id.to_string()),
        states,
        not_states,
        owner_id,
        site: blank_to_none(q.site),
        sites_allowed: (!who.sites.is_empty()).then(|| {
            let mut s = who.sites.clone();
            s.push(String::new());
            s
        }),
        due_by: due_before,
        due_from: due_after,
        remind_from: bounds.as_ref().and_then(|b| b.from.clone()),
        remind_by: bounds.and_then(|b| b.to),
        text: blank_to_none(q.q),
        fields,
        sort,
        after,
        limit,
    })
}

/// Field filters checked against the kind: a declared field with a value that can be
/// compared as text (text, choice, number, date). Blank values filter nothing.
fn field_filters(
    kind: Option<&Kind>,
    asked: &[(String, String)],
    errors: &mut Vec<FieldError>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in asked {
        let (name, value) = (name.trim(), value.trim());
        if value.is_empty() {
            continue;
        }
        let at = format!("fields.{name}");
        let Some(kind) = kind else {
            errors.push(FieldError::new(at, "filtering on a field needs a kind"));
            continue;
        };
        match kind.field(name).map(|f| f.ty) {
            Some(
                kinds::FieldType::Text { .. }
                | kinds::FieldType::Choice(_)
                | kinds::FieldType::Integer { .. }
                | kinds::FieldType::Number { .. }
                | kinds::FieldType::Date,
            ) => out.push((name.to_string(), value.to_string())),
            Some(_) => errors.push(FieldError::new(
                at,
                "only text, choice, number and date fields can be filtered on",
            )),
            None => errors.push(FieldError::new(
                at,
                format!("not a field of kind '{}'", kind.id),
            )),
        }
    }
    out
}

/// The user's open records, soonest due first: the home page's task list.
pub async fn tasks(app: &App, who: &Principal, limit: i64) -> Result<Page, Error> {
    list(
        app,
        who,
        ListQuery {
            owner: Some("me".into()),
            open: true,
            sort: Some("due".into()),
            limit: Some(limit),
            ..ListQuery::default()
        },
    )
    .await
}
