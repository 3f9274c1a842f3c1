//! The audit-trail page (`/admin/audit-trail`): events newest first with filters and paging
//! towards older events, and the check that recomputes the hash chain. Reading needs the
//! `read_audit_trail` permission, verifying is for administrators; the app layer decides both.

use annex_app::audit_trail::{self, EventFilter, EventView, Report};
use annex_app::{App, Principal};
use annex_core::role::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Form, Input, Nav, utc};
use crate::auth::Auth;
use crate::error::{PageError, render};

/// Events per page.
const PAGE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct EventQuery {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    /// Events older than this sequence number.
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit_trail/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub csrf: String,
    pub inputs: Vec<Input>,
    pub events: Vec<EventRow>,
    pub older_href: Option<String>,
    pub newest_href: Option<String>,
    pub may_verify: bool,
    pub report: Option<Report>,
}

pub struct EventRow {
    pub e: EventView,
    pub at: String,
    /// The subject is a record: link to it.
    pub record: bool,
    pub before: String,
    pub after: String,
}

impl ListPage {
    pub fn utc(&self, iso: &str) -> String {
        utc(iso)
    }

    pub fn short(&self, hash: &str) -> String {
        hash.chars().take(12).collect()
    }
}

fn compact(v: Option<&serde_json::Value>) -> String {
    v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default()
}

/// Whether an event subject names a record (`DOC-0001`) rather than a user or the trail.
fn is_record(subject: &str) -> bool {
    subject.split_once('-').is_some_and(|(p, n)| {
        !p.is_empty()
            && p.chars().all(|c| c.is_ascii_uppercase())
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

fn query_string(q: &EventQuery, before: Option<i64>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("subject", &q.subject),
        ("actor", &q.actor),
        ("action", &q.action),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    if let Some(b) = before {
        s.append_pair("before", &b.to_string());
    }
    let s = s.finish();
    if s.is_empty() {
        "/admin/audit-trail".into()
    } else {
        format!("/admin/audit-trail?{s}")
    }
}

async fn page(
    app: &App,
    who: &Principal,
    nav: Nav,
    q: &EventQuery,
    report: Option<Report>,
) -> Result<ListPage, PageError> {
    let filter = EventFilter {
        subject: Some(q.subject.trim().to_string()).filter(|s| !s.is_empty()),
        actor: Some(q.actor.trim().to_string()).filter(|s| !s.is_empty()),
        action: Some(q.action.trim().to_string()).filter(|s| !s.is_empty()),
        before_seq: q.before,
        limit: PAGE,
    };
    let events = audit_trail::list(app, who, filter).await?;
    let typed = Form(vec![
        ("subject".into(), q.subject.clone()),
        ("actor".into(), q.actor.clone()),
        ("action".into(), q.action.clone()),
    ]);
    let p = "trail-";
    let inputs = vec![
        Input::new(p, "subject", "Subject", "text")
            .value(typed.get("subject"))
            .hint("A record number, or user:name."),
        Input::new(p, "actor", "Who", "text")
            .value(typed.get("actor"))
            .hint("A user name."),
        Input::new(p, "action", "Action", "text")
            .value(typed.get("action"))
            .hint("Such as record.transition, or record. for every record action."),
    ];
    Ok(ListPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        inputs,
        older_href: events.next.map(|n| query_string(q, Some(n))),
        newest_href: q.before.map(|_| query_string(q, None)),
        events: events
            .events
            .into_iter()
            .map(|e| EventRow {
                at: utc(&e.at),
                record: is_record(&e.subject),
                before: compact(e.before.as_ref()),
                after: compact(e.after.as_ref()),
                e,
            })
            .collect(),
        may_verify: who.role.may(Permission::VerifyAuditTrail),
        report,
    })
}

/// `GET /admin/audit-trail`: events, newest first.
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    Ok(render(&page(&app, &who, nav, &q, None).await?))
}

/// `POST /admin/audit-trail/verify`: recomputes the whole chain and shows the result above
/// the newest events. Shown directly rather than redirected: the result is the point, and
/// running it again is harmless.
pub async fn verify(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
) -> Result<Response, PageError> {
    let report = audit_trail::verify(&app, &who).await?;
    Ok(render(
        &page(&app, &who, nav, &EventQuery::default(), Some(report)).await?,
    ))
}
