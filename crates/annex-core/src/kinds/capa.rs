//! The CAPA kind: a corrective (or preventive) action, from the problem it answers to the
//! check that it worked.
//!
//! Why the workflow looks as it does: a corrective action first contains the problem, then
//! finds its cause, then removes the cause through actions that people own and finish by a
//! date, and finally checks, some time after implementation, that the problem did not come
//! back (ISO 9001:2015 10.2; ISO 13485:2016 8.5.2 and 8.5.3 for preventive action). The
//! actions are records of the `action` kind linked as part of the CAPA, so each one sits in
//! its owner's task list with its due date. The CAPA cannot be implemented while an action is
//! open, and cannot close until the effectiveness check, dated after implementation and not
//! in the future, is signed by whoever verified it (21 CFR 11.50).

use super::{
    Choice, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation, State, Transition,
};
use crate::role::Role;

/// Who raises and works CAPAs.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who decides that one is done, or not needed.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static CAPA: Kind = Kind {
    id: "capa",
    label: "CAPA",
    plural: "CAPAs",
    prefix: "CAPA",
    help: "A corrective or preventive action: what is done so that a problem does not happen \
           again, or does not happen at all. Say where the problem came from and what it is, \
           contain it, find the root cause (ask 'why?' until the answer is something you can \
           act on), then link the actions that remove the cause, each with an owner and a due \
           date. Once every action is finished the CAPA is implemented; after enough time has \
           passed, check whether it worked and sign that check to close it.",
    clauses: &[
        "iso9001:2015/10.2",
        "iso13485:2016/8.5.2",
        "iso13485:2016/8.5.3",
        "iso14001:2015/10.2",
        "iso45001:2018/10.2",
        "iso27001:2022/10.2",
    ],
    fields: &[
        Field {
            name: "source",
            label: "Source",
            help: "Where the problem came from; used to see which channels drive improvement.",
            ty: FieldType::Choice(&[
                Choice::new("nonconformity", "Nonconformity"),
                Choice::new("complaint", "Complaint"),
                Choice::new("audit_finding", "Audit finding"),
                Choice::new("risk", "Risk"),
                Choice::new("trend", "Trend in data"),
                Choice::new("management_review", "Management review"),
                Choice::new("other", "Other"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "problem",
            label: "Problem statement",
            help: "What is wrong, where, since when and how big it is, in facts and figures. \
                   Link the nonconformity, complaint or finding it comes from.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "containment",
            label: "Containment and correction",
            help: "What was done at once to limit the harm and put the occurrence right.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "why_1",
            label: "Why? (1)",
            help: "Why did the problem happen?",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "why_2",
            label: "Why? (2)",
            help: "And why did that happen?",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "why_3",
            label: "Why? (3)",
            help: "Keep asking until the answer is a cause you can act on.",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "why_4",
            label: "Why? (4)",
            help: "",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "why_5",
            label: "Why? (5)",
            help: "",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "cause_category",
            label: "Cause category",
            help: "The kind of cause, for trending across CAPAs.",
            ty: FieldType::Choice(&[
                Choice::new("people", "People and skills"),
                Choice::new("method", "Method or procedure"),
                Choice::new("machine", "Machine or equipment"),
                Choice::new("material", "Material or supplier"),
                Choice::new("measurement", "Measurement"),
                Choice::new("environment", "Environment"),
                Choice::new("management", "Management system"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "root_cause",
            label: "Root cause",
            help: "The cause that, once removed, stops the problem coming back.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "effectiveness_criteria",
            label: "How effectiveness will be judged",
            help: "Decided before acting: what evidence, gathered when, will show the problem \
                   is gone (no repeat in three months of production, say).",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "implemented_on",
            label: "Implemented on",
            help: "The day every action was finished. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "effectiveness_check",
            label: "Effectiveness check",
            help: "What was looked at and what it showed.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "effectiveness_checked_on",
            label: "Effectiveness checked on",
            help: "The day the check was made: after implementation, and not in the future.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "closed_on",
            label: "Closed on",
            help: "The day the CAPA was closed. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "initiated",
            label: "Initiated",
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
            id: "implemented",
            label: "Implemented",
            terminal: false,
        },
        State {
            id: "closed",
            label: "Closed",
            terminal: true,
        },
        State {
            id: "cancelled",
            label: "Cancelled",
            terminal: true,
        },
    ],
    initial: "initiated",
    transitions: &[
        Transition {
            id: "contain",
            label: "Record containment",
            from: &["initiated"],
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
            label: "Record root cause",
            from: &["contained"],
            to: "investigated",
            roles: WORKERS,
            requires: &[
                "why_1",
                "cause_category",
                "root_cause",
                "effectiveness_criteria",
            ],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "implement",
            label: "Mark implemented",
            from: &["investigated"],
            to: "implemented",
            roles: WORKERS,
            requires: &[],
            reason: false,
            signature: None,
            guards: &[Guard::PartsFinished("action")],
            effects: &[
                Effect::SetToday("implemented_on"),
                Effect::Clear("effectiveness_check"),
                Effect::Clear("effectiveness_checked_on"),
            ],
        },
        // The check is signed by whoever verified it; it must postdate implementation, or
        // it checked nothing.
        Transition {
            id: "close",
            label: "Close as effective",
            from: &["implemented"],
            to: "closed",
            roles: DECIDERS,
            requires: &["effectiveness_check", "effectiveness_checked_on"],
            reason: false,
            signature: Some(Meaning::Verified),
            guards: &[
                Guard::DateAfter {
                    field: "effectiveness_checked_on",
                    after: "implemented_on",
                },
                Guard::NotFuture("effectiveness_checked_on"),
            ],
            effects: &[Effect::SetToday("closed_on")],
        },
        Transition {
            id: "not_effective",
            label: "Not effective: investigate again",
            from: &["implemented"],
            to: "investigated",
            roles: DECIDERS,
            requires: &["effectiveness_check"],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("implemented_on")],
        },
        Transition {
            id: "cancel",
            label: "Cancel",
            from: &["initiated", "contained", "investigated"],
            to: "cancelled",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
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
    editable_in: &["initiated", "contained", "investigated", "implemented"],
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
    use crate::kinds::{FieldError, Part, TransitionCtx};
    use serde_json::{Map, Value, json};

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn ctx<'a>(
        state: &'a str,
        role: Role,
        fields: &'a Map<String, Value>,
        today: &'a str,
        parts: &'a [Part],
    ) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            today,
            parts,
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    fn action(number: &str, finished: bool) -> Part {
        Part {
            kind: "action".into(),
            number: number.into(),
            finished,
        }
    }

    #[test]
    fn a_capa_is_contained_investigated_implemented_and_closed_when_shown_effective() {
        CAPA.check_create(Role::Contributor).unwrap();
        let mut fields = CAPA
            .validate(
                &map(json!({
                    "source": "nonconformity",
                    "problem": "Three lots shipped with illegible labels in May.",
                })),
                true,
            )
            .unwrap();

        fields.insert("containment".into(), json!("Lots recalled and relabelled."));
        let plan = CAPA
            .check_transition(
                "contain",
                &ctx("initiated", Role::Contributor, &fields, "2026-06-01", &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "contained");

        for (k, v) in [
            ("why_1", "Ink smeared"),
            ("why_2", "Labels printed before the ink dried"),
            ("cause_category", "method"),
            ("root_cause", "The procedure sets no drying time."),
            ("effectiveness_criteria", "No illegible label in 3 months."),
        ] {
            fields.insert(k.into(), json!(v));
        }
        let plan = CAPA
            .check_transition(
                "investigate",
                &ctx("contained", Role::Contributor, &fields, "2026-06-02", &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "investigated");

        let done = [action("ACT-0001", true), action("ACT-0002", true)];
        let plan = CAPA
            .check_transition(
                "implement",
                &ctx(
                    "investigated",
                    Role::Contributor,
                    &fields,
                    "2026-06-20",
                    &done,
                ),
            )
            .unwrap();
        assert_eq!(plan.to, "implemented");
        assert_eq!(
            plan.fields.get("implemented_on"),
            Some(&json!("2026-06-20"))
        );
        let mut fields = plan.fields;

        fields.insert("effectiveness_check".into(), json!("No repeat since June."));
        fields.insert("effectiveness_checked_on".into(), json!("2026-09-21"));
        let plan = CAPA
            .check_transition(
                "close",
                &ctx("implemented", Role::Manager, &fields, "2026-09-22", &done),
            )
            .unwrap();
        assert_eq!(plan.to, "closed");
        assert_eq!(plan.signature, Some(Meaning::Verified));
        assert_eq!(plan.fields.get("closed_on"), Some(&json!("2026-09-22")));
        assert!(CAPA.state("closed").unwrap().terminal);
    }

    #[test]
    fn a_capa_waits_for_its_actions() {
        let fields = Map::new();
        let c = |parts| ctx("investigated", Role::Manager, &fields, "2026-06-20", parts);
        assert_eq!(
            CAPA.check_transition("implement", &c(&[])).unwrap_err(),
            [FieldError::new(
                "links",
                "needs at least one action linked as part of it"
            )]
        );
        let parts = [
            action("ACT-0001", true),
            action("ACT-0002", false),
            action("ACT-0005", false),
        ];
        assert_eq!(
            CAPA.check_transition("implement", &c(&parts)).unwrap_err(),
            [FieldError::new(
                "links",
                "every action that is part of it must be finished first; still open: \
                 ACT-0002, ACT-0005"
            )]
        );
        // Records of other kinds linked as parts do not count as actions.
        let other = [Part {
            kind: "document".into(),
            number: "DOC-0001".into(),
            finished: true,
        }];
        assert!(CAPA.check_transition("implement", &c(&other)).is_err());
    }

    #[test]
    fn the_effectiveness_check_must_postdate_implementation_and_not_lie_ahead() {
        let mut fields = map(json!({
            "implemented_on": "2026-06-20",
            "effectiveness_check": "Looked fine.",
            "effectiveness_checked_on": "2026-06-20",
        }));
        let done = [action("ACT-0001", true)];
        let close = |fields: &Map<String, Value>, role| {
            CAPA.check_transition(
                "close",
                &ctx("implemented", role, fields, "2026-07-01", &done),
            )
        };
        assert_eq!(
            close(&fields, Role::Manager).unwrap_err(),
            [FieldError::new(
                "fields.effectiveness_checked_on",
                "must be later than implemented_on (2026-06-20); it is 2026-06-20"
            )]
        );
        fields.insert("effectiveness_checked_on".into(), json!("2026-12-01"));
        assert_eq!(
            close(&fields, Role::Manager).unwrap_err(),
            [FieldError::new(
                "fields.effectiveness_checked_on",
                "effectiveness_checked_on cannot be later than today"
            )]
        );
        fields.insert("effectiveness_checked_on".into(), json!("2026-06-30"));
        assert_eq!(
            close(&fields, Role::Contributor).unwrap_err(),
            [FieldError::new(
                "role",
                "'close' may be taken only by: manager, administrator"
            )]
        );
        assert!(close(&fields, Role::Administrator).is_ok());
    }

    #[test]
    fn an_ineffective_capa_goes_back_to_investigation_with_a_reason() {
        let fields = map(json!({
            "implemented_on": "2026-06-20",
            "effectiveness_check": "The problem came back in August.",
        }));
        let mut c = ctx("implemented", Role::Manager, &fields, "2026-09-01", &[]);
        assert_eq!(
            CAPA.check_transition("not_effective", &c).unwrap_err(),
            [FieldError::new(
                "reason",
                "required to take 'not_effective'"
            )]
        );
        c.reason = Some("Repeat found in lot 2608");
        let plan = CAPA.check_transition("not_effective", &c).unwrap();
        assert_eq!(plan.to, "investigated");
        assert!(!plan.fields.contains_key("implemented_on"));
        assert_eq!(
            CAPA.check_transition("cancel", &c).unwrap_err(),
            [FieldError::new(
                "transition",
                "'cancel' cannot be taken from state 'implemented', only from: initiated, \
                 contained, investigated"
            )]
        );
    }

    #[test]
    fn root_cause_work_is_required_before_acting() {
        let empty = Map::new();
        assert_eq!(
            CAPA.check_transition(
                "investigate",
                &ctx("contained", Role::Contributor, &empty, "2026-06-01", &[])
            )
            .unwrap_err(),
            [
                FieldError::new("fields.why_1", "required to take 'investigate'"),
                FieldError::new("fields.cause_category", "required to take 'investigate'"),
                FieldError::new("fields.root_cause", "required to take 'investigate'"),
                FieldError::new(
                    "fields.effectiveness_criteria",
                    "required to take 'investigate'"
                ),
            ]
        );
        assert_eq!(
            CAPA.validate(&Map::new(), true).unwrap_err(),
            [
                FieldError::new("fields.source", "required"),
                FieldError::new("fields.problem", "required"),
            ]
        );
    }
}
