//! The action kind: one thing someone has to do by a date, as part of a CAPA (and later of
//! a risk treatment, an audit follow-up or a management review decision).
//!
//! Why a kind of its own rather than lines inside the CAPA: an action has an owner and a due
//! date, so as a record it lands in its owner's task list and reminders, carries its own
//! history, and is linked `part_of` whatever it serves; the CAPA waits until all of its
//! actions are finished.

use super::{Effect, Field, FieldType, Kind, Presentation, State, Transition};
use crate::role::Role;

/// Who works actions.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who may drop one.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static ACTION: Kind = Kind {
    id: "action",
    label: "Action",
    plural: "Actions",
    prefix: "ACT",
    help: "A task with an owner and a due date that is part of something bigger: a CAPA, a \
           risk treatment, an audit follow-up. Link it as part of that record; say what is to \
           be done, and when it is done, what was done.",
    clauses: &["iso9001:2015/10.2", "iso9001:2015/6.1"],
    fields: &[
        Field {
            name: "description",
            label: "What is to be done",
            help: "The task, specific enough that anyone can tell when it is done.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "outcome",
            label: "What was done",
            help: "What was actually done, with references to the evidence.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "done_on",
            label: "Done on",
            help: "The day the action was finished. Set by the workflow.",
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
            id: "done",
            label: "Done",
            terminal: true,
        },
        State {
            id: "cancelled",
            label: "Cancelled",
            terminal: true,
        },
    ],
    initial: "open",
    transitions: &[
        Transition {
            id: "finish",
            label: "Mark done",
            from: &["open"],
            to: "done",
            roles: WORKERS,
            requires: &["outcome"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("done_on")],
        },
        Transition {
            id: "reopen",
            label: "Reopen",
            from: &["done"],
            to: "open",
            roles: WORKERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("done_on")],
        },
        Transition {
            id: "cancel",
            label: "Cancel",
            from: &["open"],
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

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            today: "2026-06-10",
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn an_action_is_done_when_its_outcome_is_written() {
        let mut fields = Map::new();
        assert_eq!(
            ACTION
                .check_transition("finish", &ctx("open", Role::Contributor, &fields))
                .unwrap_err(),
            [FieldError::new(
                "fields.outcome",
                "required to take 'finish'"
            )]
        );
        fields.insert(
            "outcome".into(),
            json!("Drying time of 30 s added to WI-12."),
        );
        let plan = ACTION
            .check_transition("finish", &ctx("open", Role::Contributor, &fields))
            .unwrap();
        assert_eq!(plan.to, "done");
        assert_eq!(plan.fields.get("done_on"), Some(&json!("2026-06-10")));
        assert!(ACTION.state("done").unwrap().terminal);
    }

    #[test]
    fn only_a_manager_drops_an_action_and_says_why() {
        let fields = Map::new();
        assert_eq!(
            ACTION
                .check_transition("cancel", &ctx("open", Role::Contributor, &fields))
                .unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'cancel' may be taken only by: manager, administrator"
                ),
                FieldError::new("reason", "required to take 'cancel'"),
            ]
        );
    }
}
