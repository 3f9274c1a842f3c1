//! The demo's risks and opportunities, rated on Veltmark's own risk matrix (five steps each
//! way, set by the administrator as an audited setting before the first risk is rated):
//! product and patient-safety risks, supply, regulatory, environmental, health and safety and
//! information security risks, and a few opportunities — spread over the matrix from low to
//! critical, with most treated and their residual risk accepted by the owner's signature,
//! some still identified or assessed, one accepted and then sent back for reassessment by a
//! new rating, one closed and one retired. Each refers to the context issue, CAPA or process
//! it comes from.

use annex_core::settings::{Level, RiskMatrix, Step};
use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;
use crate::settings::{self, MatrixChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Identified,
    Assessed,
    Treated,
    Accepted,
    /// Accepted, then a new rating sent it back to assessed.
    Reassessed,
    Closed,
    Retired,
}

use Story::*;

struct Risk {
    site: &'static str,
    owner: &'static str,
    opportunity: bool,
    category: &'static str,
    source: &'static str,
    title: &'static str,
    description: &'static str,
    consequences: &'static str,
    controls: &'static str,
    /// Inherent likelihood and impact.
    inherent: (i64, i64),
    treatment: &'static str,
    plan: &'static str,
    annex_a: &'static str,
    residual: (i64, i64),
    story: Story,
    /// What it links to: `ctx:<key>`, `capa:<key>` or `prc:<key>` tags.
    links: &'static [&'static str],
}

const ORG: &str = "";

const BASE: Risk = Risk {
    site: ORG,
    owner: "marcus",
    opportunity: false,
    category: "quality",
    source: "process",
    title: "",
    description: "",
    consequences: "",
    controls: "",
    inherent: (3, 3),
    treatment: "reduce",
    plan: "",
    annex_a: "",
    residual: (2, 2),
    story: Accepted,
    links: &[],
};

const RISKS: &[Risk] = &[
    Risk {
        site: BROOKFIELD,
        owner: "leah",
        category: "quality",
        source: "incident",
        title: "Occlusion alarm delayed after a pump is dropped",
        description: "A drop can shift the pressure sensor in its mount, so the occlusion \
                      alarm comes later than specified.",
        consequences: "A blocked line goes unnoticed for longer; a patient misses part of a \
                       time-critical infusion.",
        controls: "Drop test in design verification; instructions ask for dropped pumps to \
                   be checked.",
        inherent: (3, 5),
        plan: "Redesign the sensor mount with a locating rib; add a drop test to the service \
               check; tell users again through an advisory notice.",
        residual: (1, 5),
        story: Treated,
        links: &["capa:sensor-mount", "prc:design"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "rafael",
        category: "supplier",
        source: "supplier",
        title: "Single source for the occlusion pressure sensor",
        description: "The sensor comes from one maker with a long lead time and no \
                      qualified alternative.",
        consequences: "A supply stop would halt VP-300 assembly within weeks.",
        controls: "Twelve weeks of safety stock; quarterly business review with the maker.",
        inherent: (3, 4),
        plan: "Qualify a second sensor; agree a last-time-buy clause with the current maker.",
        residual: (2, 4),
        links: &["ctx:components", "prc:purchasing"],
        ..BASE
    },
    Risk {
        owner: "marcus",
        category: "compliance",
        source: "context_issue",
        title: "Certificate renewal under the device regulation runs late",
        description: "The notified body's review of the technical documentation could take \
                      longer than the time left on the current certificate.",
        consequences: "VP-300 sales in Europe stop until the new certificate is issued.",
        controls: "Renewal application filed; monthly call with the file reviewer.",
        inherent: (4, 5),
        plan: "Fixed timetable with the notified body; answers to questions within ten days; \
               clinical evaluation report updated ahead of the review.",
        residual: (1, 5),
        links: &["ctx:mdr"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "priya",
        category: "environment",
        source: "context_issue",
        title: "Flood water reaches the chemical store and the passivation line",
        description: "A river flood enters the finishing hall and the chemical store.",
        consequences: "Acids and coolant carried into the river; weeks of lost production; \
                       breach of the effluent consent.",
        controls: "Bunded chemical store; flood warnings received by the site manager.",
        inherent: (3, 4),
        plan: "Raise the chemical store on a plinth; flood barriers for the hall doors; flood \
               drill each autumn.",
        residual: (2, 3),
        links: &["ctx:flooding"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "owen",
        category: "quality",
        source: "context_issue",
        title: "Battery packs stored above their temperature limit in heatwaves",
        description: "The storeroom has no cooling; summer heat takes it above 30 °C.",
        consequences: "Packs lose capacity and pumps run short of the stated battery life.",
        controls: "Temperature logger in the store.",
        inherent: (4, 3),
        plan: "Move the battery store into the air-conditioned building; alarm on the logger.",
        residual: (1, 2),
        story: Closed,
        links: &["ctx:heat"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "priya",
        category: "health_safety",
        source: "context_issue",
        title: "Heat stress for gowned assemblers in summer",
        description: "Cleanroom gowns and a warm assembly hall in heatwaves.",
        consequences: "Fainting or heat exhaustion; mistakes from tiredness.",
        controls: "Drinking water at the gowning room.",
        inherent: (4, 3),
        plan: "Earlier shifts in heatwaves; extra breaks out of gown; portable cooling for \
               the hall.",
        residual: (2, 3),
        links: &["ctx:heat"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "tomasz",
        category: "operational",
        source: "context_issue",
        title: "Set-up knowledge lost when long-serving setters retire",
        description: "Three setters retire within four years; their set-up knowledge is not \
                      written down.",
        consequences: "More scrap and failed first articles; slower introductions.",
        controls: "Set-up sheets for the main families.",
        inherent: (4, 3),
        plan: "Photo set-up sheets for every family; each apprentice shadows a setter for six \
               months.",
        story: Assessed,
        links: &["ctx:key-people"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "priya",
        category: "environment",
        source: "process",
        title: "Passivation rinse water discharged outside the consent",
        description: "A dosing fault or a spill sends acidic rinse water to the sewer.",
        consequences: "Breach of the trade effluent consent; harm to the treatment works.",
        controls: "pH monitoring on the discharge; spill kit at the line.",
        inherent: (2, 4),
        plan: "Automatic shut-off valve on low pH; monthly test of the valve.",
        residual: (1, 4),
        links: &["prc:machining"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "leah",
        category: "information_security",
        source: "asset",
        title: "Tampering with pump firmware on the build server",
        description: "An attacker or a mistake changes firmware between build and release.",
        consequences: "Pumps shipped with firmware that was not verified; a recall.",
        controls: "Build server on its own network; release by two people.",
        inherent: (3, 4),
        plan: "Sign released firmware and check the signature at programming; log every \
               build; review access every quarter.",
        annex_a: "A.8.4, A.8.9, A.8.25, A.8.32",
        residual: (2, 4),
        story: Treated,
        links: &["ctx:cybersecurity", "capa:supplier-firmware"],
        ..BASE
    },
    Risk {
        owner: "ingrid",
        category: "information_security",
        source: "asset",
        title: "Ransomware on the ERP and file servers",
        description: "Malware encrypts the servers that hold orders, device history records \
                      and quality records.",
        consequences: "Production and release stop; records needed for traceability are \
                       lost.",
        controls: "Antivirus; nightly backups on site.",
        inherent: (4, 5),
        plan: "Off-site immutable backups with a tested restore; multi-factor login for \
               remote access; patching within 14 days.",
        annex_a: "A.5.17, A.8.7, A.8.8, A.8.13",
        residual: (2, 3),
        links: &["prc:documents"],
        ..BASE
    },
    Risk {
        owner: "ingrid",
        category: "information_security",
        source: "asset",
        title: "Laptop with design data lost or stolen",
        description: "Engineers take laptops holding design files to suppliers and \
                      conferences.",
        consequences: "Design data disclosed to competitors.",
        controls: "Login password.",
        inherent: (3, 3),
        plan: "Full-disk encryption on every laptop; remote wipe.",
        annex_a: "A.8.1, A.8.24",
        residual: (1, 3),
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "tomasz",
        category: "operational",
        source: "context_issue",
        title: "Spindle failure on the oldest CNC cells",
        description: "Cells 1 and 2 are over fifteen years old and spares are hard to find.",
        consequences: "Weeks without two cells; late deliveries to distributors.",
        controls: "",
        inherent: (0, 0),
        plan: "",
        story: Identified,
        links: &["ctx:ageing-cells"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "aiko",
        category: "quality",
        source: "incident",
        title: "Wrong label reaches a customer",
        description: "A label with the wrong content or format is printed and not caught.",
        consequences: "Sets used past expiry or with the wrong instructions; a field action.",
        controls: "Second check of labels at line clearance.",
        inherent: (2, 4),
        plan: "Templates released only by quality; scanner compares each label with the \
               master.",
        residual: (1, 4),
        links: &["capa:label-template", "prc:vp300-production"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "nora",
        category: "supplier",
        source: "incident",
        title: "Instruments heat-treated below specification by the subcontractor",
        description: "A furnace load runs cool and soft parts reach us on a certificate \
                      alone.",
        consequences: "An instrument breaks in surgery.",
        controls: "Certificate of conformity with each delivery.",
        inherent: (4, 5),
        plan: "Furnace chart and hardness results per load; our own hardness check on \
               receipt; audit of the heat treater.",
        residual: (1, 5),
        story: Treated,
        links: &["capa:heat-treatment", "prc:purchasing"],
        ..BASE
    },
    Risk {
        owner: "marcus",
        category: "strategic",
        source: "context_issue",
        title: "Losing a national framework tender",
        description: "Tenders score price heavily and run for four years.",
        consequences: "Four years out of a large share of the home market.",
        controls: "Tender team; service record as a selling point.",
        inherent: (2, 4),
        treatment: "accept",
        plan: "Accepted: we compete on service and total cost rather than price; watched at \
               each tender.",
        residual: (2, 4),
        links: &["ctx:tenders"],
        ..BASE
    },
    Risk {
        owner: "priya",
        category: "financial",
        source: "context_issue",
        title: "Electricity costs keep rising",
        description: "Electricity prices and carbon costs rise faster than prices we can \
                      charge.",
        consequences: "Lower margins, mostly at Tarnside.",
        controls: "Fixed-price contract until next spring.",
        inherent: (4, 2),
        plan: "Energy reduction plan; solar roof study.",
        story: Assessed,
        links: &["ctx:energy", "capa:energy"],
        ..BASE
    },
    Risk {
        owner: "priya",
        category: "compliance",
        source: "context_issue",
        title: "Fluoropolymer parts restricted before a replacement is qualified",
        description: "A restriction on PFAS could apply before alternatives for the valve \
                      membrane are verified.",
        consequences: "Sets could not be sold after the deadline.",
        controls: "",
        inherent: (0, 0),
        plan: "",
        story: Identified,
        links: &["ctx:pfas"],
        ..BASE
    },
    Risk {
        owner: "marcus",
        category: "compliance",
        source: "audit",
        title: "Reportable complaints reported late",
        description: "The reportability decision waits for the investigation.",
        consequences: "Authority deadlines missed; a finding from the notified body.",
        controls: "Weekly review of open complaints.",
        inherent: (3, 4),
        plan: "Reportability decided at classification, before investigation (built into \
               the complaint workflow); training for quality engineers.",
        residual: (1, 4),
        links: &["capa:reportability", "prc:complaints"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "tomasz",
        category: "health_safety",
        source: "process",
        title: "Visitors slip on coolant in the machine shop",
        description: "Small coolant drips near the cells; visitors in ordinary shoes.",
        consequences: "A slip and a bruise.",
        controls: "Marked walkways; drip trays; visitors escorted.",
        inherent: (2, 2),
        treatment: "accept",
        plan: "Accepted: the existing controls are enough; checked at the weekly site walk.",
        residual: (2, 2),
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "samuel",
        category: "health_safety",
        source: "change",
        title: "Operators exposed to nitric acid fumes at passivation",
        description: "Nitric acid baths give off fumes during loading.",
        consequences: "Respiratory harm to operators.",
        controls: "Extraction over the baths; gloves and face shields.",
        inherent: (3, 4),
        treatment: "avoid",
        plan: "Replace nitric with citric acid passivation.",
        residual: (1, 2),
        story: Closed,
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "aiko",
        category: "quality",
        source: "process",
        title: "Cleanroom particle counts exceed the limit",
        description: "0.5 µm counts have been rising for months.",
        consequences: "Bioburden of the administration sets rises; sterilisation may no \
                       longer cover it.",
        controls: "Monthly particle counts; gowning procedure.",
        inherent: (2, 4),
        plan: "Replace the pre-filters; retrain gowning.",
        residual: (1, 4),
        story: Reassessed,
        links: &["capa:cleanroom-trend"],
        ..BASE
    },
    Risk {
        site: BROOKFIELD,
        owner: "owen",
        category: "supplier",
        source: "supplier",
        title: "Spare boards for the VP-200 run out",
        description: "The VP-200 board maker has stopped production.",
        consequences: "Pumps under service contracts cannot be repaired.",
        controls: "Last-time buy of boards.",
        inherent: (3, 3),
        treatment: "accept",
        plan: "Accepted until the last service contract ends.",
        residual: (3, 3),
        story: Retired,
        links: &["ctx:vp200-service"],
        ..BASE
    },
    // Opportunities.
    Risk {
        owner: "marcus",
        opportunity: true,
        category: "strategic",
        source: "context_issue",
        title: "Connected VP-300 wins tenders that ask for integration",
        description: "A variant that talks to hospital record systems would meet a growing \
                      tender requirement.",
        consequences: "New framework wins; a foothold with larger hospital groups.",
        controls: "Drug library format already supported.",
        inherent: (3, 4),
        treatment: "exploit",
        plan: "Feasibility study; security risk assessment; talk to two pilot hospitals.",
        story: Assessed,
        links: &["ctx:connected-pumps", "prc:design"],
        ..BASE
    },
    Risk {
        site: TARNSIDE,
        owner: "priya",
        opportunity: true,
        category: "environment",
        source: "context_issue",
        title: "Solar roof on the Tarnside hall",
        description: "The south-facing roof could carry panels covering a fifth of the \
                      site's electricity.",
        consequences: "Lower costs and emissions; a point for tender carbon plans.",
        controls: "Roof survey done.",
        inherent: (4, 3),
        treatment: "enhance",
        plan: "Quotes from three installers; grant application; board decision.",
        residual: (4, 3),
        links: &["ctx:energy", "ctx:net-zero-buyers"],
        ..BASE
    },
    Risk {
        owner: "priya",
        opportunity: true,
        category: "strategic",
        source: "interested_party",
        title: "A carbon reduction plan earns tender points",
        description: "Hospitals give marks for a supplier's carbon plan.",
        consequences: "Better tender scores.",
        controls: "",
        inherent: (0, 0),
        treatment: "enhance",
        plan: "",
        story: Identified,
        links: &["ctx:net-zero-buyers"],
        ..BASE
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    set_matrix(d).await?;
    let mut open = 0;
    for (i, r) in RISKS.iter().enumerate() {
        write(d, r, i, &mut open).await?;
    }
    d.made("risk", RISKS.len());
    Ok(())
}

/// Veltmark's matrix: the usual five by five, in the company's words.
async fn set_matrix(d: &mut Demo<'_>) -> Result<(), Error> {
    let matrix = RiskMatrix {
        likelihood: vec![
            Step::new("Rare", "Not seen in the industry in the last ten years."),
            Step::new("Unlikely", "Seen elsewhere, not at Veltmark."),
            Step::new("Possible", "Could happen at Veltmark within a few years."),
            Step::new("Likely", "Expected within the year."),
            Step::new("Frequent", "Happens several times a year."),
        ],
        impact: vec![
            Step::new(
                "Negligible",
                "No effect on product, people or the environment.",
            ),
            Step::new(
                "Minor",
                "Put right in the normal course of work; no customer notices.",
            ),
            Step::new(
                "Moderate",
                "Customer complaint, delay or reversible harm; needs management attention.",
            ),
            Step::new(
                "Major",
                "Injury, field action, breach of a permit or certificate condition.",
            ),
            Step::new(
                "Severe",
                "Death or serious injury, loss of certification, or a site closed.",
            ),
        ],
        levels: vec![
            Level::new("low", "Low: accept", "#2e7d32", 1, 4),
            Level::new("medium", "Medium: reduce if practicable", "#f9a825", 5, 9),
            Level::new("high", "High: treat", "#ef6c00", 10, 16),
            Level::new("critical", "Critical: not acceptable", "#c62828", 17, 25),
        ],
    };
    let who = d.who("ingrid")?.clone();
    settings::set_risk_matrix(
        d.app,
        &who,
        MatrixChange {
            matrix,
            reason: Some(
                "Veltmark's risk matrix as agreed at management review: impact described \
                 for patients, product, permits and certificates."
                    .into(),
            ),
            version: None,
        },
    )
    .await?;
    Ok(())
}

async fn write(d: &mut Demo<'_>, r: &Risk, i: usize, open: &mut usize) -> Result<(), Error> {
    let owner = r.owner;
    // A manager closes and retires; the owner does the rest.
    let decider = match r.site {
        _ if matches!(owner, "marcus" | "priya" | "owen" | "tomasz") => owner,
        TARNSIDE => "tomasz",
        BROOKFIELD => "owen",
        _ => "marcus",
    };
    let mut fields = json!({
        "risk_type": if r.opportunity { "opportunity" } else { "risk" },
        "category": r.category,
        "source": r.source,
        "description": r.description,
        "consequences": r.consequences,
    });
    if !r.controls.is_empty() {
        fields["existing_controls"] = json!(r.controls);
    }
    let due_on = if matches!(r.story, Identified | Assessed | Treated | Reassessed) {
        *open += 1;
        Some(d.due_for_open(*open))
    } else {
        None
    };
    let n = d
        .create(
            owner,
            New {
                kind: "risk",
                title: r.title,
                owner: Some(owner),
                site: r.site,
                due_on,
                fields,
                part_of: None,
            },
        )
        .await?;
    for tag in r.links {
        if let Some(to) = d.tagged(tag).first() {
            d.link(owner, &n, "relates_to", to).await?;
        }
    }
    if r.story == Identified {
        return Ok(());
    }
    let mut fields = json!({
        "inherent_likelihood": r.inherent.0,
        "inherent_impact": r.inherent.1,
        "treatment": r.treatment,
    });
    if !r.plan.is_empty() {
        fields["treatment_plan"] = json!(r.plan);
    }
    if !r.annex_a.is_empty() {
        fields["annex_a_controls"] = json!(r.annex_a);
    }
    d.edit(owner, &n, fields).await?;
    d.step(owner, &n, "assess", None).await?;
    if r.story == Assessed {
        return Ok(());
    }
    // A review a year on for most; one overdue, one this week.
    let review_in = match i % 6 {
        0 => d.between(-45, -1),
        1 => d.between(0, 7),
        _ => d.between(90, 365),
    };
    let review_on = d.day(review_in);
    d.edit(
        owner,
        &n,
        json!({
            "residual_likelihood": r.residual.0,
            "residual_impact": r.residual.1,
            "review_on": review_on,
        }),
    )
    .await?;
    // An accepted treatment has nothing to carry out: the owner accepts as assessed.
    if r.treatment != "accept" {
        d.step(owner, &n, "treat", None).await?;
    }
    if r.story == Treated {
        return Ok(());
    }
    if r.story == Retired {
        d.step(
            decider,
            &n,
            "retire",
            Some("The last VP-200 service contract has ended; no boards are needed."),
        )
        .await?;
        return Ok(());
    }
    // Only the owner may accept what remains, with their signature.
    d.step(owner, &n, "accept", None).await?;
    match r.story {
        Reassessed => {
            // The counts kept rising after the filters were changed: a new rating sends the
            // accepted risk back to be assessed again.
            d.edit(
                owner,
                &n,
                json!({"residual_likelihood": 3, "treatment_plan": format!(
                    "{} Counts still rising after the filter change: air handling unit to be \
                     surveyed.",
                    r.plan
                )}),
            )
            .await?;
        }
        Closed => {
            d.edit(
                owner,
                &n,
                json!({"outcome": "The cause is gone: the change is in place and verified, \
                                   nothing of the risk remains to watch."}),
            )
            .await?;
            d.step(decider, &n, "close", None).await?;
        }
        _ => {}
    }
    Ok(())
}
