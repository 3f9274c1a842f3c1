//! The demo organisation: a fictional medical-device manufacturer with two sites, its people
//! in every role and a few hundred records of every kind, in every state, so that someone
//! trying Annex meets a system that is already in use (`annex demo`, `annex serve --demo`).
//!
//! Everything is done through the same use cases a person would use — create, edit, workflow
//! steps, signatures re-entering the password, links, comments, acknowledgements — acting as
//! the demo's people, so the versions, signatures and audit trail are real and verify. Only
//! dates that people type (due dates, review dates, dates in the texts) are spread over the
//! past eighteen months and the coming year; the times of events and the dates the workflow
//! sets are the real ones, because the audit trail is never made up.
//!
//! What belongs where: this file runs the whole and holds the helpers the content files share
//! ([`Demo`]); [`org`] is the company, its sites and people; one file per record kind holds
//! that kind's records and their stories. A new kind adds its file here and one line in
//! [`load`] (after the kinds its records link to).
//!
//! The content is fixed and the few choices made "at random" come from a seeded generator, so
//! two runs on the same day make the same records with the same numbers; only dates move,
//! relative to today.

mod action;
mod capa;
mod change;
mod complaint;
mod context_issue;
mod document;
mod equipment;
mod interested_party;
mod nonconformity;
mod objective;
pub mod org;
mod process;
mod risk;
mod supplier;
mod training;

use std::collections::HashMap;

use annex_core::kinds::Meaning;
use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::accounts::{self, NewAccount, Principal};
use crate::records::{self, Edit, ListQuery, NewLink, NewRecord, Signing, Step};
use crate::{App, Error, clock};

pub use org::{COMPANY, PASSWORD, PEOPLE, Person, SITES, Site};

/// What the demo made, to tell the person who asked for it.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Records made, per kind id, in the order the kinds were filled.
    pub records: Vec<(&'static str, usize)>,
    pub users: usize,
}

impl Summary {
    pub fn total(&self) -> usize {
        self.records.iter().map(|(_, n)| n).sum()
    }
}

/// Fills an empty database with the demo organisation. A database that already holds a user
/// or a record is refused, and nothing is written.
pub async fn load(app: &App) -> Result<Summary, Error> {
    refuse_unless_empty(app).await?;
    let mut demo = Demo::start(app).await?;
    // One line per kind, in an order that lets later kinds link to earlier ones.
    document::add(&mut demo).await?;
    nonconformity::add(&mut demo).await?;
    capa::add(&mut demo).await?;
    action::add(&mut demo).await?;
    change::add(&mut demo).await?;
    context_issue::add(&mut demo).await?;
    interested_party::add(&mut demo).await?;
    process::add(&mut demo).await?;
    complaint::add(&mut demo).await?;
    risk::add(&mut demo).await?;
    objective::add(&mut demo).await?;
    supplier::add(&mut demo).await?;
    equipment::add(&mut demo).await?;
    training::add(&mut demo).await?;
    Ok(demo.summary())
}

/// Whether the database holds the demo organisation: its administrator account, under the
/// demo's printed name, exists.
pub async fn is_demo(app: &App) -> Result<bool, Error> {
    let admin = org::administrator();
    Ok(app
        .store()?
        .user_by_name(admin.username)
        .await?
        .is_some_and(|u| u.display_name == admin.name))
}

async fn refuse_unless_empty(app: &App) -> Result<(), Error> {
    let users = app.store()?.count_users().await?;
    let records = records::count(app, &Principal::system(), ListQuery::default()).await?;
    if users > 0 || records.n > 0 {
        return Err(Error::invalid(
            "database",
            format!(
                "already holds {users} user(s) and {records} record(s): the demo only fills an \
                 empty database, and nothing was changed"
            ),
        ));
    }
    Ok(())
}

/// The demo being built: the application, the people as they act, today, the seeded
/// generator, and what earlier content files left for later ones to link to.
pub(crate) struct Demo<'a> {
    app: &'a App,
    people: HashMap<&'static str, Principal>,
    today: Date,
    rng: Rng,
    /// The version each record was last seen at, so that each step names the version it
    /// builds on without reading the record again.
    versions: HashMap<String, i64>,
    /// Numbers of records other files may want, by a tag such as `doc:capa-procedure`.
    tagged: HashMap<String, Vec<String>>,
    made: Vec<(&'static str, usize)>,
}

impl<'a> Demo<'a> {
    /// Sets up the first administrator (which fails if anyone got there first) and the other
    /// people.
    async fn start(app: &'a App) -> Result<Self, Error> {
        let today: Date = clock::today()
            .parse()
            .map_err(|e| Error::Internal(format!("today is not a date: {e}")))?;
        let admin = org::administrator();
        let first = accounts::setup(app, account(admin, today)).await?;
        let mut people = HashMap::new();
        people.insert(admin.username, first.clone());
        for p in PEOPLE.iter().filter(|p| p.username != admin.username) {
            let u = accounts::add_user(app, &first, account(p, today)).await?;
            people.insert(
                p.username,
                Principal {
                    id: u.id,
                    username: u.username,
                    display_name: u.display_name,
                    role: u.role,
                    sites: u.sites,
                    expires_on: u.expires_on,
                    csrf: None,
                },
            );
        }
        Ok(Self {
            app,
            people,
            today,
            rng: Rng(0x0A11_E7DE_1105_2026),
            versions: HashMap::new(),
            tagged: HashMap::new(),
            made: Vec::new(),
        })
    }

    fn summary(&self) -> Summary {
        Summary {
            records: self.made.clone(),
            users: self.people.len(),
        }
    }

    fn who(&self, username: &str) -> Result<&Principal, Error> {
        self.people
            .get(username)
            .ok_or_else(|| Error::Internal(format!("the demo has no person '{username}'")))
    }

    /// The date `days` from today (negative: in the past), `YYYY-MM-DD`.
    pub(crate) fn day(&self, days: i64) -> String {
        self.today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(self.today)
            .to_string()
    }

    /// A whole number from `lo` to `hi`, both included, from the seeded generator.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.rng.next() % span).unwrap_or(0)
    }

    /// One of `items`, from the seeded generator.
    pub(crate) fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        let i = usize::try_from(self.between(0, items.len() as i64 - 1)).unwrap_or(0);
        &items[i.min(items.len() - 1)]
    }

    /// A due date for the `i`th open record of a kind: the buckets of the task list in turn
    /// (overdue, today, soon, later), so that every list has some of each.
    pub(crate) fn due_for_open(&mut self, i: usize) -> String {
        let days = match i % 8 {
            0 | 4 => self.between(-75, -1),
            1 => 0,
            2 | 6 => self.between(1, 7),
            _ => self.between(8, 150),
        };
        self.day(days)
    }

    pub(crate) fn tag(&mut self, tag: impl Into<String>, number: &str) {
        self.tagged
            .entry(tag.into())
            .or_default()
            .push(number.to_string());
    }

    /// The records tagged `tag` by an earlier content file, oldest first.
    pub(crate) fn tagged(&self, tag: &str) -> Vec<String> {
        self.tagged.get(tag).cloned().unwrap_or_default()
    }

    /// Counts the records a content file made (read back from the numbers given out).
    pub(crate) fn made(&mut self, kind: &'static str, n: usize) {
        match self.made.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, m)) => *m += n,
            None => self.made.push((kind, n)),
        }
    }

    // -----------------------------------------------------------------------------------
    // The use cases, as the demo's people take them.

    pub(crate) async fn create(&mut self, by: &str, new: New<'_>) -> Result<String, Error> {
        let who = self.who(by)?.clone();
        let r = records::create(
            self.app,
            &who,
            NewRecord {
                kind: new.kind.into(),
                title: new.title.into(),
                owner: new.owner.map(str::to_string),
                site: Some(new.site.into()),
                due_on: new.due_on,
                fields: object(new.fields),
                part_of: new.part_of.map(str::to_string),
            },
        )
        .await?;
        self.versions.insert(r.number.clone(), r.version);
        Ok(r.number)
    }

    /// Changes fields (a null removes one).
    pub(crate) async fn edit(
        &mut self,
        by: &str,
        number: &str,
        fields: Value,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        let r = records::update(
            self.app,
            &who,
            number,
            Edit {
                version: self.version(number),
                fields: object(fields),
                ..Edit::default()
            },
        )
        .await?;
        self.versions.insert(r.number, r.version);
        Ok(())
    }

    /// Changes the due date.
    pub(crate) async fn set_due(&mut self, by: &str, number: &str, due: &str) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        let r = records::update(
            self.app,
            &who,
            number,
            Edit {
                version: self.version(number),
                due_on: Some(Some(due.to_string())),
                ..Edit::default()
            },
        )
        .await?;
        self.versions.insert(r.number, r.version);
        Ok(())
    }

    /// Takes a workflow step; a step that signs re-enters the person's password, as the
    /// form asks them to.
    pub(crate) async fn step(
        &mut self,
        by: &str,
        number: &str,
        transition: &str,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        let r = records::transition(
            self.app,
            &who,
            number,
            Step {
                version: self.version(number),
                transition: transition.into(),
                reason: reason.map(str::to_string),
                password: Some(PASSWORD.into()),
            },
        )
        .await?;
        self.versions.insert(r.number, r.version);
        Ok(())
    }

    pub(crate) async fn sign(
        &mut self,
        by: &str,
        number: &str,
        meaning: Meaning,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        records::sign(
            self.app,
            &who,
            number,
            Signing {
                version: self.version(number),
                meaning: meaning.as_str().into(),
                password: PASSWORD.into(),
            },
        )
        .await?;
        Ok(())
    }

    /// Links record `from` to record `to`.
    pub(crate) async fn link(
        &mut self,
        by: &str,
        from: &str,
        relation: &str,
        to: &str,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        records::link(
            self.app,
            &who,
            from,
            NewLink {
                target: Some(to.into()),
                clause: None,
                relation: Some(relation.into()),
            },
        )
        .await?;
        Ok(())
    }

    /// Links record `from` to a catalog clause as evidence of it.
    pub(crate) async fn evidence(
        &mut self,
        by: &str,
        from: &str,
        clause: &str,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        records::link(
            self.app,
            &who,
            from,
            NewLink {
                target: None,
                clause: Some(clause.into()),
                relation: None,
            },
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn comment(
        &mut self,
        by: &str,
        number: &str,
        body: &str,
    ) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        records::comment(self.app, &who, number, body).await?;
        Ok(())
    }

    pub(crate) async fn acknowledge(&mut self, by: &str, number: &str) -> Result<(), Error> {
        let who = self.who(by)?.clone();
        records::acknowledge(self.app, &who, number).await?;
        Ok(())
    }

    /// Reads a record again, as the administrator sees it, and remembers the version it is
    /// at: after the system itself changed it (a whole computed again when one of its parts
    /// moved), or to find what a step opened by itself (in its links).
    pub(crate) async fn reload(&mut self, number: &str) -> Result<records::Detail, Error> {
        let who = self.who(org::administrator().username)?.clone();
        let detail = records::get(self.app, &who, number).await?;
        self.versions
            .insert(detail.record.number.clone(), detail.record.version);
        Ok(detail)
    }

    fn version(&self, number: &str) -> i64 {
        self.versions.get(number).copied().unwrap_or(1)
    }
}

/// A record to create.
pub(crate) struct New<'s> {
    pub kind: &'static str,
    pub title: &'s str,
    pub owner: Option<&'s str>,
    /// A site code, or empty for the whole organisation.
    pub site: &'s str,
    pub due_on: Option<String>,
    /// A JSON object of the kind's fields.
    pub fields: Value,
    pub part_of: Option<&'s str>,
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn account(p: &Person, today: Date) -> NewAccount {
    NewAccount {
        username: p.username.into(),
        display_name: p.name.into(),
        email: format!("{}@{}", p.username, org::EMAIL_DOMAIN),
        password: PASSWORD.into(),
        role: p.role.as_str().into(),
        sites: p.sites.iter().map(|s| s.to_string()).collect(),
        // An external auditor's access ends: the demo's ends six weeks from the day it is made.
        expires_on: p.access_days.map(|d| {
            today
                .checked_add(jiff::Span::new().days(d))
                .unwrap_or(today)
                .to_string()
        }),
    }
}

/// SplitMix64: a small, fixed generator, so that the demo is the same every time it is made.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
