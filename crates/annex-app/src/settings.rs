//! Settings changed while Annex runs — the risk matrix first: read them (anyone who reads
//! records, since the registers are rated against them), change them (the `manage_settings`
//! permission, which only administrators hold), and hand the current ones to the kinds'
//! computations.
//!
//! Every change needs a reason and is one `settings.change` event in the audit trail, with
//! the value before and after, in the same transaction as the change. A change based on a
//! stale read (someone changed it since) is a conflict, never a silent overwrite.
//!
//! **Existing risks never silently lie.** Changing the risk matrix recomputes the score and
//! level of every open risk in the same transaction, each as a new version audited as
//! `record.update` with the setting change's reason. A risk whose level moves while it is
//! accepted goes back to "assessed", as an edit of its ratings would send it: its owner
//! accepted a level that no longer holds. A matrix whose scales no longer reach the ratings
//! open risks use is refused, naming the risks, so that no rating falls off the matrix.
//! Changes of labels, descriptions or colours alone touch no risk (risks keep a level's id).
//! Closed and retired risks keep the values they were closed with: they are history.

use annex_core::kinds::{self, DeriveCtx, FieldError, Kind, REASON_MAX};
use annex_core::role::Permission;
use annex_core::settings::{RISK_MATRIX, RiskMatrix, Settings};
use annex_store::records::{Filter, RecordRow};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::accounts::require;
use crate::records::{
    Common, Target, blank_to_none, draft, flat, flat_row, kind_of, parse_fields, terminal_states,
    write_version,
};
use crate::{App, Error, Principal, clock};

/// The subject of settings events in the audit trail: `settings/risk_matrix`.
fn subject(key: &str) -> String {
    format!("settings/{key}")
}

/// Every setting as it stands: stored values, defaults for the rest.
pub async fn current(app: &App) -> Result<Settings, Error> {
    let risk_matrix = match app.store()?.setting(RISK_MATRIX).await? {
        Some(row) => parse_matrix(&row.value)?,
        None => RiskMatrix::default(),
    };
    Ok(Settings { risk_matrix })
}

/// The settings a save of a record of `kind` computes with, its follow-ups included: read
/// only when one of them computes something, so that saving a document costs no extra query.
pub(crate) async fn for_kind(app: &App, kind: &Kind) -> Result<Settings, Error> {
    let computes = |k: &Kind| k.derive.is_some();
    let follow_up_computes = kind
        .follow_ups
        .iter()
        .any(|f| annex_core::kinds::get(f.kind).is_some_and(computes));
    if computes(kind) || follow_up_computes {
        current(app).await
    } else {
        Ok(Settings::default())
    }
}

fn parse_matrix(text: &str) -> Result<RiskMatrix, Error> {
    serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("the stored risk matrix does not read: {e}")))
}

/// The risk matrix as the API and the settings page show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskMatrixView {
    #[serde(flatten)]
    pub matrix: RiskMatrix,
    /// Send back with a change: a stale one is refused with 409. 0 while the default holds.
    pub version: i64,
    /// Nobody has changed it: the built-in default 5 × 5 matrix.
    pub default: bool,
    /// When and by whom it was last changed (UTC, ISO 8601; user name).
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A new risk matrix. Also the API's request body.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixChange {
    #[serde(flatten)]
    pub matrix: RiskMatrix,
    /// Why it changes (required); kept in the audit trail with the change.
    #[serde(default)]
    pub reason: Option<String>,
    /// The version read; when given, a stale one is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// What a change of the risk matrix did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixChanged {
    pub matrix: RiskMatrixView,
    /// Open risks whose score or level was recomputed, by number.
    pub recomputed: Vec<String>,
    /// Those of them sent back from accepted to assessed: their level changed.
    pub reassessed: Vec<String>,
}

/// The current risk matrix.
pub async fn risk_matrix(app: &App, who: &Principal) -> Result<RiskMatrixView, Error> {
    require(app, who, Permission::ReadRecords).await?;
    let store = app.store()?;
    let Some(row) = store.setting(RISK_MATRIX).await? else {
        return Ok(RiskMatrixView {
            matrix: RiskMatrix::default(),
            version: 0,
            default: true,
            updated_at: None,
            updated_by: None,
        });
    };
    let by = match row.updated_by {
        Some(id) => store.user_by_id(id).await?.map(|u| u.username),
        None => None,
    };
    Ok(RiskMatrixView {
        matrix: parse_matrix(&row.value)?,
        version: row.version,
        default: false,
        updated_at: Some(clock::iso(row.updated_at)),
        updated_by: by.or_else(|| Some("system".into())),
    })
}

/// A risk as the matrix change recomputes it.
struct Recomputed {
    row: RecordRow,
    fields: Map<String, Value>,
    state: &'static str,
}

/// Replaces the risk matrix and recomputes every open risk with it, in one transaction.
pub async fn set_risk_matrix(
    app: &App,
    who: &Principal,
    change: MatrixChange,
) -> Result<MatrixChanged, Error> {
    require(app, who, Permission::ManageSettings).await?;
    let mut errors = Vec::new();
    let matrix = change.matrix.validate().map_err(|e| errors.extend(e)).ok();
    let reason = blank_to_none(change.reason);
    match &reason {
        None => errors.push(FieldError::new(
            "reason",
            "required: say why the risk matrix changes",
        )),
        Some(r) if r.chars().count() > REASON_MAX => errors.push(FieldError::new(
            "reason",
            format!("at most {REASON_MAX} characters"),
        )),
        Some(_) => {}
    }
    let (Some(matrix), Some(reason), true) = (matrix, reason, errors.is_empty()) else {
        return Err(Error::Rejected(errors));
    };
    let store = app.store()?;
    let stored = store.setting(RISK_MATRIX).await?;
    let read = stored.as_ref().map_or(0, |r| r.version);
    if let Some(v) = change.version
        && v != read
    {
        return Err(stale(v, read));
    }
    let before = match &stored {
        Some(r) => parse_matrix(&r.value)?,
        None => RiskMatrix::default(),
    };
    let settings = Settings {
        risk_matrix: matrix.clone(),
    };
    let risks = recompute_open_risks(app, &settings).await?;

    let at = clock::now_us();
    let mut tx = store.begin().await?;
    // Read again under the lock: a change committed since the first read is a conflict.
    let locked = tx.setting(RISK_MATRIX).await?.map_or(0, |r| r.version);
    if locked != read {
        return Err(stale(read, locked));
    }
    let value = serde_json::to_string(&matrix)
        .map_err(|e| Error::Internal(format!("the risk matrix does not write: {e}")))?;
    let written = tx
        .put_setting(RISK_MATRIX, &value, read + 1, at, who.user_id())
        .await
        .map_err(|e| match e {
            annex_store::Error::Duplicate(_) => stale(read, read + 1),
            other => other.into(),
        })?;
    if !written {
        return Err(stale(read, read + 1));
    }
    let mut d = draft(who, "settings.change", &subject(RISK_MATRIX));
    d.before = Some(json!({"risk_matrix": before, "version": read}));
    d.after = Some(json!({"risk_matrix": matrix, "version": read + 1}));
    d.reason = Some(reason.clone());
    tx.audit(d);

    let why = format!("risk matrix changed: {reason}");
    let mut recomputed = Vec::new();
    let mut reassessed = Vec::new();
    for r in risks {
        let kind = kind_of(&r.row)?;
        let before_flat = flat_row(&r.row);
        let after_flat = flat(
            &r.row.title,
            r.state,
            r.row.owner_id,
            &r.row.site,
            r.row.due_on.as_deref(),
            &r.fields,
        );
        let names = annex_core::records::changed(&before_flat, &after_flat);
        let common = Common {
            owner_id: r.row.owner_id,
            site: r.row.site.clone(),
            due_on: r.row.due_on.clone(),
        };
        let w = write_version(
            app,
            &mut tx,
            kind,
            Target::Next(&r.row),
            &r.row.title,
            r.state,
            &common,
            &r.fields,
            at,
            who.user_id(),
        )
        .await?;
        let mut d = draft(who, "record.update", &r.row.number);
        d.before = Some(Value::Object(
            names
                .iter()
                .filter_map(|n| before_flat.get(n).map(|v| (n.clone(), v.clone())))
                .collect(),
        ));
        let mut after: Map<String, Value> = names
            .iter()
            .filter_map(|n| after_flat.get(n).map(|v| (n.clone(), v.clone())))
            .collect();
        after.insert("version".into(), json!(w.version));
        after.insert("version_hash".into(), json!(w.hash));
        d.after = Some(Value::Object(after));
        d.reason = Some(why.clone());
        tx.audit(d);
        if r.state != r.row.state {
            reassessed.push(r.row.number.clone());
        }
        recomputed.push(r.row.number.clone());
    }
    tx.commit().await?;
    Ok(MatrixChanged {
        matrix: risk_matrix(app, who).await?,
        recomputed,
        reassessed,
    })
}

fn stale(read: i64, current: i64) -> Error {
    Error::Conflict {
        read,
        current,
        changed: vec!["risk_matrix".into()],
    }
}

/// Every open record of a kind that computes with the settings, recomputed under
/// `settings`: those whose computed values change, with the state they move to. A rating the
/// new settings cannot place is refused, naming the scale and the records that use it.
async fn recompute_open_risks(app: &App, settings: &Settings) -> Result<Vec<Recomputed>, Error> {
    let store = app.store()?;
    let today = clock::today();
    let mut out = Vec::new();
    // (scale, highest step in use, records using a step beyond the new scale)
    let mut beyond: Vec<(&'static str, i64, Vec<String>)> = Vec::new();
    for kind in kinds::all().iter().filter(|k| k.derive.is_some()) {
        let filter = Filter {
            kind: Some(kind.id.to_string()),
            not_states: terminal_states(Some(kind)),
            ..Filter::default()
        };
        let mut rows = Vec::new();
        store
            .export(&filter, |r| {
                rows.push(r);
                true
            })
            .await?;
        for row in rows {
            let stored = parse_fields(&row.fields);
            let mut fields = stored.clone();
            if let Err(errors) = kind.compute(&mut fields, &DeriveCtx::new(&today, settings)) {
                for e in errors {
                    let scale = if e.field.ends_with("_likelihood") {
                        "likelihood"
                    } else if e.field.ends_with("_impact") {
                        "impact"
                    } else {
                        continue;
                    };
                    let step = e
                        .field
                        .strip_prefix("fields.")
                        .and_then(|f| stored.get(f))
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    match beyond.iter_mut().find(|(s, ..)| *s == scale) {
                        Some((_, top, numbers)) => {
                            *top = (*top).max(step);
                            if !numbers.contains(&row.number) {
                                numbers.push(row.number.clone());
                            }
                        }
                        None => beyond.push((scale, step, vec![row.number.clone()])),
                    }
                }
                continue;
            }
            if fields == stored {
                continue;
            }
            // A level that moved under an accepted record is not what its owner accepted.
            let state = match kind.reassess {
                Some(r) if r.states.contains(&row.state.as_str()) => r.to,
                _ => kind.state(&row.state).map_or(kind.initial, |s| s.id),
            };
            out.push(Recomputed { row, fields, state });
        }
    }
    if !beyond.is_empty() {
        return Err(Error::Rejected(
            beyond
                .into_iter()
                .map(|(scale, top, numbers)| {
                    FieldError::new(
                        scale,
                        format!(
                            "open risks are rated up to {top} on this scale ({}): keep at \
                             least {top} steps, or rate them again first",
                            numbers.join(", ")
                        ),
                    )
                })
                .collect(),
        ));
    }
    Ok(out)
}
