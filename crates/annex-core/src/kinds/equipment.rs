//! The equipment kind: a piece of monitoring or measuring equipment whose results are relied
//! on, with its calibration interval, the computed date its next calibration is due, and a
//! flag that is raised while its latest calibration left it out of tolerance.
//!
//! Why it looks as it does: measuring equipment is calibrated at set intervals against
//! traceable standards, identified so its calibration status can be seen, and when it is
//! found out of tolerance the organisation judges what that means for results it produced
//! (ISO 9001:2015 7.1.5; ISO 13485:2016 7.6). Each calibration is a record of the
//! `calibration` kind linked as part of the equipment, so it has its own date, certificate,
//! signature and history; the equipment computes its last good calibration, its status and
//! its next due date from those parts (see [`Kind::derive`] and `DeriveCtx::parts`), so the
//! dates can never disagree with the calibration records. The due date is a reminder field:
//! it puts the equipment in the register's due and overdue lists and in the digest.
//!
//! Out of tolerance raises a flag rather than moving the equipment out of service: whether
//! it is withdrawn, repaired or used under restriction is a decision people take with a
//! reason (the out-of-service step), while the flag is a fact computed from the records. It
//! clears by itself when a later calibration leaves the equipment in tolerance, and until
//! then the next calibration is due at once, so the equipment shows as overdue.

use serde_json::{Map, Value};

use super::calibration;
use super::{
    Choice, Derive, DeriveCtx, Field, FieldType, Kind, Presentation, State, Transition, is_date,
};
use crate::reminders::{add_days, add_months};
use crate::role::Role;

/// Who registers equipment and records its moves.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who puts it back into service or retires it.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The computed calibration status: `in_tolerance`, `out_of_tolerance` or `not_calibrated`.
pub const STATUS: &str = "calibration_status";
/// The computed day of the last calibration that left the equipment in tolerance.
pub const LAST_GOOD: &str = "last_calibrated_on";
/// The computed day the next calibration is due.
pub const NEXT_DUE: &str = "next_calibration_due";

pub static EQUIPMENT: Kind = Kind {
    id: "equipment",
    label: "Equipment",
    plural: "Equipment",
    prefix: "EQ",
    help: "A gauge, instrument, test rig or other equipment whose readings decide whether \
           product or a process is acceptable. Give it an asset tag, say what it measures and \
           how accurately, and how often it is calibrated. Record each calibration as part of \
           it: the next due date, the last good calibration and the calibration status are \
           worked out from those records. A calibration that finds it out of tolerance opens \
           an impact assessment of what it measured since its last good calibration, and the \
           equipment stays flagged until a calibration leaves it in tolerance again.",
    clauses: &["iso9001:2015/7.1.5", "iso13485:2016/7.6"],
    fields: &[
        Field {
            name: "asset_tag",
            label: "Asset tag",
            help: "The identification marked on the equipment, so a reading can be traced to \
                   the instrument that took it.",
            ty: FieldType::Text { max: 60 },
            required: true,
            system: false,
        },
        Field {
            name: "equipment_type",
            label: "Type",
            help: "What it is: digital caliper, torque wrench, thermometer, test rig...",
            ty: FieldType::Text { max: 100 },
            required: false,
            system: false,
        },
        Field {
            name: "serial_number",
            label: "Make, model and serial number",
            help: "",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "location",
            label: "Location",
            help: "Where it is kept or used, within its site.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "measuring_range",
            label: "Measuring range",
            help: "What it measures and over what range: 0-150 mm, 5-60 Nm.",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "tolerance",
            label: "Accuracy or tolerance",
            help: "How far its readings may be off and still be accepted: ±0.02 mm. A \
                   calibration is judged in or out of tolerance against this.",
            ty: FieldType::Text { max: 200 },
            required: true,
            system: false,
        },
        Field {
            name: "interval",
            label: "Calibration interval",
            help: "How long a good calibration holds, in the unit below.",
            ty: FieldType::Integer { min: 1, max: 3650 },
            required: true,
            system: false,
        },
        Field {
            name: "interval_unit",
            label: "Interval unit",
            help: "",
            ty: FieldType::Choice(&[Choice::new("months", "Months"), Choice::new("days", "Days")]),
            required: true,
            system: false,
        },
        Field {
            name: "known_good_on",
            label: "Calibrated before these records",
            help: "For equipment that arrives with a calibration made before its calibration \
                   records were kept here: the day of that calibration, so the first due date \
                   can be worked out. Later calibrations are recorded as part of the \
                   equipment.",
            ty: FieldType::Date,
            required: false,
            system: false,
        },
        Field {
            name: LAST_GOOD,
            label: "Last good calibration",
            help: "The latest calibration that left the equipment in tolerance. Worked out \
                   from the calibration records.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: NEXT_DUE,
            label: "Next calibration due",
            help: "The last good calibration plus the interval; the day of the latest \
                   calibration while that one left the equipment out of tolerance. Worked out, \
                   and reminds the owner.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: STATUS,
            label: "Calibration status",
            help: "From the latest calibration. Out of tolerance means do not rely on its \
                   readings until it has been calibrated again.",
            ty: FieldType::Choice(&[
                Choice::new("in_tolerance", "In tolerance"),
                Choice::new("out_of_tolerance", "Out of tolerance: do not use"),
                Choice::new("not_calibrated", "No calibration on record"),
            ]),
            required: false,
            system: true,
        },
    ],
    states: &[
        State {
            id: "in_service",
            label: "In service",
            terminal: false,
        },
        State {
            id: "out_of_service",
            label: "Out of service",
            terminal: false,
        },
        State {
            id: "retired",
            label: "Retired",
            terminal: true,
        },
    ],
    initial: "in_service",
    transitions: &[
        Transition {
            id: "take_out_of_service",
            label: "Take out of service",
            from: &["in_service"],
            to: "out_of_service",
            roles: WORKERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "return_to_service",
            label: "Return to service",
            from: &["out_of_service"],
            to: "in_service",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "retire",
            label: "Retire",
            from: &["in_service", "out_of_service"],
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
    editable_in: &["in_service", "out_of_service"],
    // ISO 9001:2015 7.1.5.2 a): calibrated at specified intervals, so the due date reminds.
    reminders: &[NEXT_DUE],
    derive: Some(Derive {
        fields: &[LAST_GOOD, NEXT_DUE, STATUS],
        compute,
    }),
    reassess: None,
    follow_ups: &[],
    presentation: &Presentation::NONE,
};

/// Works out the last good calibration, the status and the next due date from the finished
/// calibrations that are part of the equipment.
fn compute(f: &mut Map<String, Value>, ctx: &DeriveCtx) {
    // (day, left in tolerance), in the order they were linked.
    let done: Vec<(&str, bool)> = ctx
        .parts
        .iter()
        .filter(|p| p.kind == calibration::CALIBRATION.id && p.state == calibration::DONE)
        .filter_map(|p| {
            let on = p
                .fields
                .get("calibrated_on")
                .and_then(Value::as_str)
                .filter(|d| is_date(d))?;
            Some((on, calibration::left_in_tolerance(&p.fields)?))
        })
        .collect();
    let known = f
        .get("known_good_on")
        .and_then(Value::as_str)
        .filter(|d| is_date(d))
        .map(str::to_string);
    let last_good = done
        .iter()
        .filter(|c| c.1)
        .map(|c| c.0.to_string())
        .chain(known)
        .max();
    // The latest calibration by day; of two on one day, the one recorded last.
    let latest = done.iter().max_by(|a, b| a.0.cmp(b.0));
    let out = latest
        .filter(|(on, good)| !good && last_good.as_deref().is_none_or(|g| *on >= g))
        .map(|(on, _)| on.to_string());
    let interval = f.get("interval").and_then(Value::as_i64);
    let next = match (&out, &last_good, interval) {
        // Out of tolerance: due again at once, so it shows as overdue until recalibrated.
        (Some(on), _, _) => Some(on.clone()),
        (None, Some(good), Some(n)) => match f.get("interval_unit").and_then(Value::as_str) {
            Some("days") => add_days(good, n),
            _ => add_months(good, n),
        },
        _ => None,
    };
    let status = if out.is_some() {
        "out_of_tolerance"
    } else if last_good.is_some() {
        "in_tolerance"
    } else {
        "not_calibrated"
    };
    set(f, LAST_GOOD, last_good);
    set(f, NEXT_DUE, next);
    f.insert(STATUS.into(), Value::from(status));
}

fn set(f: &mut Map<String, Value>, name: &str, v: Option<String>) {
    match v {
        Some(v) => f.insert(name.into(), Value::from(v)),
        None => f.remove(name),
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kinds::{FieldError, Linked, TransitionCtx};
    use crate::settings::Settings;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn caliper() -> Map<String, Value> {
        EQUIPMENT
            .validate(
                &map(json!({
                    "asset_tag": "QC-017",
                    "equipment_type": "Digital caliper",
                    "tolerance": "±0.02 mm",
                    "interval": 12,
                    "interval_unit": "months",
                })),
                true,
            )
            .unwrap()
    }

    fn cal(number: &str, state: &str, on: &str, found: &str, left: Option<&str>) -> Linked {
        let mut fields = map(json!({"calibrated_on": on, "as_found": found}));
        if let Some(l) = left {
            fields.insert("as_left".into(), json!(l));
        }
        Linked {
            kind: "calibration".into(),
            number: number.into(),
            state: state.into(),
            fields,
            ..Linked::default()
        }
    }

    fn computed(fields: &Map<String, Value>, parts: &[Linked]) -> Map<String, Value> {
        let mut f = fields.clone();
        EQUIPMENT
            .compute(
                &mut f,
                &DeriveCtx::new("2026-03-14", &Settings::default()).with_parts(parts),
            )
            .unwrap();
        f
    }

    #[test]
    fn the_next_calibration_is_due_an_interval_after_the_last_good_one() {
        let f = computed(&caliper(), &[]);
        assert_eq!(f[STATUS], "not_calibrated");
        assert!(!f.contains_key(NEXT_DUE));

        let parts = [
            cal("CAL-0001", "done", "2025-01-31", "in_tolerance", None),
            cal(
                "CAL-0002",
                "scheduled",
                "2026-01-31",
                "out_of_tolerance",
                None,
            ),
            cal("CAL-0003", "cancelled", "2026-02-01", "in_tolerance", None),
        ];
        let f = computed(&caliper(), &parts);
        assert_eq!(f[LAST_GOOD], "2025-01-31");
        assert_eq!(f[NEXT_DUE], "2026-01-31");
        assert_eq!(f[STATUS], "in_tolerance");

        // Days count as days; a month interval keeps to the end of a short month.
        let mut days = caliper();
        days.insert("interval".into(), json!(90));
        days.insert("interval_unit".into(), json!("days"));
        assert_eq!(computed(&days, &parts)[NEXT_DUE], "2025-05-01");
        let mut monthly = caliper();
        monthly.insert("interval".into(), json!(1));
        assert_eq!(computed(&monthly, &parts)[NEXT_DUE], "2025-02-28");

        // A calibration from before these records counts as a good one.
        let mut known = caliper();
        known.insert("known_good_on".into(), json!("2025-06-30"));
        let f = computed(&known, &parts);
        assert_eq!(f[LAST_GOOD], "2025-06-30");
        assert_eq!(f[NEXT_DUE], "2026-06-30");
    }

    #[test]
    fn out_of_tolerance_flags_the_equipment_until_a_good_calibration_follows() {
        let first = cal("CAL-0001", "done", "2025-01-31", "in_tolerance", None);
        // Found out, not adjusted: flagged, and due again at once.
        let found_out = cal("CAL-0002", "done", "2026-01-20", "out_of_tolerance", None);
        let f = computed(&caliper(), &[first.clone(), found_out.clone()]);
        assert_eq!(f[STATUS], "out_of_tolerance");
        assert_eq!(f[LAST_GOOD], "2025-01-31");
        assert_eq!(f[NEXT_DUE], "2026-01-20");

        // Recalibrated and left in tolerance: the flag clears and the interval restarts.
        let repaired = cal(
            "CAL-0003",
            "done",
            "2026-02-10",
            "out_of_tolerance",
            Some("in_tolerance"),
        );
        let f = computed(&caliper(), &[first.clone(), found_out, repaired]);
        assert_eq!(f[STATUS], "in_tolerance");
        assert_eq!(f[LAST_GOOD], "2026-02-10");
        assert_eq!(f[NEXT_DUE], "2027-02-10");

        // Adjusted on the spot: in tolerance as left, though found out.
        let adjusted = cal(
            "CAL-0002",
            "done",
            "2026-01-20",
            "out_of_tolerance",
            Some("in_tolerance"),
        );
        assert_eq!(
            computed(&caliper(), &[first, adjusted])[STATUS],
            "in_tolerance"
        );
    }

    #[test]
    fn the_computed_dates_are_not_typed_by_hand_and_equipment_is_retired_with_a_reason() {
        let mut typed = caliper();
        typed.insert(NEXT_DUE.into(), json!("2030-01-01"));
        assert_eq!(
            EQUIPMENT.validate(&typed, true).unwrap_err(),
            [FieldError::new(
                "fields.next_calibration_due",
                "set by the workflow, not by hand"
            )]
        );
        let missing = EQUIPMENT.validate(&Map::new(), true).unwrap_err();
        let names: Vec<&str> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "fields.asset_tag",
                "fields.tolerance",
                "fields.interval",
                "fields.interval_unit"
            ]
        );
        let fields = caliper();
        let ctx = |role| TransitionCtx::for_test("in_service", role, &fields);
        assert_eq!(
            EQUIPMENT
                .check_transition("retire", &ctx(Role::Contributor))
                .unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'retire' may be taken only by: manager, administrator"
                ),
                FieldError::new("reason", "required to take 'retire'"),
            ]
        );
        let mut c = ctx(Role::Manager);
        c.reason = Some("Scrapped");
        assert_eq!(
            EQUIPMENT.check_transition("retire", &c).unwrap().to,
            "retired"
        );
        assert_eq!(EQUIPMENT.reminders, [NEXT_DUE]);
    }
}
