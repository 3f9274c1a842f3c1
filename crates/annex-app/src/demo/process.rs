//! The demo's processes: how Veltmark's management system is built — management processes
//! (planning and management review, internal audit, CAPA), core processes (design and
//! development, VP-300 production, instrument machining and finishing, sterilisation of the
//! administration sets by a contract steriliser, complaint handling and post-market
//! surveillance) and support processes (purchasing, document control, calibration,
//! competence) — each with its inputs, outputs, resources, controls and indicators, approved
//! with a signature. Some are in their second revision, one is being revised, one is still a
//! draft and one was retired. Each refers to the procedures that describe it, and processes
//! refer to the processes they feed.

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Draft,
    Approved,
    /// Approved, revised and approved again.
    Revised,
    /// Approved, now back in draft for its next revision.
    Revising,
    Retired,
}

use Story::*;

struct Process {
    key: &'static str,
    site: &'static str,
    /// The process owner.
    owner: &'static str,
    process_type: &'static str,
    title: &'static str,
    purpose: &'static str,
    inputs: &'static str,
    outputs: &'static str,
    upstream: &'static str,
    downstream: &'static str,
    resources: &'static str,
    criteria: &'static str,
    kpis: &'static str,
    story: Story,
    /// Titles of the documents that describe it.
    docs: &'static [&'static str],
    /// Keys of the processes it hands its outputs to.
    feeds: &'static [&'static str],
}

const ORG: &str = "";

const PROCESSES: &[Process] = &[
    Process {
        key: "management-review",
        site: ORG,
        owner: "marcus",
        process_type: "management",
        title: "Planning and management review",
        purpose: "Set the direction of the management system, give it the resources it \
                  needs and judge twice a year whether it works.",
        inputs: "Audit results, complaints and satisfaction, process indicators, CAPA \
                 status, context issues and interested parties, risks and opportunities, \
                 changes in regulation.",
        outputs: "Decisions and actions on improvement, resources and changes; objectives \
                  for the year; minutes.",
        upstream: "Every process, through its indicators; internal audit; CAPA; complaint \
                   handling.",
        downstream: "Every process, through the decisions and objectives.",
        resources: "Managing director, heads of quality, EHS and operations; the records in \
                    Annex.",
        criteria: "Management review procedure: twice a year, fixed agenda, minutes signed by \
                   the managing director.",
        kpis: "Reviews held on time (2 a year); actions from the review closed by their due \
               date (at least 90 %).",
        story: Revised,
        docs: &["Management review", "Quality manual"],
        feeds: &[],
    },
    Process {
        key: "internal-audit",
        site: ORG,
        owner: "grace",
        process_type: "management",
        title: "Internal audit",
        purpose: "Find out independently whether the management system meets its own rules \
                  and the standards, and works in practice.",
        inputs: "Audit programme based on the importance of processes, past results and \
                 changes; the standards; procedures.",
        outputs: "Audit reports, findings raised as nonconformities, opportunities for \
                  improvement.",
        upstream: "Planning and management review (programme approved).",
        downstream: "CAPA; planning and management review.",
        resources: "Two trained internal auditors, auditors from the other site for \
                    independence, the audit checklist.",
        criteria: "Internal audit procedure; auditors never audit their own work; every \
                   process audited at least once in three years.",
        kpis: "Audits held as programmed (at least 90 %); findings answered within 30 days.",
        story: Approved,
        docs: &["Internal audit"],
        feeds: &["capa", "management-review"],
    },
    Process {
        key: "capa",
        site: ORG,
        owner: "marcus",
        process_type: "management",
        title: "Corrective and preventive action",
        purpose: "Remove the causes of problems found, and of problems that could happen, so \
                  that they do not come back.",
        inputs: "Recurring nonconformities, complaints, audit findings, trends, risks.",
        outputs: "Root causes, actions carried out, effectiveness checks.",
        upstream: "Control of nonconforming product; complaint handling; internal audit.",
        downstream: "Change control; document control; planning and management review.",
        resources: "Quality engineers at both sites; the CAPA register in Annex.",
        criteria: "CAPA procedure: five whys or fishbone for every CAPA, effectiveness \
                   criteria set before actions start.",
        kpis: "CAPAs past their due date (no more than 10 %); CAPAs found effective at the \
               first check (at least 80 %).",
        story: Approved,
        docs: &["Corrective and preventive action"],
        feeds: &["management-review"],
    },
    Process {
        key: "design",
        site: BROOKFIELD,
        owner: "leah",
        process_type: "core",
        title: "Design and development",
        purpose: "Turn user needs into a safe, effective device and the specifications to \
                  make it, and control changes to the design.",
        inputs: "User needs, regulatory and standard requirements, risk analysis, feedback \
                 from complaints and post-market surveillance.",
        outputs: "Design outputs (drawings, specifications, firmware), verification and \
                  validation reports, the design history file, transfer to production.",
        upstream: "Planning and management review; complaint handling and post-market \
                   surveillance.",
        downstream: "VP-300 production; purchasing (new parts); risk management.",
        resources: "Design engineers, test laboratory, requirements and risk tools, the \
                    firmware build server.",
        criteria: "Design and development control procedure; phase reviews with an \
                   independent reviewer; risk management file kept current.",
        kpis: "Design reviews held at every phase gate; changes after transfer caused by \
               design errors (no more than 2 a year).",
        story: Revised,
        docs: &[
            "Design and development control",
            "Risk management for medical devices",
        ],
        feeds: &["vp300-production", "purchasing"],
    },
    Process {
        key: "purchasing",
        site: ORG,
        owner: "rafael",
        process_type: "support",
        title: "Purchasing and supplier control",
        purpose: "Buy parts and services that meet their specifications, from suppliers \
                  chosen and watched according to the risk they carry.",
        inputs: "Approved specifications, production plans, supplier quality agreements.",
        outputs: "Purchase orders, approved supplier list, supplier evaluations, incoming \
                  inspection results.",
        upstream: "Design and development; planning.",
        downstream: "VP-300 production; instrument machining and finishing; sterilisation.",
        resources: "Buyers, the supplier quality engineer, ERP, goods-in inspection.",
        criteria: "Purchasing and supplier evaluation procedure; critical suppliers audited \
                   every two years.",
        kpis: "Supplier on-time delivery (at least 95 %); lots rejected at goods-in (no more \
               than 1 %).",
        story: Revising,
        docs: &[
            "Purchasing and supplier evaluation",
            "Supplier quality agreement template",
        ],
        feeds: &["vp300-production", "machining"],
    },
    Process {
        key: "vp300-production",
        site: BROOKFIELD,
        owner: "owen",
        process_type: "core",
        title: "VP-300 pump and administration set production",
        purpose: "Assemble, test, label and release VP-300 pumps and their administration \
                  sets to the specification, on time.",
        inputs: "Production orders, released work instructions, inspected parts and \
                 assemblies.",
        outputs: "Released pumps and sets with complete device history records.",
        upstream: "Purchasing; design transfer.",
        downstream: "Sterilisation (sets); dispatch to customers.",
        resources: "Class 7 cleanroom, assembly benches, flow and occlusion test benches, \
                    label printer, trained assemblers.",
        criteria: "Work instructions for assembly, leak, flow and alarm tests; label \
                   inspection; release by quality after review of the device history record.",
        kpis: "First-pass yield at final test (at least 97 %); on-time delivery (at least \
               95 %).",
        story: Approved,
        docs: &[
            "VP-300 pump final assembly",
            "Flow-rate accuracy test",
            "Occlusion alarm functional test",
            "Label printing and inspection",
        ],
        feeds: &["sterilisation"],
    },
    Process {
        key: "sterilisation",
        site: BROOKFIELD,
        owner: "aiko",
        process_type: "core",
        title: "Sterilisation of administration sets (outsourced)",
        purpose: "Have every load of administration sets sterilised by the contract \
                  steriliser to the validated cycle and released on evidence.",
        inputs: "Packed sets loaded to the validated pattern; bioburden results.",
        outputs: "Sterilised sets released with the load record and indicator results.",
        upstream: "VP-300 production.",
        downstream: "Dispatch to customers.",
        resources: "The contract steriliser; our quality engineer for release; bioburden \
                    testing laboratory.",
        criteria: "Sterilisation agreement; revalidation every year; each load released \
                   only on its cycle record and indicators.",
        kpis: "Loads released without deviation (100 %); bioburden results under the alert \
               level.",
        story: Draft,
        docs: &[],
        feeds: &[],
    },
    Process {
        key: "machining",
        site: TARNSIDE,
        owner: "tomasz",
        process_type: "core",
        title: "Instrument machining and finishing",
        purpose: "Machine, passivate, mark, inspect and pack reusable orthopaedic \
                  instruments to drawing.",
        inputs: "Works orders, bar stock with certificates, released drawings and set-up \
                 sheets.",
        outputs: "Packed instruments with certificates of conformity.",
        upstream: "Purchasing.",
        downstream: "Dispatch to distributors and hospitals.",
        resources: "Five CNC cells, passivation line, laser marker, inspection room, \
                    setters and machinists.",
        criteria: "First article inspection at each set-up; tool life control; bath \
                   analysis; final inspection and UDI verification.",
        kpis: "Scrap (no more than 2 % of parts); on-time delivery (at least 95 %).",
        story: Revised,
        docs: &[
            "CNC machining of drill guides",
            "Citric acid passivation of stainless instruments",
            "Final inspection of instruments",
        ],
        feeds: &[],
    },
    Process {
        key: "complaints",
        site: ORG,
        owner: "marcus",
        process_type: "core",
        title: "Complaint handling and post-market surveillance",
        purpose: "Hear what customers and the field tell us about our devices, decide \
                  quickly what must be reported, investigate and put things right.",
        inputs: "Complaints, service reports, returned devices, literature and registry \
                 data.",
        outputs: "Answered complaints, reports to authorities, trend reports, CAPAs, \
                  post-market surveillance reports.",
        upstream: "Customers; service.",
        downstream: "CAPA; design and development; planning and management review.",
        resources: "Quality engineers, the service workshop, the complaint register in \
                    Annex.",
        criteria: "Complaint handling procedure: reportability decided within two working \
                   days of receipt; reporting procedure; post-market surveillance plan.",
        kpis: "Reportability decided within two working days (100 %); complaints answered \
               within 30 days (at least 90 %); average satisfaction at closing (at least 4).",
        story: Revised,
        docs: &[
            "Complaint handling",
            "Reporting to regulatory authorities",
            "Post-market surveillance plan for the VP-300",
        ],
        feeds: &["capa", "design"],
    },
    Process {
        key: "documents",
        site: ORG,
        owner: "ingrid",
        process_type: "support",
        title: "Control of documents and records",
        purpose: "Make sure people work to the current, approved version of every document \
                  and that records are kept and can be found.",
        inputs: "New and changed documents; records from every process.",
        outputs: "Effective documents, acknowledged by their readers; records kept for their \
                  retention time.",
        upstream: "Every process.",
        downstream: "Every process.",
        resources: "Annex; the quality systems administrator.",
        criteria: "Document and record control procedures; electronic signatures; periodic \
                   review of every document.",
        kpis: "Documents past their periodic review (no more than 5 %); acknowledgements \
               outstanding after 30 days (no more than 10 %).",
        story: Approved,
        docs: &["Control of documents", "Control of records"],
        feeds: &[],
    },
    Process {
        key: "calibration",
        site: TARNSIDE,
        owner: "nora",
        process_type: "support",
        title: "Calibration and control of measuring equipment",
        purpose: "Keep every gauge and instrument used for acceptance fit for its job, and \
                  find out what was affected when one is not.",
        inputs: "Equipment register, calibration intervals, calibration certificates.",
        outputs: "Calibrated, labelled equipment; impact assessments of out-of-tolerance \
                  results.",
        upstream: "Purchasing (new equipment and calibration services).",
        downstream: "Instrument machining and finishing; VP-300 production.",
        resources: "Calibration laboratory on contract, in-house masters, the recall list.",
        criteria: "Procedure for control of monitoring and measuring equipment; daily gauge \
                   checks on the shop floor.",
        kpis: "Equipment overdue for calibration (none); out-of-tolerance results (fewer \
               than 2 %).",
        story: Approved,
        docs: &[
            "Control of monitoring and measuring equipment",
            "Gauge checks on the shop floor",
        ],
        feeds: &["machining"],
    },
    Process {
        key: "competence",
        site: ORG,
        owner: "priya",
        process_type: "support",
        title: "Competence, training and awareness",
        purpose: "Make sure everyone is able to do their job well and safely, knows the \
                  policies, and knows how their work affects product and environment.",
        inputs: "Job roles and their competence requirements, new and revised documents, \
                 new starters.",
        outputs: "Trained and assessed people; training records; evaluations of training \
                  effectiveness.",
        upstream: "Document control; planning.",
        downstream: "Every process.",
        resources: "Supervisors as trainers, the training matrix, the college for \
                    apprentices.",
        criteria: "Competence, training and awareness procedure; hands-on training assessed \
                   by a supervisor.",
        kpis: "Training overdue (no more than 5 %); training rated effective at follow-up \
               (at least 90 %).",
        story: Approved,
        docs: &["Competence, training and awareness"],
        feeds: &[],
    },
    Process {
        key: "vp200-service",
        site: BROOKFIELD,
        owner: "owen",
        process_type: "core",
        title: "VP-200 service and repair",
        purpose: "Service and repair VP-200 pumps still under contract.",
        inputs: "Returned VP-200 pumps; service contracts.",
        outputs: "Repaired and tested pumps with service records.",
        upstream: "Customers.",
        downstream: "Customers.",
        resources: "Service workshop, VP-200 spare boards, test bench.",
        criteria: "VP-200 final assembly instruction, kept for service.",
        kpis: "Repairs returned within ten working days (at least 95 %).",
        story: Retired,
        docs: &["VP-200 pump final assembly (product discontinued)"],
        feeds: &[],
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut numbers = Vec::with_capacity(PROCESSES.len());
    let mut open = 0;
    for p in PROCESSES {
        let n = write(d, p, &mut open).await?;
        d.tag(format!("prc:{}", p.key), &n);
        numbers.push(n);
    }
    // How the processes hand over to each other, once they all exist.
    for (p, n) in PROCESSES.iter().zip(&numbers) {
        for key in p.feeds {
            if let Some(to) = d.tagged(&format!("prc:{key}")).first() {
                d.link(approver(p), n, "relates_to", to).await?;
            }
        }
    }
    d.made("process", PROCESSES.len());
    Ok(())
}

/// A manager approves: the owner if a manager, else the head of quality or the site manager.
fn approver(p: &Process) -> &'static str {
    match (p.owner, p.site) {
        ("marcus" | "priya" | "owen" | "tomasz", _) => p.owner,
        (_, TARNSIDE) => "tomasz",
        (_, BROOKFIELD) => "owen",
        _ => "marcus",
    }
}

async fn write(d: &mut Demo<'_>, p: &Process, open: &mut usize) -> Result<String, Error> {
    // Auditors do not write process descriptions: the internal audit one is the head of
    // quality's.
    let author = if p.owner == "grace" {
        "marcus"
    } else {
        p.owner
    };
    let approver = approver(p);
    let review_in = d.between(120, 700);
    let due_on = if matches!(p.story, Draft | Revising) {
        *open += 1;
        Some(d.due_for_open(*open))
    } else {
        None
    };
    let mut fields = json!({
        "process_type": p.process_type,
        "purpose": p.purpose,
        "upstream": p.upstream,
        "downstream": p.downstream,
        "next_review": d.day(review_in),
        "change_description": "First issue.",
    });
    if p.story == Draft {
        // Still being written: what goes in and out is there, the controls are not.
        fields["inputs"] = json!(p.inputs);
        fields["outputs"] = json!(p.outputs);
    } else {
        for (k, v) in [
            ("inputs", p.inputs),
            ("outputs", p.outputs),
            ("resources", p.resources),
            ("criteria", p.criteria),
            ("kpis", p.kpis),
        ] {
            fields[k] = json!(v);
        }
    }
    let n = d
        .create(
            author,
            New {
                kind: "process",
                title: p.title,
                owner: Some(p.owner),
                site: p.site,
                due_on,
                fields,
                part_of: None,
            },
        )
        .await?;
    for title in p.docs {
        if let Some(doc) = d.tagged(&format!("doc:{title}")).first() {
            d.link(author, &n, "references", doc).await?;
        }
    }
    if p.story == Draft {
        d.comment(
            "owen",
            &n,
            "The steriliser's load records should be listed as an input; they are what we \
             release on.",
        )
        .await?;
        return Ok(n);
    }
    d.step(approver, &n, "approve", None).await?;
    match p.story {
        Revised => {
            d.step(
                author,
                &n,
                "revise",
                Some("Indicators and interfaces updated after management review."),
            )
            .await?;
            d.edit(
                author,
                &n,
                json!({
                    "change_description": "Indicators given targets; the interfaces with \
                                           other processes written out.",
                    "kpis": format!("{} Reviewed monthly by the process owner.", p.kpis),
                }),
            )
            .await?;
            // Signing makes revision 2, re-entering the password as the first did.
            d.step(approver, &n, "approve", None).await?;
        }
        Revising => {
            d.step(
                author,
                &n,
                "revise",
                Some("Supplier register moving into Annex; criteria and records to follow."),
            )
            .await?;
        }
        Retired => {
            d.step(
                approver,
                &n,
                "retire",
                Some("The last VP-200 service contract has ended."),
            )
            .await?;
        }
        _ => {}
    }
    Ok(n)
}
