//! Assessments as people use them: start one over several standards for a scope, answer
//! its checklist item by item with evidence, see readiness live, keep snapshots for the
//! trend, move an assessment of a superseded edition to its successor, and take a report
//! away. The rules (what an item is, what carries where, what an answer may be) live in
//! `annex_core::assessment`; this layer checks permission and scope, writes, and audits.

use std::collections::HashMap;

use annex_core::assessment::{
    self as core, Answer, Answered, Conformity, Effective, Evidence, Item, Plan, Readiness, Report,
    ReportRow, Snapshot,
};
use annex_core::kinds::FieldError;
use annex_core::role::Permission;
use annex_store::assessment::{AnswerRow, AnswerWrite, AssessmentRow, NewAssessment};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::require;
use crate::records::{Upload, check_upload, draft, is_site_code};
use crate::{App, Error, Principal, clock, frameworks};

/// The prefix of assessment numbers: `ASM-0001`.
pub const PREFIX: &str = "ASM";

/// What starting an assessment takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInput {
    pub title: String,
    /// Standard ids, in the order to show them: `iso9001:2015`.
    pub standards: Vec<String>,
    /// Site codes in scope; none for the whole organisation.
    #[serde(default)]
    pub sites: Vec<String>,
    /// Process records in scope, by number: `PRC-0002`.
    #[serde(default)]
    pub processes: Vec<String>,
}

/// An assessment in a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub number: String,
    pub title: String,
    pub state: String,
    pub standards: Vec<String>,
    pub sites: Vec<String>,
    pub processes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition_from: Option<String>,
    pub version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: Option<String>,
}

/// One checklist item as shown: the plan's item, its answer and how it counts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemView {
    #[serde(flatten)]
    pub item: Item,
    /// The answer given on this item; not assessed when none.
    pub result: Conformity,
    pub maturity: Option<u8>,
    pub notes: String,
    pub justification: String,
    pub evidence: Vec<Evidence>,
    /// 0 while unanswered; send it back with the next answer.
    pub version: i64,
    pub assessed_by: Option<String>,
    pub assessed_at: Option<String>,
    /// How it counts for readiness (its own answer, or one carried in full).
    pub effective: Effective,
    /// Carries that reach it: from which item, how, and why.
    pub carried: Vec<CarryView>,
}

/// A result reaching an item from another.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarryView {
    pub from: u32,
    pub from_label: String,
    /// The source item's own result.
    pub result: Conformity,
    pub partial: bool,
    pub why: String,
}

/// An assessment with its checklist and readiness.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detail {
    #[serde(flatten)]
    pub summary: Summary,
    pub designations: Vec<(String, String)>,
    pub sections: Vec<core::Section>,
    pub items: Vec<ItemView>,
    /// Every mapping along which a result passes from one item to another.
    pub carries: Vec<core::Carry>,
    pub readiness: Readiness,
    pub snapshots: Vec<Snapshot>,
}

/// An answer as sent.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// conforming, improvement, minor-nonconformity, major-nonconformity, not-applicable,
    /// not-assessed.
    pub result: String,
    #[serde(default)]
    pub maturity: Option<u8>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub justification: String,
    /// Records that evidence the answer, by number; replaces the records listed before
    /// (files stay). None keeps them as they are.
    #[serde(default)]
    pub records: Option<Vec<String>>,
    /// The item's version you read: 0 for an unanswered item.
    pub version: i64,
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{what}: {e}"))
}

fn parse_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn summary(row: &AssessmentRow) -> Summary {
    Summary {
        number: row.number.clone(),
        title: row.title.clone(),
        state: row.state.clone(),
        standards: parse_list(&row.standards),
        sites: parse_list(&row.sites),
        processes: parse_list(&row.processes),
        transition_from: row.transition_from.clone(),
        version: row.version,
        created_at: clock::iso(row.created_at),
        created_by: row.created_by_name.clone(),
    }
}

/// Whether the user sees an assessment: one of its sites is theirs, or it covers the whole
/// organisation.
fn sees(who: &Principal, row: &AssessmentRow) -> bool {
    let sites = parse_list(&row.sites);
    who.sites.is_empty() || sites.is_empty() || sites.iter().any(|s| who.sees_site(s))
}

async fn visible(app: &App, who: &Principal, number: &str) -> Result<AssessmentRow, Error> {
    require(app, who, Permission::ReadRecords).await?;
    match app.store()?.assessment(number).await? {
        Some(row) if sees(who, &row) => Ok(row),
        _ => Err(Error::NotFound(format!("assessment {number}"))),
    }
}

fn plan_of(row: &AssessmentRow) -> Result<Plan, Error> {
    serde_json::from_str(&row.plan).map_err(|e| internal("the stored checklist does not read", e))
}

/// Checks scope: site codes, and process records that exist.
async fn check_scope(
    app: &App,
    sites: &[String],
    processes: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<(), Error> {
    for (i, s) in sites.iter().enumerate() {
        if !is_site_code(s) {
            errors.push(FieldError::new(
                format!("sites.{}", i + 1),
                "a site code is 1 to 32 lower-case letters, digits or hyphens",
            ));
        }
    }
    for (i, n) in processes.iter().enumerate() {
        match app.store()?.record_by_number(n).await? {
            Some(r) if r.kind == "process" => {}
            _ => errors.push(FieldError::new(
                format!("processes.{}", i + 1),
                format!("'{n}' is not a process record"),
            )),
        }
    }
    Ok(())
}

/// Starts an assessment over the chosen standards for a scope.
pub async fn create(app: &App, who: &Principal, input: NewInput) -> Result<Summary, Error> {
    require(app, who, Permission::Assess).await?;
    let catalog = frameworks::catalog(app).await?;
    let mut errors = Vec::new();
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "a title of 1 to 200 characters is required",
        ));
    }
    let plan = match Plan::build(&catalog, &input.standards) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    check_scope(app, &input.sites, &input.processes, &mut errors).await?;
    for s in &input.sites {
        if !who.sees_site(s) {
            errors.push(FieldError::new(
                "sites",
                format!("you do not work at site '{s}'"),
            ));
        }
    }
    let (Some(plan), true) = (plan, errors.is_empty()) else {
        return Err(Error::Rejected(errors));
    };
    let standards: Vec<String> = plan.standards.iter().map(|s| s.id.clone()).collect();
    write(
        app,
        who,
        &title,
        &standards,
        &input.sites,
        &input.processes,
        &plan,
        None,
        &[],
    )
    .await
}

/// Writes a new assessment (and, for a transition, its carried answers) in one transaction.
#[allow(clippy::too_many_arguments)]
async fn write(
    app: &App,
    who: &Principal,
    title: &str,
    standards: &[String],
    sites: &[String],
    processes: &[String],
    plan: &Plan,
    transition_from: Option<&str>,
    seeded: &[(i64, Answer, Vec<Evidence>)],
) -> Result<Summary, Error> {
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    let seq = tx.next_seq("assessment").await?;
    let number = format!("{PREFIX}-{seq:04}");
    let plan_text =
        serde_json::to_string(plan).map_err(|e| internal("the checklist does not write", e))?;
    let new = NewAssessment {
        seq,
        number: &number,
        title,
        standards: &enc(standards),
        sites: &enc(sites),
        processes: &enc(processes),
        plan: &plan_text,
        transition_from,
    };
    let id = tx.insert_assessment(&new, at, who.user_id()).await?;
    let mut d = draft(who, "assessment.create", &number);
    d.after = Some(json!({
        "title": title,
        "standards": standards,
        "sites": sites,
        "processes": processes,
        "items": plan.items.len(),
        "transition_from": transition_from,
    }));
    tx.audit(d);
    for (item, answer, evidence) in seeded {
        let evidence_text = enc(evidence);
        let w = AnswerWrite {
            result: answer.result.as_str(),
            maturity: answer.maturity.map(i64::from),
            notes: &answer.notes,
            justification: &answer.justification,
            evidence: &evidence_text,
            evidence_count: evidence.len() as i64,
        };
        tx.put_answer(id, *item, 0, &w, at, who.user_id()).await?;
    }
    if !seeded.is_empty() {
        let mut d = draft(who, "assessment.carry", &number);
        d.after = Some(json!({"from": transition_from, "items": seeded.len()}));
        tx.audit(d);
    }
    tx.commit().await?;
    let row = app
        .store()?
        .assessment(&number)
        .await?
        .ok_or_else(|| internal("the new assessment", "is gone"))?;
    Ok(summary(&row))
}

/// A list or evidence as its stored JSON text (lists of strings always encode).
fn enc<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Assessments the user sees, newest first.
pub async fn list(app: &App, who: &Principal) -> Result<Vec<Summary>, Error> {
    require(app, who, Permission::ReadRecords).await?;
    let rows = app.store()?.assessments(500).await?;
    Ok(rows.iter().filter(|r| sees(who, r)).map(summary).collect())
}

fn answered(
    plan: &Plan,
    rows: &[(i64, String, i64, Option<i64>)],
) -> (Vec<Answered>, Vec<Option<u8>>) {
    let mut answers = vec![Answered::default(); plan.items.len()];
    let mut maturity = vec![None; plan.items.len()];
    for (item, result, evidence, m) in rows {
        let Some(i) = usize::try_from(*item).ok().and_then(|i| i.checked_sub(1)) else {
            continue;
        };
        if i < answers.len() {
            answers[i] = Answered {
                result: Conformity::parse(result),
                evidence: u32::try_from(*evidence).unwrap_or(0),
            };
            maturity[i] = m.and_then(|m| u8::try_from(m).ok());
        }
    }
    (answers, maturity)
}

/// Readiness, computed now from the answers and their evidence.
pub async fn readiness(app: &App, who: &Principal, number: &str) -> Result<Readiness, Error> {
    readiness_of(app, &visible(app, who, number).await?).await
}

/// Readiness of an assessment already read: its plan and the answers' summary only.
async fn readiness_of(app: &App, row: &AssessmentRow) -> Result<Readiness, Error> {
    let plan = plan_of(row)?;
    let rows = app.store()?.answer_summary(row.id).await?;
    let (answers, maturity) = answered(&plan, &rows);
    Ok(core::readiness(&plan, &answers, &maturity))
}

fn evidence_of(row: &AnswerRow) -> Vec<Evidence> {
    serde_json::from_str(&row.evidence).unwrap_or_default()
}

fn snapshot_of(s: &annex_store::assessment::SnapshotRow) -> Snapshot {
    Snapshot {
        taken_at: clock::iso(s.taken_at),
        taken_by: s.taken_by_name.clone().unwrap_or_default(),
        shares: serde_json::from_str(&s.shares).unwrap_or_default(),
    }
}

/// An assessment with its whole checklist, readiness and snapshots.
pub async fn get(app: &App, who: &Principal, number: &str) -> Result<Detail, Error> {
    detail_of(app, &visible(app, who, number).await?).await
}

/// The detail of an assessment already read.
async fn detail_of(app: &App, row: &AssessmentRow) -> Result<Detail, Error> {
    let plan = plan_of(row)?;
    let store = app.store()?;
    let rows = store.answers(row.id).await?;
    let summary_rows: Vec<(i64, String, i64, Option<i64>)> = rows
        .iter()
        .map(|r| (r.item, r.result.clone(), r.evidence_count, r.maturity))
        .collect();
    let (answers, maturity) = answered(&plan, &summary_rows);
    let effective = core::effective(&plan, &answers);
    let readiness = core::readiness(&plan, &answers, &maturity);
    let by_item: HashMap<i64, &AnswerRow> = rows.iter().map(|r| (r.item, r)).collect();
    let items = plan
        .items
        .iter()
        .zip(effective)
        .map(|(item, effective)| {
            let a = by_item.get(&i64::from(item.no));
            let carried = plan
                .carries_to(item.no)
                .filter_map(|c| {
                    let result = answers
                        .get(c.from as usize - 1)
                        .and_then(|a| a.result)
                        .filter(|r| *r != Conformity::NotAssessed)?;
                    Some(CarryView {
                        from: c.from,
                        from_label: plan.item(c.from).map(Item::label).unwrap_or_default(),
                        result,
                        partial: c.partial,
                        why: c.why.clone(),
                    })
                })
                .collect();
            ItemView {
                item: item.clone(),
                result: a
                    .and_then(|a| Conformity::parse(&a.result))
                    .unwrap_or(Conformity::NotAssessed),
                maturity: a
                    .and_then(|a| a.maturity)
                    .and_then(|m| u8::try_from(m).ok()),
                notes: a.map(|a| a.notes.clone()).unwrap_or_default(),
                justification: a.map(|a| a.justification.clone()).unwrap_or_default(),
                evidence: a.map(|a| evidence_of(a)).unwrap_or_default(),
                version: a.map_or(0, |a| a.version),
                assessed_by: a.and_then(|a| a.assessed_by_name.clone()),
                assessed_at: a.map(|a| clock::iso(a.assessed_at)),
                effective,
                carried,
            }
        })
        .collect();
    let snapshots = store
        .snapshots(row.id)
        .await?
        .iter()
        .map(snapshot_of)
        .collect();
    Ok(Detail {
        summary: summary(row),
        designations: plan
            .standards
            .iter()
            .map(|s| (s.id.clone(), s.designation.clone()))
            .collect(),
        sections: plan.sections.clone(),
        items,
        carries: plan.carries.clone(),
        readiness,
        snapshots,
    })
}

/// Checks evidence records: each exists and is one the assessor sees.
async fn evidence_records(
    app: &App,
    who: &Principal,
    numbers: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<Vec<Evidence>, Error> {
    let mut out = Vec::new();
    for (i, n) in numbers.iter().enumerate() {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        match app.store()?.record_by_number(n).await? {
            Some(r) if who.sees_site(&r.site) => {
                if !out
                    .iter()
                    .any(|e| matches!(e, Evidence::Record { number, .. } if number == n))
                {
                    out.push(Evidence::Record {
                        number: r.number.clone(),
                        title: r.title.clone(),
                    });
                }
            }
            _ => errors.push(FieldError::new(
                format!("records.{}", i + 1),
                format!("no record numbered '{n}' that you can see"),
            )),
        }
    }
    Ok(out)
}

fn open(row: &AssessmentRow) -> Result<(), Error> {
    if row.state == "open" {
        Ok(())
    } else {
        Err(Error::Rejected(vec![FieldError::new(
            "state",
            "the assessment is closed: its answers can no longer change",
        )]))
    }
}

fn item_no(plan: &Plan, item: i64) -> Result<u32, Error> {
    u32::try_from(item)
        .ok()
        .filter(|n| plan.item(*n).is_some())
        .ok_or_else(|| Error::NotFound(format!("item {item}")))
}

/// Answers an item: its result, maturity, notes, justification and evidence records.
pub async fn answer(
    app: &App,
    who: &Principal,
    number: &str,
    item: i64,
    input: AnswerInput,
) -> Result<ItemView, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Assess).await?;
    open(&row)?;
    let plan = plan_of(&row)?;
    let no = item_no(&plan, item)?;
    let catalog = frameworks::catalog(app).await?;
    let mut errors = Vec::new();
    let result = match Conformity::parse(input.result.trim()) {
        Some(r) => r,
        None => {
            errors.push(FieldError::new(
                "result",
                format!(
                    "must be one of: {}",
                    Conformity::ALL.map(Conformity::as_str).join(", ")
                ),
            ));
            Conformity::NotAssessed
        }
    };
    let answer = Answer {
        result,
        maturity: input.maturity,
        notes: input.notes.trim().to_string(),
        justification: input.justification.trim().to_string(),
    };
    if errors.is_empty() {
        errors.extend(plan.check(&catalog, no, &answer));
    }
    let records = match &input.records {
        Some(list) => Some(evidence_records(app, who, list, &mut errors).await?),
        None => None,
    };
    if input.version < 0 {
        errors.push(FieldError::new(
            "version",
            "the version you read: 0 for an unanswered item",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    let before = tx.answer(row.id, item).await?;
    let current = before.as_ref().map_or(0, |b| b.version);
    if current != input.version {
        return Err(Error::Conflict {
            read: input.version,
            current,
            changed: vec!["result".into()],
        });
    }
    let mut evidence = before.as_ref().map(evidence_of).unwrap_or_default();
    if let Some(records) = records {
        evidence.retain(|e| matches!(e, Evidence::File { .. }));
        let files = std::mem::take(&mut evidence);
        evidence = records;
        evidence.extend(files);
    }
    let evidence_text = serde_json::to_string(&evidence).map_err(|e| internal("evidence", e))?;
    let w = AnswerWrite {
        result: answer.result.as_str(),
        maturity: answer.maturity.map(i64::from),
        notes: &answer.notes,
        justification: &answer.justification,
        evidence: &evidence_text,
        evidence_count: evidence.len() as i64,
    };
    if !tx
        .put_answer(row.id, item, current, &w, at, who.user_id())
        .await?
    {
        return Err(Error::Conflict {
            read: input.version,
            current: current + 1,
            changed: vec!["result".into()],
        });
    }
    let mut d = draft(who, "assessment.answer", &format!("{number} item {no}"));
    d.before = before.as_ref().map(|b| {
        json!({"result": b.result, "maturity": b.maturity, "notes": b.notes,
               "justification": b.justification, "evidence": evidence_of(b), "version": b.version})
    });
    d.after = Some(
        json!({"result": answer.result.as_str(), "maturity": answer.maturity,
        "notes": answer.notes, "justification": answer.justification, "evidence": evidence,
        "version": current + 1}),
    );
    tx.audit(d);
    tx.commit().await?;
    item_of(app, &row, no).await
}

/// One item as shown, after a change.
pub async fn item_view(
    app: &App,
    who: &Principal,
    number: &str,
    no: u32,
) -> Result<ItemView, Error> {
    item_of(app, &visible(app, who, number).await?, no).await
}

/// One item of an assessment already read (after an answer, its carries may have changed
/// what other items show, so the item is taken from the whole detail).
async fn item_of(app: &App, row: &AssessmentRow, no: u32) -> Result<ItemView, Error> {
    detail_of(app, row)
        .await?
        .items
        .into_iter()
        .find(|i| i.item.no == no)
        .ok_or_else(|| Error::NotFound(format!("item {no}")))
}

/// Uploads a file as evidence of an item; its SHA-256 is kept.
pub async fn attach(
    app: &App,
    who: &Principal,
    number: &str,
    item: i64,
    u: Upload,
) -> Result<ItemView, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Assess).await?;
    open(&row)?;
    let plan = plan_of(&row)?;
    let no = item_no(&plan, item)?;
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
    let before = tx.answer(row.id, item).await?;
    let id = tx
        .insert_assessment_file(
            row.id,
            item,
            &name,
            &media_type,
            &sha,
            &u.bytes,
            at,
            who.user_id(),
        )
        .await?;
    let mut evidence = before.as_ref().map(evidence_of).unwrap_or_default();
    evidence.push(Evidence::File {
        id,
        name: name.clone(),
        sha256: sha.clone(),
    });
    let evidence_text = serde_json::to_string(&evidence).map_err(|e| internal("evidence", e))?;
    let current = before.as_ref().map_or(0, |b| b.version);
    let result = before
        .as_ref()
        .map_or("not-assessed".to_string(), |b| b.result.clone());
    let w = AnswerWrite {
        result: &result,
        maturity: before.as_ref().and_then(|b| b.maturity),
        notes: before.as_ref().map_or("", |b| b.notes.as_str()),
        justification: before.as_ref().map_or("", |b| b.justification.as_str()),
        evidence: &evidence_text,
        evidence_count: evidence.len() as i64,
    };
    if !tx
        .put_answer(row.id, item, current, &w, at, who.user_id())
        .await?
    {
        return Err(Error::Conflict {
            read: current,
            current: current + 1,
            changed: vec!["evidence".into()],
        });
    }
    let mut d = draft(who, "assessment.attach", &format!("{number} item {no}"));
    d.after = Some(
        json!({"file_id": id, "name": name, "media_type": media_type,
        "size": u.bytes.len(), "sha256": sha}),
    );
    tx.audit(d);
    tx.commit().await?;
    item_of(app, &row, no).await
}

/// An evidence file as downloaded.
#[derive(Debug, Clone)]
pub struct FileDownload {
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// An evidence file's description and bytes.
pub async fn file(
    app: &App,
    who: &Principal,
    number: &str,
    id: i64,
) -> Result<FileDownload, Error> {
    let row = visible(app, who, number).await?;
    let (f, bytes) = app
        .store()?
        .assessment_file(row.id, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("file {id}")))?;
    Ok(FileDownload {
        name: f.name,
        media_type: f.media_type,
        sha256: f.sha256,
        bytes,
    })
}

/// Keeps today's readiness for the trend.
pub async fn snapshot(app: &App, who: &Principal, number: &str) -> Result<Snapshot, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Assess).await?;
    let r = readiness_of(app, &row).await?;
    let shares: Vec<(String, f64)> = r
        .standards
        .iter()
        .map(|s| (s.standard.clone(), s.figures.share))
        .collect();
    let text = serde_json::to_string(&shares).map_err(|e| internal("snapshot", e))?;
    let at = clock::now_us();
    let mut tx = app.store()?.begin().await?;
    tx.insert_snapshot(row.id, &text, at, who.user_id()).await?;
    let mut d = draft(who, "assessment.snapshot", number);
    d.after = Some(json!({"shares": shares}));
    tx.audit(d);
    tx.commit().await?;
    Ok(Snapshot {
        taken_at: clock::iso(at),
        taken_by: who.display_name.clone(),
        shares,
    })
}

/// The standards among `ids` that the catalog says are superseded, each with its successor:
/// what a transition moves when it is not told otherwise.
pub fn successors<'c>(
    catalog: &'c annex_core::Catalog,
    ids: impl IntoIterator<Item = &'c str>,
) -> Vec<(String, &'c annex_core::Standard)> {
    ids.into_iter()
        .filter_map(|id| {
            let next = catalog.get(catalog.get(id)?.superseded_by.as_deref()?)?;
            Some((id.to_string(), next))
        })
        .collect()
}

/// What a transition takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionInput {
    /// The superseded standard and its successor: `[["iso9001:2008", "iso9001:2015"]]`.
    /// When empty, every standard of the assessment with a successor in the catalog moves.
    #[serde(default)]
    pub replace: Vec<(String, String)>,
    /// The new assessment's title; "<old title> — transition" when empty.
    #[serde(default)]
    pub title: String,
}

/// Starts an assessment against the successors of the superseded standards of `number`:
/// answers carried where the mapping says the requirement is the same or narrower; the
/// rest marked new or changed (the delta checklist).
pub async fn transition(
    app: &App,
    who: &Principal,
    number: &str,
    input: TransitionInput,
) -> Result<Summary, Error> {
    let row = visible(app, who, number).await?;
    require(app, who, Permission::Assess).await?;
    let catalog = frameworks::catalog(app).await?;
    let old = plan_of(&row)?;
    let replace = if input.replace.is_empty() {
        successors(&catalog, old.standards.iter().map(|s| s.id.as_str()))
            .into_iter()
            .map(|(old, next)| (old, next.id.clone()))
            .collect()
    } else {
        input.replace.clone()
    };
    if replace.is_empty() {
        return Err(Error::Rejected(vec![FieldError::new(
            "replace",
            "no standard of this assessment has a successor in the catalog: name one",
        )]));
    }
    let t = core::transition(&catalog, &old, &replace).map_err(Error::Rejected)?;
    let rows = app.store()?.answers(row.id).await?;
    let by_item: HashMap<i64, &AnswerRow> = rows.iter().map(|r| (r.item, r)).collect();
    let mut seeded = Vec::new();
    for (item, from) in t.plan.items.iter().zip(&t.carried) {
        let pos = item.no as usize - 1;
        let notes = &t.notes[pos];
        let source = from
            .iter()
            .find_map(|f| by_item.get(&i64::from(*f)).map(|a| (*f, *a)));
        match source {
            Some((from, a)) => {
                let Some(result) = Conformity::parse(&a.result) else {
                    continue;
                };
                // Not applicable is a decision about the old edition's scope: it is not
                // carried, but noted for the assessor.
                let result = if result == Conformity::NotApplicable {
                    Conformity::NotAssessed
                } else {
                    result
                };
                let mut text = format!(
                    "Carried from {number} item {from}{}.",
                    if a.notes.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", a.notes)
                    }
                );
                for n in notes {
                    text.push_str(&format!("\nAlso related: {n}"));
                }
                seeded.push((
                    i64::from(item.no),
                    Answer {
                        result,
                        maturity: a.maturity.and_then(|m| u8::try_from(m).ok()),
                        notes: text,
                        justification: String::new(),
                    },
                    evidence_of(a),
                ));
            }
            None if !notes.is_empty() => seeded.push((
                i64::from(item.no),
                Answer {
                    result: Conformity::NotAssessed,
                    maturity: None,
                    notes: format!("To review: {}", notes.join("\n")),
                    justification: String::new(),
                },
                Vec::new(),
            )),
            None => {}
        }
    }
    let title = if input.title.trim().is_empty() {
        format!("{} — transition", row.title)
    } else {
        input.title.trim().to_string()
    };
    let standards: Vec<String> = t.plan.standards.iter().map(|s| s.id.clone()).collect();
    write(
        app,
        who,
        &title,
        &standards,
        &parse_list(&row.sites),
        &parse_list(&row.processes),
        &t.plan,
        Some(number),
        &seeded,
    )
    .await
}

/// A stable UUID for the assessment, derived from its number and creation time (OSCAL
/// documents need one, and the same assessment must give the same document).
fn uuid_of(row: &AssessmentRow) -> String {
    let name = format!("annex:assessment:{}:{}", row.number, row.created_at);
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// Everything a report shows; the export is an audit-trail event (`what` names the format).
pub async fn report(app: &App, who: &Principal, number: &str, what: &str) -> Result<Report, Error> {
    let row = visible(app, who, number).await?;
    let detail = detail_of(app, &row).await?;
    let plan = detail.plan();
    let mut processes = Vec::new();
    for n in &detail.summary.processes {
        let title = app
            .store()?
            .record_by_number(n)
            .await?
            .map(|r| r.title)
            .unwrap_or_default();
        processes.push((n.clone(), title));
    }
    let rows = detail
        .items
        .iter()
        .map(|i| ReportRow {
            item: i.item.clone(),
            result: i.result,
            effective: i.effective.clone(),
            maturity: i.maturity,
            notes: i.notes.clone(),
            justification: i.justification.clone(),
            evidence: i.evidence.clone(),
            assessed_by: i.assessed_by.clone(),
            assessed_at: i.assessed_at.clone(),
        })
        .collect();
    let mut tx = app.store()?.begin().await?;
    let mut d = draft(who, "assessment.export", number);
    d.after = Some(json!({"format": what}));
    tx.audit(d);
    tx.commit().await?;
    Ok(Report {
        number: row.number.clone(),
        title: row.title.clone(),
        uuid: uuid_of(&row),
        sites: detail.summary.sites.clone(),
        processes,
        created_by: detail.summary.created_by.clone().unwrap_or_default(),
        created_at: detail.summary.created_at.clone(),
        generated_at: clock::iso(clock::now_us()),
        plan,
        rows,
        readiness: detail.readiness,
        trend: detail.snapshots,
    })
}

/// Which items of a checklist to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    All,
    /// Not answered here (carried or not).
    Unanswered,
    /// Counting as a minor or major nonconformity.
    Nonconforming,
    /// Flagged for review by a partial carry.
    Review,
}

impl Show {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "all" => Some(Self::All),
            "unanswered" => Some(Self::Unanswered),
            "nonconforming" => Some(Self::Nonconforming),
            "review" => Some(Self::Review),
            _ => None,
        }
    }
}

impl Detail {
    /// The checklist the detail shows, as a plan again (for charts and reports).
    pub fn plan(&self) -> Plan {
        Plan {
            standards: self
                .designations
                .iter()
                .map(|(id, designation)| core::PlanStandard {
                    id: id.clone(),
                    designation: designation.clone(),
                })
                .collect(),
            sections: self.sections.clone(),
            items: self.items.iter().map(|i| i.item.clone()).collect(),
            carries: self.carries.clone(),
        }
    }

    /// Keeps the items that `show` and `standard` select (sections stay, for headings).
    pub fn filter(&mut self, show: Show, standard: Option<&str>) {
        self.items.retain(|i| {
            let chosen = match show {
                Show::All => true,
                Show::Unanswered => i.result == Conformity::NotAssessed,
                Show::Nonconforming => i.effective.result.is_nonconformity(),
                Show::Review => i.effective.review,
            };
            chosen && standard.is_none_or(|s| i.item.counts_for(s))
        });
    }
}
