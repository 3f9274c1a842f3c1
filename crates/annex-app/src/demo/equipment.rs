//! The demo's measuring equipment, its calibrations and their impact assessments: balances,
//! leak testers, radiometer and pressure gauges at Brookfield; gauges, micrometers, the CMM,
//! the hardness tester and the UDI verifier at Tarnside. Each calibration is recorded as part
//! of its equipment and signed by whoever checked the result, so the equipment's due dates
//! and status are computed from them; the next calibrations are scheduled with due dates,
//! some overdue. Two were found out of tolerance and each opened its impact assessment by
//! itself: the flow bench balance (adjusted, assessed and closed with a signed decision) and
//! the occlusion test gauge (taken out of service, its assessment still open). One old rig
//! is retired with its planned calibration cancelled.

use serde_json::{Value, json};

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

/// A calibration of the equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cal {
    /// Done this many days ago, in tolerance.
    Good(i64),
    /// Done this many days ago, found out of tolerance, adjusted and left in tolerance; its
    /// impact assessment decided and closed.
    FoundOutAdjusted(i64),
    /// Done this many days ago, found out of tolerance and not adjusted (sent for repair);
    /// its impact assessment still open.
    FoundOut(i64),
    /// Planned, due this many days from today (negative: overdue).
    Scheduled(i64),
    /// Planned and then cancelled.
    Cancelled,
}

use Cal::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    InService,
    OutOfService,
    Retired,
}

use Story::*;

struct Equipment {
    site: &'static str,
    tag: &'static str,
    title: &'static str,
    equipment_type: &'static str,
    serial: &'static str,
    location: &'static str,
    range: &'static str,
    tolerance: &'static str,
    interval: i64,
    /// Days ago of a calibration made before the records were kept here.
    known_good: Option<i64>,
    /// Calibrations, oldest first.
    cals: &'static [Cal],
    /// Who calibrates it: our own people or the laboratory.
    by: &'static str,
    reference: &'static str,
    deviation: &'static str,
    story: Story,
    /// The CAPA it concerns, if any.
    capa: Option<&'static str>,
}

const LAB: &str = "Metrolab Calibration Services (UKAS 0412)";

const BASE: Equipment = Equipment {
    site: BROOKFIELD,
    tag: "",
    title: "",
    equipment_type: "",
    serial: "",
    location: "",
    range: "",
    tolerance: "",
    interval: 12,
    known_good: None,
    cals: &[],
    by: LAB,
    reference: "Reference standards traceable to national standards (certificate lists them)",
    deviation: "",
    story: InService,
    capa: None,
};

const EQUIPMENT: &[Equipment] = &[
    Equipment {
        tag: "BR-BAL-02",
        title: "Analytical balance, flow test bench 2",
        equipment_type: "Analytical balance",
        serial: "Kern ABT 220, s/n WB1120442",
        location: "Final test, bench 2",
        range: "0-220 g",
        tolerance: "±0.5 mg",
        interval: 6,
        cals: &[Good(380), Good(200), FoundOutAdjusted(21), Scheduled(160)],
        reference: "E2 weight set 1 mg-200 g, certificate 41873",
        deviation: "Read 1.1 mg high at 100 g as found; linearity out at the top of the range.",
        capa: Some("capa:flow-bench"),
        ..BASE
    },
    Equipment {
        tag: "BR-PG-03",
        title: "Occlusion test pressure gauge",
        equipment_type: "Digital pressure gauge",
        serial: "Druck DPI 104, s/n 3318760",
        location: "Final test, occlusion station",
        range: "0-2 bar",
        tolerance: "±0.05 % of full scale",
        cals: &[Good(370), FoundOut(8)],
        reference: "Pressure calibrator, certificate P-22091",
        deviation: "Read 4 mbar low at 1 bar as found, beyond ±1 mbar; the lab could not \
                    adjust it and sent it for repair.",
        story: OutOfService,
        capa: Some("capa:sensor-mount"),
        ..BASE
    },
    Equipment {
        tag: "BR-LT-01",
        title: "Pressure decay leak tester",
        equipment_type: "Leak tester",
        serial: "ATEQ F5200, s/n 52-01877",
        location: "Administration set line",
        range: "0-500 mbar test pressure",
        tolerance: "±1 % of reading",
        cals: &[Good(340), Scheduled(5)],
        capa: Some("capa:luer-bond"),
        ..BASE
    },
    Equipment {
        tag: "BR-UV-01",
        title: "UV radiometer for adhesive curing",
        equipment_type: "UV radiometer",
        serial: "EIT UVICURE Plus II, s/n 11937",
        location: "Administration set line, curing stations",
        range: "0-10 W/cm² UVA",
        tolerance: "±10 %",
        cals: &[Good(100)],
        capa: Some("capa:luer-bond"),
        ..BASE
    },
    Equipment {
        tag: "BR-TL-05",
        title: "Temperature logger, battery store",
        equipment_type: "Temperature and humidity logger",
        serial: "Testo 176 H1, s/n 60234118",
        location: "Battery store",
        range: "-20 to 70 °C, 0-100 %RH",
        tolerance: "±0.5 °C, ±3 %RH",
        known_good: Some(390),
        cals: &[Scheduled(-25)],
        ..BASE
    },
    Equipment {
        tag: "BR-PC-01",
        title: "Cleanroom particle counter",
        equipment_type: "Airborne particle counter",
        serial: "Lighthouse 3016, s/n 160412",
        location: "Cleanroom",
        range: "0.3-10 µm, 28.3 l/min",
        tolerance: "Counting efficiency 50 % ±20 % at 0.3 µm",
        cals: &[Good(180)],
        ..BASE
    },
    Equipment {
        tag: "BR-FR-01",
        title: "VP-200 flow test rig",
        equipment_type: "Flow test rig",
        serial: "In-house build, VP-200 service",
        location: "Service workshop",
        range: "0.1-100 ml/h",
        tolerance: "±2 %",
        known_good: Some(300),
        cals: &[Cancelled],
        by: "Aiko Tanaka (in-house)",
        story: Retired,
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-HG-07",
        title: "Height gauge HG-07",
        equipment_type: "Digital height gauge",
        serial: "Mitutoyo 192-613, s/n 0087731",
        location: "Cell 2",
        range: "0-300 mm",
        tolerance: "±0.03 mm",
        cals: &[Good(330), Scheduled(30)],
        by: "Nora Lindqvist (in-house, against gauge blocks)",
        reference: "Grade 1 gauge block set, certificate GB-5521",
        capa: Some("capa:gauge-recall"),
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-MIC-12",
        title: "Outside micrometer 0-25 mm",
        equipment_type: "Outside micrometer",
        serial: "Mitutoyo 293-240, s/n 55109",
        location: "Inspection room",
        range: "0-25 mm",
        tolerance: "±0.002 mm",
        cals: &[Good(410), Good(50)],
        by: "Nora Lindqvist (in-house, against gauge blocks)",
        reference: "Grade 1 gauge block set, certificate GB-5521",
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-CMM-01",
        title: "Coordinate measuring machine",
        equipment_type: "Bridge CMM",
        serial: "Zeiss Contura, s/n 2219-0044",
        location: "Inspection room",
        range: "700 x 1000 x 600 mm",
        tolerance: "MPE 1.8 + L/300 µm",
        cals: &[Good(90)],
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-HRC-01",
        title: "Rockwell hardness tester",
        equipment_type: "Hardness tester",
        serial: "Wilson RH2150, s/n 7716",
        location: "Goods-in inspection",
        range: "HRC 20-70",
        tolerance: "±1 HRC",
        cals: &[Good(12), Scheduled(170)],
        reference: "Certified hardness blocks 30, 45 and 63 HRC",
        capa: Some("capa:heat-treatment"),
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-DMV-01",
        title: "UDI data matrix verifier",
        equipment_type: "Barcode verifier",
        serial: "Microscan LVS-9510, s/n 95-3360",
        location: "Laser marking",
        range: "Data matrix, grades A-F",
        tolerance: "Grades the calibrated conformance card correctly",
        cals: &[Good(40)],
        reference: "Calibrated conformance test card, certificate CC-3310",
        ..BASE
    },
    Equipment {
        site: TARNSIDE,
        tag: "TS-CM-01",
        title: "Conductivity meter, passivation line",
        equipment_type: "Conductivity meter",
        serial: "Hanna HI5321, s/n 08122",
        location: "Passivation line",
        range: "0-200 mS/cm",
        tolerance: "±1 % of reading",
        interval: 6,
        known_good: Some(185),
        cals: &[Scheduled(-2)],
        by: "Samuel Carter (in-house, against standard solutions)",
        reference: "Certified conductivity standards 1413 µS/cm and 12.88 mS/cm",
        capa: Some("capa:passivation-bath"),
        ..BASE
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let (mut cals, mut assessments) = (0, 0);
    for e in EQUIPMENT {
        let (c, a) = write(d, e).await?;
        cals += c;
        assessments += a;
    }
    d.made("equipment", EQUIPMENT.len());
    d.made("calibration", cals);
    d.made("impact_assessment", assessments);
    Ok(())
}

/// Writes one piece of equipment and its calibrations; returns how many calibrations and
/// impact assessments were made.
async fn write(d: &mut Demo<'_>, e: &Equipment) -> Result<(usize, usize), Error> {
    let site_crew = crew(e.site);
    // Quality engineers keep the equipment; the site manager decides on its service.
    let owner = site_crew.workers[0];
    let decider = site_crew.deciders[0];
    let mut fields = json!({
        "asset_tag": e.tag,
        "equipment_type": e.equipment_type,
        "serial_number": e.serial,
        "location": e.location,
        "measuring_range": e.range,
        "tolerance": e.tolerance,
        "interval": e.interval,
        "interval_unit": "months",
    });
    if let Some(days) = e.known_good {
        fields["known_good_on"] = json!(d.day(-days));
    }
    let title = format!("{} ({})", e.title, e.tag);
    let n = d
        .create(
            owner,
            New {
                kind: "equipment",
                title: &title,
                owner: Some(owner),
                site: e.site,
                due_on: None,
                fields,
                part_of: None,
            },
        )
        .await?;
    if let Some(tag) = e.capa
        && let Some(capa) = d.tagged(tag).first()
    {
        d.link(owner, &n, "relates_to", capa).await?;
    }
    let mut assessments = 0;
    for (k, cal) in e.cals.iter().enumerate() {
        let due = match cal {
            Good(ago) | FoundOutAdjusted(ago) | FoundOut(ago) => d.day(-ago - 3),
            Scheduled(days) => d.day(*days),
            Cancelled => d.day(20),
        };
        let c = d
            .create(
                owner,
                New {
                    kind: "calibration",
                    title: &format!("Calibration of {}", e.tag),
                    owner: Some(owner),
                    site: e.site,
                    due_on: Some(due),
                    fields: json!({}),
                    part_of: Some(&n),
                },
            )
            .await?;
        let ago = match cal {
            Scheduled(_) => continue,
            Cancelled => {
                d.step(
                    decider,
                    &c,
                    "cancel",
                    Some("The rig is retired with the VP-200 service; no calibration needed."),
                )
                .await?;
                continue;
            }
            Good(ago) | FoundOutAdjusted(ago) | FoundOut(ago) => *ago,
        };
        let mut result = json!({
            "calibrated_on": d.day(-ago),
            "performed_by": e.by,
            "certificate": format!("{}-{}", e.tag, 100 + k),
            "reference_standard": e.reference,
        });
        match cal {
            FoundOutAdjusted(_) => {
                result["as_found"] = json!("out_of_tolerance");
                result["deviation"] = json!(e.deviation);
                result["adjusted"] = json!(true);
                result["as_left"] = json!("in_tolerance");
            }
            FoundOut(_) => {
                result["as_found"] = json!("out_of_tolerance");
                result["deviation"] = json!(e.deviation);
                result["adjusted"] = json!(false);
            }
            _ => {
                result["as_found"] = json!("in_tolerance");
                result["measurements"] = points(e);
            }
        }
        d.edit(owner, &c, result).await?;
        // Whoever checked the result against the tolerance signs it.
        d.step(owner, &c, "record", None).await?;
        if matches!(cal, FoundOutAdjusted(_) | FoundOut(_)) {
            assessments += 1;
            assess(d, e, &c, owner, decider, matches!(cal, FoundOutAdjusted(_))).await?;
        }
    }
    // The calibrations changed the equipment's computed dates: read its version again.
    d.reload(&n).await?;
    match e.story {
        OutOfService => {
            d.step(
                owner,
                &n,
                "take_out_of_service",
                Some(
                    "Out of tolerance and not adjustable: sent for repair; the spare gauge \
                      is used meanwhile.",
                ),
            )
            .await?;
        }
        Retired => {
            d.step(
                decider,
                &n,
                "retire",
                Some("VP-200 service ended; the rig is scrapped."),
            )
            .await?;
        }
        InService => {}
    }
    Ok((e.cals.len(), assessments))
}

/// Three points checked across the range, each within tolerance.
fn points(e: &Equipment) -> Value {
    json!([
        {"point": format!("Low end of {}", e.range), "reference": 10, "reading": 10, "within": true},
        {"point": "Middle of the range", "reference": 50, "reading": 50, "within": true},
        {"point": "High end of the range", "reference": 90, "reading": 90, "within": true},
    ])
}

/// The impact assessment the out-of-tolerance result opened: decided and closed with a
/// signature, or still open.
async fn assess(
    d: &mut Demo<'_>,
    e: &Equipment,
    calibration: &str,
    owner: &str,
    decider: &str,
    decide: bool,
) -> Result<(), Error> {
    let detail = d.reload(calibration).await?;
    let Some(ia) = detail
        .links
        .iter()
        .find(|l| l.relation == "caused_by" && l.direction == "in")
        .and_then(|l| l.number.clone())
    else {
        return Err(Error::Internal(format!(
            "{calibration} found out of tolerance but opened no impact assessment"
        )));
    };
    if !decide {
        d.comment(
            owner,
            &ia,
            "Listing the pumps tested on the occlusion station since the last good \
             calibration; the spare gauge is in use meanwhile.",
        )
        .await?;
        return Ok(());
    }
    d.edit(
        owner,
        &ia,
        json!({
            "affected": format!(
                "Flow tests on {} at 1 ml/h for the pumps tested on bench 2 since the last \
                 good calibration: 212 pumps, 140 of them shipped.",
                e.tag
            ),
            "decision": "re_inspection",
            "rationale": "A reading 1.1 mg high at 100 g makes the flow read about 0.1 % \
                          high, against a limit of ±5 %. The 72 pumps in stock were retested \
                          on bench 1 and all passed; the margin makes a wrong result for \
                          shipped pumps implausible, so no field action.",
        }),
    )
    .await?;
    d.step(decider, &ia, "close", None).await?;
    Ok(())
}
