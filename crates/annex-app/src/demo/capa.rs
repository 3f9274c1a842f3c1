//! The demo's corrective and preventive actions, each with the actions (records of the
//! `action` kind, created as part of it) that remove the cause: recurring nonconformities
//! from `nonconformity.rs` linked to the CAPA that addresses them; CAPAs just raised,
//! contained, investigated with actions under way, implemented and waiting for their
//! effectiveness check, one found not effective and investigated again, and one cancelled.
//!
//! None is closed: closing needs an effectiveness check dated after the day of
//! implementation and not in the future, and the workflow sets that day to today, so a CAPA
//! implemented while the demo is made can be closed from tomorrow, not before. The demo
//! keeps that rule rather than backdating the record.

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Initiated,
    Contained,
    /// Root cause found; `done` of its actions finished, the rest open.
    Investigated {
        done: usize,
    },
    /// Every action finished; the effectiveness check is due.
    Implemented,
    /// Implemented, checked, found not effective, investigated again with one more action.
    NotEffective,
    Cancelled,
}

struct Capa {
    tag: &'static str,
    site: &'static str,
    source: &'static str,
    title: &'static str,
    problem: &'static str,
    containment: &'static str,
    whys: &'static [&'static str],
    cause_category: &'static str,
    root_cause: &'static str,
    criteria: &'static str,
    /// What is to be done, and what was done.
    actions: &'static [(&'static str, &'static str)],
    story: Story,
}

use Story::*;

const CAPAS: &[Capa] = &[
    Capa {
        tag: "capa:luer-bond",
        site: BROOKFIELD,
        source: "nonconformity",
        title: "Recurring leaks at the luer bond of administration sets",
        problem: "Administration sets keep failing the leak test at the luer-to-tubing bond, \
                  lot after lot since the spring.",
        containment: "Every lot leak-tested at 100 % instead of on a sample until the cause \
                      is removed.",
        whys: &[
            "The adhesive was not fully cured.",
            "The UV dose was lower than validated.",
            "The replacement lamp gives less output than the original.",
            "The lamp was bought as like-for-like without checking its output.",
        ],
        cause_category: "machine",
        root_cause: "Curing lamps are treated as consumables without a check of their \
                     output, so a weaker lamp went unnoticed.",
        criteria: "No leak failure at the luer bond in three months of production at the \
                   normal sample size.",
        actions: &[
            (
                "Measure UV intensity at every curing station and set a minimum.",
                "Radiometer readings taken; minimum of 60 mW/cm² set and written into the \
              work instruction.",
            ),
            (
                "Add a daily radiometer check to the start-up checklist.",
                "Checklist revised; first month of records reviewed.",
            ),
            (
                "Specify lamp output on the purchase order for replacement lamps.",
                "Part specification updated with the minimum output.",
            ),
        ],
        story: Implemented,
    },
    Capa {
        tag: "capa:label-template",
        site: BROOKFIELD,
        source: "nonconformity",
        title: "Label errors from uncontrolled template edits and skipped checks",
        problem: "Wrong label formats and missing second checks found several times in the \
                  last six months.",
        containment: "Printer templates locked; every lot's labels checked by quality before \
                      release.",
        whys: &[
            "Templates could be changed at the printer.",
            "The printer software has no access control switched on.",
        ],
        cause_category: "method",
        root_cause: "Label templates are not under change control at the point of use.",
        criteria: "No label nonconformity in the next 20 lots.",
        actions: &[
            (
                "Switch on access control in the label software; only quality may release \
              templates.",
                "Done; validated as a change to QMS software.",
            ),
            (
                "Replace the paper second check with a scan of the printed label against the \
              master.",
                "Scanner installed and validated; paper check withdrawn.",
            ),
        ],
        story: Implemented,
    },
    Capa {
        tag: "capa:flow-bench",
        site: BROOKFIELD,
        source: "nonconformity",
        title: "False flow-rate failures on test bench 2",
        problem: "Pumps fail the low-rate flow test on bench 2 and pass on bench 1.",
        containment: "Bench 2 used only for the middle and high rates.",
        whys: &[
            "The balance reading drifts at low rates.",
            "Air movement reaches the balance.",
        ],
        cause_category: "measurement",
        root_cause: "The extraction arm next to bench 2 blows across the balance.",
        criteria: "Bench 1 and bench 2 agree within 1 % on ten pumps at every rate.",
        actions: &[(
            "Move the extraction arm away from the balance.",
            "Arm moved; airflow at the balance checked.",
        )],
        story: NotEffective,
    },
    Capa {
        tag: "capa:supplier-firmware",
        site: BROOKFIELD,
        source: "nonconformity",
        title: "Boards delivered with superseded firmware",
        problem: "Main boards arrive with firmware older than the purchase order asks for.",
        containment: "Firmware version read at goods-in on every delivery.",
        whys: &[
            "The supplier programmed the old version.",
            "Our firmware change did not reach their programming station.",
            "Firmware changes are sent by email to a person, not controlled.",
        ],
        cause_category: "material",
        root_cause: "No controlled route for firmware changes to reach the supplier.",
        criteria: "Three months of deliveries with the right firmware and no deviation.",
        actions: &[
            (
                "Add firmware version and release route to the supplier quality agreement.",
                "Agreement revised and signed by the supplier.",
            ),
            (
                "Publish released firmware to the supplier portal with a checksum.",
                "",
            ),
            ("Audit the supplier's programming station.", ""),
        ],
        story: Investigated { done: 1 },
    },
    Capa {
        tag: "capa:sensor-mount",
        site: BROOKFIELD,
        source: "complaint",
        title: "Occlusion pressure sensor shifts after a drop",
        problem: "A pump from the field gave a late occlusion alarm after being dropped.",
        containment: "Field returns tested for alarm timing; customers reminded to have \
                      dropped pumps checked.",
        whys: &[],
        cause_category: "machine",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Contained,
    },
    Capa {
        tag: "capa:waste-segregation",
        site: "",
        source: "nonconformity",
        title: "Waste streams mixed at the point of generation",
        problem: "Hazardous and recyclable wastes end up in the wrong containers at both \
                  sites.",
        containment: "Containers checked at each weekly site walk.",
        whys: &[
            "Containers are not where the waste is made.",
            "Lines moved without a check of waste routes.",
        ],
        cause_category: "management",
        root_cause: "Layout changes do not consider waste routes.",
        criteria: "No mixed waste found in two quarters of site walks.",
        actions: &[
            (
                "Add waste routes to the layout change checklist.",
                "Checklist revised.",
            ),
            (
                "Label every container by stream and alloy.",
                "Labels fitted at both sites.",
            ),
        ],
        story: Implemented,
    },
    Capa {
        tag: "capa:tool-life",
        site: TARNSIDE,
        source: "nonconformity",
        title: "Oversize bores from worn reamers",
        problem: "Drill guide bores found oversize on several lots.",
        containment: "Bores measured on every part until the cause is removed.",
        whys: &[
            "The reamer was worn.",
            "The tool counter had been reset.",
            "Resetting it needs no reason and leaves no trace.",
        ],
        cause_category: "machine",
        root_cause: "Tool life can be reset at the machine without a tool change.",
        criteria: "No oversize bore in 50 lots.",
        actions: &[
            (
                "Lock tool-life counters; reset only by tool change in the tool management \
              software.",
                "Done on all four cells.",
            ),
            (
                "Add a bore check to the in-process inspection at half tool life.",
                "Work instruction revised.",
            ),
            ("Train setters on the new tool change routine.", ""),
        ],
        story: Investigated { done: 2 },
    },
    Capa {
        tag: "capa:passivation-bath",
        site: TARNSIDE,
        source: "nonconformity",
        title: "Passivation bath strength out of control",
        problem: "Bath concentration found below its limit at the weekly analysis.",
        containment: "Bath analysed twice a week.",
        whys: &[
            "Top-ups were too small.",
            "They were calculated for the old tank.",
        ],
        cause_category: "method",
        root_cause: "Bath volume is not recorded on the analysis form, so top-ups use \
                     whatever volume the operator remembers.",
        criteria: "Eight weeks of analyses within limits.",
        actions: &[
            (
                "Put the tank volume and a top-up table on the bath analysis form.",
                "",
            ),
            ("Add a conductivity probe with an alarm.", ""),
        ],
        story: Investigated { done: 0 },
    },
    Capa {
        tag: "capa:gauge-recall",
        site: TARNSIDE,
        source: "nonconformity",
        title: "Gauges missing from the calibration recall",
        problem: "Gauges found in use past their calibration date.",
        containment: "Every gauge on site checked for a current label.",
        whys: &[
            "The gauges were not on the recall list.",
            "The list is kept by cell and gauges move.",
        ],
        cause_category: "measurement",
        root_cause: "The recall list follows locations rather than gauges.",
        criteria: "Quarterly gauge counts match the list with no overdue gauge.",
        actions: &[
            (
                "Rebuild the recall list by gauge serial.",
                "Done after a full count.",
            ),
            ("Add a quarterly count to the audit plan.", "Added."),
        ],
        story: Implemented,
    },
    Capa {
        tag: "capa:coolant-hoses",
        site: TARNSIDE,
        source: "nonconformity",
        title: "Coolant leaks from ageing hoses",
        problem: "Coolant spills from split hoses on the CNC cells.",
        containment: "Drip trays under every hose joint.",
        whys: &[
            "Hoses split with age.",
            "They have no replacement interval.",
        ],
        cause_category: "machine",
        root_cause: "Hoses are not in the planned maintenance system.",
        criteria: "No coolant spill in six months.",
        actions: &[
            (
                "Add hoses to planned maintenance with a two-year interval.",
                "",
            ),
            ("Fit a bunded floor section at cell 3.", ""),
            ("Replace all hoses older than two years.", ""),
        ],
        story: Investigated { done: 0 },
    },
    Capa {
        tag: "capa:heat-treatment",
        site: TARNSIDE,
        source: "complaint",
        title: "Heat treatment of reamers not verified per load",
        problem: "A reamer from a soft load cracked in use.",
        containment: "Hardness tested on every load received; suspect stock scrapped.",
        whys: &[
            "A load was treated below temperature.",
            "The subcontractor's furnace record was not reviewed.",
            "Our purchase order does not ask for per-load evidence.",
        ],
        cause_category: "material",
        root_cause: "We accept heat-treated parts on a certificate without load evidence.",
        criteria: "Every load for six months arrives with its furnace chart and passes the \
                   hardness test.",
        actions: &[
            (
                "Require furnace charts and hardness results per load on the purchase order.",
                "Purchase order terms updated.",
            ),
            ("Audit the heat treater.", ""),
            ("Validate our hardness tester for incoming checks.", ""),
        ],
        story: Investigated { done: 1 },
    },
    Capa {
        tag: "capa:reportability",
        site: "",
        source: "audit_finding",
        title: "Late reportability decisions on complaints",
        problem: "The notified body found reportability decisions recorded long after \
                  complaints were received.",
        containment: "Weekly review of every open complaint for reportability.",
        whys: &[],
        cause_category: "method",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Contained,
    },
    Capa {
        tag: "capa:cleanroom-trend",
        site: BROOKFIELD,
        source: "trend",
        title: "Cleanroom particle counts trending upwards",
        problem: "0.5 µm counts have risen for four months, still inside the limit.",
        containment: "",
        whys: &[],
        cause_category: "environment",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Initiated,
    },
    Capa {
        tag: "capa:energy",
        site: TARNSIDE,
        source: "trend",
        title: "Electricity use per machine hour up on last year",
        problem: "Sub-meter data shows 12 % more electricity per machine hour than last \
                  year.",
        containment: "Compressors switched off at weekends.",
        whys: &[],
        cause_category: "environment",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Contained,
    },
    Capa {
        tag: "capa:training-effectiveness",
        site: "",
        source: "management_review",
        title: "Effectiveness of training not evaluated",
        problem: "Management review noted that training is recorded but its effectiveness \
                  is never judged.",
        containment: "",
        whys: &[],
        cause_category: "people",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Initiated,
    },
    Capa {
        tag: "capa:single-source",
        site: BROOKFIELD,
        source: "risk",
        title: "Single source for the pressure sensor",
        problem: "The occlusion pressure sensor comes from one supplier with a long lead \
                  time.",
        containment: "Safety stock raised to twelve weeks.",
        whys: &[],
        cause_category: "material",
        root_cause: "",
        criteria: "",
        actions: &[],
        story: Cancelled,
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut actions = 0;
    let mut open = 0;
    for c in CAPAS {
        actions += write(d, c, &mut open).await?;
    }
    d.made("capa", CAPAS.len());
    d.made("action", actions);
    Ok(())
}

/// Writes one CAPA and its actions; returns the number of actions.
async fn write(d: &mut Demo<'_>, c: &Capa, open: &mut usize) -> Result<usize, Error> {
    let site_crew = crew(if c.site.is_empty() {
        BROOKFIELD
    } else {
        c.site
    });
    let (owner, decider) = if c.site.is_empty() {
        ("marcus", "marcus")
    } else {
        (site_crew.workers[0], site_crew.deciders[0])
    };
    let raiser = if c.source == "audit_finding" {
        "grace"
    } else {
        owner
    };
    *open += 1;
    let due = d.due_for_open(*open);
    let n = d
        .create(
            raiser,
            New {
                kind: "capa",
                title: c.title,
                owner: Some(owner),
                site: c.site,
                due_on: Some(due),
                fields: json!({"source": c.source, "problem": c.problem}),
                part_of: None,
            },
        )
        .await?;
    d.tag(c.tag, &n);
    for nc in d.tagged(&format!("nc-for:{}", c.tag)) {
        d.link(owner, &n, "addresses", &nc).await?;
    }
    if c.story == Initiated {
        return Ok(0);
    }
    if c.story == Cancelled {
        d.step(
            decider,
            &n,
            "cancel",
            Some("Covered by the supplier development plan; no separate CAPA needed."),
        )
        .await?;
        return Ok(0);
    }
    d.edit(owner, &n, json!({"containment": c.containment}))
        .await?;
    d.step(owner, &n, "contain", None).await?;
    if c.story == Contained {
        return Ok(0);
    }
    let mut fields = json!({
        "cause_category": c.cause_category,
        "root_cause": c.root_cause,
        "effectiveness_criteria": c.criteria,
    });
    for (k, why) in c.whys.iter().enumerate() {
        fields[format!("why_{}", k + 1)] = json!(why);
    }
    d.edit(owner, &n, fields).await?;
    d.step(owner, &n, "investigate", None).await?;
    let done = match c.story {
        Investigated { done } => done,
        _ => c.actions.len(),
    };
    let mut made = 0;
    let mut last = None;
    for (k, (what, outcome)) in c.actions.iter().enumerate() {
        let doer = site_crew.workers[(k + 1) % site_crew.workers.len()];
        let doer = if c.site.is_empty() { "rafael" } else { doer };
        let finished = k < done;
        let due = if finished {
            let days = d.between(-200, -20);
            d.day(days)
        } else {
            *open += 1;
            d.due_for_open(*open)
        };
        let a = d
            .create(
                owner,
                New {
                    kind: "action",
                    title: what,
                    owner: Some(doer),
                    site: c.site,
                    due_on: Some(due),
                    fields: json!({"description": what}),
                    part_of: Some(&n),
                },
            )
            .await?;
        made += 1;
        last = Some(a.clone());
        if finished {
            d.edit(doer, &a, json!({"outcome": outcome})).await?;
            d.step(doer, &a, "finish", None).await?;
        }
    }
    if c.story == Implemented || c.story == NotEffective {
        d.step(owner, &n, "implement", None).await?;
        // The effectiveness check falls due some weeks after implementation.
        let days = d.between(20, 80);
        let due = d.day(days);
        d.set_due(owner, &n, &due).await?;
    }
    if c.story == NotEffective {
        d.edit(
            owner,
            &n,
            json!({"effectiveness_check": "Benches compared on ten pumps: bench 2 still reads \
                                           2 % high at 1 ml/h."}),
        )
        .await?;
        d.step(
            decider,
            &n,
            "not_effective",
            Some("Moving the arm did not remove the drift; the balance needs an enclosure."),
        )
        .await?;
        *open += 1;
        let due = d.due_for_open(*open);
        d.create(
            owner,
            New {
                kind: "action",
                title: "Fit a draught enclosure to the bench 2 balance",
                owner: Some(site_crew.workers[1]),
                site: c.site,
                due_on: Some(due),
                fields: json!({"description": "Buy and fit an enclosure; repeat the bench \
                                               comparison."}),
                part_of: Some(&n),
            },
        )
        .await?;
        made += 1;
    }
    if c.tag == "capa:coolant-hoses"
        && let Some(last) = last
    {
        // One action turned out not to be needed.
        d.step(
            decider,
            &last,
            "cancel",
            Some("All hoses were replaced last month under the site maintenance plan."),
        )
        .await?;
    }
    Ok(made)
}
