//! The job role kind: a role in the organisation, the competences it needs and the people who
//! hold it. Together with training records it gives the competence matrix.
//!
//! Why it looks as it does: the organisation decides what competence the people doing work
//! that affects its performance need, makes sure they have it through education, training or
//! experience, and keeps evidence (ISO 9001:2015 7.2; ISO 13485:2016 6.2). The competences
//! are a table within the role because they mean nothing apart from it; the holders are a
//! table of user names, which the app checks are active users, so that a document naming
//! the role can give each holder its read-and-acknowledge training.

use super::{Choice, Field, FieldType, Kind, Presentation, Ref, State, Transition};
use crate::role::Role;

/// Deciding what a role needs is management's.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The state of a role in use; the competence matrix reads only these.
pub const ACTIVE: &str = "active";

pub static JOB_ROLE: Kind = Kind {
    id: "job_role",
    label: "Job role",
    plural: "Job roles",
    prefix: "ROLE",
    help: "A role people hold (the title is the job title), the competences it needs and how \
           each is gained, and who holds it. The competence matrix sets each holder against \
           the competences of their roles; documents name the roles that work to them, so \
           that the holders are given the document to read when a revision comes into \
           effect.",
    clauses: &["iso9001:2015/7.2", "iso13485:2016/6.2", "iso45001:2018/7.2"],
    fields: &[
        Field {
            name: "purpose",
            label: "Purpose and responsibilities",
            help: "",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "competences",
            label: "Required competences",
            help: "Each competence the role needs, at what level, and how it is gained. Name \
                   a competence the same way in training records, so the matrix can match \
                   them.",
            ty: FieldType::Rows {
                columns: &[
                    Field {
                        name: "competence",
                        label: "Competence",
                        help: "",
                        ty: FieldType::Text { max: 200 },
                        required: true,
                        system: false,
                    },
                    Field {
                        name: "level",
                        label: "Level",
                        help: "",
                        ty: FieldType::Choice(&[
                            Choice::new("awareness", "Awareness"),
                            Choice::new("practitioner", "Practitioner"),
                            Choice::new("expert", "Expert"),
                        ]),
                        required: true,
                        system: false,
                    },
                    Field {
                        name: "obtained_by",
                        label: "Gained through",
                        help: "",
                        ty: FieldType::Choice(&[
                            Choice::new("course", "Course"),
                            Choice::new("on_the_job", "On-the-job training"),
                            Choice::new("read_and_acknowledge", "Reading a document"),
                            Choice::new("qualification", "Qualification"),
                            Choice::new("experience", "Experience"),
                        ]),
                        required: false,
                        system: false,
                    },
                ],
                max: 60,
            },
            required: false,
            system: false,
        },
        Field {
            name: "holders",
            label: "Held by",
            help: "The user names of the people in the role.",
            ty: FieldType::Rows {
                columns: &[
                    Field {
                        name: "user",
                        label: "User name",
                        help: "",
                        ty: FieldType::Ref(Ref::User),
                        required: true,
                        system: false,
                    },
                    Field {
                        name: "since",
                        label: "Since",
                        help: "",
                        ty: FieldType::Date,
                        required: false,
                        system: false,
                    },
                ],
                max: 500,
            },
            required: false,
            system: false,
        },
    ],
    states: &[
        State {
            id: ACTIVE,
            label: "Active",
            terminal: false,
        },
        State {
            id: "withdrawn",
            label: "Withdrawn",
            terminal: true,
        },
    ],
    initial: ACTIVE,
    transitions: &[
        Transition {
            id: "withdraw",
            label: "Withdraw",
            from: &[ACTIVE],
            to: "withdrawn",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "reinstate",
            label: "Reinstate",
            from: &["withdrawn"],
            to: ACTIVE,
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
    create_roles: DECIDERS,
    edit_roles: DECIDERS,
    editable_in: &[ACTIVE],
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
    use crate::kinds::FieldError;
    use serde_json::{Value, json};

    #[test]
    fn a_role_lists_competences_and_holders_row_by_row() {
        let input = match json!({
            "competences": [
                {"competence": "Soldering (IPC-A-610)", "level": "practitioner", "obtained_by": "course"},
                {"competence": "", "level": "", "obtained_by": ""},
                {"competence": "Clean-room gowning", "level": "guru"},
            ],
            "holders": [{"user": " ada "}, {"since": "2026-01-05"}],
        }) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        assert_eq!(
            JOB_ROLE.validate(&input, true).unwrap_err(),
            [
                FieldError::new(
                    "fields.competences.3.level",
                    "must be one of: awareness, practitioner, expert"
                ),
                FieldError::new("fields.holders.2.user", "required"),
            ]
        );
        assert!(JOB_ROLE.check_create(Role::Contributor).is_err());
        JOB_ROLE.check_create(Role::Manager).unwrap();
    }
}
