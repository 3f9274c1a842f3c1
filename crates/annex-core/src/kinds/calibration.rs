//! The calibration kind: one calibration or verification of a piece of equipment, created as
//! part of it, from being scheduled to its signed result.
//!
//! Why a record of its own rather than rows inside the equipment: each calibration has its
//! own certificate to attach, its own date and performer, a signature by whoever checked the
//! result, and a history; and recording one is a workflow step, which is what opens an impact
//! assessment when the equipment was found out of tolerance (ISO 9001:2015 7.1.5.2;
//! ISO 13485:2016 7.6). The equipment computes its dates and status from its finished
//! calibrations.

use serde_json::{Map, Value};

use super::{
    Choice, Effect, Field, FieldType, FollowUp, FollowUpSource, Guard, Kind, Meaning, Presentation,
    State, TITLE_MAX, Transition,
};
use crate::role::Role;

/// Who schedules and records calibrations.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who may drop a scheduled one.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The state of a calibration whose result is recorded.
pub const DONE: &str = "done";

const TOLERANCE: &[Choice] = &[
    Choice::new("in_tolerance", "In tolerance"),
    Choice::new("out_of_tolerance", "Out of tolerance"),
];

pub static CALIBRATION: Kind = Kind {
    id: "calibration",
    label: "Calibration",
    plural: "Calibrations",
    prefix: "CAL",
    help: "One calibration or verification of a piece of equipment: create it as part of the \
           equipment, with a due date when it is planned. When it has been done, record who \
           did it, the certificate, the readings, and whether the equipment was in tolerance \
           as found and as left; the person who checked the result signs. Found out of \
           tolerance, it opens an impact assessment of what the equipment measured since its \
           last good calibration.",
    clauses: &["iso9001:2015/7.1.5", "iso13485:2016/7.6"],
    fields: &[
        Field {
            name: "calibrated_on",
            label: "Calibrated on",
            help: "The day it was calibrated; not in the future.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: "performed_by",
            label: "Performed by",
            help: "The person, or the laboratory, who calibrated it.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "certificate",
            label: "Certificate number",
            help: "Attach the certificate itself to this record.",
            ty: FieldType::Text { max: 100 },
            required: false,
            system: false,
        },
        Field {
            name: "reference_standard",
            label: "Reference used",
            help: "The standard or reference instrument it was compared with, traceable to \
                   national or international standards (or the basis used where none exists).",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "as_found",
            label: "As found",
            help: "Whether it was within its tolerance before any adjustment. Out of tolerance \
                   opens an impact assessment.",
            ty: FieldType::Choice(TOLERANCE),
            required: false,
            system: false,
        },
        Field {
            name: "deviation",
            label: "Deviation found",
            help: "Where it was out and by how much, when it was out of tolerance.",
            ty: FieldType::LongText { max: 5000 },
            required: false,
            system: false,
        },
        Field {
            name: "adjusted",
            label: "Adjusted",
            help: "Whether it was adjusted or repaired during the calibration.",
            ty: FieldType::Bool,
            required: false,
            system: false,
        },
        Field {
            name: "as_left",
            label: "As left",
            help: "Whether it was within tolerance when handed back. Leave empty when it was \
                   not adjusted: the result as found then stands.",
            ty: FieldType::Choice(TOLERANCE),
            required: false,
            system: false,
        },
        Field {
            name: "measurements",
            label: "Measurements",
            help: "The points checked: what the reference read, what the equipment read, and \
                   whether the difference was within tolerance.",
            ty: FieldType::Rows {
                columns: &[
                    Field {
                        name: "point",
                        label: "Point",
                        help: "",
                        ty: FieldType::Text { max: 100 },
                        required: true,
                        system: false,
                    },
                    Field {
                        name: "reference",
                        label: "Reference value",
                        help: "",
                        ty: FieldType::Number {
                            min: -1_000_000_000,
                            max: 1_000_000_000,
                        },
                        required: false,
                        system: false,
                    },
                    Field {
                        name: "reading",
                        label: "Reading",
                        help: "",
                        ty: FieldType::Number {
                            min: -1_000_000_000,
                            max: 1_000_000_000,
                        },
                        required: false,
                        system: false,
                    },
                    Field {
                        name: "within",
                        label: "Within tolerance",
                        help: "",
                        ty: FieldType::Bool,
                        required: false,
                        system: false,
                    },
                ],
                max: 50,
            },
            required: false,
            system: false,
        },
        Field {
            name: "recorded_on",
            label: "Result recorded on",
            help: "The day the result was recorded and signed. Set by the workflow.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "scheduled",
            label: "Scheduled",
            terminal: false,
        },
        State {
            id: DONE,
            label: "Done",
            terminal: true,
        },
        State {
            id: "cancelled",
            label: "Cancelled",
            terminal: true,
        },
    ],
    initial: "scheduled",
    transitions: &[
        // 21 CFR 11.50: whoever checked the result against the tolerance signs it.
        Transition {
            id: "record",
            label: "Record result",
            from: &["scheduled"],
            to: DONE,
            roles: WORKERS,
            requires: &["calibrated_on", "performed_by", "as_found"],
            reason: false,
            signature: Some(Meaning::Verified),
            guards: &[Guard::NotFuture("calibrated_on")],
            effects: &[Effect::SetToday("recorded_on")],
        },
        Transition {
            id: "cancel",
            label: "Cancel",
            from: &["scheduled"],
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
    editable_in: &["scheduled"],
    reminders: &[],
    derive: None,
    reassess: None,
    // ISO 13485:2016 7.6: found out of tolerance, the validity of earlier results is
    // assessed and recorded.
    follow_ups: &[FollowUp {
        on: "record",
        kind: "impact_assessment",
        relation: "caused_by",
        label: "when the equipment was found out of tolerance",
        when: found_out,
        due_in_days: Some(30),
        make: impact_of,
    }],
    presentation: &Presentation::NONE,
};

fn found_out(f: &Map<String, Value>) -> bool {
    f.get("as_found").and_then(Value::as_str) == Some("out_of_tolerance")
}

/// Whether a calibration left the equipment in tolerance: as left where given, else as found.
/// `None` when neither is recorded.
pub fn left_in_tolerance(f: &Map<String, Value>) -> Option<bool> {
    f.get("as_left")
        .or_else(|| f.get("as_found"))
        .and_then(Value::as_str)
        .map(|v| v == "in_tolerance")
}

/// The impact assessment an out-of-tolerance result opens: the period at risk runs from the
/// equipment's last good calibration (as it stood before this one) to this calibration.
fn impact_of(src: &FollowUpSource) -> (String, Map<String, Value>) {
    let mut f = Map::new();
    f.insert("calibration".into(), Value::from(src.number));
    let on = src
        .fields
        .get("calibrated_on")
        .and_then(Value::as_str)
        .unwrap_or(src.today);
    f.insert("period_to".into(), Value::from(on));
    if let Some(d) = src.fields.get("deviation") {
        f.insert("deviation".into(), d.clone());
    }
    let title = match src
        .whole
        .filter(|w| w.kind == super::equipment::EQUIPMENT.id)
    {
        Some(eq) => {
            f.insert("equipment".into(), Value::from(eq.number.as_str()));
            if let Some(from) = eq.fields.get(super::equipment::LAST_GOOD) {
                f.insert("period_from".into(), from.clone());
            }
            format!("Out of tolerance: {} {}", eq.number, eq.title)
        }
        None => format!("Out of tolerance found by {}", src.number),
    };
    (title.chars().take(TITLE_MAX).collect(), f)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, IMPACT_ASSESSMENT, Linked, SignatureFact, TransitionCtx};
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn ctx<'a>(fields: &'a Map<String, Value>, sigs: &'a [SignatureFact]) -> TransitionCtx<'a> {
        TransitionCtx {
            signatures: sigs,
            actor: 4,
            ..TransitionCtx::for_test("scheduled", Role::Contributor, fields)
        }
    }

    #[test]
    fn a_result_needs_its_day_performer_and_finding_and_is_signed() {
        let empty = Map::new();
        assert_eq!(
            CALIBRATION
                .check_transition("record", &ctx(&empty, &[]))
                .unwrap_err(),
            [
                FieldError::new("fields.calibrated_on", "required to take 'record'"),
                FieldError::new("fields.performed_by", "required to take 'record'"),
                FieldError::new("fields.as_found", "required to take 'record'"),
                FieldError::new(
                    "fields.calibrated_on",
                    "calibrated_on cannot be later than today"
                ),
            ]
        );
        let future = map(json!({
            "calibrated_on": "2026-03-15", "performed_by": "Metrology lab", "as_found": "in_tolerance",
        }));
        assert_eq!(
            CALIBRATION
                .check_transition("record", &ctx(&future, &[]))
                .unwrap_err(),
            [FieldError::new(
                "fields.calibrated_on",
                "calibrated_on cannot be later than today"
            )]
        );
        let ok = map(json!({
            "calibrated_on": "2026-03-10", "performed_by": "Metrology lab", "as_found": "in_tolerance",
        }));
        let plan = CALIBRATION
            .check_transition("record", &ctx(&ok, &[]))
            .unwrap();
        assert_eq!(plan.to, "done");
        assert_eq!(plan.signature, Some(Meaning::Verified));
        assert_eq!(plan.fields["recorded_on"], "2026-03-14");
        assert!(!found_out(&plan.fields));
    }

    #[test]
    fn out_of_tolerance_opens_an_assessment_of_the_period_since_the_last_good_calibration() {
        let fields = map(json!({
            "calibrated_on": "2026-03-10",
            "performed_by": "Metrology lab",
            "as_found": "out_of_tolerance",
            "deviation": "Reads 0.05 mm high at 100 mm.",
        }));
        assert!(found_out(&fields));
        assert_eq!(left_in_tolerance(&fields), Some(false));
        let eq = Linked {
            kind: "equipment".into(),
            number: "EQ-0001".into(),
            title: "Caliper QC-017".into(),
            state: "in_service".into(),
            terminal: false,
            fields: map(json!({"last_calibrated_on": "2025-03-01"})),
        };
        let src = FollowUpSource {
            number: "CAL-0002",
            title: "Annual calibration",
            fields: &fields,
            today: "2026-03-14",
            whole: Some(&eq),
        };
        let (title, f) = (CALIBRATION.follow_ups[0].make)(&src);
        assert_eq!(title, "Out of tolerance: EQ-0001 Caliper QC-017");
        assert_eq!(
            Value::Object(f.clone()),
            json!({
                "calibration": "CAL-0002",
                "equipment": "EQ-0001",
                "period_from": "2025-03-01",
                "period_to": "2026-03-10",
                "deviation": "Reads 0.05 mm high at 100 mm.",
            })
        );
        // What it opens passes the impact assessment's own rules.
        IMPACT_ASSESSMENT.validate(&f, true).unwrap();

        // With no earlier good calibration the period has no start: the assessment says so.
        let first = FollowUpSource { whole: None, ..src };
        let (title, f) = (CALIBRATION.follow_ups[0].make)(&first);
        assert_eq!(title, "Out of tolerance found by CAL-0002");
        assert!(!f.contains_key("period_from"));
    }
}
