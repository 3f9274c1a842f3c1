//! The demo's controlled documents: the quality manual and policies, the company-wide
//! procedures, and each site's work instructions, forms and specifications — most of them in
//! effect and acknowledged by the people who work to them, some in draft, in review or
//! approved and waiting, a few in their second revision or being revised, and a few made
//! obsolete and superseded.

use annex_core::kinds::Meaning;
use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

/// How far a document gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Draft,
    InReview,
    Approved,
    Effective,
    /// Effective in its second revision.
    Revised,
    /// Effective once, now back in draft for its next revision.
    Revising,
    Obsolete,
}

struct Doc {
    site: &'static str,
    doc_type: &'static str,
    title: &'static str,
    summary: &'static str,
    /// Environmental: written by the EHS manager.
    env: bool,
    clauses: &'static [&'static str],
    story: Story,
    /// The title of an earlier document this one replaces.
    supersedes: Option<&'static str>,
}

const fn doc(
    site: &'static str,
    doc_type: &'static str,
    title: &'static str,
    summary: &'static str,
    story: Story,
) -> Doc {
    Doc {
        site,
        doc_type,
        title,
        summary,
        env: false,
        clauses: &[],
        story,
        supersedes: None,
    }
}

const fn env(mut d: Doc) -> Doc {
    d.env = true;
    d
}

const fn clauses(mut d: Doc, c: &'static [&'static str]) -> Doc {
    d.clauses = c;
    d
}

const fn replaces(mut d: Doc, title: &'static str) -> Doc {
    d.supersedes = Some(title);
    d
}

use Story::*;

const ORG: &str = "";

/// In creation order: documents replaced come before the ones replacing them.
const DOCS: &[Doc] = &[
    doc(
        ORG,
        "procedure",
        "Paper-based document control (replaced)",
        "How paper masters were issued, stamped and recalled before documents moved into Annex.",
        Obsolete,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "VP-200 pump final assembly (product discontinued)",
        "Assembly of the VP-200 pump, kept for the service of pumps still in the field.",
        Obsolete,
    ),
    doc(
        TARNSIDE,
        "work_instruction",
        "Nitric acid passivation of stainless instruments",
        "Passivation of 300- and 400-series instruments in nitric acid baths.",
        Obsolete,
    ),
    doc(
        TARNSIDE,
        "work_instruction",
        "Manual deburring of reamers",
        "Removing burrs from reamer flutes by hand with stones and brushes.",
        Obsolete,
    ),
    clauses(
        doc(
            ORG,
            "manual",
            "Quality manual",
            "How Veltmark's management system is built: scope, the sites and what each makes, the \
         processes and how they interact, and where each requirement of ISO 9001 and ISO 13485 \
         is met.",
            Revised,
        ),
        &["iso9001:2015/4.3", "iso13485:2016/4.2.2"],
    ),
    clauses(
        doc(
            ORG,
            "policy",
            "Quality policy",
            "What the company commits to on safe, effective devices, meeting customer and \
         regulatory requirements, and keeping the quality system effective.",
            Revised,
        ),
        &["iso9001:2015/5.2", "iso13485:2016/5.2"],
    ),
    clauses(
        env(doc(
            ORG,
            "policy",
            "Environmental policy",
            "The company's commitments on protecting the environment, preventing pollution, meeting \
         its compliance obligations and improving its environmental performance.",
            Effective,
        )),
        &["iso14001:2015/5.2"],
    ),
    replaces(
        clauses(
            doc(
                ORG,
                "procedure",
                "Control of documents",
                "How documents are written, reviewed, approved, made effective, revised and withdrawn \
         in Annex, and how external documents are controlled.",
                Effective,
            ),
            &["iso13485:2016/4.2.4", "iso9001:2015/7.5.3"],
        ),
        "Paper-based document control (replaced)",
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Control of records",
            "Which records are kept, where, for how long, and how they are protected and retrieved.",
            Effective,
        ),
        &["iso13485:2016/4.2.5"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Internal audit",
            "How the audit programme is planned across both sites and all three standards, how \
         auditors are chosen and how findings are followed up.",
            Effective,
        ),
        &["iso9001:2015/9.2", "iso14001:2015/9.2"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Management review",
            "The inputs, frequency, attendance and records of management review.",
            Effective,
        ),
        &["iso9001:2015/9.3", "iso14001:2015/9.3"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Control of nonconforming product",
            "How nonconforming product is identified, held, assessed, dispositioned and released or \
         scrapped, and who may grant a concession.",
            Effective,
        ),
        &["iso13485:2016/8.3"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Corrective and preventive action",
            "When a CAPA is opened, how causes are investigated, how actions are planned and \
         tracked, and how effectiveness is checked before closure.",
            Revising,
        ),
        &["iso13485:2016/8.5.2"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Complaint handling",
            "Receiving, recording, investigating and answering complaints, and deciding whether a \
         complaint must be reported to a regulator.",
            Effective,
        ),
        &["iso13485:2016/8.2.2"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Reporting to regulatory authorities",
            "Which incidents and field actions are reported, to whom, and within what time.",
            Effective,
        ),
        &["iso13485:2016/8.2.3"],
    ),
    doc(
        ORG,
        "procedure",
        "Risk management for medical devices",
        "How hazards are identified, risks estimated, controlled and reviewed over each \
         device's life, following the company's risk management plan template.",
        Effective,
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Design and development control",
            "Planning, inputs, outputs, reviews, verification, validation, transfer and changes \
         of designs, and the design history file.",
            Effective,
        ),
        &["iso13485:2016/7.3"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Purchasing and supplier evaluation",
            "How suppliers are chosen, approved, monitored and re-evaluated according to the risk \
         of what they supply.",
            Effective,
        ),
        &["iso13485:2016/7.4.1"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Competence, training and awareness",
            "How the competence each job needs is set, how people are trained and how \
         effectiveness of training is judged.",
            Effective,
        ),
        &["iso9001:2015/7.2", "iso13485:2016/7.2"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Control of monitoring and measuring equipment",
            "Calibration intervals, status labels, what to do when a gauge is found out of \
         tolerance, and software used for measurement.",
            Effective,
        ),
        &["iso13485:2016/7.6"],
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Change control",
            "How changes to products, processes, suppliers and the system are requested, assessed, \
         approved, implemented and verified.",
            Effective,
        ),
        &["iso9001:2015/6.3"],
    ),
    doc(
        ORG,
        "plan",
        "Post-market surveillance plan for the VP-300",
        "What field data is gathered about the VP-300, how often it is analysed and what \
         triggers action.",
        InReview,
    ),
    clauses(
        env(doc(
            ORG,
            "procedure",
            "Environmental aspects and impacts",
            "How each site's aspects are identified, rated for significance and reviewed when \
         activities change.",
            Effective,
        )),
        &["iso14001:2015/6.1.2"],
    ),
    clauses(
        env(doc(
            ORG,
            "procedure",
            "Compliance obligations",
            "How environmental permits, laws and customer commitments are found, recorded and \
         evaluated for compliance.",
            Approved,
        )),
        &["iso14001:2015/6.1.3"],
    ),
    clauses(
        env(doc(
            ORG,
            "procedure",
            "Emergency preparedness and response",
            "Spills, fire, gas release and flooding: who does what, drills, and review after \
         any event.",
            Effective,
        )),
        &["iso14001:2015/8.2"],
    ),
    env(doc(
        ORG,
        "procedure",
        "Waste management",
        "Segregation, labelling, storage, carriers and transfer notes for every waste stream \
         at both sites.",
        Effective,
    )),
    env(doc(
        ORG,
        "plan",
        "Environmental objectives and programme",
        "This year's environmental objectives, their targets and the actions that reach \
         them.",
        InReview,
    )),
    clauses(
        doc(
            ORG,
            "procedure",
            "Validation of software used in the quality system",
            "How software such as Annex, the label printer and the test benches is validated \
         before use and after changes.",
            Draft,
        ),
        &["iso13485:2016/4.2.2"],
    ),
    doc(
        ORG,
        "procedure",
        "Labelling and unique device identification",
        "Label content, UDI assignment and database entries, and label change control.",
        Effective,
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Identification and traceability",
            "Lot and serial numbering, and how each device is traced to its components and \
         records.",
            Effective,
        ),
        &["iso13485:2016/7.5.8"],
    ),
    doc(
        ORG,
        "procedure",
        "Customer communication",
        "Product information, enquiries, orders, feedback and advisory notices.",
        Draft,
    ),
    clauses(
        doc(
            ORG,
            "procedure",
            "Medical device file",
            "What each device's file holds and who keeps it current.",
            Effective,
        ),
        &["iso13485:2016/4.2.3"],
    ),
    env(doc(
        ORG,
        "plan",
        "Energy monitoring and reduction plan",
        "Sub-metering of both sites, the baseline year and the projects to cut electricity \
         and gas use.",
        Draft,
    )),
    doc(
        ORG,
        "form",
        "Supplier quality agreement template",
        "The agreement critical suppliers sign: notification of changes, records, audits.",
        Effective,
    ),
    doc(
        ORG,
        "external",
        "Notified body guidance on significant changes",
        "The notified body's guidance on which design and process changes need its approval \
         before they are made.",
        Effective,
    ),
    // Brookfield
    doc(
        BROOKFIELD,
        "work_instruction",
        "VP-300 pump final assembly",
        "Step-by-step assembly of the VP-300 from sub-assemblies, with torque values and \
         in-process checks.",
        Revised,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Cleanroom gowning and entry",
        "Gowning sequence, hand hygiene and behaviour in the class 7 cleanroom.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Administration set leak test",
        "Pressure-decay leak test of every administration set, limits and rejects.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Flow-rate accuracy test",
        "Gravimetric flow-rate test of each pump at three rates against the specification.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Occlusion alarm functional test",
        "Checking that the downstream occlusion alarm sounds within its time and pressure \
         limits.",
        InReview,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "ESD control in assembly",
        "Wrist straps, mats, checks at the start of each shift and handling of boards.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Label printing and inspection",
        "Printing lot labels, line clearance and the second-person label check.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Incoming inspection of circuit board assemblies",
        "Sampling, visual inspection and functional test of incoming PCBAs.",
        Approved,
    ),
    doc(
        BROOKFIELD,
        "specification",
        "VP-300 product specification",
        "Performance, alarms, battery life, ingress protection and labelling of the VP-300.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "specification",
        "Administration set specification",
        "Materials, dimensions, flow path and packaging of the VP-300 administration sets.",
        Revising,
    ),
    doc(
        BROOKFIELD,
        "form",
        "Device history record, VP-300",
        "The record that travels with each pump: serial, components, tests and release.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Cleanroom environmental monitoring",
        "Particle counts, settle plates, pressure differentials and what to do on an \
         excursion.",
        Effective,
    ),
    doc(
        BROOKFIELD,
        "work_instruction",
        "Battery pack handling and storage",
        "Receiving, storing and fitting lithium battery packs safely.",
        Draft,
    ),
    env(doc(
        BROOKFIELD,
        "work_instruction",
        "Solder fume extraction checks",
        "Weekly airflow checks of the extraction arms and filter changes.",
        Effective,
    )),
    doc(
        BROOKFIELD,
        "procedure",
        "Service and repair of returned pumps",
        "Decontamination, fault finding, repair, retest and return of pumps from the field.",
        InReview,
    ),
    doc(
        BROOKFIELD,
        "procedure",
        "Firmware release",
        "Building, verifying and releasing pump firmware, and loading it in production.",
        Draft,
    ),
    // Tarnside
    doc(
        TARNSIDE,
        "work_instruction",
        "CNC machining of drill guides",
        "Set-up, first-off approval, tool life and in-process checks for drill guides.",
        Revised,
    ),
    replaces(
        doc(
            TARNSIDE,
            "work_instruction",
            "Citric acid passivation of stainless instruments",
            "Passivation in citric acid baths, bath control and the copper sulphate check.",
            Effective,
        ),
        "Nitric acid passivation of stainless instruments",
    ),
    doc(
        TARNSIDE,
        "work_instruction",
        "Laser marking of UDI and part numbers",
        "Marking parameters, verification of the data matrix grade and rework of poor marks.",
        Effective,
    ),
    doc(
        TARNSIDE,
        "work_instruction",
        "Final inspection of instruments",
        "Dimensional and visual inspection, sampling plans and release of lots.",
        Effective,
    ),
    doc(
        TARNSIDE,
        "work_instruction",
        "Cleaning after machining",
        "Removing coolant and particles before passivation: washer settings and checks.",
        Revising,
    ),
    env(doc(
        TARNSIDE,
        "work_instruction",
        "Coolant management",
        "Concentration and pH checks, top-ups, sump cleaning and disposal of spent coolant.",
        Effective,
    )),
    env(doc(
        TARNSIDE,
        "work_instruction",
        "Swarf and scrap metal handling",
        "Draining, segregating and storing swarf by alloy until it is collected.",
        Effective,
    )),
    env(doc(
        TARNSIDE,
        "work_instruction",
        "Chemical storage and spill response",
        "Bunded storage, compatible segregation, spill kits and reporting.",
        Effective,
    )),
    doc(
        TARNSIDE,
        "work_instruction",
        "Instrument packing and labelling",
        "Bagging, labelling and boxing of finished instruments.",
        Effective,
    ),
    doc(
        TARNSIDE,
        "specification",
        "Bone awl drawing and specification",
        "Dimensions, material, surface finish and marking of the bone awl family.",
        Effective,
    ),
    doc(
        TARNSIDE,
        "form",
        "First article inspection report",
        "The report completed for the first part of each new or changed set-up.",
        Effective,
    ),
    doc(
        TARNSIDE,
        "form",
        "Passivation bath analysis record",
        "Weekly bath concentration, temperature and contamination results.",
        Approved,
    ),
    replaces(
        doc(
            TARNSIDE,
            "work_instruction",
            "Tumbling and deburring",
            "Vibratory finishing of reamers and awls: media, cycle times and inspection.",
            InReview,
        ),
        "Manual deburring of reamers",
    ),
    env(doc(
        TARNSIDE,
        "work_instruction",
        "Compressed air leak survey",
        "Monthly ultrasonic leak survey of the compressed air network, tagging and repair.",
        Draft,
    )),
    doc(
        TARNSIDE,
        "work_instruction",
        "Gauge checks on the shop floor",
        "Daily zero and master checks of height gauges, micrometers and pin gauges.",
        Effective,
    ),
];

/// Comments reviewers leave on drafts and documents in review.
const REVIEW_NOTES: &[&str] = &[
    "Please add the reference to the form number in section 4; operators look for it.",
    "The sampling table still shows last year's AQL. Can you check it against the current plan?",
    "Reads well. One question: who signs off when the supervisor is on leave?",
    "Suggest a photo of the correct set-up for step 3, it is the step people get wrong.",
    "Checked against the risk file: the controls listed match. Happy to sign as reviewed.",
    "Section 5 repeats the procedure it refers to; a reference would be enough.",
];

/// Comments on documents in use.
const USE_NOTES: &[&str] = &[
    "Printed copy found at the bench during the audit walk; removed, the screen copy is current.",
    "Raised in the team briefing; everyone on shift has read it.",
    "Worth linking to the training record once the training register is in Annex.",
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut numbers = Vec::with_capacity(DOCS.len());
    let mut open = 0;
    for (i, doc) in DOCS.iter().enumerate() {
        let n = write(d, doc, i, &mut open).await?;
        d.tag(format!("doc:{}", doc.title), &n);
        if doc.site == TARNSIDE || doc.site == BROOKFIELD {
            d.tag(format!("doc:{}", doc.site), &n);
        } else {
            d.tag("doc:organisation", &n);
        }
        numbers.push(n);
    }
    // Replacements are linked once both documents exist.
    for (doc, n) in DOCS.iter().zip(&numbers) {
        if let Some(old) = doc.supersedes
            && let Some(old) = d.tagged(&format!("doc:{old}")).first()
        {
            let author = author(doc);
            d.link(author, n, "supersedes", old).await?;
        }
    }
    d.made("document", DOCS.len());
    Ok(())
}

fn author(doc: &Doc) -> &'static str {
    match (doc.site, doc.env) {
        (ORG, true) => "priya",
        (ORG, false) => "marcus",
        (site, _) => crew(site).workers[0],
    }
}

fn approver(doc: &Doc) -> &'static str {
    match (doc.site, doc.env) {
        (ORG, true) => "priya",
        (ORG, false) => "marcus",
        (site, _) => crew(site).deciders[0],
    }
}

fn reviewer(doc: &Doc, i: usize) -> &'static str {
    match doc.site {
        ORG if doc.env => "daniel",
        ORG => ["grace", "aiko", "nora"][i % 3],
        site => crew(site).workers[1],
    }
}

fn body(doc: &Doc) -> String {
    format!(
        "1. Purpose and scope\n{}\n\n2. Responsibilities\nThe owner keeps this document \
         current; supervisors make sure the people it applies to have read the revision in \
         effect.\n\n3. Method\nSee the steps and figures in the attached controlled copy.\n\n\
         4. Records\nRecords made under this document are kept as the control of records \
         procedure says.",
        doc.summary
    )
}

async fn write(d: &mut Demo<'_>, doc: &Doc, i: usize, open: &mut usize) -> Result<String, Error> {
    let author = author(doc);
    let approver = approver(doc);
    let reviewer = reviewer(doc, i);
    let unfinished = matches!(doc.story, Draft | InReview | Approved);
    let due_on = if unfinished {
        *open += 1;
        Some(d.due_for_open(*open))
    } else {
        None
    };
    let review_in = match i % 6 {
        // A periodic review already missed, one coming up this week, and the rest later.
        0 => d.between(-90, -1),
        1 => d.between(0, 7),
        _ => d.between(60, 720),
    };
    let n = d
        .create(
            author,
            New {
                kind: "document",
                title: doc.title,
                owner: None,
                site: doc.site,
                due_on,
                fields: json!({
                    "doc_type": doc.doc_type,
                    "summary": doc.summary,
                    "body": body(doc),
                    "periodic_review": d.day(review_in),
                    "change_description": "First issue.",
                }),
                part_of: None,
            },
        )
        .await?;
    for clause in doc.clauses {
        d.evidence(author, &n, clause).await?;
    }
    if doc.story == Draft {
        if i.is_multiple_of(2) {
            let note = *d.pick(REVIEW_NOTES);
            d.comment(reviewer, &n, note).await?;
        }
        return Ok(n);
    }
    d.step(author, &n, "submit", None).await?;
    if doc.story == InReview {
        let note = *d.pick(REVIEW_NOTES);
        d.comment(reviewer, &n, note).await?;
        return Ok(n);
    }
    release(d, &n, reviewer, approver, doc.story == Approved).await?;
    if doc.story == Approved {
        return Ok(n);
    }
    acknowledge(d, doc, &n, i).await?;
    match doc.story {
        Revised => {
            d.step(
                author,
                &n,
                "revise",
                Some("Periodic review found steps out of date."),
            )
            .await?;
            d.edit(
                author,
                &n,
                json!({
                    "change_description": "Steps brought into line with current practice; \
                                           references updated.",
                    "body": format!("{}\n\n5. Changes\nRevision 2: steps updated.", body(doc)),
                }),
            )
            .await?;
            d.step(author, &n, "submit", None).await?;
            release(d, &n, reviewer, approver, false).await?;
            // Only some have read the new revision yet: the rest still show as to do.
            acknowledge(d, doc, &n, i + 1).await?;
        }
        Revising => {
            d.step(
                author,
                &n,
                "revise",
                Some("Changes agreed at management review need to be written in."),
            )
            .await?;
            let due = d.due_for_open(*open + 1);
            *open += 1;
            d.set_due(author, &n, &due).await?;
        }
        Obsolete => {
            d.step(
                approver,
                &n,
                "obsolete",
                Some("No longer used; kept on file for the records made under it."),
            )
            .await?;
        }
        _ => {
            if i.is_multiple_of(5) {
                let note = *d.pick(USE_NOTES);
                d.comment(approver, &n, note).await?;
            }
        }
    }
    Ok(n)
}

/// Review signature, approval (signed) and, unless `stop_at_approved`, release.
async fn release(
    d: &mut Demo<'_>,
    n: &str,
    reviewer: &str,
    approver: &str,
    stop_at_approved: bool,
) -> Result<(), Error> {
    d.sign(reviewer, n, Meaning::Reviewed).await?;
    d.step(approver, n, "approve", None).await?;
    if !stop_at_approved {
        d.step(approver, n, "make_effective", None).await?;
    }
    Ok(())
}

/// Some of the people who work to the document confirm they have read it.
async fn acknowledge(d: &mut Demo<'_>, doc: &Doc, n: &str, i: usize) -> Result<(), Error> {
    let readers: Vec<&str> = match doc.site {
        ORG => [
            "ben", "chloe", "aiko", "nora", "samuel", "leah", "grace", "owen",
        ]
        .into_iter()
        .collect(),
        site => crew(site).readers.to_vec(),
    };
    // Between two and all of them, so that some acknowledgements are still outstanding.
    let how_many = 2 + (i % (readers.len() - 1));
    for r in readers.into_iter().take(how_many) {
        d.acknowledge(r, n).await?;
    }
    Ok(())
}
