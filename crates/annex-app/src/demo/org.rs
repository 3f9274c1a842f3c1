//! The demo company: Veltmark Medical, a fictional maker of ambulatory infusion pumps and
//! reusable orthopaedic instruments, certified to ISO 9001 and ISO 13485 and working towards
//! ISO 14001. Two sites, fifteen people, every role. Names and places are invented.

use annex_core::role::Role;

pub const COMPANY: &str = "Veltmark Medical Ltd";

/// Every demo account has this password; the demo prints it, and so does the README. It is
/// a demo: never load it into a database that holds real records.
pub const PASSWORD: &str = "veltmark-demo";

/// The domain of the demo's email addresses (reserved for examples, so no mail goes astray).
pub const EMAIL_DOMAIN: &str = "veltmark.example";

/// A site of the company.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// The site code records carry.
    pub code: &'static str,
    pub name: &'static str,
    pub what: &'static str,
}

pub const BROOKFIELD: &str = "brookfield";
pub const TARNSIDE: &str = "tarnside";

pub const SITES: [Site; 2] = [
    Site {
        code: BROOKFIELD,
        name: "Brookfield",
        what: "head office and design centre; assembly and test of the VP-300 ambulatory \
               infusion pump and its administration sets in a class 7 cleanroom",
    },
    Site {
        code: TARNSIDE,
        name: "Tarnside",
        what: "CNC machining, passivation, laser marking and packing of reusable orthopaedic \
               instruments (drill guides, bone awls, reamers, retractors), supplied non-sterile",
    },
];

/// A person at the company, with the account they log in with.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub username: &'static str,
    /// Printed name, as their signatures show it.
    pub name: &'static str,
    pub role: Role,
    pub job: &'static str,
    /// The sites they are limited to; empty for the whole organisation.
    pub sites: &'static [&'static str],
    /// For an external auditor: days from the demo's making until access ends.
    pub access_days: Option<i64>,
}

const fn person(
    username: &'static str,
    name: &'static str,
    role: Role,
    job: &'static str,
    sites: &'static [&'static str],
) -> Person {
    Person {
        username,
        name,
        role,
        job,
        sites,
        access_days: None,
    }
}

/// The people, administrator first.
pub const PEOPLE: [Person; 15] = [
    person(
        "ingrid",
        "Ingrid Valdez",
        Role::Administrator,
        "Quality systems administrator",
        &[],
    ),
    person(
        "marcus",
        "Marcus Hale",
        Role::Manager,
        "Head of quality and regulatory affairs",
        &[],
    ),
    person(
        "priya",
        "Priya Raman",
        Role::Manager,
        "Environment, health and safety manager",
        &[],
    ),
    person(
        "owen",
        "Owen Brady",
        Role::Manager,
        "Brookfield operations manager",
        &[BROOKFIELD],
    ),
    person(
        "tomasz",
        "Tomasz Nowak",
        Role::Manager,
        "Tarnside site manager",
        &[TARNSIDE],
    ),
    person(
        "grace",
        "Grace Whitfield",
        Role::Auditor,
        "Lead internal auditor",
        &[],
    ),
    person(
        "daniel",
        "Daniel Osei",
        Role::Auditor,
        "Internal auditor, environment",
        &[],
    ),
    person(
        "leah",
        "Leah Fischer",
        Role::Contributor,
        "Design engineer",
        &[BROOKFIELD],
    ),
    person(
        "aiko",
        "Aiko Tanaka",
        Role::Contributor,
        "Quality engineer, Brookfield",
        &[BROOKFIELD],
    ),
    person(
        "rafael",
        "Rafael Moreno",
        Role::Contributor,
        "Supplier quality engineer",
        &[],
    ),
    person(
        "samuel",
        "Samuel Carter",
        Role::Contributor,
        "Manufacturing engineer, Tarnside",
        &[TARNSIDE],
    ),
    person(
        "nora",
        "Nora Lindqvist",
        Role::Contributor,
        "Quality engineer, Tarnside",
        &[TARNSIDE],
    ),
    person(
        "ben",
        "Ben Adeyemi",
        Role::Reader,
        "Assembly technician",
        &[BROOKFIELD],
    ),
    person(
        "chloe",
        "Chloe Martin",
        Role::Reader,
        "CNC machinist",
        &[TARNSIDE],
    ),
    Person {
        username: "henrik",
        name: "Henrik Sorensen",
        role: Role::ExternalAuditor,
        job: "Auditor from the notified body",
        sites: &[],
        access_days: Some(42),
    },
];

/// The first administrator, who sets the system up.
pub fn administrator() -> &'static Person {
    &PEOPLE[0]
}

/// Who at a site does what: the people the content files give work to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crew {
    pub site: &'static str,
    /// Contributors who write, investigate and carry out.
    pub workers: &'static [&'static str],
    /// Managers who approve, verify and close.
    pub deciders: &'static [&'static str],
    /// People who read and acknowledge the site's documents.
    pub readers: &'static [&'static str],
}

pub(crate) const CREWS: [Crew; 2] = [
    Crew {
        site: BROOKFIELD,
        workers: &["aiko", "leah", "rafael"],
        deciders: &["owen", "marcus"],
        readers: &["ben", "aiko", "leah", "owen"],
    },
    Crew {
        site: TARNSIDE,
        workers: &["nora", "samuel", "rafael"],
        deciders: &["tomasz", "marcus"],
        readers: &["chloe", "nora", "samuel", "tomasz"],
    },
];

/// The crew of a site; the first site's for the whole organisation.
pub(crate) fn crew(site: &str) -> &'static Crew {
    CREWS.iter().find(|c| c.site == site).unwrap_or(&CREWS[0])
}
