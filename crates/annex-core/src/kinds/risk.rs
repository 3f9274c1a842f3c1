//! The risk kind: a risk or an opportunity of the management system, from identification
//! through assessment and treatment to acceptance of what remains, with its scores and
//! levels computed from the organisation's risk matrix ([`crate::settings::RiskMatrix`]).
//!
//! Why it looks as it does: risks and opportunities are identified from the context, the
//! interested parties and the processes, and actions are planned for them (ISO 9001:2015
//! 6.1, and the same clause in ISO 14001, ISO 45001 and ISO 13485's 4.1.2 b). Information
//! security risks are rated against set criteria, treated, the controls chosen compared with
//! Annex A, and the remaining (residual) risk accepted by its owner (ISO/IEC 27001:2022
//! 6.1.2, 6.1.3, 8.2, 8.3). That acceptance is an electronic signature by the owner alone
//! (`Guard::Owner`); it binds to the version signed, and editing a likelihood, an impact or
//! the treatment of an accepted risk sends it back to "assessed" (`reassess`), so an
//! acceptance never covers values its owner did not see.
//!
//! Likelihood and impact are whole steps on the matrix's scales (1 = the lowest). The
//! fields allow the largest scale (5); the smaller scale a matrix may have is checked in
//! the computation, where the matrix is known, and refused naming the field.

use serde_json::{Map, Value};

use super::{
    Choice, Derive, DeriveCtx, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation,
    Reassess, State, Transition,
};
use crate::role::Role;
use crate::settings::SCALE_MAX;

/// Who identifies, assesses and treats risks.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who closes and retires them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

#[allow(clippy::cast_possible_wrap)] // SCALE_MAX is 5
const STEP: FieldType = FieldType::Integer {
    min: 1,
    max: SCALE_MAX as i64,
};

/// Treatments of risks.
pub const RISK_TREATMENTS: &[&str] = &["avoid", "reduce", "transfer", "accept"];
/// Treatments of opportunities.
pub const OPPORTUNITY_TREATMENTS: &[&str] = &["exploit", "enhance", "share", "accept"];

const fn field(
    name: &'static str,
    label: &'static str,
    help: &'static str,
    ty: FieldType,
) -> Field {
    Field {
        name,
        label,
        help,
        ty,
        required: false,
        system: false,
    }
}

const fn computed(name: &'static str, label: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        label,
        help: "Computed from likelihood and impact with the risk matrix.",
        ty,
        required: false,
        system: true,
    }
}

pub static RISK: Kind = Kind {
    id: "risk",
    label: "Risk",
    plural: "Risks",
    prefix: "RISK",
    help: "A risk (something that could go wrong) or an opportunity (something that could go \
           better) for the management system or for information security. Say where it comes \
           from and what would follow; rate its likelihood and impact before treatment \
           (inherent) with the controls already in place; choose a treatment and plan it; \
           rate what remains after treatment (residual). The score is likelihood × impact and \
           the level comes from the organisation's risk matrix. The risk owner accepts the \
           residual risk with an electronic signature; changing a rating or the treatment \
           afterwards sends it back for assessment. A review date reminds the owner to look \
           again.",
    clauses: &[
        "iso9001:2015/6.1",
        "iso14001:2015/6.1",
        "iso45001:2018/6.1",
        "iso27001:2022/6.1.2",
        "iso27001:2022/6.1.3",
        "iso27001:2022/8.2",
        "iso27001:2022/8.3",
    ],
    fields: &[
        Field {
            required: true,
            ..field(
                "risk_type",
                "Risk or opportunity",
                "A risk could harm the intended results; an opportunity could improve them.",
                FieldType::Choice(&[
                    Choice::new("risk", "Risk"),
                    Choice::new("opportunity", "Opportunity"),
                ]),
            )
        },
        field(
            "category",
            "Category",
            "The area it belongs to, for grouping the register.",
            FieldType::Choice(&[
                Choice::new("strategic", "Strategic"),
                Choice::new("operational", "Operational"),
                Choice::new("quality", "Quality and product"),
                Choice::new("information_security", "Information security"),
                Choice::new("environment", "Environment"),
                Choice::new("health_safety", "Health and safety"),
                Choice::new("compliance", "Legal and compliance"),
                Choice::new("financial", "Financial"),
                Choice::new("supplier", "Supplier"),
                Choice::new("other", "Other"),
            ]),
        ),
        field(
            "source",
            "Where it comes from",
            "What it was identified from: an issue of the context, an interested party's \
             need, a process, an asset, a supplier, a change, an incident or nonconformity.",
            FieldType::Choice(&[
                Choice::new("context_issue", "Context issue"),
                Choice::new("interested_party", "Interested party"),
                Choice::new("process", "Process"),
                Choice::new("asset", "Asset"),
                Choice::new("supplier", "Supplier"),
                Choice::new("change", "Change"),
                Choice::new("incident", "Incident or nonconformity"),
                Choice::new("audit", "Audit or review"),
                Choice::new("other", "Other"),
            ]),
        ),
        Field {
            required: true,
            ..field(
                "description",
                "Description",
                "What could happen and why: the cause, the event, and what it affects.",
                FieldType::LongText { max: 20_000 },
            )
        },
        field(
            "consequences",
            "Consequences",
            "What would follow if it happened: for customers, people, the environment, \
             information (confidentiality, integrity, availability), compliance, money.",
            FieldType::LongText { max: 20_000 },
        ),
        field(
            "existing_controls",
            "Existing controls",
            "What is already in place that makes it less likely or less harmful.",
            FieldType::LongText { max: 20_000 },
        ),
        field(
            "inherent_likelihood",
            "Inherent likelihood",
            "How likely, with the existing controls, before the planned treatment: a step \
             of the risk matrix's likelihood scale (1 = the lowest).",
            STEP,
        ),
        field(
            "inherent_impact",
            "Inherent impact",
            "How severe, before the planned treatment: a step of the risk matrix's impact \
             scale (1 = the lowest).",
            STEP,
        ),
        computed(
            "inherent_score",
            "Inherent score",
            FieldType::Integer { min: 1, max: 25 },
        ),
        computed(
            "inherent_level",
            "Inherent level",
            FieldType::Text { max: 20 },
        ),
        // One list for risks and opportunities, so that the register, its filters and its
        // exports have one treatment column; which values suit the type is checked below.
        field(
            "treatment",
            "Treatment",
            "For a risk: avoid, reduce, transfer or accept it. For an opportunity: exploit, \
             enhance, share or accept it.",
            FieldType::Choice(&[
                Choice::new("avoid", "Avoid (risk)"),
                Choice::new("reduce", "Reduce (risk)"),
                Choice::new("transfer", "Transfer (risk)"),
                Choice::new("exploit", "Exploit (opportunity)"),
                Choice::new("enhance", "Enhance (opportunity)"),
                Choice::new("share", "Share (opportunity)"),
                Choice::new("accept", "Accept"),
            ]),
        ),
        field(
            "treatment_plan",
            "Treatment plan and planned controls",
            "What will be done, by whom and by when; the controls to add or change.",
            FieldType::LongText { max: 20_000 },
        ),
        field(
            "annex_a_controls",
            "Annex A controls",
            "For information security: the ISO/IEC 27001 Annex A controls applied, by number \
             (A.5.15, A.8.7). Link the record to those clauses to count it as their evidence.",
            FieldType::Text { max: 500 },
        ),
        field(
            "residual_likelihood",
            "Residual likelihood",
            "How likely once the treatment is in place.",
            STEP,
        ),
        field(
            "residual_impact",
            "Residual impact",
            "How severe once the treatment is in place.",
            STEP,
        ),
        computed(
            "residual_score",
            "Residual score",
            FieldType::Integer { min: 1, max: 25 },
        ),
        computed(
            "residual_level",
            "Residual level",
            FieldType::Text { max: 20 },
        ),
        field(
            "review_on",
            "Next review",
            "When the owner looks at it again; the owner is reminded as for a due date.",
            FieldType::Date,
        ),
        field(
            "outcome",
            "Outcome",
            "On closing: what became of it (it passed, it happened and was handled, the \
             opportunity was taken).",
            FieldType::LongText { max: 20_000 },
        ),
        Field {
            help: "Set by the workflow when the owner last accepted the residual risk.",
            ..computed("accepted_on", "Last accepted on", FieldType::Date)
        },
    ],
    states: &[
        State {
            id: "identified",
            label: "Identified",
            terminal: false,
        },
        State {
            id: "assessed",
            label: "Assessed",
            terminal: false,
        },
        State {
            id: "treated",
            label: "Treated",
            terminal: false,
        },
        State {
            id: "accepted",
            label: "Accepted",
            terminal: false,
        },
        State {
            id: "closed",
            label: "Closed",
            terminal: true,
        },
        State {
            id: "retired",
            label: "Retired",
            terminal: true,
        },
    ],
    initial: "identified",
    transitions: &[
        Transition {
            id: "assess",
            label: "Record assessment",
            from: &["identified"],
            to: "assessed",
            roles: WORKERS,
            requires: &["inherent_likelihood", "inherent_impact", "treatment"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "treat",
            label: "Mark treatment done",
            from: &["assessed"],
            to: "treated",
            roles: WORKERS,
            requires: &["treatment_plan", "residual_likelihood", "residual_impact"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "accept",
            label: "Accept residual risk",
            from: &["assessed", "treated"],
            to: "accepted",
            roles: WORKERS,
            requires: &["residual_likelihood", "residual_impact"],
            reason: false,
            signature: Some(Meaning::Accepted),
            guards: &[Guard::Owner],
            effects: &[Effect::SetToday("accepted_on")],
        },
        Transition {
            id: "reassess",
            label: "Reassess",
            from: &["treated", "accepted"],
            to: "assessed",
            roles: WORKERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("accepted_on")],
        },
        Transition {
            id: "close",
            label: "Close",
            from: &["accepted"],
            to: "closed",
            roles: DECIDERS,
            requires: &["outcome"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "retire",
            label: "Retire",
            from: &["identified", "assessed", "treated", "accepted"],
            to: "retired",
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
    editable_in: &["identified", "assessed", "treated", "accepted"],
    reminders: &["review_on"],
    derive: Some(Derive {
        fields: &[
            "inherent_score",
            "inherent_level",
            "residual_score",
            "residual_level",
        ],
        compute,
    }),
    reassess: Some(Reassess {
        fields: &[
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "treatment",
        ],
        states: &["accepted"],
        to: "assessed",
    }),
    follow_ups: &[],
    presentation: &Presentation::NONE,
};

/// Scores and levels from the current risk matrix; refuses steps beyond its scales and a
/// treatment that does not suit the type.
fn compute(f: &mut Map<String, Value>, ctx: &DeriveCtx) {
    let m = &ctx.settings.risk_matrix;
    for (prefix, label) in [("inherent", "inherent"), ("residual", "residual")] {
        let rate = |axis: &str, size: i64| -> Option<i64> {
            let name = format!("{prefix}_{axis}");
            let v = f.get(&name).and_then(Value::as_i64)?;
            if v > size {
                ctx.refuse(
                    format!("fields.{name}"),
                    format!(
                        "must be between 1 and {size}: the risk matrix's {axis} scale has \
                         {size} steps"
                    ),
                );
                return None;
            }
            Some(v)
        };
        let l = rate("likelihood", m.likelihood_size());
        let i = rate("impact", m.impact_size());
        let (score_key, level_key) = (format!("{label}_score"), format!("{label}_level"));
        match (l, i) {
            (Some(l), Some(i)) => {
                let score = l * i;
                f.insert(score_key, Value::from(score));
                match m.level_of(score) {
                    Some(level) => f.insert(level_key, Value::from(level.id.clone())),
                    None => f.remove(&level_key),
                };
            }
            _ => {
                f.remove(&score_key);
                f.remove(&level_key);
            }
        }
    }
    let opportunity = f.get("risk_type").and_then(Value::as_str) == Some("opportunity");
    if let Some(t) = f.get("treatment").and_then(Value::as_str) {
        let (allowed, what) = if opportunity {
            (OPPORTUNITY_TREATMENTS, "an opportunity")
        } else {
            (RISK_TREATMENTS, "a risk")
        };
        if !allowed.contains(&t) {
            ctx.refuse(
                "fields.treatment",
                format!("for {what} must be one of: {}", allowed.join(", ")),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, TransitionCtx};
    use crate::settings::{Level, RiskMatrix, Settings, Step};
    use serde_json::json;

    const OWNER: i64 = 7;

    fn ctx<'a>(state: &'a str, fields: &'a Map<String, Value>, actor: i64) -> TransitionCtx<'a> {
        TransitionCtx {
            actor,
            today: "2026-05-04",
            owner: Some(OWNER),
            ..TransitionCtx::for_test(state, Role::Contributor, fields)
        }
    }

    fn fields(v: Value) -> Map<String, Value> {
        RISK.validate(&serde_json::from_value(v).unwrap(), true)
            .unwrap()
    }

    fn three_by_three() -> Settings {
        let step = |l: &str| Step {
            label: l.into(),
            description: String::new(),
        };
        let level = |id: &str, min, max| Level {
            id: id.into(),
            label: id.to_uppercase(),
            colour: "#808080".into(),
            min,
            max,
        };
        Settings {
            risk_matrix: RiskMatrix {
                likelihood: vec![step("L1"), step("L2"), step("L3")],
                impact: vec![step("I1"), step("I2"), step("I3")],
                levels: vec![
                    level("low", 1, 2),
                    level("medium", 3, 4),
                    level("high", 5, 9),
                ],
            },
        }
    }

    fn computed(f: &mut Map<String, Value>, settings: &Settings) -> Result<(), Vec<FieldError>> {
        RISK.compute(f, &DeriveCtx::new("2026-05-04", settings))
    }

    #[test]
    fn scores_and_levels_come_from_the_matrix() {
        let mut f = fields(json!({
            "risk_type": "risk",
            "description": "Ransomware encrypts the file server.",
            "inherent_likelihood": 4,
            "inherent_impact": 5,
            "treatment": "reduce",
            "residual_likelihood": 2,
            "residual_impact": 3,
        }));
        computed(&mut f, &Settings::default()).unwrap();
        assert_eq!(f["inherent_score"], json!(20));
        assert_eq!(f["inherent_level"], json!("critical"));
        assert_eq!(f["residual_score"], json!(6));
        assert_eq!(f["residual_level"], json!("medium"));

        // A rating removed takes its score and level with it.
        f.remove("residual_impact");
        computed(&mut f, &Settings::default()).unwrap();
        assert!(f.get("residual_score").is_none());
        assert!(f.get("residual_level").is_none());
    }

    #[test]
    fn steps_beyond_a_smaller_matrix_are_refused_naming_the_field() {
        let mut f = fields(json!({
            "risk_type": "risk",
            "description": "Supplier fails.",
            "inherent_likelihood": 4,
            "inherent_impact": 3,
            "residual_likelihood": 1,
            "residual_impact": 5,
        }));
        assert_eq!(
            computed(&mut f, &three_by_three()).unwrap_err(),
            [
                FieldError::new(
                    "fields.inherent_likelihood",
                    "must be between 1 and 3: the risk matrix's likelihood scale has 3 steps"
                ),
                FieldError::new(
                    "fields.residual_impact",
                    "must be between 1 and 3: the risk matrix's impact scale has 3 steps"
                ),
            ]
        );
        // Beyond the largest matrix, the field itself refuses.
        let e = RISK
            .validate(
                &serde_json::from_value(
                    json!({"risk_type": "risk", "description": "x", "inherent_impact": 6}),
                )
                .unwrap(),
                true,
            )
            .unwrap_err();
        assert_eq!(
            e,
            [FieldError::new(
                "fields.inherent_impact",
                "must be between 1 and 5"
            )]
        );
    }

    #[test]
    fn a_treatment_must_suit_risks_or_opportunities() {
        let mut f = fields(json!({
            "risk_type": "opportunity",
            "description": "A new market opens.",
            "treatment": "avoid",
        }));
        assert_eq!(
            computed(&mut f, &Settings::default()).unwrap_err(),
            [FieldError::new(
                "fields.treatment",
                "for an opportunity must be one of: exploit, enhance, share, accept"
            )]
        );
        f.insert("treatment".into(), json!("exploit"));
        assert!(computed(&mut f, &Settings::default()).is_ok());
        f.insert("risk_type".into(), json!("risk"));
        assert_eq!(
            computed(&mut f, &Settings::default()).unwrap_err(),
            [FieldError::new(
                "fields.treatment",
                "for a risk must be one of: avoid, reduce, transfer, accept"
            )]
        );
    }

    #[test]
    fn a_risk_is_assessed_treated_and_accepted_by_its_owner_with_a_signature() {
        let mut f = fields(json!({"risk_type": "risk", "description": "Laptop stolen."}));
        assert_eq!(
            RISK.check_transition("assess", &ctx("identified", &f, OWNER))
                .unwrap_err(),
            [
                FieldError::new("fields.inherent_likelihood", "required to take 'assess'"),
                FieldError::new("fields.inherent_impact", "required to take 'assess'"),
                FieldError::new("fields.treatment", "required to take 'assess'"),
            ]
        );
        f.insert("inherent_likelihood".into(), json!(3));
        f.insert("inherent_impact".into(), json!(4));
        f.insert("treatment".into(), json!("reduce"));
        assert_eq!(
            RISK.check_transition("assess", &ctx("identified", &f, OWNER))
                .unwrap()
                .to,
            "assessed"
        );
        f.insert(
            "treatment_plan".into(),
            json!("Full-disk encryption (A.8.1)."),
        );
        f.insert("residual_likelihood".into(), json!(3));
        f.insert("residual_impact".into(), json!(1));
        assert_eq!(
            RISK.check_transition("treat", &ctx("assessed", &f, OWNER))
                .unwrap()
                .to,
            "treated"
        );
        let plan = RISK
            .check_transition("accept", &ctx("treated", &f, OWNER))
            .unwrap();
        assert_eq!(plan.to, "accepted");
        assert_eq!(plan.signature, Some(Meaning::Accepted));
        assert_eq!(plan.fields["accepted_on"], json!("2026-05-04"));
    }

    #[test]
    fn only_the_owner_accepts_the_residual_risk() {
        let f = fields(json!({
            "risk_type": "risk",
            "description": "Laptop stolen.",
            "residual_likelihood": 1,
            "residual_impact": 2,
        }));
        // A manager who does not own it may not accept on the owner's behalf.
        let mut c = ctx("assessed", &f, 99);
        c.role = Role::Manager;
        assert_eq!(
            RISK.check_transition("accept", &c).unwrap_err(),
            [FieldError::new(
                "owner",
                "only the record's owner may take this step"
            )]
        );
        c.owner = None;
        assert_eq!(
            RISK.check_transition("accept", &c).unwrap_err(),
            [FieldError::new(
                "owner",
                "the record has no owner: give it one first"
            )]
        );
        // Readers and auditors are not among those who accept, owner or not.
        let mut c = ctx("assessed", &f, OWNER);
        c.role = Role::Auditor;
        assert_eq!(
            RISK.check_transition("accept", &c).unwrap_err()[0].field,
            "role"
        );
    }

    #[test]
    fn editing_a_rating_or_the_treatment_of_an_accepted_risk_sends_it_back() {
        let changed = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        for f in [
            "fields.inherent_likelihood",
            "fields.inherent_impact",
            "fields.residual_likelihood",
            "fields.residual_impact",
            "fields.treatment",
        ] {
            assert_eq!(
                RISK.reassessed("accepted", &changed(&[f])),
                Some("assessed"),
                "{f}"
            );
        }
        assert_eq!(
            RISK.reassessed("accepted", &changed(&["fields.review_on", "title"])),
            None
        );
        assert_eq!(
            RISK.reassessed("treated", &changed(&["fields.residual_impact"])),
            None
        );
    }

    #[test]
    fn closing_needs_the_outcome_and_retiring_a_reason() {
        let f = fields(json!({"risk_type": "risk", "description": "x"}));
        let mut c = ctx("accepted", &f, OWNER);
        c.role = Role::Manager;
        assert_eq!(
            RISK.check_transition("close", &c).unwrap_err(),
            [FieldError::new(
                "fields.outcome",
                "required to take 'close'"
            )]
        );
        assert_eq!(
            RISK.check_transition("retire", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'retire'")]
        );
        c.reason = Some("Duplicate of RISK-0002");
        assert_eq!(RISK.check_transition("retire", &c).unwrap().to, "retired");
        assert!(RISK.state("retired").unwrap().terminal);
        assert!(RISK.state("closed").unwrap().terminal);
    }
}
