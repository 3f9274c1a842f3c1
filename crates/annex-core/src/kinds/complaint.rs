//! The complaint kind: what a customer tells the organisation about a product or service —
//! a complaint, or feedback or an enquiry found not to be one — from receipt to the answer
//! given and the customer's satisfaction with it.
//!
//! Why the workflow looks as it does: customer communication covers handling complaints, and
//! how satisfied customers are is monitored (ISO 9001:2015 8.2.1 and 9.1.2). For medical
//! devices complaints are handled to a documented procedure with their records: each one is
//! classified, the decision whether it must be reported to a regulatory authority is made and
//! justified, it is investigated (or the reason for not investigating written down), and a
//! corrective action is raised where one is needed (ISO 13485:2016 8.2.2 and 8.2.3). So the
//! complaint is classified with that reporting decision and its rationale before it is
//! investigated; it is answered on a date that has happened; and it cannot be closed while it
//! says a CAPA is needed and no CAPA is linked to it. Closing is signed (21 CFR 11.50). The
//! satisfaction score given at closure feeds the satisfaction trend on the register.

use super::{
    Choice, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation, State, Transition,
};
use crate::role::Role;

/// Who logs and works complaints.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who closes, reopens and rejects them.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static COMPLAINT: Kind = Kind {
    id: "complaint",
    label: "Complaint",
    plural: "Complaints",
    prefix: "CMP",
    help: "Something a customer told you about a product or service: a complaint, or \
           feedback or a question. Log when and how it arrived, who it is from and what \
           product, lot or device it concerns. Classify it and decide, with your reasons, \
           whether it must be reported to a regulatory authority; investigate it and say \
           whether a CAPA is needed (link the CAPA if so); answer the customer and note the \
           date; record how satisfied they were (1 to 5) and close it with your signature.",
    clauses: &[
        "iso9001:2015/8.2.1",
        "iso9001:2015/9.1.2",
        "iso13485:2016/8.2.1",
        "iso13485:2016/8.2.2",
        "iso13485:2016/8.2.3",
    ],
    fields: &[
        Field {
            name: "received_on",
            label: "Received on",
            help: "The day the organisation first heard of it: the clock for answering and \
                   for any report to an authority starts here.",
            ty: FieldType::Date,
            required: true,
            system: false,
        },
        Field {
            name: "channel",
            label: "Received by",
            help: "How it reached the organisation.",
            ty: FieldType::Choice(&[
                Choice::new("email", "Email"),
                Choice::new("phone", "Phone"),
                Choice::new("web", "Web form or portal"),
                Choice::new("letter", "Letter"),
                Choice::new("in_person", "In person or visit"),
                Choice::new("sales", "Sales or service staff"),
                Choice::new("distributor", "Distributor"),
                Choice::new("social_media", "Social media"),
                Choice::new("other", "Other"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "customer",
            label: "Customer",
            help: "The organisation or person it comes from.",
            ty: FieldType::Text { max: 200 },
            required: true,
            system: false,
        },
        Field {
            name: "contact",
            label: "Contact",
            help: "Who to answer, and how to reach them.",
            ty: FieldType::Text { max: 300 },
            required: false,
            system: false,
        },
        Field {
            name: "product",
            label: "Product or service",
            help: "What it is about: product name and model, or the service.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "lot",
            label: "Lot, batch or serial number",
            help: "So that other units made alike can be found.",
            ty: FieldType::Text { max: 100 },
            required: false,
            system: false,
        },
        Field {
            name: "udi",
            label: "UDI",
            help: "For medical devices: the unique device identifier as printed on the label.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "description",
            label: "What the customer reports",
            help: "In the customer's terms: what happened, when, with what result, and what \
                   they ask for. Note any injury or harm.",
            ty: FieldType::LongText { max: 20_000 },
            required: true,
            system: false,
        },
        Field {
            name: "classification",
            label: "Classification",
            help: "A complaint alleges a shortcoming of a product or service after it was \
                   delivered; feedback and enquiries are answered and counted but do not.",
            ty: FieldType::Choice(&[
                Choice::new("complaint", "Complaint"),
                Choice::new("feedback", "Feedback"),
                Choice::new("enquiry", "Enquiry"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "category",
            label: "Category",
            help: "What it is about, for trending.",
            ty: FieldType::Choice(&[
                Choice::new("quality", "Product quality or defect"),
                Choice::new("performance", "Performance or function"),
                Choice::new("safety", "Safety, injury or harm"),
                Choice::new("labelling", "Labelling or instructions"),
                Choice::new("packaging", "Packaging or damage in transit"),
                Choice::new("delivery", "Delivery or availability"),
                Choice::new("service", "Service or support"),
                Choice::new("billing", "Billing or administration"),
                Choice::new("other", "Other"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "severity",
            label: "Severity",
            help: "How serious the consequences are or could have been.",
            ty: FieldType::Choice(&[
                Choice::new("low", "Low"),
                Choice::new("medium", "Medium"),
                Choice::new("high", "High"),
                Choice::new("critical", "Critical"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "reportable",
            label: "Reportable to an authority",
            help: "Whether the event must be reported to a regulatory authority (a vigilance \
                   or medical device report, say). Decided when the complaint is classified.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "reportability_rationale",
            label: "Reporting decision and rationale",
            help: "Why it is or is not reportable, against which rule; needed either way.",
            ty: FieldType::LongText { max: 10_000 },
            required: false,
            system: false,
        },
        Field {
            name: "report_reference",
            label: "Authority report reference",
            help: "The number of the report made to the authority, and to which one.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "investigation",
            label: "Investigation findings",
            help: "What was examined (returned unit, records of the lot, similar complaints) \
                   and what was found; or why no investigation was needed.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "capa_needed",
            label: "CAPA needed",
            help: "Whether the cause must be removed by a corrective action. If yes, link the \
                   CAPA before closing.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "response",
            label: "Response to the customer",
            help: "What the customer was told or given: explanation, replacement, credit.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "responded_on",
            label: "Responded on",
            help: "The day the answer went out; not in the future.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "satisfaction",
            label: "Customer satisfaction (1–5)",
            help: "How satisfied the customer was with the outcome, from 1 (not at all) to 5 \
                   (fully), if they said. Feeds the satisfaction trend.",
            ty: FieldType::Integer { min: 1, max: 5 },
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
            id: "received",
            label: "Received",
            terminal: false,
        },
        State {
            id: "investigating",
            label: "Investigating",
            terminal: false,
        },
        State {
            id: "responded",
            label: "Responded",
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
        State {
            id: "withdrawn",
            label: "Withdrawn",
            terminal: true,
        },
    ],
    initial: "received",
    transitions: &[
        // ISO 13485:2016 8.2.2 and 8.2.3: the reporting decision is made, and justified,
        // as soon as the complaint is understood, not after the investigation.
        Transition {
            id: "classify",
            label: "Classify and investigate",
            from: &["received"],
            to: "investigating",
            roles: WORKERS,
            requires: &[
                "classification",
                "category",
                "severity",
                "reportable",
                "reportability_rationale",
            ],
            reason: false,
            signature: None,
            guards: &[Guard::NotFuture("received_on")],
            effects: &[],
        },
        Transition {
            id: "respond",
            label: "Record response",
            from: &["investigating"],
            to: "responded",
            roles: WORKERS,
            requires: &["investigation", "capa_needed", "response", "responded_on"],
            reason: false,
            signature: None,
            guards: &[Guard::NotFuture("responded_on")],
            effects: &[],
        },
        // The fields stay editable after the response (the satisfaction score comes later),
        // so closing checks the response and the CAPA again.
        Transition {
            id: "close",
            label: "Close",
            from: &["responded"],
            to: "closed",
            roles: DECIDERS,
            requires: &["investigation", "capa_needed", "response", "responded_on"],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[
                Guard::NotFuture("responded_on"),
                Guard::Linked {
                    kind: "capa",
                    when: Some("capa_needed"),
                },
            ],
            effects: &[Effect::SetToday("closed_on")],
        },
        Transition {
            id: "reopen",
            label: "Reopen",
            from: &["closed"],
            to: "investigating",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("closed_on")],
        },
        Transition {
            id: "reject",
            label: "Reject (duplicate or logged in error)",
            from: &["received", "investigating"],
            to: "rejected",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "withdraw",
            label: "Withdrawn by the customer",
            from: &["received", "investigating"],
            to: "withdrawn",
            roles: WORKERS,
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
    editable_in: &["received", "investigating", "responded"],
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

    fn ctx<'a>(
        state: &'a str,
        role: Role,
        fields: &'a Map<String, Value>,
        linked: &'a [Part],
    ) -> TransitionCtx<'a> {
        TransitionCtx {
            actor: 7,
            today: "2026-05-04",
            linked,
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    fn received() -> Map<String, Value> {
        COMPLAINT
            .validate(
                &serde_json::from_value(json!({
                    "received_on": "2026-04-28",
                    "channel": "email",
                    "customer": "Clinic Nord",
                    "product": "Infusion set IS-20",
                    "lot": "L2604",
                    "description": "Leak at the connector during priming.",
                }))
                .unwrap(),
                true,
            )
            .unwrap()
    }

    fn set(fields: &mut Map<String, Value>, values: Value) {
        let Value::Object(m) = values else {
            panic!("not an object")
        };
        fields.extend(m);
    }

    fn capa(number: &str) -> Part {
        Part {
            kind: "capa".into(),
            number: number.into(),
            finished: false,
        }
    }

    #[test]
    fn a_complaint_is_classified_with_its_reporting_decision_answered_and_closed() {
        let mut fields = received();
        assert_eq!(
            COMPLAINT
                .check_transition(
                    "classify",
                    &ctx("received", Role::Contributor, &fields, &[])
                )
                .unwrap_err(),
            [
                FieldError::new("fields.classification", "required to take 'classify'"),
                FieldError::new("fields.category", "required to take 'classify'"),
                FieldError::new("fields.severity", "required to take 'classify'"),
                FieldError::new("fields.reportable", "required to take 'classify'"),
                FieldError::new(
                    "fields.reportability_rationale",
                    "required to take 'classify'"
                ),
            ]
        );
        set(
            &mut fields,
            json!({
                "classification": "complaint",
                "category": "quality",
                "severity": "medium",
                "reportable": false,
                "reportability_rationale": "No injury and none could have followed.",
            }),
        );
        let plan = COMPLAINT
            .check_transition(
                "classify",
                &ctx("received", Role::Contributor, &fields, &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "investigating");

        set(
            &mut fields,
            json!({
                "investigation": "Connector moulded out of tolerance in lot L2604.",
                "capa_needed": false,
                "response": "Replacement sets sent; explanation by letter.",
                "responded_on": "2026-05-02",
            }),
        );
        let plan = COMPLAINT
            .check_transition(
                "respond",
                &ctx("investigating", Role::Contributor, &fields, &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "responded");

        fields.insert("satisfaction".into(), json!(4));
        let fields = COMPLAINT.validate(&fields, true).unwrap();
        let plan = COMPLAINT
            .check_transition("close", &ctx("responded", Role::Manager, &fields, &[]))
            .unwrap();
        assert_eq!(plan.to, "closed");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields.get("closed_on"), Some(&json!("2026-05-04")));
        assert_eq!(plan.fields.get("satisfaction"), Some(&json!(4)));
    }

    #[test]
    fn a_complaint_that_needs_a_capa_cannot_close_until_one_is_linked() {
        let mut fields = received();
        set(
            &mut fields,
            json!({
                "investigation": "Same leak in three lots.",
                "capa_needed": true,
                "response": "Replaced.",
                "responded_on": "2026-05-02",
            }),
        );
        let close = |linked: &[Part]| {
            COMPLAINT.check_transition("close", &ctx("responded", Role::Manager, &fields, linked))
        };
        assert_eq!(
            close(&[]).unwrap_err(),
            [FieldError::new(
                "links",
                "needs a linked capa when capa_needed is yes"
            )]
        );
        // Another kind of record does not count; a CAPA in any state does.
        let nc = Part {
            kind: "nonconformity".into(),
            number: "NC-0001".into(),
            finished: true,
        };
        assert!(close(std::slice::from_ref(&nc)).is_err());
        assert_eq!(close(&[nc, capa("CAPA-0007")]).unwrap().to, "closed");
    }

    #[test]
    fn dates_that_have_not_happened_and_missing_answers_are_refused() {
        let mut fields = received();
        fields.insert("received_on".into(), json!("2026-05-05"));
        set(
            &mut fields,
            json!({
                "classification": "complaint",
                "category": "quality",
                "severity": "low",
                "reportable": true,
                "reportability_rationale": "Malfunction that could lead to harm.",
            }),
        );
        assert_eq!(
            COMPLAINT
                .check_transition(
                    "classify",
                    &ctx("received", Role::Contributor, &fields, &[])
                )
                .unwrap_err(),
            [FieldError::new(
                "fields.received_on",
                "received_on cannot be later than today"
            )]
        );

        fields.insert("response".into(), json!("Answered by phone."));
        fields.insert("responded_on".into(), json!("2026-06-01"));
        assert_eq!(
            COMPLAINT
                .check_transition(
                    "respond",
                    &ctx("investigating", Role::Contributor, &fields, &[])
                )
                .unwrap_err(),
            [
                FieldError::new("fields.investigation", "required to take 'respond'"),
                FieldError::new("fields.capa_needed", "required to take 'respond'"),
                FieldError::new(
                    "fields.responded_on",
                    "responded_on cannot be later than today"
                ),
            ]
        );

        // The response was removed after responding: closing asks for it again.
        fields.remove("response");
        fields.insert("responded_on".into(), json!("2026-05-01"));
        fields.insert("investigation".into(), json!("Checked."));
        fields.insert("capa_needed".into(), json!(false));
        assert_eq!(
            COMPLAINT
                .check_transition("close", &ctx("responded", Role::Manager, &fields, &[]))
                .unwrap_err(),
            [FieldError::new(
                "fields.response",
                "required to take 'close'"
            )]
        );
        assert_eq!(
            COMPLAINT
                .check_transition("close", &ctx("investigating", Role::Manager, &fields, &[]))
                .unwrap_err()[0],
            FieldError::new(
                "transition",
                "'close' cannot be taken from state 'investigating', only from: responded"
            )
        );
    }

    #[test]
    fn satisfaction_is_a_score_from_one_to_five() {
        let mut fields = received();
        for bad in [json!(0), json!(6), json!("good"), json!(4.5)] {
            fields.insert("satisfaction".into(), bad.clone());
            let rule = COMPLAINT.validate(&fields, true).unwrap_err();
            assert_eq!(rule.len(), 1, "{bad}");
            assert_eq!(rule[0].field, "fields.satisfaction");
        }
        fields.insert("satisfaction".into(), json!(0));
        assert_eq!(
            COMPLAINT.validate(&fields, true).unwrap_err(),
            [FieldError::new(
                "fields.satisfaction",
                "must be between 1 and 5"
            )]
        );
    }

    #[test]
    fn a_closed_complaint_reopens_with_a_reason() {
        let fields = map_of(json!({"closed_on": "2026-05-01"}));
        let mut c = ctx("closed", Role::Manager, &fields, &[]);
        assert_eq!(
            COMPLAINT.check_transition("reopen", &c).unwrap_err(),
            [FieldError::new("reason", "required to take 'reopen'")]
        );
        c.reason = Some("Customer reports the leak again");
        let plan = COMPLAINT.check_transition("reopen", &c).unwrap();
        assert_eq!(plan.to, "investigating");
        assert!(!plan.fields.contains_key("closed_on"));
    }

    #[test]
    fn a_link_guard_must_name_a_kind_and_a_bool_field() {
        static LOOSE: Kind = Kind {
            id: "loose",
            prefix: "LSE",
            transitions: &[Transition {
                id: "close",
                label: "Close",
                from: &["responded"],
                to: "closed",
                roles: DECIDERS,
                requires: &[],
                reason: false,
                signature: None,
                guards: &[Guard::Linked {
                    kind: "ghost",
                    when: Some("customer"),
                }],
                effects: &[],
            }],
            ..COMPLAINT
        };
        let mut problems = Vec::new();
        crate::kinds::check_kind(&LOOSE, &mut problems);
        assert!(
            problems.contains(
                &"loose: transition 'close' needs a link to undeclared kind 'ghost'".into()
            ),
            "{problems:#?}"
        );
        assert!(
            problems.contains(
                &"loose: transition 'close' depends on 'customer', which is not a bool field"
                    .into()
            ),
            "{problems:#?}"
        );
    }

    fn map_of(v: Value) -> Map<String, Value> {
        serde_json::from_value(v).unwrap()
    }
}
