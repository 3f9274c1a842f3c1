//! The demo's interested parties: the hospitals and distributors that buy from Veltmark, the
//! notified body, the authorities in Europe and the United States, the environment regulator,
//! the people who work at both sites, suppliers, the contract steriliser, the neighbours by
//! the river, the owners and the patients — what each needs, which needs the management
//! system takes up and which of them become compliance obligations, legal or voluntary. Most
//! are confirmed as current, some reviewed with a signature since, two still in draft and one
//! retired. Each refers to the context issues it raises (tagged `ctx:<key>`).

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Draft,
    Current,
    /// Confirmed, then reviewed with a signature.
    Reviewed,
    /// Confirmed once, no longer a party.
    Retired,
}

use Story::*;

struct Party {
    site: &'static str,
    owner: &'static str,
    category: &'static str,
    title: &'static str,
    needs: &'static str,
    relevant: &'static str,
    influence: &'static str,
    /// The obligation taken on and whether it is `legal` or `voluntary`.
    obligation: Option<(&'static str, &'static str)>,
    climate: bool,
    monitoring: &'static str,
    story: Story,
    /// Keys of the context issues it raises.
    issues: &'static [&'static str],
}

const ORG: &str = "";

const PARTIES: &[Party] = &[
    Party {
        site: BROOKFIELD,
        owner: "marcus",
        category: "customer",
        title: "Hospitals and home infusion services using the VP-300",
        needs: "Pumps that deliver the prescribed dose and alarm when they should; \
                administration sets always in stock; fast repair or loan pumps; training for \
                nurses; clear instructions; a carbon reduction plan in tenders.",
        relevant: "All taken up: product requirements, service levels and training are in \
                   the framework contracts. The carbon plan is taken up through the \
                   environmental programme.",
        influence: "high",
        obligation: Some((
            "Framework contract service levels: loan pump within 24 hours, repair within \
             ten working days, advisory notices sent to every named user contact.",
            "voluntary",
        )),
        climate: true,
        monitoring: "Complaints and satisfaction scores; quarterly service reviews with the \
                     largest customers; tender feedback.",
        story: Reviewed,
        issues: &["tenders", "connected-pumps", "net-zero-buyers"],
    },
    Party {
        site: TARNSIDE,
        owner: "tomasz",
        category: "customer",
        title: "Orthopaedic distributors and hospital theatres",
        needs: "Instruments to drawing, on time, with certificates of conformity, readable \
                UDI marks and cleaning instructions that work with their reprocessing.",
        relevant: "All taken up; the distributors' quality agreements set delivery and \
                   notification terms.",
        influence: "high",
        obligation: Some((
            "Quality agreements with the two main distributors: changes notified 90 days \
             ahead; certificates of conformity with every delivery.",
            "voluntary",
        )),
        climate: false,
        monitoring: "On-time delivery and complaints monthly; annual meeting with each \
                     distributor.",
        story: Current,
        issues: &["ageing-cells", "in-house-finishing"],
    },
    Party {
        site: ORG,
        owner: "marcus",
        category: "certification_body",
        title: "Notified body",
        needs: "A management system and technical documentation that meet the device \
                regulation and ISO 13485; access for planned and unannounced audits; prompt \
                notice of significant changes to the devices or the system.",
        relevant: "All taken up: they are conditions of the certificates.",
        influence: "high",
        obligation: Some((
            "Certification agreement: notify significant changes before they are made; \
             allow unannounced audits; pay the surveillance fees.",
            "legal",
        )),
        climate: false,
        monitoring: "Audit reports; the notified body's client bulletins; monthly call during \
                     the renewal.",
        story: Reviewed,
        issues: &["mdr"],
    },
    Party {
        site: ORG,
        owner: "marcus",
        category: "regulator",
        title: "US Food and Drug Administration",
        needs: "Registration and listing of the VP-300; a quality system meeting US \
                regulations; medical device reports within the set times; corrections and \
                removals reported.",
        relevant: "All taken up for the VP-300, which is sold in the United States; the \
                   instruments are not.",
        influence: "high",
        obligation: Some((
            "Medical device reporting, registration and listing renewed every year, and \
             the quality system regulation for devices sold in the United States.",
            "legal",
        )),
        climate: false,
        monitoring: "FDA guidance updates; the US agent's quarterly report.",
        story: Current,
        issues: &["cybersecurity", "connected-pumps"],
    },
    Party {
        site: ORG,
        owner: "marcus",
        category: "regulator",
        title: "National competent authority for medical devices",
        needs: "Serious incidents and field safety corrective actions reported on time; \
                devices and economic operators registered; cooperation in market \
                surveillance.",
        relevant: "All taken up.",
        influence: "high",
        obligation: Some((
            "Vigilance reporting and registration duties of the device regulation; see the \
             procedure for reporting to regulatory authorities.",
            "legal",
        )),
        climate: false,
        monitoring: "Authority's safety notices and newsletters; reports made and their \
                     acknowledgements.",
        story: Current,
        issues: &["mdr"],
    },
    Party {
        site: TARNSIDE,
        owner: "priya",
        category: "regulator",
        title: "Environment agency and the water company (trade effluent)",
        needs: "Rinse water from the passivation line discharged only within the consent \
                limits; waste carried by licensed carriers with transfer notes; spills \
                reported.",
        relevant: "All taken up.",
        influence: "high",
        obligation: Some((
            "Trade effluent consent: pH 6 to 10, flow and metals limits, monthly sampling; \
             duty of care for waste.",
            "legal",
        )),
        climate: true,
        monitoring: "Monthly sample results; the agency's flood warnings; consent reviews.",
        story: Current,
        issues: &["flooding", "in-house-finishing"],
    },
    Party {
        site: ORG,
        owner: "priya",
        category: "worker",
        title: "Employees at Brookfield and Tarnside",
        needs: "A safe and healthy workplace, including in summer heat; training and a path \
                to grow; fair pay; being consulted on changes to their work; steady jobs.",
        relevant: "Safety, health, consultation and training are taken up; pay and careers \
                   are handled by HR outside the management system.",
        influence: "medium",
        obligation: Some((
            "Health and safety law: risk assessments, consultation through the safety \
             committee, control of substances hazardous to health.",
            "legal",
        )),
        climate: true,
        monitoring: "Safety committee every two months; staff survey every year; exit \
                     interviews.",
        story: Reviewed,
        issues: &["heat", "key-people", "machinists"],
    },
    Party {
        site: BROOKFIELD,
        owner: "rafael",
        category: "supplier",
        title: "Electronics and sensor suppliers",
        needs: "Reliable forecasts, clear and stable specifications, changes sent through a \
                controlled route, and payment on time.",
        relevant: "Forecasts and the firmware release route are taken up in the supplier \
                   quality agreements.",
        influence: "high",
        obligation: Some((
            "Supplier quality agreements: firmware and specification changes only through \
             the supplier portal.",
            "voluntary",
        )),
        climate: false,
        monitoring: "Quarterly business reviews; supplier scorecards.",
        story: Current,
        issues: &["components", "trade"],
    },
    Party {
        site: BROOKFIELD,
        owner: "owen",
        category: "supplier",
        title: "Contract steriliser for the administration sets",
        needs: "Loads packed to the validated pattern, booked a week ahead, with the \
                product's bioburden kept under its limit.",
        relevant: "All taken up in the sterilisation agreement and the packing work \
                   instruction.",
        influence: "high",
        obligation: Some((
            "Sterilisation agreement: load pattern, bioburden monitoring and release \
             responsibilities.",
            "voluntary",
        )),
        climate: false,
        monitoring: "Load records; annual audit of the steriliser.",
        story: Current,
        issues: &[],
    },
    Party {
        site: TARNSIDE,
        owner: "tomasz",
        category: "community",
        title: "Neighbours along the river at Tarnside",
        needs: "No noise or lorries at night, no smell from the finishing hall, nothing \
                spilled into the river, and no added flood risk from the yard.",
        relevant: "Taken up: delivery hours, spill control and surface water run-off.",
        influence: "medium",
        obligation: Some((
            "Good-neighbour commitment: no deliveries between 20:00 and 07:00; the yard's \
             run-off kept through the interceptor.",
            "voluntary",
        )),
        climate: true,
        monitoring: "Yearly meeting with the residents' association; complaints to the \
                     site office.",
        story: Current,
        issues: &["flooding"],
    },
    Party {
        site: ORG,
        owner: "marcus",
        category: "owner",
        title: "Owners and the board",
        needs: "Profitable growth, certificates kept, no regulatory surprises, and yearly \
                reporting of energy use and greenhouse gas emissions.",
        relevant: "Taken up: certification, regulatory compliance and the emissions report; \
                   financial targets are set in the business plan.",
        influence: "high",
        obligation: Some((
            "Group sustainability reporting: scope 1 and 2 emissions each year.",
            "voluntary",
        )),
        climate: true,
        monitoring: "Board meetings every quarter; the annual report.",
        story: Current,
        issues: &["energy", "net-zero-buyers", "mdr"],
    },
    Party {
        site: ORG,
        owner: "marcus",
        category: "other",
        title: "Patients who receive infusions or surgery with our devices",
        needs: "Devices that are safe and work as intended, with problems found and put \
                right quickly.",
        relevant: "Taken up through the product requirements, risk management and \
                   post-market surveillance; patients reach us mostly through hospitals and \
                   authorities.",
        influence: "low",
        obligation: None,
        climate: false,
        monitoring: "Complaints, incident reports and the literature review in post-market \
                     surveillance.",
        story: Current,
        issues: &[],
    },
    Party {
        site: ORG,
        owner: "priya",
        category: "other",
        title: "Property insurer",
        needs: "Fire protection kept up, flood defences at Tarnside, and notice of changes \
                to hazardous processes.",
        relevant: "",
        influence: "",
        obligation: None,
        climate: true,
        monitoring: "",
        story: Draft,
        issues: &["flooding"],
    },
    Party {
        site: TARNSIDE,
        owner: "tomasz",
        category: "community",
        title: "Tarnside college engineering department",
        needs: "Apprentice placements and help with the machining course.",
        relevant: "",
        influence: "",
        obligation: None,
        climate: false,
        monitoring: "",
        story: Draft,
        issues: &["machinists"],
    },
    Party {
        site: BROOKFIELD,
        owner: "owen",
        category: "customer",
        title: "Distributor for the VP-200 in the Benelux countries",
        needs: "Spare parts and service support for the VP-200 pumps they sold.",
        relevant: "Spare parts and service until the last contract ended.",
        influence: "low",
        obligation: Some((
            "Distribution agreement: spare parts for five years after the last sale.",
            "voluntary",
        )),
        climate: false,
        monitoring: "Quarterly orders for spares.",
        story: Retired,
        issues: &["vp200-service"],
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut open = 0;
    for (i, p) in PARTIES.iter().enumerate() {
        write(d, p, i, &mut open).await?;
    }
    d.made("interested_party", PARTIES.len());
    Ok(())
}

async fn write(d: &mut Demo<'_>, p: &Party, i: usize, open: &mut usize) -> Result<(), Error> {
    let author = match (p.story, p.site) {
        (Draft, TARNSIDE) => "nora",
        (Draft, _) => "rafael",
        _ => p.owner,
    };
    // Who confirms and reviews: a manager (the owner, or the head of quality for a party a
    // contributor looks after).
    let decider = if p.owner == "rafael" {
        "marcus"
    } else {
        p.owner
    };
    let due_on = if p.story == Draft {
        *open += 1;
        Some(d.due_for_open(*open))
    } else {
        None
    };
    let n = d
        .create(
            author,
            New {
                kind: "interested_party",
                title: p.title,
                owner: Some(p.owner),
                site: p.site,
                due_on,
                fields: json!({"category": p.category, "needs": p.needs}),
                part_of: None,
            },
        )
        .await?;
    for key in p.issues {
        if let Some(issue) = d.tagged(&format!("ctx:{key}")).first() {
            d.link(author, &n, "relates_to", issue).await?;
        }
    }
    if p.story == Draft {
        return Ok(());
    }
    let review_in = match i % 5 {
        0 => d.between(-30, -1),
        1 => d.between(0, 7),
        _ => d.between(60, 365),
    };
    let mut fields = json!({
        "relevant": p.relevant,
        "influence": p.influence,
        "compliance_obligation": p.obligation.is_some(),
        "climate_related": p.climate,
        "monitoring": p.monitoring,
        "next_review": d.day(review_in),
    });
    if let Some((obligation, source)) = p.obligation {
        fields["obligation"] = json!(obligation);
        fields["obligation_source"] = json!(source);
    }
    d.edit(author, &n, fields).await?;
    d.step(decider, &n, "confirm", None).await?;
    match p.story {
        Reviewed => {
            let next = d.day(365);
            d.edit(decider, &n, json!({"next_review": next})).await?;
            d.step(decider, &n, "review", None).await?;
        }
        Retired => {
            d.step(
                decider,
                &n,
                "retire",
                Some("The distribution agreement ended with the last VP-200 service contract."),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
