//! The demo's changes: to products, processes, suppliers, equipment, documents and the
//! organisation, at both sites — requested, assessed, approved with a manager's signature,
//! implemented, verified and closed, or rejected with the reason. Changes refer to the
//! documents they touch and to the CAPAs that asked for them.

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Requested,
    Assessed,
    Approved,
    Implemented,
    Closed,
    Rejected,
}

use Story::*;

struct Change {
    site: &'static str,
    change_type: &'static str,
    title: &'static str,
    description: &'static str,
    impact: &'static str,
    risk: &'static str,
    notify: bool,
    plan: &'static str,
    story: Story,
    /// Title of a document the change touches.
    document: Option<&'static str>,
    /// Tag of the CAPA that asked for it.
    capa: Option<&'static str>,
}

const fn change(
    site: &'static str,
    change_type: &'static str,
    title: &'static str,
    description: &'static str,
    story: Story,
) -> Change {
    Change {
        site,
        change_type,
        title,
        description,
        impact: "Affects the documents and training listed in the plan; no effect on \
                 product already delivered; risk file reviewed and unchanged.",
        risk: "low",
        notify: false,
        plan: "Update documents, train the people affected, make the change at the start of \
               a week, check the first lots.",
        story,
        document: None,
        capa: None,
    }
}

const fn with(
    mut c: Change,
    risk: &'static str,
    notify: bool,
    impact: &'static str,
    plan: &'static str,
) -> Change {
    c.risk = risk;
    c.notify = notify;
    c.impact = impact;
    c.plan = plan;
    c
}

const fn touches(mut c: Change, document: &'static str) -> Change {
    c.document = Some(document);
    c
}

const fn asked_by(mut c: Change, capa: &'static str) -> Change {
    c.capa = Some(capa);
    c
}

const CHANGES: &[Change] = &[
    touches(
        change(
            TARNSIDE,
            "process",
            "Move passivation from nitric to citric acid",
            "Replace the nitric acid baths with citric acid: safer for operators, less hazardous \
         waste, same passive layer.",
            Closed,
        ),
        "Citric acid passivation of stainless instruments",
    ),
    with(
        touches(
            change(
                BROOKFIELD,
                "product",
                "VP-300 battery pack from a second cell maker",
                "Qualify cells from a second maker in the VP-300 battery pack to end single sourcing.",
                Assessed,
            ),
            "VP-300 product specification",
        ),
        "high",
        true,
        "Battery life, charging and safety testing to repeat; the technical documentation \
         changes; the notified body must be told before sale.",
        "Build 30 packs, run the test programme, update the file, notify, then switch.",
    ),
    asked_by(
        touches(
            change(
                BROOKFIELD,
                "equipment",
                "Radiometer check at the UV curing stations",
                "Add a daily UV intensity check at each curing station with a set minimum.",
                Closed,
            ),
            "Administration set leak test",
        ),
        "capa:luer-bond",
    ),
    asked_by(
        change(
            BROOKFIELD,
            "equipment",
            "Access control in the label printing software",
            "Only quality may change or release label templates.",
            Closed,
        ),
        "capa:label-template",
    ),
    asked_by(
        touches(
            change(
                TARNSIDE,
                "equipment",
                "Tool-life counters locked to tool changes",
                "Counters reset only through the tool management software at a tool change.",
                Implemented,
            ),
            "CNC machining of drill guides",
        ),
        "capa:tool-life",
    ),
    with(
        change(
            BROOKFIELD,
            "product",
            "Firmware 2.5: quieter key click and new alarm log",
            "Lower the key click volume and keep the last 500 alarms in the log.",
            Approved,
        ),
        "medium",
        false,
        "Software verification of the changed units; usability check of the alarm log; no \
         change to alarm priorities or limits.",
        "Verify, release, load in production from the next build, update the service tool.",
    ),
    change(
        TARNSIDE,
        "organisation",
        "Second shift on CNC cells 1 and 2",
        "Run a second shift on two cells to meet demand for drill guides.",
        Requested,
    ),
    with(
        change(
            TARNSIDE,
            "supplier",
            "New heat treatment subcontractor for reamers",
            "Move reamer heat treatment to a subcontractor with per-load furnace records.",
            Assessed,
        ),
        "high",
        false,
        "Hardness and microstructure to be shown equivalent; supplier audit; first three \
         loads tested in full.",
        "Audit, trial loads, approval, purchase order change, first-article checks.",
    ),
    change(
        BROOKFIELD,
        "document",
        "Merge the two leak test instructions",
        "One instruction for both set variants, with a table of limits.",
        Rejected,
    ),
    touches(
        change(
            TARNSIDE,
            "process",
            "Vibratory finishing instead of hand deburring",
            "Deburr reamers and awls in the vibratory finisher.",
            Closed,
        ),
        "Tumbling and deburring",
    ),
    change(
        BROOKFIELD,
        "organisation",
        "Quality engineer covers both assembly lines",
        "One quality engineer for both lines while a vacancy is filled.",
        Implemented,
    ),
    with(
        change(
            BROOKFIELD,
            "product",
            "Administration set tubing from a new extruder",
            "Second source for the PVC-free tubing of the administration sets.",
            Requested,
        ),
        "high",
        true,
        "Biocompatibility, flow accuracy and leak performance to be shown; the file and the \
         notified body affected.",
        "Qualification plan to be written once samples arrive.",
    ),
    change(
        TARNSIDE,
        "equipment",
        "Replace compressor 2 with a variable-speed unit",
        "Cut compressed-air energy use with a variable-speed compressor.",
        Approved,
    ),
    change(
        TARNSIDE,
        "equipment",
        "New coordinate measuring machine in final inspection",
        "Replace the manual height gauge checks on drill guides with a CMM program.",
        Implemented,
    ),
    change(
        BROOKFIELD,
        "process",
        "Move battery storage to the air-conditioned store",
        "Keep battery packs in the cooled store with a temperature alarm.",
        Closed,
    ),
    change(
        BROOKFIELD,
        "document",
        "Expiry date in ISO format on all labels",
        "Label templates to show the expiry date as year-month-day.",
        Closed,
    ),
    change(
        TARNSIDE,
        "process",
        "Spent coolant to a recycler instead of disposal",
        "Send spent coolant for recovery rather than treatment as waste.",
        Assessed,
    ),
    change(
        "",
        "organisation",
        "Annex replaces the document control spreadsheets",
        "Documents, nonconformities, CAPAs and changes move into Annex.",
        Closed,
    ),
    change(
        "",
        "document",
        "Single complaint form for both sites",
        "Use one complaint intake form with the reportability questions first.",
        Approved,
    ),
    asked_by(
        change(
            TARNSIDE,
            "document",
            "Tank volume and top-up table on the bath record",
            "Add the tank volume and a top-up table to the passivation bath record.",
            Requested,
        ),
        "capa:passivation-bath",
    ),
    change(
        BROOKFIELD,
        "equipment",
        "Second flow-rate test bench",
        "Add a third bench to cut the test queue at month end.",
        Rejected,
    ),
    change(
        TARNSIDE,
        "supplier",
        "Bar stock direct from the mill",
        "Buy 17-4PH bar from the mill instead of through a distributor.",
        Requested,
    ),
    change(
        BROOKFIELD,
        "process",
        "Cleanroom gowning: add a second pair of gloves",
        "Double gloving for the luer bonding step.",
        Assessed,
    ),
    change(
        TARNSIDE,
        "organisation",
        "Tarnside EHS coordinator role",
        "A part-time EHS coordinator at Tarnside reporting to the EHS manager.",
        Closed,
    ),
    change(
        "",
        "process",
        "Quarterly instead of monthly quality metrics meeting",
        "Meet quarterly, with a monthly dashboard in between.",
        Rejected,
    ),
    change(
        BROOKFIELD,
        "equipment",
        "Solder fume extraction: replace filters by hours run",
        "Change filters by the hour counter instead of monthly.",
        Implemented,
    ),
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut open = 0;
    for (i, c) in CHANGES.iter().enumerate() {
        write(d, c, i, &mut open).await?;
    }
    d.made("change", CHANGES.len());
    Ok(())
}

async fn write(d: &mut Demo<'_>, c: &Change, i: usize, open: &mut usize) -> Result<(), Error> {
    let site_crew = crew(if c.site.is_empty() {
        BROOKFIELD
    } else {
        c.site
    });
    let (owner, decider) = if c.site.is_empty() {
        ("marcus", "marcus")
    } else {
        (site_crew.workers[i % 2], site_crew.deciders[i % 2])
    };
    let finished = matches!(c.story, Closed | Rejected);
    let due = if finished {
        let days = d.between(-480, -20);
        d.day(days)
    } else {
        *open += 1;
        d.due_for_open(*open)
    };
    let n = d
        .create(
            owner,
            New {
                kind: "change",
                title: c.title,
                owner: None,
                site: c.site,
                due_on: Some(due),
                fields: json!({
                    "change_type": c.change_type,
                    "description": c.description,
                }),
                part_of: None,
            },
        )
        .await?;
    if let Some(title) = c.document
        && let Some(doc) = d.tagged(&format!("doc:{title}")).first()
    {
        d.link(owner, &n, "references", doc).await?;
    }
    if let Some(tag) = c.capa
        && let Some(capa) = d.tagged(tag).first()
    {
        d.link(owner, &n, "relates_to", capa).await?;
    }
    match c.story {
        Requested => return Ok(()),
        Rejected => {
            d.step(
                decider,
                &n,
                "reject",
                Some("The cost is not justified by the benefit; revisit next year."),
            )
            .await?;
            return Ok(());
        }
        _ => {}
    }
    d.edit(
        owner,
        &n,
        json!({
            "impact": c.impact,
            "risk_level": c.risk,
            "regulatory_notification": c.notify,
            "plan": c.plan,
        }),
    )
    .await?;
    d.step(owner, &n, "assess", None).await?;
    if c.story == Assessed {
        return Ok(());
    }
    d.step(decider, &n, "approve", None).await?;
    if c.story == Approved {
        return Ok(());
    }
    d.edit(
        owner,
        &n,
        json!({"implementation": "Done as planned; documents revised and people trained; \
                                  records in the change file."}),
    )
    .await?;
    d.step(owner, &n, "implement", None).await?;
    if c.story == Implemented {
        return Ok(());
    }
    d.edit(
        owner,
        &n,
        json!({"verification": "First lots after the change inspected and met every \
                                requirement; no side effects seen."}),
    )
    .await?;
    d.step(decider, &n, "verify", None).await?;
    if i.is_multiple_of(3) {
        d.comment(
            decider,
            &n,
            "Verified on the floor with the team; good change.",
        )
        .await?;
    }
    Ok(())
}
