//! The nonconformity kind: something that did not meet a requirement, from the moment it is
//! found to its verified closure.
//!
//! Why the workflow looks as it does: a nonconformity is first contained, then its cause is
//! found and corrected, and what was decided about affected output is recorded
//! (ISO 9001:2015 8.7 and 10.2, ISO 13485:2016 8.3). Closing it is signed by the person who
//! verified the correction (21 CFR 11.50). Action to stop it happening again is a corrective
//! action of its own, linked to the nonconformity.

use super::{Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, State, Transition};
use crate::role::Role;

/// Who records and works nonconformities.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who may close and reopen them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static NONCONFORMITY: Kind = Kind {
    id: "nonconformity",
    label: "Nonconformity",
    plural: "Nonconformities",
    prefix: "NC",
    help: "Something that fell short of a requirement: a product or service, a process, a \
           supplier's delivery, or the management system itself. Record it as soon as it is \
           found, say what was done at once to stop it doing more harm, find out why it \
           happened and put it right, decide what happens to anything affected, and close it \
           once someone has checked the correction worked. When the cause calls for lasting \
           change, link a corrective action.",
    clauses: &[
        "iso9001:2015/8.7",
        "iso9001:2015/10.2",
        "iso13485:2016/8.3",
        "iso14001:2015/10.2",
        "iso45001:2018/10.2",
        "iso27001:2022/10.2",
    ],
    fields: &[
        Field {
            name: "severity",
            label: "Severity",
            help: "How much it matters: minor (an isolated slip with little effect), major (a \
                   requirement not met, or a risk to product, people or the environment) or \
                   critical (harm done or imminent, or a legal breach).",
            ty: FieldType::Choice(&[
                Choice::new("minor", "Minor"),
                Choice::new("major", "Major"),
                Choice::new("critical", "Critical"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "description",
            label: "What happened",
            help: "What was found, where and when, and which requirement it misses. Facts, \
                   not yet causes.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "source",
            label: "Found through",
            help: "How it came to light; used to see which channels find problems.",
            ty: FieldType::Choice(&[
                Choice::new("internal_audit", "Internal audit"),
                Choice::new("customer_complaint", "Customer complaint"),
                Choice::new("supplier", "Supplier"),
                Choice::new("process", "Process monitoring"),
                Choice::new("product", "Product inspection or test"),
                Choice::new("external_audit", "External audit"),
                Choice::new("incident", "Incident"),
                Choice::new("other", "Other"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "product_or_process",
            label: "Product or process",
            help: "The product, batch, service or process affected.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "containment",
            label: "Containment",
            help: "What was done straight away to stop the problem spreading or reaching a \
                   customer: holding stock, stopping a line, warning people.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "correction",
            label: "Correction",
            help: "What was done to put this occurrence right.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "root_cause",
            label: "Root cause",
            help: "Why it happened, traced back to a cause that can be acted on.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "disposition",
            label: "Disposition",
            help: "What was decided about the affected output. A concession means it was \
                   accepted as it is with the approval of whoever may grant it; choose 'not \
                   applicable' when no product or output was affected.",
            ty: FieldType::Choice(&[
                Choice::new("use_as_is", "Use as is"),
                Choice::new("rework", "Rework"),
                Choice::new("repair", "Repair"),
                Choice::new("scrap", "Scrap"),
                Choice::new("return_to_supplier", "Return to supplier"),
                Choice::new("concession", "Concession"),
                Choice::new("not_applicable", "Not applicable"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "closed_on",
            label: "Closed on",
            help: "The day the nonconformity was closed. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "reported",
            label: "Reported",
            terminal: false,
        },
        State {
            id: "contained",
            label: "Contained",
            terminal: false,
        },
        State {
            id: "investigated",
            label: "Investigated",
            terminal: false,
        },
        State {
            id: "closed",
            label: "Closed",
            terminal: true,
        },
    ],
    initial: "reported",
    transitions: &[
        Transition {
            id: "contain",
            label: "Record containment",
            from: &["reported"],
            to: "contained",
            roles: WORKERS,
            requires: &["containment"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "investigate",
            label: "Record investigation",
            from: &["contained"],
            to: "investigated",
            roles: WORKERS,
            requires: &["root_cause", "correction"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        // ISO 9001:2015 8.7.1: corrected output is verified again; ISO 13485:2016 8.3.1 and
        // 8.3.2: the disposition, concessions included, is recorded with who authorised it. The
        // closer signs that verification (21 CFR 11.50).
        Transition {
            id: "close",
            label: "Close",
            from: &["investigated"],
            to: "closed",
            roles: DECIDERS,
            requires: &["disposition"],
            reason: false,
            signature: Some(Meaning::Verified),
            guards: &[],
            effects: &[Effect::SetToday("closed_on")],
        },
        Transition {
            id: "reopen",
            label: "Reopen",
            from: &["closed"],
            to: "investigated",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("closed_on")],
        },
    ],
    signings: &[],
    acknowledge_in: None,
    create_roles: &[
        Role::Contributor,
        Role::Auditor,
        Role::Manager,
        Role::Administrator,
    ],
    edit_roles: WORKERS,
    editable_in: &["reported", "contained", "investigated"],
    reminders: &[],
    derive: None,
    reassess: None,
    follow_ups: &[],
    presentation: &Presentation::NONE,
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, TransitionCtx};
    use serde_json::{Map, Value, json};

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn err(field: &str, rule: &str) -> FieldError {
        FieldError::new(field, rule)
    }

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn a_nonconformity_is_contained_investigated_closed_and_reopened() {
        // An internal auditor raises it during an audit.
        NONCONFORMITY.check_create(Role::Auditor).unwrap();
        let raised = map(json!({
            "severity": "major",
            "description": "Calibration of gauge G-12 expired in January.",
            "source": "internal_audit",
            "product_or_process": "Final inspection",
        }));
        let mut fields = NONCONFORMITY.validate(&raised, true).unwrap();
        assert_eq!(NONCONFORMITY.initial, "reported");

        fields.insert(
            "containment".into(),
            json!("Gauge withdrawn; last lot re-measured."),
        );
        let plan = NONCONFORMITY
            .check_transition("contain", &ctx("reported", Role::Contributor, &fields))
            .unwrap();
        assert_eq!(plan.to, "contained");
        assert_eq!(plan.signature, None);

        fields.insert(
            "root_cause".into(),
            json!("Recall list not updated after move."),
        );
        fields.insert("correction".into(), json!("Gauge recalibrated."));
        let plan = NONCONFORMITY
            .check_transition("investigate", &ctx("contained", Role::Contributor, &fields))
            .unwrap();
        assert_eq!(plan.to, "investigated");

        fields.insert("disposition".into(), json!("use_as_is"));
        let plan = NONCONFORMITY
            .check_transition("close", &ctx("investigated", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.to, "closed");
        assert_eq!(plan.signature, Some(Meaning::Verified));
        assert_eq!(plan.fields.get("closed_on"), Some(&json!("2026-03-14")));
        let closed = plan.fields;
        assert!(NONCONFORMITY.state("closed").unwrap().terminal);

        let mut c = ctx("closed", Role::Administrator, &closed);
        assert_eq!(
            NONCONFORMITY.check_transition("reopen", &c).unwrap_err(),
            [err("reason", "required to take 'reopen'")]
        );
        c.reason = Some("Same gauge found out of calibration again");
        let plan = NONCONFORMITY.check_transition("reopen", &c).unwrap();
        assert_eq!(plan.to, "investigated");
        assert!(!plan.fields.contains_key("closed_on"));
        assert_eq!(plan.fields.get("disposition"), Some(&json!("use_as_is")));
    }

    #[test]
    fn reporting_needs_a_severity_and_a_description() {
        assert_eq!(
            NONCONFORMITY.validate(&Map::new(), true).unwrap_err(),
            [
                err("fields.severity", "required"),
                err("fields.description", "required"),
            ]
        );
        let bad = map(json!({"severity": "Major", "description": "x"}));
        assert_eq!(
            NONCONFORMITY.validate(&bad, true).unwrap_err(),
            [err(
                "fields.severity",
                "must be one of: minor, major, critical"
            )]
        );
    }

    #[test]
    fn each_step_names_what_it_still_needs() {
        let empty = Map::new();
        assert_eq!(
            NONCONFORMITY
                .check_transition("contain", &ctx("reported", Role::Contributor, &empty))
                .unwrap_err(),
            [err("fields.containment", "required to take 'contain'")]
        );
        assert_eq!(
            NONCONFORMITY
                .check_transition("investigate", &ctx("contained", Role::Manager, &empty))
                .unwrap_err(),
            [
                err("fields.root_cause", "required to take 'investigate'"),
                err("fields.correction", "required to take 'investigate'"),
            ]
        );
        assert_eq!(
            NONCONFORMITY
                .check_transition("close", &ctx("investigated", Role::Contributor, &empty))
                .unwrap_err(),
            [
                err(
                    "role",
                    "'close' may be taken only by: manager, administrator"
                ),
                err("fields.disposition", "required to take 'close'"),
            ]
        );
    }

    #[test]
    fn steps_cannot_be_skipped() {
        let fields = map(json!({"disposition": "scrap"}));
        assert_eq!(
            NONCONFORMITY
                .check_transition("close", &ctx("reported", Role::Manager, &fields))
                .unwrap_err(),
            [err(
                "transition",
                "'close' cannot be taken from state 'reported', only from: investigated"
            )]
        );
    }

    #[test]
    fn an_auditor_raises_findings_but_does_not_work_them() {
        let fields = map(json!({"containment": "Stock quarantined."}));
        assert_eq!(
            NONCONFORMITY
                .check_transition("contain", &ctx("reported", Role::Auditor, &fields))
                .unwrap_err(),
            [err(
                "role",
                "'contain' may be taken only by: contributor, manager, administrator"
            )]
        );
        assert!(
            NONCONFORMITY
                .available("reported", Role::Auditor)
                .is_empty()
        );
        assert_eq!(
            NONCONFORMITY.check_edit("reported", Role::Auditor),
            Err(vec![err(
                "role",
                "nonconformities may be edited only by: contributor, manager, administrator"
            )])
        );
        assert_eq!(
            NONCONFORMITY.check_create(Role::Reader),
            Err(err(
                "role",
                "nonconformities may be created only by: contributor, auditor, manager, \
                 administrator"
            ))
        );
    }

    #[test]
    fn a_closed_nonconformity_is_not_edited_nor_signed_apart_from_its_workflow() {
        for state in ["reported", "contained", "investigated"] {
            assert_eq!(NONCONFORMITY.check_edit(state, Role::Contributor), Ok(()));
        }
        assert_eq!(
            NONCONFORMITY.check_edit("closed", Role::Manager),
            Err(vec![err(
                "state",
                "fields can be edited only in: reported, contained, investigated"
            )])
        );
        assert_eq!(
            NONCONFORMITY.check_signing(Meaning::Reviewed, "investigated", Role::Manager),
            Err(vec![err(
                "signature",
                "a 'reviewed' signature is not applied to nonconformities on its own"
            )])
        );
        assert_eq!(
            NONCONFORMITY.check_acknowledge("closed", Role::Reader),
            Err(vec![err("state", "nonconformities are not acknowledged")])
        );
    }

    #[test]
    fn the_closing_date_is_set_by_the_workflow_only() {
        let input = map(json!({
            "severity": "minor",
            "description": "Label misprint",
            "closed_on": "2026-03-01",
        }));
        assert_eq!(
            NONCONFORMITY.validate(&input, true).unwrap_err(),
            [err("fields.closed_on", "set by the workflow, not by hand")]
        );
    }
}
