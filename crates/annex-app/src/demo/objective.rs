//! The demo's objectives: quality, environmental, health and safety and information security
//! targets for the year, each with its plan, approved with a manager's signature and
//! measured month by month or quarter by quarter, so that the register shows every status
//! (on track, at risk, off track, not measured yet) and each record page a trend — plus one
//! met and declared achieved, one missed, one still a draft and one withdrawn. Each refers
//! to the process it concerns.

use serde_json::{Value, json};

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Draft,
    /// Approved and measured; the status follows from the values.
    Active,
    Achieved,
    Missed,
    Withdrawn,
}

use Story::*;

struct Objective {
    site: &'static str,
    owner: &'static str,
    area: &'static str,
    title: &'static str,
    kpi: &'static str,
    unit: &'static str,
    baseline: f64,
    direction: &'static str,
    target: f64,
    /// For a band.
    limits: Option<(f64, f64)>,
    frequency: &'static str,
    /// Days from today to the target date (negative: passed).
    target_in: i64,
    plan: &'static str,
    resources: &'static str,
    responsible: &'static str,
    /// Measured values, oldest first, one period apart, the last one period or less ago.
    values: &'static [f64],
    story: Story,
    /// The process it concerns (`prc:<key>`).
    process: Option<&'static str>,
}

const ORG: &str = "";

const BASE: Objective = Objective {
    site: ORG,
    owner: "marcus",
    area: "quality",
    title: "",
    kpi: "",
    unit: "%",
    baseline: 0.0,
    direction: "higher",
    target: 0.0,
    limits: None,
    frequency: "monthly",
    target_in: 200,
    plan: "",
    resources: "Within the department's budget and people.",
    responsible: "",
    values: &[],
    story: Active,
    process: None,
};

const OBJECTIVES: &[Objective] = &[
    Objective {
        title: "Fewer complaints per thousand pumps in use",
        kpi: "Complaints received in the month per 1,000 VP-300 pumps in the installed base",
        unit: "per 1,000 pumps",
        baseline: 3.1,
        direction: "lower",
        target: 2.0,
        plan: "Close the sensor-mount and luer-bond CAPAs; drop check in the service \
               routine; nurse training at the five largest customers.",
        responsible: "Head of quality and regulatory affairs",
        values: &[3.0, 2.8, 2.9, 2.5, 2.3, 2.2, 2.1, 1.9],
        process: Some("prc:complaints"),
        ..BASE
    },
    Objective {
        site: TARNSIDE,
        owner: "tomasz",
        title: "On-time delivery of instruments",
        kpi: "Order lines shipped on or before the confirmed date, as a share of all lines \
              shipped in the month",
        baseline: 88.0,
        target: 95.0,
        plan: "Weekly capacity review; replace cells 1 and 2; safety stock of the ten \
               fastest-moving instruments.",
        responsible: "Tarnside site manager",
        values: &[87.0, 89.5, 90.0, 92.0, 91.0, 90.5],
        process: Some("prc:machining"),
        ..BASE
    },
    Objective {
        site: TARNSIDE,
        owner: "samuel",
        title: "Scrap below 2 % of machined parts",
        kpi: "Parts scrapped as a share of parts machined in the month",
        baseline: 3.4,
        direction: "lower",
        target: 2.0,
        plan: "Tool-life lock on every cell; bore check at half tool life; first-article \
               checks by a second person.",
        responsible: "Manufacturing engineer, Tarnside",
        values: &[3.3, 3.0, 3.1, 2.9, 2.8],
        process: Some("prc:machining"),
        ..BASE
    },
    Objective {
        site: BROOKFIELD,
        owner: "owen",
        title: "First-pass yield at VP-300 final test",
        kpi: "Pumps passing flow, occlusion and leak tests at the first attempt, as a share \
              of pumps tested in the month",
        baseline: 94.0,
        target: 97.0,
        plan: "Enclosure for the bench 2 balance; radiometer checks at curing; monthly \
               yield review with the line.",
        responsible: "Brookfield operations manager",
        values: &[94.5, 95.2, 96.1, 97.3, 97.8],
        process: Some("prc:vp300-production"),
        ..BASE
    },
    Objective {
        site: TARNSIDE,
        owner: "priya",
        area: "environment",
        title: "Less electricity per machine hour at Tarnside",
        kpi: "Electricity used by the site in the month divided by the spindle hours of the \
              five CNC cells",
        unit: "kWh per machine hour",
        baseline: 10.6,
        direction: "lower",
        target: 9.0,
        target_in: 330,
        plan: "Fix compressed air leaks found in the monthly survey; switch compressors off \
               at weekends; variable-speed drive on compressor 1.",
        resources: "Leak survey kit; drive budget approved at management review.",
        responsible: "Environment, health and safety manager",
        values: &[10.5, 10.2, 10.0, 9.6, 9.4, 9.3],
        process: Some("prc:machining"),
        ..BASE
    },
    Objective {
        site: BROOKFIELD,
        owner: "aiko",
        title: "Cleanroom relative humidity kept between 30 and 60 %",
        kpi: "Monthly mean relative humidity in the class 7 cleanroom",
        direction: "band",
        baseline: 58.0,
        target: 45.0,
        limits: Some((30.0, 60.0)),
        target_in: 120,
        plan: "Service the dehumidifier before summer; alarm on the logger at 55 %.",
        responsible: "Quality engineer, Brookfield",
        values: &[57.0, 52.0, 48.0, 46.0],
        process: Some("prc:vp300-production"),
        ..BASE
    },
    Objective {
        owner: "priya",
        area: "health_safety",
        title: "No lost-time injury",
        kpi: "Injuries at work that kept someone off work for a day or more, per quarter",
        unit: "injuries",
        baseline: 2.0,
        direction: "lower",
        target: 0.0,
        frequency: "quarterly",
        target_in: 280,
        plan: "Safety walk every week at each site; near-miss reporting card; heat plan in \
               summer.",
        responsible: "Environment, health and safety manager",
        values: &[1.0, 0.0, 0.0],
        process: Some("prc:competence"),
        ..BASE
    },
    Objective {
        owner: "rafael",
        title: "Suppliers deliver on time",
        kpi: "Purchase order lines received on or before the agreed date, as a share of \
              all lines received in the quarter",
        baseline: 91.0,
        target: 95.0,
        frequency: "quarterly",
        target_in: 300,
        plan: "Scorecards to the ten largest suppliers each quarter; forecasts shared \
               monthly.",
        responsible: "Supplier quality engineer",
        values: &[],
        process: Some("prc:purchasing"),
        ..BASE
    },
    Objective {
        owner: "ingrid",
        area: "information_security",
        title: "Every laptop encrypted",
        kpi: "Laptops with full-disk encryption switched on, as a share of all company \
              laptops",
        baseline: 62.0,
        target: 100.0,
        target_in: -20,
        plan: "Encrypt every laptop at its next service; block unencrypted laptops from the \
               network.",
        responsible: "Quality systems administrator",
        values: &[75.0, 88.0, 96.0, 100.0],
        story: Achieved,
        ..BASE
    },
    Objective {
        owner: "marcus",
        title: "Reportability decided within two working days",
        kpi: "Complaints with the reporting decision recorded within two working days of \
              receipt, as a share of complaints received in the month",
        baseline: 70.0,
        target: 100.0,
        target_in: -15,
        plan: "Decision taken at classification; weekly review of open complaints.",
        responsible: "Head of quality and regulatory affairs",
        values: &[78.0, 85.0, 90.0, 88.0],
        story: Missed,
        process: Some("prc:complaints"),
        ..BASE
    },
    Objective {
        owner: "priya",
        area: "environment",
        title: "Recycle 70 % of waste by weight",
        kpi: "Waste sent for recycling as a share of all waste leaving both sites in the \
              quarter, by weight",
        baseline: 52.0,
        target: 70.0,
        frequency: "quarterly",
        target_in: 365,
        plan: "",
        responsible: "",
        story: Draft,
        ..BASE
    },
    Objective {
        site: BROOKFIELD,
        owner: "owen",
        title: "VP-200 repairs returned within ten working days",
        kpi: "VP-200 repairs returned within ten working days, as a share of repairs \
              returned in the month",
        baseline: 80.0,
        target: 95.0,
        plan: "Stock of spare boards at the service bench.",
        responsible: "Brookfield operations manager",
        values: &[82.0, 86.0],
        story: Withdrawn,
        ..BASE
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    for o in OBJECTIVES {
        write(d, o).await?;
    }
    d.made("objective", OBJECTIVES.len());
    Ok(())
}

fn months(frequency: &str) -> i64 {
    match frequency {
        "quarterly" => 3,
        "half_yearly" => 6,
        "yearly" => 12,
        _ => 1,
    }
}

async fn write(d: &mut Demo<'_>, o: &Objective) -> Result<(), Error> {
    let owner = o.owner;
    let decider = match (owner, o.site) {
        ("marcus" | "priya" | "owen" | "tomasz", _) => owner,
        (_, TARNSIDE) => "tomasz",
        (_, BROOKFIELD) => "owen",
        _ => "marcus",
    };
    let mut fields = json!({
        "area": o.area,
        "kpi": o.kpi,
        "unit": o.unit,
        "baseline": o.baseline,
        "direction": o.direction,
        "target": o.target,
        "frequency": o.frequency,
        "target_date": d.day(o.target_in),
    });
    if let Some((lo, hi)) = o.limits {
        fields["lower_limit"] = json!(lo);
        fields["upper_limit"] = json!(hi);
    }
    if !o.plan.is_empty() {
        fields["plan"] = json!(o.plan);
        fields["resources"] = json!(o.resources);
        fields["responsible"] = json!(o.responsible);
    }
    let n = d
        .create(
            owner,
            New {
                kind: "objective",
                title: o.title,
                owner: Some(owner),
                site: o.site,
                due_on: None,
                fields,
                part_of: None,
            },
        )
        .await?;
    if let Some(tag) = o.process
        && let Some(p) = d.tagged(tag).first()
    {
        d.link(owner, &n, "relates_to", p).await?;
    }
    if o.story == Draft {
        return Ok(());
    }
    d.step(decider, &n, "approve", None).await?;
    if !o.values.is_empty() {
        // One measurement per period, the latest a few days ago (entered in one edit: the
        // demo does not pretend to have been there every month).
        let step = months(o.frequency) * 30;
        let last = o.values.len() as i64 - 1;
        // For a target date passed, the last measurement was taken before it.
        let end = if o.target_in < 0 { 3 - o.target_in } else { 5 };
        let rows: Vec<Value> = o
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let ago = (last - k as i64) * step + end;
                json!({"date": d.day(-ago), "value": v})
            })
            .collect();
        d.edit(owner, &n, json!({"measurements": rows})).await?;
    }
    match o.story {
        Achieved => {
            d.step(decider, &n, "achieve", None).await?;
        }
        Missed => {
            d.step(
                decider,
                &n,
                "declare_missed",
                Some(
                    "Reached 90 % at best; two complaints a month still wait for the \
                      investigation. Target carried into next year with the new workflow.",
                ),
            )
            .await?;
        }
        Withdrawn => {
            d.step(
                decider,
                &n,
                "withdraw",
                Some("The VP-200 service ended with the last contract."),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
