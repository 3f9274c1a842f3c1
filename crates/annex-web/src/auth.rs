//! Who is asking, and CSRF protection.
//!
//! The [`authenticate`] middleware finds the principal of every request — from an
//! `Authorization: Bearer` personal API token, or from the session cookie — and keeps it in the
//! request's extensions for the [`Auth`] and [`MaybeAuth`] extractors.
//!
//! CSRF: a request that changes something and rides on the session cookie must also carry the
//! session's CSRF token, in the `X-CSRF-Token` header (htmx and scripts), in a `csrf` field of
//! a urlencoded form, or in the `csrf` query parameter (multipart uploads). Requests with a
//! bearer token are not exposed to CSRF, since browsers never add that header on their own.
//! The cookie is also `SameSite=Lax` and `HttpOnly`.

use annex_app::{App, Error, Principal, accounts};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, OriginalUri, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{ApiError, PageError};

/// The session cookie's name.
pub const COOKIE: &str = "annex_session";

/// Largest urlencoded form read when looking for a CSRF field.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// How the principal was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

/// The request's principal, as found by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Found {
    pub principal: Principal,
    pub via: Via,
    /// The session cookie's secret, for logout.
    pub token: Option<String>,
}

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn csrf_refused(api: bool) -> Response {
    let e = Error::Forbidden {
        action: "csrf".into(),
        rule: "the form's CSRF token is missing or does not match your session; reload the page and try again"
            .into(),
    };
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

/// Finds the principal and checks the CSRF token of state-changing requests.
pub async fn authenticate(State(app): State<App>, req: Request<Body>, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let (mut parts, body) = req.into_parts();
    let mut found = None;
    if app.store().is_ok() {
        if let Some(t) = bearer(&parts.headers) {
            match accounts::token(&app, &t).await {
                Ok(p) => {
                    found = Some(Found {
                        principal: p,
                        via: Via::Token,
                        token: None,
                    })
                }
                // A wrong token is an error, not an anonymous request.
                Err(e) => return ApiError(e).into_response(),
            }
        } else if let Some(t) = cookie(&parts.headers, COOKIE)
            && let Ok(p) = accounts::session(&app, &t).await
        {
            found = Some(Found {
                principal: p,
                via: Via::Session,
                token: Some(t),
            });
        }
    }
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = body;
    if unsafe_method && let Some(f) = found.as_ref().filter(|f| f.via == Via::Session) {
        let expected = f.principal.csrf.clone().unwrap_or_default();
        let mut sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                parts.uri.query().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == "csrf")
                        .map(|(_, v)| v.into_owned())
                })
            });
        let urlencoded = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if sent.is_none() && urlencoded {
            let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
            };
            sent = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned());
            body = Body::from(bytes);
        }
        if expected.is_empty() || sent.as_deref() != Some(expected.as_str()) {
            return csrf_refused(api);
        }
    }
    if let Some(f) = found {
        parts.extensions.insert(f);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// A request that must be authenticated: API requests without credentials are 401; pages
/// redirect to the login page and come back afterwards.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

pub enum AuthRejection {
    Api(ApiError),
    Login(String),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Login(next) => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Inside a nested router the URI has lost its prefix; the original one has it.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |u| u.0.path().to_string());
        match parts.extensions.get::<Found>() {
            Some(f) => Ok(Auth(f.principal.clone())),
            None if is_api(&path) => Err(AuthRejection::Api(ApiError(Error::Unauthenticated(
                "log in, or send a personal API token as 'Authorization: Bearer <token>'".into(),
            )))),
            None => Err(AuthRejection::Login(come_back_to(parts))),
        }
    }
}

/// Where to return after logging in: the page asked for; for a form posted after the session
/// ended, the page the form was on (a same-site `Referer`), since the form's own URL only
/// answers POST.
fn come_back_to(parts: &Parts) -> String {
    if matches!(parts.method, Method::GET | Method::HEAD) {
        return parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.to_string());
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    parts
        .headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (Some(authority) == host && !path.is_empty()).then(|| path.to_string())
        })
        .unwrap_or_else(|| "/".to_string())
}

/// The principal if there is one (public pages that change when logged in).
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Found>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(parts.extensions.get::<Found>().cloned()))
    }
}

/// The `Set-Cookie` value that starts a session. `Secure` is added when Annex is told it is
/// served over HTTPS (`ANNEX_SECURE_COOKIES`), since browsers drop secure cookies on plain
/// HTTP and the default set-up is a local one.
pub fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
