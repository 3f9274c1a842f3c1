//! Which standards an organisation should pursue, in what order, and why.
//!
//! A handful of answers (industry, regulated market, customers' demands, environmental and
//! safety obligations, information-security exposure, innovation ambitions, standards
//! already held) trigger weighted rules. Every rule cites a fact of the standard it
//! recommends, and the reason shown quotes that fact from the catalog, so each
//! recommendation can be traced to data a person can check. The effort saved is the share
//! of the recommended standard's requirement clauses that the standards already held cover,
//! computed from the same mappings as the comparison.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::Error;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Industry {
    MedicalDevices,
    Manufacturing,
    SoftwareIt,
    Services,
    Construction,
    Energy,
    Food,
    Automotive,
    PublicSector,
    #[default]
    Other,
}

impl Industry {
    pub const ALL: [Industry; 10] = [
        Self::MedicalDevices,
        Self::Manufacturing,
        Self::SoftwareIt,
        Self::Services,
        Self::Construction,
        Self::Energy,
        Self::Food,
        Self::Automotive,
        Self::PublicSector,
        Self::Other,
    ];

    /// The kebab-case value used on the command line, in the API and in forms.
    pub fn key(self) -> &'static str {
        match self {
            Self::MedicalDevices => "medical-devices",
            Self::Manufacturing => "manufacturing",
            Self::SoftwareIt => "software-it",
            Self::Services => "services",
            Self::Construction => "construction",
            Self::Energy => "energy",
            Self::Food => "food",
            Self::Automotive => "automotive",
            Self::PublicSector => "public-sector",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::MedicalDevices => "Medical devices",
            Self::Manufacturing => "Manufacturing",
            Self::SoftwareIt => "Software and IT services",
            Self::Services => "Professional services",
            Self::Construction => "Construction",
            Self::Energy => "Energy and utilities",
            Self::Food => "Food and beverage",
            Self::Automotive => "Automotive",
            Self::PublicSector => "Public sector",
            Self::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|i| i.key() == s.trim().to_lowercase())
    }
}

/// How much sensitive information, or how many critical systems, the organisation handles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    #[default]
    Low,
    Medium,
    High,
}

impl Exposure {
    pub const ALL: [Exposure; 3] = [Self::Low, Self::Medium, Self::High];

    pub fn key(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.key() == s.trim().to_lowercase())
    }
}

/// What the organisation tells us about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answers {
    #[serde(default)]
    pub industry: Industry,
    /// It sells into a regulated market (FDA, EU MDR, Health Canada...).
    #[serde(default)]
    pub regulated_market: bool,
    /// Customers or tenders require a certified management system.
    #[serde(default)]
    pub customers_require_certification: bool,
    /// Significant environmental aspects or obligations (permits, emissions, waste...).
    #[serde(default)]
    pub environmental_obligations: bool,
    /// Significant occupational health and safety hazards or obligations.
    #[serde(default)]
    pub safety_obligations: bool,
    #[serde(default)]
    pub infosec_exposure: Exposure,
    /// It wants to manage innovation systematically.
    #[serde(default)]
    pub innovation: bool,
    /// Standards already held (ids or designations).
    #[serde(default)]
    pub held: Vec<String>,
}

/// One reason for a recommendation, with the catalog fact it rests on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// Why, given the answers.
    pub why: String,
    /// The standard whose fact is cited.
    pub standard: String,
    /// The cited fact's field (`who_needs_it`, `scope`, ...).
    pub fact: String,
    /// The fact as the catalog states it.
    pub quote: String,
    pub weight: u32,
}

/// The share of a standard already covered by standards held (or recommended before it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// Requirement clauses related to at least one of `by`.
    pub shared: usize,
    pub total: usize,
    pub percent: f64,
    pub by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommended {
    pub rank: usize,
    pub id: String,
    pub designation: String,
    pub title: String,
    pub certifiable: bool,
    pub score: u32,
    pub reasons: Vec<Reason>,
    /// What the standards already held cover of it: the effort saved.
    pub saved_effort: Option<Coverage>,
    /// What the held standards and those ranked before it cover together.
    pub builds_on: Option<Coverage>,
    pub implementation_time: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    pub answers: Answers,
    /// Ids of the standards held, as resolved.
    pub held: Vec<String>,
    pub recommended: Vec<Recommended>,
}

type When = fn(&Answers) -> bool;

/// A rule: when the answers match, recommend `standard` with `weight`, citing its `fact`.
struct Rule {
    standard: &'static str,
    weight: u32,
    fact: &'static str,
    why: &'static str,
    when: When,
}

fn in_industries(a: &Answers, list: &[Industry]) -> bool {
    list.contains(&a.industry)
}

const RULES: &[Rule] = &[
    Rule {
        standard: "iso13485:2016",
        weight: 100,
        fact: "who_needs_it",
        why: "You design, make or supply medical devices: ISO 13485 is the quality system the sector expects.",
        when: |a| a.industry == Industry::MedicalDevices,
    },
    Rule {
        standard: "iso13485:2016",
        weight: 50,
        fact: "scope",
        why: "You sell into a regulated market, where regulators build on an ISO 13485 quality system.",
        when: |a| a.industry == Industry::MedicalDevices && a.regulated_market,
    },
    Rule {
        standard: "iso14971:2019",
        weight: 70,
        fact: "who_needs_it",
        why: "Medical-device risk management is expected alongside ISO 13485 and by regulators.",
        when: |a| a.industry == Industry::MedicalDevices,
    },
    Rule {
        standard: "iso9001:2015",
        weight: 90,
        fact: "who_needs_it",
        why: "Your customers or tenders ask for a certified quality management system.",
        when: |a| a.customers_require_certification && a.industry != Industry::MedicalDevices,
    },
    Rule {
        standard: "iso9001:2015",
        weight: 35,
        fact: "who_needs_it",
        why: "Customers outside the medical sector often ask for ISO 9001; most of it is covered by ISO 13485.",
        when: |a| a.customers_require_certification && a.industry == Industry::MedicalDevices,
    },
    Rule {
        standard: "iso9001:2015",
        weight: 30,
        fact: "focus",
        why: "A quality management system is the usual foundation on which the other standards are integrated.",
        when: |a| a.industry != Industry::MedicalDevices,
    },
    Rule {
        standard: "iso14001:2015",
        weight: 90,
        fact: "who_needs_it",
        why: "You have significant environmental aspects or obligations to manage.",
        when: |a| a.environmental_obligations,
    },
    Rule {
        standard: "iso14001:2015",
        weight: 25,
        fact: "scope",
        why: "Your industry typically has environmental permits, emissions or waste to control.",
        when: |a| {
            in_industries(
                a,
                &[
                    Industry::Manufacturing,
                    Industry::Construction,
                    Industry::Energy,
                    Industry::Food,
                    Industry::Automotive,
                ],
            )
        },
    },
    Rule {
        standard: "iso45001:2018",
        weight: 90,
        fact: "who_needs_it",
        why: "You have significant occupational health and safety hazards or obligations.",
        when: |a| a.safety_obligations,
    },
    Rule {
        standard: "iso45001:2018",
        weight: 25,
        fact: "scope",
        why: "Your industry typically exposes workers to significant hazards.",
        when: |a| {
            in_industries(
                a,
                &[
                    Industry::Construction,
                    Industry::Manufacturing,
                    Industry::Energy,
                    Industry::Automotive,
                ],
            )
        },
    },
    Rule {
        standard: "iso27001:2022",
        weight: 90,
        fact: "who_needs_it",
        why: "You handle highly sensitive information or critical systems.",
        when: |a| a.infosec_exposure == Exposure::High,
    },
    Rule {
        standard: "iso27001:2022",
        weight: 50,
        fact: "who_needs_it",
        why: "You handle information whose loss or disclosure would hurt you or your customers.",
        when: |a| a.infosec_exposure == Exposure::Medium,
    },
    Rule {
        standard: "iso27001:2022",
        weight: 40,
        fact: "scope",
        why: "Software and IT customers commonly ask for ISO/IEC 27001 certification.",
        when: |a| a.industry == Industry::SoftwareIt,
    },
    Rule {
        standard: "iso56002:2019",
        weight: 60,
        fact: "focus",
        why: "You want to manage innovation systematically.",
        when: |a| a.innovation,
    },
];

impl Catalog {
    /// Recommends standards for `answers`; an unknown held id is an error.
    pub fn recommend(&self, answers: &Answers) -> Result<Recommendation, Error> {
        let mut held: Vec<usize> = Vec::new();
        for h in &answers.held {
            let i = self.resolve_index(h)?;
            if !held.contains(&i) {
                held.push(i);
            }
        }
        let held_set: BTreeSet<usize> = held.iter().copied().collect();

        // Score every standard the rules name, plus successors of withdrawn standards held.
        let mut scored: Vec<(usize, u32, Vec<Reason>)> = Vec::new();
        let mut add = |this: &Catalog, i: usize, reason: Reason| {
            if held_set.contains(&i) || !this.standards[i].is_current() {
                return;
            }
            match scored.iter_mut().find(|(x, _, _)| *x == i) {
                Some((_, score, reasons)) => {
                    *score += reason.weight;
                    reasons.push(reason);
                }
                None => scored.push((i, reason.weight, vec![reason])),
            }
        };
        for rule in RULES.iter().filter(|r| (r.when)(answers)) {
            let Some(i) = self.index_of(rule.standard) else {
                continue;
            };
            let s = &self.standards[i];
            add(
                self,
                i,
                Reason {
                    why: rule.why.to_string(),
                    standard: s.id.clone(),
                    fact: rule.fact.to_string(),
                    quote: s.facts.get(rule.fact).unwrap_or_default().to_string(),
                    weight: rule.weight,
                },
            );
        }
        for &h in &held {
            let old = &self.standards[h];
            let Some(successor) = old
                .superseded_by
                .as_deref()
                .and_then(|id| self.index_of(id))
            else {
                continue;
            };
            add(
                self,
                successor,
                Reason {
                    why: format!(
                        "You hold {}, which is withdrawn: move to its successor.",
                        old.designation
                    ),
                    standard: old.id.clone(),
                    fact: "superseded_by".into(),
                    quote: old.superseded_by.clone().unwrap_or_default(),
                    weight: 120,
                },
            );
        }

        // Order: strongest case first; among equals, the one already most covered first.
        let mut ranked: Vec<(usize, u32, Vec<Reason>, Option<Coverage>)> = scored
            .into_iter()
            .map(|(i, score, reasons)| {
                let saved = self.coverage(i, &held);
                (i, score, reasons, saved)
            })
            .collect();
        ranked.sort_by(|x, y| {
            y.1.cmp(&x.1)
                .then_with(|| {
                    let px = x.3.as_ref().map_or(0.0, |c| c.percent);
                    let py = y.3.as_ref().map_or(0.0, |c| c.percent);
                    py.total_cmp(&px)
                })
                .then_with(|| self.standards[x.0].id.cmp(&self.standards[y.0].id))
        });

        let mut before = held.clone();
        let recommended = ranked
            .into_iter()
            .enumerate()
            .map(|(rank, (i, score, reasons, saved_effort))| {
                let builds_on = self.coverage(i, &before);
                before.push(i);
                let s = &self.standards[i];
                Recommended {
                    rank: rank + 1,
                    id: s.id.clone(),
                    designation: s.designation.clone(),
                    title: s.title.clone(),
                    certifiable: s.certifiable,
                    score,
                    reasons,
                    saved_effort,
                    builds_on,
                    implementation_time: s.facts.implementation_time.clone(),
                }
            })
            .collect();
        Ok(Recommendation {
            answers: answers.clone(),
            held: held.iter().map(|&i| self.standards[i].id.clone()).collect(),
            recommended,
        })
    }

    /// The share of standard `target`'s requirement clauses related to any of `by`.
    fn coverage(&self, target: usize, by: &[usize]) -> Option<Coverage> {
        if by.is_empty() {
            return None;
        }
        let t = &self.standards[target];
        let mut hit = vec![false; t.clauses.len()];
        for &b in by {
            let sb = &self.standards[b];
            for l in self.links(target, b) {
                if t.clauses[l.a].is_requirement() && sb.clauses[l.b].is_requirement() {
                    hit[l.a] = true;
                }
            }
        }
        let total = t.requirements().count();
        let shared = t.requirements().filter(|(i, _)| hit[*i]).count();
        let percent = crate::compare::percent(shared, total);
        Some(Coverage {
            shared,
            total,
            percent,
            by: by.iter().map(|&b| self.standards[b].id.clone()).collect(),
        })
    }
}
