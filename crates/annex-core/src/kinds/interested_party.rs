//! The interested party kind: a person or group with a stake in the management system, what
//! it needs and expects, and which of those expectations the organisation takes on.
//!
//! Why the workflow looks as it does: the organisation works out which parties matter to its
//! management system, what they require, and which of those requirements it will meet; in
//! ISO 14001 and ISO 45001 some become compliance obligations (legal, or adopted voluntarily),
//! and since the 2024 climate amendments parties may have climate-related expectations to
//! consider too (ISO 9001:2015, ISO 14001:2015, ISO 45001:2018, ISO/IEC 27001:2022 clause 4.2).
//! As with context issues, a party is drafted, confirmed as current by a manager once the
//! obligation and climate questions are answered, and reviewed with a signature on its review
//! date; one that no longer matters is retired with a reason.

use super::{Choice, Effect, Field, FieldType, Kind, Meaning, Presentation, State, Transition};
use crate::role::Role;

/// Who records parties and keeps them up to date.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who confirms, reviews and retires them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static INTERESTED_PARTY: Kind = Kind {
    id: "interested_party",
    label: "Interested party",
    plural: "Interested parties",
    prefix: "IP",
    help: "Someone with a stake in what the management system does: customers, regulators, \
           workers, suppliers, owners, neighbours, the certification body. Record what they \
           need and expect, which of those needs are relevant to the management system, \
           whether any of them becomes an obligation the organisation must or chooses to \
           meet, whether they have expectations about climate change, and how you keep track \
           of them. A manager confirms the entry; it is then reviewed, with a signature, on \
           its review date.",
    clauses: &[
        "iso9001:2015/4.2",
        "iso14001:2015/4.2",
        "iso14001:2015/6.1.3",
        "iso45001:2018/4.2",
        "iso27001:2022/4.2",
        "iso56002:2019/4.2",
    ],
    fields: &[
        Field {
            name: "category",
            label: "Category",
            help: "What sort of party this is, for grouping the register.",
            ty: FieldType::Choice(&[
                Choice::new("customer", "Customer"),
                Choice::new("regulator", "Regulator or authority"),
                Choice::new("worker", "Employee or worker"),
                Choice::new("supplier", "Supplier or partner"),
                Choice::new("owner", "Owner or investor"),
                Choice::new("community", "Community or neighbour"),
                Choice::new("certification_body", "Notified or certification body"),
                Choice::new("other", "Other"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "needs",
            label: "Needs and expectations",
            help: "What the party needs or expects from the organisation, as far as it touches \
                   the management system.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "relevant",
            label: "Relevant requirements",
            help: "Which of those needs the management system takes up, and why others are \
                   left aside.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "influence",
            label: "Influence",
            help: "How strongly the party can affect the organisation, for deciding how \
                   closely to follow it.",
            ty: FieldType::Choice(&[
                Choice::new("low", "Low"),
                Choice::new("medium", "Medium"),
                Choice::new("high", "High"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "compliance_obligation",
            label: "Becomes a compliance obligation",
            help: "Whether a requirement of this party is one the organisation has to meet, \
                   or has decided to meet, and so tracks as an obligation. If yes, say which \
                   below and where it comes from.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "obligation",
            label: "Obligation",
            help: "The requirement taken on, with its reference: the permit condition, \
                   regulation article, contract clause or code of practice.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "obligation_source",
            label: "Source of the obligation",
            help: "Legal or regulatory requirements bind the organisation; others it adopts \
                   by choice or by contract.",
            ty: FieldType::Choice(&[
                Choice::new("legal", "Legal or regulatory"),
                Choice::new("voluntary", "Voluntary (contract, code, charter)"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "climate_related",
            label: "Climate-related expectations",
            help: "Whether the party has expectations about climate change: a customer's \
                   carbon targets, an investor's disclosure rules, a neighbour's flood worries.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "monitoring",
            label: "How it is monitored",
            help: "How the organisation keeps up with what the party wants: surveys, \
                   meetings, regulator updates, contract reviews, complaints.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "next_review",
            label: "Next review",
            help: "When the entry is next looked at; the owner is reminded as the day comes.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "last_reviewed_on",
            label: "Last reviewed on",
            help: "The day the entry was last confirmed or reviewed. Set by the workflow.",
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
            requires: &[
                "relevant",
                "compliance_obligation",
                "climate_related",
                "monitoring",
                "next_review",
            ],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("last_reviewed_on")],
        },
        Transition {
            id: "review",
            label: "Record review",
            from: &["current"],
            to: "current",
            roles: DECIDERS,
            requires: &[
                "relevant",
                "compliance_obligation",
                "climate_related",
                "monitoring",
                "next_review",
            ],
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

    #[test]
    fn a_party_is_confirmed_once_obligations_and_climate_are_decided() {
        let mut fields = INTERESTED_PARTY
            .validate(
                &serde_json::from_value(json!({
                    "category": "community",
                    "needs": "Quiet nights; no run-off into the brook.",
                }))
                .unwrap(),
                true,
            )
            .unwrap();
        assert_eq!(
            INTERESTED_PARTY
                .check_transition("confirm", &ctx("draft", Role::Manager, &fields))
                .unwrap_err(),
            [
                FieldError::new("fields.relevant", "required to take 'confirm'"),
                FieldError::new("fields.compliance_obligation", "required to take 'confirm'"),
                FieldError::new("fields.climate_related", "required to take 'confirm'"),
                FieldError::new("fields.monitoring", "required to take 'confirm'"),
                FieldError::new("fields.next_review", "required to take 'confirm'"),
            ]
        );
        for (k, v) in [
            ("relevant", json!("Run-off: yes (permit). Noise: yes.")),
            ("compliance_obligation", json!(true)),
            (
                "obligation",
                json!("Discharge permit 12/2019, condition 4."),
            ),
            ("obligation_source", json!("legal")),
            ("climate_related", json!(true)),
            (
                "monitoring",
                json!("Yearly meeting with the parish council."),
            ),
            ("next_review", json!("2027-05-01")),
        ] {
            fields.insert(k.into(), v);
        }
        let fields = INTERESTED_PARTY.validate(&fields, true).unwrap();
        let plan = INTERESTED_PARTY
            .check_transition("confirm", &ctx("draft", Role::Manager, &fields))
            .unwrap();
        assert_eq!(plan.to, "current");
        assert_eq!(
            plan.fields.get("last_reviewed_on"),
            Some(&json!("2026-05-04"))
        );
        let plan = INTERESTED_PARTY
            .check_transition("review", &ctx("current", Role::Manager, &plan.fields))
            .unwrap();
        assert_eq!(plan.signature, Some(Meaning::Reviewed));
        assert_eq!(
            INTERESTED_PARTY
                .check_transition("review", &ctx("current", Role::Contributor, &plan.fields))
                .unwrap_err(),
            [FieldError::new(
                "role",
                "'review' may be taken only by: manager, administrator"
            )]
        );
    }

    #[test]
    fn categories_and_sources_are_checked() {
        let bad = serde_json::from_value(json!({
            "category": "press",
            "needs": "n",
            "obligation_source": "contract",
        }))
        .unwrap();
        assert_eq!(
            INTERESTED_PARTY.validate(&bad, true).unwrap_err(),
            [
                FieldError::new(
                    "fields.category",
                    "must be one of: customer, regulator, worker, supplier, owner, community, \
                     certification_body, other"
                ),
                FieldError::new(
                    "fields.obligation_source",
                    "must be one of: legal, voluntary"
                ),
            ]
        );
        let fields = Map::new();
        let mut c = ctx("current", Role::Manager, &fields);
        c.reason = Some("Supplier no longer used");
        assert_eq!(
            INTERESTED_PARTY.check_transition("retire", &c).unwrap().to,
            "retired"
        );
    }
}
