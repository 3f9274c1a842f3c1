//! The process kind: one process of the management system, described by what goes in and
//! comes out, what it connects to, what it needs and how it is kept under control.
//!
//! Why the workflow looks as it does: the management system is built from processes whose
//! inputs, outputs, sequence and interactions, criteria and methods, resources, owners and
//! performance measures are worked out and kept as documented information (ISO 9001:2015 4.4,
//! ISO 13485:2016 4.1, and clause 4.4 of the other harmonized-structure standards). A process
//! description is controlled like a document: drafted, approved with an electronic signature
//! (21 CFR 11.50), which counts a revision, and revised as a new draft when it changes. Its
//! risks, objectives and procedures are records of their own, linked to it.

use super::{Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, State, Transition};
use crate::role::Role;

/// Who writes process descriptions.
const AUTHORS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who approves and retires them.
const APPROVERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static PROCESS: Kind = Kind {
    id: "process",
    label: "Process",
    plural: "Processes",
    prefix: "PRC",
    help: "A process of the management system, owned by the record's owner. Describe what it \
           is for, what it takes in and from where, what it delivers and to whom, what it \
           needs (people, equipment, information), how it is controlled and how you can tell \
           it performs well. Link its risks, objectives and procedures. The description is \
           approved with a signature, which counts a revision; to change it, start a new \
           revision.",
    clauses: &[
        "iso9001:2015/4.4",
        "iso13485:2016/4.1",
        "iso14001:2015/4.4",
        "iso45001:2018/4.4",
        "iso27001:2022/4.4",
    ],
    fields: &[
        Field {
            name: "process_type",
            label: "Process type",
            help: "Management processes steer (planning, review), core processes deliver to \
                   the customer, support processes keep the others running.",
            ty: FieldType::Choice(&[
                Choice::new("management", "Management"),
                Choice::new("core", "Core"),
                Choice::new("support", "Support"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "purpose",
            label: "Purpose",
            help: "Why the process exists and what it must achieve.",
            ty: FieldType::LongText { max: 5000 },
            required: true,
            system: false,
        },
        Field {
            name: "inputs",
            label: "Inputs",
            help: "What the process starts from: orders, materials, information, requests.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "outputs",
            label: "Outputs",
            help: "What it delivers, and the results expected of it.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "upstream",
            label: "Comes after",
            help: "The processes, suppliers or customers its inputs come from.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "downstream",
            label: "Leads to",
            help: "The processes or customers that receive its outputs.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "resources",
            label: "Resources",
            help: "People and their competence, equipment, infrastructure, software and \
                   information the process needs.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "criteria",
            label: "Criteria and methods",
            help: "How the process is run and kept under control: procedures, acceptance \
                   criteria, checks, approvals.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "kpis",
            label: "Performance indicators",
            help: "How you tell it performs: each indicator with its target, e.g. on-time \
                   delivery at least 95 % a month.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "revision",
            label: "Revision",
            help: "Counts approved revisions: the first approval makes revision 1. Set by the \
                   workflow.",
            ty: FieldType::Integer {
                min: 0,
                max: 1_000_000,
            },
            required: false,
            system: true,
        },
        Field {
            name: "approved_on",
            label: "Approved on",
            help: "The day the current revision was approved. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "change_description",
            label: "Description of change",
            help: "What this revision changes and why. Cleared when a new revision is \
                   started.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "next_review",
            label: "Next review",
            help: "When the description is next checked against how the process really runs; \
                   the owner is reminded as the day comes.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "retired_on",
            label: "Retired on",
            help: "Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "draft",
            label: "Draft",
            terminal: false,
        },
        State {
            id: "approved",
            label: "Approved",
            terminal: false,
        },
        State {
            id: "retired",
            label: "Retired",
            terminal: true,
        },
    ],
    initial: "draft",
    transitions: &[
        Transition {
            id: "approve",
            label: "Approve",
            from: &["draft"],
            to: "approved",
            roles: APPROVERS,
            requires: &[
                "inputs",
                "outputs",
                "resources",
                "criteria",
                "kpis",
                "change_description",
            ],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[],
            effects: &[
                Effect::Increment("revision"),
                Effect::SetToday("approved_on"),
            ],
        },
        Transition {
            id: "revise",
            label: "Start a revision",
            from: &["approved"],
            to: "draft",
            roles: AUTHORS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("change_description")],
        },
        // Retiring a process changes what the management system is made of, so it is
        // signed as the approval was.
        Transition {
            id: "retire",
            label: "Retire",
            from: &["draft", "approved"],
            to: "retired",
            roles: APPROVERS,
            requires: &[],
            reason: true,
            signature: Some(Meaning::Approved),
            guards: &[],
            effects: &[Effect::SetToday("retired_on")],
        },
    ],
    signings: &[],
    acknowledge_in: None,
    create_roles: AUTHORS,
    edit_roles: AUTHORS,
    // What was approved stays as approved; a change starts a new revision.
    editable_in: &["draft"],
    reminders: &["next_review"],
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

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            today: "2026-05-04",
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn a_process_is_approved_with_a_signature_that_counts_a_revision() {
        let mut fields = PROCESS
            .validate(
                &serde_json::from_value(json!({
                    "process_type": "core",
                    "purpose": "Turn confirmed orders into shipped goods.",
                }))
                .unwrap(),
                true,
            )
            .unwrap();
        assert_eq!(
            PROCESS
                .check_transition("approve", &ctx("draft", Role::Manager, &fields))
                .unwrap_err(),
            [
                FieldError::new("fields.inputs", "required to take 'approve'"),
                FieldError::new("fields.outputs", "required to take 'approve'"),
                FieldError::new("fields.resources", "required to take 'approve'"),
                FieldError::new("fields.criteria", "required to take 'approve'"),
                FieldError::new("fields.kpis", "required to take 'approve'"),
                FieldError::new("fields.change_description", "required to take 'approve'"),
            ]
        );
        for (k, v) in [
            ("inputs", "Confirmed orders"),
            ("outputs", "Shipped goods, delivery notes"),
            ("resources", "Warehouse, two forklifts, ERP"),
            ("criteria", "Picking procedure PRO-12"),
            ("kpis", "On-time delivery >= 95 %"),
            ("change_description", "First issue"),
        ] {
            fields.insert(k.into(), json!(v));
        }
        assert_eq!(
            PROCESS
                .check_transition("approve", &ctx("draft", Role::Contributor, &fields))
                .unwrap_err(),
            [FieldError::new(
                "role",
                "'approve' may be taken only by: manager, administrator"
            )]
        );
        let plan = PROCESS
            .check_transition("approve", &ctx("draft", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.to, "approved");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields.get("revision"), Some(&json!(1)));
        assert_eq!(plan.fields.get("approved_on"), Some(&json!("2026-05-04")));

        // A new revision starts from the approved one, with a reason, and counts on.
        let mut c = ctx("approved", Role::Contributor, &plan.fields);
        assert_eq!(
            PROCESS.check_transition("revise", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'revise'")]
        );
        c.reason = Some("Second warehouse opened");
        let revised = PROCESS.check_transition("revise", &c).unwrap();
        assert_eq!(revised.to, "draft");
        assert!(!revised.fields.contains_key("change_description"));
        let mut fields = revised.fields;
        fields.insert("change_description".into(), json!("Adds warehouse B"));
        let plan = PROCESS
            .check_transition("approve", &ctx("draft", Role::Administrator, &fields))
            .unwrap();
        assert_eq!(plan.fields.get("revision"), Some(&json!(2)));
    }

    #[test]
    fn a_process_is_edited_only_as_a_draft_and_retired_with_a_signed_reason() {
        assert_eq!(
            PROCESS.check_edit("approved", Role::Manager).unwrap_err(),
            [FieldError::new(
                "state",
                "fields can be edited only in: draft"
            )]
        );
        let fields = Map::new();
        let mut c = ctx("approved", Role::Manager, &fields);
        c.reason = Some("Outsourced to a logistics provider");
        let plan = PROCESS.check_transition("retire", &c).unwrap();
        assert_eq!(plan.to, "retired");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(
            PROCESS
                .validate(
                    &serde_json::from_value(json!({"process_type": "primary", "purpose": "p"}))
                        .unwrap(),
                    true
                )
                .unwrap_err(),
            [FieldError::new(
                "fields.process_type",
                "must be one of: management, core, support"
            )]
        );
    }
}
