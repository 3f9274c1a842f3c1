//! The context issue kind: one internal or external issue that bears on what the management
//! system can achieve, kept in a register and looked at again on a schedule.
//!
//! Why the workflow looks as it does: the organisation works out which issues are relevant to
//! its purpose and the intended results of its management system, and keeps that picture up
//! to date (ISO 9001:2015, ISO 14001:2015, ISO 45001:2018 and ISO/IEC 27001:2022, clause 4.1).
//! Since the 2024 climate amendments it also decides, and can show it decided, whether climate
//! change is a relevant issue; so confirming an issue asks for that answer, yes or no. An
//! issue is drafted, confirmed as current by a manager, and then reviewed on its review date:
//! each review is signed (21 CFR 11.50) and dated, so the register shows when every issue was
//! last looked at and by whom. An issue that no longer applies is retired with a reason,
//! never deleted.

use super::{Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, State, Transition};
use crate::role::Role;

/// Who drafts issues and keeps them up to date.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who confirms, reviews and retires them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static CONTEXT_ISSUE: Kind = Kind {
    id: "context_issue",
    label: "Context issue",
    plural: "Context issues",
    prefix: "CTX",
    help: "Something inside or outside the organisation that helps or hinders it in getting \
           what it wants from its management system: a market shift, a new law, a skills \
           gap, ageing equipment, a dependence on one supplier, the climate. Say whether it is \
           internal or external, place it in SWOT and PESTLE if that helps, describe how it \
           affects the intended results, decide whether climate change plays a part, and say \
           how it is being dealt with (link the risks, objectives or processes that answer \
           it). A manager confirms it as current; it is then reviewed, with a signature, on \
           its review date.",
    clauses: &[
        "iso9001:2015/4.1",
        "iso14001:2015/4.1",
        "iso45001:2018/4.1",
        "iso27001:2022/4.1",
        "iso56002:2019/4.1",
    ],
    fields: &[
        Field {
            name: "origin",
            label: "Internal or external",
            help: "Internal issues come from within: culture, people, knowledge, resources, \
                   performance. External ones from outside: markets, law, technology, \
                   society, the natural environment.",
            ty: FieldType::Choice(&[
                Choice::new("internal", "Internal"),
                Choice::new("external", "External"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "swot",
            label: "SWOT quadrant",
            help: "Internal issues are usually strengths or weaknesses, external ones \
                   opportunities or threats.",
            ty: FieldType::Choice(&[
                Choice::new("strength", "Strength"),
                Choice::new("weakness", "Weakness"),
                Choice::new("opportunity", "Opportunity"),
                Choice::new("threat", "Threat"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "pestle",
            label: "PESTLE factor",
            help: "For external issues: which kind of factor it is, for grouping the register.",
            ty: FieldType::Choice(&[
                Choice::new("political", "Political"),
                Choice::new("economic", "Economic"),
                Choice::new("social", "Social"),
                Choice::new("technological", "Technological"),
                Choice::new("legal", "Legal"),
                Choice::new("environmental", "Environmental"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "description",
            label: "Issue",
            help: "What the issue is, with the facts behind it.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "effect",
            label: "Effect on intended results",
            help: "How the issue helps or hinders the management system in achieving what it \
                   is meant to achieve: conforming products, customer satisfaction, \
                   environmental or safety performance, information security.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "climate_relevant",
            label: "Climate change relevant",
            help: "Whether climate change plays a part in this issue. The 2024 amendments ask \
                   every organisation to decide whether climate change is relevant to it, so \
                   the answer is needed, yes or no, before the issue is confirmed.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "response",
            label: "How it is addressed",
            help: "What is done about it: accepted and watched, or answered by risks, \
                   objectives, processes or projects (link those records).",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "monitoring",
            label: "How it is monitored",
            help: "Where news about the issue comes from and who watches it: trade press, a \
                   regulator's mailing list, staff surveys, KPIs.",
            ty: FieldType::Text { max: 500 },
            required: false,
            system: false,
        },
        Field {
            name: "next_review",
            label: "Next review",
            help: "When the issue is next looked at; the owner is reminded as the day comes.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "last_reviewed_on",
            label: "Last reviewed on",
            help: "The day the issue was last confirmed or reviewed. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
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
            id: "current",
            label: "Current",
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
            id: "confirm",
            label: "Confirm as current",
            from: &["draft"],
            to: "current",
            roles: DECIDERS,
            requires: &["effect", "climate_relevant", "response", "next_review"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("last_reviewed_on")],
        },
        // A review that changes nothing is still a review: signing it dates it and names who
        // did it, and the next review date must be set again (it is edited before signing).
        Transition {
            id: "review",
            label: "Record review",
            from: &["current"],
            to: "current",
            roles: DECIDERS,
            requires: &["effect", "climate_relevant", "response", "next_review"],
            reason: false,
            signature: Some(Meaning::Reviewed),
            guards: &[],
            effects: &[Effect::SetToday("last_reviewed_on")],
        },
        Transition {
            id: "retire",
            label: "Retire",
            from: &["draft", "current"],
            to: "retired",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("retired_on")],
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
    // The register is a living picture: a current issue is updated in place (every change is
    // a version with its reason) and reviewed with a signature.
    editable_in: &["draft", "current"],
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

    fn issue() -> Map<String, Value> {
        CONTEXT_ISSUE
            .validate(
                &serde_json::from_value(json!({
                    "origin": "external",
                    "swot": "threat",
                    "pestle": "environmental",
                    "description": "Summer heat waves stop the moulding line twice a year.",
                }))
                .unwrap(),
                true,
            )
            .unwrap()
    }

    #[test]
    fn an_issue_is_confirmed_once_the_climate_question_is_answered_then_reviewed_with_a_signature()
    {
        let mut fields = issue();
        assert_eq!(
            CONTEXT_ISSUE
                .check_transition("confirm", &ctx("draft", Role::Manager, &fields))
                .unwrap_err(),
            [
                FieldError::new("fields.effect", "required to take 'confirm'"),
                FieldError::new("fields.climate_relevant", "required to take 'confirm'"),
                FieldError::new("fields.response", "required to take 'confirm'"),
                FieldError::new("fields.next_review", "required to take 'confirm'"),
            ]
        );
        fields.insert("effect".into(), json!("Late deliveries in July."));
        // "No" is an answer: the decision is what the amendment asks for.
        fields.insert("climate_relevant".into(), json!(false));
        fields.insert("response".into(), json!("Risk RSK-0003; chiller project."));
        fields.insert("next_review".into(), json!("2027-05-01"));
        assert_eq!(
            CONTEXT_ISSUE
                .check_transition("confirm", &ctx("draft", Role::Contributor, &fields))
                .unwrap_err(),
            [FieldError::new(
                "role",
                "'confirm' may be taken only by: manager, administrator"
            )]
        );
        let plan = CONTEXT_ISSUE
            .check_transition("confirm", &ctx("draft", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.to, "current");
        assert_eq!(plan.signature, None);
        assert_eq!(
            plan.fields.get("last_reviewed_on"),
            Some(&json!("2026-05-04"))
        );

        let mut fields = plan.fields;
        fields.insert("climate_relevant".into(), json!(true));
        let mut c = ctx("current", Role::Administrator, &fields);
        c.today = "2027-04-28";
        let plan = CONTEXT_ISSUE.check_transition("review", &c).unwrap();
        assert_eq!(plan.to, "current");
        assert_eq!(plan.signature, Some(Meaning::Reviewed));
        assert_eq!(
            plan.fields.get("last_reviewed_on"),
            Some(&json!("2027-04-28"))
        );
        assert_eq!(CONTEXT_ISSUE.reminders, ["next_review"]);
    }

    #[test]
    fn an_issue_is_retired_with_a_reason_and_not_reviewed_as_a_draft() {
        let fields = issue();
        let mut c = ctx("draft", Role::Manager, &fields);
        assert_eq!(
            CONTEXT_ISSUE.check_transition("review", &c).unwrap_err()[0],
            FieldError::new(
                "transition",
                "'review' cannot be taken from state 'draft', only from: current"
            )
        );
        assert_eq!(
            CONTEXT_ISSUE.check_transition("retire", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'retire'")]
        );
        c.reason = Some("Line moved to the air-conditioned hall");
        let plan = CONTEXT_ISSUE.check_transition("retire", &c).unwrap();
        assert_eq!(plan.to, "retired");
        assert_eq!(plan.fields.get("retired_on"), Some(&json!("2026-05-04")));
        assert!(CONTEXT_ISSUE.state("retired").unwrap().terminal);
        assert!(
            CONTEXT_ISSUE
                .available("retired", Role::Administrator)
                .is_empty()
        );
    }

    #[test]
    fn origin_and_quadrants_are_choices() {
        let bad = serde_json::from_value(json!({
            "origin": "outside",
            "swot": "risk",
            "description": "d",
            "climate_relevant": "maybe",
        }))
        .unwrap();
        assert_eq!(
            CONTEXT_ISSUE.validate(&bad, true).unwrap_err(),
            [
                FieldError::new("fields.origin", "must be one of: internal, external"),
                FieldError::new(
                    "fields.swot",
                    "must be one of: strength, weakness, opportunity, threat"
                ),
                FieldError::new("fields.climate_relevant", "must be true or false"),
            ]
        );
    }
}
