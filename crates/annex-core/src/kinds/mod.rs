//! Record kinds: what a document, a nonconformity, ... is. Each kind is declared once, as a
//! `static` in a file of its own under `kinds/`, from `&'static` slices, so declaring one costs
//! nothing at run time. This file holds the model those declarations are written in, and the
//! pure rules every record of every kind goes through: field validation, transition and
//! signing checks, the description that the API and the forms are built from, and a
//! consistency check of the declarations themselves.
//!
//! Nothing here stores anything or knows who is logged in: the app layer passes in the
//! record's state, fields and signatures, the user's role and id, and today's date, and
//! applies the [`Plan`] it gets back. Password re-entry for a signature (21 CFR 11.200(a)) is
//! checked there too.

pub mod action;
pub mod calibration;
pub mod capa;
pub mod change;
pub mod complaint;
pub mod context_issue;
pub mod document;
pub mod equipment;
pub mod impact_assessment;
pub mod interested_party;
pub mod job_role;
pub mod nonconformity;
pub mod objective;
pub mod process;
pub mod risk;
pub mod supplier;
pub mod training;

use std::cell::RefCell;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::role::{Permission, Role};
use crate::settings::Settings;

pub use action::ACTION;
pub use calibration::CALIBRATION;
pub use capa::CAPA;
pub use change::CHANGE;
pub use complaint::COMPLAINT;
pub use context_issue::CONTEXT_ISSUE;
pub use document::DOCUMENT;
pub use equipment::EQUIPMENT;
pub use impact_assessment::IMPACT_ASSESSMENT;
pub use interested_party::INTERESTED_PARTY;
pub use job_role::JOB_ROLE;
pub use nonconformity::NONCONFORMITY;
pub use objective::OBJECTIVE;
pub use process::PROCESS;
pub use risk::RISK;
pub use supplier::SUPPLIER;
pub use training::TRAINING;

/// Every kind Annex knows, in the order menus show them.
pub fn all() -> &'static [&'static Kind] {
    static ALL: [&Kind; 17] = [
        &DOCUMENT,
        &NONCONFORMITY,
        &CAPA,
        &ACTION,
        &CHANGE,
        &CONTEXT_ISSUE,
        &INTERESTED_PARTY,
        &PROCESS,
        &RISK,
        &COMPLAINT,
        &OBJECTIVE,
        &SUPPLIER,
        &EQUIPMENT,
        &CALIBRATION,
        &IMPACT_ASSESSMENT,
        &JOB_ROLE,
        &TRAINING,
    ];
    &ALL
}

/// The kind with this id, e.g. `nonconformity`.
pub fn get(id: &str) -> Option<&'static Kind> {
    all().iter().copied().find(|k| k.id == id)
}

/// The longest title a record may have, in characters.
pub const TITLE_MAX: usize = 200;

/// The longest reason for change, in characters. The reason is kept in the audit trail with
/// the change it explains (EU GMP Annex 11 §9), so it is a sentence or two, not an essay.
pub const REASON_MAX: usize = 2000;

/// A record type: its fields, its workflow, and who may do what in it.
#[derive(Debug)]
pub struct Kind {
    /// Stored with every record and used in URLs: `document`, `nonconformity`.
    pub id: &'static str,
    pub label: &'static str,
    pub plural: &'static str,
    /// Record numbers are the prefix and a sequence: `DOC-0001`.
    pub prefix: &'static str,
    /// One paragraph for people, in our own words.
    pub help: &'static str,
    /// Catalog clauses this kind evidences by default: `iso9001:2015/7.5.3`.
    pub clauses: &'static [&'static str],
    pub fields: &'static [Field],
    pub states: &'static [State],
    /// The state a new record starts in.
    pub initial: &'static str,
    pub transitions: &'static [Transition],
    /// Signatures that can be applied without moving the record (a review, say).
    pub signings: &'static [Signing],
    /// The state in which readers acknowledge the record (a document's "effective").
    pub acknowledge_in: Option<&'static str>,
    pub create_roles: &'static [Role],
    pub edit_roles: &'static [Role],
    /// States in which fields may be edited; elsewhere only transitions change them.
    pub editable_in: &'static [&'static str],
    /// Date fields that remind their record's owner, as the due date does: a document's next
    /// periodic review, a calibration's due date. The earliest of them and the due date is
    /// kept with the record (`remind_on`), so a kind that gains one where records already
    /// exist needs a migration that fills it in for them (see migration 0005).
    pub reminders: &'static [&'static str],
    /// Values the kind computes from its other fields on every save (a risk's score and
    /// level, an objective's status), so lists, exports and printouts show them as stored.
    pub derive: Option<Derive>,
    /// An edit that changes an assessment sends the record back to be assessed again (a
    /// risk's acceptance no longer holds once its likelihood or impact is changed).
    pub reassess: Option<Reassess>,
    /// Records a transition opens by itself (an out-of-tolerance calibration opens an impact
    /// assessment), in the same transaction, linked to the record that opened them.
    pub follow_ups: &'static [FollowUp],
    /// How its pages show it beyond the generic list and record: saved list views, a trend
    /// chart of a table field, records its page offers to raise as part of it.
    pub presentation: &'static Presentation,
}

/// A kind's computed fields and the function that computes them.
#[derive(Debug, Clone, Copy)]
pub struct Derive {
    /// The system fields `compute` sets; any other field it touches is an error in the kind.
    pub fields: &'static [&'static str],
    /// Sets (or removes) the computed fields from the others. Runs after validation and
    /// after a transition's effects, so it sees clean values.
    pub compute: fn(&mut Map<String, Value>, &DeriveCtx),
}

/// What a computation may depend on besides the record's own fields: today and the
/// organisation's current settings (a risk's level depends on the risk matrix). A value the
/// computation cannot place under the settings (a likelihood above the matrix's scale) is
/// refused through [`DeriveCtx::refuse`], naming the field: only where settings are known
/// can such a rule be checked, and the save is then refused like any broken rule.
#[derive(Debug)]
pub struct DeriveCtx<'a> {
    /// Today, `YYYY-MM-DD`.
    pub today: &'a str,
    pub settings: &'a Settings,
    refused: RefCell<Vec<FieldError>>,
    /// The records linked as `part_of` this one, with their fields (an equipment's
    /// calibrations), so a whole can be computed from its parts. The app passes them on every
    /// save, and computes the whole again when one of its parts moves.
    pub parts: &'a [Linked],
}

impl<'a> DeriveCtx<'a> {
    /// A computation under `settings` that sees no parts.
    pub fn new(today: &'a str, settings: &'a Settings) -> Self {
        Self {
            today,
            settings,
            refused: RefCell::new(Vec::new()),
            parts: &[],
        }
    }

    /// The same, seeing `parts`.
    pub fn with_parts(self, parts: &'a [Linked]) -> Self {
        Self { parts, ..self }
    }

    /// Reports that `field` (`fields.likelihood`) breaks `rule` under the current settings.
    pub fn refuse(&self, field: impl Into<String>, rule: impl Into<String>) {
        self.refused.borrow_mut().push(FieldError::new(field, rule));
    }
}

/// Another record as a computation or a follow-up sees it: what it is, where it stands and
/// its fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Linked {
    pub kind: String,
    pub number: String,
    pub title: String,
    pub state: String,
    /// Its state is terminal in its kind.
    pub terminal: bool,
    pub fields: Map<String, Value>,
}

/// Editing any of `fields` while the record is in one of `states` moves it to `to`.
#[derive(Debug, Clone, Copy)]
pub struct Reassess {
    pub fields: &'static [&'static str],
    pub states: &'static [&'static str],
    pub to: &'static str,
}

/// A record of `kind` that taking transition `on` opens when `when` holds of the fields
/// after the transition, linked to the record that opened it with `relation`.
#[derive(Debug, Clone, Copy)]
pub struct FollowUp {
    pub on: &'static str,
    pub kind: &'static str,
    pub relation: &'static str,
    /// In plain words, for the kind's description: "when the result is out of tolerance".
    pub label: &'static str,
    pub when: fn(&Map<String, Value>) -> bool,
    /// The new record is due this many days after it is opened.
    pub due_in_days: Option<i64>,
    /// The new record's title and fields, from the opening record's number, title and
    /// fields; they are validated as user input would be.
    pub make: fn(&FollowUpSource) -> (String, Map<String, Value>),
}

/// The record that opens a follow-up, as its `make` sees it.
#[derive(Debug, Clone, Copy)]
pub struct FollowUpSource<'a> {
    pub number: &'a str,
    pub title: &'a str,
    pub fields: &'a Map<String, Value>,
    pub today: &'a str,
    /// The record the opening record is part of, as it stood before the transition (a
    /// calibration's equipment, whose last good calibration dates a period at risk).
    pub whole: Option<&'a Linked>,
}

/// One typed field of a kind, kept in the record's JSON fields under `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub ty: FieldType,
    /// Must be present and non-empty whenever the record is saved.
    pub required: bool,
    /// Set only by transition effects, never by users (a revision number, a closing date).
    pub system: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text, at most `max` characters.
    Text {
        max: usize,
    },
    /// Paragraphs of text, at most `max` characters.
    LongText {
        max: usize,
    },
    Integer {
        min: i64,
        max: i64,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    Choice(&'static [Choice]),
    Bool,
    /// A number that may have a fractional part (a measurement, a score), between `min`
    /// and `max` inclusive.
    Number {
        min: i64,
        max: i64,
    },
    /// A table within the record: at most `max` rows, each an object with the given
    /// columns (which are plain fields, never rows themselves). Measurements of an
    /// objective, the criteria of a supplier evaluation.
    Rows {
        columns: &'static [Field],
        max: usize,
    },
    /// Names something that must exist when the record is saved: a user account or a record
    /// of a kind. The kernel checks its form (one line, a record number in capitals); the
    /// app checks that what it names exists, because only the app can look.
    Ref(Ref),
}

/// What a [`FieldType::Ref`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    /// An active user, by user name.
    User,
    /// A record of this kind, by number.
    Record(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// What is stored.
    pub value: &'static str,
    /// What people see.
    pub label: &'static str,
}

impl Choice {
    /// For declarations: `Choice::new("scrap", "Scrap")` keeps a list of choices one per line.
    pub const fn new(value: &'static str, label: &'static str) -> Self {
        Self { value, label }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub id: &'static str,
    pub label: &'static str,
    /// The record's life is over here (closed, obsolete); lists of open records leave it out.
    /// A kind may still offer a way back, such as reopening.
    pub terminal: bool,
}

/// A move from one state to another, and what it takes.
#[derive(Debug)]
pub struct Transition {
    pub id: &'static str,
    pub label: &'static str,
    pub from: &'static [&'static str],
    pub to: &'static str,
    pub roles: &'static [Role],
    /// Fields that must be non-empty to take it.
    pub requires: &'static [&'static str],
    /// A reason for the change must be given; it goes into the audit trail.
    pub reason: bool,
    /// Taking it applies an electronic signature with this meaning.
    pub signature: Option<Meaning>,
    pub guards: &'static [Guard],
    pub effects: &'static [Effect],
}

/// A signature that can be applied on its own, in the given states, by the given roles.
#[derive(Debug)]
pub struct Signing {
    pub meaning: Meaning,
    pub states: &'static [&'static str],
    pub roles: &'static [Role],
}

/// A condition a transition needs beyond its required fields: on the signatures of the
/// current version, on dates, or on the records that are part of this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The current version carries a signature with this meaning.
    Signed(Meaning),
    /// Nobody holds both signatures. Where one of the meanings is the transition's own
    /// signature, the person taking the transition is that signer.
    DistinctSigners(Meaning, Meaning),
    /// Date field `field` is later than date field `after` (an effectiveness check after
    /// the implementation it checks).
    DateAfter {
        field: &'static str,
        after: &'static str,
    },
    /// Date field `field` is not later than today: what it dates has happened.
    NotFuture(&'static str),
    /// At least one record of this kind is linked as `part_of` this one, and every such
    /// record has reached a terminal state (a CAPA's actions).
    PartsFinished(&'static str),
    /// A record of this kind is linked to or from this one, in any relation; with `when`,
    /// only while that bool field is yes (a complaint that needs a CAPA).
    Linked {
        kind: &'static str,
        when: Option<&'static str>,
    },
    /// Number field `field` has a value of at least `min` (a supplier's evaluation score
    /// before approval).
    AtLeast { field: &'static str, min: i64 },
    /// Choice field `field` holds one of `values` (an objective's computed status before it
    /// is declared achieved).
    OneOf {
        field: &'static str,
        values: &'static [&'static str],
    },
    /// Field `field` is given whenever choice field `when` holds `is` (the limits of a
    /// target that is a band).
    RequiredWhen {
        field: &'static str,
        when: &'static str,
        is: &'static str,
    },
    /// Number field `field` is not above number field `limit`, when both are given (a
    /// band's lower limit and its upper one).
    NotAbove {
        field: &'static str,
        limit: &'static str,
    },
    /// The person taking the transition owns the record: a risk's residual level is accepted
    /// by the risk owner (ISO/IEC 27001:2022 6.1.3 f), nobody on their behalf.
    Owner,
}

/// A change to the fields that taking a transition makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Adds one to an integer field; an absent field counts as 0.
    Increment(&'static str),
    /// Sets a date field to today.
    SetToday(&'static str),
    /// Removes a field.
    Clear(&'static str),
}

/// What a signature means (21 CFR 11.50(a)(3)): shown with the signer's printed name and the
/// date and time wherever the signed record is shown or printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Authored,
    Reviewed,
    Approved,
    Verified,
    Accepted,
}

impl Meaning {
    pub const ALL: [Meaning; 5] = [
        Meaning::Authored,
        Meaning::Reviewed,
        Meaning::Approved,
        Meaning::Verified,
        Meaning::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authored => "authored",
            Self::Reviewed => "reviewed",
            Self::Approved => "approved",
            Self::Verified => "verified",
            Self::Accepted => "accepted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Authored => "Authored",
            Self::Reviewed => "Reviewed",
            Self::Approved => "Approved",
            Self::Verified => "Verified",
            Self::Accepted => "Accepted",
        }
    }

    /// "a" or "an", for messages: "an 'approved' signature".
    fn article(self) -> &'static str {
        if self.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        }
    }

    /// Reads the stored form in any case, with surrounding spaces.
    pub fn parse(s: &str) -> Option<Meaning> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|m| m.as_str() == wanted)
    }
}

impl fmt::Display for Meaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule: the input it is about and the rule, in plain words. The web layer shows
/// it next to the field; a refused request changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// `title`, `fields.severity`, `reason`, `transition`, `role`, `state` or `signature`.
    pub field: String,
    /// E.g. "must be one of: minor, major, critical".
    pub rule: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// What the app layer knows when someone asks to take a transition.
#[derive(Debug, Clone, Copy)]
pub struct TransitionCtx<'a> {
    /// The record's current state.
    pub state: &'a str,
    pub role: Role,
    /// The record's current fields.
    pub fields: &'a Map<String, Value>,
    /// Signatures on the current version: a signature binds to the version it signed
    /// (21 CFR 11.70), so those on earlier versions do not count.
    pub signatures: &'a [SignatureFact],
    /// The user taking the transition.
    pub actor: i64,
    pub reason: Option<&'a str>,
    /// Today, `YYYY-MM-DD`, in the organisation's time zone.
    pub today: &'a str,
    /// Records linked as `part_of` this one.
    pub parts: &'a [Part],
    /// Records linked to or from this one in any relation (parts included).
    pub linked: &'a [Part],
    /// The record's owner, for steps only the owner may take.
    pub owner: Option<i64>,
}

#[cfg(test)]
impl<'a> TransitionCtx<'a> {
    /// A context for the kinds' tests: no signatures, parts, links or owner, no reason,
    /// actor 1, today 2026-03-14; a test names only what it changes.
    pub(crate) fn for_test(state: &'a str, role: Role, fields: &'a Map<String, Value>) -> Self {
        Self {
            state,
            role,
            fields,
            signatures: &[],
            actor: 1,
            reason: None,
            today: "2026-03-14",
            parts: &[],
            linked: &[],
            owner: None,
        }
    }
}

/// A record linked to the one being moved (as `part_of` it, or otherwise): its kind, number,
/// and whether it has reached a terminal state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub kind: String,
    pub number: String,
    pub finished: bool,
}

/// A signature already on the current version: its meaning and the signing user's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureFact {
    pub meaning: Meaning,
    pub signer: i64,
}

/// What taking a transition does, once every check has passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub to: &'static str,
    /// The signature to apply, after the app layer has had the password re-entered.
    pub signature: Option<Meaning>,
    /// The fields after the transition's effects.
    pub fields: Map<String, Value>,
    /// The reason for change, trimmed, when one was given.
    pub reason: Option<String>,
}

impl Kind {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn state(&self, id: &str) -> Option<&'static State> {
        self.states.iter().find(|s| s.id == id)
    }

    pub fn transition(&self, id: &str) -> Option<&'static Transition> {
        self.transitions.iter().find(|t| t.id == id)
    }

    /// The record number for sequence `seq` (from 1): `DOC-0007`, `NC-12345`.
    pub fn number(&self, seq: i64) -> String {
        format!("{}-{seq:04}", self.prefix)
    }

    /// Checks every field and returns every problem at once, or the fields normalised:
    /// text trimmed, empty strings and nulls dropped (an absent field and an empty one are the
    /// same thing).
    ///
    /// With `user_input`, system fields are refused: they belong to the workflow, and the app
    /// layer carries them over from the stored record. Without it (fields read back from the
    /// store, or after effects) they are checked like the others.
    pub fn validate(
        &self,
        fields: &Map<String, Value>,
        user_input: bool,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut out = Map::new();
        let mut errors = Vec::new();
        // Declared fields first, in form order, so errors read top to bottom.
        for f in self.fields {
            let key = format!("fields.{}", f.name);
            match fields.get(f.name).filter(|v| !is_blank(v)) {
                None if f.required => errors.push(FieldError::new(key, "required")),
                None => {}
                Some(_) if f.system && user_input => {
                    errors.push(FieldError::new(key, "set by the workflow, not by hand"));
                }
                Some(v) => match f.ty {
                    FieldType::Rows { columns, max } => match check_rows(&key, columns, max, v) {
                        // Rows that were all blank are gone; none left is no value.
                        Ok(rows) if rows.is_empty() && f.required => {
                            errors.push(FieldError::new(key, "required"));
                        }
                        Ok(rows) if rows.is_empty() => {}
                        Ok(rows) => {
                            out.insert(f.name.to_string(), Value::Array(rows));
                        }
                        Err(e) => errors.extend(e),
                    },
                    _ => match f.ty.check(v) {
                        Ok(v) => {
                            out.insert(f.name.to_string(), v);
                        }
                        Err(rule) => errors.push(FieldError::new(key, rule)),
                    },
                },
            }
        }
        for name in fields.keys() {
            if self.field(name).is_none() {
                errors.push(FieldError::new(
                    format!("fields.{name}"),
                    format!("not a field of kind '{}'", self.id),
                ));
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// Checks whether `ctx.role` may take transition `id` now, and works out its result.
    /// Every refusal that applies is returned together.
    pub fn check_transition(&self, id: &str, ctx: &TransitionCtx) -> Result<Plan, Vec<FieldError>> {
        let Some(t) = self.transition(id) else {
            let known: Vec<&str> = self.transitions.iter().map(|t| t.id).collect();
            return Err(vec![FieldError::new(
                "transition",
                format!(
                    "not a transition of kind '{}'; it has: {}",
                    self.id,
                    known.join(", ")
                ),
            )]);
        };
        let mut errors = Vec::new();
        if !t.from.contains(&ctx.state) {
            errors.push(FieldError::new(
                "transition",
                format!(
                    "'{}' cannot be taken from state '{}', only from: {}",
                    t.id,
                    ctx.state,
                    t.from.join(", ")
                ),
            ));
        }
        if !t.roles.contains(&ctx.role) {
            errors.push(FieldError::new(
                "role",
                format!("'{}' may be taken only by: {}", t.id, role_list(t.roles)),
            ));
        }
        let reason = ctx.reason.map(str::trim).filter(|r| !r.is_empty());
        match reason {
            // EU GMP Annex 11 §9: a change to GMP data needs its reason documented.
            None if t.reason => {
                errors.push(FieldError::new(
                    "reason",
                    format!("required to take '{}'", t.id),
                ));
            }
            Some(r) if r.chars().count() > REASON_MAX => {
                errors.push(FieldError::new(
                    "reason",
                    format!("at most {REASON_MAX} characters"),
                ));
            }
            _ => {}
        }
        for name in t.requires {
            if ctx.fields.get(*name).is_none_or(is_blank) {
                errors.push(FieldError::new(
                    format!("fields.{name}"),
                    format!("required to take '{}'", t.id),
                ));
            }
        }
        for g in t.guards {
            if let Err(rule) = g.check(t.signature, ctx) {
                errors.push(FieldError::new(g.field(), rule));
            }
        }
        let mut fields = ctx.fields.clone();
        for e in t.effects {
            if let Err(error) = e.apply(&mut fields, ctx.today) {
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(Plan {
                to: t.to,
                signature: t.signature,
                fields,
                reason: reason.map(str::to_string),
            })
        } else {
            Err(errors)
        }
    }

    /// Checks whether `role` may apply a signature with `meaning` outside a transition, in
    /// `state`.
    pub fn check_signing(
        &self,
        meaning: Meaning,
        state: &str,
        role: Role,
    ) -> Result<(), Vec<FieldError>> {
        let of_meaning: Vec<&Signing> = self
            .signings
            .iter()
            .filter(|s| s.meaning == meaning)
            .collect();
        if of_meaning.is_empty() {
            return Err(vec![FieldError::new(
                "signature",
                format!(
                    "{} '{meaning}' signature is not applied to {} on its own",
                    meaning.article(),
                    self.plural.to_lowercase()
                ),
            )]);
        }
        let in_state: Vec<&Signing> = of_meaning
            .iter()
            .copied()
            .filter(|s| s.states.contains(&state))
            .collect();
        let mut errors = Vec::new();
        if in_state.is_empty() {
            let states: Vec<&str> = of_meaning.iter().flat_map(|s| s.states).copied().collect();
            errors.push(FieldError::new(
                "signature",
                format!(
                    "{} '{meaning}' signature can be applied only in: {}",
                    meaning.article(),
                    states.join(", ")
                ),
            ));
        }
        // Roles are named for the state asked about when it allows the meaning at all.
        let candidates = if in_state.is_empty() {
            &of_meaning
        } else {
            &in_state
        };
        if !candidates.iter().any(|s| s.roles.contains(&role)) {
            let roles: Vec<Role> = candidates.iter().flat_map(|s| s.roles).copied().collect();
            errors.push(FieldError::new(
                "role",
                format!(
                    "{} '{meaning}' signature may be applied only by: {}",
                    meaning.article(),
                    role_list(&roles)
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Transitions out of `state` that `role` may take, for the buttons on a record's page.
    pub fn available(&self, state: &str, role: Role) -> Vec<&'static Transition> {
        self.transitions
            .iter()
            .filter(|t| t.from.contains(&state) && t.roles.contains(&role))
            .collect()
    }

    /// Checks whether `role` may create a record of this kind.
    pub fn check_create(&self, role: Role) -> Result<(), FieldError> {
        if self.create_roles.contains(&role) {
            Ok(())
        } else {
            Err(FieldError::new(
                "role",
                format!(
                    "{} may be created only by: {}",
                    self.plural.to_lowercase(),
                    role_list(self.create_roles)
                ),
            ))
        }
    }

    /// Checks whether `role` may edit the fields of a record in `state`.
    pub fn check_edit(&self, state: &str, role: Role) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !self.editable_in.contains(&state) {
            errors.push(FieldError::new(
                "state",
                format!(
                    "fields can be edited only in: {}",
                    self.editable_in.join(", ")
                ),
            ));
        }
        if !self.edit_roles.contains(&role) {
            errors.push(FieldError::new(
                "role",
                format!(
                    "{} may be edited only by: {}",
                    self.plural.to_lowercase(),
                    role_list(self.edit_roles)
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks whether `role` may acknowledge having read a record in `state`.
    pub fn check_acknowledge(&self, state: &str, role: Role) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        match self.acknowledge_in {
            None => errors.push(FieldError::new(
                "state",
                format!("{} are not acknowledged", self.plural.to_lowercase()),
            )),
            Some(s) if s != state => errors.push(FieldError::new(
                "state",
                format!("can be acknowledged only in: {s}"),
            )),
            Some(_) => {}
        }
        if !role.may(Permission::Acknowledge) {
            let roles: Vec<Role> = Role::ALL
                .into_iter()
                .filter(|r| r.may(Permission::Acknowledge))
                .collect();
            errors.push(FieldError::new(
                "role",
                format!("may be acknowledged only by: {}", role_list(&roles)),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Checks a record title: required, one line, at most [`TITLE_MAX`] characters. Returns it
/// trimmed.
pub fn validate_title(title: &str) -> Result<String, FieldError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(FieldError::new("title", "required"));
    }
    FieldType::Text { max: TITLE_MAX }
        .check(&Value::String(t.to_string()))
        .map(|_| t.to_string())
        .map_err(|rule| FieldError::new("title", rule))
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (years 0001 to 9999).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Absent, null, blank text, or an empty list or object: nothing was given.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FieldType {
    /// Checks one non-blank value; returns it normalised, or the rule it breaks.
    fn check(&self, v: &Value) -> Result<Value, String> {
        match *self {
            Self::Text { max } => {
                let s = v.as_str().ok_or("must be text")?.trim();
                if s.contains(['\n', '\r']) {
                    return Err("must be a single line".into());
                }
                within(s, max)
            }
            Self::LongText { max } => {
                let s = v.as_str().ok_or("must be text")?;
                within(trim_long(s), max)
            }
            Self::Integer { min, max } => {
                let n = v.as_i64().ok_or("must be a whole number")?;
                if (min..=max).contains(&n) {
                    Ok(Value::from(n))
                } else {
                    Err(format!("must be between {min} and {max}"))
                }
            }
            Self::Date => match v.as_str().map(str::trim) {
                Some(s) if is_date(s) => Ok(Value::from(s)),
                _ => Err("must be a date YYYY-MM-DD".into()),
            },
            Self::Choice(choices) => {
                let s = v.as_str().map(str::trim);
                match choices.iter().find(|c| Some(c.value) == s) {
                    Some(c) => Ok(Value::from(c.value)),
                    None => Err(format!("must be one of: {}", choice_list(choices))),
                }
            }
            Self::Bool => match v {
                Value::Bool(b) => Ok(Value::from(*b)),
                _ => Err("must be true or false".into()),
            },
            Self::Number { min, max } => {
                let n = v
                    .as_f64()
                    .filter(|n| n.is_finite())
                    .ok_or("must be a number")?;
                #[allow(clippy::cast_precision_loss)] // bounds are small declared numbers
                if n < min as f64 || n > max as f64 {
                    return Err(format!("must be between {min} and {max}"));
                }
                Ok(number_value(n))
            }
            // Checked cell by cell in `check_rows`, which names the cell.
            Self::Rows { .. } => Err("must be a list of rows".into()),
            Self::Ref(to) => {
                let s = v.as_str().ok_or("must be text")?.trim();
                if s.contains(['\n', '\r']) || s.chars().count() > REF_MAX {
                    return Err(format!("must be one line of at most {REF_MAX} characters"));
                }
                Ok(Value::from(match to {
                    Ref::User => s.to_string(),
                    // Numbers are written in capitals (`DOC-0001`), as lookups expect.
                    Ref::Record(_) => s.to_uppercase(),
                }))
            }
        }
    }

    /// The name forms and the API use for this type.
    pub fn name(&self) -> TypeName {
        match self {
            Self::Text { .. } => TypeName::Text,
            Self::LongText { .. } => TypeName::LongText,
            Self::Integer { .. } => TypeName::Integer,
            Self::Date => TypeName::Date,
            Self::Choice(_) => TypeName::Choice,
            Self::Bool => TypeName::Bool,
            Self::Number { .. } => TypeName::Number,
            Self::Rows { .. } => TypeName::Rows,
            Self::Ref(Ref::User) => TypeName::User,
            Self::Ref(Ref::Record(_)) => TypeName::Record,
        }
    }
}

/// The longest user name or record number a reference may hold.
pub const REF_MAX: usize = 100;

/// A number as stored: whole numbers as integers, so `95` reads back as `95`, not `95.0`.
fn number_value(n: f64) -> Value {
    // Whole and well within the range where f64 counts exactly.
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(n as i64);
    }
    Value::from(n)
}

/// Checks a table's rows against its columns. Rows whose cells are all blank are dropped
/// (a form shows spare empty rows). Problems are named by row, counted from 1 as people
/// count them: `fields.measurements.2.value`.
fn check_rows(
    key: &str,
    columns: &[Field],
    max: usize,
    v: &Value,
) -> Result<Vec<Value>, Vec<FieldError>> {
    let Some(rows) = v.as_array() else {
        return Err(vec![FieldError::new(
            key,
            "must be a list of rows, each an object of column values",
        )]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let at = format!("{key}.{}", i + 1);
        let Some(cells) = row.as_object() else {
            errors.push(FieldError::new(at, "must be an object of column values"));
            continue;
        };
        if cells.values().all(is_blank) {
            continue;
        }
        let mut clean = Map::new();
        for c in columns {
            let cell = format!("{at}.{}", c.name);
            match cells.get(c.name).filter(|v| !is_blank(v)) {
                None if c.required => errors.push(FieldError::new(cell, "required")),
                None => {}
                Some(v) => match c.ty.check(v) {
                    Ok(v) => {
                        clean.insert(c.name.to_string(), v);
                    }
                    Err(rule) => errors.push(FieldError::new(cell, rule)),
                },
            }
        }
        for name in cells.keys() {
            if !columns.iter().any(|c| c.name == name) {
                errors.push(FieldError::new(
                    format!("{at}.{name}"),
                    "not a column of this table",
                ));
            }
        }
        out.push(Value::Object(clean));
    }
    if out.len() > max {
        errors.push(FieldError::new(key, format!("at most {max} rows")));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn within(s: &str, max: usize) -> Result<Value, String> {
    if s.chars().count() > max {
        Err(format!("at most {max} characters"))
    } else {
        Ok(Value::from(s))
    }
}

/// Long text loses trailing white space and leading blank lines, but keeps the indentation of
/// its first line (it may start with an indented list or code).
fn trim_long(s: &str) -> &str {
    let s = s.trim_end();
    let blank_prefix = s.len() - s.trim_start().len();
    match s[..blank_prefix].rfind('\n') {
        Some(i) => &s[i + 1..],
        None => s,
    }
}

fn choice_list(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|c| c.value)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Guard {
    /// The guard in plain words; also the rule named when it is not met.
    pub fn describe(&self) -> String {
        match self {
            Self::Signed(m) => format!("needs {} '{m}' signature on this version", m.article()),
            Self::DistinctSigners(a, b) => {
                format!("the '{a}' and '{b}' signatures must come from different people")
            }
            Self::DateAfter { field, after } => format!("{field} must be later than {after}"),
            Self::NotFuture(f) => format!("{f} cannot be later than today"),
            Self::PartsFinished(kind) => {
                format!("needs at least one {kind} linked as part of it, each one finished")
            }
            Self::Linked { kind, when: None } => format!("needs a linked {kind}"),
            Self::Linked {
                kind,
                when: Some(flag),
            } => format!("needs a linked {kind} when {flag} is yes"),
            Self::AtLeast { field, min } => format!("{field} must be at least {min}"),
            Self::OneOf { field, values } => {
                format!("{field} must be one of: {}", values.join(", "))
            }
            Self::RequiredWhen { field, when, is } => {
                format!("{field} is required when {when} is {is}")
            }
            Self::NotAbove { field, limit } => format!("{field} cannot be above {limit}"),
            Self::Owner => "only the record's owner may take this step".into(),
        }
    }

    /// The input a refusal is reported against.
    pub fn field(&self) -> String {
        match self {
            Self::Signed(_) | Self::DistinctSigners(..) => "signature".into(),
            Self::DateAfter { field, .. }
            | Self::NotFuture(field)
            | Self::AtLeast { field, .. }
            | Self::OneOf { field, .. }
            | Self::RequiredWhen { field, .. }
            | Self::NotAbove { field, .. } => format!("fields.{field}"),
            Self::PartsFinished(_) | Self::Linked { .. } => "links".into(),
            Self::Owner => "owner".into(),
        }
    }

    /// Whether the guard is met; if not, the rule as it applies to this record. `own` is the
    /// meaning of the signature the transition itself applies, if any.
    fn check(&self, own: Option<Meaning>, ctx: &TransitionCtx) -> Result<(), String> {
        let signers = |m: Meaning| -> Vec<i64> {
            ctx.signatures
                .iter()
                .filter(|s| s.meaning == m)
                .map(|s| s.signer)
                .chain((own == Some(m)).then_some(ctx.actor))
                .collect()
        };
        let date = |f: &str| {
            ctx.fields
                .get(f)
                .and_then(Value::as_str)
                .filter(|d| is_date(d))
        };
        let number = |f: &str| ctx.fields.get(f).and_then(Value::as_f64);
        let met = match *self {
            Self::Signed(m) => ctx.signatures.iter().any(|s| s.meaning == m),
            // Strict on purpose: someone who signed one meaning never holds the other, even
            // when a third person also signed, so the record shows two people at a glance.
            Self::DistinctSigners(a, b) => {
                let b_signers = signers(b);
                !signers(a).iter().any(|s| b_signers.contains(s))
            }
            // Both dates are ISO 8601 days, which order as text.
            Self::DateAfter { field, after } => match (date(field), date(after)) {
                (Some(d), Some(a)) if d > a => true,
                (Some(d), Some(a)) => {
                    return Err(format!("must be later than {after} ({a}); it is {d}"));
                }
                (_, None) => return Err(format!("needs {after} to be set first")),
                (None, _) => false,
            },
            Self::NotFuture(f) => date(f).is_some_and(|d| d <= ctx.today),
            Self::PartsFinished(kind) => {
                let parts: Vec<&Part> = ctx.parts.iter().filter(|p| p.kind == kind).collect();
                let open: Vec<&str> = parts
                    .iter()
                    .filter(|p| !p.finished)
                    .map(|p| p.number.as_str())
                    .collect();
                if parts.is_empty() {
                    return Err(format!("needs at least one {kind} linked as part of it"));
                }
                if !open.is_empty() {
                    return Err(format!(
                        "every {kind} that is part of it must be finished first; still open: {}",
                        open.join(", ")
                    ));
                }
                true
            }
            Self::Linked { kind, when } => {
                let applies =
                    when.is_none_or(|f| ctx.fields.get(f).and_then(Value::as_bool) == Some(true));
                !applies || ctx.linked.iter().any(|p| p.kind == kind)
            }
            Self::AtLeast { field, min } => match number(field) {
                #[allow(clippy::cast_precision_loss)] // `min` is a small declared number
                Some(n) if n >= min as f64 => true,
                Some(n) => {
                    return Err(format!("must be at least {min}; it is {}", number_value(n)));
                }
                None => return Err(format!("must be at least {min}; it has no value yet")),
            },
            Self::OneOf { field, values } => match ctx.fields.get(field).and_then(Value::as_str) {
                Some(v) if values.contains(&v) => true,
                Some(v) => {
                    return Err(format!("must be one of: {}; it is {v}", values.join(", ")));
                }
                None => {
                    return Err(format!(
                        "must be one of: {}; it has no value yet",
                        values.join(", ")
                    ));
                }
            },
            Self::RequiredWhen { field, when, is } => {
                let applies = ctx.fields.get(when).and_then(Value::as_str) == Some(is);
                if applies && ctx.fields.get(field).is_none_or(is_blank) {
                    return Err(format!("required when {when} is {is}"));
                }
                true
            }
            Self::NotAbove { field, limit } => match (number(field), number(limit)) {
                (Some(n), Some(l)) if n > l => {
                    return Err(format!(
                        "cannot be above {limit} ({}); it is {}",
                        number_value(l),
                        number_value(n)
                    ));
                }
                _ => true,
            },
            Self::Owner => match ctx.owner {
                None => return Err("the record has no owner: give it one first".into()),
                Some(o) => o == ctx.actor,
            },
        };
        if met { Ok(()) } else { Err(self.describe()) }
    }
}

impl Effect {
    pub fn field(&self) -> &'static str {
        match *self {
            Self::Increment(f) | Self::SetToday(f) | Self::Clear(f) => f,
        }
    }

    /// The effect in plain words, for the forms.
    pub fn describe(&self) -> String {
        match self {
            Self::Increment(f) => format!("adds one to {f}"),
            Self::SetToday(f) => format!("sets {f} to today"),
            Self::Clear(f) => format!("clears {f}"),
        }
    }

    fn apply(&self, fields: &mut Map<String, Value>, today: &str) -> Result<(), FieldError> {
        match *self {
            Self::Increment(f) => {
                let current = match fields.get(f) {
                    None | Some(Value::Null) => Some(0),
                    Some(v) => v.as_i64(),
                };
                let next = current.and_then(|n| n.checked_add(1)).ok_or_else(|| {
                    FieldError::new(format!("fields.{f}"), "must be a whole number")
                })?;
                fields.insert(f.to_string(), Value::from(next));
            }
            Self::SetToday(f) => {
                if !is_date(today) {
                    return Err(FieldError::new("today", "must be a date YYYY-MM-DD"));
                }
                fields.insert(f.to_string(), Value::from(today));
            }
            Self::Clear(f) => {
                fields.remove(f);
            }
        }
        Ok(())
    }
}

/// The type of a field as forms and the API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TypeName {
    Text,
    LongText,
    Integer,
    Date,
    Choice,
    Bool,
    Number,
    Rows,
    /// A user name (see [`FieldType::Ref`]).
    User,
    /// A record number of the kind named in `refers_to`.
    Record,
}

/// A kind as the API and the forms see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindInfo {
    pub id: String,
    pub label: String,
    pub plural: String,
    pub prefix: String,
    pub help: String,
    pub clauses: Vec<String>,
    pub fields: Vec<FieldInfo>,
    pub states: Vec<StateInfo>,
    pub initial: String,
    pub transitions: Vec<TransitionInfo>,
    pub signings: Vec<SigningInfo>,
    pub acknowledge_in: Option<String>,
    pub create_roles: Vec<Role>,
    pub edit_roles: Vec<Role>,
    pub editable_in: Vec<String>,
    /// Date fields that remind the owner, as the due date does.
    pub reminders: Vec<String>,
    /// Fields the kind computes on every save; nobody types them.
    pub computed: Vec<String>,
    /// Editing these fields in these states sends the record back to `to`.
    pub reassess: Option<ReassessInfo>,
    /// Records a transition opens by itself.
    pub follow_ups: Vec<FollowUpInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReassessInfo {
    pub fields: Vec<String>,
    pub states: Vec<String>,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInfo {
    /// The transition that opens it.
    pub on: String,
    /// The kind of record it opens.
    pub kind: String,
    /// How the new record is linked to the one that opened it.
    pub relation: String,
    /// When, in plain words.
    pub when: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    pub help: String,
    #[serde(rename = "type")]
    pub ty: TypeName,
    pub required: bool,
    pub system: bool,
    /// For text: the most characters allowed.
    pub max_length: Option<usize>,
    /// For integers: the smallest and largest values allowed.
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// For choices: the values allowed, in display order.
    pub choices: Vec<ChoiceInfo>,
    /// For rows: the columns of each row, and the most rows allowed.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<FieldInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<usize>,
    /// For record references: the kind of record named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceInfo {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateInfo {
    pub id: String,
    pub label: String,
    pub terminal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionInfo {
    pub id: String,
    pub label: String,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<Role>,
    pub requires: Vec<String>,
    pub reason: bool,
    pub signature: Option<Meaning>,
    /// The guards in plain words.
    pub guards: Vec<String>,
    /// The effects in plain words.
    pub effects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningInfo {
    pub meaning: Meaning,
    pub states: Vec<String>,
    pub roles: Vec<Role>,
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

impl Kind {
    /// The kind as the API and the forms see it.
    pub fn describe(&self) -> KindInfo {
        KindInfo {
            id: self.id.into(),
            label: self.label.into(),
            plural: self.plural.into(),
            prefix: self.prefix.into(),
            help: self.help.into(),
            clauses: strings(self.clauses),
            fields: self.fields.iter().map(Field::describe).collect(),
            states: self
                .states
                .iter()
                .map(|s| StateInfo {
                    id: s.id.into(),
                    label: s.label.into(),
                    terminal: s.terminal,
                })
                .collect(),
            initial: self.initial.into(),
            transitions: self
                .transitions
                .iter()
                .map(|t| TransitionInfo {
                    id: t.id.into(),
                    label: t.label.into(),
                    from: strings(t.from),
                    to: t.to.into(),
                    roles: t.roles.to_vec(),
                    requires: strings(t.requires),
                    reason: t.reason,
                    signature: t.signature,
                    guards: t.guards.iter().map(Guard::describe).collect(),
                    effects: t.effects.iter().map(Effect::describe).collect(),
                })
                .collect(),
            signings: self
                .signings
                .iter()
                .map(|s| SigningInfo {
                    meaning: s.meaning,
                    states: strings(s.states),
                    roles: s.roles.to_vec(),
                })
                .collect(),
            acknowledge_in: self.acknowledge_in.map(str::to_string),
            create_roles: self.create_roles.to_vec(),
            edit_roles: self.edit_roles.to_vec(),
            editable_in: strings(self.editable_in),
            reminders: strings(self.reminders),
            computed: strings(self.derive.map_or(&[][..], |d| d.fields)),
            reassess: self.reassess.map(|r| ReassessInfo {
                fields: strings(r.fields),
                states: strings(r.states),
                to: r.to.into(),
            }),
            follow_ups: self
                .follow_ups
                .iter()
                .map(|f| FollowUpInfo {
                    on: f.on.into(),
                    kind: f.kind.into(),
                    relation: f.relation.into(),
                    when: f.label.into(),
                })
                .collect(),
        }
    }

    /// Computes the kind's computed fields into `fields`; or the values the computation
    /// refused under the current settings, each naming its field and rule.
    pub fn compute(
        &self,
        fields: &mut Map<String, Value>,
        ctx: &DeriveCtx,
    ) -> Result<(), Vec<FieldError>> {
        if let Some(d) = self.derive {
            (d.compute)(fields, ctx);
        }
        let refused = ctx.refused.take();
        if refused.is_empty() {
            Ok(())
        } else {
            Err(refused)
        }
    }

    /// The state an edit moves a record in `state` to, when it changes one of the fields
    /// named in `changed` (`fields.likelihood`, `title`...) that the kind reassesses.
    pub fn reassessed(&self, state: &str, changed: &[String]) -> Option<&'static str> {
        let r = self.reassess?;
        let hit = changed.iter().any(|n| {
            n.strip_prefix("fields.")
                .is_some_and(|f| r.fields.contains(&f))
        });
        (hit && r.states.contains(&state) && r.to != state).then_some(r.to)
    }
}

impl KindInfo {
    /// What people call a name the app layer reports or a version lists as changed: `title`,
    /// `due_on`, `fields.summary`... (the field's label for the kind's own fields).
    pub fn label_of(&self, name: &str) -> String {
        match name {
            "title" => "Title".into(),
            "state" => "State".into(),
            "owner" => "Owner".into(),
            "site" => "Site".into(),
            "due_on" => "Due date".into(),
            "version" => "Version".into(),
            other => other
                .strip_prefix("fields.")
                .and_then(|f| self.fields.iter().find(|i| i.name == f))
                .map_or_else(|| other.to_string(), |f| f.label.clone()),
        }
    }
}

impl FieldInfo {
    /// A stored value as people read it: a choice by its label, a flag as yes or no. Pages,
    /// exports and printed records all show values this way.
    pub fn show(&self, v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) if self.ty == TypeName::Choice => self
                .choices
                .iter()
                .find(|c| c.value == *s)
                .map_or_else(|| s.clone(), |c| c.label.clone()),
            // A table as lines, one per row: "Date: 2026-01-31; Value: 97.5".
            Value::Array(rows) if self.ty == TypeName::Rows => rows
                .iter()
                .map(|r| {
                    self.columns
                        .iter()
                        .filter_map(|c| {
                            r.get(&c.name)
                                .filter(|v| !v.is_null())
                                .map(|v| format!("{}: {}", c.label, c.show(v)))
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            other => show_plain(other),
        }
    }
}

/// A value of no known field as people read it.
pub fn show_plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        other => other.to_string(),
    }
}

impl Field {
    fn describe(&self) -> FieldInfo {
        let (max_length, min, max, choices) = match self.ty {
            FieldType::Text { max } | FieldType::LongText { max } => {
                (Some(max), None, None, Vec::new())
            }
            FieldType::Integer { min, max } | FieldType::Number { min, max } => {
                (None, Some(min), Some(max), Vec::new())
            }
            FieldType::Choice(cs) => (
                None,
                None,
                None,
                cs.iter()
                    .map(|c| ChoiceInfo {
                        value: c.value.into(),
                        label: c.label.into(),
                    })
                    .collect(),
            ),
            FieldType::Ref(_) => (Some(REF_MAX), None, None, Vec::new()),
            FieldType::Date | FieldType::Bool | FieldType::Rows { .. } => {
                (None, None, None, Vec::new())
            }
        };
        let (columns, max_rows) = match self.ty {
            FieldType::Rows { columns, max } => {
                (columns.iter().map(Field::describe).collect(), Some(max))
            }
            _ => (Vec::new(), None),
        };
        FieldInfo {
            name: self.name.into(),
            label: self.label.into(),
            help: self.help.into(),
            ty: self.ty.name(),
            required: self.required,
            system: self.system,
            max_length,
            min,
            max,
            choices,
            columns,
            max_rows,
            refers_to: match self.ty {
                FieldType::Ref(Ref::Record(kind)) => Some(kind.to_string()),
                _ => None,
            },
        }
    }
}

/// How a kind's records are shown beyond their fields: named list views (the approved
/// supplier list), a trend chart of a table field (an objective's measurements), and records
/// the page offers to raise as part of the record (a supplier's nonconformities). Kept beside
/// [`Kind`] rather than in it so that kinds without any need not say so.
#[derive(Debug, Clone, Copy)]
pub struct Presentation {
    pub views: &'static [SavedView],
    pub trend: Option<Trend>,
    pub raises: &'static [Raise],
}

impl Presentation {
    pub const NONE: Presentation = Presentation {
        views: &[],
        trend: None,
        raises: &[],
    };
}

/// A list of a kind's records under a name: a link above the list with these filters.
#[derive(Debug, Clone, Copy)]
pub struct SavedView {
    pub label: &'static str,
    /// The list's query string: `state=approved&sort=title`.
    pub query: &'static str,
}

/// A chart of a table field over time: one point per row, `x` its date, `y` its value, with
/// the record's target (and band limits, when it has them) drawn across.
#[derive(Debug, Clone, Copy)]
pub struct Trend {
    pub rows: &'static str,
    pub x: &'static str,
    pub y: &'static str,
    pub target: Option<&'static str>,
    /// Number fields holding the lower and upper limits of a band, drawn only when the
    /// record's `band_when.0` field holds `band_when.1`.
    pub band: Option<(&'static str, &'static str)>,
    pub band_when: Option<(&'static str, &'static str)>,
    /// The text field holding the unit of the values.
    pub unit: Option<&'static str>,
}

/// A record of `kind` that a record's page offers to create as part of it.
#[derive(Debug, Clone, Copy)]
pub struct Raise {
    pub kind: &'static str,
    /// The button: "Raise a supplier nonconformity".
    pub label: &'static str,
}

/// The presentation of kind `id`; none for an unknown kind.
pub fn presentation(id: &str) -> &'static Presentation {
    get(id).map_or(&Presentation::NONE, |k| k.presentation)
}

fn check_presentation(k: &Kind, p: &Presentation, problems: &mut Vec<String>) {
    let mut say = |what: String| problems.push(format!("{}: {what}", k.id));
    for v in p.views {
        for (name, value) in v.query.split('&').filter_map(|kv| kv.split_once('=')) {
            if name == "state" && k.state(value).is_none() {
                say(format!(
                    "view '{}' names undeclared state '{value}'",
                    v.label
                ));
            }
        }
    }
    if let Some(t) = p.trend {
        match k.field(t.rows).map(|f| f.ty) {
            Some(FieldType::Rows { columns, .. }) => {
                let col = |n: &str| columns.iter().find(|c| c.name == n).map(|c| c.ty);
                if col(t.x) != Some(FieldType::Date) {
                    say(format!("trend x '{}' is not a date column", t.x));
                }
                if !matches!(
                    col(t.y),
                    Some(FieldType::Number { .. } | FieldType::Integer { .. })
                ) {
                    say(format!("trend y '{}' is not a number column", t.y));
                }
            }
            _ => say(format!("trend rows '{}' is not a table field", t.rows)),
        }
        for f in t
            .target
            .iter()
            .chain(t.band.iter().flat_map(|(a, b)| [a, b]))
        {
            if !is_numeric(k.field(f)) {
                say(format!("trend line '{f}' is not a number field"));
            }
        }
        if let Some((when, is)) = t.band_when
            && !offers(k.field(when), is)
        {
            say(format!(
                "trend band waits for '{when}' to be '{is}', which it never is"
            ));
        }
    }
    for r in p.raises {
        if !all().iter().any(|o| o.id == r.kind) {
            say(format!("raises undeclared kind '{}'", r.kind));
        }
    }
}

/// Every mistake in the declarations of [`all`], one line each; empty when they are sound.
/// A unit test keeps it empty, so a broken declaration never reaches a build.
pub fn check_declarations() -> Vec<String> {
    let mut problems = check_kinds(all());
    for k in all() {
        check_presentation(k, k.presentation, &mut problems);
    }
    problems
}

fn check_kinds(kinds: &[&Kind]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, k) in kinds.iter().enumerate() {
        for other in &kinds[..i] {
            if other.id == k.id {
                problems.push(format!("kind id '{}' is declared twice", k.id));
            }
            if other.prefix == k.prefix {
                problems.push(format!(
                    "kinds '{}' and '{}' share the prefix '{}'",
                    other.id, k.id, k.prefix
                ));
            }
            // Lists across kinds (My tasks, the reminders sweep) leave out terminal states
            // by name, which is right only while a name means the same in every kind.
            for s in k.states {
                if let Some(o) = other.state(s.id)
                    && o.terminal != s.terminal
                {
                    problems.push(format!(
                        "state '{}' is terminal in '{}' but not in '{}': a state name must be \
                         terminal in every kind or in none",
                        s.id,
                        if s.terminal { k.id } else { other.id },
                        if s.terminal { other.id } else { k.id },
                    ));
                }
            }
        }
        check_kind(k, &mut problems);
    }
    problems
}

fn check_kind(k: &Kind, problems: &mut Vec<String>) {
    let mut say = |what: String| problems.push(format!("{}: {what}", k.id));

    if k.id.is_empty() || !k.id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        say("the id must be lower-case letters and '_'".into());
    }
    if k.prefix.is_empty() || !k.prefix.chars().all(|c| c.is_ascii_uppercase()) {
        say(format!("prefix '{}' must be upper-case letters", k.prefix));
    }
    for c in k.clauses {
        if !is_clause_id(c) {
            say(format!(
                "clause id '{c}' is not of the form std:edition/number"
            ));
        }
    }
    for dup in duplicates(k.fields.iter().map(|f| f.name)) {
        say(format!("field '{dup}' is declared twice"));
    }
    for dup in duplicates(k.states.iter().map(|s| s.id)) {
        say(format!("state '{dup}' is declared twice"));
    }
    for dup in duplicates(k.transitions.iter().map(|t| t.id)) {
        say(format!("transition '{dup}' is declared twice"));
    }
    let state_ok = |s: &str| k.state(s).is_some();
    if !state_ok(k.initial) {
        say(format!("initial state '{}' is not declared", k.initial));
    }

    for f in k.fields {
        if f.system && f.required {
            say(format!(
                "field '{}' is a system field and cannot be required",
                f.name
            ));
        }
        check_type(f, &mut say);
        if let FieldType::Rows { columns, max } = f.ty {
            if columns.is_empty() || max == 0 {
                say(format!(
                    "table '{}' has no columns or allows no rows",
                    f.name
                ));
            }
            for dup in duplicates(columns.iter().map(|c| c.name)) {
                say(format!("table '{}' declares column '{dup}' twice", f.name));
            }
            for c in columns {
                if matches!(c.ty, FieldType::Rows { .. }) || c.system {
                    say(format!(
                        "column '{}' of table '{}' must be a plain field, not a table or a \
                         system field",
                        c.name, f.name
                    ));
                }
                check_type(c, &mut say);
            }
        }
    }

    for t in k.transitions {
        let name = format!("transition '{}'", t.id);
        for s in t.from.iter().chain([&t.to]) {
            if !state_ok(s) {
                say(format!("{name} names undeclared state '{s}'"));
            }
        }
        if t.roles.is_empty() {
            say(format!("{name} can be taken by nobody"));
        }
        if t.signature.is_some() {
            for r in t.roles {
                if !r.may(Permission::Sign) {
                    say(format!("{name} signs, but role '{r}' may not sign"));
                }
            }
        }
        for f in t.requires {
            if k.field(f).is_none() {
                say(format!("{name} requires undeclared field '{f}'"));
            }
        }
        for g in t.guards {
            match *g {
                Guard::Signed(m) => {
                    let obtainable = k.signings.iter().any(|s| s.meaning == m)
                        || k.transitions.iter().any(|t| t.signature == Some(m));
                    if !obtainable {
                        say(format!(
                            "{name} needs {} '{m}' signature nobody can apply",
                            m.article()
                        ));
                    }
                }
                Guard::DistinctSigners(a, b) if a == b => {
                    say(format!("{name} compares '{a}' signers with themselves"));
                }
                Guard::DistinctSigners(..) => {}
                Guard::DateAfter { field, after } => {
                    for f in [field, after] {
                        if k.field(f).map(|f| f.ty) != Some(FieldType::Date) {
                            say(format!("{name} compares '{f}', which is not a date field"));
                        }
                    }
                }
                Guard::NotFuture(f) => {
                    if k.field(f).map(|f| f.ty) != Some(FieldType::Date) {
                        say(format!("{name} dates '{f}', which is not a date field"));
                    }
                }
                Guard::Owner => {}
                Guard::PartsFinished(kind) => {
                    if !all().iter().any(|o| o.id == kind) {
                        say(format!(
                            "{name} waits for parts of undeclared kind '{kind}'"
                        ));
                    }
                }
                Guard::Linked { kind, when } => {
                    if !all().iter().any(|o| o.id == kind) {
                        say(format!("{name} needs a link to undeclared kind '{kind}'"));
                    }
                    if let Some(f) = when
                        && k.field(f).map(|f| f.ty) != Some(FieldType::Bool)
                    {
                        say(format!(
                            "{name} depends on '{f}', which is not a bool field"
                        ));
                    }
                }
                Guard::AtLeast { field, .. } => {
                    if !is_numeric(k.field(field)) {
                        say(format!(
                            "{name} compares '{field}', which is not a number field"
                        ));
                    }
                }
                Guard::NotAbove { field, limit } => {
                    for f in [field, limit] {
                        if !is_numeric(k.field(f)) {
                            say(format!(
                                "{name} compares '{f}', which is not a number field"
                            ));
                        }
                    }
                }
                Guard::OneOf { field, values } => {
                    for v in values {
                        if !offers(k.field(field), v) {
                            say(format!(
                                "{name} waits for '{field}' to be '{v}', which it never is"
                            ));
                        }
                    }
                }
                Guard::RequiredWhen { field, when, is } => {
                    if k.field(field).is_none() {
                        say(format!("{name} requires undeclared field '{field}'"));
                    }
                    if !offers(k.field(when), is) {
                        say(format!(
                            "{name} looks for '{when}' to be '{is}', which it never is"
                        ));
                    }
                }
            }
        }
        for e in t.effects {
            let f = e.field();
            match (k.field(f).map(|f| f.ty), e) {
                (None, _) => say(format!("{name} changes undeclared field '{f}'")),
                (Some(FieldType::Integer { .. }), Effect::Increment(_))
                | (Some(FieldType::Date), Effect::SetToday(_))
                | (Some(_), Effect::Clear(_)) => {}
                (Some(_), _) => say(format!(
                    "{name}: '{}' does not suit field '{f}'",
                    e.describe()
                )),
            }
        }
    }

    for dup in duplicates(k.reminders.iter().copied()) {
        say(format!("reminder field '{dup}' is named twice"));
    }
    for r in k.reminders {
        match k.field(r).map(|f| f.ty) {
            None => say(format!("reminder field '{r}' is not declared")),
            Some(FieldType::Date) => {}
            Some(_) => say(format!("reminder field '{r}' is not a date")),
        }
    }

    let computed = k.derive.map_or(&[][..], |d| d.fields);
    for f in k.fields.iter().filter(|f| f.system) {
        let set = k
            .transitions
            .iter()
            .flat_map(|t| t.effects)
            .any(|e| matches!(e, Effect::Increment(x) | Effect::SetToday(x) if *x == f.name))
            || computed.contains(&f.name);
        if !set {
            say(format!(
                "system field '{}' is set by no effect and not computed",
                f.name
            ));
        }
    }
    for c in computed {
        if !k.field(c).is_some_and(|f| f.system) {
            say(format!(
                "computed field '{c}' is not a declared system field"
            ));
        }
    }
    if let Some(r) = k.reassess {
        for f in r.fields {
            if k.field(f).is_none_or(|f| f.system) {
                say(format!(
                    "reassess names '{f}', which is not a field people edit"
                ));
            }
        }
        for s in r.states {
            if !k.editable_in.contains(s) {
                say(format!(
                    "reassess names state '{s}', in which fields cannot be edited"
                ));
            }
        }
        if !state_ok(r.to) {
            say(format!("reassess moves to undeclared state '{}'", r.to));
        }
    }
    for f in k.follow_ups {
        if k.transition(f.on).is_none() {
            say(format!(
                "a follow-up waits for undeclared transition '{}'",
                f.on
            ));
        }
        if !all().iter().any(|o| o.id == f.kind) {
            say(format!("a follow-up opens undeclared kind '{}'", f.kind));
        }
    }

    for s in k.signings {
        if s.states.iter().any(|s| !state_ok(s)) {
            say(format!("signing '{}' names an undeclared state", s.meaning));
        }
        for r in s.roles {
            if !r.may(Permission::Sign) {
                say(format!(
                    "signing '{}' allows role '{r}', which may not sign",
                    s.meaning
                ));
            }
        }
    }
    for s in k.editable_in {
        if !state_ok(s) {
            say(format!("editable_in names undeclared state '{s}'"));
        }
    }
    if let Some(s) = k.acknowledge_in
        && !state_ok(s)
    {
        say(format!("acknowledge_in names undeclared state '{s}'"));
    }
    for r in k.create_roles {
        if !r.may(Permission::CreateRecords) {
            say(format!(
                "create_roles allows '{r}', which may not create records"
            ));
        }
    }
    for r in k.edit_roles {
        if !r.may(Permission::EditRecords) {
            say(format!(
                "edit_roles allows '{r}', which may not edit records"
            ));
        }
    }

    // Every state can be reached from the initial one.
    let mut reached = vec![k.initial];
    let mut i = 0;
    while let Some(s) = reached.get(i).copied() {
        for t in k.transitions.iter().filter(|t| t.from.contains(&s)) {
            if !reached.contains(&t.to) {
                reached.push(t.to);
            }
        }
        i += 1;
    }
    for s in k.states {
        if !reached.contains(&s.id) {
            say(format!(
                "state '{}' cannot be reached from '{}'",
                s.id, k.initial
            ));
        }
    }
}

/// A declared integer or number field.
fn is_numeric(f: Option<&Field>) -> bool {
    f.is_some_and(|f| matches!(f.ty, FieldType::Integer { .. } | FieldType::Number { .. }))
}

/// A declared choice field that offers `value`.
fn offers(f: Option<&Field>, value: &str) -> bool {
    f.is_some_and(|f| matches!(f.ty, FieldType::Choice(cs) if cs.iter().any(|c| c.value == value)))
}

/// Problems with one field's type: a range that is empty, choices that are not.
fn check_type(f: &Field, say: &mut impl FnMut(String)) {
    match f.ty {
        FieldType::Ref(Ref::Record(kind)) if !all().iter().any(|k| k.id == kind) => {
            say(format!(
                "field '{}' names records of undeclared kind '{kind}'",
                f.name
            ));
        }
        FieldType::Text { max } | FieldType::LongText { max } if max == 0 => {
            say(format!("field '{}' allows no characters", f.name));
        }
        FieldType::Integer { min, max } | FieldType::Number { min, max } if min > max => {
            say(format!("field '{}' has min above max", f.name));
        }
        FieldType::Choice(cs) => {
            if cs.is_empty() {
                say(format!("field '{}' offers no choices", f.name));
            }
            for dup in duplicates(cs.iter().map(|c| c.value)) {
                say(format!("field '{}' offers '{dup}' twice", f.name));
            }
        }
        _ => {}
    }
}

/// `iso9001:2015/7.5.3`, `iso27001:2022/A.5.1`: a standard id, `/`, a clause number.
fn is_clause_id(id: &str) -> bool {
    let Some((standard, number)) = id.split_once('/') else {
        return false;
    };
    let Some((name, edition)) = standard.split_once(':') else {
        return false;
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && edition.len() == 4
        && edition.chars().all(|c| c.is_ascii_digit())
        && number
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn duplicates<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    let mut twice = Vec::new();
    for n in names {
        if seen.contains(&n) {
            if !twice.contains(&n) {
                twice.push(n);
            }
        } else {
            seen.push(n);
        }
    }
    twice
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn err(field: &str, rule: &str) -> FieldError {
        FieldError::new(field, rule)
    }

    fn ctx<'a>(
        state: &'a str,
        role: Role,
        fields: &'a Map<String, Value>,
        signatures: &'a [SignatureFact],
    ) -> TransitionCtx<'a> {
        TransitionCtx {
            signatures,
            ..TransitionCtx::for_test(state, role, fields)
        }
    }

    #[test]
    fn kinds_are_found_by_id() {
        let ids: Vec<&str> = all().iter().map(|k| k.id).collect();
        assert_eq!(
            ids,
            [
                "document",
                "nonconformity",
                "capa",
                "action",
                "change",
                "context_issue",
                "interested_party",
                "process",
                "risk",
                "complaint",
                "objective",
                "supplier",
                "equipment",
                "calibration",
                "impact_assessment",
                "job_role",
                "training"
            ]
        );
        assert_eq!(get("nonconformity").map(|k| k.prefix), Some("NC"));
        assert_eq!(get("capa").map(|k| k.prefix), Some("CAPA"));
        assert_eq!(get("risk").map(|k| k.prefix), Some("RISK"));
        assert!(get("Document").is_none());
    }

    #[test]
    fn record_numbers_have_at_least_four_digits() {
        assert_eq!(DOCUMENT.number(7), "DOC-0007");
        assert_eq!(NONCONFORMITY.number(42), "NC-0042");
        assert_eq!(DOCUMENT.number(9999), "DOC-9999");
        assert_eq!(DOCUMENT.number(12345), "DOC-12345");
    }

    #[test]
    fn the_declarations_are_sound() {
        assert_eq!(check_declarations(), Vec::<String>::new());
    }

    static BROKEN: Kind = Kind {
        id: "broken",
        label: "Broken",
        plural: "Brokens",
        prefix: "doc",
        help: "",
        clauses: &["iso9001-2015/7.5", "iso9001:2015/7..5"],
        fields: &[
            Field {
                name: "n",
                label: "N",
                help: "",
                ty: FieldType::Integer { min: 5, max: 1 },
                required: true,
                system: true,
            },
            Field {
                name: "n",
                label: "N again",
                help: "",
                ty: FieldType::Choice(&[]),
                required: false,
                system: false,
            },
            Field {
                name: "orphan",
                label: "Orphan",
                help: "",
                ty: FieldType::Bool,
                required: false,
                system: true,
            },
            Field {
                name: "table",
                label: "Table",
                help: "",
                ty: FieldType::Rows {
                    columns: &[Field {
                        name: "inner",
                        label: "Inner",
                        help: "",
                        ty: FieldType::Rows {
                            columns: &[],
                            max: 1,
                        },
                        required: false,
                        system: false,
                    }],
                    max: 0,
                },
                required: false,
                system: false,
            },
        ],
        states: &[
            State {
                id: "a",
                label: "A",
                terminal: false,
            },
            State {
                id: "island",
                label: "Island",
                terminal: false,
            },
        ],
        initial: "start",
        transitions: &[Transition {
            id: "go",
            label: "Go",
            from: &["a"],
            to: "nowhere",
            roles: &[Role::Reader],
            requires: &["missing"],
            reason: false,
            signature: Some(Meaning::Approved),
            guards: &[
                Guard::Signed(Meaning::Accepted),
                Guard::DistinctSigners(Meaning::Approved, Meaning::Approved),
            ],
            effects: &[Effect::SetToday("n"), Effect::Clear("ghost")],
        }],
        signings: &[Signing {
            meaning: Meaning::Reviewed,
            states: &["limbo"],
            roles: &[Role::ExternalAuditor],
        }],
        acknowledge_in: Some("limbo"),
        create_roles: &[Role::Reader],
        edit_roles: &[Role::Auditor],
        editable_in: &["limbo"],
        reminders: &["n", "ghost"],
        derive: Some(Derive {
            fields: &["n", "table"],
            compute: |_, _| {},
        }),
        reassess: Some(Reassess {
            fields: &["orphan"],
            states: &["a"],
            to: "nowhere",
        }),
        follow_ups: &[FollowUp {
            on: "fly",
            kind: "unicorn",
            relation: "relates_to",
            label: "",
            when: |_| true,
            due_in_days: None,
            make: |_| (String::new(), Map::new()),
        }],
        presentation: &Presentation::NONE,
    };

    #[test]
    fn the_declaration_check_names_each_mistake() {
        let mut problems = Vec::new();
        check_kind(&BROKEN, &mut problems);
        let expected = [
            "broken: prefix 'doc' must be upper-case letters",
            "broken: clause id 'iso9001-2015/7.5' is not of the form std:edition/number",
            "broken: clause id 'iso9001:2015/7..5' is not of the form std:edition/number",
            "broken: field 'n' is declared twice",
            "broken: initial state 'start' is not declared",
            "broken: field 'n' is a system field and cannot be required",
            "broken: field 'n' has min above max",
            "broken: field 'n' offers no choices",
            "broken: table 'table' has no columns or allows no rows",
            "broken: column 'inner' of table 'table' must be a plain field, not a table or a system field",
            "broken: transition 'go' names undeclared state 'nowhere'",
            "broken: transition 'go' signs, but role 'reader' may not sign",
            "broken: transition 'go' requires undeclared field 'missing'",
            "broken: transition 'go' needs an 'accepted' signature nobody can apply",
            "broken: transition 'go' compares 'approved' signers with themselves",
            "broken: transition 'go': 'sets n to today' does not suit field 'n'",
            "broken: transition 'go' changes undeclared field 'ghost'",
            "broken: reminder field 'n' is not a date",
            "broken: reminder field 'ghost' is not declared",
            "broken: system field 'orphan' is set by no effect and not computed",
            "broken: computed field 'table' is not a declared system field",
            "broken: reassess names 'orphan', which is not a field people edit",
            "broken: reassess names state 'a', in which fields cannot be edited",
            "broken: reassess moves to undeclared state 'nowhere'",
            "broken: a follow-up waits for undeclared transition 'fly'",
            "broken: a follow-up opens undeclared kind 'unicorn'",
            "broken: signing 'reviewed' names an undeclared state",
            "broken: signing 'reviewed' allows role 'external_auditor', which may not sign",
            "broken: editable_in names undeclared state 'limbo'",
            "broken: acknowledge_in names undeclared state 'limbo'",
            "broken: create_roles allows 'reader', which may not create records",
            "broken: edit_roles allows 'auditor', which may not edit records",
            "broken: state 'a' cannot be reached from 'start'",
            "broken: state 'island' cannot be reached from 'start'",
        ];
        assert_eq!(problems, expected);
    }

    static MEASURED: Kind = Kind {
        id: "measured",
        prefix: "MS",
        fields: &[
            Field {
                name: "readings",
                label: "Readings",
                help: "",
                ty: FieldType::Rows {
                    columns: &[
                        Field {
                            name: "on",
                            label: "On",
                            help: "",
                            ty: FieldType::Date,
                            required: true,
                            system: false,
                        },
                        Field {
                            name: "value",
                            label: "Value",
                            help: "",
                            ty: FieldType::Number { min: 0, max: 100 },
                            required: true,
                            system: false,
                        },
                        Field {
                            name: "note",
                            label: "Note",
                            help: "",
                            ty: FieldType::Text { max: 10 },
                            required: false,
                            system: false,
                        },
                    ],
                    max: 3,
                },
                required: false,
                system: false,
            },
            Field {
                name: "mean",
                label: "Mean",
                help: "",
                ty: FieldType::Number { min: 0, max: 100 },
                required: false,
                system: true,
            },
        ],
        states: &[State {
            id: "open",
            label: "Open",
            terminal: false,
        }],
        initial: "open",
        transitions: &[],
        editable_in: &["open"],
        derive: Some(Derive {
            fields: &["mean"],
            compute: |f, _| {
                let values: Vec<f64> = f
                    .get("readings")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["value"].as_f64())
                    .collect();
                if values.is_empty() {
                    f.remove("mean");
                } else {
                    #[allow(clippy::cast_precision_loss)]
                    let mean = values.iter().sum::<f64>() / values.len() as f64;
                    f.insert("mean".into(), number_value(mean));
                }
            },
        }),
        reassess: Some(Reassess {
            fields: &["readings"],
            states: &["open"],
            to: "open",
        }),
        follow_ups: &[],
        presentation: &Presentation::NONE,
        ..BROKEN
    };

    #[test]
    fn rows_are_checked_cell_by_cell_and_blank_rows_dropped() {
        let ok = MEASURED
            .validate(
                &map(json!({"readings": [
                    {"on": "2026-01-31", "value": 97.5, "note": " ok "},
                    {"on": "", "value": null, "note": ""},
                    {"on": "2026-02-28", "value": 95},
                ]})),
                true,
            )
            .unwrap();
        assert_eq!(
            Value::Object(ok.clone()),
            json!({"readings": [
                {"on": "2026-01-31", "value": 97.5, "note": "ok"},
                {"on": "2026-02-28", "value": 95},
            ]})
        );
        let mut computed = ok;
        let settings = Settings::default();
        MEASURED
            .compute(&mut computed, &DeriveCtx::new("2026-03-01", &settings))
            .unwrap();
        assert_eq!(computed["mean"], json!(96.25));

        let errors = MEASURED
            .validate(
                &map(json!({"readings": [
                    {"on": "2026-02-30", "value": 101, "colour": "red"},
                    {"value": "high"},
                    "not a row",
                    {"on": "2026-01-01", "value": 1},
                    {"on": "2026-01-02", "value": 2},
                ]})),
                true,
            )
            .unwrap_err();
        assert_eq!(
            errors,
            [
                err("fields.readings.1.on", "must be a date YYYY-MM-DD"),
                err("fields.readings.1.value", "must be between 0 and 100"),
                err("fields.readings.1.colour", "not a column of this table"),
                err("fields.readings.2.on", "required"),
                err("fields.readings.2.value", "must be a number"),
                err("fields.readings.3", "must be an object of column values"),
                err("fields.readings", "at most 3 rows"),
            ]
        );
        assert_eq!(
            MEASURED
                .validate(&map(json!({"readings": {"on": "2026-01-01"}})), true)
                .unwrap_err(),
            [err(
                "fields.readings",
                "must be a list of rows, each an object of column values"
            )]
        );
        // Computed fields are the kind's, not the user's.
        assert_eq!(
            MEASURED
                .validate(&map(json!({"mean": 5})), true)
                .unwrap_err(),
            [err("fields.mean", "set by the workflow, not by hand")]
        );
    }

    #[test]
    fn a_table_reads_as_one_line_per_row() {
        let info = MEASURED.describe();
        let readings = &info.fields[0];
        assert_eq!(readings.ty, TypeName::Rows);
        assert_eq!(readings.max_rows, Some(3));
        assert_eq!(readings.columns.len(), 3);
        assert_eq!(info.computed, ["mean"]);
        assert_eq!(
            readings.show(&json!([
                {"on": "2026-01-31", "value": 97.5},
                {"on": "2026-02-28", "value": 95, "note": "late"},
            ])),
            "On: 2026-01-31; Value: 97.5\nOn: 2026-02-28; Value: 95; Note: late"
        );
    }

    #[test]
    fn numbers_keep_fractions_and_whole_numbers_stay_whole() {
        let n = FieldType::Number { min: -5, max: 5 };
        assert_eq!(n.check(&json!(2.5)), Ok(json!(2.5)));
        assert_eq!(n.check(&json!(3.0)), Ok(json!(3)));
        assert_eq!(n.check(&json!(-5)), Ok(json!(-5)));
        assert_eq!(
            n.check(&json!(5.01)),
            Err("must be between -5 and 5".into())
        );
        assert_eq!(n.check(&json!("2")), Err("must be a number".into()));
    }

    #[test]
    fn an_edit_to_an_assessed_field_sends_the_record_back() {
        static ACCEPTED: Kind = Kind {
            states: &[
                State {
                    id: "open",
                    label: "Open",
                    terminal: false,
                },
                State {
                    id: "accepted",
                    label: "Accepted",
                    terminal: false,
                },
            ],
            editable_in: &["open", "accepted"],
            reassess: Some(Reassess {
                fields: &["readings"],
                states: &["accepted"],
                to: "open",
            }),
            ..MEASURED
        };
        let changed = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ACCEPTED.reassessed("accepted", &changed(&["title", "fields.readings"])),
            Some("open")
        );
        assert_eq!(ACCEPTED.reassessed("accepted", &changed(&["title"])), None);
        assert_eq!(
            ACCEPTED.reassessed("open", &changed(&["fields.readings"])),
            None
        );
    }

    #[test]
    fn guards_on_values_and_presentations_name_what_they_get_wrong() {
        static VALUED: Kind = Kind {
            transitions: &[Transition {
                id: "go",
                label: "Go",
                from: &["open"],
                to: "open",
                roles: &[Role::Manager],
                requires: &[],
                reason: false,
                signature: None,
                guards: &[
                    Guard::AtLeast {
                        field: "readings",
                        min: 1,
                    },
                    Guard::NotAbove {
                        field: "mean",
                        limit: "ghost",
                    },
                    Guard::OneOf {
                        field: "mean",
                        values: &["high"],
                    },
                    Guard::RequiredWhen {
                        field: "ghost",
                        when: "mean",
                        is: "x",
                    },
                ],
                effects: &[],
            }],
            ..MEASURED
        };
        let mut problems = Vec::new();
        check_kind(&VALUED, &mut problems);
        // MEASURED borrows BROKEN's other mistakes; only the guards are looked at here.
        problems.retain(|p| p.contains("transition 'go'"));
        assert_eq!(
            problems,
            [
                "measured: transition 'go' compares 'readings', which is not a number field",
                "measured: transition 'go' compares 'ghost', which is not a number field",
                "measured: transition 'go' waits for 'mean' to be 'high', which it never is",
                "measured: transition 'go' requires undeclared field 'ghost'",
                "measured: transition 'go' looks for 'mean' to be 'x', which it never is",
            ]
        );

        let bad = Presentation {
            views: &[SavedView {
                label: "Gone",
                query: "state=gone&sort=title",
            }],
            trend: Some(Trend {
                rows: "readings",
                x: "value",
                y: "note",
                target: Some("ghost"),
                band: None,
                band_when: Some(("mean", "band")),
                unit: None,
            }),
            raises: &[Raise {
                kind: "unicorn",
                label: "Raise a unicorn",
            }],
        };
        let mut problems = Vec::new();
        check_presentation(&MEASURED, &bad, &mut problems);
        assert_eq!(
            problems,
            [
                "measured: view 'Gone' names undeclared state 'gone'",
                "measured: trend x 'value' is not a date column",
                "measured: trend y 'note' is not a number column",
                "measured: trend line 'ghost' is not a number field",
                "measured: trend band waits for 'mean' to be 'band', which it never is",
                "measured: raises undeclared kind 'unicorn'",
            ]
        );
    }

    #[test]
    fn guards_on_values_say_what_the_value_is() {
        let f = map(json!({"score": 72.5, "status": "at_risk", "low": 9, "high": 3}));
        let c = ctx("open", Role::Manager, &f, &[]);
        let check = |g: Guard| g.check(None, &c);
        assert_eq!(
            check(Guard::AtLeast {
                field: "score",
                min: 80
            }),
            Err("must be at least 80; it is 72.5".into())
        );
        assert_eq!(
            check(Guard::AtLeast {
                field: "score",
                min: 72
            }),
            Ok(())
        );
        assert_eq!(
            check(Guard::AtLeast {
                field: "absent",
                min: 1
            }),
            Err("must be at least 1; it has no value yet".into())
        );
        assert_eq!(
            check(Guard::OneOf {
                field: "status",
                values: &["on_track", "met"]
            }),
            Err("must be one of: on_track, met; it is at_risk".into())
        );
        assert_eq!(
            check(Guard::RequiredWhen {
                field: "absent",
                when: "status",
                is: "at_risk"
            }),
            Err("required when status is at_risk".into())
        );
        assert_eq!(
            check(Guard::RequiredWhen {
                field: "absent",
                when: "status",
                is: "met"
            }),
            Ok(())
        );
        assert_eq!(
            check(Guard::NotAbove {
                field: "low",
                limit: "high"
            }),
            Err("cannot be above high (3); it is 9".into())
        );
        // Either side missing: nothing to compare, so nothing refused.
        assert_eq!(
            check(Guard::NotAbove {
                field: "low",
                limit: "absent"
            }),
            Ok(())
        );
    }

    #[test]
    fn kinds_must_agree_on_which_state_names_end_a_record() {
        // BROKEN's 'a' is not terminal; a kind where 'a' ends the record clashes with it.
        static ENDS_IN_A: Kind = Kind {
            id: "ends_in_a",
            prefix: "EIA",
            states: &[State {
                id: "a",
                label: "A",
                terminal: true,
            }],
            initial: "a",
            ..BROKEN
        };
        let problems = check_kinds(&[&BROKEN, &ENDS_IN_A]);
        assert!(
            problems.contains(
                &"state 'a' is terminal in 'ends_in_a' but not in 'broken': a state name must \
                  be terminal in every kind or in none"
                    .to_string()
            ),
            "{problems:#?}"
        );
    }

    #[test]
    fn every_clause_a_kind_evidences_is_in_the_catalog() {
        let catalog = crate::Catalog::builtin().unwrap();
        for k in all() {
            assert!(!k.clauses.is_empty(), "{} evidences no clause", k.id);
            for id in k.clauses {
                let (standard, number) = id.split_once('/').unwrap();
                let s = catalog
                    .resolve(standard)
                    .unwrap_or_else(|e| panic!("{}: {id}: {e}", k.id));
                assert_eq!(s.id, standard, "{}: {id} must use the canonical id", k.id);
                assert!(s.clause(number).is_some(), "{}: no clause {id}", k.id);
            }
        }
    }

    #[test]
    fn clause_ids_are_standard_slash_number() {
        assert!(is_clause_id("iso9001:2015/7.5.3"));
        assert!(is_clause_id("iso27001:2022/A.5.1"));
        assert!(is_clause_id("hs:2021/10.2"));
        for bad in [
            "iso9001:2015",
            "iso9001/7.5",
            "ISO9001:2015/7.5",
            "iso9001:15/7.5",
            "iso9001:2015/",
            "iso9001:2015/7.",
            "iso9001:2015/7 5",
        ] {
            assert!(!is_clause_id(bad), "{bad}");
        }
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        for good in [
            "2026-02-28",
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2026-02-30",
            "2023-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "0000-01-01",
            "2026-1-01",
            "2026/01/01",
            "26-01-01",
            "2026-01-01T00:00",
            "+026-01-01",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn every_problem_with_the_fields_is_reported_at_once() {
        let input = map(json!({
            "severity": "huge",
            "source": 3,
            "product_or_process": "x".repeat(201),
            "closed_on": "2026-01-01",
            "colour": "red",
            "root_cause": "a\nb",
        }));
        let errors = NONCONFORMITY.validate(&input, true).unwrap_err();
        assert_eq!(
            errors,
            [
                err("fields.severity", "must be one of: minor, major, critical"),
                err("fields.description", "required"),
                err(
                    "fields.source",
                    "must be one of: internal_audit, customer_complaint, supplier, process, \
                     product, external_audit, incident, other"
                ),
                err("fields.product_or_process", "at most 200 characters"),
                err("fields.closed_on", "set by the workflow, not by hand"),
                err("fields.colour", "not a field of kind 'nonconformity'"),
            ]
        );
    }

    #[test]
    fn validation_trims_text_and_drops_empty_values() {
        let input = map(json!({
            "severity": " major ",
            "description": "\n\n  - step 3 skipped\n  - no record kept  \n\n",
            "product_or_process": "  Line 2  ",
            "containment": "   ",
            "correction": null,
            "closed_on": "",
        }));
        let out = NONCONFORMITY.validate(&input, true).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({
                "severity": "major",
                "description": "  - step 3 skipped\n  - no record kept",
                "product_or_process": "Line 2",
            })
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let ok = map(
            json!({"severity": "minor", "description": "d", "product_or_process": "é".repeat(200)}),
        );
        assert!(NONCONFORMITY.validate(&ok, true).is_ok());
        let long = map(
            json!({"severity": "minor", "description": "d", "product_or_process": "é".repeat(201)}),
        );
        assert_eq!(
            NONCONFORMITY.validate(&long, true).unwrap_err(),
            [err("fields.product_or_process", "at most 200 characters")]
        );
    }

    #[test]
    fn types_are_checked() {
        let input = map(json!({
            "doc_type": "procedure",
            "summary": 12,
            "body": ["a"],
            "revision": 2.5,
            "effective_date": "2026-02-30",
            "periodic_review": "next year",
        }));
        // Read back from the store: system fields are allowed but still typed.
        let errors = DOCUMENT.validate(&input, false).unwrap_err();
        assert_eq!(
            errors,
            [
                err("fields.summary", "must be text"),
                err("fields.body", "must be text"),
                err("fields.revision", "must be a whole number"),
                err("fields.effective_date", "must be a date YYYY-MM-DD"),
                err("fields.periodic_review", "must be a date YYYY-MM-DD"),
            ]
        );
        let range = map(json!({"revision": -1}));
        assert_eq!(
            DOCUMENT.validate(&range, false).unwrap_err(),
            [err("fields.revision", "must be between 0 and 1000000")]
        );
        let text_for_number = map(json!({"revision": "3"}));
        assert_eq!(
            DOCUMENT.validate(&text_for_number, false).unwrap_err(),
            [err("fields.revision", "must be a whole number")]
        );
    }

    #[test]
    fn system_fields_pass_when_they_come_from_the_workflow() {
        let input = map(json!({"revision": 3, "effective_date": " 2026-03-01 "}));
        assert_eq!(
            Value::Object(DOCUMENT.validate(&input, false).unwrap()),
            json!({"revision": 3, "effective_date": "2026-03-01"})
        );
        assert_eq!(
            DOCUMENT.validate(&input, true).unwrap_err(),
            [
                err("fields.revision", "set by the workflow, not by hand"),
                err("fields.effective_date", "set by the workflow, not by hand"),
            ]
        );
    }

    #[test]
    fn references_are_one_line_and_record_numbers_are_written_in_capitals() {
        let role = FieldType::Ref(Ref::Record("job_role"));
        assert_eq!(role.check(&json!(" role-0001 ")), Ok(json!("ROLE-0001")));
        assert_eq!(
            FieldType::Ref(Ref::User).check(&json!(" Ada ")),
            Ok(json!("Ada"))
        );
        assert_eq!(
            role.check(&json!("a\nb")),
            Err("must be one line of at most 100 characters".into())
        );
        assert_eq!(role.check(&json!(7)), Err("must be text".into()));
        let mut problems = Vec::new();
        check_type(
            &Field {
                name: "pet",
                label: "Pet",
                help: "",
                ty: FieldType::Ref(Ref::Record("unicorn")),
                required: false,
                system: false,
            },
            &mut |p| problems.push(p),
        );
        assert_eq!(
            problems,
            ["field 'pet' names records of undeclared kind 'unicorn'"]
        );
        let info = DOCUMENT.describe();
        let roles = info
            .fields
            .iter()
            .find(|f| f.name == "used_by_roles")
            .unwrap();
        assert_eq!(roles.columns[0].ty, TypeName::Record);
        assert_eq!(roles.columns[0].refers_to.as_deref(), Some("job_role"));
    }

    #[test]
    fn bool_fields_take_true_or_false() {
        assert_eq!(FieldType::Bool.check(&json!(true)), Ok(json!(true)));
        assert_eq!(
            FieldType::Bool.check(&json!("yes")),
            Err("must be true or false".to_string())
        );
    }

    #[test]
    fn titles_are_one_trimmed_line_of_at_most_200_characters() {
        assert_eq!(
            validate_title("  Control of records "),
            Ok("Control of records".into())
        );
        assert_eq!(validate_title(&"t".repeat(200)).map(|t| t.len()), Ok(200));
        assert_eq!(
            validate_title(&"t".repeat(201)),
            Err(err("title", "at most 200 characters"))
        );
        assert_eq!(validate_title("  "), Err(err("title", "required")));
        assert_eq!(
            validate_title("a\nb"),
            Err(err("title", "must be a single line"))
        );
    }

    #[test]
    fn an_unknown_transition_is_named() {
        let fields = Map::new();
        let errors = DOCUMENT
            .check_transition("publish", &ctx("draft", Role::Administrator, &fields, &[]))
            .unwrap_err();
        assert_eq!(
            errors,
            [err(
                "transition",
                "not a transition of kind 'document'; it has: submit, reject, approve, \
                 make_effective, revise, obsolete"
            )]
        );
    }

    #[test]
    fn a_reason_is_trimmed_and_limited() {
        let fields = Map::new();
        let mut c = ctx("in_review", Role::Manager, &fields, &[]);
        c.reason = Some("  wrong template \n");
        let plan = DOCUMENT.check_transition("reject", &c).unwrap();
        assert_eq!(plan.reason.as_deref(), Some("wrong template"));
        let long = "r".repeat(REASON_MAX + 1);
        c.reason = Some(&long);
        assert_eq!(
            DOCUMENT.check_transition("reject", &c).unwrap_err(),
            [err("reason", "at most 2000 characters")]
        );
    }

    #[test]
    fn increment_counts_an_absent_field_as_zero() {
        let mut fields = Map::new();
        Effect::Increment("revision")
            .apply(&mut fields, "2026-01-01")
            .unwrap();
        assert_eq!(fields.get("revision"), Some(&json!(1)));
        Effect::Increment("revision")
            .apply(&mut fields, "2026-01-01")
            .unwrap();
        assert_eq!(fields.get("revision"), Some(&json!(2)));
        let mut broken = map(json!({"revision": "two"}));
        assert_eq!(
            Effect::Increment("revision").apply(&mut broken, "2026-01-01"),
            Err(err("fields.revision", "must be a whole number"))
        );
    }

    #[test]
    fn set_today_refuses_a_today_that_is_not_a_date() {
        let mut fields = Map::new();
        assert_eq!(
            Effect::SetToday("closed_on").apply(&mut fields, "14/03/2026"),
            Err(err("today", "must be a date YYYY-MM-DD"))
        );
        assert!(fields.is_empty());
        Effect::SetToday("closed_on")
            .apply(&mut fields, "2026-03-14")
            .unwrap();
        assert_eq!(fields.get("closed_on"), Some(&json!("2026-03-14")));
        Effect::Clear("closed_on")
            .apply(&mut fields, "2026-03-14")
            .unwrap();
        assert!(fields.is_empty());
    }

    #[test]
    fn meanings_read_and_write_their_snake_case_names() {
        for m in Meaning::ALL {
            assert_eq!(Meaning::parse(m.as_str()), Some(m));
            assert_eq!(
                Meaning::parse(&format!(" {} ", m.label().to_uppercase())),
                Some(m)
            );
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        assert_eq!(Meaning::parse("signed"), None);
        assert_eq!(Meaning::Approved.label(), "Approved");
    }

    #[test]
    fn the_description_carries_what_a_form_needs() {
        let info = serde_json::to_value(NONCONFORMITY.describe()).unwrap();
        assert_eq!(info["id"], "nonconformity");
        assert_eq!(info["prefix"], "NC");
        assert_eq!(info["initial"], "reported");
        assert_eq!(info["acknowledge_in"], Value::Null);
        assert_eq!(
            info["fields"][0],
            json!({
                "name": "severity",
                "label": "Severity",
                "help": NONCONFORMITY.fields[0].help,
                "type": "choice",
                "required": true,
                "system": false,
                "max_length": null,
                "min": null,
                "max": null,
                "choices": [
                    {"value": "minor", "label": "Minor"},
                    {"value": "major", "label": "Major"},
                    {"value": "critical", "label": "Critical"},
                ],
            })
        );
        assert_eq!(info["fields"][3]["type"], "text");
        assert_eq!(info["fields"][3]["max_length"], 200);
        assert_eq!(info["fields"][8]["type"], "date");
        assert_eq!(info["fields"][8]["system"], true);
        assert_eq!(
            info["transitions"][2],
            json!({
                "id": "close",
                "label": "Close",
                "from": ["investigated"],
                "to": "closed",
                "roles": ["manager", "administrator"],
                "requires": ["disposition"],
                "reason": false,
                "signature": "verified",
                "guards": [],
                "effects": ["sets closed_on to today"],
            })
        );
        assert_eq!(
            info["create_roles"],
            json!(["contributor", "auditor", "manager", "administrator"])
        );
        assert_eq!(
            info["states"][3],
            json!({"id": "closed", "label": "Closed", "terminal": true})
        );

        let doc = serde_json::to_value(DOCUMENT.describe()).unwrap();
        assert_eq!(doc["fields"][3]["type"], "integer");
        assert_eq!(doc["fields"][3]["min"], 0);
        assert_eq!(doc["fields"][2]["type"], "long_text");
        assert_eq!(doc["fields"][2]["max_length"], 200_000);
        assert_eq!(
            doc["transitions"][2]["guards"],
            json!([
                "needs a 'reviewed' signature on this version",
                "the 'reviewed' and 'approved' signatures must come from different people",
            ])
        );
        assert_eq!(
            doc["signings"],
            json!([{"meaning": "reviewed", "states": ["in_review"],
                    "roles": ["contributor", "auditor", "manager", "administrator"]}])
        );
        assert_eq!(doc["acknowledge_in"], "effective");
        assert_eq!(doc["editable_in"], json!(["draft"]));
    }
}
