//! Mappings between clauses of two standards, typed as NIST OLIR relationships.
//!
//! Two sources feed them:
//! - **Anchors**: a clause of a standard built on the harmonized structure names the HS clause
//!   whose common content it carries. Two clauses anchored to the same HS clause are related,
//!   and their relationship is composed from the two anchor relations ([`via_anchor`]).
//! - **Tables**: explicit correspondence tables for standards outside the harmonized
//!   structure (ISO 13485 Annex B, ISO 9001:2008 to 2015, ISO 9002:1994 to ISO 9001). A table
//!   also gives its source standard derived anchors, through the anchors of the clauses it
//!   maps to, so that ISO 13485 can be compared with ISO 14001 too.
//!
//! Where an explicit table joins two standards it is used alone: it is the published word.

use serde::{Deserialize, Serialize};

use crate::catalog::{AnchorRelation, Catalog, Verification};

/// A NIST OLIR relationship: how the content of a clause of A relates to a clause of B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// A and B cover the same content.
    Equal,
    /// A is contained in B.
    Subset,
    /// A contains B.
    Superset,
    /// A and B overlap partly.
    Intersect,
    /// A and B have no content in common (a table's "no equivalent clause").
    NotRelated,
}

impl Relationship {
    /// The same relationship read from B's side.
    pub fn reversed(self) -> Self {
        match self {
            Self::Subset => Self::Superset,
            Self::Superset => Self::Subset,
            other => other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Intersect => "intersect",
            Self::NotRelated => "not related",
        }
    }

    /// Symbol used in tables: `=` equal, `⊂` subset, `⊃` superset, `∩` intersect.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::Subset => "⊂",
            Self::Superset => "⊃",
            Self::Intersect => "∩",
            Self::NotRelated => "≠",
        }
    }

    pub const ALL: [Relationship; 5] = [
        Self::Equal,
        Self::Subset,
        Self::Superset,
        Self::Intersect,
        Self::NotRelated,
    ];
}

impl From<AnchorRelation> for Relationship {
    fn from(r: AnchorRelation) -> Self {
        match r {
            AnchorRelation::Equal => Self::Equal,
            AnchorRelation::Subset => Self::Subset,
            AnchorRelation::Superset => Self::Superset,
            AnchorRelation::Intersect => Self::Intersect,
        }
    }
}

/// An HS clause that a clause carries, with how closely and on what basis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Anchor {
    /// Index of the clause in `hs:2021`.
    pub hs_clause: usize,
    /// The clause is `relation` of the HS clause.
    pub relation: Relationship,
    pub strength: u8,
    /// Set when the anchor was derived through a table: (table index, row index).
    pub via_table: Option<(usize, usize)>,
}

/// An explicit correspondence table between two standards, resolved to clause indices.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub from: usize,
    pub to: usize,
    pub source: String,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone)]
pub struct TableRow {
    pub from: usize,
    pub to: Vec<usize>,
    pub relation: Relationship,
    pub strength: u8,
    pub verification: Verification,
    pub note: Option<String>,
}

/// Why two clauses are related.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Basis {
    /// Both carry the same harmonized-structure clause.
    Anchor {
        /// The HS clause number, e.g. `7.5.3`.
        hs_clause: String,
        hs_title: String,
        /// Tables through which either side's anchor was derived (e.g. ISO 13485 Annex B).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        via: Vec<String>,
    },
    /// A published or curated correspondence table.
    Table {
        source: String,
        verification: Verification,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

impl Basis {
    /// One line a person can read: "both carry HS 7.5 Documented information".
    pub fn describe(&self) -> String {
        match self {
            Self::Anchor {
                hs_clause,
                hs_title,
                via,
            } if via.is_empty() => {
                format!("both carry harmonized-structure {hs_clause} {hs_title}")
            }
            Self::Anchor {
                hs_clause,
                hs_title,
                via,
            } => format!(
                "both carry harmonized-structure {hs_clause} {hs_title} (through {})",
                via.join("; ")
            ),
            Self::Table {
                source,
                verification,
                ..
            } => {
                format!("{source} ({})", verification.label())
            }
        }
    }
}

/// One relationship from a clause of standard A to a clause of standard B.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Clause index in A.
    pub a: usize,
    /// Clause index in B.
    pub b: usize,
    /// A is `relation` of B.
    pub relation: Relationship,
    /// 1–10, as in NIST OLIR: how close the two are.
    pub strength: u8,
    pub basis: Basis,
}

/// Composes "x is `r1` of y" and "y is `r2` of z" into "x is ? of z" (for derived anchors).
fn chain(r1: Relationship, r2: Relationship) -> Option<Relationship> {
    use Relationship::*;
    match (r1, r2) {
        (NotRelated, _) | (_, NotRelated) => None,
        (Equal, r) | (r, Equal) => Some(r),
        (Subset, Subset) => Some(Subset),
        (Superset, Superset) => Some(Superset),
        _ => Some(Intersect),
    }
}

/// The relationship of clause a to clause b when a is `ra` of HS clause h and b is `rb` of
/// it. Two parts of one HS clause (subset and subset) are only related when they are the same
/// part, which `same_title` tells; otherwise they are siblings with nothing in common.
pub(crate) fn via_anchor(
    ra: Relationship,
    rb: Relationship,
    same_title: bool,
) -> Option<(Relationship, u8)> {
    use Relationship::*;
    match (ra, rb) {
        (NotRelated, _) | (_, NotRelated) => None,
        (Equal, Equal) => Some((Equal, 10)),
        (Equal, Subset) | (Superset, Equal) | (Superset, Subset) => Some((Superset, 8)),
        (Equal, Superset) | (Subset, Equal) | (Subset, Superset) => Some((Subset, 8)),
        (Superset, Superset) => Some((Intersect, 6)),
        (Subset, Subset) if same_title => Some((Equal, 7)),
        (Subset, Subset) => None,
        (Intersect, _) | (_, Intersect) => Some((Intersect, 4)),
    }
}

/// Titles compared without the discipline word, so that "Quality policy" and
/// "Environmental policy" read as the same part of HS 5.2.
pub(crate) fn generic_title(title: &str) -> String {
    let mut t = title.to_lowercase();
    for word in [
        "information security",
        "quality",
        "environmental",
        "oh&s",
        "innovation",
        "xxx",
    ] {
        t = t.replace(word, "");
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn anchor_strength(r: Relationship) -> u8 {
    match r {
        Relationship::Equal => 10,
        Relationship::Subset | Relationship::Superset => 8,
        Relationship::Intersect => 5,
        Relationship::NotRelated => 0,
    }
}

impl Catalog {
    /// Computes every clause's anchors: its own, or derived through a table (one hop).
    pub(crate) fn compute_anchors(&mut self) {
        let hs = self.hs;
        let mut anchors: Vec<Vec<Vec<Anchor>>> = self
            .standards
            .iter()
            .enumerate()
            .map(|(si, s)| {
                s.clauses
                    .iter()
                    .enumerate()
                    .map(|(ci, c)| {
                        if si == hs {
                            return vec![Anchor {
                                hs_clause: ci,
                                relation: Relationship::Equal,
                                strength: 10,
                                via_table: None,
                            }];
                        }
                        let hs_std = &self.standards[hs];
                        match (&c.anchor, c.anchor_relation) {
                            (Some(number), Some(rel)) => hs_std
                                .clause_index(number)
                                .map(|h| {
                                    let relation = Relationship::from(rel);
                                    vec![Anchor {
                                        hs_clause: h,
                                        relation,
                                        strength: anchor_strength(relation),
                                        via_table: None,
                                    }]
                                })
                                .unwrap_or_default(),
                            _ => Vec::new(),
                        }
                    })
                    .collect()
            })
            .collect();
        // Derive anchors for clauses that have none through tables whose target standard is
        // anchored natively; one hop only, so that weak chains do not spread.
        for (ti, table) in self.tables.iter().enumerate() {
            for (ri, row) in table.rows.iter().enumerate() {
                if !anchors[table.from][row.from]
                    .iter()
                    .all(|a| a.via_table.is_some())
                {
                    continue;
                }
                let mut derived = Vec::new();
                for &to in &row.to {
                    for target in &anchors[table.to][to] {
                        if target.via_table.is_some() {
                            continue;
                        }
                        if let Some(relation) = chain(row.relation, target.relation) {
                            derived.push(Anchor {
                                hs_clause: target.hs_clause,
                                relation,
                                strength: row.strength.min(target.strength),
                                via_table: Some((ti, ri)),
                            });
                        }
                    }
                }
                let slot = &mut anchors[table.from][row.from];
                for d in derived {
                    match slot.iter_mut().find(|a| a.hs_clause == d.hs_clause) {
                        Some(existing) if existing.strength >= d.strength => {}
                        Some(existing) => *existing = d,
                        None => slot.push(d),
                    }
                }
            }
        }
        self.anchors = anchors;
    }

    /// Every relationship from clauses of standard `a` to clauses of standard `b` (indices),
    /// at most one per clause pair (the strongest), in A's clause order.
    pub(crate) fn links(&self, a: usize, b: usize) -> Vec<Link> {
        if a == b {
            return Vec::new();
        }
        if let Some(links) = self.table_links(a, b) {
            return links;
        }
        self.anchor_links(a, b)
    }

    pub(crate) fn table_links(&self, a: usize, b: usize) -> Option<Vec<Link>> {
        let mut found = false;
        let mut links = Vec::new();
        for table in &self.tables {
            let reversed = if table.from == a && table.to == b {
                false
            } else if table.from == b && table.to == a {
                true
            } else {
                continue;
            };
            found = true;
            for row in &table.rows {
                if row.relation == Relationship::NotRelated {
                    continue;
                }
                for &to in &row.to {
                    let basis = Basis::Table {
                        source: table.source.clone(),
                        verification: row.verification,
                        note: row.note.clone(),
                    };
                    let link = if reversed {
                        Link {
                            a: to,
                            b: row.from,
                            relation: row.relation.reversed(),
                            strength: row.strength,
                            basis,
                        }
                    } else {
                        Link {
                            a: row.from,
                            b: to,
                            relation: row.relation,
                            strength: row.strength,
                            basis,
                        }
                    };
                    push_strongest(&mut links, link);
                }
            }
        }
        if !found {
            return None;
        }
        links.sort_by_key(|l| (l.a, l.b));
        Some(links)
    }

    fn anchor_links(&self, a: usize, b: usize) -> Vec<Link> {
        let (sa, sb) = (&self.standards[a], &self.standards[b]);
        let hs = &self.standards[self.hs];
        // HS clause -> clauses of B anchored to it.
        let mut by_hs: Vec<Vec<(usize, &Anchor)>> = vec![Vec::new(); hs.clauses.len()];
        for (cb, _) in sb.clauses.iter().enumerate() {
            for anchor in self.anchors(b, cb) {
                by_hs[anchor.hs_clause].push((cb, anchor));
            }
        }
        let mut links = Vec::new();
        for (ca, clause_a) in sa.clauses.iter().enumerate() {
            for anchor_a in self.anchors(a, ca) {
                for &(cb, anchor_b) in &by_hs[anchor_a.hs_clause] {
                    let same =
                        generic_title(&clause_a.title) == generic_title(&sb.clauses[cb].title);
                    let Some((relation, strength)) =
                        via_anchor(anchor_a.relation, anchor_b.relation, same)
                    else {
                        continue;
                    };
                    let strength = strength.min(anchor_a.strength).min(anchor_b.strength);
                    let hs_clause = &hs.clauses[anchor_a.hs_clause];
                    let via = [anchor_a.via_table, anchor_b.via_table]
                        .into_iter()
                        .flatten()
                        .map(|(t, _)| self.tables[t].source.clone())
                        .collect();
                    push_strongest(
                        &mut links,
                        Link {
                            a: ca,
                            b: cb,
                            relation,
                            strength,
                            basis: Basis::Anchor {
                                hs_clause: hs_clause.number.clone(),
                                hs_title: hs_clause.title.clone(),
                                via,
                            },
                        },
                    );
                }
            }
        }
        links.sort_by_key(|l| (l.a, l.b));
        links
    }
}

fn push_strongest(links: &mut Vec<Link>, link: Link) {
    match links.iter_mut().find(|l| l.a == link.a && l.b == link.b) {
        Some(existing) if existing.strength >= link.strength => {}
        Some(existing) => *existing = link,
        None => links.push(link),
    }
}

#[cfg(test)]
mod tests {
    use super::Relationship::*;
    use super::*;

    #[test]
    fn reversing_swaps_subset_and_superset_only() {
        assert_eq!(Subset.reversed(), Superset);
        assert_eq!(Superset.reversed(), Subset);
        assert_eq!(Equal.reversed(), Equal);
        assert_eq!(Intersect.reversed(), Intersect);
        for r in Relationship::ALL {
            assert_eq!(r.reversed().reversed(), r);
        }
    }

    #[test]
    fn anchor_composition_reads_from_a_to_b() {
        // a carries all of h, b only part of it: a contains b.
        assert_eq!(via_anchor(Equal, Subset, false), Some((Superset, 8)));
        assert_eq!(via_anchor(Subset, Equal, false), Some((Subset, 8)));
        assert_eq!(via_anchor(Equal, Equal, false), Some((Equal, 10)));
        // Both add to h: they share h and differ beyond it.
        assert_eq!(via_anchor(Superset, Superset, false), Some((Intersect, 6)));
        // Two different parts of one HS clause share nothing; the same part is equal.
        assert_eq!(via_anchor(Subset, Subset, false), None);
        assert_eq!(via_anchor(Subset, Subset, true), Some((Equal, 7)));
    }

    #[test]
    fn anchor_composition_is_symmetric_up_to_reversal() {
        let rels = [Equal, Subset, Superset, Intersect];
        for ra in rels {
            for rb in rels {
                for same in [false, true] {
                    let ab = via_anchor(ra, rb, same);
                    let ba = via_anchor(rb, ra, same);
                    assert_eq!(ab.map(|(r, s)| (r.reversed(), s)), ba, "{ra:?} {rb:?}");
                }
            }
        }
    }

    #[test]
    fn chaining_keeps_containment_only_when_it_follows() {
        assert_eq!(chain(Equal, Subset), Some(Subset));
        assert_eq!(chain(Subset, Subset), Some(Subset));
        assert_eq!(chain(Subset, Superset), Some(Intersect));
        assert_eq!(chain(NotRelated, Equal), None);
    }

    #[test]
    fn generic_titles_drop_the_discipline_word() {
        assert_eq!(
            generic_title("Quality policy"),
            generic_title("Environmental policy")
        );
        assert_eq!(
            generic_title("Determining the scope of the quality management system"),
            generic_title("Determining the scope of the XXX management system")
        );
        assert_ne!(generic_title("Customer focus"), generic_title("General"));
    }
}
