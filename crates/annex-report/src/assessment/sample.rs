//! Sample assessment reports for tests and benchmarks (compiled for this crate's tests and
//! with the `testing` feature): real checklists from the built-in catalog, answered in a
//! fixed pattern so that every kind of result, a carry, a not-applicable item, evidence of
//! both kinds and a trend appear, and user text that would be markup, code or a formula
//! somewhere.

// Test support: a missing built-in catalog is a broken build, and a panic says so at once.
#![allow(clippy::expect_used, clippy::panic)]

use annex_core::Catalog;
use annex_core::assessment::{
    Answer, Answered, Conformity, Evidence, Plan, Report, ReportRow, Snapshot, effective, readiness,
};

/// An integrated assessment of ISO 9001:2015, ISO 14001:2015 and ISO 45001:2018 with most
/// items answered: the ISO 9001 8.7 item is a minor nonconformity with evidence `NC-0007`,
/// the ISO 14001 6.1.2 item a major one, the ISO 9001 design items (8.3) not applicable,
/// every twelfth item left unanswered, and three snapshots of readiness.
pub fn sample_report() -> Report {
    report_over(&["iso9001:2015", "iso14001:2015", "iso45001:2018"], false)
}

/// A report over `standards` (ids of the built-in catalog). With `answer_all`, every item
/// has an answer of its own (for benchmarks of a finished assessment); otherwise every
/// twelfth is left to carries or unanswered.
pub fn report_over(standards: &[&str], answer_all: bool) -> Report {
    let catalog = Catalog::builtin().expect("the built-in catalog");
    let ids: Vec<String> = standards.iter().map(|s| s.to_string()).collect();
    let plan = Plan::build(catalog, &ids).expect("a plan over the sample's standards");
    let find = |standard: &str, number: &str| {
        plan.items
            .iter()
            .find(|i| {
                i.members
                    .iter()
                    .any(|m| m.standard == standard && m.number == number)
            })
            .map(|i| i.no)
    };
    let minor = find("iso9001:2015", "8.7");
    let major = find("iso14001:2015", "6.1.2");

    let mut answers: Vec<Option<Answer>> = Vec::with_capacity(plan.items.len());
    let mut evidence: Vec<Vec<Evidence>> = Vec::with_capacity(plan.items.len());
    for item in &plan.items {
        let i = item.no as usize - 1;
        let designs = item
            .members
            .iter()
            .all(|m| m.standard == "iso9001:2015" && m.number.starts_with("8.3"));
        let not_applicable = Answer {
            result: Conformity::NotApplicable,
            maturity: None,
            notes: String::new(),
            justification: "We make to our customers' drawings and design nothing ourselves."
                .into(),
        };
        let (answer, ev) = if designs && plan.check(catalog, item.no, &not_applicable).is_empty() {
            (Some(not_applicable), Vec::new())
        } else if Some(item.no) == minor {
            (
                Some(Answer {
                    result: Conformity::MinorNonconformity,
                    maturity: Some(2),
                    notes: "Two scrapped housings were not segregated #panic(\"x\") *bold* \
                            [link] $x$ =1+1"
                        .into(),
                    justification: String::new(),
                }),
                vec![Evidence::Record {
                    number: "NC-0007".into(),
                    title: "Scratched housing".into(),
                }],
            )
        } else if Some(item.no) == major {
            (
                Some(Answer {
                    result: Conformity::MajorNonconformity,
                    maturity: Some(1),
                    notes: "No register of environmental aspects for the paint shop.".into(),
                    justification: String::new(),
                }),
                Vec::new(),
            )
        } else if !answer_all && i % 12 == 11 {
            (None, Vec::new())
        } else {
            let result = match i % 12 {
                5 => Conformity::Improvement,
                9 if answer_all => Conformity::MinorNonconformity,
                _ => Conformity::Conforming,
            };
            let ev = match i % 4 {
                0 => vec![Evidence::Record {
                    number: format!("DOC-{:04}", i / 4 + 1),
                    title: "Procedure".into(),
                }],
                1 => vec![
                    Evidence::Record {
                        number: "PRC-0001".into(),
                        title: "Production".into(),
                    },
                    Evidence::File {
                        id: 1,
                        name: "walkthrough-photos.zip".into(),
                        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                            .into(),
                    },
                ],
                2 => Vec::new(),
                _ => vec![Evidence::File {
                    id: 2,
                    name: "interview-notes.pdf".into(),
                    sha256: String::new(),
                }],
            };
            (
                Some(Answer {
                    result,
                    maturity: u8::try_from(i % 6).ok(),
                    notes: if result == Conformity::MinorNonconformity {
                        "Records incomplete for one batch.".into()
                    } else if i.is_multiple_of(3) {
                        format!("Seen on the floor with the process owner (item {}).", i + 1)
                    } else {
                        String::new()
                    },
                    justification: String::new(),
                }),
                ev,
            )
        };
        answers.push(answer);
        evidence.push(ev);
    }

    let answered: Vec<Answered> = answers
        .iter()
        .zip(&evidence)
        .map(|(a, ev)| Answered {
            result: a.as_ref().map(|a| a.result),
            evidence: ev.len() as u32,
        })
        .collect();
    let maturity: Vec<Option<u8>> = answers
        .iter()
        .map(|a| a.as_ref().and_then(|a| a.maturity))
        .collect();
    let effective = effective(&plan, &answered);
    let readiness = readiness(&plan, &answered, &maturity);
    let rows = plan
        .items
        .iter()
        .zip(answers)
        .zip(evidence)
        .zip(effective)
        .map(|(((item, answer), evidence), effective)| {
            let minute = item.no % 60;
            let at = answer
                .as_ref()
                .map(|_| format!("2026-11-20T{:02}:{minute:02}:00Z", 8 + item.no / 60 % 10));
            ReportRow {
                item: item.clone(),
                result: answer
                    .as_ref()
                    .map_or(Conformity::NotAssessed, |a| a.result),
                effective,
                maturity: answer.as_ref().and_then(|a| a.maturity),
                notes: answer.as_ref().map(|a| a.notes.clone()).unwrap_or_default(),
                justification: answer
                    .as_ref()
                    .map(|a| a.justification.clone())
                    .unwrap_or_default(),
                evidence,
                assessed_by: at.as_ref().map(|_| "Grace Auditor (grace)".to_string()),
                assessed_at: at,
            }
        })
        .collect();
    let now: Vec<(String, f64)> = readiness
        .standards
        .iter()
        .map(|s| (s.standard.clone(), s.figures.share))
        .collect();
    let earlier = |factor: f64| -> Vec<(String, f64)> {
        now.iter()
            .map(|(id, share)| (id.clone(), (share * factor * 10.0).round() / 10.0))
            .collect()
    };
    let trend = vec![
        Snapshot {
            taken_at: "2026-10-01T08:00:00Z".into(),
            taken_by: "grace".into(),
            shares: earlier(0.3),
        },
        Snapshot {
            taken_at: "2026-10-29T08:00:00Z".into(),
            taken_by: "grace".into(),
            shares: earlier(0.7),
        },
        Snapshot {
            taken_at: "2026-11-22T09:00:00Z".into(),
            taken_by: "grace".into(),
            shares: now,
        },
    ];
    Report {
        number: "ASM-0003".into(),
        title: "Integrated internal audit 2026 <Brookfield> & #Tarnside".into(),
        uuid: "6f1c2a4e-8d3b-4c55-9a7e-2b1f0c9d8e7a".into(),
        sites: vec!["brookfield".into(), "tarnside".into()],
        processes: vec![
            ("PRC-0001".into(), "Production".into()),
            ("PRC-0004".into(), "Purchasing".into()),
        ],
        created_by: "Ingrid Admin (ingrid)".into(),
        created_at: "2026-10-01T07:45:00Z".into(),
        generated_at: "2026-11-22T10:00:00Z".into(),
        plan,
        rows,
        readiness,
        trend,
    }
}
