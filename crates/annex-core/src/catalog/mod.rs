//! The standards catalog: every standard Annex knows, its clause tree, the facts people compare
//! before choosing one, and the clause mappings between standards.
//!
//! The data lives in `standards/*.toml` at the workspace root and is compiled into the binary;
//! [`Catalog::builtin`] parses and validates it once. Clause titles are facts as published;
//! intents and facts are our own words (never ISO requirement text).

mod imports;
mod load;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::mapping::{Anchor, Table};

pub use imports::{ImportFormat, Origin};
pub use load::parse;

/// The discipline a standard serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Discipline {
    Quality,
    MedicalDeviceQuality,
    Environment,
    HealthAndSafety,
    InformationSecurity,
    Innovation,
    RiskManagement,
    ManagementSystems,
    /// A framework imported from a file (OSCAL, CISO Assistant): its discipline is whatever
    /// the file covers, which Annex does not guess.
    Imported,
}

impl Discipline {
    pub fn label(self) -> &'static str {
        match self {
            Self::Quality => "Quality",
            Self::MedicalDeviceQuality => "Medical-device quality",
            Self::Environment => "Environment",
            Self::HealthAndSafety => "Health and safety",
            Self::InformationSecurity => "Information security",
            Self::Innovation => "Innovation",
            Self::RiskManagement => "Risk management",
            Self::ManagementSystems => "Management systems",
            Self::Imported => "Imported framework",
        }
    }
}

/// Whether a document states requirements (certifiable), guidance, or a common structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Nature {
    Requirements,
    Guidance,
    Structure,
}

impl Nature {
    pub fn label(self) -> &'static str {
        match self {
            Self::Requirements => "Requirements",
            Self::Guidance => "Guidance",
            Self::Structure => "Common structure",
        }
    }
}

/// Which skeleton a standard's clauses follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Structure {
    /// The harmonized structure of 2021 (ISO/IEC Directives, Annex SL Appendix 2).
    Hs2021,
    /// The 2012 Annex SL high-level structure.
    Hls2012,
    /// A structure of its own (ISO 13485:2016 keeps the ISO 9001:2008 layout).
    Own,
}

impl Structure {
    pub fn label(self) -> &'static str {
        match self {
            Self::Hs2021 => "Harmonized structure (2021)",
            Self::Hls2012 => "Annex SL high-level structure (2012)",
            Self::Own => "Own structure",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Current,
    Withdrawn,
}

/// How well a clause title is backed by public sources (see `shared/reference/standards.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verification {
    /// Not seen in a public source: written from recollection, to be checked.
    U,
    /// Seen in exactly one public source.
    V1,
    /// Seen in two or more independent public sources.
    V2,
}

impl Verification {
    pub fn label(self) -> &'static str {
        match self {
            Self::V2 => "verified in two or more public sources",
            Self::V1 => "seen in one public source",
            Self::U => "unverified: check against a purchased copy",
        }
    }
}

/// The four themes of ISO/IEC 27001:2022 Annex A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

/// How a clause relates to the harmonized-structure clause it is anchored to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AnchorRelation {
    Equal,
    Subset,
    Superset,
    Intersect,
}

/// A standard that people weigh against this one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Related {
    pub id: String,
    pub designation: String,
    pub relation: String,
}

/// The facts people compare before choosing a standard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub focus: String,
    pub scope: String,
    pub who_needs_it: String,
    pub risk_approach: String,
    pub certification_path: String,
    pub implementation_time: String,
    pub key_requirements: Vec<String>,
    pub related: Vec<Related>,
}

impl Facts {
    /// A fact by its field name, as cited by recommendation reasons.
    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "focus" => Some(&self.focus),
            "scope" => Some(&self.scope),
            "who_needs_it" => Some(&self.who_needs_it),
            "risk_approach" => Some(&self.risk_approach),
            "certification_path" => Some(&self.certification_path),
            "implementation_time" => Some(&self.implementation_time),
            _ => None,
        }
    }
}

/// One numbered clause (or Annex A control) of a standard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub number: String,
    /// The title as published.
    pub title: String,
    pub verification: Verification,
    /// What the clause is for, in our own words.
    pub intent: String,
    /// Documents (maintained) and records (retained) the clause calls for.
    pub documented_information: Vec<String>,
    /// The harmonized-structure clause whose common content this clause carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_relation: Option<AnchorRelation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Index of the parent clause in the standard's clause list (derived from the number).
    #[serde(skip)]
    pub parent: Option<usize>,
    /// 0 for top-level clauses ("4", "A.5"), 1 for "4.1", and so on.
    #[serde(skip)]
    pub depth: usize,
    /// Answered in an assessment: a requirement clause with no sub-clauses (its parent is a
    /// heading over them), or, for an imported framework, what its source marks assessable.
    #[serde(skip)]
    pub assessable: bool,
    /// A clause of an imported framework: every one of them is a requirement, whatever its
    /// number (an imported "1" or "2" is not a scope or references clause).
    #[serde(skip)]
    pub imported: bool,
}

impl Clause {
    /// Requirement clauses are those compared and assessed: clauses 4 and later, and annex
    /// controls; clauses 1–3 (scope, references, terms) state no requirements.
    pub fn is_requirement(&self) -> bool {
        if self.imported {
            return true;
        }
        let top = self.number.split('.').next().unwrap_or("");
        match top.parse::<u32>() {
            Ok(n) => n >= 4,
            Err(_) => true,
        }
    }

    /// True for annex entries such as ISO/IEC 27001 Annex A controls.
    pub fn is_annex(&self) -> bool {
        self.number.starts_with(|c: char| c.is_ascii_alphabetic())
    }
}

/// A standard with its facts and clause tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// Lower-case id users type, e.g. `iso9001:2015`.
    pub id: String,
    /// As printed, e.g. `ISO 9001:2015`.
    pub designation: String,
    pub title: String,
    pub discipline: Discipline,
    pub nature: Nature,
    pub certifiable: bool,
    pub structure: Structure,
    pub status: Status,
    pub published: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    #[serde(default)]
    pub amendments: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub facts: Facts,
    /// Where the standard lets an organisation declare a requirement not applicable; none
    /// means every requirement applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<NotApplicable>,
    /// Set for a framework imported from a file: which file, in what format, and what a
    /// partial import left out. Built-in standards have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    pub clauses: Vec<Clause>,
}

/// The clauses a standard lets an organisation declare not applicable, always with a
/// justification kept: ISO 9001's non-applicable requirements, ISO 13485's exclusions,
/// the ISO/IEC 27001 Statement of Applicability.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    /// Clause numbers; a clause is covered when it is one of them or below one.
    pub clauses: Vec<String>,
    /// Where the standard allows it, in our own words (shown when the answer is refused).
    pub basis: String,
}

impl NotApplicable {
    /// Whether clause `number` may be declared not applicable.
    pub fn permits(&self, number: &str) -> bool {
        self.clauses.iter().any(|c| {
            number == c
                || number
                    .strip_prefix(c.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

impl Standard {
    pub fn clause(&self, number: &str) -> Option<&Clause> {
        self.clause_index(number).map(|i| &self.clauses[i])
    }

    pub fn clause_index(&self, number: &str) -> Option<usize> {
        self.clauses.iter().position(|c| c.number == number)
    }

    /// The clauses that count in comparisons and assessments (see [`Clause::is_requirement`]).
    pub fn requirements(&self) -> impl Iterator<Item = (usize, &Clause)> {
        self.clauses
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_requirement())
    }

    /// Indices of the direct children of clause `i`, or of the top level for `None`.
    pub fn children(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        self.clauses
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.parent == parent)
            .map(|(i, _)| i)
    }

    pub fn is_current(&self) -> bool {
        self.status == Status::Current
    }
}

/// Every standard and mapping, validated and indexed.
#[derive(Debug)]
pub struct Catalog {
    pub(crate) standards: Vec<Standard>,
    pub(crate) by_id: HashMap<String, usize>,
    /// Explicit mapping tables, resolved to clause indices.
    pub(crate) tables: Vec<Table>,
    /// Per standard, per clause: the harmonized-structure clauses it carries.
    pub(crate) anchors: Vec<Vec<Vec<Anchor>>>,
    /// Index of `hs:2021`, the backbone every anchor points into.
    pub(crate) hs: usize,
}

/// The id of the harmonized structure, the backbone of anchors.
pub const HS_ID: &str = "hs:2021";

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

impl Catalog {
    /// The catalog compiled into the binary, parsed and validated on first use.
    pub fn builtin() -> Result<&'static Catalog, Error> {
        static BUILTIN: std::sync::OnceLock<Result<Catalog, Vec<crate::CatalogError>>> =
            std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(Self::load_builtin)
            .as_ref()
            .map_err(|errors| Error::Catalog(errors.clone()))
    }

    /// Parses and validates the embedded files anew (what start-up does once; benchmarked).
    pub fn load_builtin() -> Result<Catalog, Vec<crate::CatalogError>> {
        parse(embedded::STANDARD_FILES, embedded::MAPPING_FILES)
    }

    pub fn standards(&self) -> &[Standard] {
        &self.standards
    }

    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.index_of(id).map(|i| &self.standards[i])
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(&normalise_id(id)).copied()
    }

    /// Finds a standard by id or designation, case-insensitively; otherwise an error naming
    /// the closest ids.
    pub fn resolve(&self, input: &str) -> Result<&Standard, Error> {
        self.resolve_index(input).map(|i| &self.standards[i])
    }

    pub(crate) fn resolve_index(&self, input: &str) -> Result<usize, Error> {
        if let Some(i) = self.index_of(input) {
            return Ok(i);
        }
        Err(Error::UnknownStandard {
            input: input.to_string(),
            closest: self.closest(input),
        })
    }

    /// Up to three ids nearest to `input`: ids sharing its stem first, then by edit distance.
    pub fn closest(&self, input: &str) -> Vec<String> {
        let wanted = normalise_id(input);
        let stem = wanted.split(':').next().unwrap_or("").to_string();
        let mut scored: Vec<(usize, f64, bool, u16, &str)> = self
            .standards
            .iter()
            .map(|s| {
                let id = normalise_id(&s.id);
                let same_stem = !stem.is_empty() && id.split(':').next() == Some(stem.as_str());
                let contains = !stem.is_empty() && id.contains(&stem);
                let rank = if same_stem {
                    0
                } else if contains {
                    1
                } else {
                    2
                };
                let similarity = strsim::normalized_levenshtein(&wanted, &id);
                (
                    rank,
                    similarity,
                    !s.is_current(),
                    u16::MAX - s.published,
                    s.id.as_str(),
                )
            })
            .collect();
        // Nearest stem first, then most similar, then current and newest editions.
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.total_cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        scored
            .into_iter()
            .take(3)
            .map(|(.., id)| id.to_string())
            .collect()
    }

    pub fn hs(&self) -> &Standard {
        &self.standards[self.hs]
    }

    /// The harmonized-structure clauses that clause `clause` of standard `std` carries.
    pub(crate) fn anchors(&self, std: usize, clause: usize) -> &[Anchor] {
        self.anchors
            .get(std)
            .and_then(|a| a.get(clause))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Explicit mapping tables (Annex B of ISO 13485, N1293, ...), as loaded.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }
}

/// The lookup key of an id or designation: `ISO/IEC 27001:2022`, `iso 27001:2022` and
/// `iso27001:2022` are one key.
pub(crate) fn normalise_id(s: &str) -> String {
    let kept: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect();
    kept.replace("isoiec", "iso")
}

/// A clause with its children, for the API and the clause-tree views.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseNode {
    #[serde(flatten)]
    pub clause: Clause,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<ClauseNode>,
}

/// A clause that matched a catalog search.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub standard: String,
    pub designation: String,
    pub number: String,
    pub title: String,
    pub intent: String,
    pub verification: Verification,
}

impl Standard {
    /// The clause list as a tree, top-level clauses first.
    pub fn tree(&self) -> Vec<ClauseNode> {
        self.subtree(None)
    }

    fn subtree(&self, parent: Option<usize>) -> Vec<ClauseNode> {
        self.children(parent)
            .map(|i| ClauseNode {
                clause: self.clauses[i].clone(),
                children: self.subtree(Some(i)),
            })
            .collect()
    }
}

impl AnchorRelation {
    pub fn label(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Intersect => "intersect",
        }
    }
}

impl Catalog {
    /// The harmonized-structure clause a clause is anchored to, with the relation.
    pub fn anchor_of(&self, c: &Clause) -> Option<(AnchorRelation, &Clause)> {
        let relation = c.anchor_relation?;
        self.hs()
            .clause(c.anchor.as_deref()?)
            .map(|h| (relation, h))
    }

    /// Clauses whose number, title or intent contain every word of `query` (case-insensitive),
    /// current standards first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut order: Vec<&Standard> = self.standards.iter().collect();
        order.sort_by_key(|s| !s.is_current());
        let mut hits = Vec::new();
        for s in order {
            for c in &s.clauses {
                let hay = format!("{} {} {}", c.number, c.title, c.intent).to_lowercase();
                if words.iter().all(|w| hay.contains(w.as_str())) {
                    hits.push(SearchHit {
                        standard: s.id.clone(),
                        designation: s.designation.clone(),
                        number: c.number.clone(),
                        title: c.title.clone(),
                        intent: c.intent.clone(),
                        verification: c.verification,
                    });
                    if hits.len() >= limit {
                        return hits;
                    }
                }
            }
        }
        hits
    }
}
