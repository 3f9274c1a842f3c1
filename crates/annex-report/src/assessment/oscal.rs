//! An assessment as OSCAL assessment results (OSCAL 1.2.3, JSON), for tools that read
//! assessments in NIST's format: one result whose reviewed controls are the checklist's
//! clauses, an observation for every item answered or evidenced (notes, result, maturity,
//! who assessed it, its evidence), and a finding for every item whose result is a
//! nonconformity (not satisfied) or an opportunity for improvement (satisfied).
//!
//! - **Identifiers.** A clause becomes a control id made of OSCAL token characters: the
//!   standard's id and the clause number, `iso9001:2015` 8.5.1 → `iso9001-2015_8.5.1`.
//! - **UUIDs** are name-based (version 5) under the assessment's own UUID, so the same report
//!   always gives the same document and an item's observation keeps its UUID from one export
//!   to the next.
//! - **What it points at.** OSCAL expects an assessment plan to import; Annex keeps the plan
//!   inside the assessment, so `import-ap` points at a back-matter resource that stands for it
//!   (`#` and the assessment's UUID). Evidence (records and files) are back-matter resources
//!   too, which observations cite as relevant evidence and as subjects.
//! - Properties of Annex's own (result, maturity, share conforming) carry the namespace
//!   [`NS`], as OSCAL asks of names it does not define.

use annex_core::assessment::{Conformity, Evidence, Report, ReportRow};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The OSCAL version the documents follow.
pub const OSCAL_VERSION: &str = "1.2.3";

/// The namespace of Annex's own properties.
pub const NS: &str = "urn:annex:oscal";

/// The id of the role of whoever answered items.
const ASSESSOR: &str = "assessor";

/// The report as an OSCAL `assessment-results` document.
pub fn oscal(report: &Report) -> Value {
    let ids = Ids::new(&report.uuid);
    let designation = |id: &str| report.plan.designation(id).to_string();
    let generated = timestamp(&report.generated_at);

    // Whoever answered an item is a party in the assessor role.
    let mut assessors: Vec<&str> = Vec::new();
    for row in &report.rows {
        if let Some(by) = row.assessed_by.as_deref().filter(|b| !b.trim().is_empty())
            && !assessors.contains(&by)
        {
            assessors.push(by);
        }
    }
    let party = |name: &str| ids.named(&format!("party/{name}"));
    let mut metadata = json!({
        "title": line(&format!("{} {}: assessment results", report.number, report.title)),
        "last-modified": generated,
        "version": line(&report.generated_at),
        "oscal-version": OSCAL_VERSION,
        "props": [prop("assessment-number", &report.number, None)],
        "roles": [{"id": ASSESSOR, "title": "Assessor"}],
    });
    if !assessors.is_empty() {
        metadata["parties"] = assessors
            .iter()
            .map(|a| json!({"uuid": party(a), "type": "person", "name": line(a)}))
            .collect();
        metadata["responsible-parties"] = json!([{
            "role-id": ASSESSOR,
            "party-uuids": assessors.iter().map(|a| party(a)).collect::<Vec<_>>(),
        }]);
    }
    let origins = |row: &ReportRow| -> Option<Value> {
        row.assessed_by
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .map(|by| {
                json!([{"actors": [{
                    "type": "party",
                    "actor-uuid": party(by),
                    "role-id": ASSESSOR,
                }]}])
            })
    };

    // Every piece of evidence once, as a back-matter resource.
    let mut resources: Vec<Value> = vec![json!({
        "uuid": ids.assessment,
        "title": line(&format!("{} {}", report.number, report.title)),
        "description": format!(
            "The checklist of Annex assessment {}: {} items over {}, which serves as its assessment plan.",
            report.number,
            report.rows.len(),
            report.plan.standards.iter().map(|s| s.designation.as_str()).collect::<Vec<_>>().join(", ")
        ),
        "props": [prop("assessment-number", &report.number, None)],
    })];
    let mut cited: Vec<String> = Vec::new();
    for ev in report.rows.iter().flat_map(|r| &r.evidence) {
        let key = evidence_key(ev);
        if cited.contains(&key) {
            continue;
        }
        let mut resource = json!({
            "uuid": ids.named(&key),
            "title": line(&ev.label()),
        });
        match ev {
            Evidence::Record { number, .. } => {
                resource["description"] = json!("A controlled record in Annex.");
                resource["props"] = json!([prop("record-number", number, None)]);
            }
            Evidence::File { sha256, .. } => {
                resource["description"] = json!("A file uploaded to the assessment in Annex.");
                if !sha256.trim().is_empty() {
                    resource["props"] = json!([prop("sha256", sha256, None)]);
                }
            }
        }
        resources.push(resource);
        cited.push(key);
    }

    // Observations: every item with an answer, notes or evidence of its own.
    let mut observations = Vec::new();
    let mut observed: Vec<u32> = Vec::new();
    for row in &report.rows {
        if row.result == Conformity::NotAssessed
            && row.notes.trim().is_empty()
            && row.evidence.is_empty()
        {
            continue;
        }
        let mut description = format!("Result: {}.", row.result.label());
        if !row.justification.trim().is_empty() {
            description.push_str(&format!(" Justification: {}", row.justification.trim()));
        }
        if !row.notes.trim().is_empty() {
            description.push_str(&format!("\n\n{}", row.notes.trim()));
        }
        let mut props = vec![prop("result", row.result.as_str(), None)];
        if let Some(m) = row.maturity {
            props.push(prop("maturity", &m.to_string(), None));
        }
        let mut o = json!({
            "uuid": ids.named(&format!("observation/{}", row.item.no)),
            "title": line(&format!("Item {}: {}", row.item.no, row.item.label())),
            "description": description,
            "props": props,
            "methods": ["EXAMINE"],
            "types": ["control-objective"],
            "collected": row.assessed_at.as_deref().map_or_else(|| generated.clone(), timestamp),
        });
        if let Some(origins) = origins(row) {
            o["origins"] = origins;
        }
        if !row.evidence.is_empty() {
            o["subjects"] = row
                .evidence
                .iter()
                .map(|ev| json!({"subject-uuid": ids.named(&evidence_key(ev)), "type": "resource"}))
                .collect();
            o["relevant-evidence"] = row
                .evidence
                .iter()
                .map(|ev| {
                    json!({
                        "href": format!("#{}", ids.named(&evidence_key(ev))),
                        "description": ev.label(),
                    })
                })
                .collect();
        }
        observations.push(o);
        observed.push(row.item.no);
    }

    // Findings: every item whose result that counts is a nonconformity or an opportunity for
    // improvement, on its own answer or carried from another item.
    let mut findings = Vec::new();
    for row in &report.rows {
        let result = row.effective.result;
        let (state, reason) = match result {
            Conformity::MinorNonconformity | Conformity::MajorNonconformity => {
                ("not-satisfied", "fail")
            }
            Conformity::Improvement => ("satisfied", "pass"),
            _ => continue,
        };
        let Some(first) = row.item.members.first() else {
            continue;
        };
        let source = row.effective.carried_from.unwrap_or(row.item.no);
        let source_row = report.rows.iter().find(|r| r.item.no == source);
        let mut description = format!(
            "{} against {} {} {}.",
            result.label(),
            designation(&first.standard),
            first.number,
            first.title
        );
        if let Some(from) = row.effective.carried_from {
            description.push_str(&format!(
                " Carried from item {from}, which answers a clause that covers this one."
            ));
        }
        if let Some(notes) = source_row.map(|r| r.notes.trim()).filter(|n| !n.is_empty()) {
            description.push_str(&format!("\n\n{notes}"));
        }
        let counts_for = row
            .item
            .members
            .iter()
            .map(|m| format!("{} {}", designation(&m.standard), m.number))
            .collect::<Vec<_>>()
            .join(", ");
        let mut f = json!({
            "uuid": ids.named(&format!("finding/{}", row.item.no)),
            "title": line(&format!("{}: {} {} {}", result.label(), designation(&first.standard), first.number, first.title)),
            "description": description,
            "props": [prop("result", result.as_str(), None)],
            "target": {
                "type": "objective-id",
                "target-id": format!("{}_obj", control_id(&first.standard, &first.number)),
                "status": {"state": state, "reason": reason},
                "remarks": format!("Item {} counts for {counts_for}.", row.item.no),
            },
        });
        if observed.contains(&source) {
            f["related-observations"] =
                json!([{"observation-uuid": ids.named(&format!("observation/{source}"))}]);
        }
        if let Some(origins) = source_row.and_then(origins) {
            f["origins"] = origins;
        }
        findings.push(f);
    }

    // The reviewed controls: every clause on the checklist, one selection per standard.
    let selections: Vec<Value> = report
        .plan
        .standards
        .iter()
        .filter_map(|st| {
            let controls: Vec<Value> = report
                .plan
                .items
                .iter()
                .flat_map(|i| &i.members)
                .filter(|m| m.standard == st.id)
                .map(|m| json!({"control-id": control_id(&m.standard, &m.number)}))
                .collect();
            (!controls.is_empty()).then(|| {
                json!({
                    "props": [prop("standard", &st.id, None)],
                    "include-controls": controls,
                    "remarks": st.designation,
                })
            })
        })
        .collect();

    let mut result = json!({
        "uuid": ids.named("result"),
        "title": line(&format!("{} {}", report.number, report.title)),
        "description": format!(
            "Integrated assessment of {}{}{}.",
            report.plan.standards.iter().map(|s| s.designation.as_str()).collect::<Vec<_>>().join(", "),
            if report.sites.is_empty() { String::new() } else { format!(" at {}", report.sites.join(", ")) },
            if report.processes.is_empty() {
                String::new()
            } else {
                format!(
                    ", processes {}",
                    report.processes.iter().map(|(n, t)| format!("{n} {t}")).collect::<Vec<_>>().join(", ")
                )
            },
        ),
        "start": timestamp(&report.created_at),
        "end": generated,
        "props": report.readiness.standards.iter().map(|s| {
            prop("share-conforming", &format!("{}", s.figures.share), Some(&token(&s.standard)))
        }).collect::<Vec<_>>(),
        "reviewed-controls": {
            "control-selections": selections,
            "control-objective-selections": [{"include-all": {}}],
        },
    });
    if let Some(r) = result.as_object_mut() {
        if !observations.is_empty() {
            r.insert("observations".into(), Value::Array(observations));
        }
        if !findings.is_empty() {
            r.insert("findings".into(), Value::Array(findings));
        }
        if r.get("props")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            r.remove("props");
        }
    }

    let mut ar = Map::new();
    ar.insert("uuid".into(), json!(ids.named("assessment-results")));
    ar.insert("metadata".into(), metadata);
    ar.insert(
        "import-ap".into(),
        json!({
            "href": format!("#{}", ids.assessment),
            "remarks": "Annex keeps the plan inside the assessment: the back-matter resource it points at stands for it.",
        }),
    );
    ar.insert("results".into(), json!([result]));
    ar.insert("back-matter".into(), json!({ "resources": resources }));
    json!({ "assessment-results": ar })
}

/// The UUIDs of one document: the assessment's own, and names under it.
struct Ids {
    namespace: Uuid,
    /// The assessment's UUID as the document cites it: its own when OSCAL accepts it (a
    /// version 4 or 5 UUID), else one named after it.
    assessment: String,
}

impl Ids {
    fn new(uuid: &str) -> Self {
        let parsed = Uuid::parse_str(uuid.trim()).ok();
        let namespace = parsed.unwrap_or_else(|| {
            Uuid::new_v5(
                &Uuid::NAMESPACE_URL,
                format!("urn:annex:assessment:{uuid}").as_bytes(),
            )
        });
        let assessment = match parsed {
            Some(u) if matches!(u.get_version_num(), 4 | 5) => u.hyphenated().to_string(),
            _ => Uuid::new_v5(&namespace, b"assessment")
                .hyphenated()
                .to_string(),
        };
        Self {
            namespace,
            assessment,
        }
    }

    /// A version 5 UUID for `name` under the assessment.
    fn named(&self, name: &str) -> String {
        Uuid::new_v5(&self.namespace, name.as_bytes())
            .hyphenated()
            .to_string()
    }
}

/// The name of a piece of evidence among the document's UUIDs.
fn evidence_key(ev: &Evidence) -> String {
    match ev {
        Evidence::Record { number, .. } => format!("evidence/record/{number}"),
        Evidence::File { id, .. } => format!("evidence/file/{id}"),
    }
}

/// An OSCAL token (an XML NCName: a letter or `_`, then letters, digits, `.`, `-`, `_`)
/// from any text: other characters become `-`, and a leading digit or sign gets a `_`.
/// ASCII only, so that it means the same to every reader.
pub fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The control id of a clause: `iso9001-2015_8.5.1`.
pub fn control_id(standard: &str, number: &str) -> String {
    format!(
        "{}_{}",
        token(standard),
        token(number).trim_start_matches('_')
    )
}

/// A property of Annex's own.
fn prop(name: &str, value: &str, class: Option<&str>) -> Value {
    let mut p = json!({"name": name, "ns": NS, "value": line(value)});
    if let Some(c) = class {
        p["class"] = json!(c);
    }
    p
}

/// Text for a one-line OSCAL string: whitespace runs (line breaks too) become one space, and
/// none leads or trails (OSCAL's string type allows neither); "-" when nothing is left.
fn line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        "-".into()
    } else {
        joined
    }
}

/// An RFC 3339 time as OSCAL writes it: UTC to the second, `2026-11-22T10:00:00Z`; the text
/// as given when it does not parse (Annex's report times always do).
fn timestamp(t: &str) -> String {
    t.parse::<jiff::Timestamp>()
        .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| t.to_string())
}
