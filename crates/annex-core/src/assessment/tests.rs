//! Tests of the checklist, propagation, answer rules, readiness and transitions, on the
//! built-in catalog and on small hand-made plans.

use super::*;

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("catalog")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn plan(list: &[&str]) -> Plan {
    Plan::build(catalog(), &ids(list)).expect("plan")
}

fn item_for<'a>(plan: &'a Plan, standard: &str, number: &str) -> &'a Item {
    plan.items
        .iter()
        .find(|i| {
            i.members
                .iter()
                .any(|m| m.standard == standard && m.number == number)
        })
        .unwrap_or_else(|| panic!("no item for {standard} {number}"))
}

fn answer(result: Conformity) -> Answer {
    Answer {
        result,
        maturity: None,
        notes: "seen".into(),
        justification: String::new(),
    }
}

#[test]
fn a_requirement_three_standards_share_is_one_item_counted_for_each() {
    let p = plan(&["iso9001:2015", "iso14001:2015", "iso45001:2018"]);
    let item = item_for(&p, "iso9001:2015", "4.1");
    let standards: Vec<&str> = item.standards().collect();
    assert_eq!(
        standards,
        ["iso9001:2015", "iso14001:2015", "iso45001:2018"],
        "{item:?}"
    );
    assert_eq!(item.section, "hs:4");
    assert!(!item.joined_by.is_empty(), "the page says why they are one");
    assert!(item.joined_by[0].contains("4.1"), "{:?}", item.joined_by);

    // Answered once, it counts for all three.
    let mut answers = vec![Answered::default(); p.items.len()];
    answers[item.no as usize - 1] = Answered {
        result: Some(Conformity::Conforming),
        evidence: 1,
    };
    let r = readiness(&p, &answers, &[]);
    for s in &r.standards {
        assert_eq!(s.figures.conforming, 1, "{}", s.standard);
        assert_eq!(s.figures.answered, 1, "{}", s.standard);
    }

    // Every assessable clause of each standard is on the checklist exactly once, and the
    // checklist is shorter than the three lists laid end to end.
    let mut total = 0;
    for id in ["iso9001:2015", "iso14001:2015", "iso45001:2018"] {
        let std = catalog().get(id).unwrap();
        let assessable: Vec<&str> = std
            .clauses
            .iter()
            .filter(|c| c.assessable)
            .map(|c| c.number.as_str())
            .collect();
        total += assessable.len();
        for n in &assessable {
            let count = p
                .items
                .iter()
                .flat_map(|i| &i.members)
                .filter(|m| m.standard == id && m.number == *n)
                .count();
            assert_eq!(count, 1, "{id} {n}");
        }
    }
    assert!(
        p.items.len() < total,
        "{} items for {total} clauses",
        p.items.len()
    );
    // Numbers run 1.. in order.
    for (i, item) in p.items.iter().enumerate() {
        assert_eq!(item.no as usize, i + 1);
    }
}

#[test]
fn a_discipline_specific_requirement_stands_under_its_own_standard() {
    let p = plan(&["iso9001:2015", "iso14001:2015", "iso27001:2022"]);
    let aspects = item_for(&p, "iso14001:2015", "6.1.2");
    assert_eq!(aspects.standards().collect::<Vec<_>>(), ["iso14001:2015"]);
    let control = item_for(&p, "iso27001:2022", "A.5.1");
    assert_eq!(control.standards().collect::<Vec<_>>(), ["iso27001:2022"]);
    let section = p
        .sections
        .iter()
        .find(|s| s.key == control.section)
        .unwrap();
    assert_eq!(section.standard.as_deref(), Some("iso27001:2022"));
    assert!(
        section.title.starts_with("ISO/IEC 27001:2022 A.5"),
        "{}",
        section.title
    );
    // Headings are not answered: clause 4 and the theme A.5 have sub-clauses.
    assert!(
        !p.items
            .iter()
            .flat_map(|i| &i.members)
            .any(|m| m.number == "4" || m.number == "A.5")
    );
}

#[test]
fn harmonized_sections_come_first_in_clause_order() {
    let p = plan(&["iso9001:2015", "iso27001:2022"]);
    let keys: Vec<&str> = p.sections.iter().map(|s| s.key.as_str()).collect();
    let hs: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| k.starts_with("hs:"))
        .collect();
    assert_eq!(
        hs,
        ["hs:4", "hs:5", "hs:6", "hs:7", "hs:8", "hs:9", "hs:10"]
    );
    assert!(keys[..7].iter().all(|k| k.starts_with("hs:")), "{keys:?}");
    // Items follow their sections.
    let order: Vec<usize> = p
        .items
        .iter()
        .map(|i| keys.iter().position(|k| *k == i.section).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn bad_choices_are_refused_naming_the_position() {
    let e = Plan::build(catalog(), &ids(&[])).unwrap_err();
    assert_eq!(e[0].field, "standards");
    let e = Plan::build(catalog(), &ids(&["iso9001:2015", "iso9001"])).unwrap_err();
    assert_eq!(e[0].field, "standards.2");
    assert!(e[0].rule.contains("closest"), "{}", e[0].rule);
    let e = Plan::build(catalog(), &ids(&["hs:2021"])).unwrap_err();
    assert!(e[0].rule.contains("common structure"), "{}", e[0].rule);
    let e = Plan::build(catalog(), &ids(&["iso9001:2015", "ISO 9001:2015"])).unwrap_err();
    assert!(e[0].rule.contains("twice"), "{}", e[0].rule);
}

/// A hand-made plan: item 1 carries to 2 (superset), 3 (subset) and 4 (intersect).
fn small_plan() -> Plan {
    let m = |s: &str, n: &str| Member {
        standard: s.into(),
        number: n.into(),
        title: format!("clause {n}"),
    };
    let item = |no: u32, section: &str, members: Vec<Member>| Item {
        no,
        section: section.into(),
        members,
        joined_by: vec![],
        delta: None,
    };
    let carry = |to: u32, relation: Relationship| Carry {
        from: 1,
        to,
        relation,
        partial: relation != Relationship::Superset,
        why: String::new(),
    };
    Plan {
        standards: vec![
            PlanStandard {
                id: "a:1".into(),
                designation: "A".into(),
            },
            PlanStandard {
                id: "b:1".into(),
                designation: "B".into(),
            },
        ],
        sections: vec![
            Section {
                key: "hs:4".into(),
                title: "4 Context".into(),
                standard: None,
            },
            Section {
                key: "hs:5".into(),
                title: "5 Leadership".into(),
                standard: None,
            },
        ],
        items: vec![
            item(1, "hs:4", vec![m("a:1", "4.1"), m("b:1", "4.1")]),
            item(2, "hs:4", vec![m("b:1", "4.2")]),
            item(3, "hs:5", vec![m("b:1", "5.1")]),
            item(4, "hs:5", vec![m("b:1", "5.2")]),
            item(5, "hs:5", vec![m("a:1", "5.3")]),
        ],
        carries: vec![
            carry(2, Relationship::Superset),
            carry(3, Relationship::Subset),
            carry(4, Relationship::Intersect),
        ],
    }
}

fn answers(list: &[(u32, Conformity, u32)], len: usize) -> Vec<Answered> {
    let mut out = vec![Answered::default(); len];
    for &(no, result, evidence) in list {
        out[no as usize - 1] = Answered {
            result: Some(result),
            evidence,
        };
    }
    out
}

#[test]
fn superset_carries_the_result_in_full_subset_and_intersect_only_flag_for_review() {
    let p = small_plan();
    let e = effective(&p, &answers(&[(1, Conformity::Conforming, 2)], 5));
    assert_eq!(e[1].result, Conformity::Conforming);
    assert_eq!(e[1].carried_from, Some(1));
    assert_eq!(e[1].evidence, 2, "the source's evidence stands behind it");
    for partial in [&e[2], &e[3]] {
        assert_eq!(partial.result, Conformity::NotAssessed);
        assert!(partial.review);
        assert_eq!(partial.carried_from, None);
    }
    assert!(!e[4].review);

    // An own answer wins over any carry; not applicable never carries.
    let e = effective(
        &p,
        &answers(
            &[
                (1, Conformity::MajorNonconformity, 1),
                (2, Conformity::Conforming, 1),
            ],
            5,
        ),
    );
    assert_eq!(e[1].result, Conformity::Conforming);
    assert_eq!(e[1].carried_from, None);
    let e = effective(&p, &answers(&[(1, Conformity::NotApplicable, 0)], 5));
    assert_eq!(e[1].result, Conformity::NotAssessed);
    assert!(!e[2].review);
}

#[test]
fn the_worst_of_several_full_carries_counts() {
    let mut p = small_plan();
    p.items[4].members = vec![Member {
        standard: "a:1".into(),
        number: "5.3".into(),
        title: "x".into(),
    }];
    p.carries.push(Carry {
        from: 5,
        to: 2,
        relation: Relationship::Superset,
        partial: false,
        why: String::new(),
    });
    let e = effective(
        &p,
        &answers(
            &[
                (1, Conformity::Conforming, 1),
                (5, Conformity::MinorNonconformity, 0),
            ],
            5,
        ),
    );
    assert_eq!(e[1].result, Conformity::MinorNonconformity);
    assert_eq!(e[1].carried_from, Some(5));
}

#[test]
fn readiness_counts_each_standard_and_section_and_names_the_gaps() {
    let p = small_plan();
    let a = answers(
        &[
            (1, Conformity::Conforming, 1),
            (3, Conformity::MinorNonconformity, 1),
            (5, Conformity::Improvement, 0),
        ],
        5,
    );
    let maturity = vec![Some(4), None, Some(1), None, Some(3)];
    let r = readiness(&p, &a, &maturity);
    let a1 = &r.standards[0];
    // Standard a: items 1 (conforming, evidenced) and 5 (improvement, no evidence).
    assert_eq!(a1.figures.items, 2);
    assert_eq!(a1.figures.conforming, 2);
    assert_eq!(a1.figures.improvements, 1);
    assert_eq!(a1.figures.share, 100.0);
    assert_eq!(a1.figures.without_evidence, 1);
    assert_eq!(a1.figures.maturity, Some(3.5));
    assert!(!a1.figures.ready());
    assert_eq!(a1.gaps.len(), 1);
    assert_eq!(a1.gaps[0].reason, GapReason::WithoutEvidence);
    assert_eq!(a1.gaps[0].clause, "5.3");

    // Standard b: 1 conforming, 2 carried conforming, 3 minor, 4 flagged for review.
    let b = &r.standards[1];
    assert_eq!(b.figures.items, 4);
    assert_eq!(b.figures.conforming, 2);
    assert_eq!(b.figures.carried, 1);
    assert_eq!(b.figures.answered, 2);
    assert_eq!(b.figures.minor, 1);
    assert_eq!(b.figures.not_assessed, 1);
    assert_eq!(b.figures.review, 1);
    assert_eq!(b.figures.share, 50.0);
    let reasons: Vec<GapReason> = b.gaps.iter().map(|g| g.reason).collect();
    assert_eq!(reasons, [GapReason::MinorNonconformity, GapReason::Review]);
    assert_eq!(b.sections.len(), 2);
    assert_eq!(b.sections[0].figures.share, 100.0);
    assert_eq!(b.sections[1].figures.share, 0.0);
    assert_eq!(b.sections[1].title, "5 Leadership");

    // Not applicable leaves the denominator: 1 of 1 applicable.
    let a = answers(
        &[
            (1, Conformity::Conforming, 1),
            (5, Conformity::NotApplicable, 0),
        ],
        5,
    );
    let r = readiness(&p, &a, &[]);
    assert_eq!(r.standards[0].figures.share, 100.0);
    assert_eq!(r.standards[0].figures.not_applicable, 1);
    assert!(r.standards[0].figures.ready());
    assert!(r.standards[0].gaps.is_empty());
    // Nothing applicable: a share of 0, not a division by zero.
    let a = answers(
        &[
            (1, Conformity::NotApplicable, 0),
            (5, Conformity::NotApplicable, 0),
        ],
        5,
    );
    assert_eq!(readiness(&p, &a, &[]).standards[0].figures.share, 0.0);
}

#[test]
fn not_applicable_only_where_the_standard_permits_it_and_with_a_justification() {
    let c = catalog();
    let p = plan(&[
        "iso9001:2015",
        "iso14001:2015",
        "iso13485:2016",
        "iso27001:2022",
    ]);
    let mut na = answer(Conformity::NotApplicable);
    na.justification = "We do not design products.".into();

    // ISO 9001 design and development, alone on its item.
    let design = p
        .items
        .iter()
        .find(|i| {
            i.members.iter().all(|m| m.standard == "iso9001:2015")
                && i.members[0].number.starts_with("8.3.")
        })
        .expect("a 9001 design item of its own");
    assert!(p.check(c, design.no, &na).is_empty(), "{design:?}");
    let mut bare = na.clone();
    bare.justification = "  ".into();
    let e = p.check(c, design.no, &bare);
    assert_eq!(e[0].field, "justification");

    // ISO 14001 permits none.
    let aspects = item_for(&p, "iso14001:2015", "6.1.2");
    let e = p.check(c, aspects.no, &na);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "result");
    assert!(
        e[0].rule.contains("ISO 14001:2015 does not let 6.1.2"),
        "{}",
        e[0].rule
    );

    // An item shared with ISO 14001 cannot be not applicable for the others either.
    let shared = item_for(&p, "iso9001:2015", "4.1");
    let e = p.check(c, shared.no, &na);
    assert!(e.iter().any(|e| e.rule.contains("ISO 14001:2015")), "{e:?}");

    // ISO 13485 design and development may be excluded; ISO/IEC 27001 Annex A controls via
    // the Statement of Applicability, but not its clause 6.1.2.
    let dd = item_for(&p, "iso13485:2016", "7.3.2");
    assert!(dd.standards().all(|s| s != "iso14001:2015"), "{dd:?}");
    let control = item_for(&p, "iso27001:2022", "A.7.4");
    assert!(p.check(c, control.no, &na).is_empty());
    let risk = item_for(&p, "iso27001:2022", "6.1.2");
    let e = p.check(c, risk.no, &na);
    assert!(
        e.iter()
            .any(|e| e.rule.contains("ISO/IEC 27001:2022 does not let 6.1.2")),
        "{e:?}"
    );

    // The justification belongs to not applicable only; a nonconformity needs a statement;
    // maturity runs 0 to 5.
    let mut ok = answer(Conformity::Conforming);
    ok.justification = "why".into();
    assert_eq!(p.check(c, 1, &ok)[0].field, "justification");
    let mut nc = answer(Conformity::MajorNonconformity);
    nc.notes = String::new();
    assert_eq!(p.check(c, 1, &nc)[0].field, "notes");
    let mut high = answer(Conformity::Conforming);
    high.maturity = Some(6);
    assert_eq!(p.check(c, 1, &high)[0].field, "maturity");
    high.maturity = Some(5);
    assert!(p.check(c, 1, &high).is_empty());
    assert_eq!(p.check(c, 9999, &high)[0].field, "item");
}

#[test]
fn mappings_join_and_carry_between_iso13485_and_iso9001() {
    let p = plan(&["iso13485:2016", "iso9001:2015"]);
    // Every carry names both clauses and its basis, and runs between different items.
    assert!(!p.carries.is_empty());
    for c in &p.carries {
        assert_ne!(c.from, c.to);
        assert!(
            c.why.contains("ISO 13485:2016") && c.why.contains("ISO 9001:2015"),
            "{}",
            c.why
        );
        assert_eq!(c.partial, c.relation != Relationship::Superset);
    }
    // 13485 4.2.1 is wider than 9001 7.5.1 (Annex B): its result carries in full.
    let wide = item_for(&p, "iso13485:2016", "4.2.1");
    let narrow = item_for(&p, "iso9001:2015", "7.5.1");
    assert_ne!(wide.no, narrow.no, "a superset is not an equal: two items");
    {
        let carry = p
            .carries
            .iter()
            .find(|c| c.from == wide.no && c.to == narrow.no)
            .expect("a carry from 13485 4.2.1 to 9001 7.5.1");
        assert!(!carry.partial);
        let back = p
            .carries
            .iter()
            .find(|c| c.from == narrow.no && c.to == wide.no)
            .expect("and the partial one back");
        assert!(back.partial);
        assert_eq!(back.relation, Relationship::Subset);
    }
}

#[test]
fn a_transition_carries_what_maps_and_lists_what_is_new() {
    let c = catalog();
    let old = plan(&["iso9001:2008", "iso14001:2015"]);
    let t = transition(
        c,
        &old,
        &[("iso9001:2008".to_string(), "iso9001:2015".to_string())],
    )
    .expect("transition");
    assert_eq!(
        t.plan
            .standards
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["iso9001:2015", "iso14001:2015"]
    );
    let context = item_for(&t.plan, "iso9001:2015", "4.2");
    let pos = context.no as usize - 1;
    assert_eq!(
        context.delta,
        Some(Delta::New),
        "{context:?} {:?}",
        t.notes[pos]
    );
    let deltas: Vec<Delta> = t.plan.items.iter().filter_map(|i| i.delta).collect();
    assert!(deltas.contains(&Delta::Carried), "{deltas:?}");
    for (item, from) in t.plan.items.iter().zip(&t.carried) {
        if item.delta == Some(Delta::Carried) {
            assert!(!from.is_empty(), "{item:?}");
        }
        if item.delta == Some(Delta::New) && item.standards().all(|s| s == "iso9001:2015") {
            assert!(from.is_empty(), "{item:?}");
        }
    }
    // ISO 14001 stays: its items take their own old answers.
    let aspects = item_for(&t.plan, "iso14001:2015", "6.1.2");
    let old_aspects = item_for(&old, "iso14001:2015", "6.1.2");
    assert_eq!(t.carried[aspects.no as usize - 1], [old_aspects.no]);
    assert_eq!(aspects.delta, None);

    // No mapping, no transition; a standard not in the assessment is named.
    let e = transition(
        c,
        &old,
        &[("iso14001:2015".to_string(), "iso45001:2018".to_string())],
    )
    .unwrap_err();
    assert!(e[0].rule.contains("no mapping"), "{}", e[0].rule);
    let e = transition(
        c,
        &old,
        &[("iso27001:2022".to_string(), "iso9001:2015".to_string())],
    )
    .unwrap_err();
    assert!(e[0].rule.contains("not a standard of this assessment"));
}
