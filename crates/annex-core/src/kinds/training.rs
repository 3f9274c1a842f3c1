//! The training kind: one person's training in a competence or on a document, from planned to
//! evaluated, and until it expires or lapses. The person is the record's owner.
//!
//! Why it looks as it does: training is recorded with what it covered and when, its
//! effectiveness is evaluated, and evidence of competence is kept (ISO 9001:2015 7.2 c) and
//! d); ISO 13485:2016 6.2 d) and e)). A training becomes effective only when the evaluation
//! (how, with what result, when) is recorded and signed 'verified' by a manager
//! (21 CFR 11.50). An effective training stays open while it counts, so its expiry date can
//! remind (a terminal record reminds of nothing); it lapses when it expires or is replaced.
//!
//! Read-and-acknowledge training is opened by the app when a document revision that names
//! the person's job role comes into effect, and becomes effective when the person
//! acknowledges that revision: the acknowledgement is the evaluation (see
//! `annex_app::competence`).

use super::{
    Choice, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation, Ref, State, Transition,
};
use crate::role::Role;

const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The training type of reading a document revision.
pub const READ_AND_ACKNOWLEDGE: &str = "read_and_acknowledge";
/// The state of a training that counts.
pub const EFFECTIVE: &str = "effective";
/// The state of a training not yet done.
pub const PLANNED: &str = "planned";

pub static TRAINING: Kind = Kind {
    id: "training",
    label: "Training record",
    plural: "Training records",
    prefix: "TRN",
    help: "One person's training (the record's owner): in a competence a job role needs, or on \
           a document. Record when it was completed, then how its effectiveness was evaluated \
           and with what result; a manager verifies that by signing, and the training counts \
           in the competence matrix until it expires. Reading a document is planned by \
           itself when a revision naming the person's role comes into effect, and done when \
           the person acknowledges it.",
    clauses: &["iso9001:2015/7.2", "iso13485:2016/6.2", "iso45001:2018/7.2"],
    fields: &[
        Field {
            name: "training_type",
            label: "Type",
            help: "",
            ty: FieldType::Choice(&[
                Choice::new("course", "Course"),
                Choice::new("on_the_job", "On-the-job training"),
                Choice::new(READ_AND_ACKNOWLEDGE, "Read and acknowledge"),
                Choice::new("qualification", "Qualification or licence"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "competence",
            label: "Competence",
            help: "The competence gained, named as in the job roles that require it.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "document",
            label: "Document",
            help: "The number of the document trained on, if any.",
            ty: FieldType::Ref(Ref::Record("document")),
            required: false,
            system: false,
        },
        Field {
            name: "document_revision",
            label: "Document revision",
            help: "",
            ty: FieldType::Integer {
                min: 1,
                max: 1_000_000,
            },
            required: false,
            system: false,
        },
        Field {
            name: "description",
            label: "Content and provider",
            help: "What was covered, by whom, and for how long.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "complete_by",
            label: "Complete by",
            help: "When it is to be done by; reminds the person until it is.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "completed_on",
            label: "Completed on",
            help: "",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "expires_on",
            label: "Expires on",
            help: "When the competence must be renewed, if it must; reminds the person.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "evaluation_method",
            label: "Effectiveness evaluated by",
            help: "",
            ty: FieldType::Choice(&[
                Choice::new("test", "Test or exam"),
                Choice::new("observation", "Observation at work"),
                Choice::new("interview", "Interview"),
                Choice::new("work_review", "Review of work done"),
                Choice::new("acknowledgement", "Acknowledgement of reading"),
                Choice::new("other", "Other"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "evaluation_result",
            label: "Evaluation result",
            help: "What the evaluation showed: is the person now able to do the work?",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "evaluated_on",
            label: "Evaluated on",
            help: "",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
    ],
    states: &[
        State {
            id: PLANNED,
            label: "Planned",
            terminal: false,
        },
        State {
            id: "completed",
            label: "Completed, to evaluate",
            terminal: false,
        },
        State {
            id: EFFECTIVE,
            label: "Effective",
            terminal: false,
        },
        State {
            id: "lapsed",
            label: "Lapsed",
            terminal: true,
        },
        State {
            id: "cancelled",
            label: "Cancelled",
            terminal: true,
        },
    ],
    initial: PLANNED,
    transitions: &[
        Transition {
            id: "complete",
            label: "Record completion",
            from: &[PLANNED],
            to: "completed",
            roles: WORKERS,
            requires: &["completed_on"],
            reason: false,
            signature: None,
            guards: &[Guard::NotFuture("completed_on")],
            effects: &[Effect::Clear("complete_by")],
        },
        // ISO 9001:2015 7.2 c): the effectiveness of the action taken is evaluated.
        Transition {
            id: "verify",
            label: "Verify effectiveness",
            from: &["completed"],
            to: EFFECTIVE,
            roles: DECIDERS,
            requires: &["evaluation_method", "evaluation_result", "evaluated_on"],
            reason: false,
            signature: Some(Meaning::Verified),
            guards: &[Guard::NotFuture("evaluated_on")],
            effects: &[],
        },
        Transition {
            id: "not_effective",
            label: "Not effective: train again",
            from: &["completed"],
            to: PLANNED,
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("completed_on")],
        },
        Transition {
            id: "lapse",
            label: "Lapse",
            from: &[EFFECTIVE],
            to: "lapsed",
            roles: WORKERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "cancel",
            label: "Cancel",
            from: &[PLANNED, "completed"],
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
    create_roles: WORKERS,
    edit_roles: WORKERS,
    editable_in: &[PLANNED, "completed"],
    reminders: &["complete_by", "expires_on"],
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
    use crate::reminders::{Urgency, Window, reminder};
    use serde_json::{Map, Value, json};

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn step(
        id: &str,
        state: &str,
        role: Role,
        fields: &Map<String, Value>,
    ) -> Result<crate::kinds::Plan, Vec<FieldError>> {
        TRAINING.check_transition(
            id,
            &TransitionCtx {
                actor: 3,
                ..TransitionCtx::for_test(state, role, fields)
            },
        )
    }

    #[test]
    fn a_training_counts_once_its_evaluation_is_verified_and_reminds_of_its_expiry() {
        let fields = TRAINING
            .validate(
                &map(json!({
                    "training_type": "course",
                    "competence": "Soldering (IPC-A-610)",
                    "complete_by": "2026-03-31",
                    "completed_on": "2026-03-12",
                    "expires_on": "2028-03-12",
                })),
                true,
            )
            .unwrap();
        let plan = step("complete", PLANNED, Role::Contributor, &fields).unwrap();
        assert_eq!(plan.to, "completed");
        assert!(!plan.fields.contains_key("complete_by"));
        let mut fields = plan.fields;

        // Evaluation is required, and only a manager verifies it, by signing.
        assert_eq!(
            step("verify", "completed", Role::Contributor, &fields).unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'verify' may be taken only by: manager, administrator"
                ),
                FieldError::new("fields.evaluation_method", "required to take 'verify'"),
                FieldError::new("fields.evaluation_result", "required to take 'verify'"),
                FieldError::new("fields.evaluated_on", "required to take 'verify'"),
                FieldError::new(
                    "fields.evaluated_on",
                    "evaluated_on cannot be later than today"
                ),
            ]
        );
        fields.insert("evaluation_method".into(), json!("test"));
        fields.insert(
            "evaluation_result".into(),
            json!("Passed the practical, 18/20."),
        );
        fields.insert("evaluated_on".into(), json!("2026-03-13"));
        let plan = step("verify", "completed", Role::Manager, &fields).unwrap();
        assert_eq!(plan.to, EFFECTIVE);
        assert_eq!(plan.signature, Some(Meaning::Verified));

        // Effective is not an end: the expiry date still reminds.
        assert!(!TRAINING.state(EFFECTIVE).unwrap().terminal);
        let w = Window::new("2028-03-08", 7).unwrap();
        let r = reminder(&w, &TRAINING, EFFECTIVE, None, &plan.fields).unwrap();
        assert_eq!(
            (r.urgency, r.what.as_str()),
            (Urgency::DueSoon, "Expires on")
        );
    }

    #[test]
    fn a_training_that_did_not_work_goes_back_to_be_done_again() {
        let fields = map(json!({"training_type": "on_the_job", "completed_on": "2026-03-01"}));
        assert_eq!(
            step("not_effective", "completed", Role::Manager, &fields).unwrap_err(),
            [FieldError::new(
                "reason",
                "required to take 'not_effective'"
            )]
        );
        assert_eq!(
            step(
                "complete",
                PLANNED,
                Role::Reader,
                &map(json!({"completed_on": "2026-04-01"}))
            )
            .unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'complete' may be taken only by: contributor, manager, administrator"
                ),
                FieldError::new(
                    "fields.completed_on",
                    "completed_on cannot be later than today"
                ),
            ]
        );
    }
}
