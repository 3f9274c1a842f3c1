//! Parsing and validating catalog files. Every rule a file can break is checked here and
//! reported with the file, the field and the rule, all problems at once, so that a broken
//! catalog never loads half-way.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::{Catalog, HS_ID, Standard, Status, normalise_id};
use crate::catalog::Verification;
use crate::error::CatalogError;
use crate::mapping::{Relationship, Table, TableRow};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    from: String,
    to: String,
    source: String,
    #[serde(rename = "map")]
    rows: Vec<MapRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapRow {
    from: String,
    to: Vec<String>,
    relation: Relationship,
    strength: u8,
    verification: Verification,
    #[serde(default)]
    note: Option<String>,
}

struct Problems(Vec<CatalogError>);

impl Problems {
    fn add(&mut self, file: &str, field: impl Into<String>, rule: impl Into<String>) {
        self.0.push(CatalogError {
            file: file.to_string(),
            field: field.into(),
            rule: rule.into(),
        });
    }
}

/// Parses standard files and mapping files given as `(file name, contents)` pairs, validates
/// them together and builds the indexed catalog; or returns every problem found.
pub fn parse(
    standard_files: &[(&str, &str)],
    mapping_files: &[(&str, &str)],
) -> Result<Catalog, Vec<CatalogError>> {
    let mut problems = Problems(Vec::new());
    let mut standards: Vec<Standard> = Vec::new();
    let mut files: Vec<&str> = Vec::new();
    for (file, text) in standard_files {
        match toml::from_str::<Standard>(text) {
            Ok(s) => {
                standards.push(s);
                files.push(file);
            }
            Err(e) => problems.add(file, "(file)", format!("not a valid standard file: {e}")),
        }
    }

    let mut by_id = HashMap::new();
    for (i, (s, file)) in standards.iter_mut().zip(&files).enumerate() {
        check_standard(s, file, &mut problems);
        mark_assessable(s);
        if let Some(na) = &s.not_applicable {
            for c in &na.clauses {
                if s.clause_index(c).is_none() {
                    problems.add(
                        file,
                        "not_applicable.clauses",
                        format!("'{c}' is not a clause of {}", s.id),
                    );
                }
            }
        }
        for (field, value) in [("id", &s.id), ("designation", &s.designation)] {
            if let Some(other) = by_id.insert(normalise_id(value), i)
                && other != i
            {
                problems.add(
                    file,
                    field,
                    format!("'{value}' is used by another file too"),
                );
            }
        }
    }
    let hs = standards.iter().position(|s| s.id == HS_ID);
    match hs {
        None => problems.add(
            "(catalog)",
            "standards",
            format!("the backbone '{HS_ID}' is missing"),
        ),
        Some(h) => check_anchors(&standards, &files, h, &mut problems),
    }

    let mut tables = Vec::new();
    for (file, text) in mapping_files {
        match toml::from_str::<MappingFile>(text) {
            Ok(m) => {
                if let Some(t) = resolve_table(file, m, &standards, &by_id, &mut problems) {
                    tables.push(t);
                }
            }
            Err(e) => problems.add(file, "(file)", format!("not a valid mapping file: {e}")),
        }
    }

    match hs {
        Some(hs) if problems.0.is_empty() => {
            let mut catalog = Catalog {
                standards,
                by_id,
                tables,
                anchors: Vec::new(),
                hs,
            };
            catalog.compute_anchors();
            Ok(catalog)
        }
        _ => Err(problems.0),
    }
}

fn check_standard(s: &mut Standard, file: &str, p: &mut Problems) {
    let expected = format!("{}.toml", s.id.replace(':', "-"));
    if file.rsplit('/').next() != Some(expected.as_str()) {
        p.add(
            file,
            "id",
            format!("the file of '{}' must be named {expected}", s.id),
        );
    }
    if s.id != s.id.to_lowercase() || s.id.contains(char::is_whitespace) || !s.id.contains(':') {
        p.add(
            file,
            "id",
            "must be lower case, without spaces, in the form name:year",
        );
    }
    for (field, value) in [("designation", &s.designation), ("title", &s.title)] {
        if value.trim().is_empty() {
            p.add(file, field, "must not be empty");
        }
    }
    match s.status {
        Status::Current if s.withdrawn.is_some() || s.superseded_by.is_some() => p.add(
            file,
            "withdrawn",
            "a current standard has neither a withdrawal year nor a successor",
        ),
        Status::Withdrawn if s.withdrawn.is_none() || s.superseded_by.is_none() => p.add(
            file,
            "withdrawn",
            "a withdrawn standard names its withdrawal year and successor",
        ),
        _ => {}
    }
    let f = &s.facts;
    for (field, value) in [
        ("facts.focus", &f.focus),
        ("facts.scope", &f.scope),
        ("facts.who_needs_it", &f.who_needs_it),
        ("facts.risk_approach", &f.risk_approach),
        ("facts.certification_path", &f.certification_path),
        ("facts.implementation_time", &f.implementation_time),
    ] {
        if value.trim().is_empty() {
            p.add(file, field, "must not be empty");
        }
    }
    if f.key_requirements.is_empty() {
        p.add(
            file,
            "facts.key_requirements",
            "must list at least one key requirement",
        );
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..s.clauses.len() {
        let number = s.clauses[i].number.clone();
        let field = format!("clauses[{number}]");
        if !valid_number(&number) {
            p.add(
                file,
                format!("{field}.number"),
                "must be dot-separated numbers, optionally after an annex letter (4.1, A.5.1)",
            );
        }
        if seen.insert(number.clone(), i).is_some() {
            p.add(file, format!("{field}.number"), "appears twice");
        }
        let parent = number.rsplit_once('.').map(|(head, _)| head.to_string());
        let parent_index = match parent.as_deref() {
            None => None,
            // An annex theme such as A.5 has no "A" node above it.
            Some(head) if head.chars().all(|c| c.is_ascii_alphabetic()) => None,
            Some(head) => match seen.get(head) {
                Some(&pi) => Some(pi),
                None => {
                    p.add(
                        file,
                        format!("{field}.number"),
                        format!("its parent {head} must be listed before it"),
                    );
                    None
                }
            },
        };
        let depth = parent_index.map_or(0, |pi| s.clauses[pi].depth + 1);
        let c = &mut s.clauses[i];
        c.parent = parent_index;
        c.depth = depth;
        if c.title.trim().is_empty() {
            p.add(file, format!("{field}.title"), "must not be empty");
        }
        if c.intent.trim().len() < 20 || c.intent.trim() == c.title.trim() {
            p.add(
                file,
                format!("{field}.intent"),
                "needs an intent of our own (a sentence or more, not the title)",
            );
        }
        if c.anchor.is_some() != c.anchor_relation.is_some() {
            p.add(
                file,
                format!("{field}.anchor"),
                "anchor and anchor_relation go together",
            );
        }
        if c.theme.is_some() && !c.is_annex() {
            p.add(
                file,
                format!("{field}.theme"),
                "only annex controls have a theme",
            );
        }
    }
}

/// Marks the clauses an assessment answers: requirement clauses without sub-clauses.
fn mark_assessable(s: &mut Standard) {
    let mut has_children = vec![false; s.clauses.len()];
    for c in &s.clauses {
        if let Some(p) = c.parent {
            has_children[p] = true;
        }
    }
    for (c, parent) in s.clauses.iter_mut().zip(has_children) {
        c.assessable = c.is_requirement() && !parent;
    }
}

fn valid_number(n: &str) -> bool {
    let mut parts = n.split('.');
    let first = parts.next().unwrap_or("");
    let first_ok = (!first.is_empty() && first.chars().all(|c| c.is_ascii_digit()))
        || (first.len() == 1 && first.chars().all(|c| c.is_ascii_uppercase()));
    first_ok && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn check_anchors(standards: &[Standard], files: &[&str], hs: usize, p: &mut Problems) {
    let hs_numbers: HashSet<&str> = standards[hs]
        .clauses
        .iter()
        .map(|c| c.number.as_str())
        .collect();
    for (i, s) in standards.iter().enumerate() {
        for c in &s.clauses {
            let Some(anchor) = &c.anchor else { continue };
            let field = format!("clauses[{}].anchor", c.number);
            if i == hs {
                p.add(
                    files[i],
                    field,
                    "the harmonized structure is the backbone and has no anchors",
                );
            } else if !hs_numbers.contains(anchor.as_str()) {
                p.add(
                    files[i],
                    field,
                    format!("'{anchor}' is not a clause of {HS_ID}"),
                );
            }
        }
    }
}

fn resolve_table(
    file: &str,
    m: MappingFile,
    standards: &[Standard],
    by_id: &HashMap<String, usize>,
    p: &mut Problems,
) -> Option<Table> {
    let expected = format!(
        "{}--{}.toml",
        m.from.replace(':', "-"),
        m.to.replace(':', "-")
    );
    if file.rsplit('/').next() != Some(expected.as_str()) {
        p.add(
            file,
            "from",
            format!(
                "a mapping from {} to {} must be named {expected}",
                m.from, m.to
            ),
        );
    }
    let from = by_id.get(&normalise_id(&m.from)).copied();
    let to = by_id.get(&normalise_id(&m.to)).copied();
    if from.is_none() {
        p.add(
            file,
            "from",
            format!("'{}' is not a standard in the catalog", m.from),
        );
    }
    if to.is_none() {
        p.add(
            file,
            "to",
            format!("'{}' is not a standard in the catalog", m.to),
        );
    }
    let (from, to) = (from?, to?);
    if from == to {
        p.add(file, "to", "a mapping joins two different standards");
        return None;
    }
    let (sa, sb) = (&standards[from], &standards[to]);
    let mut pairs = HashSet::new();
    let mut rows = Vec::new();
    for (i, row) in m.rows.iter().enumerate() {
        let field = format!("map[{i}] ({})", row.from);
        let a = sa.clause_index(&row.from);
        if a.is_none() {
            p.add(
                file,
                format!("{field}.from"),
                format!("'{}' is not a clause of {}", row.from, sa.id),
            );
        }
        let mut to_idx = Vec::new();
        for t in &row.to {
            match sb.clause_index(t) {
                Some(b) => {
                    if !pairs.insert((row.from.clone(), t.clone())) {
                        p.add(
                            file,
                            format!("{field}.to"),
                            format!("{} to {t} is mapped twice", row.from),
                        );
                    }
                    to_idx.push(b);
                }
                None => p.add(
                    file,
                    format!("{field}.to"),
                    format!("'{t}' is not a clause of {}", sb.id),
                ),
            }
        }
        if (row.relation == Relationship::NotRelated) != row.to.is_empty() {
            p.add(
                file,
                format!("{field}.relation"),
                "'not-related' goes with an empty 'to', and only with it",
            );
        }
        if !(1..=10).contains(&row.strength) {
            p.add(
                file,
                format!("{field}.strength"),
                "must be between 1 and 10",
            );
        }
        if let Some(a) = a {
            rows.push(TableRow {
                from: a,
                to: to_idx,
                relation: row.relation,
                strength: row.strength,
                verification: row.verification,
                note: row.note.clone(),
            });
        }
    }
    Some(Table {
        file: file.to_string(),
        from,
        to,
        source: m.source,
        rows,
    })
}
