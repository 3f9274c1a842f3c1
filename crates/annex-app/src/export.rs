//! Exports: a register — one kind's list, with the list's own filters and order — row by row
//! into a CSV or XLSX [`Sheet`]; and one record with everything its printed copy shows
//! (fields, signatures, links, versions, audit timeline) for the PDF.
//!
//! An export takes records out of the system, so each is an audit-trail event: who exported
//! which register with which filters and how many rows, or which record (21 CFR 11.10(b)
//! asks for accurate and complete copies; the trail shows who took them). Exporting needs no
//! more than reading: a user limited to sites exports only records of those sites, and a
//! record they may not see is not found.
//!
//! Nothing here knows a particular kind: the columns and labels come from the kind's
//! declaration, so a kind added later exports as it is declared.

use std::collections::HashMap;

use annex_core::export::{Cell, Sheet};
use annex_core::kinds::{FieldInfo, FieldType, Kind, KindInfo};
use annex_core::role::Permission;
use annex_store::records::RecordRow;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::audit_trail::{self, EventFilter};
use crate::records::{
    self, AckView, AttachmentView, CommentView, LinkView, ListQuery, SignatureView, blank_to_none,
    draft, filter_of, parse_fields,
};
use crate::{App, Error, Principal, clock};

/// The columns every register starts with, before the kind's own fields.
pub const COMMON_COLUMNS: [&str; 8] = [
    "Number",
    "Title",
    "State",
    "Owner",
    "Site",
    "Due date",
    "Created (UTC)",
    "Updated (UTC)",
];

/// What a register export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub rows: u64,
    /// A file name for it: `nonconformities-2026-11-22.xlsx`.
    pub filename: String,
}

/// The file name of an export of `kind` made today, with the format's extension.
fn filename(kind: &Kind, extension: &str) -> String {
    let name: String = kind
        .plural
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{name}-{}.{extension}", clock::today())
}

/// The filters of a list query as the audit trail records them: only those given.
fn filters(q: &ListQuery) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            m.insert(k.into(), json!(v));
        }
    };
    put("kind", &q.kind);
    put("owner", &q.owner);
    put("site", &q.site);
    put("due", &q.due);
    put("due_before", &q.due_before);
    put("due_after", &q.due_after);
    put("q", &q.q);
    put("sort", &q.sort);
    let states: Vec<&str> = q
        .state
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if !states.is_empty() {
        m.insert("state".into(), json!(states));
    }
    if q.open {
        m.insert("open".into(), json!(true));
    }
    for (name, value) in &q.fields {
        if !value.trim().is_empty() {
            m.insert(format!("fields.{}", name.trim()), json!(value.trim()));
        }
    }
    Value::Object(m)
}

/// Writes every record of one register that the user may see and the query matches — the
/// list's filters and order, without its page limit — into `sheet`, then records the export
/// in the audit trail with the number of rows.
///
/// The rows are read in one statement and handed to the sheet one at a time, so memory holds
/// the sheet's output and one row, not the register. The event is written once every row is
/// in the sheet and before the caller hands the file over: no export leaves without its event.
pub async fn register(
    app: &App,
    who: &Principal,
    query: ListQuery,
    sheet: &mut dyn Sheet,
) -> Result<Exported, Error> {
    let Some(kind_id) = blank_to_none(query.kind.clone()) else {
        return Err(Error::invalid(
            "kind",
            format!(
                "required: an export is of one register ({})",
                annex_core::kinds::all()
                    .iter()
                    .map(|k| k.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let audited_filters = filters(&query);
    // The whole register, not a page of it.
    let query = ListQuery {
        cursor: None,
        limit: None,
        ..query
    };
    let filter = filter_of(app, who, query).await?;
    let kind = crate::kinds::get(&kind_id)?;
    let info = kind.describe();
    let store = app.store()?;
    // Owners by printed name. Accounts are few next to records: one read of them all costs
    // less than a lookup per row, and lets each row be written as soon as it is read.
    let names: HashMap<i64, String> = store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let header: Vec<String> = COMMON_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(info.fields.iter().map(|f| f.label.clone()))
        .collect();
    sheet
        .header(kind.plural, &header)
        .map_err(Error::Internal)?;
    let format = sheet.format().as_str();
    let max = sheet.max_rows();
    let mut rows: u64 = 0;
    let mut failed = None;
    store
        .export(&filter, |row| {
            if max.is_some_and(|m| rows >= m) {
                failed = Some(Error::invalid(
                    "format",
                    format!(
                        "{} holds at most {} rows: narrow the filters, or export CSV",
                        format.to_uppercase(),
                        max.unwrap_or_default()
                    ),
                ));
                return false;
            }
            match sheet.row(&cells(kind, &info, &names, &row)) {
                Ok(()) => {
                    rows += 1;
                    true
                }
                Err(e) => {
                    failed = Some(Error::Internal(format!("cannot write the export: {e}")));
                    false
                }
            }
        })
        .await?;
    if let Some(e) = failed {
        return Err(e);
    }
    let mut tx = store.begin().await?;
    let mut d = draft(who, "register.export", kind.id);
    d.after = Some(json!({"format": format, "filters": audited_filters, "rows": rows}));
    tx.audit(d);
    tx.commit().await?;
    Ok(Exported {
        rows,
        filename: filename(kind, format),
    })
}

/// One register row: the common columns, then the kind's fields in declared order, typed so
/// that dates stay dates and numbers numbers; choices by their labels.
fn cells(kind: &Kind, info: &KindInfo, names: &HashMap<i64, String>, row: &RecordRow) -> Vec<Cell> {
    let text = |s: &str| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    };
    let state = kind
        .state(&row.state)
        .map_or(row.state.as_str(), |s| s.label);
    let mut out = Vec::with_capacity(COMMON_COLUMNS.len() + info.fields.len());
    out.push(text(&row.number));
    out.push(text(&row.title));
    out.push(text(state));
    out.push(
        row.owner_id
            .and_then(|id| names.get(&id))
            .map_or(Cell::Empty, |n| text(n)),
    );
    out.push(text(&row.site));
    out.push(row.due_on.clone().map_or(Cell::Empty, Cell::Date));
    out.push(Cell::Time(row.created_at));
    out.push(Cell::Time(row.updated_at));
    let fields = parse_fields(&row.fields);
    for (declared, f) in kind.fields.iter().zip(&info.fields) {
        out.push(match fields.get(f.name.as_str()) {
            None | Some(Value::Null) => Cell::Empty,
            Some(v) => field_cell(declared.ty, f, v),
        });
    }
    out
}

fn field_cell(ty: FieldType, f: &FieldInfo, v: &Value) -> Cell {
    match (ty, v) {
        (FieldType::Integer { .. }, Value::Number(n)) if n.is_i64() => {
            Cell::Integer(n.as_i64().unwrap_or_default())
        }
        (FieldType::Date, Value::String(s)) if annex_core::kinds::is_date(s) => {
            Cell::Date(s.clone())
        }
        _ => Cell::Text(f.show(v)),
    }
}

// ---------------------------------------------------------------------------------------------
// One record, for print

/// A labelled value, as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct Labelled {
    pub label: String,
    pub value: String,
    /// Long text: keep its line breaks.
    pub long: bool,
}

/// One kept version, as a printed history lists it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionLine {
    pub version: i64,
    /// UTC, ISO 8601.
    pub at: String,
    pub by: String,
    pub state: String,
    /// What it changed from the version before, by label.
    pub changed: Vec<String>,
    pub hash: String,
}

/// One audit-trail event about the record.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineLine {
    pub seq: i64,
    /// UTC, ISO 8601.
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The event's before and after values, as recorded (compact JSON).
    pub detail: String,
    pub reason: Option<String>,
}

/// Everything a printed record shows, ready to lay out: every value already as people read
/// it, so the renderer only places text.
#[derive(Debug, Clone, Serialize)]
pub struct RecordExport {
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub state: String,
    pub version: i64,
    /// The details every record has (state, owner, site, dates), then the kind's fields.
    pub common: Vec<Labelled>,
    pub fields: Vec<Labelled>,
    pub signatures: Vec<SignatureView>,
    pub links: Vec<LinkView>,
    pub attachments: Vec<AttachmentView>,
    pub comments: Vec<CommentView>,
    pub acknowledgements: Vec<AckView>,
    /// Oldest first.
    pub versions: Vec<VersionLine>,
    /// The record's audit-trail events, oldest first; `None` when the user may not read the
    /// audit trail (the printout says so rather than pretend there are none).
    pub timeline: Option<Vec<TimelineLine>>,
    /// When and by whom this copy was made (UTC).
    pub exported_at: String,
    pub exported_by: String,
}

/// A user by printed and user name; an action without a user account was the command line's.
fn name_of(u: Option<&records::UserRef>) -> String {
    u.map(|u| format!("{} ({})", u.display_name, u.username))
        .unwrap_or_else(|| "system".into())
}

/// A record with its signatures, links, versions and audit timeline, for a printed copy
/// (the PDF). The export is an event of the record's own timeline, written before the
/// timeline is read, so the copy names itself; a copy that then fails to render leaves an
/// event for an export that was not completed — the safe side to err on.
pub async fn record(app: &App, who: &Principal, number: &str) -> Result<RecordExport, Error> {
    let d = records::get(app, who, number).await?;
    let r = &d.record;
    let kind = crate::kinds::get(&r.kind)?;
    let info = kind.describe();
    let store = app.store()?;
    let mut tx = store.begin().await?;
    let mut ev = draft(who, "record.export", &r.number);
    ev.after = Some(json!({"format": "pdf", "version": r.version}));
    tx.audit(ev);
    tx.commit().await?;

    let timeline = if who.role.may(Permission::ReadAuditTrail) {
        let mut lines = Vec::new();
        let mut before_seq = None;
        loop {
            let page = audit_trail::list(
                app,
                who,
                EventFilter {
                    subject: Some(r.number.clone()),
                    before_seq,
                    limit: 1000,
                    ..EventFilter::default()
                },
            )
            .await?;
            lines.extend(page.events.into_iter().map(|e| {
                let mut detail = Map::new();
                if let Some(b) = e.before {
                    detail.insert("before".into(), b);
                }
                if let Some(a) = e.after {
                    detail.insert("after".into(), a);
                }
                TimelineLine {
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    // Compact JSON with a space after each comma, so that it wraps.
                    detail: if detail.is_empty() {
                        String::new()
                    } else {
                        Value::Object(detail).to_string().replace(",\"", ", \"")
                    },
                    reason: e.reason,
                }
            }));
            match page.next {
                Some(n) => before_seq = Some(n),
                None => break,
            }
        }
        lines.reverse();
        Some(lines)
    } else {
        None
    };

    let labelled = |label: &str, value: String| Labelled {
        label: label.into(),
        value,
        long: false,
    };
    let common = vec![
        labelled("State", r.state_label.clone()),
        labelled(
            "Owner",
            r.owner
                .as_ref()
                .map_or_else(|| "nobody".into(), |o| name_of(Some(o))),
        ),
        labelled("Site", r.site.clone()),
        labelled("Due date", r.due_on.clone().unwrap_or_default()),
        labelled("Version", r.version.to_string()),
        labelled(
            "Created (UTC)",
            format!("{} by {}", r.created_at, name_of(r.created_by.as_ref())),
        ),
        labelled("Updated (UTC)", r.updated_at.clone()),
    ];
    let fields = info
        .fields
        .iter()
        .map(|f| Labelled {
            label: f.label.clone(),
            value: r.fields.get(&f.name).map(|v| f.show(v)).unwrap_or_default(),
            long: matches!(
                f.ty,
                annex_core::kinds::TypeName::LongText | annex_core::kinds::TypeName::Rows
            ),
        })
        .collect();
    let mut versions: Vec<VersionLine> = d
        .versions
        .iter()
        .map(|v| VersionLine {
            version: v.version,
            at: v.at.clone(),
            by: name_of(v.by.as_ref()),
            state: kind
                .state(&v.state)
                .map_or_else(|| v.state.clone(), |s| s.label.to_string()),
            changed: v.changed.iter().map(|c| info.label_of(c)).collect(),
            hash: v.hash.clone(),
        })
        .collect();
    versions.reverse();
    Ok(RecordExport {
        number: r.number.clone(),
        kind: r.kind.clone(),
        kind_label: r.kind_label.clone(),
        title: r.title.clone(),
        state: r.state_label.clone(),
        version: r.version,
        common,
        fields,
        signatures: d.signatures,
        links: d.links,
        attachments: d.attachments,
        comments: d.comments,
        acknowledgements: d.acknowledgements,
        versions,
        timeline,
        exported_at: clock::iso(clock::now_us()),
        exported_by: format!("{} ({})", who.display_name, who.username),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn audited_filters_keep_only_what_was_given() {
        let q = ListQuery {
            kind: Some("nonconformity".into()),
            state: vec!["reported".into(), " ".into()],
            owner: Some(" ".into()),
            q: Some(" torque ".into()),
            open: true,
            ..ListQuery::default()
        };
        assert_eq!(
            filters(&q),
            json!({"kind": "nonconformity", "state": ["reported"], "q": "torque", "open": true})
        );
    }

    #[test]
    fn file_names_say_the_register_and_the_day() {
        let kind = annex_core::kinds::get("nonconformity").unwrap();
        let name = filename(kind, "xlsx");
        assert!(name.starts_with("nonconformities-20"), "{name}");
        assert!(name.ends_with(".xlsx"));
        assert_eq!(name.len(), "nonconformities-2026-11-22.xlsx".len());
    }
}
