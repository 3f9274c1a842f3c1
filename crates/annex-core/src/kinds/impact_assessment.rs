//! The impact assessment kind: what an out-of-tolerance finding means for what the equipment
//! measured since its last good calibration, and what was decided about it.
//!
//! Why a small kind of its own rather than a nonconformity: the questions differ. A
//! nonconformity asks for containment, cause and correction; an impact assessment asks for a
//! period at risk, what was measured or released in it, and a decision about that output
//! (ISO 9001:2015 7.1.5.2; ISO 13485:2016 7.6 asks that the validity of earlier results be
//! assessed and recorded). A calibration found out of tolerance opens one by itself (see the
//! calibration kind's follow-up), already dated and linked; where the decision finds affected
//! product, a nonconformity or a recall is raised and linked to it. Closing it is an
//! 'approved' signature by a manager (21 CFR 11.50).

use super::{
    Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, Ref, State, Transition,
};
use crate::role::Role;

const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static IMPACT_ASSESSMENT: Kind = Kind {
    id: "impact_assessment",
    label: "Impact assessment",
    plural: "Impact assessments",
    prefix: "IA",
    help: "What an out-of-tolerance calibration means for the results the equipment gave since \
           its last good calibration. List what was measured, inspected or released in that \
           period, decide what to do about it (nothing, re-inspect, hold, recall...) and say \
           why; a manager approves the decision by signing. Opened by itself when a \
           calibration finds equipment out of tolerance.",
    clauses: &["iso9001:2015/7.1.5", "iso13485:2016/7.6"],
    fields: &[
        Field {
            name: "equipment",
            label: "Equipment",
            help: "The number of the equipment found out of tolerance.",
            ty: FieldType::Ref(Ref::Record("equipment")),
            required: false,
            system: false,
        },
        Field {
            name: "calibration",
            label: "Calibration",
            help: "The number of the calibration that found it.",
            ty: FieldType::Ref(Ref::Record("calibration")),
            required: false,
            system: false,
        },
        Field {
            name: "period_from",
            label: "At risk from",
            help: "The last good calibration before the finding. Empty when there is none on \
                   record: then everything since the equipment came into use is at risk.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "period_to",
            label: "At risk until",
            help: "The day it was found out of tolerance.",
            ty: FieldType::Date,
            required: true,
            system: false,
        },
        Field {
            name: "deviation",
            label: "Deviation found",
            help: "Where the equipment was out and by how much.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "affected",
            label: "Measured or released in the period",
            help: "Which products, batches, inspections or tests relied on the equipment in \
                   the period, and whether the deviation could have changed their result.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "decision",
            label: "Decision",
            help: "",
            ty: FieldType::Choice(&[
                Choice::new("no_impact", "No impact"),
                Choice::new("re_inspection", "Re-inspect or re-test"),
                Choice::new("hold", "Hold affected product"),
                Choice::new("recall", "Recall or field action"),
                Choice::new("concession", "Accept under concession"),
                Choice::new("other", "Other"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "rationale",
            label: "Why",
            help: "The reasoning and evidence behind the decision, with the numbers of any \
                   nonconformity or recall raised.",
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
            id: "open",
            label: "Open",
            terminal: false,
        },
        State {
            id: "closed",
            label: "Closed",
            terminal: true,
        },
    ],
    initial: "open",
    transitions: &[
        Transition {
            id: "close",
            label: "Approve decision and close",
            from: &["open"],
            to: "closed",
            roles: DECIDERS,
            requires: &["affected", "decision", "rationale"],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[],
            effects: &[Effect::SetToday("closed_on")],
        },
        Transition {
            id: "reopen",
            label: "Reopen",
            from: &["closed"],
            to: "open",
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
    create_roles: WORKERS,
    edit_roles: WORKERS,
    editable_in: &["open"],
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

    #[test]
    fn it_closes_on_a_decision_about_the_affected_output_approved_by_a_manager() {
        let mut fields = match json!({"period_to": "2026-03-10", "equipment": " eq-0001 "}) {
            Value::Object(m) => IMPACT_ASSESSMENT.validate(&m, true).unwrap(),
            _ => unreachable!(),
        };
        assert_eq!(fields["equipment"], "EQ-0001");
        let ctx = |role, fields: &Map<String, Value>| {
            IMPACT_ASSESSMENT.check_transition(
                "close",
                &TransitionCtx {
                    actor: 2,
                    ..TransitionCtx::for_test("open", role, fields)
                },
            )
        };
        assert_eq!(
            ctx(Role::Contributor, &fields).unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'close' may be taken only by: manager, administrator"
                ),
                FieldError::new("fields.affected", "required to take 'close'"),
                FieldError::new("fields.decision", "required to take 'close'"),
                FieldError::new("fields.rationale", "required to take 'close'"),
            ]
        );
        fields.insert("affected".into(), json!("Lots 2231-2240 measured on it."));
        fields.insert("decision".into(), json!("re_inspection"));
        fields.insert(
            "rationale".into(),
            json!("0.05 mm is half the drawing tolerance."),
        );
        let plan = ctx(Role::Manager, &fields).unwrap();
        assert_eq!(plan.to, "closed");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields["closed_on"], "2026-03-14");
    }
}
