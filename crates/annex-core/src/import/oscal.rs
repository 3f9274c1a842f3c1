//! OSCAL catalogs and profiles (JSON, OSCAL 1.x) as frameworks.
//!
//! A catalog's groups (nested to any depth) become heading clauses and its controls and their
//! enhancements (nested controls) assessable clauses, numbered with the control id as OSCAL
//! writes it (`ac-2`, `ac-2.1`); controls whose `status` property is `withdrawn` are left
//! out with everything under them. Each control's intent is its statement, parameters shown
//! by their labels, cut to a sentence or two (NIST text is public domain; quoting it is
//! allowed, and Annex only keeps a short excerpt).
//!
//! A profile selects controls from a catalog. Its catalog must already be imported: the
//! caller names it, or it is found by the file name or title the profile's reference
//! gives. Controls the profile names that the catalog lacks are refused, or with the
//! `partial` option left out and recorded. The catalog's groups are kept as headings over
//! the selected controls (OSCAL's "as-is" merge); profile modifications are not applied.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::read::Reader;
use super::{
    Context, Framework, Imported, Layout, Options, Origin, Shell, Source, clause, permitting,
    short, slug, some_of, standard, year_of,
};
use crate::catalog::{Clause, ImportFormat};

/// The longest intent kept from a control's statement, in characters.
const INTENT_MAX: usize = 280;

/// What the other OSCAL models are called, to say what a refused file is.
const OTHER_MODELS: [(&str, &str); 7] = [
    ("assessment-results", "assessment results"),
    ("assessment-plan", "assessment plan"),
    ("system-security-plan", "system security plan"),
    ("component-definition", "component definition"),
    (
        "plan-of-action-and-milestones",
        "plan of action and milestones",
    ),
    ("mapping-collection", "mapping collection"),
    ("catalog-mapping", "mapping"),
];

pub(super) fn read(
    r: &mut Reader,
    value: &Value,
    source: Source<'_>,
    ctx: Context<'_>,
    options: &Options,
) -> Option<Imported> {
    let root = r.object(value, "")?;
    if let Some(v) = root.get("catalog") {
        let path = r.key("", "catalog");
        return catalog(r, v, &path, source).map(|f| Imported::Framework(Box::new(f)));
    }
    if let Some(v) = root.get("profile") {
        let path = r.key("", "profile");
        return profile(r, v, &path, source, ctx, options)
            .map(|f| Imported::Framework(Box::new(f)));
    }
    match OTHER_MODELS.iter().find(|(k, _)| root.contains_key(*k)) {
        Some((key, name)) => {
            let path = r.key("", key);
            r.problem(
                &path,
                format!(
                    "this is an OSCAL {name}, not a catalog or a profile: only catalogs and \
                     profiles hold controls to import"
                ),
            );
        }
        None => {
            let keys: Vec<&str> = root.keys().map(String::as_str).take(5).collect();
            r.problem(
                "",
                format!(
                    "not an OSCAL catalog or profile: the top level holds {} instead of \
                     \"catalog\" or \"profile\"",
                    if keys.is_empty() {
                        "nothing".to_string()
                    } else {
                        keys.join(", ")
                    }
                ),
            );
        }
    }
    None
}

/// A document's metadata: title, version and date.
struct Metadata {
    title: String,
    version: Option<String>,
    year: u16,
}

fn metadata(r: &mut Reader, m: &Map<String, Value>, path: &str) -> Option<Metadata> {
    let meta = r.object_at(m, path, "metadata", true)?;
    let at = r.key(path, "metadata");
    let title = r.text_at(meta, &at, "title", true, false);
    let version = r.text_at(meta, &at, "version", false, false);
    let published = r.text_at(meta, &at, "published", false, false);
    let modified = r.text_at(meta, &at, "last-modified", false, false);
    Some(Metadata {
        title: one_line(&title?),
        version,
        year: year_of(published.as_deref().or(modified.as_deref())),
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Clauses and their layout as they are read, with where each number was first seen.
struct Builder {
    clauses: Vec<Clause>,
    layout: Vec<Layout>,
    seen: HashMap<String, String>,
    /// Parameter id -> how to show it in a statement.
    params: HashMap<String, String>,
    withdrawn: usize,
    catalog_title: String,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        r: &mut Reader,
        number: String,
        at: &str,
        title: String,
        intent: String,
        parent: Option<usize>,
        assessable: bool,
    ) -> usize {
        if let Some(first) = self.seen.get(&number) {
            r.problem(at, format!("'{number}' is used twice (first at {first})"));
        } else {
            self.seen.insert(number.clone(), at.to_string());
        }
        self.layout.push(Layout {
            parent,
            assessable,
            source: number.clone(),
        });
        self.clauses.push(clause(number, one_line(&title), intent));
        self.clauses.len() - 1
    }
}

fn catalog(r: &mut Reader, v: &Value, path: &str, source: Source<'_>) -> Option<Framework> {
    let m = r.object(v, path)?;
    let meta = metadata(r, m, path);
    let uuid = r.text_at(m, path, "uuid", false, false);
    let mut b = Builder {
        clauses: Vec::new(),
        layout: Vec::new(),
        seen: HashMap::new(),
        params: HashMap::new(),
        withdrawn: 0,
        catalog_title: meta
            .as_ref()
            .map_or_else(|| "the catalog".to_string(), |m| m.title.clone()),
    };
    members(r, &mut b, m, path, None);
    let meta = meta?;
    if b.clauses.is_empty() {
        r.problem(path, "holds no controls to import");
        return None;
    }
    let controls = b.layout.iter().filter(|l| l.assessable).count();
    let groups = b.layout.len() - controls;
    let withdrawn = match b.withdrawn {
        0 => String::new(),
        n => format!("; {n} withdrawn controls left out"),
    };
    let focus = format!(
        "Imported from the OSCAL catalog {}: {controls} controls and enhancements in {groups} \
         groups{withdrawn}.",
        source.file_name
    );
    let key_requirements = top_titles(&b.clauses, &b.layout);
    let not_applicable = permitting(&b.clauses, |_| true, TAILORING);
    let id = format!("oscal:{}", id_slug(&meta.title, uuid.as_deref()));
    let shell = Shell {
        id,
        designation: meta.title.clone(),
        title: meta.title.clone(),
        published: meta.year,
        source: source_line(source.file_name, "OSCAL catalog", meta.version.as_deref()),
        focus,
        key_requirements,
        not_applicable,
        origin: Origin {
            format: ImportFormat::OscalCatalog,
            file_name: source.file_name.to_string(),
            identifier: uuid,
            version: meta.version,
            sha256: source.sha256.to_string(),
            resolved_against: None,
            left_out: Vec::new(),
        },
    };
    Some(Framework {
        standard: standard(shell, b.clauses),
        layout: b.layout,
    })
}

const TAILORING: &str = "OSCAL tailoring (as SP 800-53 baselines do): any control of an imported \
     OSCAL catalog or profile may be tailored out, with the reason recorded.";

fn source_line(file: &str, what: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{file} ({what}, version {v})"),
        None => format!("{file} ({what})"),
    }
}

fn id_slug(title: &str, uuid: Option<&str>) -> String {
    let s = slug(title);
    if s.is_empty() {
        slug(uuid.unwrap_or("catalog"))
    } else {
        s
    }
}

/// Titles of the top-level clauses (up to ten), as the framework's key requirements.
fn top_titles(clauses: &[Clause], layout: &[Layout]) -> Vec<String> {
    let titles: Vec<String> = clauses
        .iter()
        .zip(layout)
        .filter(|(_, l)| l.parent.is_none())
        .take(10)
        .map(|(c, _)| format!("{} {}", c.number, c.title))
        .collect();
    if titles.is_empty() {
        vec!["Its controls, as listed.".to_string()]
    } else {
        titles
    }
}

/// The groups and controls directly inside a catalog or group.
fn members(
    r: &mut Reader,
    b: &mut Builder,
    m: &Map<String, Value>,
    path: &str,
    parent: Option<usize>,
) {
    if let Some(groups) = r.list_at(m, path, "groups", false) {
        let at = r.key(path, "groups");
        for (i, g) in groups.iter().enumerate() {
            let p = r.index(&at, i);
            group(r, b, g, &p, parent);
        }
    }
    if let Some(controls) = r.list_at(m, path, "controls", false) {
        let at = r.key(path, "controls");
        for (i, c) in controls.iter().enumerate() {
            let p = r.index(&at, i);
            control(r, b, c, &p, parent);
        }
    }
}

fn group(r: &mut Reader, b: &mut Builder, v: &Value, path: &str, parent: Option<usize>) {
    let Some(m) = r.object(v, path) else { return };
    let id = r.text_at(m, path, "id", false, false);
    let title = r.text_at(m, path, "title", true, false);
    let number = id
        .clone()
        .or_else(|| label(m))
        .unwrap_or_else(|| format!("group-{}", b.clauses.len() + 1));
    let at = if id.is_some() {
        r.key(path, "id")
    } else {
        path.to_string()
    };
    let title = title.unwrap_or_else(|| number.clone());
    let intent = format!("The {title} group of {}.", b.catalog_title);
    let index = b.push(r, number, &at, title, intent, parent, false);
    members(r, b, m, path, Some(index));
}

fn control(r: &mut Reader, b: &mut Builder, v: &Value, path: &str, parent: Option<usize>) {
    let Some(m) = r.object(v, path) else { return };
    if is_withdrawn(m) {
        b.withdrawn += 1 + nested_controls(m);
        return;
    }
    let id = r.text_at(m, path, "id", true, false);
    let title = r.text_at(m, path, "title", true, false);
    read_params(r, b, m, path);
    let statement = match r.list_at(m, path, "parts", false) {
        Some(parts) => parts
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some("statement"))
            .map(|p| {
                let mut text = String::new();
                part_text(p, true, &mut text);
                // A parameter's choices may hold parameters themselves: two more rounds.
                for _ in 0..3 {
                    if !text.contains("{{") {
                        break;
                    }
                    text = insert_params(&text, &b.params);
                }
                text
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let Some(id) = id else {
        // Without an id there is no number; its enhancements are still checked.
        members(r, b, m, path, parent);
        return;
    };
    let intent = if statement.trim().is_empty() {
        format!("Control {id} of {}.", b.catalog_title)
    } else {
        short(&statement, INTENT_MAX)
    };
    let at = r.key(path, "id");
    let title = title.unwrap_or_else(|| id.clone());
    let index = b.push(r, id, &at, title, intent, parent, true);
    members(r, b, m, path, Some(index));
}

/// `status: withdrawn` among a control's properties.
fn is_withdrawn(m: &Map<String, Value>) -> bool {
    props(m).any(|(name, value)| name == "status" && value.eq_ignore_ascii_case("withdrawn"))
}

fn nested_controls(m: &Map<String, Value>) -> usize {
    m.get("controls").and_then(Value::as_array).map_or(0, |cs| {
        cs.iter()
            .filter_map(Value::as_object)
            .map(|c| 1 + nested_controls(c))
            .sum()
    })
}

/// A control's or group's `(name, value)` properties that are well formed.
fn props(m: &Map<String, Value>) -> impl Iterator<Item = (&str, &str)> {
    m.get("props")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
}

/// The first `label` property without a class (the one written for people).
fn label(m: &Map<String, Value>) -> Option<String> {
    props(m)
        .find(|(name, _)| *name == "label")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Records how each parameter of a control reads inside its statement.
fn read_params(r: &mut Reader, b: &mut Builder, m: &Map<String, Value>, path: &str) {
    let Some(params) = r.list_at(m, path, "params", false) else {
        return;
    };
    for p in params.iter().filter_map(Value::as_object) {
        let Some(id) = p.get("id").and_then(Value::as_str) else {
            continue;
        };
        let shown = if let Some(l) = p.get("label").and_then(Value::as_str) {
            format!("[{}]", one_line(l))
        } else if let Some(choices) = p
            .get("select")
            .and_then(|s| s.get("choice"))
            .and_then(Value::as_array)
        {
            let list: Vec<&str> = choices.iter().filter_map(Value::as_str).collect();
            format!("[selection: {}]", list.join("; "))
        } else {
            "[assignment]".to_string()
        };
        b.params.insert(id.to_string(), shown);
    }
}

/// The prose of a part and of the parts inside it, each item after its label (`a.`, `1.`).
fn part_text(part: &Value, top: bool, out: &mut String) {
    let Some(m) = part.as_object() else { return };
    if !top && let Some(l) = label(m) {
        out.push_str(&l);
        out.push(' ');
    }
    if let Some(prose) = m.get("prose").and_then(Value::as_str) {
        out.push_str(prose.trim());
        out.push(' ');
    }
    if let Some(parts) = m.get("parts").and_then(Value::as_array) {
        for p in parts {
            part_text(p, false, out);
        }
    }
}

/// Replaces `{{ insert: param, id }}` with the parameter's label in brackets.
fn insert_params(text: &str, params: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            rest = &rest[start..];
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        let shown = inner
            .strip_prefix("insert:")
            .and_then(|i| {
                let mut it = i.split(',').map(str::trim);
                match (it.next(), it.next()) {
                    (Some("param"), Some(id)) => params.get(id).cloned(),
                    _ => None,
                }
            })
            .unwrap_or_else(|| "[assignment]".to_string());
        out.push_str(&shown);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

// -------------------------------------------------------------------------------------------
// Profiles

/// One `include-controls` or `exclude-controls` entry.
struct Selector {
    path: String,
    ids: Vec<(String, String)>,
    with_children: bool,
    patterns: Vec<String>,
}

fn profile(
    r: &mut Reader,
    v: &Value,
    path: &str,
    source: Source<'_>,
    ctx: Context<'_>,
    options: &Options,
) -> Option<Framework> {
    let m = r.object(v, path)?;
    let meta = metadata(r, m, path);
    let uuid = r.text_at(m, path, "uuid", false, false);
    let resources = back_matter(m);
    let imports = r.list_at(m, path, "imports", true)?;
    if imports.is_empty() {
        let at = r.key(path, "imports");
        r.problem(&at, "names no catalog to import controls from");
    }
    let imports_at = r.key(path, "imports");
    let mut chosen: Vec<(&Framework, HashSet<usize>)> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    for (i, imp) in imports.iter().enumerate() {
        let at = r.index(&imports_at, i);
        let Some(im) = r.object(imp, &at) else {
            continue;
        };
        let Some(href) = r.text_at(im, &at, "href", true, false) else {
            continue;
        };
        let href_at = r.key(&at, "href");
        let include_all = im.get("include-all").is_some();
        let include = selectors(r, im, &at, "include-controls");
        let exclude = selectors(r, im, &at, "exclude-controls");
        if !include_all && include.is_empty() {
            r.problem(&at, "names neither include-all nor include-controls");
        }
        let Some(cat) = find_catalog(r, ctx, options, &href, &resources, &href_at) else {
            continue;
        };
        let controls = control_index(cat);
        let mut picked: HashSet<usize> = HashSet::new();
        if include_all {
            picked.extend(controls.values().copied());
        }
        for sel in &include {
            let mut missing = Vec::new();
            for (id, _) in &sel.ids {
                match controls.get(id.as_str()) {
                    Some(&c) => {
                        picked.insert(c);
                        if sel.with_children {
                            picked.extend(descendants(cat, c));
                        }
                    }
                    None => missing.push(id.clone()),
                }
            }
            for pattern in &sel.patterns {
                for (id, &c) in &controls {
                    if glob(pattern, id) {
                        picked.insert(c);
                    }
                }
            }
            if !missing.is_empty() {
                if options.partial {
                    left_out.extend(missing);
                } else {
                    let at = r.key(&sel.path, "with-ids");
                    r.problem(
                        &at,
                        format!(
                            "{} of the {} controls named are not in {} ({}): {}; import with \
                             the partial option to leave them out, or resolve the profile \
                             against a catalog that holds them",
                            missing.len(),
                            sel.ids.len(),
                            cat.id(),
                            cat.standard.designation,
                            some_of(&missing)
                        ),
                    );
                }
            }
        }
        for sel in &exclude {
            for (id, _) in &sel.ids {
                if let Some(&c) = controls.get(id.as_str()) {
                    picked.remove(&c);
                    if sel.with_children {
                        for d in descendants(cat, c) {
                            picked.remove(&d);
                        }
                    }
                }
            }
            for pattern in &sel.patterns {
                picked.retain(|&c| !glob(pattern, &cat.layout[c].source));
            }
        }
        chosen.push((cat, picked));
    }
    let meta = meta?;
    if !r.is_clean() {
        return None;
    }
    let mut clauses = Vec::new();
    let mut layout = Vec::new();
    for (cat, picked) in &chosen {
        select(cat, picked, &mut clauses, &mut layout);
    }
    let mut seen = HashSet::new();
    for c in &clauses {
        if !seen.insert(c.number.clone()) {
            r.problem(
                &imports_at,
                format!("control '{}' comes from two imports", c.number),
            );
        }
    }
    let controls = layout.iter().filter(|l| l.assessable).count();
    if controls == 0 {
        r.problem(&imports_at, "selects no control");
        return None;
    }
    let catalogs: Vec<String> = chosen.iter().map(|(c, _)| c.id().to_string()).collect();
    let left = match left_out.len() {
        0 => String::new(),
        n => format!("; {n} controls it names were left out: not in that catalog"),
    };
    let focus = format!(
        "Imported from the OSCAL profile {}: {controls} controls and enhancements selected \
         from {}{left}.",
        source.file_name,
        catalogs.join(", ")
    );
    let key_requirements = top_titles(&clauses, &layout);
    let not_applicable = permitting(&clauses, |_| true, TAILORING);
    // A resolved baseline often carries the same title as its profile: "-profile" keeps
    // the two apart.
    let id = format!("oscal:{}-profile", id_slug(&meta.title, uuid.as_deref()));
    let shell = Shell {
        id,
        designation: meta.title.clone(),
        title: meta.title.clone(),
        published: meta.year,
        source: source_line(source.file_name, "OSCAL profile", meta.version.as_deref()),
        focus,
        key_requirements,
        not_applicable,
        origin: Origin {
            format: ImportFormat::OscalProfile,
            file_name: source.file_name.to_string(),
            identifier: uuid,
            version: meta.version,
            sha256: source.sha256.to_string(),
            resolved_against: Some(catalogs.join(", ")),
            left_out,
        },
    };
    Some(Framework {
        standard: standard(shell, clauses),
        layout,
    })
}

fn selectors(r: &mut Reader, m: &Map<String, Value>, path: &str, key: &str) -> Vec<Selector> {
    let Some(list) = r.list_at(m, path, key, false) else {
        return Vec::new();
    };
    let at = r.key(path, key);
    let mut out = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let sel_at = r.index(&at, i);
        let Some(sm) = r.object(s, &sel_at) else {
            continue;
        };
        let mut ids = Vec::new();
        if let Some(with) = r.list_at(sm, &sel_at, "with-ids", false) {
            let with_at = r.key(&sel_at, "with-ids");
            for (k, id) in with.iter().enumerate() {
                let id_at = r.index(&with_at, k);
                match id.as_str().map(str::trim) {
                    Some(id) if !id.is_empty() => ids.push((id.to_string(), id_at)),
                    _ => r.problem(&id_at, "must be a control id (text)"),
                }
            }
        }
        let with_children = sm.get("with-child-controls").and_then(Value::as_str) == Some("yes");
        let mut patterns = Vec::new();
        if let Some(matching) = r.list_at(sm, &sel_at, "matching", false) {
            for m in matching {
                if let Some(p) = m.get("pattern").and_then(Value::as_str) {
                    patterns.push(p.to_string());
                }
            }
        }
        out.push(Selector {
            path: sel_at,
            ids,
            with_children,
            patterns,
        });
    }
    out
}

/// Back-matter resources by uuid: `(title or description, the file names its links give)`.
fn back_matter(m: &Map<String, Value>) -> HashMap<String, (Option<String>, Vec<String>)> {
    let mut out = HashMap::new();
    let resources = m
        .get("back-matter")
        .and_then(|b| b.get("resources"))
        .and_then(Value::as_array);
    for res in resources.into_iter().flatten() {
        let Some(uuid) = res.get("uuid").and_then(Value::as_str) else {
            continue;
        };
        let title = res
            .get("title")
            .or_else(|| res.get("description"))
            .and_then(Value::as_str)
            .map(one_line);
        let mut names: Vec<String> = res
            .get("rlinks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| l.get("href").and_then(Value::as_str))
            .map(file_name_of)
            .collect();
        // Annex imports JSON: name the JSON rendering first when a refusal names one.
        names.sort_by_key(|n| !n.to_ascii_lowercase().ends_with(".json"));
        out.insert(uuid.to_string(), (title, names));
    }
    out
}

/// `../../x/NIST_SP-800-53_rev5_catalog.json` -> `NIST_SP-800-53_rev5_catalog.json`.
fn file_name_of(href: &str) -> String {
    href.rsplit(['/', '\\']).next().unwrap_or(href).to_string()
}

/// The imported catalog an import of a profile refers to: the one named by the `catalog`
/// option, else the one imported from the file name the reference gives, else the one
/// whose title it gives.
fn find_catalog<'c>(
    r: &mut Reader,
    ctx: Context<'c>,
    options: &Options,
    href: &str,
    resources: &HashMap<String, (Option<String>, Vec<String>)>,
    at: &str,
) -> Option<&'c Framework> {
    let catalogs: Vec<&Framework> = ctx
        .frameworks
        .iter()
        .filter(|f| {
            f.origin()
                .is_some_and(|o| o.format == ImportFormat::OscalCatalog)
        })
        .collect();
    let listed = || {
        if catalogs.is_empty() {
            "no OSCAL catalog is imported yet".to_string()
        } else {
            let ids: Vec<&str> = catalogs.iter().map(|c| c.id()).collect();
            format!("imported OSCAL catalogs: {}", ids.join(", "))
        }
    };
    if let Some(wanted) = options
        .catalog
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let found = ctx
            .frameworks
            .iter()
            .find(|f| f.id().eq_ignore_ascii_case(wanted));
        return match found {
            Some(f)
                if f.origin()
                    .is_some_and(|o| o.format == ImportFormat::OscalCatalog) =>
            {
                Some(f)
            }
            Some(f) => {
                let what = f.origin().map_or("framework", |o| o.format.label());
                r.problem(
                    "catalog",
                    format!("'{wanted}' is a {what}, not an OSCAL catalog; {}", listed()),
                );
                None
            }
            None => {
                r.problem(
                    "catalog",
                    format!("'{wanted}' is not an imported framework; {}", listed()),
                );
                None
            }
        };
    }
    let (title, names) = match href.strip_prefix('#') {
        Some(uuid) => match resources.get(uuid) {
            Some((title, names)) => (title.clone(), names.clone()),
            None => {
                r.problem(
                    at,
                    format!("'{href}' names no resource in the profile's back-matter"),
                );
                return None;
            }
        },
        None => (None, vec![file_name_of(href)]),
    };
    let matches: Vec<&Framework> = catalogs
        .iter()
        .copied()
        .filter(|c| {
            let origin = c.origin();
            names
                .iter()
                .any(|n| origin.is_some_and(|o| o.file_name.eq_ignore_ascii_case(n)))
                || title
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(&c.standard.title))
        })
        .collect();
    if let [one] = matches.as_slice() {
        return Some(one);
    }
    let wanted = match (names.first(), &title) {
        (Some(n), Some(t)) => format!("{n} (“{t}”)"),
        (Some(n), None) => n.clone(),
        (None, Some(t)) => format!("“{t}”"),
        (None, None) => href.to_string(),
    };
    let rule = if matches.is_empty() {
        format!(
            "the profile takes its controls from the catalog {wanted}, which is not imported: \
             import it first, or name an imported OSCAL catalog with the catalog option \
             ({})",
            listed()
        )
    } else {
        format!(
            "more than one imported catalog could be {wanted}: name one with the catalog \
             option ({})",
            listed()
        )
    };
    r.problem(at, rule);
    None
}

/// The catalog's controls (not groups) by id.
fn control_index(cat: &Framework) -> HashMap<&str, usize> {
    cat.layout
        .iter()
        .enumerate()
        .filter(|(_, l)| l.assessable)
        .map(|(i, l)| (l.source.as_str(), i))
        .collect()
}

/// Every clause below clause `c`.
fn descendants(cat: &Framework, c: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut frontier = vec![c];
    while let Some(p) = frontier.pop() {
        for (i, l) in cat.layout.iter().enumerate() {
            if l.parent == Some(p) {
                out.push(i);
                frontier.push(i);
            }
        }
    }
    out
}

/// Copies the picked controls of `cat`, in catalog order, under the nearest group or picked
/// control above each; groups that hold nothing picked are dropped.
fn select(
    cat: &Framework,
    picked: &HashSet<usize>,
    clauses: &mut Vec<Clause>,
    layout: &mut Vec<Layout>,
) {
    let n = cat.layout.len();
    // Keep picked controls and every group above one.
    let mut keep = vec![false; n];
    for &c in picked {
        keep[c] = true;
        let mut p = cat.layout[c].parent;
        while let Some(i) = p {
            if !cat.layout[i].assessable {
                keep[i] = true;
            }
            p = cat.layout[i].parent;
        }
    }
    let mut new_index: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        if !keep[i] {
            continue;
        }
        let mut p = cat.layout[i].parent;
        while let Some(q) = p {
            if keep[q] {
                break;
            }
            p = cat.layout[q].parent;
        }
        let mut c = cat.standard.clauses[i].clone();
        c.parent = None;
        clauses.push(c);
        layout.push(Layout {
            parent: p.and_then(|q| new_index[q]),
            assessable: cat.layout[i].assessable,
            source: cat.layout[i].source.clone(),
        });
        new_index[i] = Some(layout.len() - 1);
    }
}

/// OSCAL `matching` patterns: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_as_their_labels() {
        let params = HashMap::from([("p1".to_string(), "[personnel]".to_string())]);
        assert_eq!(
            insert_params(
                "Send to {{ insert: param, p1 }} and {{ insert: param, p9 }}.",
                &params
            ),
            "Send to [personnel] and [assignment]."
        );
        assert_eq!(
            insert_params("Unclosed {{ insert", &params),
            "Unclosed {{ insert"
        );
    }

    #[test]
    fn patterns_match_like_globs() {
        assert!(glob("ac-*", "ac-2.1"));
        assert!(glob("ac-?", "ac-2"));
        assert!(!glob("ac-?", "ac-21"));
        assert!(glob("*", "x"));
    }

    #[test]
    fn hrefs_give_their_file_names() {
        assert_eq!(file_name_of("../../a/b/cat.json"), "cat.json");
        assert_eq!(file_name_of("cat.json"), "cat.json");
    }
}
