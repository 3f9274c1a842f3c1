//! The change kind: a planned change to a product, process, document, supplier or the
//! management system itself, from request to verified implementation.
//!
//! Why the workflow looks as it does: changes are planned, their consequences weighed and
//! resources and responsibilities settled before they are made, and they are reviewed
//! afterwards (ISO 9001:2015 6.3 and 8.5.6; ISO 13485:2016 7.3.9 for design changes;
//! ISO 45001:2018 8.1.3). Approval is an electronic signature by a manager (21 CFR 11.50),
//! and the person verifying the result signs that verification too. A rejected request is
//! kept with its reason.

use super::{Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, State, Transition};
use crate::role::Role;

/// Who requests and works changes.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who approves, verifies and rejects them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static CHANGE: Kind = Kind {
    id: "change",
    label: "Change",
    plural: "Changes",
    prefix: "CHG",
    help: "A change to be made on purpose: to a product or its design, a process, a document, \
           a supplier, equipment, software or the organisation. Describe it and why it is \
           wanted, assess what it touches (product, customers, risks, validation, \
           regulatory filings, people), have it approved with a signature, make it, then \
           verify and sign that it had the intended effect and nothing else.",
    clauses: &[
        "iso9001:2015/6.3",
        "iso9001:2015/8.5.6",
        "iso13485:2016/7.3.9",
        "iso45001:2018/8.1.3",
        "iso27001:2022/6.3",
    ],
    fields: &[
        Field {
            name: "change_type",
            label: "What changes",
            help: "The kind of thing being changed.",
            ty: FieldType::Choice(&[
                Choice::new("product", "Product or design"),
                Choice::new("process", "Process"),
                Choice::new("document", "Document"),
                Choice::new("supplier", "Supplier or material"),
                Choice::new("equipment", "Equipment or software"),
                Choice::new("organisation", "Organisation or people"),
                Choice::new("other", "Other"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "description",
            label: "Change and reason",
            help: "What will be different afterwards, and why the change is wanted.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "impact",
            label: "Impact assessment",
            help: "What the change touches and how: products already made or delivered, \
                   customers, risks, validation, regulatory filings, documents, training, \
                   suppliers. Say what must be done about each.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "risk_level",
            label: "Risk of the change",
            help: "How much could go wrong in making it.",
            ty: FieldType::Choice(&[
                Choice::new("low", "Low"),
                Choice::new("medium", "Medium"),
                Choice::new("high", "High"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "regulatory_notification",
            label: "Regulators or notified body to be told",
            help: "Whether the change must be notified or approved outside the organisation \
                   before it is made.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "plan",
            label: "Implementation plan",
            help: "Who does what, by when, and how the switch-over is handled.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "approved_on",
            label: "Approved on",
            help: "Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "implementation",
            label: "What was done",
            help: "How the change was made, with references to the evidence.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "implemented_on",
            label: "Implemented on",
            help: "Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "verification",
            label: "Verification",
            help: "How it was confirmed that the change did what was intended and nothing else.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "closed_on",
            label: "Closed on",
            help: "Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "requested",
            label: "Requested",
            terminal: false,
        },
        State {
            id: "assessed",
            label: "Assessed",
            terminal: false,
        },
        State {
            id: "approved",
            label: "Approved",
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
            id: "rejected",
            label: "Rejected",
            terminal: true,
        },
    ],
    initial: "requested",
    transitions: &[
        Transition {
            id: "assess",
            label: "Record impact assessment",
            from: &["requested"],
            to: "assessed",
            roles: WORKERS,
            requires: &["impact", "risk_level", "plan"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "approve",
            label: "Approve",
            from: &["assessed"],
            to: "approved",
            roles: DECIDERS,
            requires: &[],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[],
            effects: &[Effect::SetToday("approved_on")],
        },
        Transition {
            id: "implement",
            label: "Mark implemented",
            from: &["approved"],
            to: "implemented",
            roles: WORKERS,
            requires: &["implementation"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("implemented_on")],
        },
        Transition {
            id: "verify",
            label: "Verify and close",
            from: &["implemented"],
            to: "closed",
            roles: DECIDERS,
            requires: &["verification"],
            reason: false,
            signature: Some(Meaning::Verified),
            guards: &[],
            effects: &[Effect::SetToday("closed_on")],
        },
        Transition {
            id: "reassess",
            label: "Send back for assessment",
            from: &["assessed", "approved"],
            to: "requested",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("approved_on")],
        },
        Transition {
            id: "reject",
            label: "Reject",
            from: &["requested", "assessed"],
            to: "rejected",
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
    // Once approved, what was approved stays as it was; a change to it goes back for
    // assessment.
    edit_roles: WORKERS,
    editable_in: &["requested", "assessed", "approved", "implemented"],
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

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            today: "2026-04-01",
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn a_change_is_assessed_approved_with_a_signature_implemented_and_verified() {
        let mut fields = CHANGE
            .validate(
                &serde_json::from_value(json!({
                    "change_type": "supplier",
                    "description": "Second source for the PCB assembly.",
                }))
                .unwrap(),
                true,
            )
            .unwrap();
        assert_eq!(
            CHANGE
                .check_transition("assess", &ctx("requested", Role::Contributor, &fields))
                .unwrap_err(),
            [
                FieldError::new("fields.impact", "required to take 'assess'"),
                FieldError::new("fields.risk_level", "required to take 'assess'"),
                FieldError::new("fields.plan", "required to take 'assess'"),
            ]
        );
        fields.insert("impact".into(), json!("Design verification to repeat."));
        fields.insert("risk_level".into(), json!("medium"));
        fields.insert("plan".into(), json!("Qualify three lots first."));
        let plan = CHANGE
            .check_transition("assess", &ctx("requested", Role::Contributor, &fields))
            .unwrap();
        assert_eq!(plan.to, "assessed");

        assert_eq!(
            CHANGE
                .check_transition("approve", &ctx("assessed", Role::Contributor, &fields))
                .unwrap_err(),
            [FieldError::new(
                "role",
                "'approve' may be taken only by: manager, administrator"
            )]
        );
        let plan = CHANGE
            .check_transition("approve", &ctx("assessed", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields.get("approved_on"), Some(&json!("2026-04-01")));

        let mut fields = plan.fields;
        fields.insert("implementation".into(), json!("Supplier B qualified."));
        let plan = CHANGE
            .check_transition("implement", &ctx("approved", Role::Contributor, &fields))
            .unwrap();
        assert_eq!(plan.to, "implemented");
        let mut fields = plan.fields;
        fields.insert("verification".into(), json!("Three lots passed."));
        let plan = CHANGE
            .check_transition("verify", &ctx("implemented", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.to, "closed");
        assert_eq!(plan.signature, Some(Meaning::Verified));
    }

    #[test]
    fn a_rejected_change_keeps_its_reason_and_ends_there() {
        let fields = Map::new();
        let mut c = ctx("assessed", Role::Manager, &fields);
        assert_eq!(
            CHANGE.check_transition("reject", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'reject'")]
        );
        c.reason = Some("Cost outweighs the benefit");
        assert_eq!(
            CHANGE.check_transition("reject", &c).unwrap().to,
            "rejected"
        );
        assert!(CHANGE.state("rejected").unwrap().terminal);
        assert!(CHANGE.available("rejected", Role::Administrator).is_empty());
    }
}
