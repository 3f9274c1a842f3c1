//! The demo's context issues: what inside and outside Veltmark helps or hinders its
//! management system — its strengths and weaknesses, the market, the law, technology, the
//! labour market and the climate (heat at Brookfield, floods at Tarnside, energy prices,
//! hospitals' carbon targets) — most confirmed as current with the climate question
//! answered, a few reviewed with a signature since, some still in draft and two retired.
//! Issues are tagged `ctx:<key>` for the interested parties that raise them, and refer to the
//! documents and CAPAs that answer them.

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Draft,
    /// Confirmed as current.
    Current,
    /// Confirmed, then reviewed with a signature.
    Reviewed,
    /// Confirmed once, no longer applies.
    Retired,
    /// Drafted and dropped before it was confirmed.
    Dropped,
}

use Story::*;

struct Issue {
    key: &'static str,
    site: &'static str,
    owner: &'static str,
    origin: &'static str,
    swot: &'static str,
    /// For external issues.
    pestle: Option<&'static str>,
    title: &'static str,
    description: &'static str,
    effect: &'static str,
    climate: bool,
    response: &'static str,
    monitoring: &'static str,
    story: Story,
    /// Titles of documents that answer it.
    docs: &'static [&'static str],
    /// Tags of CAPAs that answer it.
    capas: &'static [&'static str],
}

const ORG: &str = "";

const ISSUES: &[Issue] = &[
    Issue {
        key: "design-team",
        site: BROOKFIELD,
        owner: "marcus",
        origin: "internal",
        swot: "strength",
        pestle: None,
        title: "Experienced design team for ambulatory infusion",
        description: "The Brookfield design team has built three generations of ambulatory \
                      pumps; most engineers have ten years or more on infusion devices and know \
                      the hazards of free flow, occlusion and dose errors first-hand.",
        effect: "Design changes and new variants are made right first time more often, and \
                 risk analyses draw on real field experience.",
        climate: false,
        response: "Kept as a strength: design reviews pair senior and junior engineers so the \
                   knowledge spreads.",
        monitoring: "Design review minutes; staff turnover in the design team.",
        story: Reviewed,
        docs: &["Design and development control"],
        capas: &[],
    },
    Issue {
        key: "key-people",
        site: TARNSIDE,
        owner: "tomasz",
        origin: "internal",
        swot: "weakness",
        pestle: None,
        title: "Set-up knowledge held by a few long-serving machinists",
        description: "Three of the five setters at Tarnside will retire within four years; \
                      much of how the five-axis cells are set up for titanium is in their \
                      heads rather than in set-up sheets.",
        effect: "Losing them without handing over would raise scrap and first-article \
                 failures and slow new instrument introductions.",
        climate: false,
        response: "Set-up sheets being rewritten with photos; apprentices shadow each setter; \
                   succession reviewed at management review.",
        monitoring: "Skills matrix; first-article pass rate per setter.",
        story: Current,
        docs: &["CNC machining of drill guides"],
        capas: &[],
    },
    Issue {
        key: "ageing-cells",
        site: TARNSIDE,
        owner: "tomasz",
        origin: "internal",
        swot: "weakness",
        pestle: None,
        title: "Two CNC cells near the end of their working life",
        description: "Cells 1 and 2 are over fifteen years old; spindle repairs are more \
                      frequent and spare parts come from the used market.",
        effect: "Unplanned stops delay deliveries to distributors; worn spindles make \
                 tolerances harder to hold.",
        climate: false,
        response: "Replacement of both cells in next year's investment plan; until then \
                   critical parts run on cells 3 to 5.",
        monitoring: "Machine availability and unplanned downtime per cell, monthly.",
        story: Current,
        docs: &[],
        capas: &["capa:tool-life"],
    },
    Issue {
        key: "in-house-finishing",
        site: TARNSIDE,
        owner: "tomasz",
        origin: "internal",
        swot: "strength",
        pestle: None,
        title: "Passivation and laser marking done in-house",
        description: "Tarnside passivates and laser marks every instrument itself instead \
                      of sending them out.",
        effect: "Short lead times and full control of two processes that decide corrosion \
                 resistance and traceability.",
        climate: false,
        response: "Kept; the citric acid line cut hazardous waste as well.",
        monitoring: "Lead time from machining to packing; passivation test results.",
        story: Current,
        docs: &["Laser marking of UDI and part numbers"],
        capas: &[],
    },
    Issue {
        key: "spreadsheets",
        site: ORG,
        owner: "marcus",
        origin: "internal",
        swot: "weakness",
        pestle: None,
        title: "Quality data scattered over spreadsheets",
        description: "Supplier evaluations, calibration recall and training records are kept \
                      in separate spreadsheets with no owner and no history of changes.",
        effect: "Overdue re-evaluations and calibrations go unnoticed; audits take longer to \
                 prepare.",
        climate: false,
        response: "Registers moving into Annex one by one; each spreadsheet retired when its \
                   register is live.",
        monitoring: "Internal audit findings about records; number of spreadsheets left.",
        story: Reviewed,
        docs: &["Control of records"],
        capas: &["capa:gauge-recall"],
    },
    Issue {
        key: "mdr",
        site: ORG,
        owner: "marcus",
        origin: "external",
        swot: "threat",
        pestle: Some("legal"),
        title: "European device regulation: transition and notified body capacity",
        description: "Certificates must be renewed under the European device regulation; \
                      notified bodies are booked months ahead and ask for more clinical and \
                      post-market evidence than before.",
        effect: "A late or failed renewal would stop sales of the VP-300 in Europe, our \
                 largest market.",
        climate: false,
        response: "Renewal project with a fixed timetable agreed with the notified body; \
                   post-market surveillance plan strengthened.",
        monitoring: "Regulatory newsletter; monthly call with the notified body's file \
                     reviewer.",
        story: Reviewed,
        docs: &["Post-market surveillance plan for the VP-300"],
        capas: &[],
    },
    Issue {
        key: "tenders",
        site: ORG,
        owner: "marcus",
        origin: "external",
        swot: "threat",
        pestle: Some("economic"),
        title: "Price pressure from hospital purchasing groups",
        description: "Hospitals buy pumps through national framework tenders that score \
                      price heavily and run for four years.",
        effect: "Margin on the VP-300 falls; losing one framework means four years out of \
                 that market.",
        climate: false,
        response: "Compete on service and total cost of ownership; cost-down projects on the \
                   administration set.",
        monitoring: "Tender calendar; win and loss reviews after each tender.",
        story: Current,
        docs: &[],
        capas: &[],
    },
    Issue {
        key: "connected-pumps",
        site: ORG,
        owner: "marcus",
        origin: "external",
        swot: "opportunity",
        pestle: Some("technological"),
        title: "Hospitals want pumps that talk to their records systems",
        description: "Buyers increasingly ask for pumps that take orders from and report to \
                      the electronic patient record, with drug libraries updated over the \
                      network.",
        effect: "A connected VP-300 variant could win tenders that now go to larger \
                 competitors.",
        climate: false,
        response: "Feasibility study under design control; linked to the cybersecurity \
                   issue.",
        monitoring: "Customer advisory panel; competitor launches.",
        story: Current,
        docs: &[],
        capas: &[],
    },
    Issue {
        key: "cybersecurity",
        site: ORG,
        owner: "marcus",
        origin: "external",
        swot: "threat",
        pestle: Some("technological"),
        title: "Cybersecurity expected of connected medical devices",
        description: "Regulators in Europe and the United States now expect a security risk \
                      assessment, a software bill of materials and a plan for patching \
                      devices in the field.",
        effect: "Without these a connected pump cannot be cleared or certified; our own \
                 network and the firmware release route are exposed too.",
        climate: false,
        response: "Security risk assessment added to design control; firmware release \
                   signed and published with a checksum.",
        monitoring: "Regulator guidance; vulnerability notices for the components we use.",
        story: Draft,
        docs: &["Firmware release"],
        capas: &["capa:supplier-firmware"],
    },
    Issue {
        key: "components",
        site: BROOKFIELD,
        owner: "owen",
        origin: "external",
        swot: "threat",
        pestle: Some("economic"),
        title: "Long lead times and single sources for electronic components",
        description: "Microcontrollers and the occlusion pressure sensor have lead times of \
                      up to a year; the sensor has one qualified source.",
        effect: "A supply interruption would stop VP-300 assembly within weeks.",
        climate: false,
        response: "Safety stock of twelve weeks; second source for the battery cells being \
                   qualified; sensor second source under evaluation.",
        monitoring: "Supplier lead-time reports monthly; distributor allocation notices.",
        story: Current,
        docs: &["Purchasing and supplier evaluation"],
        capas: &["capa:single-source"],
    },
    Issue {
        key: "trade",
        site: ORG,
        owner: "marcus",
        origin: "external",
        swot: "threat",
        pestle: Some("political"),
        title: "Tariffs and customs checks on cross-border trade",
        description: "New tariffs and customs formalities apply to parts bought from abroad \
                      and to pumps shipped to export markets.",
        effect: "Higher costs and delays at the border for boards and finished pumps.",
        climate: false,
        response: "Customs broker contracted; lead times in planning raised by a week for \
                   imported parts.",
        monitoring: "Trade association bulletins; broker's monthly report.",
        story: Current,
        docs: &[],
        capas: &[],
    },
    Issue {
        key: "heat",
        site: BROOKFIELD,
        owner: "priya",
        origin: "external",
        swot: "threat",
        pestle: Some("environmental"),
        title: "Summer heatwaves at Brookfield",
        description: "Hotter and longer summers push the storeroom above 30 °C and make the \
                      cleanroom's cooling work at its limit; the assembly hall has no air \
                      conditioning.",
        effect: "Battery packs stored too warm, cleanroom temperature excursions, and heat \
                 stress for assemblers in gowns.",
        climate: true,
        response: "Storeroom moving to the air-conditioned building; high-temperature alarms \
                   on loggers; summer working hours and drinking water for gowned staff.",
        monitoring: "Storeroom and cleanroom loggers; heat complaints from staff; Met Office \
                     warnings.",
        story: Reviewed,
        docs: &[
            "Battery pack handling and storage",
            "Cleanroom environmental monitoring",
        ],
        capas: &[],
    },
    Issue {
        key: "flooding",
        site: TARNSIDE,
        owner: "priya",
        origin: "external",
        swot: "threat",
        pestle: Some("environmental"),
        title: "Flooding from the river Tarn",
        description: "The Tarnside site lies in the river's flood plain; heavy rain has come \
                      more often in recent winters and the yard flooded twice in three years.",
        effect: "Flood water could reach the chemical store and the passivation line, carry \
                 coolant and acids into the river and stop production for weeks.",
        climate: true,
        response: "Flood plan in the emergency procedure; chemical store raised and bunded; \
                   flood barriers for the doors of the finishing hall.",
        monitoring: "Environment agency flood warnings; bund checks after storms.",
        story: Current,
        docs: &[
            "Emergency preparedness and response",
            "Chemical storage and spill response",
        ],
        capas: &[],
    },
    Issue {
        key: "energy",
        site: ORG,
        owner: "priya",
        origin: "external",
        swot: "threat",
        pestle: Some("economic"),
        title: "Rising energy prices and the cost of carbon",
        description: "Electricity prices have doubled in three years and carbon pricing is \
                      expected to pass through to them; Tarnside's CNC cells and compressors \
                      use most of the company's electricity.",
        effect: "Higher costs per part; customers and owners expect the company's emissions \
                 to fall.",
        climate: true,
        response: "Energy monitoring and reduction plan with sub-meters; compressed air leak \
                   survey; solar roof studied for Tarnside.",
        monitoring: "Sub-meter readings monthly; electricity per machine hour.",
        story: Current,
        docs: &[
            "Energy monitoring and reduction plan",
            "Compressed air leak survey",
        ],
        capas: &["capa:energy"],
    },
    Issue {
        key: "net-zero-buyers",
        site: ORG,
        owner: "priya",
        origin: "external",
        swot: "opportunity",
        pestle: Some("social"),
        title: "Hospitals scoring suppliers on their carbon plans",
        description: "Public hospital buyers now ask suppliers for a carbon reduction plan \
                      and give it marks in tenders.",
        effect: "A credible plan and product footprint could win tender points; having none \
                 could exclude us.",
        climate: true,
        response: "Carbon reduction plan to be published with the ISO 14001 certification; \
                   footprint of the administration set measured first.",
        monitoring: "Tender documents; customer sustainability questionnaires.",
        story: Current,
        docs: &["Environmental objectives and programme"],
        capas: &[],
    },
    Issue {
        key: "pfas",
        site: ORG,
        owner: "priya",
        origin: "external",
        swot: "threat",
        pestle: Some("legal"),
        title: "Planned restrictions on PFAS chemicals",
        description: "A broad restriction of fluorinated chemicals is being prepared; the \
                      administration set's anti-siphon valve membrane and some lubricants \
                      contain fluoropolymers.",
        effect: "Materials may need to be replaced and the changes verified and notified, \
                 within the transition period the restriction allows.",
        climate: false,
        response: "Bill of materials screened; suppliers asked to declare fluoropolymer \
                   content.",
        monitoring: "Chemical regulation updates from the trade association.",
        story: Draft,
        docs: &[],
        capas: &[],
    },
    Issue {
        key: "machinists",
        site: TARNSIDE,
        owner: "tomasz",
        origin: "external",
        swot: "threat",
        pestle: Some("social"),
        title: "Few skilled machinists in the Tarnside area",
        description: "Local engineering firms compete for the same few experienced CNC \
                      machinists; the college course was cut two years ago.",
        effect: "Vacancies stay open for months; overtime rises and with it the risk of \
                 mistakes.",
        climate: false,
        response: "Apprenticeship scheme with the college restarted; pay reviewed against the \
                   local market.",
        monitoring: "Time to fill vacancies; overtime hours per month.",
        story: Draft,
        docs: &[],
        capas: &[],
    },
    Issue {
        key: "vp200-service",
        site: BROOKFIELD,
        owner: "owen",
        origin: "external",
        swot: "threat",
        pestle: Some("legal"),
        title: "Service obligations for the discontinued VP-200",
        description: "Hospitals still used VP-200 pumps under service contracts after the \
                      product was discontinued, and spare boards were running out.",
        effect: "Service could not be guaranteed for the contracts' full length.",
        climate: false,
        response: "Customers offered trade-in to the VP-300; last-time buy of boards.",
        monitoring: "Installed base report from the service team.",
        story: Retired,
        docs: &["VP-200 pump final assembly (product discontinued)"],
        capas: &[],
    },
    Issue {
        key: "relocation",
        site: TARNSIDE,
        owner: "tomasz",
        origin: "internal",
        swot: "weakness",
        pestle: None,
        title: "Tarnside lease ending with no decision on relocation",
        description: "The lease of the Tarnside building runs out in five years and no \
                      decision had been made on staying or moving.",
        effect: "Investment in the site was on hold while the question was open.",
        climate: false,
        response: "",
        monitoring: "",
        story: Dropped,
        docs: &[],
        capas: &[],
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut open = 0;
    for (i, issue) in ISSUES.iter().enumerate() {
        write(d, issue, i, &mut open).await?;
    }
    d.made("context_issue", ISSUES.len());
    Ok(())
}

async fn write(d: &mut Demo<'_>, c: &Issue, i: usize, open: &mut usize) -> Result<(), Error> {
    let decider = c.owner;
    // Drafts are written by the people closest to the issue; managers confirm them.
    let author = match (c.story, c.site) {
        (Draft, TARNSIDE) => "nora",
        (Draft, BROOKFIELD) => "aiko",
        (Draft, _) => "rafael",
        _ => c.owner,
    };
    let mut fields = json!({
        "origin": c.origin,
        "swot": c.swot,
        "description": c.description,
    });
    if let Some(p) = c.pestle {
        fields["pestle"] = json!(p);
    }
    let due_on = if c.story == Draft {
        *open += 1;
        Some(d.due_for_open(*open))
    } else {
        None
    };
    let n = d
        .create(
            author,
            New {
                kind: "context_issue",
                title: c.title,
                owner: Some(c.owner),
                site: c.site,
                due_on,
                fields,
                part_of: None,
            },
        )
        .await?;
    d.tag(format!("ctx:{}", c.key), &n);
    for title in c.docs {
        if let Some(doc) = d.tagged(&format!("doc:{title}")).first() {
            d.link(author, &n, "references", doc).await?;
        }
    }
    for tag in c.capas {
        if let Some(capa) = d.tagged(tag).first() {
            d.link(author, &n, "relates_to", capa).await?;
        }
    }
    match c.story {
        Draft => {
            // Partly worked out: the effect written, the rest still to do.
            d.edit(
                author,
                &n,
                json!({"effect": c.effect, "monitoring": c.monitoring}),
            )
            .await?;
            return Ok(());
        }
        Dropped => {
            d.step(
                decider,
                &n,
                "retire",
                Some("The owners decided to renew the lease; the question is settled."),
            )
            .await?;
            return Ok(());
        }
        _ => {}
    }
    // A review date: one missed, one this week, the rest over the coming year.
    let review_in = match i % 5 {
        0 => d.between(-40, -1),
        1 => d.between(0, 7),
        _ => d.between(60, 365),
    };
    let next_review = d.day(review_in);
    d.edit(
        author,
        &n,
        json!({
            "effect": c.effect,
            "climate_relevant": c.climate,
            "response": c.response,
            "monitoring": c.monitoring,
            "next_review": next_review,
        }),
    )
    .await?;
    d.step(decider, &n, "confirm", None).await?;
    match c.story {
        Reviewed => {
            // Looked at again at the last management review: still current, next review in
            // a year.
            let next = d.day(365);
            d.edit(decider, &n, json!({"next_review": next})).await?;
            d.step(decider, &n, "review", None).await?;
        }
        Retired => {
            d.step(
                decider,
                &n,
                "retire",
                Some("The last VP-200 service contract has ended; no pumps left to support."),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
