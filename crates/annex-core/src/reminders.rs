//! Reminders: the due-date engine. Given today's date, the dates a record is due for something
//! (its due date, and any date fields its kind declares in [`Kind::reminders`], such as a
//! document's next periodic review) and its state, it says how urgent the record is: overdue,
//! due today, due within the lead time, or later. The task list, the overdue lists of each
//! register and the email digest all classify through here, so they never disagree.
//!
//! Pure: dates are `YYYY-MM-DD` text, as records keep them, and "today" is passed in. A
//! record in a terminal state (closed, obsolete) is never reminded of; a date that is absent
//! or not a calendar date reminds of nothing.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::kinds::{Kind, is_date};

/// How many days ahead "due soon" looks when nothing else is configured.
pub const DEFAULT_LEAD_DAYS: u32 = 7;

/// The longest lead time accepted: further ahead than a quarter is planning, not reminding.
pub const MAX_LEAD_DAYS: u32 = 90;

/// How urgent a date is, most urgent first (the order sorts that way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// The date has passed.
    Overdue,
    /// The date is today.
    DueToday,
    /// The date is after today and at most the lead time away.
    DueSoon,
    /// Further away than the lead time.
    Later,
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [
        Urgency::Overdue,
        Urgency::DueToday,
        Urgency::DueSoon,
        Urgency::Later,
    ];

    /// The name list filters use: `overdue`, `today`, `soon`, `later`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueToday => "today",
            Self::DueSoon => "soon",
            Self::Later => "later",
        }
    }

    pub fn parse(s: &str) -> Option<Urgency> {
        let s = s.trim();
        Self::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// For people: "Overdue", "Due today", "Due soon", "Later".
    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Overdue",
            Self::DueToday => "Due today",
            Self::DueSoon => "Due soon",
            Self::Later => "Later",
        }
    }

    /// Whether a person is reminded of it (everything but [`Urgency::Later`]).
    pub fn reminds(self) -> bool {
        self != Self::Later
    }
}

impl fmt::Display for Urgency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Today and how far ahead "due soon" looks. Built once per request or digest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    today: i64,
    lead_days: u32,
}

/// The bounds of an urgency as inclusive dates, for a database query: `from` and `to` are
/// `None` where the range is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Window {
    /// `today` must be a calendar date `YYYY-MM-DD`.
    pub fn new(today: &str, lead_days: u32) -> Option<Window> {
        Some(Window {
            today: day_number(today)?,
            lead_days: lead_days.min(MAX_LEAD_DAYS),
        })
    }

    pub fn today(&self) -> String {
        date_of_day(self.today)
    }

    pub fn lead_days(&self) -> u32 {
        self.lead_days
    }

    /// The last day that counts as due soon: today plus the lead time.
    pub fn horizon(&self) -> String {
        date_of_day(self.today + i64::from(self.lead_days))
    }

    /// How urgent one date is; `None` for a date that is not a calendar date.
    pub fn classify(&self, date: &str) -> Option<Urgency> {
        let d = day_number(date)?;
        Some(if d < self.today {
            Urgency::Overdue
        } else if d == self.today {
            Urgency::DueToday
        } else if d <= self.today + i64::from(self.lead_days) {
            Urgency::DueSoon
        } else {
            Urgency::Later
        })
    }

    /// Days from today to `date`: negative when it has passed.
    pub fn days_until(&self, date: &str) -> Option<i64> {
        Some(day_number(date)? - self.today)
    }

    /// The dates an urgency spans, inclusive, so that a query can select exactly what
    /// [`Window::classify`] would put in it.
    pub fn bounds(&self, u: Urgency) -> Bounds {
        let day = |n: i64| Some(date_of_day(self.today + n));
        let lead = i64::from(self.lead_days);
        match u {
            Urgency::Overdue => Bounds {
                from: None,
                to: day(-1),
            },
            Urgency::DueToday => Bounds {
                from: day(0),
                to: day(0),
            },
            Urgency::DueSoon => Bounds {
                from: day(1),
                to: day(lead),
            },
            Urgency::Later => Bounds {
                from: day(lead + 1),
                to: None,
            },
        }
    }
}

/// One date a record is due for something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    pub urgency: Urgency,
    /// What is due: "Due" for the record's due date, else the label of the kind's date field
    /// ("Next periodic review").
    pub what: String,
    /// The field it comes from: `due_on`, or `fields.<name>`.
    pub field: String,
    /// The date, `YYYY-MM-DD`.
    pub on: String,
    /// Days from today: negative when overdue.
    pub days: i64,
}

/// The dates of a record that remind: its due date first, then the kind's declared reminder
/// fields, as `(field, label, date)`. Blank and malformed values are left out.
pub fn dates<'a>(
    kind: &Kind,
    due_on: Option<&'a str>,
    fields: &'a Map<String, Value>,
) -> Vec<(String, &'static str, &'a str)> {
    let mut out = Vec::with_capacity(1 + kind.reminders.len());
    if let Some(d) = due_on.filter(|d| is_date(d)) {
        out.push(("due_on".to_string(), "Due", d));
    }
    for name in kind.reminders {
        let Some(d) = fields
            .get(*name)
            .and_then(Value::as_str)
            .filter(|d| is_date(d))
        else {
            continue;
        };
        let label = kind.field(name).map_or(*name, |f| f.label);
        out.push((format!("fields.{name}"), label, d));
    }
    out
}

/// The earliest date a record reminds of, whatever its state: stored with the record
/// (`remind_on`) so that overdue lists and digests are one indexed range in the database.
pub fn remind_on(kind: &Kind, due_on: Option<&str>, fields: &Map<String, Value>) -> Option<String> {
    dates(kind, due_on, fields)
        .into_iter()
        .map(|(_, _, d)| d)
        .min()
        .map(str::to_string)
}

/// The most urgent reminder of a record, or `None` when it reminds of nothing: its state is
/// terminal, or it has no date. A record with several dates is as urgent as its earliest;
/// on a tie the due date wins, as it is declared first.
pub fn reminder(
    window: &Window,
    kind: &Kind,
    state: &str,
    due_on: Option<&str>,
    fields: &Map<String, Value>,
) -> Option<Reminder> {
    // An unknown state is a defect elsewhere; reminding of it is the safer mistake.
    if kind.state(state).is_some_and(|s| s.terminal) {
        return None;
    }
    let (field, what, on) = dates(kind, due_on, fields)
        .into_iter()
        .min_by(|a, b| a.2.cmp(b.2))?;
    Some(Reminder {
        urgency: window.classify(on)?,
        what: what.to_string(),
        field,
        on: on.to_string(),
        days: window.days_until(on)?,
    })
}

/// Days since 0000-03-01 in the proleptic Gregorian calendar, for a real date `YYYY-MM-DD`.
/// Counting from March puts the leap day last in the year, so a year's days are 306 for
/// March to December plus the days of the next January and February.
fn day_number(s: &str) -> Option<i64> {
    if !is_date(s) {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let days_before_month = (153 * m + 2) / 5;
    Some(365 * y + y / 4 - y / 100 + y / 400 + days_before_month + d - 1)
}

/// The inverse of [`day_number`].
fn date_of_day(n: i64) -> String {
    // Whole 400-year cycles (146,097 days each), then years within the cycle.
    let era = n.div_euclid(146_097);
    let doe = n.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let (m, carry) = if mp < 10 { (mp + 3, 0) } else { (mp - 9, 1) };
    let y = era * 400 + yoe + carry;
    format!("{y:04}-{m:02}-{d:02}")
}

/// `date` plus `days` (negative goes back); `None` when `date` is not a calendar date.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    Some(date_of_day(day_number(date)? + days))
}

/// `date` plus `months` calendar months (negative goes back), keeping the day of the month
/// where the target month has it and the month's last day where it does not: 31 January plus
/// one month is 28 (or 29) February. `None` when `date` is not a calendar date or the result
/// falls outside years 1 to 9999.
pub fn add_months(date: &str, months: i64) -> Option<String> {
    if !is_date(date) {
        return None;
    }
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    let total = y.checked_mul(12)?.checked_add(m - 1)?.checked_add(months)?;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    if !(1..=9999).contains(&y) {
        return None;
    }
    // The last day that exists in the target month, from 31 down.
    (28..=d.max(28))
        .rev()
        .map(|day| format!("{y:04}-{m:02}-{:02}", day.min(d)))
        .find(|s| is_date(s))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kinds::{DOCUMENT, NONCONFORMITY};
    use serde_json::json;

    fn w(today: &str) -> Window {
        Window::new(today, 7).unwrap()
    }

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn each_date_is_classified_against_today_and_the_lead() {
        let w = w("2026-03-10");
        assert_eq!(w.classify("2026-03-09"), Some(Urgency::Overdue));
        assert_eq!(w.classify("2025-12-31"), Some(Urgency::Overdue));
        assert_eq!(w.classify("2026-03-10"), Some(Urgency::DueToday));
        assert_eq!(w.classify("2026-03-11"), Some(Urgency::DueSoon));
        assert_eq!(w.classify("2026-03-17"), Some(Urgency::DueSoon));
        assert_eq!(w.classify("2026-03-18"), Some(Urgency::Later));
        assert_eq!(w.horizon(), "2026-03-17");
    }

    #[test]
    fn months_are_added_on_the_calendar_and_month_ends_are_kept_in_the_month() {
        assert_eq!(add_months("2026-01-15", 12).as_deref(), Some("2027-01-15"));
        assert_eq!(add_months("2026-01-31", 1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_months("2028-01-31", 1).as_deref(), Some("2028-02-29"));
        assert_eq!(add_months("2026-03-31", 6).as_deref(), Some("2026-09-30"));
        assert_eq!(add_months("2026-11-30", 3).as_deref(), Some("2027-02-28"));
        assert_eq!(add_months("2026-03-14", -3).as_deref(), Some("2025-12-14"));
        assert_eq!(add_months("2026-02-30", 1), None);
        assert_eq!(add_months("9999-12-01", 1), None);
    }

    #[test]
    fn a_lead_of_zero_leaves_only_overdue_and_today() {
        let w = Window::new("2026-03-10", 0).unwrap();
        assert_eq!(w.classify("2026-03-10"), Some(Urgency::DueToday));
        assert_eq!(w.classify("2026-03-11"), Some(Urgency::Later));
        assert_eq!(
            w.bounds(Urgency::DueSoon).from.as_deref(),
            Some("2026-03-11")
        );
        assert_eq!(w.bounds(Urgency::DueSoon).to.as_deref(), Some("2026-03-10"));
    }

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months("2026-01-15", 1).as_deref(), Some("2026-02-15"));
        assert_eq!(add_months("2026-01-31", 1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_months("2024-01-31", 1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_months("2026-11-30", 3).as_deref(), Some("2027-02-28"));
        assert_eq!(add_months("2024-02-29", 12).as_deref(), Some("2025-02-28"));
        assert_eq!(add_months("2026-03-31", -1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_months("9999-12-01", 1), None);
        assert_eq!(add_months("2026-02-30", 1), None);
    }

    #[test]
    fn leap_days_and_year_ends_are_counted_exactly() {
        // 2024 is a leap year: 28 February is two days before 1 March.
        let w = Window::new("2024-02-28", 1).unwrap();
        assert_eq!(w.classify("2024-02-29"), Some(Urgency::DueSoon));
        assert_eq!(w.classify("2024-03-01"), Some(Urgency::Later));
        assert_eq!(w.days_until("2024-03-01"), Some(2));
        // 2026 is not: 28 February is the day before 1 March.
        let w = Window::new("2026-02-28", 1).unwrap();
        assert_eq!(w.classify("2026-03-01"), Some(Urgency::DueSoon));
        // A leap day that does not exist is no date at all.
        assert_eq!(w.classify("2026-02-29"), None);
        // Today a leap day: a week on is 7 March.
        assert_eq!(
            Window::new("2024-02-29", 7).unwrap().horizon(),
            "2024-03-07"
        );
        // 1900 was not a leap year, 2000 was.
        assert_eq!(add_days("1900-02-28", 1).as_deref(), Some("1900-03-01"));
        assert_eq!(add_days("2000-02-28", 1).as_deref(), Some("2000-02-29"));
        assert_eq!(add_days("2026-12-31", 1).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("2027-01-01", -1).as_deref(), Some("2026-12-31"));
        assert_eq!(add_days("2026-13-01", 1), None);
    }

    #[test]
    fn day_numbers_round_trip_over_four_centuries() {
        let mut date = "1999-12-31".to_string();
        let mut n = day_number(&date).unwrap();
        for _ in 0..146_097 {
            n += 1;
            let next = date_of_day(n);
            assert!(is_date(&next), "{next}");
            assert!(next > date, "{next} after {date}");
            assert_eq!(day_number(&next), Some(n));
            date = next;
        }
        assert_eq!(date, "2399-12-31");
    }

    #[test]
    fn bounds_select_what_classify_says() {
        let w = Window::new("2024-02-27", 3).unwrap();
        let mut d = "2024-02-01".to_string();
        for _ in 0..60 {
            let u = w.classify(&d).unwrap();
            for other in Urgency::ALL {
                let b = w.bounds(other);
                let inside = b.from.as_deref().is_none_or(|f| d.as_str() >= f)
                    && b.to.as_deref().is_none_or(|t| d.as_str() <= t);
                assert_eq!(inside, other == u, "{d} {other}");
            }
            d = add_days(&d, 1).unwrap();
        }
    }

    #[test]
    fn a_terminal_state_never_reminds() {
        let w = w("2026-03-10");
        let f = map(json!({}));
        let late = Some("2026-01-01");
        assert!(reminder(&w, &NONCONFORMITY, "closed", late, &f).is_none());
        assert!(reminder(&w, &DOCUMENT, "obsolete", late, &f).is_none());
        let r = reminder(&w, &NONCONFORMITY, "investigated", late, &f).unwrap();
        assert_eq!(r.urgency, Urgency::Overdue);
        assert_eq!(r.what, "Due");
        assert_eq!(r.field, "due_on");
        assert_eq!(r.days, -68);
    }

    #[test]
    fn missing_and_malformed_dates_remind_of_nothing() {
        let w = w("2026-03-10");
        let f = map(json!({"periodic_review": "soon"}));
        assert!(reminder(&w, &DOCUMENT, "effective", None, &f).is_none());
        assert!(reminder(&w, &DOCUMENT, "effective", Some("2026-02-30"), &f).is_none());
        assert!(reminder(&w, &DOCUMENT, "effective", Some(""), &map(json!({}))).is_none());
        assert_eq!(remind_on(&DOCUMENT, None, &f), None);
        assert!(Window::new("10/03/2026", 7).is_none());
    }

    #[test]
    fn a_declared_reminder_date_counts_like_the_due_date() {
        let w = w("2026-03-10");
        // The periodic review is earlier than the due date: it is what reminds.
        let f = map(json!({"periodic_review": "2026-03-01"}));
        let r = reminder(&w, &DOCUMENT, "effective", Some("2026-03-12"), &f).unwrap();
        assert_eq!(r.urgency, Urgency::Overdue);
        assert_eq!(r.what, "Next periodic review");
        assert_eq!(r.field, "fields.periodic_review");
        assert_eq!(r.on, "2026-03-01");
        assert_eq!(
            remind_on(&DOCUMENT, Some("2026-03-12"), &f).as_deref(),
            Some("2026-03-01")
        );
        // On the same day the due date wins.
        let f = map(json!({"periodic_review": "2026-03-12"}));
        let r = reminder(&w, &DOCUMENT, "draft", Some("2026-03-12"), &f).unwrap();
        assert_eq!((r.what.as_str(), r.urgency), ("Due", Urgency::DueSoon));
        // Without a due date the review date alone reminds.
        let r = reminder(&w, &DOCUMENT, "effective", None, &f).unwrap();
        assert_eq!(r.field, "fields.periodic_review");
        // Nonconformities declare no reminder date: their other dates never remind.
        let f = map(json!({"closed_on": "2026-01-01"}));
        assert!(reminder(&w, &NONCONFORMITY, "reported", None, &f).is_none());
    }

    #[test]
    fn urgencies_read_and_write_their_filter_names() {
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()), Some(u));
        }
        assert_eq!(Urgency::parse("late"), None);
        assert!(Urgency::Overdue < Urgency::DueToday && Urgency::DueSoon < Urgency::Later);
        assert!(!Urgency::Later.reminds() && Urgency::DueSoon.reminds());
    }
}
