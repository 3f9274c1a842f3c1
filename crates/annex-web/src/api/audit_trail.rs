//! `/api/v1/audit-trail`: the hash-chained audit trail, newest first, and its verification.

use annex_app::App;
use annex_app::audit_trail::EventFilter;
use annex_app::audit_trail::{self, EventPage, Report};
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::auth::Auth;
use crate::error::ApiError;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventQuery {
    /// A record number or `user:<name>`.
    pub subject: Option<String>,
    pub actor: Option<String>,
    /// An action, or a prefix ending in `.` such as `record.`.
    pub action: Option<String>,
    /// Events older than this sequence number (the `next` of the previous page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// Audit-trail events, newest first.
#[utoipa::path(get, path = "/api/v1/audit-trail", tag = "audit trail", params(EventQuery),
    responses((status = 200, body = EventPage), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    Query(q): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let filter = EventFilter {
        subject: q.subject.filter(|s| !s.is_empty()),
        actor: q.actor.filter(|s| !s.is_empty()),
        action: q.action.filter(|s| !s.is_empty()),
        before_seq: q.before,
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(audit_trail::list(&app, &who, filter).await?))
}

/// Recomputes the whole chain and names the first broken link (administrators).
#[utoipa::path(post, path = "/api/v1/audit-trail/verify", tag = "audit trail",
    responses((status = 200, body = Report), (status = 403, body = crate::error::Problem)))]
pub async fn verify(State(app): State<App>, Auth(who): Auth) -> Result<Json<Report>, ApiError> {
    Ok(Json(audit_trail::verify(&app, &who).await?))
}
