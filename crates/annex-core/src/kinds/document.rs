//! The document kind: a controlled document (policy, procedure, work instruction, form, ...)
//! that goes through draft, review, approval and release, one revision at a time.
//!
//! Why the workflow looks as it does: documents are reviewed and approved before they are
//! issued and again whenever they change, the current revision is identifiable, and documents
//! no longer in force are kept from unintended use (ISO 9001:2015 7.5.2 and 7.5.3,
//! ISO 13485:2016 4.2.4). Approval is an electronic signature (21 CFR 11.50) by someone other
//! than the reviewer.

use super::{
    Choice, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation, Ref, Signing, State,
    Transition,
};
use crate::role::Role;

/// Who writes documents and moves them along.
const AUTHORS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who may release, withdraw and approve them.
const APPROVERS: &[Role] = &[Role::Manager, Role::Administrator];

pub static DOCUMENT: Kind = Kind {
    id: "document",
    label: "Document",
    plural: "Documents",
    prefix: "DOC",
    help: "A document people work to: a policy, manual, procedure, work instruction, form, \
           specification or plan, or a document from outside the organisation that it has \
           decided to control. Each revision is written as a draft, reviewed, approved by \
           someone other than its reviewer and then put into effect; readers confirm they \
           have read the revision in effect. Earlier revisions stay on file with their \
           signatures, and a document that is no longer needed is made obsolete rather than \
           deleted.",
    clauses: &[
        "iso9001:2015/7.5",
        "iso9001:2015/7.5.2",
        "iso9001:2015/7.5.3",
        "iso13485:2016/4.2.4",
        "iso14001:2015/7.5",
        "iso45001:2018/7.5",
        "iso27001:2022/7.5",
    ],
    fields: &[
        Field {
            name: "doc_type",
            label: "Type",
            help: "What sort of document this is. It helps people find it and decides nothing \
                   in the workflow.",
            ty: FieldType::Choice(&[
                Choice::new("policy", "Policy"),
                Choice::new("manual", "Manual"),
                Choice::new("procedure", "Procedure"),
                Choice::new("work_instruction", "Work instruction"),
                Choice::new("form", "Form"),
                Choice::new("specification", "Specification"),
                Choice::new("plan", "Plan"),
                Choice::new("record_template", "Record template"),
                Choice::new("external", "External document"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "summary",
            label: "Purpose and scope",
            help: "Why the document exists and what it covers, in a few sentences. Shown in \
                   lists and search results.",
            ty: FieldType::LongText { max: 2000 },
            required: false,
            system: false,
        },
        Field {
            name: "body",
            label: "Content",
            help: "The text of the document. Long or formatted documents can instead be \
                   attached as a file and summarised here.",
            ty: FieldType::LongText { max: 200_000 },
            required: false,
            system: false,
        },
        Field {
            name: "revision",
            label: "Revision",
            help: "Counts approved revisions: the first approval makes revision 1. Set by the \
                   workflow so that the revision in effect can always be told apart.",
            ty: FieldType::Integer {
                min: 0,
                max: 1_000_000,
            },
            required: false,
            system: true,
        },
        Field {
            name: "effective_date",
            label: "Effective from",
            help: "The day the current revision came into effect. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "periodic_review",
            label: "Next periodic review",
            help: "When the document is next due to be checked for being still correct and \
                   still needed, even if nothing has prompted a change.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "change_description",
            label: "Description of change",
            help: "What this revision changes and why, so reviewers and readers can see it at \
                   a glance. Cleared when a new revision is started.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        // ISO 9001:2015 7.2 and 7.3: the people who work to a document know its current
        // revision. Each holder of a role named here is given the revision to read and
        // acknowledge when it comes into effect (see `annex_app::competence`).
        Field {
            name: "used_by_roles",
            label: "Job roles that work to it",
            help: "The numbers of the job roles (ROLE-0001...) whose holders must read each \
                   revision. When a revision comes into effect, each of them gets a \
                   read-and-acknowledge training record, done when they acknowledge it.",
            ty: FieldType::Rows {
                columns: &[Field {
                    name: "role",
                    label: "Job role",
                    help: "",
                    ty: FieldType::Ref(Ref::Record("job_role")),
                    required: true,
                    system: false,
                }],
                max: 50,
            },
            required: false,
            system: false,
        },
    ],
    states: &[
        State {
            id: "draft",
            label: "Draft",
            terminal: false,
        },
        State {
            id: "in_review",
            label: "In review",
            terminal: false,
        },
        State {
            id: "approved",
            label: "Approved",
            terminal: false,
        },
        State {
            id: "effective",
            label: "Effective",
            terminal: false,
        },
        State {
            id: "obsolete",
            label: "Obsolete",
            terminal: true,
        },
    ],
    initial: "draft",
    transitions: &[
        Transition {
            id: "submit",
            label: "Submit for review",
            from: &["draft"],
            to: "in_review",
            roles: AUTHORS,
            requires: &["summary", "periodic_review", "change_description"],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "reject",
            label: "Return to draft",
            from: &["in_review"],
            to: "draft",
            roles: &[Role::Manager, Role::Administrator, Role::Contributor],
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        // ISO 13485:2016 4.2.4: reviewed and approved before issue. The approver signs
        // (21 CFR 11.50) and must not be the reviewer.
        Transition {
            id: "approve",
            label: "Approve",
            from: &["in_review"],
            to: "approved",
            roles: APPROVERS,
            requires: &[],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[
                Guard::Signed(Meaning::Reviewed),
                Guard::DistinctSigners(Meaning::Reviewed, Meaning::Approved),
            ],
            effects: &[Effect::Increment("revision")],
        },
        Transition {
            id: "make_effective",
            label: "Make effective",
            from: &["approved"],
            to: "effective",
            roles: APPROVERS,
            requires: &[],
            reason: false,
            signature: None,
            guards: &[],
            effects: &[Effect::SetToday("effective_date")],
        },
        Transition {
            id: "revise",
            label: "Start a revision",
            from: &["effective"],
            to: "draft",
            roles: AUTHORS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[Effect::Clear("change_description")],
        },
        // ISO 9001:2015 7.5.3: keep documents no longer in force from unintended use.
        // Withdrawing one is as much a decision as releasing it, so it is signed too.
        Transition {
            id: "obsolete",
            label: "Make obsolete",
            from: &["effective"],
            to: "obsolete",
            roles: APPROVERS,
            requires: &[],
            reason: true,
            signature: Some(Meaning::Approved),
            guards: &[],
            effects: &[],
        },
    ],
    signings: &[Signing {
        meaning: Meaning::Reviewed,
        states: &["in_review"],
        roles: &[
            Role::Contributor,
            Role::Auditor,
            Role::Manager,
            Role::Administrator,
        ],
    }],
    acknowledge_in: Some("effective"),
    create_roles: AUTHORS,
    edit_roles: AUTHORS,
    editable_in: &["draft"],
    // A document is looked at again on its review date to confirm it is still fit for use,
    // whatever has or has not prompted a change (ISO 9001:2015 7.5.2 c).
    reminders: &["periodic_review"],
    derive: None,
    reassess: None,
    follow_ups: &[],
    presentation: &Presentation::NONE,
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, SignatureFact, TransitionCtx};
    use serde_json::{Map, Value, json};

    const ALICE: i64 = 1; // writes the document
    const BOB: i64 = 2; // reviews it
    const CAROL: i64 = 3; // approves it

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn err(field: &str, rule: &str) -> FieldError {
        FieldError::new(field, rule)
    }

    fn reviewed_by(signer: i64) -> SignatureFact {
        SignatureFact {
            meaning: Meaning::Reviewed,
            signer,
        }
    }

    fn ready_to_submit() -> Map<String, Value> {
        map(json!({
            "doc_type": "procedure",
            "summary": "How incoming goods are inspected.",
            "body": "1. Check the delivery note.",
            "periodic_review": "2027-03-01",
            "change_description": "First issue.",
        }))
    }

    fn ctx<'a>(
        state: &'a str,
        role: Role,
        actor: i64,
        fields: &'a Map<String, Value>,
        signatures: &'a [SignatureFact],
    ) -> TransitionCtx<'a> {
        TransitionCtx {
            signatures,
            actor,
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn a_document_goes_from_draft_to_effective_and_through_a_second_revision() {
        // Alice writes and submits it.
        DOCUMENT.check_create(Role::Contributor).unwrap();
        let fields = DOCUMENT.validate(&ready_to_submit(), true).unwrap();
        let plan = DOCUMENT
            .check_transition(
                "submit",
                &ctx("draft", Role::Contributor, ALICE, &fields, &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "in_review");
        assert_eq!(plan.signature, None);
        assert_eq!(plan.fields, fields);

        // Bob reviews it and signs; Carol approves, which signs and numbers the revision.
        DOCUMENT
            .check_signing(Meaning::Reviewed, "in_review", Role::Contributor)
            .unwrap();
        let sigs = [reviewed_by(BOB)];
        let plan = DOCUMENT
            .check_transition(
                "approve",
                &ctx("in_review", Role::Manager, CAROL, &fields, &sigs),
            )
            .unwrap();
        assert_eq!(plan.to, "approved");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields.get("revision"), Some(&json!(1)));
        let fields = plan.fields;

        // Carol puts it into effect today.
        let plan = DOCUMENT
            .check_transition(
                "make_effective",
                &ctx("approved", Role::Manager, CAROL, &fields, &[]),
            )
            .unwrap();
        assert_eq!(plan.to, "effective");
        assert_eq!(
            plan.fields.get("effective_date"),
            Some(&json!("2026-03-14"))
        );
        assert_eq!(plan.signature, None);
        let fields = plan.fields;
        DOCUMENT
            .check_acknowledge("effective", Role::Reader)
            .unwrap();

        // Alice starts revision 2: the old change description goes, the revision stays.
        let mut c = ctx("effective", Role::Contributor, ALICE, &fields, &[]);
        c.reason = Some("New supplier portal");
        let plan = DOCUMENT.check_transition("revise", &c).unwrap();
        assert_eq!(plan.to, "draft");
        assert_eq!(plan.reason.as_deref(), Some("New supplier portal"));
        assert!(!plan.fields.contains_key("change_description"));
        assert_eq!(plan.fields.get("revision"), Some(&json!(1)));
        assert_eq!(
            plan.fields.get("effective_date"),
            Some(&json!("2026-03-14"))
        );
        let mut fields = plan.fields;

        // Submitting again needs a new change description.
        let refused = DOCUMENT
            .check_transition(
                "submit",
                &ctx("draft", Role::Contributor, ALICE, &fields, &[]),
            )
            .unwrap_err();
        assert_eq!(
            refused,
            [err(
                "fields.change_description",
                "required to take 'submit'"
            )]
        );
        fields.insert("change_description".into(), json!("Portal steps added."));
        DOCUMENT
            .check_transition(
                "submit",
                &ctx("draft", Role::Contributor, ALICE, &fields, &[]),
            )
            .unwrap();
        let plan = DOCUMENT
            .check_transition(
                "approve",
                &ctx("in_review", Role::Administrator, CAROL, &fields, &sigs),
            )
            .unwrap();
        assert_eq!(plan.fields.get("revision"), Some(&json!(2)));
    }

    #[test]
    fn a_reviewer_can_send_a_document_back_with_a_reason() {
        let fields = ready_to_submit();
        let mut c = ctx("in_review", Role::Contributor, BOB, &fields, &[]);
        assert_eq!(
            DOCUMENT.check_transition("reject", &c).unwrap_err(),
            [err("reason", "required to take 'reject'")]
        );
        c.reason = Some("   ");
        assert_eq!(
            DOCUMENT.check_transition("reject", &c).unwrap_err(),
            [err("reason", "required to take 'reject'")]
        );
        c.reason = Some("Scope is missing the warehouse");
        let plan = DOCUMENT.check_transition("reject", &c).unwrap();
        assert_eq!(plan.to, "draft");
        assert_eq!(
            plan.reason.as_deref(),
            Some("Scope is missing the warehouse")
        );
    }

    #[test]
    fn submitting_names_every_missing_field() {
        let fields = map(json!({"doc_type": "form", "summary": "  "}));
        let refused = DOCUMENT
            .check_transition(
                "submit",
                &ctx("draft", Role::Contributor, ALICE, &fields, &[]),
            )
            .unwrap_err();
        assert_eq!(
            refused,
            [
                err("fields.summary", "required to take 'submit'"),
                err("fields.periodic_review", "required to take 'submit'"),
                err("fields.change_description", "required to take 'submit'"),
            ]
        );
    }

    #[test]
    fn approval_needs_a_review_on_this_version() {
        let fields = ready_to_submit();
        let refused = DOCUMENT
            .check_transition(
                "approve",
                &ctx("in_review", Role::Manager, CAROL, &fields, &[]),
            )
            .unwrap_err();
        assert_eq!(
            refused,
            [err(
                "signature",
                "needs a 'reviewed' signature on this version"
            )]
        );
        // An approval from an earlier version is not a review.
        let approved_only = [SignatureFact {
            meaning: Meaning::Approved,
            signer: BOB,
        }];
        assert_eq!(
            DOCUMENT
                .check_transition(
                    "approve",
                    &ctx("in_review", Role::Manager, CAROL, &fields, &approved_only)
                )
                .unwrap_err(),
            [err(
                "signature",
                "needs a 'reviewed' signature on this version"
            )]
        );
    }

    #[test]
    fn the_reviewer_cannot_also_approve() {
        let fields = ready_to_submit();
        let sigs = [reviewed_by(CAROL)];
        let refused = DOCUMENT
            .check_transition(
                "approve",
                &ctx("in_review", Role::Manager, CAROL, &fields, &sigs),
            )
            .unwrap_err();
        assert_eq!(
            refused,
            [err(
                "signature",
                "the 'reviewed' and 'approved' signatures must come from different people"
            )]
        );
        // Not even when somebody else reviewed as well.
        let both = [reviewed_by(BOB), reviewed_by(CAROL)];
        assert!(
            DOCUMENT
                .check_transition(
                    "approve",
                    &ctx("in_review", Role::Manager, CAROL, &fields, &both)
                )
                .is_err()
        );
    }

    #[test]
    fn a_contributor_cannot_approve_and_every_refusal_is_listed() {
        let fields = ready_to_submit();
        let sigs = [reviewed_by(ALICE)];
        let refused = DOCUMENT
            .check_transition(
                "approve",
                &ctx("draft", Role::Contributor, ALICE, &fields, &sigs),
            )
            .unwrap_err();
        assert_eq!(
            refused,
            [
                err(
                    "transition",
                    "'approve' cannot be taken from state 'draft', only from: in_review"
                ),
                err(
                    "role",
                    "'approve' may be taken only by: manager, administrator"
                ),
                err(
                    "signature",
                    "the 'reviewed' and 'approved' signatures must come from different people"
                ),
            ]
        );
    }

    #[test]
    fn readers_and_external_auditors_move_nothing() {
        let fields = ready_to_submit();
        for role in [Role::Reader, Role::ExternalAuditor, Role::Auditor] {
            assert!(DOCUMENT.available("draft", role).is_empty(), "{role}");
            assert!(DOCUMENT.available("in_review", role).is_empty(), "{role}");
            assert!(DOCUMENT.available("effective", role).is_empty(), "{role}");
            assert_eq!(
                DOCUMENT
                    .check_transition("submit", &ctx("draft", role, ALICE, &fields, &[]))
                    .unwrap_err(),
                [err(
                    "role",
                    "'submit' may be taken only by: contributor, manager, administrator"
                )]
            );
        }
    }

    #[test]
    fn the_buttons_offered_depend_on_state_and_role() {
        let ids = |state, role| -> Vec<&str> {
            DOCUMENT
                .available(state, role)
                .iter()
                .map(|t| t.id)
                .collect()
        };
        assert_eq!(ids("draft", Role::Contributor), ["submit"]);
        assert_eq!(ids("in_review", Role::Contributor), ["reject"]);
        assert_eq!(ids("in_review", Role::Manager), ["reject", "approve"]);
        assert_eq!(ids("approved", Role::Contributor), Vec::<&str>::new());
        assert_eq!(ids("approved", Role::Administrator), ["make_effective"]);
        assert_eq!(ids("effective", Role::Contributor), ["revise"]);
        assert_eq!(ids("effective", Role::Manager), ["revise", "obsolete"]);
        assert_eq!(ids("obsolete", Role::Administrator), Vec::<&str>::new());
    }

    #[test]
    fn making_a_document_obsolete_is_signed_and_explained() {
        let fields = map(json!({"revision": 3}));
        let mut c = ctx("effective", Role::Administrator, CAROL, &fields, &[]);
        assert_eq!(
            DOCUMENT.check_transition("obsolete", &c).unwrap_err(),
            [err("reason", "required to take 'obsolete'")]
        );
        c.reason = Some("Replaced by DOC-0042");
        let plan = DOCUMENT.check_transition("obsolete", &c).unwrap();
        assert_eq!(plan.to, "obsolete");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields, fields);
        assert!(DOCUMENT.state("obsolete").unwrap().terminal);

        c.role = Role::Contributor;
        assert_eq!(
            DOCUMENT.check_transition("obsolete", &c).unwrap_err(),
            [err(
                "role",
                "'obsolete' may be taken only by: manager, administrator"
            )]
        );
    }

    #[test]
    fn a_revision_needs_a_reason() {
        let fields = ready_to_submit();
        assert_eq!(
            DOCUMENT
                .check_transition(
                    "revise",
                    &ctx("effective", Role::Manager, CAROL, &fields, &[])
                )
                .unwrap_err(),
            [err("reason", "required to take 'revise'")]
        );
    }

    #[test]
    fn reviews_are_signed_in_review_by_those_allowed() {
        for role in [
            Role::Contributor,
            Role::Auditor,
            Role::Manager,
            Role::Administrator,
        ] {
            assert_eq!(
                DOCUMENT.check_signing(Meaning::Reviewed, "in_review", role),
                Ok(())
            );
        }
        assert_eq!(
            DOCUMENT.check_signing(Meaning::Reviewed, "in_review", Role::Reader),
            Err(vec![err(
                "role",
                "a 'reviewed' signature may be applied only by: contributor, auditor, manager, \
                 administrator"
            )])
        );
        assert_eq!(
            DOCUMENT.check_signing(Meaning::Reviewed, "draft", Role::ExternalAuditor),
            Err(vec![
                err(
                    "signature",
                    "a 'reviewed' signature can be applied only in: in_review"
                ),
                err(
                    "role",
                    "a 'reviewed' signature may be applied only by: contributor, auditor, \
                     manager, administrator"
                ),
            ])
        );
        // Approval is signed by taking the transition, never on its own.
        assert_eq!(
            DOCUMENT.check_signing(Meaning::Approved, "in_review", Role::Manager),
            Err(vec![err(
                "signature",
                "an 'approved' signature is not applied to documents on its own"
            )])
        );
    }

    #[test]
    fn fields_are_edited_only_in_draft_by_authors() {
        assert_eq!(DOCUMENT.check_edit("draft", Role::Contributor), Ok(()));
        assert_eq!(
            DOCUMENT.check_edit("effective", Role::Reader),
            Err(vec![
                err("state", "fields can be edited only in: draft"),
                err(
                    "role",
                    "documents may be edited only by: contributor, manager, administrator"
                ),
            ])
        );
        assert_eq!(
            DOCUMENT.check_create(Role::Auditor),
            Err(err(
                "role",
                "documents may be created only by: contributor, manager, administrator"
            ))
        );
    }

    #[test]
    fn only_the_effective_revision_is_acknowledged_and_not_by_external_auditors() {
        assert_eq!(
            DOCUMENT.check_acknowledge("effective", Role::Reader),
            Ok(())
        );
        assert_eq!(
            DOCUMENT.check_acknowledge("draft", Role::ExternalAuditor),
            Err(vec![
                err("state", "can be acknowledged only in: effective"),
                err(
                    "role",
                    "may be acknowledged only by: administrator, manager, auditor, \
                     contributor, reader"
                ),
            ])
        );
    }

    #[test]
    fn the_revision_and_effective_date_are_not_typed_in() {
        let mut input = ready_to_submit();
        input.insert("revision".into(), json!(5));
        input.insert("effective_date".into(), json!("2026-01-01"));
        input.insert("doc_type".into(), json!("memo"));
        assert_eq!(
            DOCUMENT.validate(&input, true).unwrap_err(),
            [
                err(
                    "fields.doc_type",
                    "must be one of: policy, manual, procedure, work_instruction, form, \
                     specification, plan, record_template, external"
                ),
                err("fields.revision", "set by the workflow, not by hand"),
                err("fields.effective_date", "set by the workflow, not by hand"),
            ]
        );
    }

    #[test]
    fn a_periodic_review_date_must_exist() {
        let mut input = ready_to_submit();
        input.insert("periodic_review".into(), json!("2026-02-30"));
        assert_eq!(
            DOCUMENT.validate(&input, true).unwrap_err(),
            [err("fields.periodic_review", "must be a date YYYY-MM-DD")]
        );
    }
}
