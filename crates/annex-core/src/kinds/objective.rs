//! The objective kind: a measurable target the organisation sets itself (a quality,
//! environmental, safety or security objective), the plan to reach it, and its measurements
//! over time, from which its status is computed.
//!
//! Why it looks as it does: the management-system standards ask that objectives be
//! measurable, monitored, and planned — what will be done, with what resources, by whom, by
//! when, and how results are evaluated (ISO 9001:2015 6.2, ISO 14001:2015 6.2, ISO
//! 45001:2018 6.2, ISO/IEC 27001:2022 6.2) — and that performance be monitored and analysed
//! (9.1). So an objective names its indicator, target, unit and which way is better; a
//! manager approves it with a signature; then measurements are added while it is active,
//! and every save computes its status from the latest one. Changing what is aimed at (the
//! indicator, the target, the direction, the limits, the date) after approval sends it back
//! to draft for a new approval, so the signature always covers the target in force.

use serde_json::{Map, Value};

use super::{
    Choice, Derive, DeriveCtx, Effect, Field, FieldType, Guard, Kind, Meaning, Presentation,
    Reassess, SavedView, State, Transition, Trend, number_value,
};
use crate::reminders::add_months;
use crate::role::Role;

/// Who writes objectives and records measurements.
const WORKERS: &[Role] = &[Role::Contributor, Role::Manager, Role::Administrator];
/// Who approves them and decides how they ended.
const DECIDERS: &[Role] = &[Role::Manager, Role::Administrator];

/// The at-risk margin, in percent, when none is given.
pub const DEFAULT_MARGIN: f64 = 10.0;

/// The largest magnitude a measured value or target may have: wide enough for money and
/// tonnes, small enough that arithmetic on it stays exact to the cent.
const BIG: i64 = 1_000_000_000_000;

const MEASUREMENT: &[Field] = &[
    Field {
        name: "date",
        label: "Date",
        help: "The day the value was measured, or the end of the period it covers.",
        ty: FieldType::Date,
        required: true,
        system: false,
    },
    Field {
        name: "value",
        label: "Value",
        help: "",
        ty: FieldType::Number {
            min: -BIG,
            max: BIG,
        },
        required: true,
        system: false,
    },
    Field {
        name: "note",
        label: "Note",
        help: "",
        ty: FieldType::Text { max: 500 },
        required: false,
        system: false,
    },
];

pub static OBJECTIVE: Kind = Kind {
    id: "objective",
    label: "Objective",
    plural: "Objectives",
    prefix: "OBJ",
    help: "A target the organisation sets itself and measures: fewer complaints, less \
           energy per unit made, no lost-time injury, every laptop encrypted. Say what is \
           measured, the target and which way is better, how often it is measured and by \
           when it should be reached, and the plan to get there. Once a manager approves it, \
           add each measurement as it comes; the status (on track, at risk, off track, met or \
           missed) is worked out from the latest one.",
    clauses: &[
        "iso9001:2015/6.2",
        "iso9001:2015/9.1",
        "iso13485:2016/5.4.1",
        "iso14001:2015/6.2",
        "iso14001:2015/9.1",
        "iso45001:2018/6.2",
        "iso45001:2018/9.1",
        "iso27001:2022/6.2",
    ],
    fields: &[
        Field {
            name: "area",
            label: "Management system",
            help: "Which part of the management system the objective serves.",
            ty: FieldType::Choice(&[
                Choice::new("quality", "Quality"),
                Choice::new("environment", "Environment"),
                Choice::new("health_safety", "Health and safety"),
                Choice::new("information_security", "Information security"),
                Choice::new("other", "Other"),
            ]),
            required: false,
            system: false,
        },
        Field {
            name: "kpi",
            label: "What is measured",
            help: "The indicator, precisely enough that two people would measure the same \
                   value: 'on-time deliveries as a share of all deliveries in the month'.",
            ty: FieldType::Text { max: 300 },
            required: true,
            system: false,
        },
        Field {
            name: "unit",
            label: "Unit",
            help: "%, kWh per unit, incidents, days...",
            ty: FieldType::Text { max: 40 },
            required: false,
            system: false,
        },
        Field {
            name: "baseline",
            label: "Baseline",
            help: "Where the indicator stood when the objective was set.",
            ty: FieldType::Number {
                min: -BIG,
                max: BIG,
            },
            required: false,
            system: false,
        },
        Field {
            name: "direction",
            label: "Which way is better",
            help: "Higher is better (on-time delivery), lower is better (complaints, energy \
                   use), or stay within a band (a humidity between two limits).",
            ty: FieldType::Choice(&[
                Choice::new("higher", "Higher is better"),
                Choice::new("lower", "Lower is better"),
                Choice::new("band", "Stay within a band"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "target",
            label: "Target",
            help: "The value to reach. For a band, the value aimed at inside it.",
            ty: FieldType::Number {
                min: -BIG,
                max: BIG,
            },
            required: true,
            system: false,
        },
        Field {
            name: "lower_limit",
            label: "Lower limit",
            help: "For a band only: the lowest acceptable value.",
            ty: FieldType::Number {
                min: -BIG,
                max: BIG,
            },
            required: false,
            system: false,
        },
        Field {
            name: "upper_limit",
            label: "Upper limit",
            help: "For a band only: the highest acceptable value.",
            ty: FieldType::Number {
                min: -BIG,
                max: BIG,
            },
            required: false,
            system: false,
        },
        Field {
            name: "at_risk_margin",
            label: "At-risk margin (%)",
            help: "How far short of the target (in percent of the target, or of the limit \
                   crossed for a band) still counts as at risk rather than off track. 10 % \
                   when left empty. With a target of zero, any miss is off track.",
            ty: FieldType::Number { min: 0, max: 100 },
            required: false,
            system: false,
        },
        Field {
            name: "frequency",
            label: "Measured",
            help: "How often the indicator is measured; the next measurement is due one \
                   period after the latest.",
            ty: FieldType::Choice(&[
                Choice::new("monthly", "Monthly"),
                Choice::new("quarterly", "Quarterly"),
                Choice::new("half_yearly", "Every six months"),
                Choice::new("yearly", "Yearly"),
            ]),
            required: true,
            system: false,
        },
        Field {
            name: "target_date",
            label: "Target date",
            help: "By when the target should be reached. After it, the status is met or \
                   missed, judged by the latest measurement on or before it.",
            ty: FieldType::Date,
            required: true,
            system: false,
        },
        Field {
            name: "plan",
            label: "What will be done",
            help: "The actions that will move the indicator. Link the processes it concerns \
                   and any actions or changes it needs.",
            ty: FieldType::LongText { max: 20_000 },
            required: false,
            system: false,
        },
        Field {
            name: "resources",
            label: "Resources",
            help: "People, budget, equipment or time set aside for it.",
            ty: FieldType::LongText { max: 5_000 },
            required: false,
            system: false,
        },
        Field {
            name: "responsible",
            label: "Who is responsible",
            help: "The person or role accountable for reaching it (the record's owner \
                   follows it up in Annex).",
            ty: FieldType::Text { max: 200 },
            required: false,
            system: false,
        },
        Field {
            name: "milestones",
            label: "When: milestones",
            help: "Intermediate dates and what should be done or reached by each.",
            ty: FieldType::LongText { max: 5_000 },
            required: false,
            system: false,
        },
        Field {
            name: "measurements",
            label: "Measurements",
            help: "One row per measurement: its date, the value and, if useful, a note.",
            ty: FieldType::Rows {
                columns: MEASUREMENT,
                max: 500,
            },
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
            name: "latest_value",
            label: "Latest value",
            help: "The value of the latest measurement. Computed.",
            ty: FieldType::Number {
                min: -BIG,
                max: BIG,
            },
            required: false,
            system: true,
        },
        Field {
            name: "latest_on",
            label: "Latest measured on",
            help: "The date of the latest measurement. Computed.",
            ty: FieldType::Date,
            required: false,
            system: true,
        },
        Field {
            name: "status",
            label: "Status",
            help: "Computed from the latest measurement, the target and the target date.",
            ty: FieldType::Choice(STATUSES),
            required: false,
            system: true,
        },
        Field {
            name: "next_measurement_due",
            label: "Next measurement due",
            help: "One period after the latest measurement. Computed; reminds the owner.",
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
            id: "approved",
            label: "Approved (active)",
            terminal: false,
        },
        State {
            id: "achieved",
            label: "Achieved",
            terminal: true,
        },
        State {
            id: "missed",
            label: "Missed",
            terminal: true,
        },
        State {
            id: "withdrawn",
            label: "Withdrawn",
            terminal: true,
        },
    ],
    initial: "draft",
    transitions: &[
        // 6.2 asks for the plan with the objective: it is approved with it, not before.
        Transition {
            id: "approve",
            label: "Approve",
            from: &["draft"],
            to: "approved",
            roles: DECIDERS,
            requires: &["plan", "resources", "responsible"],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[
                Guard::RequiredWhen {
                    field: "lower_limit",
                    when: "direction",
                    is: "band",
                },
                Guard::RequiredWhen {
                    field: "upper_limit",
                    when: "direction",
                    is: "band",
                },
                Guard::NotAbove {
                    field: "lower_limit",
                    limit: "upper_limit",
                },
            ],
            effects: &[Effect::SetToday("approved_on")],
        },
        // Declared achieved only on the evidence of a measurement that meets the target.
        Transition {
            id: "achieve",
            label: "Declare achieved",
            from: &["approved"],
            to: "achieved",
            roles: DECIDERS,
            requires: &[],
            reason: false,
            signature: None,
            guards: &[Guard::OneOf {
                field: "status",
                values: &["on_track", "met"],
            }],
            effects: &[],
        },
        Transition {
            id: "declare_missed",
            label: "Declare missed",
            from: &["approved"],
            to: "missed",
            roles: DECIDERS,
            requires: &[],
            reason: true,
            signature: None,
            guards: &[],
            effects: &[],
        },
        Transition {
            id: "withdraw",
            label: "Withdraw",
            from: &["draft", "approved"],
            to: "withdrawn",
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
    editable_in: &["draft", "approved"],
    reminders: &["next_measurement_due", "target_date"],
    derive: Some(Derive {
        fields: &[
            "latest_value",
            "latest_on",
            "status",
            "next_measurement_due",
        ],
        compute,
    }),
    reassess: Some(Reassess {
        fields: &[
            "kpi",
            "unit",
            "direction",
            "target",
            "lower_limit",
            "upper_limit",
            "target_date",
        ],
        states: &["approved"],
        to: "draft",
    }),
    follow_ups: &[],
    presentation: &PRESENTATION,
};

const STATUSES: &[Choice] = &[
    Choice::new("not_measured", "Not measured yet"),
    Choice::new("on_track", "On track"),
    Choice::new("at_risk", "At risk"),
    Choice::new("off_track", "Off track"),
    Choice::new("met", "Target met"),
    Choice::new("missed", "Missed"),
];

/// The record page's trend chart and the list of active objectives.
pub static PRESENTATION: Presentation = Presentation {
    views: &[SavedView {
        label: "Active objectives",
        query: "state=approved&sort=title",
    }],
    trend: Some(Trend {
        rows: "measurements",
        x: "date",
        y: "value",
        target: Some("target"),
        band: Some(("lower_limit", "upper_limit")),
        band_when: Some(("direction", "band")),
        unit: Some("unit"),
    }),
    raises: &[],
};

/// How a value stands against the target, before the target date is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Meets,
    Near,
    Short,
}

/// Sets the latest value and date, the status and the next measurement's due date.
fn compute(f: &mut Map<String, Value>, ctx: &DeriveCtx) {
    let measurements: Vec<(String, f64)> = f
        .get("measurements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["date"].as_str()?.to_string(), r["value"].as_f64()?)))
        .collect();
    // The latest by date; of several on one day, the one entered last.
    let latest_of = |until: Option<&str>| {
        measurements
            .iter()
            .filter(|(d, _)| until.is_none_or(|u| d.as_str() <= u))
            .max_by(|a, b| a.0.cmp(&b.0))
            .cloned()
    };
    for k in [
        "latest_value",
        "latest_on",
        "status",
        "next_measurement_due",
    ] {
        f.remove(k);
    }
    let latest = latest_of(None);
    if let Some((on, value)) = &latest {
        f.insert("latest_value".into(), number_value(*value));
        f.insert("latest_on".into(), Value::from(on.as_str()));
        let months = match f.get("frequency").and_then(Value::as_str) {
            Some("monthly") => Some(1),
            Some("quarterly") => Some(3),
            Some("half_yearly") => Some(6),
            Some("yearly") => Some(12),
            _ => None,
        };
        if let Some(next) = months.and_then(|m| add_months(on, m)) {
            f.insert("next_measurement_due".into(), Value::from(next));
        }
    }
    let target_date = f
        .get("target_date")
        .and_then(Value::as_str)
        .map(str::to_string);
    let past = target_date.as_deref().is_some_and(|d| d < ctx.today);
    // After the target date, a result reached late does not count as reaching it.
    let judged = if past {
        latest_of(target_date.as_deref())
    } else {
        latest
    };
    let status = match (judged, past) {
        (None, true) => Some("missed"),
        (None, false) => Some("not_measured"),
        (Some((_, v)), past) => standing(f, v).map(|s| match (s, past) {
            (Standing::Meets, true) => "met",
            (_, true) => "missed",
            (Standing::Meets, false) => "on_track",
            (Standing::Near, false) => "at_risk",
            (Standing::Short, false) => "off_track",
        }),
    };
    if let Some(s) = status {
        f.insert("status".into(), Value::from(s));
    }
}

/// How `value` stands against the target and direction; `None` when the record does not say
/// enough to judge (no direction, or a band without its limits).
fn standing(f: &Map<String, Value>, value: f64) -> Option<Standing> {
    let num = |k: &str| f.get(k).and_then(Value::as_f64);
    let margin = num("at_risk_margin").unwrap_or(DEFAULT_MARGIN) / 100.0;
    // How far short of `limit` the value is (0 when it meets it), against the margin. A
    // value typed as exactly on the edge stays on it, whatever binary fractions make of it.
    let judge = |shortfall: f64, limit: f64| {
        let slack = 1e-9 * limit.abs().max(1.0);
        if shortfall <= slack {
            Standing::Meets
        } else if shortfall <= limit.abs() * margin + slack {
            Standing::Near
        } else {
            Standing::Short
        }
    };
    match f.get("direction").and_then(Value::as_str)? {
        "higher" => {
            let t = num("target")?;
            Some(judge(t - value, t))
        }
        "lower" => {
            let t = num("target")?;
            Some(judge(value - t, t))
        }
        "band" => {
            let (lo, hi) = (num("lower_limit")?, num("upper_limit")?);
            if lo > hi {
                return None;
            }
            Some(if value < lo {
                judge(lo - value, lo)
            } else {
                judge(value - hi, hi)
            })
        }
        _ => None,
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

    /// An objective's fields after validation and computation on `today`.
    fn saved(fields: Value, today: &str) -> Map<String, Value> {
        let mut f = OBJECTIVE.validate(&map(fields), true).unwrap();
        OBJECTIVE
            .compute(&mut f, &DeriveCtx::new(today, &Settings::default()))
            .unwrap();
        f
    }

    fn on_time(measurements: Value) -> Value {
        json!({
            "kpi": "On-time deliveries, share of all deliveries in the month",
            "unit": "%",
            "direction": "higher",
            "target": 95,
            "frequency": "monthly",
            "target_date": "2026-12-31",
            "measurements": measurements,
        })
    }

    fn status(f: &Map<String, Value>) -> Option<&str> {
        f.get("status").and_then(Value::as_str)
    }

    #[test]
    fn without_a_measurement_it_is_not_measured_until_the_date_passes() {
        let f = saved(on_time(json!([])), "2026-06-01");
        assert_eq!(status(&f), Some("not_measured"));
        assert!(!f.contains_key("latest_value"));
        assert!(!f.contains_key("next_measurement_due"));
        let f = saved(on_time(json!([])), "2027-01-01");
        assert_eq!(status(&f), Some("missed"));
    }

    #[test]
    fn higher_is_better_reads_the_latest_measurement_by_date() {
        // Entered out of order: the latest by date counts, not the last row.
        let f = saved(
            on_time(json!([
                {"date": "2026-03-31", "value": 96.2},
                {"date": "2026-01-31", "value": 80},
            ])),
            "2026-04-02",
        );
        assert_eq!(status(&f), Some("on_track"));
        assert_eq!(f["latest_value"], json!(96.2));
        assert_eq!(f["latest_on"], json!("2026-03-31"));
        assert_eq!(f["next_measurement_due"], json!("2026-04-30"));

        // The default margin is 10 % of the target: 85.5 to 95 is at risk.
        let at = |v: f64| {
            let f = saved(
                on_time(json!([{"date": "2026-03-31", "value": v}])),
                "2026-04-02",
            );
            status(&f).unwrap().to_string()
        };
        assert_eq!(at(95.0), "on_track");
        assert_eq!(at(94.9), "at_risk");
        assert_eq!(at(85.5), "at_risk");
        assert_eq!(at(85.4), "off_track");
    }

    #[test]
    fn lower_is_better_and_the_margin_can_be_set() {
        let complaints = |v: f64, margin: Option<f64>| {
            let mut fields = json!({
                "kpi": "Complaints per 1000 units",
                "direction": "lower",
                "target": 2,
                "frequency": "quarterly",
                "target_date": "2026-12-31",
                "measurements": [{"date": "2026-03-31", "value": v}],
            });
            if let Some(m) = margin {
                fields["at_risk_margin"] = json!(m);
            }
            let f = saved(fields, "2026-04-01");
            assert_eq!(f["next_measurement_due"], json!("2026-06-30"));
            status(&f).unwrap().to_string()
        };
        assert_eq!(complaints(1.5, None), "on_track");
        assert_eq!(complaints(2.0, None), "on_track");
        assert_eq!(complaints(2.2, None), "at_risk");
        assert_eq!(complaints(2.3, None), "off_track");
        assert_eq!(complaints(2.9, Some(50.0)), "at_risk");
        assert_eq!(complaints(2.1, Some(0.0)), "off_track");
    }

    #[test]
    fn a_band_is_met_inside_its_limits_and_judged_against_the_limit_crossed() {
        let humidity = |v: f64| {
            let f = saved(
                json!({
                    "kpi": "Relative humidity in the clean room",
                    "unit": "%",
                    "direction": "band",
                    "target": 45,
                    "lower_limit": 30,
                    "upper_limit": 60,
                    "frequency": "monthly",
                    "target_date": "2026-12-31",
                    "measurements": [{"date": "2026-05-01", "value": v}],
                }),
                "2026-05-02",
            );
            status(&f).unwrap().to_string()
        };
        assert_eq!(humidity(30.0), "on_track");
        assert_eq!(humidity(60.0), "on_track");
        assert_eq!(humidity(28.0), "at_risk"); // within 10 % of 30
        assert_eq!(humidity(26.0), "off_track");
        assert_eq!(humidity(65.0), "at_risk"); // within 10 % of 60
        assert_eq!(humidity(67.0), "off_track");

        // A band without its limits cannot be judged: no status rather than a wrong one.
        let f = saved(
            json!({
                "kpi": "Humidity", "direction": "band", "target": 45,
                "frequency": "monthly", "target_date": "2026-12-31",
                "measurements": [{"date": "2026-05-01", "value": 45}],
            }),
            "2026-05-02",
        );
        assert_eq!(status(&f), None);
        assert_eq!(f["latest_value"], json!(45));
    }

    #[test]
    fn after_the_target_date_it_is_met_or_missed_by_the_last_measurement_in_time() {
        let ms = json!([
            {"date": "2026-11-30", "value": 93},
            {"date": "2026-12-31", "value": 95.5},
        ]);
        assert_eq!(status(&saved(on_time(ms), "2027-01-05")), Some("met"));
        let late = json!([
            {"date": "2026-12-31", "value": 90},
            {"date": "2027-01-31", "value": 99},
        ]);
        let f = saved(on_time(late), "2027-02-01");
        // A result reached after the date does not rescue it, though it shows as latest.
        assert_eq!(status(&f), Some("missed"));
        assert_eq!(f["latest_value"], json!(99));
        // On the target date itself it is still running.
        let ms = json!([{"date": "2026-12-31", "value": 90}]);
        assert_eq!(status(&saved(on_time(ms), "2026-12-31")), Some("at_risk"));
    }

    #[test]
    fn measurements_are_checked_cell_by_cell() {
        let errors = OBJECTIVE
            .validate(
                &map(on_time(json!([
                    {"date": "2026-13-01", "value": 90},
                    {"date": "2026-02-28", "value": "ninety"},
                ]))),
                true,
            )
            .unwrap_err();
        assert_eq!(
            errors,
            [
                FieldError::new("fields.measurements.1.date", "must be a date YYYY-MM-DD"),
                FieldError::new("fields.measurements.2.value", "must be a number"),
            ]
        );
        let errors = OBJECTIVE
            .validate(&map(json!({"status": "met", "kpi": "x"})), true)
            .unwrap_err();
        assert!(errors.contains(&FieldError::new(
            "fields.status",
            "set by the workflow, not by hand"
        )));
    }

    fn ctx<'a>(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> TransitionCtx<'a> {
        TransitionCtx {
            signatures: &[] as &[SignatureFact],
            actor: 3,
            today: "2026-02-01",
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn approval_needs_a_plan_a_manager_and_a_band_with_ordered_limits() {
        let mut f = saved(
            json!({
                "kpi": "Humidity", "direction": "band", "target": 45,
                "frequency": "monthly", "target_date": "2026-12-31",
            }),
            "2026-02-01",
        );
        assert_eq!(
            OBJECTIVE
                .check_transition("approve", &ctx("draft", Role::Contributor, &f))
                .unwrap_err(),
            [
                FieldError::new(
                    "role",
                    "'approve' may be taken only by: manager, administrator"
                ),
                FieldError::new("fields.plan", "required to take 'approve'"),
                FieldError::new("fields.resources", "required to take 'approve'"),
                FieldError::new("fields.responsible", "required to take 'approve'"),
                FieldError::new("fields.lower_limit", "required when direction is band"),
                FieldError::new("fields.upper_limit", "required when direction is band"),
            ]
        );
        for (k, v) in [
            ("plan", json!("Service the dehumidifier monthly")),
            ("resources", json!("Facilities, 2 h a month")),
            ("responsible", json!("Facilities lead")),
            ("lower_limit", json!(60)),
            ("upper_limit", json!(30)),
        ] {
            f.insert(k.into(), v);
        }
        assert_eq!(
            OBJECTIVE
                .check_transition("approve", &ctx("draft", Role::Manager, &f))
                .unwrap_err(),
            [FieldError::new(
                "fields.lower_limit",
                "cannot be above upper_limit (30); it is 60"
            )]
        );
        f.insert("lower_limit".into(), json!(30));
        f.insert("upper_limit".into(), json!(60));
        let plan = OBJECTIVE
            .check_transition("approve", &ctx("draft", Role::Manager, &f))
            .unwrap();
        assert_eq!(plan.to, "approved");
        assert_eq!(plan.signature, Some(Meaning::Approved));
        assert_eq!(plan.fields["approved_on"], json!("2026-02-01"));
    }

    #[test]
    fn it_is_achieved_only_on_a_measurement_that_meets_the_target() {
        let mut f = saved(
            on_time(json!([{"date": "2026-01-31", "value": 90}])),
            "2026-02-01",
        );
        assert_eq!(
            OBJECTIVE
                .check_transition("achieve", &ctx("approved", Role::Manager, &f))
                .unwrap_err(),
            [FieldError::new(
                "fields.status",
                "must be one of: on_track, met; it is at_risk"
            )]
        );
        f = saved(
            on_time(json!([{"date": "2026-01-31", "value": 97}])),
            "2026-02-01",
        );
        let plan = OBJECTIVE
            .check_transition("achieve", &ctx("approved", Role::Manager, &f))
            .unwrap();
        assert_eq!(plan.to, "achieved");
        // Missed and withdrawn need a reason; none of the ends is open.
        let mut c = ctx("approved", Role::Manager, &f);
        assert_eq!(
            OBJECTIVE
                .check_transition("declare_missed", &c)
                .unwrap_err(),
            [FieldError::new(
                "reason",
                "required to take 'declare_missed'"
            )]
        );
        c.reason = Some("Carrier contract ended");
        assert_eq!(
            OBJECTIVE.check_transition("declare_missed", &c).unwrap().to,
            "missed"
        );
        for s in ["achieved", "missed", "withdrawn"] {
            assert!(OBJECTIVE.state(s).unwrap().terminal, "{s}");
        }
    }

    #[test]
    fn changing_the_target_after_approval_needs_a_new_approval() {
        let changed = |n: &str| vec![format!("fields.{n}")];
        assert_eq!(
            OBJECTIVE.reassessed("approved", &changed("target")),
            Some("draft")
        );
        assert_eq!(
            OBJECTIVE.reassessed("approved", &changed("direction")),
            Some("draft")
        );
        // Measurements are what an active objective is edited for.
        assert_eq!(
            OBJECTIVE.reassessed("approved", &changed("measurements")),
            None
        );
        assert!(OBJECTIVE.check_edit("approved", Role::Contributor).is_ok());
        assert!(OBJECTIVE.check_edit("achieved", Role::Manager).is_err());
    }
}
