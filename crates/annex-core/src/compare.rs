//! Comparison of two or more standards, computed from the catalog's mappings: the clauses they
//! share and how, those unique to each, the overlap in both directions, the clause-by-clause
//! alignment on the harmonized structure, and the facts side by side.
//!
//! Only requirement clauses count (clauses 4 onwards and annex controls; see
//! [`crate::catalog::Clause::is_requirement`]): scope, references and terms state nothing to
//! comply with.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Catalog, Clause, Standard, Verification};
use crate::error::Error;
use crate::mapping::{Basis, Link, Relationship};

/// A clause named in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseRef {
    pub number: String,
    pub title: String,
    pub verification: Verification,
}

impl From<&Clause> for ClauseRef {
    fn from(c: &Clause) -> Self {
        Self {
            number: c.number.clone(),
            title: c.title.clone(),
            verification: c.verification,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StandardSummary {
    pub id: String,
    pub designation: String,
    pub title: String,
    /// Requirement clauses counted (the denominator of the overlap figures).
    pub requirements: usize,
}

/// One relationship between a clause of `a` and a clause of `b`, with its reason.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedClause {
    pub a: ClauseRef,
    pub b: ClauseRef,
    /// The clause of `a` is `relationship` of the clause of `b`.
    pub relationship: Relationship,
    /// 1–10: how close they are.
    pub strength: u8,
    pub basis: Basis,
    /// The basis in one readable line.
    pub why: String,
}

/// Overlap of a pair of standards, in both directions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairOverlap {
    pub a: String,
    pub b: String,
    /// Requirement clauses of `a`.
    pub a_total: usize,
    /// Requirement clauses of `a` related to at least one of `b`.
    pub a_shared: usize,
    /// `a_shared / a_total` in percent, one decimal.
    pub a_percent: f64,
    pub b_total: usize,
    pub b_shared: usize,
    pub b_percent: f64,
    /// How many clause relationships of each type join the two.
    pub relationships: BTreeMap<Relationship, usize>,
    pub shared: Vec<SharedClause>,
}

/// One line of the clause-by-clause alignment: clauses of the compared standards that are
/// related (directly or through each other), under the harmonized-structure clause they carry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlignmentRow {
    /// The harmonized-structure clause most of the row carries, if any.
    pub hs: Option<ClauseRef>,
    /// One cell per compared standard, in the order given; empty where it has no clause here.
    pub cells: Vec<Vec<ClauseRef>>,
    /// How many of the compared standards have a clause in this row.
    pub standards: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UniqueClauses {
    pub id: String,
    pub clauses: Vec<ClauseRef>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactRow {
    pub label: String,
    /// One value per compared standard, in the order given.
    pub values: Vec<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub standards: Vec<StandardSummary>,
    /// Every pair, in the order the standards were given.
    pub pairs: Vec<PairOverlap>,
    pub alignment: Vec<AlignmentRow>,
    /// Alignment rows in which every compared standard has a clause.
    pub shared_by_all: usize,
    /// Per standard: requirement clauses related to none of the other compared standards.
    pub unique: Vec<UniqueClauses>,
    pub facts: Vec<FactRow>,
}

impl Comparison {
    /// The overlap of `a` with `b`, whichever order the pair was computed in.
    pub fn pair(&self, a: &str, b: &str) -> Option<(usize, usize, f64)> {
        self.pairs.iter().find_map(|p| {
            if p.a == a && p.b == b {
                Some((p.a_shared, p.a_total, p.a_percent))
            } else if p.a == b && p.b == a {
                Some((p.b_shared, p.b_total, p.b_percent))
            } else {
                None
            }
        })
    }
}

/// `part / whole` in percent, rounded to one decimal; 0 for an empty whole.
pub(crate) fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

impl Catalog {
    /// Compares the standards named by `ids` (ids or designations). Unknown ids are an error
    /// naming the closest known ones.
    pub fn compare<S: AsRef<str>>(&self, ids: &[S]) -> Result<Comparison, Error> {
        let indices = ids
            .iter()
            .map(|id| self.resolve_index(id.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.compare_indices(&indices))
    }

    /// Requirement-clause links from standard `a` to standard `b`.
    fn requirement_links(&self, a: usize, b: usize) -> Vec<Link> {
        let (sa, sb) = (&self.standards[a], &self.standards[b]);
        self.links(a, b)
            .into_iter()
            .filter(|l| sa.clauses[l.a].is_requirement() && sb.clauses[l.b].is_requirement())
            .collect()
    }

    pub(crate) fn compare_indices(&self, indices: &[usize]) -> Comparison {
        let stds: Vec<&Standard> = indices.iter().map(|&i| &self.standards[i]).collect();
        // Union-find over (position in `indices`, clause index) for the alignment.
        let offsets: Vec<usize> = stds
            .iter()
            .scan(0, |acc, s| {
                let start = *acc;
                *acc += s.clauses.len();
                Some(start)
            })
            .collect();
        let total: usize = stds.iter().map(|s| s.clauses.len()).sum();
        let mut parent: Vec<usize> = (0..total).collect();
        let mut linked = vec![false; total];

        let mut pairs = Vec::new();
        for x in 0..indices.len() {
            for y in x + 1..indices.len() {
                let (sa, sb) = (stds[x], stds[y]);
                let links = self.requirement_links(indices[x], indices[y]);
                let mut a_hit = vec![false; sa.clauses.len()];
                let mut b_hit = vec![false; sb.clauses.len()];
                let mut relationships = BTreeMap::new();
                let mut shared = Vec::with_capacity(links.len());
                for l in &links {
                    a_hit[l.a] = true;
                    b_hit[l.b] = true;
                    *relationships.entry(l.relation).or_insert(0) += 1;
                    let (ga, gb) = (offsets[x] + l.a, offsets[y] + l.b);
                    linked[ga] = true;
                    linked[gb] = true;
                    union(&mut parent, ga, gb);
                    shared.push(SharedClause {
                        a: (&sa.clauses[l.a]).into(),
                        b: (&sb.clauses[l.b]).into(),
                        relationship: l.relation,
                        strength: l.strength,
                        why: l.basis.describe(),
                        basis: l.basis.clone(),
                    });
                }
                let a_total = sa.requirements().count();
                let b_total = sb.requirements().count();
                let a_shared = a_hit.iter().filter(|h| **h).count();
                let b_shared = b_hit.iter().filter(|h| **h).count();
                pairs.push(PairOverlap {
                    a: sa.id.clone(),
                    b: sb.id.clone(),
                    a_total,
                    a_shared,
                    a_percent: percent(a_shared, a_total),
                    b_total,
                    b_shared,
                    b_percent: percent(b_shared, b_total),
                    relationships,
                    shared,
                });
            }
        }

        let alignment = self.alignment(indices, &stds, &offsets, &mut parent, &linked);
        let shared_by_all = alignment
            .iter()
            .filter(|r| r.standards == stds.len())
            .count();
        let unique = stds
            .iter()
            .enumerate()
            .map(|(x, s)| UniqueClauses {
                id: s.id.clone(),
                clauses: s
                    .requirements()
                    .filter(|(ci, _)| !linked[offsets[x] + ci])
                    .map(|(_, c)| c.into())
                    .collect(),
            })
            .collect();

        Comparison {
            standards: stds
                .iter()
                .map(|s| StandardSummary {
                    id: s.id.clone(),
                    designation: s.designation.clone(),
                    title: s.title.clone(),
                    requirements: s.requirements().count(),
                })
                .collect(),
            pairs,
            alignment,
            shared_by_all,
            unique,
            facts: facts_table(&stds),
        }
    }

    fn alignment(
        &self,
        indices: &[usize],
        stds: &[&Standard],
        offsets: &[usize],
        parent: &mut [usize],
        linked: &[bool],
    ) -> Vec<AlignmentRow> {
        // Group linked clauses by component root, keeping document order within each.
        let mut groups: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (x, s) in stds.iter().enumerate() {
            for ci in 0..s.clauses.len() {
                let g = offsets[x] + ci;
                if linked[g] {
                    groups.entry(find(parent, g)).or_default().push((x, ci));
                }
            }
        }
        let hs = self.hs();
        let mut rows: Vec<(RowOrder, AlignmentRow)> = groups
            .into_values()
            .map(|members| {
                // The HS clause most members carry; ties go to the earliest in the HS.
                let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
                for &(x, ci) in &members {
                    for a in self.anchors(indices[x], ci) {
                        *votes.entry(a.hs_clause).or_insert(0) += 1;
                    }
                }
                let best = votes
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(h, _)| *h);
                let mut cells: Vec<Vec<ClauseRef>> = vec![Vec::new(); stds.len()];
                for &(x, ci) in &members {
                    cells[x].push((&stds[x].clauses[ci]).into());
                }
                let standards = cells.iter().filter(|c| !c.is_empty()).count();
                // Rows follow the harmonized structure, then the earliest member clause.
                let first = members.iter().min().copied().unwrap_or((0, 0));
                (
                    (best.unwrap_or(usize::MAX), first),
                    AlignmentRow {
                        hs: best.map(|h| (&hs.clauses[h]).into()),
                        cells,
                        standards,
                    },
                )
            })
            .collect();
        rows.sort_by_key(|(key, _)| *key);
        rows.into_iter().map(|(_, r)| r).collect()
    }
}

/// Where an alignment row sorts: its HS clause (unanchored rows last), then its earliest
/// member as (standard position, clause index).
type RowOrder = (usize, (usize, usize));

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

fn yes_no(b: bool) -> String {
    if b { "Yes".into() } else { "No".into() }
}

fn facts_table(stds: &[&Standard]) -> Vec<FactRow> {
    type Getter = fn(&Standard) -> String;
    let rows: [(&str, Getter); 17] = [
        ("Designation", |s| s.designation.clone()),
        ("Title", |s| s.title.clone()),
        ("Discipline", |s| s.discipline.label().into()),
        ("Nature", |s| s.nature.label().into()),
        ("Certifiable", |s| yes_no(s.certifiable)),
        ("Structure", |s| s.structure.label().into()),
        ("Status", |s| match (&s.superseded_by, s.withdrawn) {
            (Some(by), Some(year)) => format!("Withdrawn {year}, superseded by {by}"),
            _ => "Current".into(),
        }),
        ("Published", |s| s.published.to_string()),
        ("Focus", |s| s.facts.focus.clone()),
        ("Scope", |s| s.facts.scope.clone()),
        ("Who needs it", |s| s.facts.who_needs_it.clone()),
        ("Risk approach", |s| s.facts.risk_approach.clone()),
        ("Certification path", |s| s.facts.certification_path.clone()),
        ("Typical implementation time", |s| {
            s.facts.implementation_time.clone()
        }),
        ("Key requirements", |s| s.facts.key_requirements.join("; ")),
        ("Related standards", |s| {
            s.facts
                .related
                .iter()
                .map(|r| r.designation.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ("Requirement clauses", |s| {
            s.requirements().count().to_string()
        }),
    ];
    rows.iter()
        .map(|(label, get)| FactRow {
            label: (*label).to_string(),
            values: stds.iter().map(|s| get(s)).collect(),
        })
        .collect()
}
