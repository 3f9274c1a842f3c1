//! The catalog as a user meets it: the files load, the counts are right, comparisons say what
//! the mappings say, and the recommender explains itself. One test binary for the crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use annex_core::Catalog;
use annex_core::catalog::{self, Theme, Verification};
use annex_core::mapping::{Basis, Relationship};
use annex_core::recommend::{Answers, Exposure, Industry};

const CURRENT_SIX: [&str; 6] = [
    "iso9001:2015",
    "iso13485:2016",
    "iso14001:2015",
    "iso45001:2018",
    "iso27001:2022",
    "iso56002:2019",
];

fn catalog() -> &'static Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

mod files {
    use super::*;

    #[test]
    fn catalog_files_are_valid() {
        // Parses every embedded file and checks every rule: unique numbers, a consistent tree,
        // anchors into hs:2021, mapping targets that exist, intents of our own.
        if let Err(errors) = Catalog::load_builtin() {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("catalog files break rules:\n{}", list.join("\n"));
        }
    }

    #[test]
    fn the_catalog_holds_every_standard_the_issue_names() {
        let c = catalog();
        for id in CURRENT_SIX
            .iter()
            .chain(&["iso14971:2019", "hs:2021", "hls:2012"])
        {
            let s = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(
                s.is_current() || *id == "hls:2012",
                "{id} should be current"
            );
        }
        for (id, successor) in [
            ("iso9001:2008", "iso9001:2015"),
            ("iso9002:1994", "ISO 9001:2000"),
            ("hls:2012", "hs:2021"),
        ] {
            let s = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(!s.is_current(), "{id} is withdrawn");
            assert!(s.withdrawn.is_some());
            assert!(
                s.superseded_by
                    .as_deref()
                    .unwrap_or("")
                    .starts_with(successor),
                "{id} superseded by {successor}"
            );
        }
    }

    #[test]
    fn iso27001_lists_93_annex_a_controls_in_four_themes() {
        let s = catalog().get("iso27001:2022").unwrap();
        let controls: Vec<_> = s
            .clauses
            .iter()
            .filter(|c| c.number.matches('.').count() == 2 && c.is_annex())
            .collect();
        assert_eq!(controls.len(), 93);
        let count = |t: Theme| controls.iter().filter(|c| c.theme == Some(t)).count();
        assert_eq!(
            (
                count(Theme::Organizational),
                count(Theme::People),
                count(Theme::Physical),
                count(Theme::Technological)
            ),
            (37, 8, 14, 34)
        );
        assert_eq!(controls.first().unwrap().number, "A.5.1");
        assert_eq!(controls.last().unwrap().number, "A.8.34");
        assert_eq!(
            s.clause("A.8.34").unwrap().title,
            "Protection of information systems during audit testing"
        );
        assert_eq!(
            s.clause("A.5.23").unwrap().title,
            "Information security for use of cloud services"
        );
    }

    #[test]
    fn every_clause_4_to_10_of_the_six_current_standards_has_an_intent_of_our_own() {
        for id in CURRENT_SIX {
            let s = catalog().get(id).unwrap();
            let body: Vec<_> = s
                .clauses
                .iter()
                .filter(|c| c.is_requirement() && !c.is_annex())
                .collect();
            assert!(body.len() >= 40, "{id} has only {} clauses", body.len());
            for c in body {
                let intent = c.intent.trim();
                assert!(intent.len() >= 20, "{id} {} has no intent", c.number);
                assert_ne!(
                    intent.to_lowercase(),
                    c.title.to_lowercase(),
                    "{id} {}: the intent repeats the title",
                    c.number
                );
                assert!(
                    !intent.contains(" shall "),
                    "{id} {}: an intent is our paraphrase, not requirement text",
                    c.number
                );
            }
        }
    }

    #[test]
    fn verification_marks_from_the_reference_are_carried() {
        let s = catalog().get("iso13485:2016").unwrap();
        assert_eq!(s.clause("7.3.4").unwrap().verification, Verification::U);
        assert_eq!(s.clause("7.3.1").unwrap().verification, Verification::V1);
        assert_eq!(s.clause("4.2.3").unwrap().verification, Verification::V2);
    }

    #[test]
    fn the_clause_tree_follows_the_numbers() {
        let s = catalog().get("iso9001:2015").unwrap();
        let tree = s.tree();
        assert_eq!(
            tree.iter()
                .map(|n| n.clause.number.as_str())
                .collect::<Vec<_>>(),
            ["4", "5", "6", "7", "8", "9", "10"]
        );
        let seven = &tree[3];
        let resources = seven
            .children
            .iter()
            .find(|n| n.clause.number == "7.1")
            .unwrap();
        let measuring = resources
            .children
            .iter()
            .find(|n| n.clause.number == "7.1.5")
            .unwrap();
        assert_eq!(measuring.children.len(), 2);
        assert_eq!(s.clause("7.1.5.2").unwrap().depth, 3);
    }

    #[test]
    fn the_2024_climate_amendment_is_recorded_on_the_harmonized_structure() {
        let hs = catalog().hs();
        for n in ["4.1", "4.2"] {
            let note = hs
                .clause(n)
                .unwrap()
                .note
                .as_deref()
                .unwrap_or("")
                .to_lowercase();
            assert!(
                note.contains("climate"),
                "hs 4.1/4.2 carry the 2024 climate note: {n}"
            );
        }
        assert!(hs.amendments.iter().any(|a| a.contains("2024")));
    }
}

mod malformed {
    use super::*;

    const HS: &str = r#"
id = "hs:2021"
designation = "HS"
title = "Harmonized structure"
discipline = "management-systems"
nature = "structure"
certifiable = false
structure = "hs2021"
status = "current"
published = 2021
[facts]
focus = "f"
scope = "s"
who_needs_it = "w"
risk_approach = "r"
certification_path = "c"
implementation_time = "i"
key_requirements = ["k"]
related = []
[[clauses]]
number = "4"
title = "Context of the organization"
verification = "V2"
intent = "Understand the organisation and its setting."
documented_information = []
[[clauses]]
number = "4.1"
title = "Understanding the organization and its context"
verification = "V2"
intent = "Know the issues that shape what the system can achieve."
documented_information = []
"#;

    fn standard(id: &str, clauses: &str) -> String {
        let head = HS
            .split("[[clauses]]")
            .next()
            .unwrap()
            .replace("hs:2021", id)
            .replace("designation = \"HS\"", &format!("designation = \"{id}\""))
            .replace("\"structure\"\n", "\"requirements\"\n");
        format!("{head}{clauses}")
    }

    fn clause(number: &str, extra: &str) -> String {
        format!(
            "[[clauses]]\nnumber = \"{number}\"\ntitle = \"Title {number}\"\nverification = \"V2\"\nintent = \"An intent long enough to count as one.\"\ndocumented_information = []\n{extra}\n"
        )
    }

    fn errors(standards: &[(&str, &str)], mappings: &[(&str, &str)]) -> Vec<String> {
        match catalog::parse(standards, mappings) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_well_formed_minimal_catalog_loads() {
        let x = standard(
            "iso1:2020",
            &(clause("4", "anchor = \"4\"\nanchor_relation = \"equal\"") + &clause("4.1", "")),
        );
        let m = "from = \"iso1:2020\"\nto = \"hs:2021\"\nsource = \"test\"\n[[map]]\nfrom = \"4.1\"\nto = [\"4.1\"]\nrelation = \"equal\"\nstrength = 9\nverification = \"U\"\n";
        assert_eq!(
            errors(
                &[("hs-2021.toml", HS), ("iso1-2020.toml", &x)],
                &[("mappings/iso1-2020--hs-2021.toml", m)]
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_duplicate_clause_number_is_refused_naming_file_and_field() {
        let x = standard("iso1:2020", &(clause("4", "") + &clause("4", "")));
        let e = errors(&[("hs-2021.toml", HS), ("iso1-2020.toml", &x)], &[]);
        assert_eq!(e, ["iso1-2020.toml: clauses[4].number: appears twice"]);
    }

    #[test]
    fn a_clause_before_its_parent_is_refused() {
        let x = standard("iso1:2020", &(clause("4.1", "") + &clause("4", "")));
        let e = errors(&[("hs-2021.toml", HS), ("iso1-2020.toml", &x)], &[]);
        assert_eq!(
            e,
            ["iso1-2020.toml: clauses[4.1].number: its parent 4 must be listed before it"]
        );
    }

    #[test]
    fn an_anchor_outside_the_harmonized_structure_is_refused() {
        let x = standard(
            "iso1:2020",
            &clause("4", "anchor = \"4.9\"\nanchor_relation = \"equal\""),
        );
        let e = errors(&[("hs-2021.toml", HS), ("iso1-2020.toml", &x)], &[]);
        assert_eq!(
            e,
            ["iso1-2020.toml: clauses[4].anchor: '4.9' is not a clause of hs:2021"]
        );
    }

    #[test]
    fn a_missing_intent_and_a_bad_number_are_both_reported() {
        let bad = clause("4", "").replace("An intent long enough to count as one.", "Short")
            + &clause("4.x", "");
        let x = standard("iso1:2020", &bad);
        let e = errors(&[("hs-2021.toml", HS), ("iso1-2020.toml", &x)], &[]);
        assert!(e.iter().any(|m| m.contains("clauses[4].intent")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("clauses[4.x].number")), "{e:?}");
    }

    #[test]
    fn a_toml_syntax_error_and_an_unknown_field_are_refused() {
        let e = errors(
            &[
                ("hs-2021.toml", HS),
                ("iso1-2020.toml", "id = \"iso1:2020\n"),
            ],
            &[],
        );
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("iso1-2020.toml: (file): not a valid standard file"),
            "{e:?}"
        );
        let x = standard("iso1:2020", &clause("4", "colour = \"red\""));
        let e = errors(&[("hs-2021.toml", HS), ("iso1-2020.toml", &x)], &[]);
        assert!(e[0].contains("unknown field `colour`"), "{e:?}");
    }

    #[test]
    fn mapping_rows_must_name_real_clauses_and_consistent_relations() {
        let x = standard("iso1:2020", &(clause("4", "") + &clause("4.1", "")));
        let m = "from = \"iso1:2020\"\nto = \"hs:2021\"\nsource = \"test\"\n\
                 [[map]]\nfrom = \"4.7\"\nto = [\"4.1\"]\nrelation = \"equal\"\nstrength = 9\nverification = \"U\"\n\
                 [[map]]\nfrom = \"4.1\"\nto = [\"9.9\"]\nrelation = \"subset\"\nstrength = 11\nverification = \"U\"\n\
                 [[map]]\nfrom = \"4\"\nto = [\"4\"]\nrelation = \"not-related\"\nstrength = 1\nverification = \"U\"\n";
        let e = errors(
            &[("hs-2021.toml", HS), ("iso1-2020.toml", &x)],
            &[("mappings/iso1-2020--hs-2021.toml", m)],
        );
        let joined = e.join("\n");
        assert!(
            joined.contains("map[0] (4.7).from: '4.7' is not a clause of iso1:2020"),
            "{joined}"
        );
        assert!(
            joined.contains("map[1] (4.1).to: '9.9' is not a clause of hs:2021"),
            "{joined}"
        );
        assert!(
            joined.contains("map[1] (4.1).strength: must be between 1 and 10"),
            "{joined}"
        );
        assert!(
            joined.contains("map[2] (4).relation: 'not-related' goes with an empty 'to'"),
            "{joined}"
        );
    }

    #[test]
    fn a_catalog_without_the_backbone_does_not_load() {
        let x = standard("iso1:2020", &clause("4", ""));
        let e = errors(&[("iso1-2020.toml", &x)], &[]);
        assert_eq!(
            e,
            ["(catalog): standards: the backbone 'hs:2021' is missing"]
        );
    }
}

mod compare {
    use super::*;

    #[test]
    fn iso9001_and_iso14001_share_the_harmonized_clauses_and_keep_their_own() {
        let c = catalog()
            .compare(&["iso9001:2015", "iso14001:2015"])
            .unwrap();
        let p = &c.pairs[0];
        assert_eq!(
            (p.a.as_str(), p.b.as_str()),
            ("iso9001:2015", "iso14001:2015")
        );
        assert_eq!(p.a_total, 75);
        assert_eq!(p.b_total, 45);
        // Both directions, and different: 14001 is mostly common structure, 9001 is not.
        assert!(
            p.b_percent > p.a_percent,
            "{} vs {}",
            p.b_percent,
            p.a_percent
        );
        assert!(p.a_shared > 25 && p.a_shared < 60, "{}", p.a_shared);
        assert_eq!(
            p.a_percent,
            (p.a_shared as f64 * 1000.0 / 75.0).round() / 10.0
        );

        let shared =
            |a: &str, b: &str| p.shared.iter().find(|s| s.a.number == a && s.b.number == b);
        let docs = shared("7.5.3", "7.5.3").expect("control of documented information is shared");
        assert_eq!(docs.relationship, Relationship::Equal);
        assert!(matches!(&docs.basis, Basis::Anchor { hs_clause, .. } if hs_clause == "7.5.3"));
        // 9001 10.2 and 14001 10.2 are both nonconformity and corrective action.
        assert!(shared("10.2", "10.2").is_some());

        let unique = |id: &str| c.unique.iter().find(|u| u.id == id).unwrap();
        let numbers = |id: &str| {
            unique(id)
                .clauses
                .iter()
                .map(|c| c.number.clone())
                .collect::<Vec<_>>()
        };
        assert!(
            numbers("iso9001:2015").contains(&"8.3".to_string()),
            "design and development is quality-only"
        );
        assert!(
            numbers("iso9001:2015").contains(&"6.3".to_string()),
            "14001:2015 has no planning of changes"
        );
        assert!(
            numbers("iso14001:2015").contains(&"6.1.2".to_string()),
            "environmental aspects are 14001-only"
        );
        assert!(!numbers("iso14001:2015").contains(&"9.2".to_string()));
        // Every requirement clause is either shared or unique.
        assert_eq!(p.a_shared + unique("iso9001:2015").clauses.len(), p.a_total);
        assert_eq!(
            p.b_shared + unique("iso14001:2015").clauses.len(),
            p.b_total
        );
    }

    #[test]
    fn overlap_is_the_same_whichever_order_the_pair_is_named_in() {
        let ids: Vec<&str> = catalog()
            .standards()
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        for a in &ids {
            for b in &ids {
                if a >= b {
                    continue;
                }
                let ab = catalog().compare(&[a, b]).unwrap();
                let ba = catalog().compare(&[b, a]).unwrap();
                let (x, y) = (&ab.pairs[0], &ba.pairs[0]);
                assert_eq!(
                    (x.a_shared, x.b_shared),
                    (y.b_shared, y.a_shared),
                    "{a} {b}"
                );
                assert_eq!(x.shared.len(), y.shared.len(), "{a} {b}");
                for s in &x.shared {
                    let back = y
                        .shared
                        .iter()
                        .find(|t| t.a.number == s.b.number && t.b.number == s.a.number)
                        .unwrap();
                    assert_eq!(
                        back.relationship,
                        s.relationship.reversed(),
                        "{a} {} / {b} {}",
                        s.a.number,
                        s.b.number
                    );
                }
            }
        }
    }

    #[test]
    fn iso13485_is_compared_through_its_annex_b_table() {
        let c = catalog()
            .compare(&["iso13485:2016", "iso9001:2015"])
            .unwrap();
        let p = &c.pairs[0];
        assert!(
            p.shared
                .iter()
                .all(|s| matches!(s.basis, Basis::Table { .. }))
        );
        let design = p
            .shared
            .iter()
            .find(|s| s.a.number == "7.3" && s.b.number == "8.3");
        assert!(
            design.is_some(),
            "13485 design and development corresponds to 9001 8.3"
        );
        let unique: Vec<_> = c.unique[0]
            .clauses
            .iter()
            .map(|c| c.number.as_str())
            .collect();
        assert!(
            unique.contains(&"4.2.3"),
            "the medical device file has no ISO 9001 equivalent"
        );
        assert!(
            unique.contains(&"8.2.3"),
            "reporting to regulators has no ISO 9001 equivalent"
        );
    }

    #[test]
    fn iso13485_reaches_hs_standards_through_its_table_and_their_anchors() {
        let c = catalog()
            .compare(&["iso13485:2016", "iso14001:2015"])
            .unwrap();
        let p = &c.pairs[0];
        assert!(p.a_shared > 10, "{}", p.a_shared);
        let review = p
            .shared
            .iter()
            .find(|s| s.a.number == "5.6" && s.b.number == "9.3")
            .expect("management review");
        match &review.basis {
            Basis::Anchor { hs_clause, via, .. } => {
                assert_eq!(hs_clause, "9.3");
                assert!(via.iter().any(|v| v.contains("13485")), "{via:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_2012_structure_maps_to_the_2021_one_by_content_not_number() {
        let c = catalog().compare(&["hls:2012", "hs:2021"]).unwrap();
        let p = &c.pairs[0];
        let find = |a: &str| {
            p.shared
                .iter()
                .filter(|s| s.a.number == a)
                .map(|s| s.b.number.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(find("10.1"), ["10.2"]);
        assert_eq!(find("10.2"), ["10.1"]);
        assert!(
            c.unique
                .iter()
                .find(|u| u.id == "hs:2021")
                .unwrap()
                .clauses
                .iter()
                .any(|c| c.number == "6.3")
        );
    }

    #[test]
    fn three_standards_are_aligned_on_the_harmonized_structure() {
        let c = catalog()
            .compare(&["iso9001:2015", "iso14001:2015", "iso45001:2018"])
            .unwrap();
        assert_eq!(c.pairs.len(), 3);
        assert!(c.shared_by_all >= 20, "{}", c.shared_by_all);
        let audit = c
            .alignment
            .iter()
            .find(|r| r.hs.as_ref().is_some_and(|h| h.number == "9.2"))
            .unwrap();
        assert_eq!(audit.standards, 3);
        assert!(
            audit
                .cells
                .iter()
                .all(|cell| cell.iter().any(|c| c.number == "9.2"))
        );
        assert_eq!(c.facts[0].label, "Designation");
        assert_eq!(
            c.facts[0].values,
            ["ISO 9001:2015", "ISO 14001:2015", "ISO 45001:2018"]
        );
    }

    #[test]
    fn an_unknown_id_names_the_closest_ones() {
        let e = catalog()
            .compare(&["iso9001", "iso14001:2015"])
            .unwrap_err();
        match e {
            annex_core::Error::UnknownStandard { input, closest } => {
                assert_eq!(input, "iso9001");
                assert_eq!(closest[0], "iso9001:2015");
                assert!(closest.contains(&"iso9001:2008".to_string()));
            }
            other => panic!("{other}"),
        }
        // Designations work as ids too.
        assert!(
            catalog()
                .compare(&["ISO/IEC 27001:2022", "ISO 9001:2015"])
                .is_ok()
        );
    }
}

mod recommend {
    use super::*;

    fn ids(r: &annex_core::recommend::Recommendation) -> Vec<&str> {
        r.recommended.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn a_medical_device_maker_in_a_regulated_market_starts_with_iso13485() {
        let a = Answers {
            industry: Industry::MedicalDevices,
            regulated_market: true,
            ..Answers::default()
        };
        let r = catalog().recommend(&a).unwrap();
        assert_eq!(ids(&r)[..2], ["iso13485:2016", "iso14971:2019"]);
        let first = &r.recommended[0];
        // Each reason quotes the catalog fact it rests on.
        let s = catalog().get("iso13485:2016").unwrap();
        for reason in &first.reasons {
            assert_eq!(
                Some(reason.quote.as_str()),
                s.facts.get(&reason.fact),
                "{}",
                reason.fact
            );
            assert!(!reason.quote.is_empty());
        }
        assert!(first.saved_effort.is_none(), "nothing is held yet");
    }

    #[test]
    fn what_is_already_held_is_stated_as_saved_effort() {
        let a = Answers {
            industry: Industry::Manufacturing,
            environmental_obligations: true,
            safety_obligations: true,
            held: vec!["iso9001:2015".into()],
            ..Answers::default()
        };
        let r = catalog().recommend(&a).unwrap();
        assert_eq!(r.held, ["iso9001:2015"]);
        assert!(
            !ids(&r).contains(&"iso9001:2015"),
            "held standards are not recommended again"
        );
        let env = r
            .recommended
            .iter()
            .find(|s| s.id == "iso14001:2015")
            .unwrap();
        let saved = env.saved_effort.as_ref().unwrap();
        let direct = catalog()
            .compare(&["iso14001:2015", "iso9001:2015"])
            .unwrap();
        assert_eq!(
            (saved.shared, saved.total),
            (direct.pairs[0].a_shared, direct.pairs[0].a_total)
        );
        // The second of the two builds on the first as well.
        let second = &r.recommended[1];
        assert!(
            second.builds_on.as_ref().unwrap().percent
                >= second.saved_effort.as_ref().unwrap().percent
        );
    }

    #[test]
    fn a_withdrawn_edition_held_leads_to_its_successor() {
        let a = Answers {
            held: vec!["iso9001:2008".into()],
            ..Answers::default()
        };
        let r = catalog().recommend(&a).unwrap();
        assert_eq!(ids(&r)[0], "iso9001:2015");
        assert!(
            r.recommended[0]
                .reasons
                .iter()
                .any(|x| x.fact == "superseded_by")
        );
        assert!(r.recommended[0].saved_effort.as_ref().unwrap().percent > 50.0);
    }

    #[test]
    fn exposure_and_ambitions_bring_their_standards() {
        let a = Answers {
            industry: Industry::SoftwareIt,
            infosec_exposure: Exposure::High,
            innovation: true,
            ..Answers::default()
        };
        let r = catalog().recommend(&a).unwrap();
        assert_eq!(ids(&r)[0], "iso27001:2022");
        assert!(ids(&r).contains(&"iso56002:2019"));
        assert!(!ids(&r).contains(&"iso13485:2016"));
    }

    #[test]
    fn an_unknown_held_standard_is_an_error() {
        let a = Answers {
            held: vec!["iso9999:2015".into()],
            ..Answers::default()
        };
        assert!(matches!(
            catalog().recommend(&a),
            Err(annex_core::Error::UnknownStandard { .. })
        ));
    }
}
