//! Importing frameworks from files: OSCAL catalogs and profiles (JSON) and CISO Assistant
//! library files (YAML) holding a framework or a requirement mapping set. Pure: bytes in,
//! a [`Framework`] or a [`MappingSet`] out, or every problem found, each naming the path
//! inside the file (a JSON pointer such as `/catalog/groups/3/controls/0/id`, or a YAML path
//! such as `objects.framework.requirement_nodes[12].parent_urn`) and the rule broken.
//!
//! Both formats are first read into a generic tree ([`serde_json::Value`]) and then walked
//! by hand rather than deserialised into structs: that is what lets an error name the exact
//! path, and lets one pass report every problem instead of stopping at the first.
//!
//! - [`oscal`]: catalogs (groups and controls, withdrawn controls skipped) and profiles
//!   (resolved against an imported catalog).
//! - [`ciso`]: CISO Assistant frameworks and mapping sets.
//!
//! Storing the result and joining it to the catalog is the caller's work
//! ([`crate::Catalog::with_imports`]).

mod ciso;
mod oscal;
mod read;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::catalog::{
    Catalog, Clause, Discipline, Facts, Nature, NotApplicable, Standard, Status, Structure,
    Verification,
};
pub use crate::catalog::{ImportFormat, Origin};
use crate::error::CatalogError;
use crate::mapping::Relationship;
use read::{Reader, Style};

/// The largest file accepted: the largest fixture (the SP 800-53 LOW catalog) is 2.6 MB; the
/// full SP 800-53 catalog is about 10 MB.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// How many missing control ids a refusal names before it says "and N more".
const SHOWN: usize = 8;

/// Choices made by the person importing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Options {
    /// For a profile: import the controls its catalog holds and record the others as left
    /// out, instead of refusing.
    #[serde(default)]
    pub partial: bool,
    /// For a profile: the id of the imported OSCAL catalog to resolve it against, when it
    /// cannot be found from the profile's own reference.
    #[serde(default)]
    pub catalog: Option<String>,
}

/// What an import is read against: the catalog as it stands (built-in and imported) and the
/// imported frameworks as stored, whose clause sources (node URNs, control ids) resolve
/// references.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub frameworks: &'a [Framework],
}

/// An imported framework as stored: the standard, and for each clause what serde leaves out
/// of [`Clause`] (its parent and whether it is assessed) and the id its source gave it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    pub standard: Standard,
    /// One entry per clause, in the same order.
    pub layout: Vec<Layout>,
}

/// The place of one clause in its imported framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Layout {
    /// Index of the parent clause; none for a top-level clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    pub assessable: bool,
    /// The node's URN (CISO Assistant) or the control or group id (OSCAL).
    pub source: String,
}

impl Framework {
    /// The id users and links use, e.g. `ciso:iso27001-2013`.
    pub fn id(&self) -> &str {
        &self.standard.id
    }

    /// The standard with every clause's parent, depth and assessable set from the layout.
    pub fn to_standard(&self) -> Standard {
        let mut s = self.standard.clone();
        apply_layout(&mut s, &self.layout);
        s
    }

    /// Clauses and the assessable ones among them.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.layout.len(),
            self.layout.iter().filter(|l| l.assessable).count(),
        )
    }

    fn origin(&self) -> Option<&Origin> {
        self.standard.origin.as_ref()
    }
}

fn apply_layout(s: &mut Standard, layout: &[Layout]) {
    for i in 0..s.clauses.len() {
        let l = layout.get(i);
        let parent = l.and_then(|l| l.parent).filter(|&p| p < i);
        let depth = parent.map_or(0, |p| s.clauses[p].depth + 1);
        let c = &mut s.clauses[i];
        c.parent = parent;
        c.depth = depth;
        c.assessable = l.is_some_and(|l| l.assessable);
        c.imported = true;
    }
}

/// An imported mapping set: how clauses of one standard relate to clauses of another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MappingSet {
    /// e.g. `ciso:mapping-iso27001-2013-to-iso27001-2022`.
    pub id: String,
    pub name: String,
    /// Standard ids: an imported framework or a built-in standard.
    pub from: String,
    pub to: String,
    pub origin: Origin,
    pub rows: Vec<MappingRow>,
}

/// One link of a mapping set: clause `from` is `relation` of clause `to` (NIST OLIR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MappingRow {
    pub from: String,
    pub to: String,
    pub relation: Relationship,
    pub strength: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl MappingSet {
    /// Links by relationship: equal, subset, superset, intersect, not related.
    pub fn by_relation(&self) -> [(Relationship, usize); 5] {
        Relationship::ALL.map(|r| (r, self.rows.iter().filter(|x| x.relation == r).count()))
    }
}

/// What a file held.
#[derive(Debug, Clone)]
pub enum Imported {
    Framework(Box<Framework>),
    MappingSet(Box<MappingSet>),
}

impl Imported {
    pub fn id(&self) -> &str {
        match self {
            Self::Framework(f) => f.id(),
            Self::MappingSet(m) => &m.id,
        }
    }

    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Self::Framework(f) => f.origin(),
            Self::MappingSet(m) => Some(&m.origin),
        }
    }
}

/// Reads `bytes` (the file `file_name`) as an OSCAL catalog or profile or a CISO Assistant
/// framework or mapping set, whichever it is, against what is already in `ctx`.
pub fn parse(
    file_name: &str,
    bytes: &[u8],
    ctx: Context<'_>,
    options: &Options,
) -> Result<Imported, Vec<CatalogError>> {
    let file = file_name.to_string();
    let fail = |field: &str, rule: String| {
        vec![CatalogError {
            file: file.clone(),
            field: field.into(),
            rule,
        }]
    };
    if bytes.is_empty() {
        return Err(fail("(file)", "the file is empty".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(fail(
            "(file)",
            format!("larger than the limit of {MAX_BYTES} bytes"),
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(fail(
            "(file)",
            "not UTF-8 text: OSCAL JSON and CISO Assistant YAML files are".into(),
        ));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sha256 = hex::encode(Sha256::digest(bytes));
    let json = text.trim_start().starts_with('{');
    let value: Value = if json {
        serde_json::from_str(text).map_err(|e| {
            fail(
                "(file)",
                format!(
                    "not valid JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    json_reason(&e)
                ),
            )
        })?
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("").trim();
            fail(
                "(file)",
                format!(
                    "not valid YAML: {}",
                    first.strip_prefix("error: ").unwrap_or(first)
                ),
            )
        })?
    };
    let mut r = Reader::new(file_name, if json { Style::Pointer } else { Style::Dotted });
    let source = Source {
        file_name,
        sha256: &sha256,
    };
    let result = if json {
        oscal::read(&mut r, &value, source, ctx, options)
    } else {
        ciso::read(&mut r, &value, source, ctx)
    };
    match result {
        Some(imported) if r.is_clean() => Ok(imported),
        _ => Err(r.into_problems()),
    }
}

/// The file being read, for its origin.
#[derive(Debug, Clone, Copy)]
struct Source<'a> {
    file_name: &'a str,
    sha256: &'a str,
}

/// serde_json's reason without its " at line X column Y" tail (given separately).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Lower-case letters and digits joined by single hyphens, at most 80 characters:
/// `NIST SP 800-53 Rev 5.1.1 LOW` -> `nist-sp-800-53-rev-5-1-1-low`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > 80 {
        let cut = out[..80].rfind('-').unwrap_or(80);
        out.truncate(cut);
    }
    out
}

/// The year of an ISO 8601 date or date-time, e.g. `2023-12-04T...` -> 2023.
fn year_of(date: Option<&str>) -> u16 {
    date.and_then(|d| d.get(..4))
        .and_then(|y| y.parse().ok())
        .unwrap_or(0)
}

/// Text cut to a sentence or two, at most about `max` characters, whitespace collapsed.
fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let limit = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    // End at a clause or sentence boundary in the second half: "; " first (statements list
    // their items so), then ". " after a word (not after an item label such as "c."), ": ".
    let after_word = |i: usize| {
        head[..i]
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.chars().count() > 2)
    };
    let half = limit / 2;
    let boundary = head
        .rfind("; ")
        .filter(|&i| i > half)
        .or_else(|| {
            head.match_indices(". ")
                .map(|(i, _)| i)
                .filter(|&i| i > half && after_word(i))
                .last()
        })
        .or_else(|| head.rfind(": ").filter(|&i| i > half));
    let kept = match boundary {
        Some(i) => &head[..i],
        None => head.rfind(' ').map_or(head, |cut| &head[..cut]),
    };
    format!("{}…", kept.trim_end_matches([',', ';', ':', ' ']))
}

/// A clause of an imported framework (parent, depth and assessable come from its layout).
fn clause(number: String, title: String, intent: String) -> Clause {
    Clause {
        number,
        title,
        // The title is as the file gives it: one public source.
        verification: Verification::V1,
        intent,
        documented_information: Vec::new(),
        anchor: None,
        anchor_relation: None,
        note: None,
        theme: None,
        parent: None,
        depth: 0,
        assessable: false,
        imported: true,
    }
}

/// What every imported framework shares; the format fills in its specifics.
struct Shell {
    id: String,
    designation: String,
    title: String,
    published: u16,
    source: String,
    focus: String,
    key_requirements: Vec<String>,
    not_applicable: NotApplicable,
    origin: Origin,
}

fn standard(shell: Shell, clauses: Vec<Clause>) -> Standard {
    let plain = |s: &str| s.to_string();
    Standard {
        id: shell.id,
        designation: shell.designation,
        title: shell.title,
        discipline: Discipline::Imported,
        nature: Nature::Requirements,
        certifiable: false,
        structure: Structure::Own,
        status: Status::Current,
        published: shell.published,
        withdrawn: None,
        superseded_by: None,
        amendments: Vec::new(),
        sources: vec![shell.source],
        facts: Facts {
            focus: shell.focus,
            scope: plain(
                "As the imported file defines it; Annex keeps its clause numbers and titles \
                 and a short description of each.",
            ),
            who_needs_it: plain("Whoever imported it to assess against it."),
            risk_approach: plain("Not stated: imported from a file that does not say."),
            certification_path: plain(
                "None recorded: an imported framework is assessed, not certified, in Annex.",
            ),
            implementation_time: plain("Not stated: imported from a file that does not say."),
            key_requirements: shell.key_requirements,
            related: Vec::new(),
        },
        not_applicable: Some(shell.not_applicable),
        origin: Some(shell.origin),
        clauses,
    }
}

/// Lets the clauses `keep` chooses be declared not applicable. Each is listed by number:
/// imported numbers need not nest by prefix (`ac` holds `ac-2`), which is how
/// [`NotApplicable::permits`] reads a built-in standard's list.
fn permitting(clauses: &[Clause], keep: impl Fn(&Clause) -> bool, basis: &str) -> NotApplicable {
    NotApplicable {
        clauses: clauses
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.number.clone())
            .collect(),
        basis: basis.to_string(),
    }
}

/// `ac-2.1, ac-2.2 ... and 130 more`.
fn some_of(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(SHOWN).map(String::as_str).collect();
    if ids.len() > SHOWN {
        format!("{} and {} more", shown.join(", "), ids.len() - SHOWN)
    } else {
        shown.join(", ")
    }
}
