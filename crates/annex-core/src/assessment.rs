//! Assessments over one or more standards: the checklist built from the catalog, how a
//! result answered once counts for every standard that shares the requirement, the rules of
//! an answer, and readiness computed from the answers and their evidence.
//!
//! - **Assess once.** Clauses of the chosen standards joined by an *equal* relationship
//!   (through the harmonized structure or an explicit table) are one item, answered once and
//!   counted for each standard. Everything else is an item of its own standard.
//! - **Propagation** follows NIST OLIR semantics: an item whose clause *contains* another
//!   item's clause (superset) carries its result across in full; *subset* and *intersect*
//!   carry it only as partial evidence and flag the receiving item for review. One hop only,
//!   so a chain of partial overlaps never passes a result along.
//! - **Readiness** per standard and per section is computed from the effective results:
//!   the own answer, else the most severe full carry, else "not assessed".
//!
//! The plan (items, their clauses, the carries) is computed once when the assessment is
//! created and kept with it, so that a later change of the catalog does not reshuffle an
//! assessment under way.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Nature};
use crate::kinds::FieldError;
use crate::mapping::{Basis, Relationship};

/// The conformity result of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Conformity {
    NotAssessed,
    Conforming,
    /// An opportunity for improvement: conforming, with a suggestion.
    Improvement,
    MinorNonconformity,
    MajorNonconformity,
    /// Declared not applicable, with a justification, where the standard permits it.
    NotApplicable,
}

impl Conformity {
    pub const ALL: [Conformity; 6] = [
        Self::Conforming,
        Self::Improvement,
        Self::MinorNonconformity,
        Self::MajorNonconformity,
        Self::NotApplicable,
        Self::NotAssessed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAssessed => "not-assessed",
            Self::Conforming => "conforming",
            Self::Improvement => "improvement",
            Self::MinorNonconformity => "minor-nonconformity",
            Self::MajorNonconformity => "major-nonconformity",
            Self::NotApplicable => "not-applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotAssessed => "Not assessed",
            Self::Conforming => "Conforming",
            Self::Improvement => "Opportunity for improvement",
            Self::MinorNonconformity => "Minor nonconformity",
            Self::MajorNonconformity => "Major nonconformity",
            Self::NotApplicable => "Not applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Counts as meeting the requirement (an opportunity for improvement does).
    pub fn is_conforming(self) -> bool {
        matches!(self, Self::Conforming | Self::Improvement)
    }

    pub fn is_nonconformity(self) -> bool {
        matches!(self, Self::MinorNonconformity | Self::MajorNonconformity)
    }

    /// Whether the result passes to other items through mappings. Not applicable is a
    /// decision about one standard's scope and does not.
    fn carries(self) -> bool {
        !matches!(self, Self::NotAssessed | Self::NotApplicable)
    }

    /// Order of severity when several results reach one item: the worst one wins.
    fn severity(self) -> u8 {
        match self {
            Self::NotAssessed | Self::NotApplicable => 0,
            Self::Conforming => 1,
            Self::Improvement => 2,
            Self::MinorNonconformity => 3,
            Self::MajorNonconformity => 4,
        }
    }
}

/// One clause of one standard that an item answers for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub standard: String,
    pub number: String,
    pub title: String,
}

/// How an item came over from the assessment it transitions from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Delta {
    /// Equal to, or covered by, a clause of the old edition: its result was carried over.
    Carried,
    /// Overlaps a clause of the old edition only partly: carried as a note, to be reviewed.
    Changed,
    /// No clause of the old edition maps to it: a new requirement.
    New,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// 1-based position in the checklist.
    pub no: u32,
    /// Key of the section it is listed under (see [`Section`]).
    pub section: String,
    /// The clauses it answers, in the order of the assessment's standards.
    pub members: Vec<Member>,
    /// Why its clauses are one item, one line per join (empty for a single clause).
    pub joined_by: Vec<String>,
    /// Set in an assessment made by transition from an older edition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Delta>,
}

impl Item {
    pub fn standards(&self) -> impl Iterator<Item = &str> {
        let mut seen: Vec<&str> = Vec::new();
        self.members.iter().filter_map(move |m| {
            if seen.contains(&m.standard.as_str()) {
                None
            } else {
                seen.push(&m.standard);
                Some(m.standard.as_str())
            }
        })
    }

    pub fn counts_for(&self, standard: &str) -> bool {
        self.members.iter().any(|m| m.standard == standard)
    }

    /// A short label: the first clause's number and title.
    pub fn label(&self) -> String {
        self.members
            .first()
            .map(|m| format!("{} {}", m.number, m.title))
            .unwrap_or_default()
    }
}

/// A result passing from one item to another through a mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Carry {
    pub from: u32,
    pub to: u32,
    /// The clause of `from` is `relation` of the clause of `to`.
    pub relation: Relationship,
    /// Partial: carried as evidence to review, not as the result.
    pub partial: bool,
    /// The mapping, in one line: which clauses and on what basis.
    pub why: String,
}

/// A heading of the checklist: a clause of the harmonized structure (`hs:7`), or a
/// top-level clause of one standard for what has no place in it (`iso27001:2022:A.5`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub key: String,
    /// E.g. "7 Support" or "ISO/IEC 27001:2022 A.5 Organizational controls".
    pub title: String,
    /// Set when the section belongs to one standard only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
}

/// The standards of an assessment, as shown: id and designation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanStandard {
    pub id: String,
    pub designation: String,
}

/// The checklist of an assessment: its items, sections and carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub standards: Vec<PlanStandard>,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
    pub carries: Vec<Carry>,
}

/// A clause node while building: (standard index in the catalog, clause index).
type Node = (usize, usize);

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.0[root] != root {
            root = self.0[root];
        }
        let mut x = x;
        while self.0[x] != root {
            let next = self.0[x];
            self.0[x] = root;
            x = next;
        }
        root
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The earlier node stays the root, so an item is named after its first clause.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

impl Plan {
    /// Builds the checklist for `ids` (at least one; each a standard or framework with
    /// requirements, not a bare structure such as the harmonized structure).
    pub fn build(catalog: &Catalog, ids: &[String]) -> Result<Plan, Vec<FieldError>> {
        let chosen = choose(catalog, ids)?;
        let hs = catalog.hs();

        // Every assessable clause of every chosen standard, in standard then clause order.
        let mut nodes: Vec<Node> = Vec::new();
        let mut node_of: HashMap<Node, usize> = HashMap::new();
        for &s in &chosen {
            for (c, clause) in catalog.standards[s].clauses.iter().enumerate() {
                if clause.assessable {
                    node_of.insert((s, c), nodes.len());
                    nodes.push((s, c));
                }
            }
        }

        // Links between every pair of chosen standards, between assessable clauses only.
        let mut uf = UnionFind((0..nodes.len()).collect());
        let mut joins: Vec<(usize, usize, String)> = Vec::new();
        let mut others: Vec<(usize, usize, Relationship, String)> = Vec::new();
        for (i, &a) in chosen.iter().enumerate() {
            for &b in &chosen[i + 1..] {
                for link in catalog.links(a, b) {
                    let (Some(&na), Some(&nb)) =
                        (node_of.get(&(a, link.a)), node_of.get(&(b, link.b)))
                    else {
                        continue;
                    };
                    let why = why(
                        catalog,
                        (a, link.a),
                        (b, link.b),
                        link.relation,
                        &link.basis,
                    );
                    if link.relation == Relationship::Equal {
                        uf.union(na, nb);
                        joins.push((na, nb, why));
                    } else if link.relation != Relationship::NotRelated {
                        others.push((na, nb, link.relation, why));
                    }
                }
            }
        }

        // Groups become items; each is placed under the HS clause its first anchored clause
        // carries, or under its standard's top-level clause.
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for n in 0..nodes.len() {
            let root = uf.find(n);
            groups.entry(root).or_default().push(n);
        }
        struct Draft {
            order: (usize, usize, usize, usize),
            section: String,
            nodes: Vec<usize>,
        }
        let mut sections: BTreeMap<String, (usize, usize, Section)> = BTreeMap::new();
        let position = |s: usize| chosen.iter().position(|&x| x == s).unwrap_or(0);
        let mut drafts: Vec<Draft> = Vec::new();
        for members in groups.into_values() {
            let anchor = members.iter().find_map(|&n| {
                let (s, c) = nodes[n];
                catalog
                    .anchors(s, c)
                    .iter()
                    .min_by_key(|a| (a.via_table.is_some(), std::cmp::Reverse(a.strength)))
                    .map(|a| a.hs_clause)
            });
            let (s0, c0) = nodes[members[0]];
            let draft = match anchor {
                Some(h) => {
                    let top = top_of(hs, h);
                    let key = format!("hs:{}", hs.clauses[top].number);
                    sections.entry(key.clone()).or_insert_with(|| {
                        (
                            0,
                            top,
                            Section {
                                key: key.clone(),
                                title: format!(
                                    "{} {}",
                                    hs.clauses[top].number, hs.clauses[top].title
                                ),
                                standard: None,
                            },
                        )
                    });
                    Draft {
                        order: (0, top, h, position(s0) * 100_000 + c0),
                        section: key,
                        nodes: members,
                    }
                }
                None => {
                    let std = &catalog.standards[s0];
                    let top = top_of(std, c0);
                    let key = format!("{}:{}", std.id, std.clauses[top].number);
                    sections.entry(key.clone()).or_insert_with(|| {
                        (
                            1 + position(s0),
                            top,
                            Section {
                                key: key.clone(),
                                title: format!(
                                    "{} {} {}",
                                    std.designation,
                                    std.clauses[top].number,
                                    std.clauses[top].title
                                ),
                                standard: Some(std.id.clone()),
                            },
                        )
                    });
                    Draft {
                        order: (1 + position(s0), top, c0, 0),
                        section: key,
                        nodes: members,
                    }
                }
            };
            drafts.push(draft);
        }
        drafts.sort_by_key(|d| d.order);
        let mut item_of_node = vec![0u32; nodes.len()];
        let mut items = Vec::with_capacity(drafts.len());
        for (i, d) in drafts.into_iter().enumerate() {
            let no = i as u32 + 1;
            let mut ns = d.nodes.clone();
            ns.sort_by_key(|&n| (position(nodes[n].0), nodes[n].1));
            for &n in &ns {
                item_of_node[n] = no;
            }
            let members = ns
                .iter()
                .map(|&n| {
                    let (s, c) = nodes[n];
                    let std = &catalog.standards[s];
                    Member {
                        standard: std.id.clone(),
                        number: std.clauses[c].number.clone(),
                        title: std.clauses[c].title.clone(),
                    }
                })
                .collect();
            items.push(Item {
                no,
                section: d.section,
                members,
                joined_by: Vec::new(),
                delta: None,
            });
        }
        for (na, _, why) in joins {
            let item = &mut items[item_of_node[na] as usize - 1];
            if !item.joined_by.contains(&why) {
                item.joined_by.push(why);
            }
        }

        // Carries in both directions: "a is R of b" carries a's result to b in full when a
        // contains b (equal or superset), partially otherwise; read from b's side, reversed.
        let mut carries: BTreeMap<(u32, u32), Carry> = BTreeMap::new();
        for (na, nb, relation, why) in others {
            let (ia, ib) = (item_of_node[na], item_of_node[nb]);
            if ia == ib {
                continue;
            }
            for (from, to, rel) in [(ia, ib, relation), (ib, ia, relation.reversed())] {
                let carry = Carry {
                    from,
                    to,
                    relation: rel,
                    partial: rel != Relationship::Superset,
                    why: why.clone(),
                };
                match carries.get(&(from, to)) {
                    Some(existing) if !existing.partial || carry.partial => {}
                    _ => {
                        carries.insert((from, to), carry);
                    }
                }
            }
        }

        let mut sections: Vec<(usize, usize, Section)> = sections.into_values().collect();
        sections.sort_by_key(|(group, top, _)| (*group, *top));
        Ok(Plan {
            standards: chosen
                .iter()
                .map(|&s| PlanStandard {
                    id: catalog.standards[s].id.clone(),
                    designation: catalog.standards[s].designation.clone(),
                })
                .collect(),
            sections: sections.into_iter().map(|(_, _, s)| s).collect(),
            items,
            carries: carries.into_values().collect(),
        })
    }

    pub fn item(&self, no: u32) -> Option<&Item> {
        no.checked_sub(1)
            .and_then(|i| self.items.get(i as usize))
            .filter(|i| i.no == no)
    }

    pub fn designation<'a>(&'a self, standard: &'a str) -> &'a str {
        self.standards
            .iter()
            .find(|s| s.id == standard)
            .map_or(standard, |s| s.designation.as_str())
    }

    /// The carries an item receives.
    pub fn carries_to(&self, no: u32) -> impl Iterator<Item = &Carry> {
        self.carries.iter().filter(move |c| c.to == no)
    }

    /// Checks an answer against the rules before it is stored: a justification for "not
    /// applicable", and only where every standard of the item permits it; a statement for a
    /// nonconformity; a maturity level from 0 to 5.
    pub fn check(&self, catalog: &Catalog, no: u32, answer: &Answer) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let Some(item) = self.item(no) else {
            errors.push(FieldError::new(
                "item",
                format!("no item {no} in this checklist"),
            ));
            return errors;
        };
        if let Some(m) = answer.maturity
            && m > 5
        {
            errors.push(FieldError::new(
                "maturity",
                "must be a level from 0 (none) to 5 (optimised)",
            ));
        }
        if answer.notes.chars().count() > 20_000 {
            errors.push(FieldError::new("notes", "must be at most 20000 characters"));
        }
        if answer.result.is_nonconformity() && answer.notes.trim().is_empty() {
            errors.push(FieldError::new(
                "notes",
                "a nonconformity needs a statement of what was found",
            ));
        }
        if answer.result == Conformity::NotApplicable {
            if answer.justification.trim().is_empty() {
                errors.push(FieldError::new(
                    "justification",
                    "is required when the result is not applicable, and is kept with it",
                ));
            }
            for m in &item.members {
                let rule = catalog
                    .get(&m.standard)
                    .and_then(|s| s.not_applicable.as_ref());
                if !rule.is_some_and(|na| na.permits(&m.number)) {
                    let designation = self.designation(&m.standard);
                    let basis = rule.map_or_else(
                        || ": every requirement applies".to_string(),
                        |na| format!(" ({})", na.basis),
                    );
                    errors.push(FieldError::new(
                        "result",
                        format!(
                            "{designation} does not let {} be declared not applicable{basis}",
                            m.number
                        ),
                    ));
                }
            }
        } else if !answer.justification.trim().is_empty() {
            errors.push(FieldError::new(
                "justification",
                "is only kept for a result of not applicable",
            ));
        }
        errors
    }
}

/// Resolves and checks the chosen standards, keeping the order given.
fn choose(catalog: &Catalog, ids: &[String]) -> Result<Vec<usize>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new("standards", "choose at least one standard"));
    }
    for (i, id) in ids.iter().enumerate() {
        let field = format!("standards.{}", i + 1);
        match catalog.index_of(id) {
            None => {
                let closest = catalog.closest(id);
                errors.push(FieldError::new(
                    field,
                    if closest.is_empty() {
                        format!("unknown standard '{id}'")
                    } else {
                        format!("unknown standard '{id}'; closest: {}", closest.join(", "))
                    },
                ));
            }
            Some(s) if catalog.standards[s].nature == Nature::Structure => {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "{} is a common structure, not a standard to assess against",
                        catalog.standards[s].designation
                    ),
                ))
            }
            Some(s) if chosen.contains(&s) => {
                errors.push(FieldError::new(field, format!("'{id}' is chosen twice")))
            }
            Some(s) => chosen.push(s),
        }
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(errors)
    }
}

/// The top-level clause above clause `c` of `std`.
fn top_of(std: &crate::catalog::Standard, mut c: usize) -> usize {
    while let Some(p) = std.clauses[c].parent {
        c = p;
    }
    c
}

fn why(catalog: &Catalog, a: Node, b: Node, relation: Relationship, basis: &Basis) -> String {
    let (sa, sb) = (&catalog.standards[a.0], &catalog.standards[b.0]);
    format!(
        "{} {} is {} {} {}: {}",
        sa.designation,
        sa.clauses[a.1].number,
        match relation {
            Relationship::Equal => "equal to",
            Relationship::Subset => "part of",
            Relationship::Superset => "wider than",
            Relationship::Intersect => "overlapping",
            Relationship::NotRelated => "unrelated to",
        },
        sb.designation,
        sb.clauses[b.1].number,
        basis.describe()
    )
}

/// What the assessor gives for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub result: Conformity,
    /// 0 (none) to 5 (optimised); none when not rated.
    #[serde(default)]
    pub maturity: Option<u8>,
    #[serde(default)]
    pub notes: String,
    /// Why the item is not applicable (kept only for that result).
    #[serde(default)]
    pub justification: String,
}

/// The state of one item that readiness needs: its own result and how much evidence it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Answered {
    pub result: Option<Conformity>,
    pub evidence: u32,
}

/// An item's result as it counts: answered, carried in full, or unanswered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Effective {
    pub result: Conformity,
    /// The item whose result this is, when it was carried from another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<u32>,
    /// Evidence behind the result (the source item's, when carried).
    pub evidence: u32,
    /// A partial carry reached it: its result is there to review, not counted.
    pub review: bool,
}

/// Every item's effective result, in item order. `answers[i]` belongs to item `i + 1`.
pub fn effective(plan: &Plan, answers: &[Answered]) -> Vec<Effective> {
    let own = |no: u32| {
        answers
            .get(no as usize - 1)
            .and_then(|a| a.result)
            .filter(|r| *r != Conformity::NotAssessed)
    };
    let mut out: Vec<Effective> = plan
        .items
        .iter()
        .map(|i| Effective {
            result: own(i.no).unwrap_or(Conformity::NotAssessed),
            carried_from: None,
            evidence: answers.get(i.no as usize - 1).map_or(0, |a| a.evidence),
            review: false,
        })
        .collect();
    for c in &plan.carries {
        let Some(result) = own(c.from).filter(|r| r.carries()) else {
            continue;
        };
        let target = &mut out[c.to as usize - 1];
        if own(c.to).is_some() {
            continue;
        }
        if c.partial {
            target.review = true;
            continue;
        }
        let worse = target.carried_from.is_none() || result.severity() > target.result.severity();
        if worse {
            target.result = result;
            target.carried_from = Some(c.from);
            target.evidence = answers.get(c.from as usize - 1).map_or(0, |a| a.evidence);
        }
    }
    for e in &mut out {
        if e.carried_from.is_some() {
            e.review = false;
        }
    }
    out
}

/// Readiness figures for one standard, or one section of one standard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Items that count for it.
    pub items: u32,
    pub conforming: u32,
    /// Of the conforming ones, opportunities for improvement.
    pub improvements: u32,
    pub major: u32,
    pub minor: u32,
    pub not_applicable: u32,
    pub not_assessed: u32,
    /// Items with a result (other than not applicable) and no evidence behind it.
    pub without_evidence: u32,
    /// Unanswered items that a partial carry flagged for review.
    pub review: u32,
    /// Answered here, rather than carried from another item.
    pub answered: u32,
    pub carried: u32,
    /// Conforming items as a share of applicable ones, in per cent (0 when none applies).
    pub share: f64,
    /// Mean maturity of the rated items, when any is rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maturity: Option<f64>,
    /// How many items are rated (for the running mean).
    #[serde(skip)]
    rated: u32,
}

impl Figures {
    fn add(&mut self, e: &Effective, maturity: Option<u8>) {
        self.items += 1;
        match e.result {
            Conformity::NotAssessed => self.not_assessed += 1,
            Conformity::NotApplicable => self.not_applicable += 1,
            Conformity::MajorNonconformity => self.major += 1,
            Conformity::MinorNonconformity => self.minor += 1,
            Conformity::Improvement => {
                self.conforming += 1;
                self.improvements += 1
            }
            Conformity::Conforming => self.conforming += 1,
        }
        if e.review && e.result == Conformity::NotAssessed {
            self.review += 1;
        }
        if !matches!(
            e.result,
            Conformity::NotAssessed | Conformity::NotApplicable
        ) {
            if e.carried_from.is_some() {
                self.carried += 1;
            } else {
                self.answered += 1;
            }
            if e.evidence == 0 {
                self.without_evidence += 1;
            }
        }
        if let Some(m) = maturity {
            let rated = f64::from(self.rated);
            self.maturity =
                Some((self.maturity.unwrap_or(0.0) * rated + f64::from(m)) / (rated + 1.0));
            self.rated += 1;
        }
    }

    fn finish(&mut self) {
        let applicable = self.items - self.not_applicable;
        self.share = if applicable == 0 {
            0.0
        } else {
            (self.conforming as f64 * 1000.0 / applicable as f64).round() / 10.0
        };
        if let Some(m) = &mut self.maturity {
            *m = (*m * 10.0).round() / 10.0;
        }
    }

    /// Nothing stands between this and a certificate: every applicable item conforms with
    /// evidence behind it.
    pub fn ready(&self) -> bool {
        self.items > 0
            && self.major == 0
            && self.minor == 0
            && self.not_assessed == 0
            && self.without_evidence == 0
    }
}

/// Readiness of the whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub standards: Vec<StandardReadiness>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StandardReadiness {
    pub standard: String,
    pub designation: String,
    pub figures: Figures,
    /// Per section of the checklist that has items for this standard, in checklist order.
    pub sections: Vec<SectionReadiness>,
    /// What stands between the organisation and this certificate.
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionReadiness {
    pub section: String,
    pub title: String,
    pub figures: Figures,
}

/// Why an item keeps a standard from being ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum GapReason {
    MajorNonconformity,
    MinorNonconformity,
    NotAssessed,
    /// Partly covered by a result elsewhere: to be reviewed and answered.
    Review,
    WithoutEvidence,
}

impl GapReason {
    pub fn label(self) -> &'static str {
        match self {
            Self::MajorNonconformity => "Major nonconformity",
            Self::MinorNonconformity => "Minor nonconformity",
            Self::NotAssessed => "Not assessed",
            Self::Review => "Partly covered: review",
            Self::WithoutEvidence => "No evidence",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    pub item: u32,
    /// The clause of this standard the item answers for (the first, when several).
    pub clause: String,
    pub title: String,
    pub reason: GapReason,
}

/// Readiness computed from the plan and the answers (`answers[i]` is item `i + 1`;
/// `maturity[i]` its rated level).
pub fn readiness(plan: &Plan, answers: &[Answered], maturity: &[Option<u8>]) -> Readiness {
    let eff = effective(plan, answers);
    let mut out = Vec::with_capacity(plan.standards.len());
    for std in &plan.standards {
        let mut figures = Figures::default();
        let mut sections: Vec<SectionReadiness> = Vec::new();
        let mut gaps = Vec::new();
        for (item, e) in plan.items.iter().zip(&eff) {
            let Some(member) = item.members.iter().find(|m| m.standard == std.id) else {
                continue;
            };
            let m = maturity.get(item.no as usize - 1).copied().flatten();
            figures.add(e, m);
            match sections.last_mut() {
                Some(s) if s.section == item.section => s.figures.add(e, m),
                _ => {
                    let mut f = Figures::default();
                    f.add(e, m);
                    sections.push(SectionReadiness {
                        section: item.section.clone(),
                        title: plan
                            .sections
                            .iter()
                            .find(|s| s.key == item.section)
                            .map(|s| s.title.clone())
                            .unwrap_or_default(),
                        figures: f,
                    });
                }
            }
            let reason = match e.result {
                Conformity::MajorNonconformity => Some(GapReason::MajorNonconformity),
                Conformity::MinorNonconformity => Some(GapReason::MinorNonconformity),
                Conformity::NotAssessed if e.review => Some(GapReason::Review),
                Conformity::NotAssessed => Some(GapReason::NotAssessed),
                Conformity::NotApplicable => None,
                _ if e.evidence == 0 => Some(GapReason::WithoutEvidence),
                _ => None,
            };
            if let Some(reason) = reason {
                gaps.push(Gap {
                    item: item.no,
                    clause: member.number.clone(),
                    title: member.title.clone(),
                    reason,
                });
            }
        }
        figures.finish();
        for s in &mut sections {
            s.figures.finish();
        }
        gaps.sort_by_key(|g| (g.reason, g.item));
        out.push(StandardReadiness {
            standard: std.id.clone(),
            designation: std.designation.clone(),
            figures,
            sections,
            gaps,
        });
    }
    Readiness { standards: out }
}

/// The checklist of a transition: the successor's plan with each item marked carried,
/// changed or new, and the answers carried from the old assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub plan: Plan,
    /// Per new item (by position): the old items whose answer it may take, in order of
    /// preference (the same clause of a kept standard first, then full carries); the first
    /// that was answered gives it.
    pub carried: Vec<Vec<u32>>,
    /// Per new item: the old items that overlap it partly, with why.
    pub notes: Vec<Vec<String>>,
}

/// Builds the successor's checklist from an assessment over `old`: each standard in
/// `replace` (old id, new id) is swapped for its successor; the mappings between the two
/// say which items carry their result over, which changed, and which are new.
pub fn transition(
    catalog: &Catalog,
    old: &Plan,
    replace: &[(String, String)],
) -> Result<Transition, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for s in &old.standards {
        match replace.iter().find(|(from, _)| *from == s.id) {
            Some((_, to)) => ids.push(to.clone()),
            None => ids.push(s.id.clone()),
        }
    }
    for (i, (from, to)) in replace.iter().enumerate() {
        let field = format!("replace.{}", i + 1);
        if !old.standards.iter().any(|s| s.id == *from) {
            errors.push(FieldError::new(
                field.clone(),
                format!("'{from}' is not a standard of this assessment"),
            ));
            continue;
        }
        let (Some(a), Some(b)) = (catalog.index_of(from), catalog.index_of(to)) else {
            errors.push(FieldError::new(field, format!("unknown standard '{to}'")));
            continue;
        };
        if catalog.table_links(a, b).is_none() {
            errors.push(FieldError::new(
                field,
                format!(
                    "no mapping joins {} to {}: import one first",
                    catalog.standards[a].designation, catalog.standards[b].designation
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut plan = Plan::build(catalog, &ids)?;
    // Old clause (standard id, number) -> old item.
    let mut old_item: HashMap<(&str, &str), u32> = HashMap::new();
    for item in &old.items {
        for m in &item.members {
            old_item.insert((m.standard.as_str(), m.number.as_str()), item.no);
        }
    }
    let mut carried: Vec<Vec<u32>> = vec![Vec::new(); plan.items.len()];
    let mut notes = vec![Vec::new(); plan.items.len()];
    let mut deltas = vec![None; plan.items.len()];
    // A standard kept as it was carries each clause's answer to the same clause.
    for (pos, item) in plan.items.iter().enumerate() {
        carried[pos] = item
            .members
            .iter()
            .filter(|m| !replace.iter().any(|(_, to)| *to == m.standard))
            .filter_map(|m| {
                old_item
                    .get(&(m.standard.as_str(), m.number.as_str()))
                    .copied()
            })
            .collect();
    }
    for (from, to) in replace {
        let (Some(a), Some(b)) = (catalog.index_of(from), catalog.index_of(to)) else {
            continue;
        };
        let links = catalog.table_links(a, b).unwrap_or_default();
        for (pos, item) in plan.items.iter().enumerate() {
            let Some(member) = item
                .members
                .iter()
                .find(|m| m.standard == catalog.standards[b].id)
            else {
                continue;
            };
            let Some(cb) = catalog.standards[b].clause_index(&member.number) else {
                continue;
            };
            let mut delta = Delta::New;
            for link in links.iter().filter(|l| l.b == cb) {
                let old_clause = &catalog.standards[a].clauses[link.a];
                let Some(&from_item) =
                    old_item.get(&(catalog.standards[a].id.as_str(), old_clause.number.as_str()))
                else {
                    continue;
                };
                let why = why(catalog, (a, link.a), (b, cb), link.relation, &link.basis);
                if matches!(link.relation, Relationship::Equal | Relationship::Superset) {
                    delta = Delta::Carried;
                    if !carried[pos].contains(&from_item) {
                        carried[pos].push(from_item);
                    }
                } else {
                    if delta == Delta::New {
                        delta = Delta::Changed;
                    }
                    notes[pos].push(why);
                }
            }
            deltas[pos] = Some(delta);
        }
    }
    for (item, delta) in plan.items.iter_mut().zip(deltas) {
        item.delta = delta;
    }
    Ok(Transition {
        plan,
        carried,
        notes,
    })
}

/// A piece of evidence behind an answer: a controlled record, or a file uploaded to the
/// assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    Record {
        /// E.g. `NC-0007`.
        number: String,
        #[serde(default)]
        title: String,
    },
    File {
        /// The file's id within the assessment.
        id: i64,
        name: String,
        #[serde(default)]
        sha256: String,
    },
}

impl Evidence {
    /// One line for lists and reports: `NC-0007 Scratched housing` or `file: photo.jpg`.
    pub fn label(&self) -> String {
        match self {
            Self::Record { number, title } if title.is_empty() => number.clone(),
            Self::Record { number, title } => format!("{number} {title}"),
            Self::File { name, .. } => format!("file: {name}"),
        }
    }
}

/// One item as reported: the plan's item with its answer and effective result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub item: Item,
    /// The answer given on this item (not assessed when none).
    pub result: Conformity,
    pub effective: Effective,
    pub maturity: Option<u8>,
    pub notes: String,
    pub justification: String,
    pub evidence: Vec<Evidence>,
    /// User name and printed name of who answered, and when (RFC 3339, UTC).
    pub assessed_by: Option<String>,
    pub assessed_at: Option<String>,
}

/// Readiness at one moment, kept to draw the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub taken_by: String,
    /// Per standard: id and share conforming (per cent), in the assessment's order.
    pub shares: Vec<(String, f64)>,
}

/// Everything a report of an assessment shows; the renderers (XLSX, CSV, PDF, OSCAL) take
/// this and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// E.g. `ASM-0003`.
    pub number: String,
    pub title: String,
    /// A stable UUID of the assessment (OSCAL documents need one).
    pub uuid: String,
    pub sites: Vec<String>,
    /// Process records in scope: number and title.
    pub processes: Vec<(String, String)>,
    pub created_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub generated_at: String,
    pub plan: Plan,
    pub rows: Vec<ReportRow>,
    pub readiness: Readiness,
    pub trend: Vec<Snapshot>,
}

#[cfg(test)]
mod tests;
