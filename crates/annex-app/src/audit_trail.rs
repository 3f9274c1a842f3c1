//! Reading and verifying the audit trail. Reading needs the `read_audit_trail` permission;
//! verifying the whole chain is for administrators (and `annex verify`). Running a
//! verification is itself an event.

use annex_core::audit_trail::{Draft, Event};
use annex_core::role::Permission;
pub use annex_store::audit_trail::EventFilter;
use annex_store::audit_trail::Verification;
use serde::Serialize;
use serde_json::json;

use crate::accounts::require;
use crate::{App, Error, Principal, clock};

/// One event as shown to people.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventView {
    pub seq: i64,
    /// UTC, ISO 8601.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub hash: String,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        Self {
            seq: e.seq,
            at: clock::iso(e.draft.at_us),
            actor: e.draft.actor,
            action: e.draft.action,
            subject: e.draft.subject,
            before: e.draft.before,
            after: e.draft.after,
            reason: e.draft.reason,
            hash: hex::encode(e.hash),
        }
    }
}

/// A page of events, newest first, and where the next page starts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub events: Vec<EventView>,
    /// Pass as `before` for the next (older) page.
    pub next: Option<i64>,
}

/// Events matching the filter, newest first.
pub async fn list(app: &App, who: &Principal, mut filter: EventFilter) -> Result<EventPage, Error> {
    require(app, who, Permission::ReadAuditTrail).await?;
    if filter.limit <= 0 {
        filter.limit = 50;
    }
    let events = app.store()?.events(&filter).await?;
    let next = if i64::try_from(events.len()).unwrap_or(0) == filter.limit.clamp(1, 1000) {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(EventPage {
        events: events.into_iter().map(EventView::from).collect(),
        next,
    })
}

/// The result of a verification, for people and scripts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub intact: bool,
    pub checked: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first broken link, in words; none when intact.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
    pub at: String,
}

impl From<Verification> for Report {
    fn from(v: Verification) -> Self {
        Self {
            intact: v.broken.is_none(),
            checked: v.checked,
            head_seq: v.head_seq,
            head_hash: v.head_hash,
            broken_at: v.broken.as_ref().map(|b| b.seq),
            problem: v.broken.map(|b| b.to_string()),
            at: clock::iso(clock::now_us()),
        }
    }
}

/// Recomputes the whole chain and names the first broken link. The run is audited after the
/// check, so it does not change what it checks.
pub async fn verify(app: &App, who: &Principal) -> Result<Report, Error> {
    require(app, who, Permission::VerifyAuditTrail).await?;
    let store = app.store()?;
    let report = Report::from(store.verify().await?);
    let mut tx = store.begin().await?;
    tx.audit(Draft {
        at_us: clock::now_us(),
        actor: who.username.clone(),
        action: "audit_trail.verify".into(),
        subject: "audit_trail".into(),
        before: None,
        after: Some(json!({"intact": report.intact, "checked": report.checked, "broken_at": report.broken_at})),
        reason: None,
    });
    tx.commit().await?;
    Ok(report)
}
