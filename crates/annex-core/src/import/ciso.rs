//! CISO Assistant library files (YAML): a framework, or a requirement mapping set between two
//! frameworks.
//!
//! A framework's requirement nodes become clauses: numbered by `ref_id` (or, without one, by
//! the tail of the node's URN), titled by `name`, described by `description`, nested by
//! `parent_urn` (a parent is listed before its children), assessed where the file marks them
//! `assessable`.
//!
//! A mapping set names its two frameworks by URN. Each resolves to an imported framework with
//! that URN first, else to a built-in standard whose id is the URN's tail with its last `-`
//! made `:` (`urn:intuitem:risk:framework:iso27001-2022` -> `iso27001:2022`). Node URNs
//! resolve through the imported framework's nodes, or for a built-in standard by the URN's
//! tail compared case-insensitively with clause numbers (`...:a.5.1` -> `A.5.1`).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::read::Reader;
use super::{
    Context, Framework, Imported, Layout, MappingRow, MappingSet, Origin, Shell, Source, clause,
    permitting, short, slug, standard, year_of,
};
use crate::catalog::{Clause, ImportFormat};
use crate::mapping::Relationship;

/// The longest description kept as a clause's intent, in characters.
const INTENT_MAX: usize = 600;

pub(super) fn read(
    r: &mut Reader,
    value: &Value,
    source: Source<'_>,
    ctx: Context<'_>,
) -> Option<Imported> {
    let Some(root) = value.as_object() else {
        r.problem(
            "",
            "not a CISO Assistant library: a library is a mapping with a header and `objects`",
        );
        return None;
    };
    if !root.contains_key("objects") {
        r.problem(
            "objects",
            "is required: a CISO Assistant library holds its framework or mapping set under \
             `objects` (this file has none, so it is not one)",
        );
        return None;
    }
    let objects = r.object_at(root, "", "objects", true)?;
    let library = Library::read(r, root);
    let framework = objects.get("framework");
    let mapping = objects.get("requirement_mapping_set");
    match (framework, mapping) {
        (Some(_), Some(_)) => {
            r.problem(
                "objects",
                "holds both a framework and a requirement mapping set: import each from a \
                 file of its own",
            );
            None
        }
        (Some(f), None) => {
            read_framework(r, f, &library, source).map(|f| Imported::Framework(Box::new(f)))
        }
        (None, Some(m)) => {
            read_mapping(r, m, &library, source, ctx).map(|m| Imported::MappingSet(Box::new(m)))
        }
        (None, None) => {
            let held: Vec<&str> = objects.keys().map(String::as_str).collect();
            r.problem(
                "objects",
                format!(
                    "holds neither a framework nor a requirement_mapping_set ({}): nothing to \
                     import",
                    if held.is_empty() {
                        "it is empty".to_string()
                    } else {
                        format!("it holds {}", held.join(", "))
                    }
                ),
            );
            None
        }
    }
}

/// The library's header.
struct Library {
    urn: Option<String>,
    name: Option<String>,
    version: Option<String>,
    year: u16,
    provider: Option<String>,
}

impl Library {
    fn read(r: &mut Reader, root: &Map<String, Value>) -> Self {
        let date = r.text_at(root, "", "publication_date", false, false);
        Self {
            urn: r.text_at(root, "", "urn", false, false),
            name: r.text_at(root, "", "name", false, false),
            version: r.text_at(root, "", "version", false, true),
            year: year_of(date.as_deref()),
            provider: r.text_at(root, "", "provider", false, false),
        }
    }
}

/// The part of a URN after its last `:`.
fn tail(urn: &str) -> &str {
    urn.rsplit(':').next().unwrap_or(urn)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_framework(
    r: &mut Reader,
    v: &Value,
    library: &Library,
    source: Source<'_>,
) -> Option<Framework> {
    let path = "objects.framework";
    let fw = r.object(v, path)?;
    let urn = r.text_at(fw, path, "urn", true, false);
    if let Some(u) = &urn
        && !u.starts_with("urn:")
    {
        let at = r.key(path, "urn");
        r.problem(&at, format!("'{u}' is not a URN (urn:...)"));
    }
    let ref_id = r.text_at(fw, path, "ref_id", false, true);
    let name = r.text_at(fw, path, "name", true, false);
    let description = r.text_at(fw, path, "description", false, false);
    let nodes = r.list_at(fw, path, "requirement_nodes", true)?;
    let nodes_at = r.key(path, "requirement_nodes");
    if nodes.is_empty() {
        r.problem(&nodes_at, "lists no requirement node");
    }
    let fw_name = ref_id
        .clone()
        .or_else(|| name.clone())
        .unwrap_or_else(|| "the framework".into());

    // Node URNs first, so that a parent listed after its child is told apart from an
    // unknown one.
    let mut by_urn: HashMap<&str, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some(u) = n.get("urn").and_then(Value::as_str) {
            by_urn.entry(u.trim()).or_insert(i);
        }
    }
    let mut clauses: Vec<Clause> = Vec::with_capacity(nodes.len());
    let mut layout: Vec<Layout> = Vec::with_capacity(nodes.len());
    // Node index -> clause index, for parents.
    let mut index_of: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut urns: HashMap<String, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let at = r.index(&nodes_at, i);
        let Some(m) = r.object(n, &at) else { continue };
        let node_urn = r.text_at(m, &at, "urn", true, false);
        let parent_urn = r.text_at(m, &at, "parent_urn", false, false);
        let node_ref = r.text_at(m, &at, "ref_id", false, true);
        let node_name = r.text_at(m, &at, "name", false, false);
        let node_description = r.text_at(m, &at, "description", false, false);
        let assessable = r.bool_at(m, &at, "assessable").unwrap_or(false);
        r.int_at(m, &at, "depth", 0, 1000);
        let Some(node_urn) = node_urn else { continue };
        if let Some(first) = urns.insert(node_urn.clone(), i) {
            let u = r.key(&at, "urn");
            r.problem(
                &u,
                format!("'{node_urn}' is also the urn of {nodes_at}[{first}]"),
            );
        }
        let parent = match &parent_urn {
            None => None,
            Some(p) => match by_urn.get(p.as_str()) {
                Some(&j) if j < i => index_of[j],
                Some(&j) => {
                    let u = r.key(&at, "parent_urn");
                    r.problem(
                        &u,
                        format!(
                            "'{p}' is the node {nodes_at}[{j}], listed after this one: a \
                             parent comes before its children"
                        ),
                    );
                    None
                }
                None => {
                    let u = r.key(&at, "parent_urn");
                    r.problem(&u, format!("'{p}' is not the urn of any requirement node"));
                    None
                }
            },
        };
        let number = node_ref
            .clone()
            .unwrap_or_else(|| tail(&node_urn).to_string());
        if let Some(first) = numbers.insert(number.clone(), i) {
            let field = if node_ref.is_some() { "ref_id" } else { "urn" };
            let u = r.key(&at, field);
            r.problem(
                &u,
                format!("'{number}' is also the number of {nodes_at}[{first}]"),
            );
        }
        let title = node_name
            .as_deref()
            .map(one_line)
            .or_else(|| node_description.as_deref().map(|d| short(d, 120)))
            .unwrap_or_else(|| number.clone());
        let intent = match &node_description {
            Some(d) => short(d, INTENT_MAX),
            None if assessable => {
                format!(
                    "Requirement {number} of {fw_name}; the imported file describes it no further."
                )
            }
            None => format!("Heading {number} of {fw_name}, over the requirements below it."),
        };
        index_of[i] = Some(clauses.len());
        clauses.push(clause(number, title, intent));
        layout.push(Layout {
            parent,
            assessable,
            source: node_urn,
        });
    }
    let urn = urn?;
    let name = name?;
    if clauses.is_empty() {
        return None;
    }
    let id_tail = slug(tail(&urn));
    if id_tail.is_empty() {
        let at = r.key(path, "urn");
        r.problem(&at, "ends in nothing to name the framework by");
        return None;
    }
    let assessable = layout.iter().filter(|l| l.assessable).count();
    let provider = library
        .provider
        .as_deref()
        .map(|p| format!(", provided by {p}"))
        .unwrap_or_default();
    let focus = format!(
        "Imported from the CISO Assistant library {}: {} requirement nodes, {assessable} of \
         them assessable{provider}.",
        source.file_name,
        clauses.len()
    );
    let key_requirements = headings(&clauses, &layout);
    let not_applicable = if follows_iso27001(&clauses) {
        permitting(
            &clauses,
            |c| c.number.starts_with("A."),
            "A Statement of Applicability, as in ISO/IEC 27001 6.1.3: Annex A controls may be \
             excluded, each with its justification; clauses 4 to 10 always apply.",
        )
    } else {
        permitting(
            &clauses,
            |_| true,
            "The imported framework states no rule on applicability: any requirement may be \
             declared not applicable, with its justification.",
        )
    };
    let title = description
        .as_deref()
        .map(one_line)
        .filter(|d| d.chars().count() <= 200)
        .unwrap_or_else(|| one_line(&name));
    let library_name = library
        .urn
        .as_deref()
        .or(library.name.as_deref())
        .unwrap_or("CISO Assistant library");
    let source_line = match &library.version {
        Some(v) => format!("{} ({library_name}, version {v})", source.file_name),
        None => format!("{} ({library_name})", source.file_name),
    };
    let shell = Shell {
        id: format!("ciso:{id_tail}"),
        designation: ref_id.unwrap_or_else(|| one_line(&name)),
        title,
        published: library.year,
        source: source_line,
        focus,
        key_requirements,
        not_applicable,
        origin: Origin {
            format: ImportFormat::CisoFramework,
            file_name: source.file_name.to_string(),
            identifier: Some(urn),
            version: library.version.clone(),
            sha256: source.sha256.to_string(),
            resolved_against: None,
            left_out: Vec::new(),
        },
    };
    Some(Framework {
        standard: standard(shell, clauses),
        layout,
    })
}

/// Clauses 4 to 10 and an Annex A: the shape of ISO/IEC 27001 (and of ISO/IEC 27701 and
/// the like), whose Statement of Applicability may exclude annex controls only.
fn follows_iso27001(clauses: &[Clause]) -> bool {
    let numbers: HashSet<&str> = clauses.iter().map(|c| c.number.as_str()).collect();
    (4..=10).all(|n| numbers.contains(n.to_string().as_str()))
        && clauses.iter().any(|c| c.number.starts_with("A."))
}

/// The headings nearest the top (up to ten), as the framework's key requirements.
fn headings(clauses: &[Clause], layout: &[Layout]) -> Vec<String> {
    let near_top = |l: &Layout| match l.parent {
        None => true,
        Some(p) => layout[p].parent.is_none(),
    };
    let picked: Vec<String> = clauses
        .iter()
        .zip(layout)
        .filter(|(_, l)| !l.assessable && near_top(l))
        .take(10)
        .map(|(c, _)| {
            if c.number.eq_ignore_ascii_case(&c.title) {
                c.title.clone()
            } else {
                format!("{} {}", c.number, c.title)
            }
        })
        .collect();
    if picked.is_empty() {
        vec!["Its requirements, as listed.".to_string()]
    } else {
        picked
    }
}

/// One side of a mapping set: the standard's id and how its node URNs read as clause numbers.
enum Side<'c> {
    /// An imported framework: node URN -> clause number.
    Imported {
        id: String,
        nodes: HashMap<&'c str, &'c str>,
    },
    /// A built-in standard: lower-case clause number -> clause number.
    Builtin {
        id: String,
        numbers: HashMap<String, &'c str>,
    },
}

impl Side<'_> {
    fn id(&self) -> &str {
        match self {
            Self::Imported { id, .. } | Self::Builtin { id, .. } => id,
        }
    }

    fn number(&self, node_urn: &str) -> Option<String> {
        match self {
            Self::Imported { nodes, .. } => nodes.get(node_urn).map(|n| n.to_string()),
            Self::Builtin { numbers, .. } => numbers
                .get(&tail(node_urn).to_lowercase())
                .map(|n| n.to_string()),
        }
    }
}

fn side<'c>(r: &mut Reader, ctx: Context<'c>, urn: &str, at: &str) -> Option<Side<'c>> {
    let imported = ctx.frameworks.iter().find(|f| {
        f.origin().is_some_and(|o| {
            o.format == ImportFormat::CisoFramework && o.identifier.as_deref() == Some(urn)
        })
    });
    if let Some(f) = imported {
        let nodes = f
            .layout
            .iter()
            .zip(&f.standard.clauses)
            .map(|(l, c)| (l.source.as_str(), c.number.as_str()))
            .collect();
        return Some(Side::Imported {
            id: f.id().to_string(),
            nodes,
        });
    }
    let t = tail(urn);
    let builtin_id = match t.rfind('-') {
        Some(i) => format!("{}:{}", &t[..i], &t[i + 1..]),
        None => t.to_string(),
    };
    match ctx.catalog.get(&builtin_id) {
        Some(s) if s.origin.is_none() => Some(Side::Builtin {
            id: s.id.clone(),
            numbers: s
                .clauses
                .iter()
                .map(|c| (c.number.to_lowercase(), c.number.as_str()))
                .collect(),
        }),
        _ => {
            r.problem(
                at,
                format!(
                    "'{urn}' is neither an imported CISO Assistant framework nor a built-in \
                     standard (looked for the built-in '{builtin_id}'): import that framework \
                     first"
                ),
            );
            None
        }
    }
}

fn relationship(s: &str) -> Option<Relationship> {
    match s.to_ascii_lowercase().replace('-', "_").as_str() {
        "equal" => Some(Relationship::Equal),
        "subset" => Some(Relationship::Subset),
        "superset" => Some(Relationship::Superset),
        "intersect" => Some(Relationship::Intersect),
        "not_related" => Some(Relationship::NotRelated),
        _ => None,
    }
}

/// Strength where the file gives none: as for harmonized-structure anchors.
fn default_strength(r: Relationship) -> u8 {
    match r {
        Relationship::Equal => 10,
        Relationship::Subset | Relationship::Superset => 8,
        Relationship::Intersect => 5,
        Relationship::NotRelated => 1,
    }
}

fn read_mapping(
    r: &mut Reader,
    v: &Value,
    library: &Library,
    source: Source<'_>,
    ctx: Context<'_>,
) -> Option<MappingSet> {
    let path = "objects.requirement_mapping_set";
    let ms = r.object(v, path)?;
    let set_urn = r.text_at(ms, path, "urn", false, false);
    let name = r.text_at(ms, path, "name", false, false);
    let src_urn = r.text_at(ms, path, "source_framework_urn", true, false);
    let tgt_urn = r.text_at(ms, path, "target_framework_urn", true, false);
    let src_at = r.key(path, "source_framework_urn");
    let tgt_at = r.key(path, "target_framework_urn");
    let from = src_urn.as_deref().and_then(|u| side(r, ctx, u, &src_at));
    let to = tgt_urn.as_deref().and_then(|u| side(r, ctx, u, &tgt_at));
    if let (Some(a), Some(b)) = (&from, &to)
        && a.id() == b.id()
    {
        r.problem(&tgt_at, "a mapping set joins two different frameworks");
    }
    let list = r.list_at(ms, path, "requirement_mappings", true)?;
    let list_at = r.key(path, "requirement_mappings");
    if list.is_empty() {
        r.problem(&list_at, "lists no mapping");
    }
    let mut rows = Vec::with_capacity(list.len());
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for (i, item) in list.iter().enumerate() {
        let at = r.index(&list_at, i);
        let Some(m) = r.object(item, &at) else {
            continue;
        };
        let s = r.text_at(m, &at, "source_requirement_urn", true, false);
        let t = r.text_at(m, &at, "target_requirement_urn", true, false);
        let rel_text = r.text_at(m, &at, "relationship", true, false);
        let strength = r.int_at(m, &at, "strength_of_relationship", 0, 10);
        let note = r.text_at(m, &at, "rationale", false, false);
        let relation = rel_text.as_deref().and_then(|x| {
            let rel = relationship(x);
            if rel.is_none() {
                let u = r.key(&at, "relationship");
                r.problem(
                    &u,
                    format!("'{x}' must be one of equal, subset, superset, intersect, not_related"),
                );
            }
            rel
        });
        let a = match (&from, &s) {
            (Some(side), Some(urn)) => {
                let n = side.number(urn);
                if n.is_none() {
                    let u = r.key(&at, "source_requirement_urn");
                    r.problem(&u, format!("'{urn}' is not a node of {}", side.id()));
                }
                n
            }
            _ => None,
        };
        let b = match (&to, &t) {
            (Some(side), Some(urn)) => {
                let n = side.number(urn);
                if n.is_none() {
                    let u = r.key(&at, "target_requirement_urn");
                    r.problem(&u, format!("'{urn}' is not a node of {}", side.id()));
                }
                n
            }
            _ => None,
        };
        let (Some(a), Some(b), Some(relation)) = (a, b, relation) else {
            continue;
        };
        if let Some(first) = pairs.insert((a.clone(), b.clone()), i) {
            r.problem(
                &at,
                format!("{a} to {b} is mapped twice (first at {list_at}[{first}])"),
            );
            continue;
        }
        let strength = match strength {
            Some(n) if n > 0 => u8::try_from(n).unwrap_or(10),
            _ => default_strength(relation),
        };
        rows.push(MappingRow {
            from: a,
            to: b,
            relation,
            strength,
            note,
        });
    }
    let (from, to) = (from?, to?);
    let id_source = library
        .urn
        .as_deref()
        .or(set_urn.as_deref())
        .map(tail)
        .unwrap_or("mapping");
    let id = format!("ciso:{}", slug(id_source));
    let name = name
        .or_else(|| library.name.clone())
        .unwrap_or_else(|| format!("{} to {}", from.id(), to.id()));
    Some(MappingSet {
        id,
        name: one_line(&name),
        from: from.id().to_string(),
        to: to.id().to_string(),
        origin: Origin {
            format: ImportFormat::CisoMappingSet,
            file_name: source.file_name.to_string(),
            identifier: set_urn,
            version: library.version.clone(),
            sha256: source.sha256.to_string(),
            resolved_against: None,
            left_out: Vec::new(),
        },
        rows,
    })
}
