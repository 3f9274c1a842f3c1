//! Frameworks: the catalog the assessments work from, which is the built-in catalog plus
//! the frameworks and mapping sets imported into the database (OSCAL catalogs and profiles,
//! CISO Assistant libraries) — and the import itself, its list and each import's page.
//!
//! **Importing** reads the file with `annex_core::import` against what is already imported,
//! checks that the result fits the catalog, and stores it in one transaction with its
//! `framework.imported` audit event: a refused file changes nothing, and nothing is ever
//! half-imported. Managers and administrators import; everyone logged in reads.
//!
//! **Re-importing** an id already imported is refused, unless the file is byte-identical to
//! the one imported (same SHA-256): then it is a no-op that reports the earlier import.
//! Nothing is replaced behind the back of assessments already made against it.
//!
//! **The catalog** is cached in [`App`] and rebuilt only when the stored imports change, which
//! one cheap query tells (row count and highest sequence number), so that several app
//! servers on one PostgreSQL database see each other's imports on their next request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use annex_core::catalog::{ImportFormat, Origin, Standard};
use annex_core::import::{self, Context, Framework, Imported, MappingSet, Options};
use annex_core::kinds::FieldError;
use annex_core::role::Role;
use annex_core::{Catalog, CatalogError};
use annex_store::frameworks::{FrameworkRow, NewFramework};
use serde::Serialize;
use serde_json::json;

use crate::accounts::{deny, require};
use crate::records::draft;
use crate::{App, Error, Principal, clock};

/// The longest file name kept, in characters.
pub const FILE_NAME_MAX: usize = 255;

/// What an import stores under `kind`.
const FRAMEWORK: &str = "framework";
const MAPPING: &str = "mapping";

/// The imports as last read, and the catalog built from them.
#[derive(Debug, Clone)]
struct Loaded {
    stamp: (i64, i64),
    catalog: Arc<Catalog>,
    frameworks: Arc<Vec<Framework>>,
    mappings: Arc<Vec<MappingSet>>,
}

/// The catalog with imports, shared by the clones of one [`App`].
#[derive(Debug, Clone, Default)]
pub struct Cache(Arc<Mutex<Option<Loaded>>>);

impl Cache {
    fn get(&self, stamp: (i64, i64)) -> Option<Loaded> {
        let guard = self.0.lock().ok()?;
        guard.as_ref().filter(|l| l.stamp == stamp).cloned()
    }

    fn put(&self, loaded: Loaded) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = Some(loaded);
        }
    }
}

/// The built-in catalog, parsed once per process.
fn builtin() -> Result<&'static Catalog, Error> {
    Ok(Catalog::builtin()?)
}

/// The catalog as it stands now: built-in standards and every imported framework.
pub async fn catalog(app: &App) -> Result<Arc<Catalog>, Error> {
    Ok(loaded(app).await?.catalog)
}

/// The imports and the catalog built from them, read again only when they changed.
async fn loaded(app: &App) -> Result<Loaded, Error> {
    // Without a database nothing is imported: the built-in catalog alone, built once.
    let stamp = match app.store() {
        Ok(store) => store.frameworks_stamp().await?,
        Err(_) => (0, 0),
    };
    if let Some(l) = app.frameworks.get(stamp) {
        return Ok(l);
    }
    let rows = match app.store() {
        Ok(store) => store.framework_bodies().await?,
        Err(_) => Vec::new(),
    };
    let mut frameworks = Vec::new();
    let mut mappings = Vec::new();
    for row in rows {
        match row.kind.as_str() {
            FRAMEWORK => frameworks.push(parse_stored::<Framework>(&row.body)?),
            _ => mappings.push(parse_stored::<MappingSet>(&row.body)?),
        }
    }
    let catalog = build(&frameworks, &mappings).map_err(|problems| {
        Error::Internal(format!(
            "the imported frameworks no longer fit the catalog: {}",
            listed(&problems)
        ))
    })?;
    let l = Loaded {
        stamp,
        catalog: Arc::new(catalog),
        frameworks: Arc::new(frameworks),
        mappings: Arc::new(mappings),
    };
    app.frameworks.put(l.clone());
    Ok(l)
}

fn parse_stored<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, Error> {
    serde_json::from_str(body)
        .map_err(|e| Error::Internal(format!("a stored import does not read: {e}")))
}

fn build(frameworks: &[Framework], mappings: &[MappingSet]) -> Result<Catalog, Vec<CatalogError>> {
    let standards: Vec<Standard> = frameworks.iter().map(Framework::to_standard).collect();
    match builtin() {
        Ok(b) => b.with_imports(standards, mappings.to_vec()),
        Err(e) => Err(vec![CatalogError {
            file: "(catalog)".into(),
            field: "(built-in)".into(),
            rule: e.to_string(),
        }]),
    }
}

fn listed(problems: &[CatalogError]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.rule))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An import as the list, the API and the command line show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkSummary {
    pub id: String,
    /// `framework` or `mapping`.
    pub kind: String,
    pub format: ImportFormat,
    pub designation: String,
    pub file_name: String,
    /// SHA-256 of the imported file, hex.
    pub sha256: String,
    /// Clauses of a framework (headings included); links of a mapping set.
    pub clauses: i64,
    /// Clauses answered in an assessment; 0 for a mapping set.
    pub assessable: i64,
    /// For a mapping set: the two standards it joins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// UTC, ISO 8601.
    pub imported_at: String,
    /// User name, or `system` for the command line.
    pub imported_by: String,
    pub href: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    #[serde(flatten)]
    pub summary: FrameworkSummary,
    /// The same file was imported before: nothing changed.
    pub unchanged: bool,
    /// For a mapping set: its links by relationship (equal, subset, superset, intersect,
    /// not related).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_relation: BTreeMap<String, usize>,
    /// For a partial profile: control ids left out because its catalog lacks them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// Imports the file `file_name` (its `bytes`): managers and administrators only.
pub async fn import(
    app: &App,
    who: &Principal,
    file_name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<ImportOutcome, Error> {
    if !matches!(who.role, Role::Administrator | Role::Manager) {
        return Err(deny(
            app,
            who,
            "import_framework",
            &format!(
                "the {} role may not import frameworks: managers and administrators do",
                who.role.label()
            ),
        )
        .await);
    }
    let file_name = check_file_name(file_name)?;
    if bytes.len() > import::MAX_BYTES {
        return Err(Error::TooLarge {
            field: "file".into(),
            limit: import::MAX_BYTES,
        });
    }
    let store = app.store()?;
    let current = loaded(app).await?;
    let ctx = Context {
        catalog: &current.catalog,
        frameworks: &current.frameworks,
    };
    let imported = import::parse(&file_name, bytes, ctx, options).map_err(rejected)?;
    let Some(origin) = imported.origin().cloned() else {
        return Err(Error::Internal("an import without its origin".into()));
    };
    if let Some((row, _)) = store.framework(imported.id()).await? {
        return same_file(app, &row, &origin).await;
    }

    // It must fit with everything already imported.
    let mut frameworks = current.frameworks.to_vec();
    let mut mappings = current.mappings.to_vec();
    match &imported {
        Imported::Framework(f) => frameworks.push((**f).clone()),
        Imported::MappingSet(m) => mappings.push((**m).clone()),
    }
    build(&frameworks, &mappings).map_err(rejected)?;

    let (kind, designation, from, to, clauses, assessable, body) = match &imported {
        Imported::Framework(f) => {
            let (n, a) = f.counts();
            (
                FRAMEWORK,
                f.standard.designation.clone(),
                None,
                None,
                n,
                a,
                serde_json::to_string(f.as_ref()),
            )
        }
        Imported::MappingSet(m) => (
            MAPPING,
            m.name.clone(),
            Some(m.from.clone()),
            Some(m.to.clone()),
            m.rows.len(),
            0,
            serde_json::to_string(m.as_ref()),
        ),
    };
    let body = body.map_err(|e| Error::Internal(format!("an import does not write: {e}")))?;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let at = clock::now_us();
    let mut tx = store.begin().await?;
    // Checked again under the write transaction: two imports of one id at once.
    if let Some(row) = tx.framework(imported.id()).await? {
        drop(tx);
        return same_file(app, &row, &origin).await;
    }
    tx.insert_framework(&NewFramework {
        id: imported.id(),
        kind,
        format: origin.format.as_str(),
        file_name: &file_name,
        sha256: &origin.sha256,
        designation: &designation,
        from_id: from.as_deref(),
        to_id: to.as_deref(),
        clauses: count(clauses),
        assessable: count(assessable),
        body: &body,
        imported_at: at,
        imported_by: who.user_id(),
    })
    .await
    .map_err(|e| match e {
        annex_store::Error::Duplicate(_) => already(imported.id(), None),
        other => other.into(),
    })?;
    let by_relation = match &imported {
        Imported::MappingSet(m) => relations(m),
        Imported::Framework(_) => BTreeMap::new(),
    };
    let mut d = draft(
        who,
        "framework.imported",
        &format!("framework:{}", imported.id()),
    );
    d.after = Some(json!({
        "id": imported.id(),
        "kind": kind,
        "format": origin.format.as_str(),
        "file_name": file_name,
        "sha256": origin.sha256,
        "designation": designation,
        "from": from,
        "to": to,
        "clauses": clauses,
        "assessable": assessable,
        "left_out": origin.left_out,
    }));
    tx.audit(d);
    tx.commit().await?;
    Ok(ImportOutcome {
        summary: FrameworkSummary {
            id: imported.id().to_string(),
            kind: kind.to_string(),
            format: origin.format,
            designation,
            file_name,
            sha256: origin.sha256.clone(),
            clauses: count(clauses),
            assessable: count(assessable),
            from,
            to,
            imported_at: clock::iso(at),
            imported_by: who.username.clone(),
            href: href(imported.id()),
        },
        unchanged: false,
        by_relation,
        left_out: origin.left_out,
    })
}

/// The outcome when the id is already imported: a no-op for the same file, else refused.
async fn same_file(app: &App, row: &FrameworkRow, origin: &Origin) -> Result<ImportOutcome, Error> {
    if row.sha256 != origin.sha256 {
        return Err(already(&row.id, Some(row)));
    }
    let mut outcome = ImportOutcome {
        summary: summary(app, row).await?,
        unchanged: true,
        by_relation: BTreeMap::new(),
        left_out: origin.left_out.clone(),
    };
    if row.kind == MAPPING
        && let Some((_, body)) = app.store()?.framework(&row.id).await?
    {
        outcome.by_relation = relations(&parse_stored::<MappingSet>(&body)?);
    }
    Ok(outcome)
}

fn already(id: &str, row: Option<&FrameworkRow>) -> Error {
    let from = row
        .map(|r| {
            format!(
                " from {} on {}",
                r.file_name,
                clock::iso(r.imported_at).get(..10).unwrap_or("")
            )
        })
        .unwrap_or_default();
    Error::invalid(
        "file",
        format!(
            "'{id}' is already imported{from}, from a different file: an import is never \
             replaced, so that assessments made against it keep their meaning"
        ),
    )
}

fn relations(m: &MappingSet) -> BTreeMap<String, usize> {
    m.by_relation()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| (r.label().to_string(), n))
        .collect()
}

/// The problems of a refused file as field errors: the path in the file, and the rule.
fn rejected(problems: Vec<CatalogError>) -> Error {
    Error::Rejected(
        problems
            .into_iter()
            .map(|p| FieldError::new(p.field, p.rule))
            .collect(),
    )
}

/// The file name as kept: its last path segment, one line, at most [`FILE_NAME_MAX`].
fn check_file_name(name: &str) -> Result<String, Error> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if base.is_empty() {
        return Err(Error::invalid(
            "file_name",
            "name the file (OSCAL .json or CISO Assistant .yaml)",
        ));
    }
    if base.chars().any(char::is_control) || base.chars().count() > FILE_NAME_MAX {
        return Err(Error::invalid(
            "file_name",
            format!("must be one line of at most {FILE_NAME_MAX} characters"),
        ));
    }
    Ok(base.to_string())
}

fn href(id: &str) -> String {
    format!("/frameworks/{id}")
}

async fn summary(app: &App, row: &FrameworkRow) -> Result<FrameworkSummary, Error> {
    let by = match row.imported_by {
        Some(id) => app.store()?.user_by_id(id).await?.map(|u| u.username),
        None => None,
    };
    Ok(FrameworkSummary {
        id: row.id.clone(),
        kind: row.kind.clone(),
        format: format_of(&row.format),
        designation: row.designation.clone(),
        file_name: row.file_name.clone(),
        sha256: row.sha256.clone(),
        clauses: row.clauses,
        assessable: row.assessable,
        from: row.from_id.clone(),
        to: row.to_id.clone(),
        imported_at: clock::iso(row.imported_at),
        imported_by: by.unwrap_or_else(|| "system".into()),
        href: href(&row.id),
    })
}

fn format_of(s: &str) -> ImportFormat {
    [
        ImportFormat::OscalCatalog,
        ImportFormat::OscalProfile,
        ImportFormat::CisoFramework,
        ImportFormat::CisoMappingSet,
    ]
    .into_iter()
    .find(|f| f.as_str() == s)
    .unwrap_or(ImportFormat::OscalCatalog)
}

/// Every import, oldest first: anyone logged in.
pub async fn list(app: &App, who: &Principal) -> Result<Vec<FrameworkSummary>, Error> {
    require(app, who, annex_core::role::Permission::ReadRecords).await?;
    let rows = app.store()?.frameworks().await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(summary(app, row).await?);
    }
    Ok(out)
}

/// Whether `who` may import (for the upload form).
pub fn may_import(who: &Principal) -> bool {
    matches!(who.role, Role::Administrator | Role::Manager)
}

/// One clause of an imported framework, with its children.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkClause {
    pub number: String,
    pub title: String,
    pub intent: String,
    /// Answered in an assessment (headings are not).
    pub assessable: bool,
    /// May be declared not applicable, with a justification.
    pub may_be_not_applicable: bool,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<FrameworkClause>,
}

/// One link of an imported mapping set.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MappingLink {
    pub from: String,
    pub to: String,
    /// equal, subset, superset, intersect, not related: `from` is that of `to`.
    pub relation: String,
    pub strength: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An import with everything it holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkDetail {
    #[serde(flatten)]
    pub summary: FrameworkSummary,
    pub origin: Origin,
    /// A framework's title as the file gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What Annex says of it (how many controls, from which file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    /// Where requirements may be declared not applicable, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable_basis: Option<String>,
    /// A framework's clause tree.
    pub clauses: Vec<FrameworkClause>,
    /// A mapping set's links.
    pub links: Vec<MappingLink>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_relation: BTreeMap<String, usize>,
}

/// One import with its clause tree or links: anyone logged in.
pub async fn get(app: &App, who: &Principal, id: &str) -> Result<FrameworkDetail, Error> {
    require(app, who, annex_core::role::Permission::ReadRecords).await?;
    let Some((row, body)) = app.store()?.framework(id.trim()).await? else {
        return Err(Error::NotFound(format!("imported framework '{id}'")));
    };
    let summary = summary(app, &row).await?;
    if row.kind == MAPPING {
        let m: MappingSet = parse_stored(&body)?;
        return Ok(FrameworkDetail {
            summary,
            origin: m.origin.clone(),
            title: None,
            focus: None,
            not_applicable_basis: None,
            clauses: Vec::new(),
            by_relation: relations(&m),
            links: m
                .rows
                .iter()
                .map(|r| MappingLink {
                    from: r.from.clone(),
                    to: r.to.clone(),
                    relation: r.relation.label().to_string(),
                    strength: r.strength,
                    note: r.note.clone(),
                })
                .collect(),
        });
    }
    let f: Framework = parse_stored(&body)?;
    let s = f.to_standard();
    Ok(FrameworkDetail {
        summary,
        origin: s.origin.clone().unwrap_or_else(|| Origin {
            format: format_of(&row.format),
            file_name: row.file_name.clone(),
            identifier: None,
            version: None,
            sha256: row.sha256.clone(),
            resolved_against: None,
            left_out: Vec::new(),
        }),
        title: Some(s.title.clone()),
        focus: Some(s.facts.focus.clone()),
        not_applicable_basis: s.not_applicable.as_ref().map(|n| n.basis.clone()),
        clauses: tree(&s, None),
        links: Vec::new(),
        by_relation: BTreeMap::new(),
    })
}

fn tree(s: &Standard, parent: Option<usize>) -> Vec<FrameworkClause> {
    s.children(parent)
        .map(|i| {
            let c = &s.clauses[i];
            FrameworkClause {
                number: c.number.clone(),
                title: c.title.clone(),
                intent: c.intent.clone(),
                assessable: c.assessable,
                may_be_not_applicable: s
                    .not_applicable
                    .as_ref()
                    .is_some_and(|n| n.permits(&c.number)),
                children: tree(s, Some(i)),
            }
        })
        .collect()
}
