//! The demo's actions that stand on their own: decisions of the last management review and
//! follow-ups agreed at internal audits, each with an owner and a due date, so that people's
//! task lists hold more than CAPA work. (The actions that are part of a CAPA are made with
//! their CAPA, in `capa.rs`.) Open ones are spread over overdue, today, soon and later; the
//! rest are done, and a few cancelled.

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

/// Site, what is to be done, and where it came from.
const ACTIONS: &[(&str, &str, &str)] = &[
    (
        "",
        "Set quality objectives for next year with a target for complaint response time",
        "management review",
    ),
    (
        "",
        "Add supplier delivery performance to the management review inputs",
        "management review",
    ),
    (
        "",
        "Budget a second internal auditor trained in ISO 14001",
        "management review",
    ),
    (
        "",
        "Review the scope statement for the design centre move",
        "management review",
    ),
    (
        "",
        "Plan the transition audit for the environmental certificate",
        "management review",
    ),
    (
        "",
        "Present the post-market surveillance summary at the next review",
        "management review",
    ),
    (
        "",
        "Refresh the list of interested parties and their needs",
        "management review",
    ),
    (
        "",
        "Agree energy reduction targets per site",
        "management review",
    ),
    (
        BROOKFIELD,
        "Replace the cleanroom pressure gauges with loggers",
        "management review",
    ),
    (
        TARNSIDE,
        "Quote for a bunded chemical store extension",
        "management review",
    ),
    (
        BROOKFIELD,
        "Label the quarantine cage shelves by status",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Remove uncontrolled printouts from the test benches",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Add the balance check to the flow bench start-up list",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Record the cleanroom cleaning agent rotation",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Check ESD mats for resistance and log the results",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Update the goods-in sampling plan to the current standard table",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "File the firmware verification report in the design history file",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Give the solder waste drum a lid and a label",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Retrain the night shift on device history record entries",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Move the spill kit next to the battery store",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Record coolant concentration checks on cell 4",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Mark walkways around the swarf bins",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Calibrate the passivation bath thermometer",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Put first-article reports in the job folders",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Label the laser marker extraction filter with its change date",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Show the current drawing revision at each CNC cell",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Segregate titanium offcuts in the stores",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Replace the missing eyewash bottle at the passivation line",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Train the new setter on tool-life management",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Tag and fix the compressed air leaks from the last survey",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Review the hardness tester's calibration certificate",
        "internal audit",
    ),
    (
        TARNSIDE,
        "Agree a collection schedule for spent coolant",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Confirm the battery supplier's transport certificates",
        "internal audit",
    ),
    (
        BROOKFIELD,
        "Archive the VP-200 assembly records",
        "internal audit",
    ),
    (
        "",
        "Send the supplier survey to the six critical suppliers",
        "internal audit",
    ),
    (
        "",
        "Fix the broken link to the complaint form on the intranet",
        "internal audit",
    ),
    (
        "",
        "Check that every procedure names its owner",
        "internal audit",
    ),
    (
        "",
        "Publish the internal audit programme for next year",
        "internal audit",
    ),
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut open = 0;
    for (i, (site, what, from)) in ACTIONS.iter().enumerate() {
        let (creator, owner, decider) = if site.is_empty() {
            (
                "marcus",
                ["marcus", "priya", "rafael", "owen"][i % 4],
                "marcus",
            )
        } else {
            let c = crew(site);
            (c.deciders[0], c.workers[i % c.workers.len()], c.deciders[0])
        };
        // Done, cancelled or still open: about half are done.
        let fate = i % 7;
        let due = if fate < 3 {
            let days = d.between(-300, -10);
            d.day(days)
        } else {
            open += 1;
            d.due_for_open(open)
        };
        let n = d
            .create(
                creator,
                New {
                    kind: "action",
                    title: what,
                    owner: Some(owner),
                    site,
                    due_on: Some(due),
                    fields: json!({
                        "description": format!("{what}. Agreed at the last {from}."),
                    }),
                    part_of: None,
                },
            )
            .await?;
        match fate {
            0 | 1 => {
                d.edit(
                    owner,
                    &n,
                    json!({"outcome": "Done; evidence filed with the review minutes."}),
                )
                .await?;
                d.step(owner, &n, "finish", None).await?;
            }
            2 if i.is_multiple_of(2) => {
                d.step(
                    decider,
                    &n,
                    "cancel",
                    Some("Overtaken by the site layout project, which covers it."),
                )
                .await?;
            }
            _ if i.is_multiple_of(5) => {
                d.comment(owner, &n, "Started; waiting for a quote.")
                    .await?;
            }
            _ => {}
        }
    }
    d.made("action", ACTIONS.len());
    Ok(())
}
