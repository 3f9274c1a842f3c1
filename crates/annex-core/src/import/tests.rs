//! Imports of every fixture file, with the counts a user would see, and refusals of
//! malformed ones naming the path and the reason.
//!
//! The fixtures are read from `../shared/fixtures/` at test time. The CISO Assistant files
//! are AGPL: they are never copied into the project, and malformed variants are made by
//! editing the loaded text in memory.

use super::*;
use crate::catalog::Catalog;

const OSCAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/oscal/nist-oscal-content"
);
const CISO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/ciso-assistant"
);
const LOW_CATALOG: &str =
    "sp800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json";
const LOW_ID: &str = "oscal:nist-special-publication-800-53-revision-5-1-1-low-impact-baseline";

fn oscal(name: &str) -> String {
    let path = format!("{OSCAL}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ciso(name: &str) -> String {
    let path = format!("{CISO}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn builtin() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

/// Imports `text` as the file `name` with `frameworks` already imported.
fn import_with(
    name: &str,
    text: &str,
    frameworks: &[Framework],
    options: &Options,
) -> Result<Imported, Vec<CatalogError>> {
    let standards: Vec<Standard> = frameworks.iter().map(Framework::to_standard).collect();
    let catalog = builtin().with_imports(standards, Vec::new()).unwrap();
    parse(
        name,
        text.as_bytes(),
        Context {
            catalog: &catalog,
            frameworks,
        },
        options,
    )
}

fn framework(imported: Imported) -> Framework {
    match imported {
        Imported::Framework(f) => *f,
        Imported::MappingSet(m) => panic!("expected a framework, got mapping set {}", m.id),
    }
}

fn mapping(imported: Imported) -> MappingSet {
    match imported {
        Imported::MappingSet(m) => *m,
        Imported::Framework(f) => panic!("expected a mapping set, got framework {}", f.id()),
    }
}

fn low_catalog() -> Framework {
    framework(import_with(LOW_CATALOG, &oscal(LOW_CATALOG), &[], &Options::default()).unwrap())
}

fn ciso_framework(name: &str) -> Framework {
    framework(import_with(name, &ciso(name), &[], &Options::default()).unwrap())
}

/// The one problem expected, with its path and a word of its reason.
fn refused(result: Result<Imported, Vec<CatalogError>>) -> Vec<CatalogError> {
    match result {
        Ok(i) => panic!("imported {} instead of refusing it", i.id()),
        Err(e) => e,
    }
}

fn has(problems: &[CatalogError], field: &str, words: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.field == field && p.rule.contains(words)),
        "no problem at {field} saying '{words}' in {problems:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// OSCAL catalogs

#[test]
fn the_low_baseline_catalog_imports_its_149_controls_in_18_groups() {
    let f = low_catalog();
    assert_eq!(f.id(), LOW_ID);
    let s = f.to_standard();
    let controls = s.clauses.iter().filter(|c| c.assessable).count();
    let groups = s.clauses.iter().filter(|c| !c.assessable).count();
    assert_eq!((controls, groups), (149, 18));
    assert_eq!(f.counts(), (167, 149));

    let ac = s.clause("ac").unwrap();
    assert_eq!(ac.title, "Access Control");
    assert_eq!((ac.depth, ac.assessable), (0, false));
    let ac2 = s.clause("ac-2").unwrap();
    assert_eq!(ac2.title, "Account Management");
    assert_eq!(s.clauses[ac2.parent.unwrap()].number, "ac");
    assert!(
        ac2.intent
            .starts_with("a. Define and document the types of accounts")
    );
    assert!(ac2.intent.chars().count() <= 281, "{}", ac2.intent);
    let enhancement = s.clause("ia-2.1").unwrap();
    assert_eq!(s.clauses[enhancement.parent.unwrap()].number, "ia-2");
    assert_eq!((enhancement.depth, enhancement.assessable), (2, true));
    // Parameters read as their labels, never as OSCAL insert markup.
    let ac1 = s.clause("ac-1").unwrap();
    assert!(
        ac1.intent
            .contains("[organization-defined personnel or roles]")
    );
    assert!(s.clauses.iter().all(|c| !c.intent.contains("{{")));
    // Every clause is a requirement, assessable or not, and any may be tailored out.
    assert!(s.clauses.iter().all(Clause::is_requirement));
    let na = s.not_applicable.as_ref().unwrap();
    assert!(na.permits("ac-2") && na.permits("ia-2.1") && na.permits("ac"));
    assert!(na.basis.contains("SP 800-53"));

    let origin = s.origin.as_ref().unwrap();
    assert_eq!(origin.format, ImportFormat::OscalCatalog);
    assert_eq!(origin.version.as_deref(), Some("5.1.1+u4"));
    assert_eq!(origin.sha256.len(), 64);
    assert_eq!(s.discipline.label(), "Imported framework");
    assert!(
        s.facts
            .focus
            .contains("149 controls and enhancements in 18 groups")
    );
}

#[test]
fn an_imported_framework_joins_the_catalog_after_the_built_in_standards() {
    let f = low_catalog();
    let merged = builtin()
        .with_imports(vec![f.to_standard()], Vec::new())
        .unwrap();
    assert_eq!(merged.standards().len(), builtin().standards().len() + 1);
    let s = merged.get(LOW_ID).unwrap();
    assert_eq!(s.clauses.iter().filter(|c| c.assessable).count(), 149);
    // Built-in standards keep their place and their anchors.
    for (a, b) in builtin().standards().iter().zip(merged.standards()) {
        assert_eq!(a.id, b.id);
    }
    assert!(
        merged
            .compare(&["iso9001:2015", "iso14001:2015"])
            .unwrap()
            .pairs[0]
            .a_shared
            > 0
    );
    // The same id twice is refused.
    let twice = builtin().with_imports(vec![f.to_standard(), f.to_standard()], Vec::new());
    let problems = twice.unwrap_err();
    assert!(
        problems[0].rule.contains("already a standard"),
        "{problems:?}"
    );
}

#[test]
fn a_stored_framework_reads_back_with_its_tree() {
    let f = low_catalog();
    let json = serde_json::to_string(&f).unwrap();
    let back: Framework = serde_json::from_str(&json).unwrap();
    let (a, b) = (f.to_standard(), back.to_standard());
    assert_eq!(a.clauses.len(), b.clauses.len());
    for (x, y) in a.clauses.iter().zip(&b.clauses) {
        assert_eq!(
            (&x.number, x.parent, x.depth, x.assessable),
            (&y.number, y.parent, y.depth, y.assessable)
        );
    }
    assert_eq!(a.origin, b.origin);
}

#[test]
fn nists_basic_example_catalog_imports_with_nested_groups() {
    let f = framework(
        import_with(
            "basic-catalog.json",
            &oscal("examples/basic-catalog.json"),
            &[],
            &Options::default(),
        )
        .unwrap(),
    );
    let s = f.to_standard();
    assert_eq!(f.counts(), (8, 4));
    let c = s.clause("s1.1.1").unwrap();
    assert_eq!(c.depth, 2);
    assert_eq!(s.clauses[c.parent.unwrap()].number, "s1.1");
    assert!(f.id().starts_with("oscal:sample-security-catalog"));
}

#[test]
fn withdrawn_controls_are_left_out_with_their_enhancements() {
    let mut doc: Value = serde_json::from_str(&oscal(LOW_CATALOG)).unwrap();
    // ia-2 has two enhancements in the LOW baseline.
    let ia = doc["catalog"]["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["id"] == "ia")
        .unwrap();
    let ia2 = ia["controls"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["id"] == "ia-2")
        .unwrap();
    ia2["props"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "status", "value": "withdrawn"}));
    let text = serde_json::to_string(&doc).unwrap();
    let f = framework(import_with("low.json", &text, &[], &Options::default()).unwrap());
    let s = f.to_standard();
    assert!(s.clause("ia-2").is_none() && s.clause("ia-2.1").is_none());
    let removed = 1 + 4; // ia-2 with ia-2.1, ia-2.2, ia-2.8, ia-2.12
    assert_eq!(f.counts().1, 149 - removed);
    assert!(s.facts.focus.contains("5 withdrawn controls left out"));
}

// ---------------------------------------------------------------------------------------------
// OSCAL profiles

fn profile(level: &str) -> (String, String) {
    let name = format!("NIST_SP-800-53_rev5_{level}-baseline_profile.json");
    let text = oscal(&format!("sp800-53-rev5/{name}"));
    (name, text)
}

fn against_low(partial: bool) -> Options {
    Options {
        partial,
        catalog: Some(LOW_ID.into()),
    }
}

#[test]
fn the_low_profile_resolves_fully_against_the_low_catalog() {
    let catalog = low_catalog();
    let (name, text) = profile("LOW");
    let f = framework(
        import_with(
            &name,
            &text,
            std::slice::from_ref(&catalog),
            &against_low(false),
        )
        .unwrap(),
    );
    assert_eq!(f.id(), format!("{LOW_ID}-profile"));
    let s = f.to_standard();
    assert_eq!(f.counts(), (167, 149));
    let origin = s.origin.as_ref().unwrap();
    assert_eq!(origin.format, ImportFormat::OscalProfile);
    assert_eq!(origin.resolved_against.as_deref(), Some(LOW_ID));
    assert!(origin.left_out.is_empty());
    // Titles and intents come from the catalog, under the same groups.
    assert_eq!(s.clause("ac-2").unwrap().title, "Account Management");
    let ia21 = s.clause("ia-2.1").unwrap();
    assert_eq!(s.clauses[ia21.parent.unwrap()].number, "ia-2");
    // Both can be in the catalog at once.
    builtin()
        .with_imports(vec![catalog.to_standard(), s], Vec::new())
        .unwrap();
}

#[test]
fn a_profile_whose_catalog_is_not_imported_is_refused_saying_which_is_needed() {
    let (name, text) = profile("LOW");
    let problems = refused(import_with(&name, &text, &[], &Options::default()));
    has(
        &problems,
        "/profile/imports/0/href",
        "NIST_SP-800-53_rev5_catalog.json",
    );
    has(&problems, "/profile/imports/0/href", "import it first");
    // The LOW catalog is imported but the reference names the full catalog: the caller
    // has to say which catalog to use.
    let problems = refused(import_with(
        &name,
        &text,
        &[low_catalog()],
        &Options::default(),
    ));
    has(&problems, "/profile/imports/0/href", LOW_ID);
    // A named catalog that is not one.
    let problems = refused(import_with(
        &name,
        &text,
        &[low_catalog()],
        &Options {
            partial: false,
            catalog: Some("oscal:nothing".into()),
        },
    ));
    has(&problems, "catalog", "not an imported framework");
}

#[test]
fn profiles_beyond_the_low_catalog_are_refused_naming_the_missing_controls() {
    let catalog = [low_catalog()];
    for (level, named, missing, first) in [
        ("MODERATE", 287, 138, "ac-2.1"),
        ("HIGH", 370, 221, "ac-2.1"),
        ("PRIVACY", 96, 56, "ac-3.14"),
    ] {
        let (name, text) = profile(level);
        let problems = refused(import_with(&name, &text, &catalog, &against_low(false)));
        let path = "/profile/imports/0/include-controls/0/with-ids";
        has(
            &problems,
            path,
            &format!("{missing} of the {named} controls named are not in {LOW_ID}"),
        );
        has(&problems, path, first);
        has(&problems, path, "partial");
    }
}

#[test]
fn a_partial_import_keeps_what_resolves_and_records_what_was_left_out() {
    let catalog = [low_catalog()];
    for (level, missing, kept) in [
        ("MODERATE", 138, 149),
        ("HIGH", 221, 149),
        ("PRIVACY", 56, 40),
    ] {
        let (name, text) = profile(level);
        let f = framework(import_with(&name, &text, &catalog, &against_low(true)).unwrap());
        assert_eq!(f.counts().1, kept, "{level}");
        let s = f.to_standard();
        let origin = s.origin.as_ref().unwrap();
        assert_eq!(origin.left_out.len(), missing, "{level}");
        assert!(
            s.facts
                .focus
                .contains(&format!("{missing} controls it names were left out"))
        );
        // Groups holding nothing selected are dropped.
        assert!(s.clauses.iter().filter(|c| !c.assessable).all(|g| {
            let i = s.clause_index(&g.number).unwrap();
            s.children(Some(i)).next().is_some()
        }));
    }
}

#[test]
fn a_profile_can_select_by_pattern_and_exclude_some() {
    let text = serde_json::json!({"profile": {
        "uuid": "00000000-0000-4000-8000-000000000001",
        "metadata": {"title": "Access only", "last-modified": "2024-01-01T00:00:00Z",
                     "version": "1", "oscal-version": "1.1.2"},
        "imports": [{"href": "#cat",
                     "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"},
                                          {"matching": [{"pattern": "at-*"}]}],
                     "exclude-controls": [{"with-ids": ["at-3"]}]}],
        "back-matter": {"resources": [{"uuid": "cat", "title": "x",
            "rlinks": [{"href": "low.json"}]}]}
    }})
    .to_string();
    let mut catalog = low_catalog();
    // Found by the file name the reference gives.
    catalog.standard.origin.as_mut().unwrap().file_name = "low.json".into();
    let f = framework(import_with("p.json", &text, &[catalog], &Options::default()).unwrap());
    let s = f.to_standard();
    let numbers: Vec<&str> = s
        .clauses
        .iter()
        .filter(|c| c.assessable)
        .map(|c| c.number.as_str())
        .collect();
    assert_eq!(numbers, ["ac-2", "at-1", "at-2", "at-2.2", "at-4"]);
    assert_eq!(f.id(), "oscal:access-only-profile");
}

// ---------------------------------------------------------------------------------------------
// CISO Assistant frameworks and mapping sets

#[test]
fn the_ciso_iso27001_2013_framework_imports_its_200_nodes() {
    let f = ciso_framework("iso27001-2013.yaml");
    assert_eq!(f.id(), "ciso:iso27001-2013");
    assert_eq!(f.counts(), (200, 140));
    let s = f.to_standard();
    assert_eq!(s.designation, "ISO/IEC 27001:2013");
    // Nodes without ref_id are numbered by their URN's tail.
    assert!(s.clause("core").is_some() && s.clause("annex-a").is_some());
    let c = s.clause("A.9.1.1").unwrap();
    assert_eq!(c.title, "Access control policy");
    assert_eq!(s.clauses[c.parent.unwrap()].number, "A.9.1");
    assert!(c.assessable);
    assert!(!s.clause("A.9.1").unwrap().assessable);
    // A Statement of Applicability: Annex A controls only.
    let na = s.not_applicable.as_ref().unwrap();
    assert!(na.permits("A.9.1.1"));
    assert!(!na.permits("4.1") && !na.permits("6.1.3"));
    let origin = s.origin.as_ref().unwrap();
    assert_eq!(
        origin.identifier.as_deref(),
        Some("urn:intuitem:risk:framework:iso27001-2013")
    );
    assert_eq!(s.published, 2024);
    // It does not hide the built-in standard its designation names.
    let merged = builtin().with_imports(vec![s], Vec::new()).unwrap();
    assert_eq!(
        merged.resolve("ISO/IEC 27001:2022").unwrap().id,
        "iso27001:2022"
    );
    assert_eq!(
        merged.resolve("ciso:iso27001-2013").unwrap().designation,
        "ISO/IEC 27001:2013"
    );
}

#[test]
fn the_ciso_iso27001_2022_framework_imports_its_140_nodes() {
    let f = ciso_framework("iso27001-2022.yaml");
    assert_eq!(f.id(), "ciso:iso27001-2022");
    assert_eq!(f.counts(), (140, 123));
    let s = f.to_standard();
    assert_eq!(s.clause("A.5.1").unwrap().depth, 2);
    assert!(s.clauses.iter().all(Clause::is_requirement));
    builtin().with_imports(vec![s], Vec::new()).unwrap();
}

fn mapping_file() -> (String, String) {
    let name = "mapping-iso27001-2013-to-iso27001-2022.yaml".to_string();
    let text = ciso(&name);
    (name, text)
}

#[test]
fn the_mapping_set_resolves_its_134_links_to_the_built_in_2022_standard() {
    let from = ciso_framework("iso27001-2013.yaml");
    let (name, text) = mapping_file();
    let m = mapping(
        import_with(
            &name,
            &text,
            std::slice::from_ref(&from),
            &Options::default(),
        )
        .unwrap(),
    );
    assert_eq!(m.id, "ciso:mapping-iso27001-2013-to-iso27001-2022");
    assert_eq!(
        (m.from.as_str(), m.to.as_str()),
        ("ciso:iso27001-2013", "iso27001:2022")
    );
    assert_eq!(m.rows.len(), 134);
    let counts: Vec<usize> = m.by_relation().iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [77, 48, 6, 3, 0]);
    // Built-in numbers are matched case-insensitively: a.5.1 is A.5.1.
    assert!(m.rows.iter().any(|r| r.to == "A.5.1"));
    assert!(m.rows.iter().all(|r| r.strength >= 5));

    // Joined to the catalog, it relates the imported 2013 framework to ISO/IEC 27001:2022.
    let merged = builtin()
        .with_imports(vec![from.to_standard()], vec![m])
        .unwrap();
    let c = merged
        .compare(&["ciso:iso27001-2013", "iso27001:2022"])
        .unwrap();
    assert!(c.pairs[0].a_shared > 100, "{}", c.pairs[0].a_shared);
}

#[test]
fn the_mapping_set_prefers_an_imported_target_framework() {
    let frameworks = [
        ciso_framework("iso27001-2013.yaml"),
        ciso_framework("iso27001-2022.yaml"),
    ];
    let (name, text) = mapping_file();
    let m = mapping(import_with(&name, &text, &frameworks, &Options::default()).unwrap());
    assert_eq!(m.to, "ciso:iso27001-2022");
    assert_eq!(m.rows.len(), 134);
}

#[test]
fn a_mapping_set_whose_framework_is_not_imported_is_refused() {
    let (name, text) = mapping_file();
    let problems = refused(import_with(&name, &text, &[], &Options::default()));
    has(
        &problems,
        "objects.requirement_mapping_set.source_framework_urn",
        "looked for the built-in 'iso27001:2013'",
    );
}

// ---------------------------------------------------------------------------------------------
// Every fixture file

#[test]
fn every_fixture_file_is_imported_or_refused_as_not_a_catalog() {
    let mut frameworks: Vec<Framework> = Vec::new();
    let mut imported = Vec::new();
    let mut refusals = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for dir in [
        format!("{OSCAL}/sp800-53-rev5"),
        format!("{OSCAL}/examples"),
        CISO.to_string(),
    ] {
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("json" | "yaml")
                )
            })
            .collect();
        // Catalogs and frameworks before the profiles and mapping sets that refer to them.
        names.sort_by_key(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            (n.contains("profile.json") || n.starts_with("mapping"), n)
        });
        for p in names {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    for (name, text) in &files {
        let options = Options {
            partial: true,
            catalog: name.contains("profile.json").then(|| LOW_ID.to_string()),
        };
        match import_with(name, text, &frameworks, &options) {
            Ok(Imported::Framework(f)) => {
                imported.push((name.clone(), f.id().to_string(), f.counts().1));
                frameworks.push(*f);
            }
            Ok(Imported::MappingSet(m)) => {
                imported.push((name.clone(), m.id.clone(), m.rows.len()));
            }
            Err(problems) => refusals.push((name.clone(), problems)),
        }
    }
    let count = |file: &str| {
        imported
            .iter()
            .find(|(n, ..)| n == file)
            .map(|(.., c)| *c)
            .unwrap_or_else(|| panic!("{file} was not imported: {refusals:#?}"))
    };
    assert_eq!(
        count("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"),
        149
    );
    assert_eq!(count("NIST_SP-800-53_rev5_LOW-baseline_profile.json"), 149);
    assert_eq!(
        count("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"),
        149
    );
    assert_eq!(count("NIST_SP-800-53_rev5_HIGH-baseline_profile.json"), 149);
    assert_eq!(
        count("NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json"),
        40
    );
    assert_eq!(count("basic-catalog.json"), 4);
    assert_eq!(count("iso27001-2013.yaml"), 140);
    assert_eq!(count("iso27001-2022.yaml"), 123);
    assert_eq!(count("mapping-iso27001-2013-to-iso27001-2022.yaml"), 134);
    assert_eq!(imported.len(), 9);
    // The other OSCAL examples are documents of other models, refused as such.
    let mut names: Vec<&str> = refusals.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "example-component-definition.json",
            "ifa_assessment-plan-example.json",
            "ifa_assessment-results-example.json",
            "ifa_plan-of-action-and-milestones.json",
            "ifa_ssp-example.json",
            "ssp-example.json",
        ]
    );
    for (name, problems) in &refusals {
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert!(
            problems[0].rule.contains("not a catalog or a profile"),
            "{name}: {problems:?}"
        );
    }
    // Everything imported fits in the catalog together.
    let standards = frameworks.iter().map(Framework::to_standard).collect();
    builtin().with_imports(standards, Vec::new()).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn a_truncated_json_file_is_refused_with_the_line() {
    let text = oscal(LOW_CATALOG);
    let cut = &text[..text.len() / 2];
    let problems = refused(import_with("low.json", cut, &[], &Options::default()));
    assert_eq!(problems.len(), 1);
    has(&problems, "(file)", "not valid JSON at line");
}

#[test]
fn wrong_types_in_a_catalog_are_all_named_by_their_pointer() {
    let mut doc: Value = serde_json::from_str(&oscal(LOW_CATALOG)).unwrap();
    doc["catalog"]["groups"][3]["controls"][0]["id"] = Value::from(42);
    doc["catalog"]["groups"][0]["title"] = Value::Bool(true);
    doc["catalog"]["groups"][5]["controls"] = Value::from("none");
    doc["catalog"]["groups"][1]["controls"][0]["id"] = Value::from("ac-1");
    let text = serde_json::to_string(&doc).unwrap();
    let problems = refused(import_with("low.json", &text, &[], &Options::default()));
    has(
        &problems,
        "/catalog/groups/3/controls/0/id",
        "must be text, not a number",
    );
    has(
        &problems,
        "/catalog/groups/0/title",
        "must be text, not true or false",
    );
    has(
        &problems,
        "/catalog/groups/5/controls",
        "must be a list, not text",
    );
    has(
        &problems,
        "/catalog/groups/1/controls/0/id",
        "'ac-1' is used twice (first at /catalog/groups/0/controls/0/id)",
    );
    assert_eq!(problems.len(), 4, "{problems:#?}");
}

#[test]
fn a_catalog_without_its_required_members_is_refused() {
    let problems = refused(import_with(
        "c.json",
        r#"{"catalog": {"uuid": "x", "groups": [{"id": "g"}]}}"#,
        &[],
        &Options::default(),
    ));
    has(&problems, "/catalog/metadata", "is required");
    has(&problems, "/catalog/groups/0/title", "is required");
}

#[test]
fn an_oscal_document_that_is_not_a_catalog_is_refused_saying_what_it_is() {
    let problems = refused(import_with(
        "ar.json",
        &oscal("examples/ifa_assessment-results-example.json"),
        &[],
        &Options::default(),
    ));
    has(
        &problems,
        "/assessment-results",
        "OSCAL assessment results, not a catalog",
    );
    let problems = refused(import_with(
        "x.json",
        r#"{"hello": 1}"#,
        &[],
        &Options::default(),
    ));
    has(&problems, "(file)", "holds hello instead");
    let problems = refused(import_with("x.json", "[1, 2]", &[], &Options::default()));
    has(&problems, "(file)", "not a CISO Assistant library");
}

#[test]
fn empty_binary_and_oversized_files_are_refused() {
    let ctx_catalog = builtin();
    let ctx = Context {
        catalog: ctx_catalog,
        frameworks: &[],
    };
    let e = parse("e.json", b"", ctx, &Options::default()).unwrap_err();
    assert!(e[0].rule.contains("empty"));
    let e = parse("b.yaml", &[0xff, 0xfe, 0x00], ctx, &Options::default()).unwrap_err();
    assert!(e[0].rule.contains("UTF-8"));
    let big = vec![b' '; MAX_BYTES + 1];
    let e = parse("big.json", &big, ctx, &Options::default()).unwrap_err();
    assert!(e[0].rule.contains("larger than"));
}

#[test]
fn broken_yaml_is_refused_with_its_line() {
    let text = format!("{}\n  - urn: [unclosed\n", ciso("iso27001-2013.yaml"));
    let problems = refused(import_with("f.yaml", &text, &[], &Options::default()));
    has(&problems, "(file)", "not valid YAML: line");
}

#[test]
fn a_truncated_yaml_framework_is_refused_at_the_node_it_breaks() {
    let text = ciso("iso27001-2013.yaml");
    // Cut in the middle of a parent's URN: the last node names a parent that is not there.
    let at = text
        .find("parent_urn: urn:intuitem:risk:req_node:iso27001-2013:a.9.1")
        .unwrap();
    let cut = &text[..at + "parent_urn: urn:intuitem:risk:req_node:iso27001-2013:a.".len()];
    let problems = refused(import_with("f.yaml", cut, &[], &Options::default()));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0]
            .field
            .starts_with("objects.framework.requirement_nodes[")
            && problems[0].field.ends_with("].parent_urn"),
        "{problems:?}"
    );
    assert!(
        problems[0]
            .rule
            .contains("is not the urn of any requirement node")
    );
}

#[test]
fn wrong_types_and_unknown_parents_in_a_framework_are_all_named_by_their_path() {
    let text = ciso("iso27001-2013.yaml")
        .replacen("assessable: true", "assessable: maybe", 1)
        .replacen(
            "parent_urn: urn:intuitem:risk:req_node:iso27001-2013:5\n",
            "parent_urn: urn:intuitem:risk:req_node:iso27001-2013:55\n",
            1,
        )
        .replacen("ref_id: '4.2'", "ref_id: '4.1'", 1);
    let problems = refused(import_with("f.yaml", &text, &[], &Options::default()));
    has(
        &problems,
        "objects.framework.requirement_nodes[2].assessable",
        "must be true or false, not text",
    );
    has(
        &problems,
        "objects.framework.requirement_nodes[3].ref_id",
        "'4.1' is also the number of objects.framework.requirement_nodes[2]",
    );
    let unknown = problems
        .iter()
        .find(|p| p.rule.contains("iso27001-2013:55' is not the urn"))
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(unknown.field.ends_with("].parent_urn"));
    let text =
        ciso("iso27001-2013.yaml").replacen("requirement_nodes:", "requirement_nodes: 3\n  x:", 1);
    let problems = refused(import_with("f.yaml", &text, &[], &Options::default()));
    has(
        &problems,
        "objects.framework.requirement_nodes",
        "must be a list, not a number",
    );
}

#[test]
fn a_mapping_set_with_unknown_nodes_or_relations_is_refused_naming_each() {
    let from = [ciso_framework("iso27001-2013.yaml")];
    let (name, text) = mapping_file();
    let text = text
        .replacen(
            "source_requirement_urn: urn:intuitem:risk:req_node:iso27001-2013:4.2\n",
            "source_requirement_urn: urn:intuitem:risk:req_node:iso27001-2013:4.99\n",
            1,
        )
        .replacen("relationship: equal", "relationship: same", 1)
        .replacen(
            "strength_of_relationship: null",
            "strength_of_relationship: 11",
            1,
        );
    let problems = refused(import_with(&name, &text, &from, &Options::default()));
    let at = "objects.requirement_mapping_set.requirement_mappings";
    has(
        &problems,
        &format!("{at}[1].source_requirement_urn"),
        "is not a node of ciso:iso27001-2013",
    );
    has(
        &problems,
        &format!("{at}[0].relationship"),
        "'same' must be one of",
    );
    has(
        &problems,
        &format!("{at}[0].strength_of_relationship"),
        "must be from 0 to 10",
    );
}

#[test]
fn a_library_without_a_framework_or_mapping_set_is_refused() {
    let problems = refused(import_with(
        "lib.yaml",
        "urn: urn:x\nobjects:\n  threats: []\n",
        &[],
        &Options::default(),
    ));
    has(
        &problems,
        "objects",
        "holds neither a framework nor a requirement_mapping_set",
    );
    let problems = refused(import_with(
        "lib.yaml",
        "name: x\n",
        &[],
        &Options::default(),
    ));
    has(&problems, "objects", "is required");
}

#[test]
fn slugs_and_short_intents() {
    assert_eq!(
        slug("NIST SP 800-53 Rev 5.1.1 LOW"),
        "nist-sp-800-53-rev-5-1-1-low"
    );
    assert_eq!(slug("  *Sample*  "), "sample");
    assert!(slug(&"word ".repeat(40)).len() <= 80);
    let long = format!("{}; {}", "a".repeat(200), "b".repeat(200));
    let s = short(&long, 280);
    assert!(s.ends_with("…") && s.chars().count() <= 281, "{s}");
}
