//! The demo's suppliers: the makers of the pressure sensor, the circuit boards and the
//! tubing, the contract steriliser, the heat treater, the bar stock distributor, the
//! calibration laboratory, packaging, the waste carrier and others — each with its
//! criticality, its certificates (some expiring soon) and a weighted evaluation whose score
//! decides what a manager may sign: approved, approved with conditions after the firmware
//! problems, one being re-evaluated after the cracked reamer, one still being evaluated, one
//! prospective, one disqualified after a failed audit and one retired. Their nonconformities
//! and corrective-action requests from `nonconformity.rs` and `capa.rs` are linked, and one
//! supplier nonconformity is raised from the supplier's page.

use serde_json::{Value, json};

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Prospective,
    /// Evaluated; waiting for a manager's decision.
    Evaluated,
    Approved,
    Conditional,
    /// Approved once, now being re-evaluated.
    ReEvaluation,
    Disqualified,
    Retired,
}

use Story::*;

/// Scores (0 to 5) for the five criteria of [`CRITERIA`].
type Scores = [i64; 5];

/// The criteria Veltmark scores suppliers on, with their weights.
const CRITERIA: [(&str, i64); 5] = [
    ("Quality record (rejects, nonconformities)", 30),
    ("On-time delivery", 20),
    ("Certification", 20),
    ("Audit or questionnaire result", 20),
    ("Communication and response to problems", 10),
];

/// 90 %: approved.
const GOOD: Scores = [5, 4, 5, 4, 4];
/// 64 %: approved with conditions.
const FAIR: Scores = [3, 3, 4, 3, 3];
/// 40 %: not approved.
const POOR: Scores = [2, 2, 3, 1, 2];

struct Supplier {
    site: &'static str,
    title: &'static str,
    supplies: &'static str,
    criticality: &'static str,
    contact: &'static str,
    /// Certificates: standard, number, issuer, days from today to expiry.
    certificates: &'static [(&'static str, &'static str, &'static str, i64)],
    scores: Scores,
    /// Days ago it was evaluated.
    evaluated: i64,
    conditions: &'static str,
    story: Story,
    /// Tags of nonconformities (`nc-for:`) and CAPAs it is linked to.
    links: &'static [&'static str],
}

const ORG: &str = "";

const BASE: Supplier = Supplier {
    site: ORG,
    title: "",
    supplies: "",
    criticality: "major",
    contact: "",
    certificates: &[],
    scores: GOOD,
    evaluated: 120,
    conditions: "",
    story: Approved,
    links: &[],
};

const SUPPLIERS: &[Supplier] = &[
    Supplier {
        site: BROOKFIELD,
        title: "Halden Sensortechnik GmbH",
        supplies: "Occlusion pressure sensors for the VP-300 (single source).",
        criticality: "critical",
        contact: "Key account manager, medical",
        certificates: &[("iso13485", "MD 712044", "German notified body", 40)],
        evaluated: 200,
        ..BASE
    },
    Supplier {
        site: BROOKFIELD,
        title: "Corwen Electronics Ltd",
        supplies: "Main and display circuit board assemblies for the VP-300, programmed \
                   with our released firmware.",
        criticality: "critical",
        contact: "Quality manager",
        certificates: &[
            ("iso9001", "GB-Q-55120", "British certification body", 300),
            ("iso13485", "GB-MD-8812", "British certification body", 300),
        ],
        scores: FAIR,
        evaluated: 45,
        conditions: "Firmware version read at goods-in on every delivery until the SCAR on \
                     firmware control is closed; audit of the programming station within \
                     three months.",
        story: Conditional,
        links: &["nc-for:capa:supplier-firmware", "capa:supplier-firmware"],
    },
    Supplier {
        site: BROOKFIELD,
        title: "Polyflex Medical Extrusions",
        supplies: "Medical-grade PVC-free tubing and moulded luer connectors for the \
                   administration sets.",
        criticality: "critical",
        certificates: &[("iso13485", "PM-13485-0419", "European notified body", 500)],
        evaluated: 300,
        ..BASE
    },
    Supplier {
        site: BROOKFIELD,
        title: "SteriServe North",
        supplies: "Ethylene oxide sterilisation of administration sets, with bioburden and \
                   residue testing.",
        criticality: "critical",
        contact: "Validation engineer",
        certificates: &[
            ("iso13485", "SSN-0091", "European notified body", 20),
            ("other", "ISO 11135 scope on the 13485 certificate", "", 20),
        ],
        evaluated: 150,
        ..BASE
    },
    Supplier {
        site: TARNSIDE,
        title: "Ashby Heat Treatment",
        supplies: "Vacuum hardening and tempering of reamers and awls in 17-4PH and 420 \
                   stainless.",
        criticality: "critical",
        certificates: &[("iso9001", "AHT-9001-3321", "UK certification body", 150)],
        evaluated: 330,
        story: ReEvaluation,
        links: &["nc-for:capa:heat-treatment", "capa:heat-treatment"],
        ..BASE
    },
    Supplier {
        site: TARNSIDE,
        title: "Tyne Metals Distribution",
        supplies: "17-4PH and 420 stainless bar stock with mill certificates.",
        criticality: "major",
        certificates: &[("iso9001", "TMD-22871", "UK certification body", 210)],
        evaluated: 400,
        ..BASE
    },
    Supplier {
        title: "Metrolab Calibration Services",
        supplies: "Calibration of gauges, balances, pressure and temperature instruments, \
                   on site and in the laboratory.",
        criticality: "major",
        certificates: &[("other", "UKAS 0412 (ISO/IEC 17025)", "UKAS", 380)],
        evaluated: 250,
        ..BASE
    },
    Supplier {
        site: BROOKFIELD,
        title: "Sealwell Packaging",
        supplies: "Peel pouches and printed cartons for the administration sets.",
        criticality: "major",
        certificates: &[("iso9001", "SW-4410", "UK certification body", 90)],
        evaluated: 10,
        story: Evaluated,
        ..BASE
    },
    Supplier {
        title: "Greenline Waste Services",
        supplies: "Collection of hazardous and general waste and of metal swarf from both \
                   sites, with transfer notes.",
        criticality: "minor",
        certificates: &[("iso14001", "GL-EMS-201", "UK certification body", 600)],
        evaluated: 500,
        ..BASE
    },
    Supplier {
        site: BROOKFIELD,
        title: "Jiangmen Cell Co.",
        supplies: "Lithium-ion cells for the VP-300 battery pack (second source under \
                   qualification).",
        criticality: "critical",
        story: Prospective,
        ..BASE
    },
    Supplier {
        site: TARNSIDE,
        title: "QuickPlate Finishing",
        supplies: "Subcontract passivation of instruments (before the in-house line).",
        criticality: "critical",
        scores: POOR,
        evaluated: 60,
        story: Disqualified,
        ..BASE
    },
    Supplier {
        site: BROOKFIELD,
        title: "Arden Boards (VP-200 main boards)",
        supplies: "Main boards for the VP-200 pump.",
        criticality: "critical",
        evaluated: 700,
        story: Retired,
        ..BASE
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut made_ncs = 0;
    for s in SUPPLIERS {
        made_ncs += write(d, s).await?;
    }
    d.made("supplier", SUPPLIERS.len());
    d.made("nonconformity", made_ncs);
    Ok(())
}

fn evaluation(scores: &Scores) -> Value {
    let rows: Vec<Value> = CRITERIA
        .iter()
        .zip(scores)
        .map(|((criterion, weight), score)| {
            json!({"criterion": criterion, "weight": weight, "score": score})
        })
        .collect();
    Value::Array(rows)
}

/// Writes one supplier; returns the number of nonconformities raised from its page.
async fn write(d: &mut Demo<'_>, s: &Supplier) -> Result<usize, Error> {
    let owner = "rafael";
    let decider = match s.site {
        TARNSIDE => "tomasz",
        BROOKFIELD => "owen",
        _ => "marcus",
    };
    let certificates: Vec<Value> = s
        .certificates
        .iter()
        .map(|(standard, number, issuer, expires)| {
            let mut c = json!({
                "standard": standard,
                "number": number,
                "expires_on": d.day(*expires),
            });
            if !issuer.is_empty() {
                c["issuer"] = json!(issuer);
            }
            c
        })
        .collect();
    let mut fields = json!({
        "supplies": s.supplies,
        "criticality": s.criticality,
        "certifications": certificates,
    });
    if !s.contact.is_empty() {
        fields["contact_name"] = json!(s.contact);
    }
    let n = d
        .create(
            owner,
            New {
                kind: "supplier",
                title: s.title,
                owner: Some(owner),
                site: s.site,
                due_on: None,
                fields,
                part_of: None,
            },
        )
        .await?;
    for tag in s.links {
        if let Some(to) = d.tagged(tag).first() {
            d.link(owner, &n, "relates_to", to).await?;
        }
    }
    if s.story == Prospective {
        return Ok(0);
    }
    let evaluated = s.evaluated;
    d.edit(
        owner,
        &n,
        json!({"evaluation": evaluation(&s.scores), "evaluated_on": d.day(-evaluated)}),
    )
    .await?;
    d.step(owner, &n, "evaluate", None).await?;
    match s.story {
        Evaluated => {
            // Found at the first-article inspection of the new pouch, before approval.
            d.create(
                owner,
                New {
                    kind: "nonconformity",
                    title: "Peel pouches from the first article lot with weak seals",
                    owner: Some("aiko"),
                    site: BROOKFIELD,
                    due_on: Some(d.day(10)),
                    fields: json!({
                        "severity": "minor",
                        "source": "supplier",
                        "product_or_process": "Peel pouch, first article lot",
                        "description": "Seal strength of 3 of 20 pouches below 1.5 N/15 mm \
                                        in the first-article test.",
                    }),
                    part_of: Some(&n),
                },
            )
            .await?;
            return Ok(1);
        }
        Disqualified => {
            d.step(
                decider,
                &n,
                "disqualify",
                Some(
                    "Failed the process audit: no bath analysis records and no control of \
                      rinse water quality. Passivation is now done in-house.",
                ),
            )
            .await?;
            return Ok(0);
        }
        Retired => {
            d.step(decider, &n, "approve", None).await?;
            d.step(
                decider,
                &n,
                "retire",
                Some("The VP-200 is discontinued and the last-time buy is delivered."),
            )
            .await?;
            return Ok(0);
        }
        _ => {}
    }
    if s.story == Conditional {
        d.edit(owner, &n, json!({"conditions": s.conditions}))
            .await?;
        d.step(decider, &n, "approve_with_conditions", None).await?;
        return Ok(0);
    }
    d.step(decider, &n, "approve", None).await?;
    if s.story == ReEvaluation {
        d.step(owner, &n, "re_evaluate", None).await?;
        d.comment(
            owner,
            &n,
            "Re-evaluation brought forward after the cracked reamer: audit booked for next \
             month, with furnace records of the last year.",
        )
        .await?;
    }
    Ok(0)
}
