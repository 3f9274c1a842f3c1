//! `annex import` as an operator runs it against a data folder: a CISO Assistant framework
//! and its mapping set, an OSCAL catalog and a partial profile, and a broken file refused with
//! every problem named and exit status 2. The fixtures are read from `../shared/fixtures/`.

use super::{annex_in, stderr, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");

fn fixture(path: &str) -> String {
    format!("{FIXTURES}/{path}")
}

#[test]
fn import_reports_what_was_imported_or_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let o = annex_in(
        d,
        &["import", &fixture("ciso-assistant/iso27001-2013.yaml")],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "Imported ciso:iso27001-2013 (CISO Assistant framework) from iso27001-2013.yaml\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  Clauses      200 (140 assessable)\n"),
        "{out}"
    );

    let mapping = fixture("ciso-assistant/mapping-iso27001-2013-to-iso27001-2022.yaml");
    let o = annex_in(d, &["import", &mapping], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "  Mappings     134 links from ciso:iso27001-2013 to iso27001:2022: 77 equal, 48 subset, 6 superset, 3 intersect\n"
        ),
        "{}",
        stdout(&o)
    );
    // The same file again changes nothing.
    let o = annex_in(d, &["import", &mapping], "");
    assert!(o.status.success());
    assert!(stdout(&o).contains("already imported from this same file"));

    let rev5 = "oscal/nist-oscal-content/sp800-53-rev5";
    let o = annex_in(
        d,
        &[
            "import",
            &fixture(&format!(
                "{rev5}/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
            )),
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("  Clauses      167 (149 assessable)\n"));

    // A profile beyond the catalog: refused, then imported in part.
    let catalog = "oscal:nist-special-publication-800-53-revision-5-1-1-low-impact-baseline";
    let high = fixture(&format!(
        "{rev5}/NIST_SP-800-53_rev5_HIGH-baseline_profile.json"
    ));
    let o = annex_in(d, &["import", &high, "--catalog", catalog], "");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("221 of the 370 controls named are not in"),
        "{}",
        stderr(&o)
    );
    let o = annex_in(d, &["import", &high, "--catalog", catalog, "--partial"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("  Left out     221 controls not in the catalog: ac-2.1, "));

    // A broken file: every problem, nothing imported.
    let broken = d.join("broken.yaml");
    let text = std::fs::read_to_string(fixture("ciso-assistant/iso27001-2022.yaml"))
        .unwrap()
        .replacen("assessable: true", "assessable: sometimes", 2);
    std::fs::write(&broken, text).unwrap();
    let o = annex_in(d, &["import", broken.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("annex: broken.yaml was not imported: 2 problems (nothing was changed)\n"),
        "{err}"
    );
    assert!(
        err.contains(
            "  objects.framework.requirement_nodes[2].assessable: must be true or false, not text\n"
        ),
        "{err}"
    );
}
