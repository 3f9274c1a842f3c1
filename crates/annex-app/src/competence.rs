//! Competence: the competence matrix (each person holding an active job role against the
//! competences their roles require, from their training records), and the two steps that tie
//! controlled documents to training.
//!
//! - When a record enters the state in which it is acknowledged (a document's "effective")
//!   and names job roles in a reference field, each active holder of those roles gets a
//!   read-and-acknowledge training record for that revision, in the same transaction, linked
//!   to the document and audited. This is keyed on the kernel's declarations (the kind's
//!   `acknowledge_in` and its job-role reference fields), not on the document kind by name,
//!   so any kind that people acknowledge and that names roles behaves the same.
//! - When a person acknowledges a revision, their open read-and-acknowledge training for it
//!   (or for an earlier revision, which the newer reading covers) becomes effective, dated
//!   that day, with the acknowledgement as its evaluation, in the acknowledgement's
//!   transaction and audited as a workflow step.
//!
//! Why here and not as a kernel follow-up: a follow-up opens one record per step, owned by
//! the opener's owner; this opens one per person, owned by each of them, and the people come
//! from other records (the roles), which only the app can read.

use std::collections::{BTreeMap, HashMap};

use annex_core::kinds::{self, FieldType, JOB_ROLE, Kind, Ref, TRAINING, job_role, training};
use annex_core::reminders::Urgency;
use annex_core::role::Permission;
use annex_store::records::RecordRow;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::accounts::require;
use crate::records::{
    Common, ListQuery, Opened, Target, UserRef, draft, filter_of, open_follow_up, parse_fields,
    write_version,
};
use crate::{App, Error, Principal, clock};

/// Days a person has to read a revision that concerns them.
pub const READ_WITHIN_DAYS: i64 = 14;

/// How records that a training points at are linked from it.
const RELATION: &str = "references";

/// The job-role numbers a record names in its reference fields, in order, once each.
fn roles_named(kind: &Kind, fields: &Map<String, Value>) -> Vec<String> {
    let is_role = |ty: FieldType| ty == FieldType::Ref(Ref::Record(JOB_ROLE.id));
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(n) = v.and_then(Value::as_str)
            && !out.iter().any(|o| o == n)
        {
            out.push(n.to_string());
        }
    };
    for f in kind.fields {
        match f.ty {
            ty if is_role(ty) => add(fields.get(f.name)),
            FieldType::Rows { columns, .. } => {
                for row in fields
                    .get(f.name)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for c in columns.iter().filter(|c| is_role(c.ty)) {
                        add(row.get(c.name));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The active users holding an active job role, by user name, once each.
async fn holders(app: &App, role: &RecordRow) -> Result<Vec<UserRef>, Error> {
    let store = app.store()?;
    let mut out: Vec<UserRef> = Vec::new();
    let fields = parse_fields(&role.fields);
    for row in fields
        .get("holders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = row.get("user").and_then(Value::as_str) else {
            continue;
        };
        if let Some(u) = store.user_by_name(name).await?
            && !u.disabled
            && !out.iter().any(|o| o.id == u.id)
        {
            out.push(UserRef {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
            });
        }
    }
    Ok(out)
}

/// Called by a workflow step, inside its transaction: a record entering its acknowledgement
/// state opens read-and-acknowledge training for the holders of the job roles it names.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn on_transition(
    app: &App,
    tx: &mut annex_store::Tx,
    who: &Principal,
    kind: &Kind,
    row: &RecordRow,
    to: &str,
    fields: &Map<String, Value>,
    at: i64,
) -> Result<(), Error> {
    if kind.acknowledge_in != Some(to) || row.state == to {
        return Ok(());
    }
    let roles = roles_named(kind, fields);
    if roles.is_empty() {
        return Ok(());
    }
    let store = app.store()?;
    let mut people: Vec<UserRef> = Vec::new();
    for number in &roles {
        let Some(role) = store.record_by_number(number).await? else {
            continue;
        };
        if role.kind != JOB_ROLE.id || role.state != job_role::ACTIVE {
            continue;
        }
        for u in holders(app, &role).await? {
            if !people.iter().any(|p| p.id == u.id) {
                people.push(u);
            }
        }
    }
    // The revision that comes into effect, as acknowledgements count it.
    let revision = fields
        .get("revision")
        .and_then(Value::as_i64)
        .unwrap_or(row.version + 1);
    let today = clock::today();
    let complete_by = annex_core::reminders::add_days(&today, READ_WITHIN_DAYS);
    for person in people {
        let mut f = Map::new();
        f.insert(
            "training_type".into(),
            json!(training::READ_AND_ACKNOWLEDGE),
        );
        f.insert("document".into(), json!(row.number));
        f.insert("document_revision".into(), json!(revision));
        f.insert("complete_by".into(), json!(complete_by));
        f.insert(
            "description".into(),
            json!(format!(
                "Read revision {revision} of {} and acknowledge it on its page.",
                row.number
            )),
        );
        let fields = TRAINING.validate(&f, true).map_err(|e| {
            Error::Internal(format!(
                "read-and-acknowledge training for {} is not valid: {e:?}",
                row.number
            ))
        })?;
        let title: String = format!("Read {} revision {revision}: {}", row.number, row.title)
            .chars()
            .take(kinds::TITLE_MAX)
            .collect();
        open_follow_up(
            app,
            tx,
            who,
            row,
            Opened {
                kind: &TRAINING,
                relation: RELATION,
                title,
                fields,
                due_on: None,
                owner_id: Some(person.id),
            },
            at,
        )
        .await?;
    }
    Ok(())
}

/// Called when `who` acknowledges `revision` of `doc`, inside that transaction: their open
/// read-and-acknowledge training for it becomes effective, dated today.
pub(crate) async fn on_acknowledge(
    app: &App,
    tx: &mut annex_store::Tx,
    who: &Principal,
    doc: &RecordRow,
    revision: i64,
    at: i64,
) -> Result<(), Error> {
    let Some(user) = who.user_id() else {
        return Ok(());
    };
    let today = clock::today();
    for t in tx.linking_to(doc.id, RELATION).await? {
        let mut fields = parse_fields(&t.fields);
        let matches = t.kind == TRAINING.id
            && t.owner_id == Some(user)
            && t.state == training::PLANNED
            && fields.get("training_type").and_then(Value::as_str)
                == Some(training::READ_AND_ACKNOWLEDGE)
            && fields.get("document").and_then(Value::as_str) == Some(doc.number.as_str())
            && fields
                .get("document_revision")
                .and_then(Value::as_i64)
                .is_none_or(|r| r <= revision);
        if !matches {
            continue;
        }
        let before = fields.clone();
        fields.remove("complete_by");
        fields.insert("completed_on".into(), json!(today));
        fields.insert("evaluation_method".into(), json!("acknowledgement"));
        fields.insert(
            "evaluation_result".into(),
            json!(format!(
                "Read and acknowledged revision {revision} of {}.",
                doc.number
            )),
        );
        fields.insert("evaluated_on".into(), json!(today));
        let common = Common {
            owner_id: t.owner_id,
            site: t.site.clone(),
            due_on: t.due_on.clone(),
        };
        let w = write_version(
            app,
            tx,
            &TRAINING,
            Target::Next(&t),
            &t.title,
            training::EFFECTIVE,
            &common,
            &fields,
            at,
            who.user_id(),
        )
        .await?;
        let changed: Map<String, Value> = annex_core::records::changed(&before, &fields)
            .into_iter()
            .map(|k| (k.clone(), fields.get(&k).cloned().unwrap_or(Value::Null)))
            .collect();
        let mut d = draft(who, "record.transition", &t.number);
        d.before = Some(json!({"state": t.state, "version": t.version}));
        d.after = Some(json!({
            "transition": "acknowledged",
            "state": training::EFFECTIVE,
            "version": w.version,
            "version_hash": w.hash,
            "fields": changed,
        }));
        d.reason = Some(format!(
            "{} acknowledged revision {revision} of {}",
            who.username, doc.number
        ));
        tx.audit(d);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The matrix

/// Where a person stands on one competence their roles require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// An effective training that does not expire within the reminder lead time.
    Current,
    /// An effective training that expires within the lead time (or today).
    ExpiringSoon,
    /// Only effective trainings whose expiry has passed.
    Expired,
    /// No effective training (one may be planned or awaiting evaluation).
    Missing,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Self::Current => "Current",
            Self::ExpiringSoon => "Expiring soon",
            Self::Expired => "Expired",
            Self::Missing => "Missing",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::ExpiringSoon => "expiring_soon",
            Self::Expired => "expired",
            Self::Missing => "missing",
        }
    }
}

/// One cell: a competence one of the person's roles requires.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    pub competence: String,
    /// None when none of the person's roles requires it.
    pub standing: Option<Standing>,
    /// The training record behind the standing: the one that counts, or for a missing
    /// competence one that is planned or awaiting evaluation.
    pub training: Option<String>,
    pub expires_on: Option<String>,
}

/// One person: the roles they hold and a cell per column.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRow {
    pub user: UserRef,
    /// Numbers of the active job roles they hold.
    pub roles: Vec<String>,
    pub cells: Vec<Cell>,
}

/// People against the competences their roles require.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    /// Every competence an active job role requires, in the order the roles name them.
    pub competences: Vec<String>,
    pub people: Vec<PersonRow>,
    /// The day the standings are worked out for.
    pub today: String,
}

/// A training as the matrix weighs it: number, state and expiry date.
type Held = (String, String, Option<String>);

/// How competence names are matched between roles and training: case and surrounding
/// spaces do not count.
fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The competence matrix of the job roles and training records the user may see.
pub async fn matrix(app: &App, who: &Principal) -> Result<Matrix, Error> {
    require(app, who, Permission::ReadRecords).await?;
    let store = app.store()?;
    let window = crate::reminders::window(app)
        .ok_or_else(|| Error::Internal("today is not a date".into()))?;

    let role_filter = filter_of(
        app,
        who,
        ListQuery {
            kind: Some(JOB_ROLE.id.into()),
            state: vec![job_role::ACTIVE.into()],
            sort: Some("-created".into()),
            ..ListQuery::default()
        },
    )
    .await?;
    let mut roles = Vec::new();
    store
        .export(&role_filter, |r| {
            roles.push(r);
            true
        })
        .await?;

    let mut competences: Vec<String> = Vec::new();
    // user id -> (user, role numbers, required competence keys)
    let mut people: BTreeMap<i64, (UserRef, Vec<String>, Vec<String>)> = BTreeMap::new();
    for role in &roles {
        let fields = parse_fields(&role.fields);
        let mut needs = Vec::new();
        for c in fields
            .get("competences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = c.get("competence").and_then(Value::as_str) {
                if !competences.iter().any(|k| key(k) == key(name)) {
                    competences.push(name.trim().to_string());
                }
                needs.push(key(name));
            }
        }
        for u in holders(app, role).await? {
            let entry = people
                .entry(u.id)
                .or_insert_with(|| (u.clone(), Vec::new(), Vec::new()));
            entry.1.push(role.number.clone());
            for n in &needs {
                if !entry.2.contains(n) {
                    entry.2.push(n.clone());
                }
            }
        }
    }

    // Training of those people that names a competence and has not ended.
    let training_filter = filter_of(
        app,
        who,
        ListQuery {
            kind: Some(TRAINING.id.into()),
            state: vec![
                training::PLANNED.into(),
                "completed".into(),
                training::EFFECTIVE.into(),
            ],
            sort: Some("-created".into()),
            ..ListQuery::default()
        },
    )
    .await?;
    // (user, competence key) -> the trainings, as (number, state, expires_on)
    let mut trainings: HashMap<(i64, String), Vec<Held>> = HashMap::new();
    store
        .export(&training_filter, |r| {
            if let Some(owner) = r.owner_id.filter(|o| people.contains_key(o)) {
                let f = parse_fields(&r.fields);
                if let Some(c) = f.get("competence").and_then(Value::as_str) {
                    let expires = f
                        .get("expires_on")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    trainings.entry((owner, key(c))).or_default().push((
                        r.number.clone(),
                        r.state.clone(),
                        expires,
                    ));
                }
            }
            true
        })
        .await?;

    let mut rows: Vec<PersonRow> = people
        .into_values()
        .map(|(user, role_numbers, needs)| {
            let cells = competences
                .iter()
                .map(|c| {
                    let k = key(c);
                    if !needs.contains(&k) {
                        return Cell {
                            competence: c.clone(),
                            standing: None,
                            training: None,
                            expires_on: None,
                        };
                    }
                    let found = trainings
                        .get(&(user.id, k))
                        .map(Vec::as_slice)
                        .unwrap_or(&[]);
                    standing(&window, c, found)
                })
                .collect();
            PersonRow {
                user,
                roles: role_numbers,
                cells,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.user
            .display_name
            .to_lowercase()
            .cmp(&b.user.display_name.to_lowercase())
    });
    Ok(Matrix {
        competences,
        people: rows,
        today: window.today(),
    })
}

/// The standing of one required competence, from the person's trainings in it: the best
/// effective one counts (no expiry, or the latest); else one in progress is pointed to.
fn standing(window: &annex_core::reminders::Window, competence: &str, found: &[Held]) -> Cell {
    let effective = found
        .iter()
        .filter(|t| t.1 == training::EFFECTIVE)
        // None (never expires) sorts after every date, so max is the best.
        .max_by(|a, b| match (&a.2, &b.2) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => x.cmp(y),
        });
    let (standing, t) = match effective {
        Some(t) => {
            let s = match t.2.as_deref().and_then(|d| window.classify(d)) {
                None | Some(Urgency::Later) => Standing::Current,
                Some(Urgency::DueToday | Urgency::DueSoon) => Standing::ExpiringSoon,
                Some(Urgency::Overdue) => Standing::Expired,
            };
            (s, Some(t))
        }
        None => (Standing::Missing, found.first()),
    };
    Cell {
        competence: competence.to_string(),
        standing: Some(standing),
        training: t.map(|t| t.0.clone()),
        expires_on: t.and_then(|t| t.2.clone()),
    }
}
