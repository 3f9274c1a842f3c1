//! The supplier kind: an external provider of products or services, how critical it is, the
//! certificates it holds, and its evaluation against weighted criteria, from which a score
//! and an outcome are computed. Approved suppliers make up the approved supplier list.
//!
//! Why it looks as it does: an organisation evaluates, selects and re-evaluates its
//! providers by criteria it sets, controls them in proportion to the risk they carry, and
//! keeps the results (ISO 9001:2015 8.4; ISO 13485:2016 7.4.1, which adds that the controls
//! be proportionate to the effect on the medical device). So a supplier carries a
//! criticality, which sets how often it is re-evaluated when no date is given; an approval
//! is an electronic signature that needs the evaluation score at or above the threshold;
//! and changing the evaluation or the criticality of an approved supplier sends it back to
//! be approved again. Its nonconformities and corrective-action requests (SCARs: CAPAs
//! addressed to the supplier) are records of their own kinds, created from its page as part
//! of it, so they sit in their owners' task lists and show on the supplier's page as links.

use serde_json::{Map, Value};

use super::{
    Choice, Derive, DeriveCtx, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation, Raise,
    Reassess, SavedView, State, Transition, number_value,
};
use crate::reminders::add_months;
use crate::role::Role;

/// Who records suppliers and their evaluations.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who approves, disqualifies and retires them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The evaluation score (percent) a supplier needs to be approved.
pub const APPROVE_AT: i64 = 80;
/// The score it needs to be approved with conditions.
pub const CONDITIONAL_AT: i64 = 60;
/// The top of the scoring scale of each criterion.
pub const SCORE_MAX: i64 = 5;

const CERTIFICATE: &[Field] = &[
    Field {
        name: "standard",
        label: "Standard",
        help: "",
        ty: FieldType::Choice(&[
            Choice::new("iso9001", "ISO 9001"),
            Choice::new("iso13485", "ISO 13485"),
            Choice::new("iso14001", "ISO 14001"),
            Choice::new("iso45001", "ISO 45001"),
            Choice::new("iso27001", "ISO/IEC 27001"),
            Choice::new("other", "Other"),
        ]),
        required: true,
        system: false,
    },
    Field {
        name: "number",
        label: "Certificate number",
        help: "",
        ty: FieldType::Text { max: 100 },
        required: true,
        system: false,
    },
    Field {
        name: "issuer",
        label: "Certification body",
        help: "",
        ty: FieldType::Text { max: 200 },
        required: false,
        system: false,
    },
    Field {
        name: "expires_on",
        label: "Expires on",
        help: "",
        ty: FieldType::Date,
        required: true,
        system: false,
    },
];

const CRITERION: &[Field] = &[
    Field {
        name: "criterion",
        label: "Criterion",
        help: "",
        ty: FieldType::Text { max: 200 },
        required: true,
        system: false,
    },
    Field {
        name: "weight",
        label: "Weight",
        help: "",
        ty: FieldType::Number { min: 0, max: 100 },
        required: true,
        system: false,
    },
    Field {
        name: "score",
        label: "Score (0–5)",
        help: "",
        ty: FieldType::Number {
            min: 0,
            max: SCORE_MAX,
        },
        required: true,
        system: false,
    },
    Field {
        name: "comment",
        label: "Comment",
        help: "",
        ty: FieldType::Text { max: 500 },
        required: false,
        system: false,
    },
];

const OUTCOMES: &[Choice] = &[
    Choice::new("approved", "Approved"),
    Choice::new("approved_with_conditions", "Approved with conditions"),
    Choice::new("not_approved", "Not approved"),
];

pub static SUPPLIER: Kind = Kind {
    id: "supplier",
    label: "Supplier",
    plural: "Suppliers",
    prefix: "SUP",
    help: "An external provider of products or services that affect what you deliver: \
           materials, components, contract manufacturing, sterilisation, calibration, \
           software, transport. Say what they supply and how critical it is, record their \
           certificates, and score them against weighted criteria; the score decides \
           whether a manager may approve them. Approved suppliers form the approved supplier \
           list. Raise a supplier's nonconformities and corrective-action requests from its \
           page so they stay linked to it.",
    clauses: &[
        "iso9001:2015/8.4",
        "iso9001:2015/8.4.1",
        "iso13485:2016/7.4.1",
        "iso14001:2015/8.1",
        "iso45001:2018/8.1.4",
    ],
    fields: &[
        Field {
            name: "supplies",
            label: "What they supply",
            help: "The products, materials or services bought from them, and for what.",
            ty: FieldType::LongText { max: 5_000 },
            required: true,
            system: false,
        },
        Field {
            name: "criticality",
            label: "Criticality",
            help: "How much what they supply can affect your product and its users. \
                   Critical: its failure could directly affect the safety or performance of \
                   the device and may not be caught before release (sterilisation, critical \
                   components, contract manufacture, software in the device); re-evaluated \
                   every year. Major: affects quality but is checked on receipt or is not \
                   safety-related (packaging, calibration, test services); every two years. \
                   Minor: does not affect product conformity (general services); every three \
                   years.",
            ty: FieldType::Choice(&[
                Choice::new("critical", "Critical"),
                Choice::new("major", "Major"),
                Choice::new("minor", "Minor"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "contact_name",
            label: "Contact",
            help: "",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "contact_email",
            label: "Contact email",
            help: "",
            ty: FieldType::Text { max: 254 },
            required: false,
            system: false,
        },
        Field {
            name: "contact_phone",
            label: "Contact phone",
            help: "",
            ty: FieldType::Text { max: 60 },
            required: false,
            system: false,
        },
        Field {
            name: "address",
            label: "Address",
            help: "",
            ty: FieldType::LongText { max: 1_000 },
            required: false,
            system: false,
        },
        Field {
            name: "certifications",
            label: "Certifications held",
            help: "Management-system certificates: the standard, the certificate number, \
                   who issued it and when it expires. The earliest expiry reminds the owner \
                   to ask for the renewed certificate.",
            ty: FieldType::Rows {
                columns: CERTIFICATE,
                max: 20,
            },
            required: false,
            system: false,
        },
        Field {
            name: "evaluation",
            label: "Evaluation",
            help: "One row per criterion (quality record, delivery, certification, audit \
                   result, price, communication...), with its weight and a score from 0 \
                   (unacceptable) to 5 (excellent). The weighted score decides the outcome: \
                   80 % or more approved, 60 % or more approved with conditions, below that \
                   not approved.",
            ty: FieldType::Rows {
                columns: CRITERION,
                max: 50,
            },
            required: false,
            system: false,
        },
        Field {
            name: "evaluated_on",
            label: "Evaluated on",
            help: "The day the evaluation was made; not in the future.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "conditions",
            label: "Conditions of approval",
            help: "For an approval with conditions: what the supplier must do or what you \
                   will check, and by when (100 % incoming inspection until the SCAR closes, \
                   say).",
            ty: FieldType::LongText { max: 5_000 },
            required: false,
            system: false,
        },
        Field {
            name: "re_evaluate_by",
            label: "Re-evaluate by",
            help: "Leave empty to re-evaluate one, two or three years after the evaluation \
                   for a critical, major or minor supplier; set a date to re-evaluate sooner \
                   (or later, with a reason in the record).",
            ty: FieldType::Date,
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
            name: "evaluation_score",
            label: "Evaluation score (%)",
            help: "The weighted score of the evaluation. Computed.",
            ty: FieldType::Number { min: 0, max: 100 },
            required: false,
            system: true,
        },
        Field {
            name: "evaluation_outcome",
            label: "Evaluation outcome",
            help: "What the score allows. Computed.",
            ty: FieldType::Choice(OUTCOMES),
            required: false,
            system: true,
        },
        Field {
            name: "next_evaluation_due",
            label: "Next evaluation due",
            help: "The re-evaluate-by date, or the evaluation date plus the interval of the \
                   criticality. Computed; reminds the owner.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "certificate_expires",
            label: "First certificate expiry",
            help: "The earliest expiry of the certificates held. Computed; reminds the owner.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "prospective",
            label: "Prospective",
            terminal: false,
        },
        State {
            id: "evaluated",
            label: "Evaluated",
            terminal: false,
        },
        State {
            id: "approved",
            label: "Approved",
            terminal: false,
        },
        State {
            id: "conditionally_approved",
            label: "Approved with conditions",
            terminal: false,
        },
        State {
            id: "re_evaluation",
            label: "Being re-evaluated",
            terminal: false,
        },
        State {
            id: "disqualified",
            label: "Disqualified",
            terminal: true,
        },
        State {
            id: "retired",
            label: "Retired",
            terminal: true,
        },
    ],
    initial: "prospective",
    transitions: &[
        Transition {
            id: "evaluate",
            label: "Record evaluation",
            from: &["prospective", "re_evaluation"],
            to: "evaluated",
            roles: WORKERS,
            requires: &["evaluation", "evaluated_on"],
            reason: false,
            signature: None,
            guards: &[Guard::NotFuture("evaluated_on")],
            effects: &[],
        },
        Transition {
            id: "approve",
            label: "Approve",
            from: &["evaluated"],
            to: "approved",
            roles: DECIDERS,
            requires: &[],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[Guard::AtLeast {
                field: "evaluation_score",
                min: APPROVE_AT,
            }],
            effects: &[Effect::SetToday("approved_on")],
        },
        Transition {
            id: "approve_with_conditions",
            label: "Approve with conditions",
            from: &["evaluated"],
            to: "conditionally_approved",
            roles: DECIDERS,
            requires: &["conditions"],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[Guard::AtLeast {
                field: "evaluation_score",
                min: CONDITIONAL_AT,
            }],
            effects: &[Effect::SetToday("approved_on")],
        },
        Transition {
            id: "disqualify",
            label: "Disqualify",
            from: &[
                "evaluated",
                "approved",
                "conditionally_approved",
                "re_evaluation",
            ],
            to: "disqualified",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("approved_on")],
        },
        Transition {
            id: "re_evaluate",
            label: "Start re-evaluation",
            from: &["approved", "conditionally_approved"],
            to: "re_evaluation",
            roles: WORKERS,
            requires: &[],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        // A disqualified supplier may be considered again, for a stated reason.
        Transition {
            id: "reconsider",
            label: "Reconsider",
            from: &["disqualified"],
            to: "re_evaluation",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "retire",
            label: "Retire (no longer used)",
            from: &[
                "prospective",
                "evaluated",
                "approved",
                "conditionally_approved",
                "re_evaluation",
            ],
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
    create_roles: WORKERS,
    edit_roles: WORKERS,
    editable_in: &[
        "prospective",
        "evaluated",
        "approved",
        "conditionally_approved",
        "re_evaluation",
    ],
    reminders: &["next_evaluation_due", "certificate_expires"],
    derive: Some(Derive {
        fields: &[
            "evaluation_score",
            "evaluation_outcome",
            "next_evaluation_due",
            "certificate_expires",
        ],
        compute,
    }),
    // An approval signed a score for a criticality; a new one needs a new approval.
    reassess: Some(Reassess {
        fields: &["evaluation", "criticality"],
        states: &["approved", "conditionally_approved"],
        to: "evaluated",
    }),
    follow_ups: &[],
    presentation: &PRESENTATION,
};

/// The approved supplier list above the suppliers, and what a supplier's page can raise.
pub static PRESENTATION: Presentation = Presentation {
    // A supplier being re-evaluated stays approved until the new decision.
    views: &[SavedView {
        label: "Approved supplier list",
        query: "state=approved&state=conditionally_approved&state=re_evaluation&sort=title",
    }],
    trend: None,
    raises: &[
        Raise {
            kind: "nonconformity",
            label: "Raise a supplier nonconformity",
        },
        Raise {
            kind: "capa",
            label: "Request corrective action (SCAR)",
        },
    ],
};

/// The weighted score of evaluation rows, in percent to one decimal; `None` without rows or
/// when every weight is zero.
pub fn weighted_score(rows: &[Value]) -> Option<f64> {
    let (mut got, mut weights) = (0.0, 0.0);
    for r in rows {
        let (Some(w), Some(s)) = (r["weight"].as_f64(), r["score"].as_f64()) else {
            continue;
        };
        got += w * s;
        weights += w;
    }
    #[allow(clippy::cast_precision_loss)] // SCORE_MAX is 5
    let pct = got / (weights * SCORE_MAX as f64) * 100.0;
    (weights > 0.0).then(|| (pct * 10.0).round() / 10.0)
}

/// The outcome a score allows.
pub fn outcome(score: f64) -> &'static str {
    #[allow(clippy::cast_precision_loss)] // small declared thresholds
    match score {
        s if s >= APPROVE_AT as f64 => "approved",
        s if s >= CONDITIONAL_AT as f64 => "approved_with_conditions",
        _ => "not_approved",
    }
}

/// Months between evaluations for a criticality: a critical supplier yearly, a major one
/// every two years, a minor one every three.
pub fn interval_months(criticality: &str) -> Option<i64> {
    match criticality {
        "critical" => Some(12),
        "major" => Some(24),
        "minor" => Some(36),
        _ => None,
    }
}

/// Sets the score, the outcome, the next evaluation's due date and the first expiry.
fn compute(f: &mut Map<String, Value>, _ctx: &DeriveCtx) {
    for k in [
        "evaluation_score",
        "evaluation_outcome",
        "next_evaluation_due",
        "certificate_expires",
    ] {
        f.remove(k);
    }
    let rows = f
        .get("evaluation")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(score) = weighted_score(&rows) {
        f.insert("evaluation_score".into(), number_value(score));
        f.insert("evaluation_outcome".into(), Value::from(outcome(score)));
    }
    let text = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
    let next = text("re_evaluate_by").or_else(|| {
        let months = interval_months(&text("criticality")?)?;
        add_months(&text("evaluated_on")?, months)
    });
    if let Some(next) = next {
        f.insert("next_evaluation_due".into(), Value::from(next));
    }
    let first_expiry = f
        .get("certifications")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["expires_on"].as_str())
        .min()
        .map(str::to_string);
    if let Some(d) = first_expiry {
        f.insert("certificate_expires".into(), Value::from(d));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, SignatureFact, TransitionCtx};
    use crate::settings::Settings;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn saved(fields: Value) -> Map<String, Value> {
        let mut f = SUPPLIER.validate(&map(fields), true).unwrap();
        SUPPLIER
            .compute(&mut f, &DeriveCtx::new("2026-06-01", &Settings::default()))
            .unwrap();
        f
    }

    /// A critical supplier scored on three criteria.
    fn acme(scores: [f64; 3]) -> Value {
        json!({
            "supplies": "Sterilisation of finished devices (EO)",
            "criticality": "critical",
            "evaluated_on": "2026-05-15",
            "evaluation": [
                {"criterion": "Quality record", "weight": 50, "score": scores[0]},
                {"criterion": "Delivery", "weight": 30, "score": scores[1]},
                {"criterion": "Certification", "weight": 20, "score": scores[2],
                 "comment": "ISO 13485 certificate seen"},
            ],
        })
    }

    #[test]
    fn the_score_is_weighted_and_decides_the_outcome() {
        let f = saved(acme([5.0, 4.0, 4.0]));
        // (50*5 + 30*4 + 20*4) / (100*5) = 450 / 500
        assert_eq!(f["evaluation_score"], json!(90));
        assert_eq!(f["evaluation_outcome"], json!("approved"));
        let f = saved(acme([4.0, 4.0, 4.0]));
        assert_eq!(f["evaluation_score"], json!(80));
        assert_eq!(f["evaluation_outcome"], json!("approved"));
        let f = saved(acme([4.0, 3.0, 3.0]));
        assert_eq!(f["evaluation_score"], json!(70));
        assert_eq!(f["evaluation_outcome"], json!("approved_with_conditions"));
        let f = saved(acme([3.0, 3.0, 2.0]));
        assert_eq!(f["evaluation_score"], json!(56));
        assert_eq!(f["evaluation_outcome"], json!("not_approved"));
        // Fractions are kept to one decimal: 2/3 of the way is 66.7 %.
        assert_eq!(
            weighted_score(&[
                json!({"weight": 1, "score": 5}),
                json!({"weight": 1, "score": 5}),
                json!({"weight": 1, "score": 0}),
            ]),
            Some(66.7)
        );
        // No rows, or only weightless ones, give no score at all rather than 0 %.
        assert_eq!(weighted_score(&[]), None);
        assert_eq!(weighted_score(&[json!({"weight": 0, "score": 5})]), None);
        let f = saved(json!({"supplies": "Paper", "criticality": "minor"}));
        assert!(!f.contains_key("evaluation_score"));
        assert!(!f.contains_key("evaluation_outcome"));
    }

    #[test]
    fn scores_outside_the_scale_are_refused_cell_by_cell() {
        let errors = SUPPLIER
            .validate(
                &map(json!({
                    "supplies": "Screws", "criticality": "major",
                    "evaluation": [
                        {"criterion": "Delivery", "weight": 10, "score": 6},
                        {"criterion": "", "weight": -1, "score": 3},
                    ],
                })),
                true,
            )
            .unwrap_err();
        assert_eq!(
            errors,
            [
                FieldError::new("fields.evaluation.1.score", "must be between 0 and 5"),
                FieldError::new("fields.evaluation.2.criterion", "required"),
                FieldError::new("fields.evaluation.2.weight", "must be between 0 and 100"),
            ]
        );
    }

    #[test]
    fn re_evaluation_falls_due_by_criticality_unless_a_date_is_given() {
        assert_eq!(
            saved(acme([5.0, 5.0, 5.0]))["next_evaluation_due"],
            json!("2027-05-15")
        );
        let mut minor = acme([5.0, 5.0, 5.0]);
        minor["criticality"] = json!("minor");
        assert_eq!(
            saved(minor.clone())["next_evaluation_due"],
            json!("2029-05-15")
        );
        minor["re_evaluate_by"] = json!("2026-11-30");
        assert_eq!(saved(minor)["next_evaluation_due"], json!("2026-11-30"));
        // Not evaluated yet: nothing to re-evaluate.
        let f = saved(json!({"supplies": "Paper", "criticality": "minor"}));
        assert!(!f.contains_key("next_evaluation_due"));
    }

    #[test]
    fn the_first_certificate_to_expire_reminds() {
        let mut s = acme([5.0, 5.0, 5.0]);
        s["certifications"] = json!([
            {"standard": "iso9001", "number": "Q-1", "expires_on": "2028-03-01"},
            {"standard": "iso13485", "number": "MD-7", "issuer": "BSI", "expires_on": "2027-01-31"},
        ]);
        let f = saved(s);
        assert_eq!(f["certificate_expires"], json!("2027-01-31"));
        assert!(SUPPLIER.reminders.contains(&"certificate_expires"));
    }

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            signatures: &[] as &[SignatureFact],
            actor: 4,
            today: "2026-06-01",
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn approval_needs_the_score_at_or_above_the_threshold() {
        let low = saved(acme([4.0, 3.0, 3.0])); // 70 %
        assert_eq!(
            SUPPLIER
                .check_transition("approve", &ctx("evaluated", Role::Manager, &low))
                .unwrap_err(),
            [FieldError::new(
                "fields.evaluation_score",
                "must be at least 80; it is 70"
            )]
        );
        // With conditions it may be approved, once the conditions are written down.
        assert_eq!(
            SUPPLIER
                .check_transition(
                    "approve_with_conditions",
                    &ctx("evaluated", Role::Manager, &low)
                )
                .unwrap_err(),
            [FieldError::new(
                "fields.conditions",
                "required to take 'approve_with_conditions'"
            )]
        );
        let mut conditional = low.clone();
        conditional.insert("conditions".into(), json!("Full incoming inspection"));
        let plan = SUPPLIER
            .check_transition(
                "approve_with_conditions",
                &ctx("evaluated", Role::Manager, &conditional),
            )
            .unwrap();
        assert_eq!(plan.to, "conditionally_approved");
        assert_eq!(plan.signature, Some(Meaning::Approved));

        let poor = saved(acme([3.0, 3.0, 2.0])); // 56 %
        let mut poor_c = poor.clone();
        poor_c.insert("conditions".into(), json!("Anything"));
        assert_eq!(
            SUPPLIER
                .check_transition(
                    "approve_with_conditions",
                    &ctx("evaluated", Role::Manager, &poor_c)
                )
                .unwrap_err(),
            [FieldError::new(
                "fields.evaluation_score",
                "must be at least 60; it is 56"
            )]
        );
        let unscored = saved(json!({"supplies": "Paper", "criticality": "minor"}));
        assert_eq!(
            SUPPLIER
                .check_transition("approve", &ctx("evaluated", Role::Manager, &unscored))
                .unwrap_err(),
            [FieldError::new(
                "fields.evaluation_score",
                "must be at least 80; it has no value yet"
            )]
        );

        let good = saved(acme([4.0, 4.0, 4.0])); // exactly 80 %
        let plan = SUPPLIER
            .check_transition("approve", &ctx("evaluated", Role::Manager, &good))
            .unwrap();
        assert_eq!(plan.to, "approved");
        assert_eq!(plan.fields["approved_on"], json!("2026-06-01"));
        assert_eq!(
            SUPPLIER
                .check_transition("approve", &ctx("evaluated", Role::Contributor, &good))
                .unwrap_err(),
            [FieldError::new(
                "role",
                "'approve' may be taken only by: manager, administrator"
            )]
        );
    }

    #[test]
    fn an_evaluation_is_dated_and_not_in_the_future() {
        let mut f = saved(json!({"supplies": "Paper", "criticality": "minor"}));
        assert_eq!(
            SUPPLIER
                .check_transition("evaluate", &ctx("prospective", Role::Contributor, &f))
                .unwrap_err(),
            [
                FieldError::new("fields.evaluation", "required to take 'evaluate'"),
                FieldError::new("fields.evaluated_on", "required to take 'evaluate'"),
                FieldError::new(
                    "fields.evaluated_on",
                    "evaluated_on cannot be later than today"
                ),
            ]
        );
        f = saved(acme([5.0, 5.0, 5.0]));
        f.insert("evaluated_on".into(), json!("2026-06-02"));
        assert!(
            SUPPLIER
                .check_transition("evaluate", &ctx("prospective", Role::Contributor, &f))
                .is_err()
        );
    }

    #[test]
    fn a_disqualification_needs_a_reason_and_a_new_evaluation_a_new_approval() {
        let f = saved(acme([5.0, 5.0, 5.0]));
        let mut c = ctx("approved", Role::Manager, &f);
        assert_eq!(
            SUPPLIER.check_transition("disqualify", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'disqualify'")]
        );
        c.reason = Some("Two critical nonconformities in a quarter");
        assert_eq!(
            SUPPLIER.check_transition("disqualify", &c).unwrap().to,
            "disqualified"
        );
        assert!(SUPPLIER.state("disqualified").unwrap().terminal);
        let changed = |n: &str| vec![format!("fields.{n}")];
        assert_eq!(
            SUPPLIER.reassessed("approved", &changed("evaluation")),
            Some("evaluated")
        );
        assert_eq!(
            SUPPLIER.reassessed("conditionally_approved", &changed("criticality")),
            Some("evaluated")
        );
        assert_eq!(
            SUPPLIER.reassessed("approved", &changed("contact_email")),
            None
        );
    }

    #[test]
    fn the_approved_supplier_list_is_the_approved_states() {
        let asl = PRESENTATION.views[0];
        assert_eq!(asl.label, "Approved supplier list");
        for s in ["approved", "conditionally_approved", "re_evaluation"] {
            assert!(asl.query.contains(&format!("state={s}&")), "{s}");
        }
        assert!(!asl.query.contains("prospective"));
    }
}
