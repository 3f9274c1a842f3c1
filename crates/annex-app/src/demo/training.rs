//! The demo's job roles and training records: every role at Veltmark with the competences it
//! needs and the people who hold it (one old role withdrawn), and each person's training in
//! those competences — most verified effective with a manager's signature, some expiring
//! soon or already expired (first aid, fire warden, chemical handling), one lapsed and
//! replaced by its refresher, some planned (a few overdue), one completed and waiting for its
//! evaluation, one found not effective and planned again, one cancelled. Three documents are
//! revised to name the roles that work to them, so their holders are given the new revision
//! to read: those who acknowledged it have it as effective training, the others still have
//! it to do.

use annex_core::kinds::Meaning;
use serde_json::{Value, json};

use super::org::{BROOKFIELD, TARNSIDE};
use super::{Demo, New};
use crate::Error;

struct JobRole {
    key: &'static str,
    site: &'static str,
    title: &'static str,
    purpose: &'static str,
    /// Competence, level, how it is gained.
    competences: &'static [(&'static str, &'static str, &'static str)],
    /// User names and how many days ago they took the role.
    holders: &'static [(&'static str, i64)],
    withdrawn: bool,
}

const ORG: &str = "";

const GOWNING: &str = "Cleanroom gowning";
const ESD: &str = "ESD handling";
const ASSEMBLY: &str = "VP-300 final assembly";
const LEAK_TEST: &str = "Administration set leak test";
const SETUP: &str = "Five-axis CNC set-up";
const FAI: &str = "First article inspection";
const CHEMICALS: &str = "Chemical handling (passivation)";
const RCA: &str = "Root cause analysis";
const COMPLAINTS: &str = "Complaint handling and reportability";
const MEASUREMENT: &str = "Measurement and calibration";
const RISK: &str = "Risk management for medical devices";
const DESIGN: &str = "Design control";
const CYBER: &str = "Medical device cybersecurity";
const CNC_PROGRAMMING: &str = "CNC programming";
const SUPPLIER_AUDIT: &str = "Supplier auditing";
const AUDITING: &str = "Internal auditing";
const ISO13485: &str = "ISO 13485 requirements";
const ISO14001: &str = "ISO 14001 requirements";
const FIRST_AID: &str = "First aid at work";
const FIRE: &str = "Fire warden";
const REGULATION: &str = "European device regulation";
const OHS: &str = "Occupational health and safety management";
const ENV_LAW: &str = "Environmental law";
const VALIDATION: &str = "Computer system validation";
const INFOSEC: &str = "Information security awareness";

const ROLES: &[JobRole] = &[
    JobRole {
        key: "assembler",
        site: BROOKFIELD,
        title: "Assembly technician",
        purpose: "Assembles and tests VP-300 pumps and administration sets in the cleanroom \
                  to the work instructions, and records the work in the device history \
                  record.",
        competences: &[
            (GOWNING, "practitioner", "on_the_job"),
            (ESD, "practitioner", "course"),
            (ASSEMBLY, "practitioner", "on_the_job"),
            (LEAK_TEST, "practitioner", "on_the_job"),
        ],
        holders: &[("ben", 1100)],
        withdrawn: false,
    },
    JobRole {
        key: "machinist",
        site: TARNSIDE,
        title: "CNC machinist",
        purpose: "Sets up and runs the CNC cells, inspects first articles and keeps the cell \
                  records.",
        competences: &[
            (SETUP, "practitioner", "on_the_job"),
            (FAI, "practitioner", "on_the_job"),
            (CHEMICALS, "awareness", "course"),
        ],
        holders: &[("chloe", 800)],
        withdrawn: false,
    },
    JobRole {
        key: "quality-engineer",
        site: ORG,
        title: "Quality engineer",
        purpose: "Handles nonconformities, complaints and CAPAs at a site; keeps its \
                  measuring equipment under control.",
        competences: &[
            (RCA, "practitioner", "course"),
            (COMPLAINTS, "practitioner", "course"),
            (MEASUREMENT, "practitioner", "course"),
        ],
        holders: &[("aiko", 1500), ("nora", 600)],
        withdrawn: false,
    },
    JobRole {
        key: "design-engineer",
        site: BROOKFIELD,
        title: "Design engineer",
        purpose: "Designs and changes the VP-300 and its sets under design control, with \
                  their risk analysis.",
        competences: &[
            (RISK, "practitioner", "course"),
            (DESIGN, "expert", "experience"),
            (CYBER, "awareness", "course"),
        ],
        holders: &[("leah", 2000)],
        withdrawn: false,
    },
    JobRole {
        key: "manufacturing-engineer",
        site: TARNSIDE,
        title: "Manufacturing engineer",
        purpose: "Writes CNC programs and set-up sheets, and looks after the passivation \
                  line.",
        competences: &[
            (CNC_PROGRAMMING, "expert", "qualification"),
            (CHEMICALS, "awareness", "course"),
            (RCA, "practitioner", "course"),
        ],
        holders: &[("samuel", 900)],
        withdrawn: false,
    },
    JobRole {
        key: "supplier-quality",
        site: ORG,
        title: "Supplier quality engineer",
        purpose: "Evaluates, audits and develops suppliers for both sites.",
        competences: &[
            (SUPPLIER_AUDIT, "practitioner", "course"),
            (RCA, "practitioner", "course"),
        ],
        holders: &[("rafael", 700)],
        withdrawn: false,
    },
    JobRole {
        key: "auditor",
        site: ORG,
        title: "Internal auditor",
        purpose: "Plans and carries out internal audits at both sites.",
        competences: &[
            (AUDITING, "practitioner", "course"),
            (ISO13485, "practitioner", "course"),
            (ISO14001, "practitioner", "course"),
        ],
        holders: &[("grace", 1300), ("daniel", 400)],
        withdrawn: false,
    },
    JobRole {
        key: "site-manager",
        site: ORG,
        title: "Site manager",
        purpose: "Runs a site: production, people, safety and the site's part of the \
                  management system.",
        competences: &[
            (FIRST_AID, "practitioner", "qualification"),
            (FIRE, "practitioner", "course"),
        ],
        holders: &[("owen", 1800), ("tomasz", 2400)],
        withdrawn: false,
    },
    JobRole {
        key: "head-of-quality",
        site: ORG,
        title: "Head of quality and regulatory affairs",
        purpose: "Management representative; responsible for the quality system, regulatory \
                  submissions and reporting to authorities.",
        competences: &[
            (REGULATION, "expert", "course"),
            (COMPLAINTS, "expert", "experience"),
            (AUDITING, "practitioner", "course"),
        ],
        holders: &[("marcus", 2600)],
        withdrawn: false,
    },
    JobRole {
        key: "ehs-manager",
        site: ORG,
        title: "Environment, health and safety manager",
        purpose: "Leads the environmental and health and safety management at both sites.",
        competences: &[
            (OHS, "expert", "qualification"),
            (ENV_LAW, "practitioner", "course"),
            (FIRST_AID, "practitioner", "qualification"),
        ],
        holders: &[("priya", 1200)],
        withdrawn: false,
    },
    JobRole {
        key: "qms-admin",
        site: ORG,
        title: "Quality systems administrator",
        purpose: "Runs Annex and the other software of the quality system, and validates it.",
        competences: &[
            (VALIDATION, "practitioner", "course"),
            (INFOSEC, "awareness", "course"),
        ],
        holders: &[("ingrid", 900)],
        withdrawn: false,
    },
    JobRole {
        key: "vp200-service",
        site: BROOKFIELD,
        title: "VP-200 service technician",
        purpose: "Repaired and tested VP-200 pumps returned under service contracts.",
        competences: &[("VP-200 repair and test", "practitioner", "on_the_job")],
        holders: &[],
        withdrawn: true,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Planned, to be done by this many days from today (negative: overdue).
    Planned(i64),
    /// Completed this many days ago; waiting for its evaluation.
    Completed(i64),
    /// Completed this many days ago and verified; expires this many days from today.
    Effective(i64, Option<i64>),
    /// Completed and evaluated as not effective: planned again.
    NotEffective,
    /// Effective once, replaced by its refresher.
    Lapsed(i64),
    Cancelled,
}

use Story::*;

struct Training {
    person: &'static str,
    competence: &'static str,
    training_type: &'static str,
    description: &'static str,
    story: Story,
}

const fn t(
    person: &'static str,
    competence: &'static str,
    training_type: &'static str,
    description: &'static str,
    story: Story,
) -> Training {
    Training {
        person,
        competence,
        training_type,
        description,
        story,
    }
}

const TRAININGS: &[Training] = &[
    t(
        "ben",
        GOWNING,
        "on_the_job",
        "Gowning with the cleanroom supervisor, assessed at three entries.",
        Effective(1000, Some(300)),
    ),
    t(
        "ben",
        ESD,
        "course",
        "ESD awareness and handling, one-hour course by the ESD coordinator.",
        Effective(400, Some(-30)),
    ),
    t(
        "ben",
        ASSEMBLY,
        "on_the_job",
        "Two weeks at the assembly bench with a senior technician.",
        Effective(900, None),
    ),
    t(
        "ben",
        LEAK_TEST,
        "on_the_job",
        "Leak tester operation and reading the results.",
        Planned(-5),
    ),
    t(
        "chloe",
        SETUP,
        "on_the_job",
        "Set-up of the five-axis cells with the senior setter, three families.",
        Effective(500, None),
    ),
    t(
        "chloe",
        FAI,
        "on_the_job",
        "First article inspection on the CMM and with hand gauges.",
        Completed(6),
    ),
    t(
        "chloe",
        CHEMICALS,
        "course",
        "Safe handling of citric acid, spills and first aid for the passivation line.",
        Effective(760, Some(-35)),
    ),
    t(
        "aiko",
        RCA,
        "course",
        "Two-day root cause analysis course (five whys, fishbone, fault trees).",
        Effective(700, None),
    ),
    t(
        "aiko",
        COMPLAINTS,
        "course",
        "Complaint handling and vigilance reporting, in-house by the head of quality.",
        Effective(120, Some(610)),
    ),
    t(
        "aiko",
        MEASUREMENT,
        "course",
        "Measurement uncertainty and calibration, one-day course.",
        Effective(1300, None),
    ),
    t(
        "nora",
        RCA,
        "course",
        "Two-day root cause analysis course.",
        NotEffective,
    ),
    t(
        "nora",
        COMPLAINTS,
        "course",
        "Complaint handling and vigilance reporting, in-house.",
        Planned(20),
    ),
    t(
        "nora",
        MEASUREMENT,
        "course",
        "Measurement uncertainty and calibration, one-day course.",
        Effective(500, None),
    ),
    t(
        "leah",
        RISK,
        "course",
        "Risk management for medical devices, three-day course.",
        Effective(1500, None),
    ),
    t(
        "leah",
        DESIGN,
        "on_the_job",
        "Design control experience: three VP-300 design projects led.",
        Effective(1900, None),
    ),
    t(
        "leah",
        CYBER,
        "course",
        "Cybersecurity for connected medical devices, online course.",
        Planned(45),
    ),
    t(
        "samuel",
        CNC_PROGRAMMING,
        "qualification",
        "CAM programming certificate, five-axis.",
        Effective(850, None),
    ),
    t(
        "samuel",
        CHEMICALS,
        "course",
        "Safe handling of citric acid and the passivation line.",
        Effective(300, Some(430)),
    ),
    t(
        "samuel",
        RCA,
        "course",
        "Two-day root cause analysis course.",
        Planned(-12),
    ),
    t(
        "rafael",
        SUPPLIER_AUDIT,
        "course",
        "Supplier auditing, two-day course with a practice audit.",
        Effective(650, None),
    ),
    t(
        "rafael",
        RCA,
        "course",
        "Two-day root cause analysis course.",
        Effective(690, None),
    ),
    t(
        "grace",
        AUDITING,
        "course",
        "Internal auditor course, management-system audit guidance.",
        Effective(1250, None),
    ),
    t(
        "grace",
        ISO13485,
        "course",
        "ISO 13485 requirements, two days.",
        Effective(1200, None),
    ),
    t(
        "grace",
        ISO14001,
        "course",
        "ISO 14001 requirements, one day.",
        Effective(200, None),
    ),
    t(
        "daniel",
        AUDITING,
        "course",
        "Internal auditor course.",
        Effective(380, None),
    ),
    t(
        "daniel",
        ISO14001,
        "course",
        "ISO 14001 requirements, one day.",
        Effective(370, None),
    ),
    t(
        "daniel",
        ISO13485,
        "course",
        "ISO 13485 lead auditor course (external).",
        Cancelled,
    ),
    t(
        "daniel",
        ISO13485,
        "course",
        "ISO 13485 requirements, in-house with the lead auditor.",
        Planned(60),
    ),
    t(
        "owen",
        FIRST_AID,
        "qualification",
        "First aid at work, three-day certificate.",
        Effective(1110, Some(-15)),
    ),
    t(
        "owen",
        FIRE,
        "course",
        "Fire warden, half-day course.",
        Effective(200, Some(165)),
    ),
    t(
        "tomasz",
        FIRST_AID,
        "qualification",
        "First aid at work, three-day certificate.",
        Effective(900, Some(195)),
    ),
    t(
        "tomasz",
        FIRE,
        "course",
        "Fire warden, half-day course.",
        Lapsed(400),
    ),
    t(
        "tomasz",
        FIRE,
        "course",
        "Fire warden refresher, half-day course.",
        Effective(35, Some(330)),
    ),
    t(
        "marcus",
        REGULATION,
        "course",
        "European device regulation, five-day programme.",
        Effective(800, None),
    ),
    t(
        "marcus",
        AUDITING,
        "course",
        "Internal auditor course.",
        Effective(2000, None),
    ),
    t(
        "priya",
        OHS,
        "qualification",
        "Diploma in occupational health and safety.",
        Effective(2500, None),
    ),
    t(
        "priya",
        ENV_LAW,
        "course",
        "Environmental law update, one day.",
        Effective(150, Some(215)),
    ),
    t(
        "priya",
        FIRST_AID,
        "qualification",
        "First aid at work, three-day certificate.",
        Effective(1000, Some(95)),
    ),
    t(
        "ingrid",
        VALIDATION,
        "course",
        "Computer system validation for regulated companies, two days.",
        Effective(600, None),
    ),
    t(
        "ingrid",
        INFOSEC,
        "course",
        "Information security awareness, online, yearly.",
        Effective(340, Some(25)),
    ),
];

/// Documents revised to name the roles that work to them: title, role keys, who of the
/// holders have read the new revision.
const READING: &[(&str, &[&str], &[&str])] = &[
    (
        "VP-300 pump final assembly",
        &["assembler", "design-engineer"],
        &["ben"],
    ),
    (
        "CNC machining of drill guides",
        &["machinist", "manufacturing-engineer"],
        &["chloe"],
    ),
    (
        "Complaint handling",
        &["quality-engineer", "head-of-quality"],
        &["aiko", "marcus"],
    ),
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    for r in ROLES {
        role(d, r).await?;
    }
    d.made("job_role", ROLES.len());
    for t in TRAININGS {
        training(d, t).await?;
    }
    let mut reading = 0;
    for (title, roles, read) in READING {
        reading += name_roles(d, title, roles, read).await?;
    }
    d.made("training", TRAININGS.len() + reading);
    Ok(())
}

async fn role(d: &mut Demo<'_>, r: &JobRole) -> Result<(), Error> {
    let by = match r.site {
        BROOKFIELD => "owen",
        TARNSIDE => "tomasz",
        _ => "marcus",
    };
    let competences: Vec<Value> = r
        .competences
        .iter()
        .map(|(c, level, how)| json!({"competence": c, "level": level, "obtained_by": how}))
        .collect();
    let holders: Vec<Value> = r
        .holders
        .iter()
        .map(|(user, since)| json!({"user": user, "since": d.day(-since)}))
        .collect();
    let n = d
        .create(
            by,
            New {
                kind: "job_role",
                title: r.title,
                owner: Some(by),
                site: r.site,
                due_on: None,
                fields: json!({
                    "purpose": r.purpose,
                    "competences": competences,
                    "holders": holders,
                }),
                part_of: None,
            },
        )
        .await?;
    d.tag(format!("role:{}", r.key), &n);
    if r.withdrawn {
        d.step(
            by,
            &n,
            "withdraw",
            Some("The VP-200 service ended with the last contract."),
        )
        .await?;
    }
    Ok(())
}

/// The site of a person's training records: theirs, or the whole organisation.
fn site_of(person: &str) -> &'static str {
    match person {
        "ben" | "aiko" | "leah" => BROOKFIELD,
        "chloe" | "nora" | "samuel" => TARNSIDE,
        _ => ORG,
    }
}

async fn training(d: &mut Demo<'_>, t: &Training) -> Result<(), Error> {
    let site = site_of(t.person);
    // Each site's manager keeps the training of its people; the head of quality and the EHS
    // manager verify each other's and everyone else's.
    let (clerk, verifier) = match (site, t.person) {
        (BROOKFIELD, _) => ("owen", "owen"),
        (TARNSIDE, _) => ("tomasz", "tomasz"),
        (_, "marcus") => ("priya", "priya"),
        _ => ("marcus", "marcus"),
    };
    let mut fields = json!({
        "training_type": t.training_type,
        "competence": t.competence,
        "description": t.description,
    });
    let planned = match t.story {
        Planned(days) => Some(days),
        NotEffective => Some(30),
        Cancelled => Some(90),
        _ => None,
    };
    if let Some(days) = planned {
        fields["complete_by"] = json!(d.day(days));
    }
    let title = format!("{}: {}", t.competence, person_name(t.person));
    let n = d
        .create(
            clerk,
            New {
                kind: "training",
                title: &title,
                owner: Some(t.person),
                site,
                due_on: None,
                fields,
                part_of: None,
            },
        )
        .await?;
    let done = match t.story {
        Planned(_) => return Ok(()),
        Cancelled => {
            d.step(
                verifier,
                &n,
                "cancel",
                Some(
                    "The provider withdrew the course; an in-house session is planned \
                      instead.",
                ),
            )
            .await?;
            return Ok(());
        }
        Completed(ago) | Effective(ago, _) | Lapsed(ago) => ago,
        NotEffective => 40,
    };
    d.edit(clerk, &n, json!({"completed_on": d.day(-done)}))
        .await?;
    d.step(clerk, &n, "complete", None).await?;
    if matches!(t.story, Completed(_)) {
        return Ok(());
    }
    if t.story == NotEffective {
        d.step(
            verifier,
            &n,
            "not_effective",
            Some(
                "Her first investigation after the course stopped at the first why; to \
                  repeat the practical day with a coach.",
            ),
        )
        .await?;
        return Ok(());
    }
    let expires = match t.story {
        Effective(_, Some(days)) => Some(d.day(days)),
        Lapsed(_) => Some(d.day(-40)),
        _ => None,
    };
    let (method, result) = match t.training_type {
        "course" => ("test", "Passed the end-of-course test; applies it at work."),
        "qualification" => (
            "other",
            "Certificate seen and copied to the personnel file.",
        ),
        _ => (
            "observation",
            "Observed doing the work unaided to the instruction; competent.",
        ),
    };
    let mut fields = json!({
        "evaluation_method": method,
        "evaluation_result": result,
        "evaluated_on": d.day(-done + 7).min(d.day(0)),
    });
    if let Some(e) = expires {
        fields["expires_on"] = json!(e);
    }
    d.edit(clerk, &n, fields).await?;
    d.step(verifier, &n, "verify", None).await?;
    if let Lapsed(_) = t.story {
        d.step(
            clerk,
            &n,
            "lapse",
            Some("Expired; replaced by the refresher course."),
        )
        .await?;
    }
    Ok(())
}

fn person_name(username: &str) -> &'static str {
    super::org::PEOPLE
        .iter()
        .find(|p| p.username == username)
        .map_or("", |p| p.name)
}

/// Revises an effective document to name the roles that work to it; once the revision is in
/// effect, the roles' holders each have it to read, and those in `read` acknowledge it.
/// Returns the number of reading trainings that opened.
async fn name_roles(
    d: &mut Demo<'_>,
    title: &str,
    roles: &[&str],
    read: &[&str],
) -> Result<usize, Error> {
    let Some(doc) = d.tagged(&format!("doc:{title}")).first().cloned() else {
        return Ok(0);
    };
    let detail = d.reload(&doc).await?;
    let site = detail.record.site.clone();
    let (author, reviewer, approver) = match site.as_str() {
        BROOKFIELD => ("aiko", "leah", "owen"),
        TARNSIDE => ("nora", "samuel", "tomasz"),
        _ => ("marcus", "grace", "marcus"),
    };
    let rows: Vec<Value> = roles
        .iter()
        .filter_map(|k| d.tagged(&format!("role:{k}")).first().cloned())
        .map(|n| json!({"role": n}))
        .collect();
    d.step(
        author,
        &doc,
        "revise",
        Some(
            "The job roles that work to it are named, so that their holders are given \
              each revision to read.",
        ),
    )
    .await?;
    d.edit(
        author,
        &doc,
        json!({
            "used_by_roles": rows,
            "change_description": "Job roles that work to the document named; no change to \
                                   the method.",
        }),
    )
    .await?;
    d.step(author, &doc, "submit", None).await?;
    d.sign(reviewer, &doc, Meaning::Reviewed).await?;
    d.step(approver, &doc, "approve", None).await?;
    d.step(approver, &doc, "make_effective", None).await?;
    for person in read {
        d.acknowledge(person, &doc).await?;
    }
    let holders: usize = ROLES
        .iter()
        .filter(|r| roles.contains(&r.key))
        .map(|r| r.holders.len())
        .sum();
    Ok(holders)
}
