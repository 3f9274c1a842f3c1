//! `/api/v1/setup`, `/session`, `/me`, `/tokens` and `/users`: the first administrator,
//! logging in and out, personal API tokens, and account administration.

use annex_app::accounts::{self, Access, NewAccount, NewToken, UserView};
use annex_app::{App, Principal};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::body::Body;
use crate::auth::{self, Auth, MaybeAuth};
use crate::error::ApiError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub password: String,
    /// Ignored by set-up (the first account is an administrator).
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub sites: Vec<String>,
    #[serde(default)]
    pub expires_on: Option<String>,
}

impl From<AccountInput> for NewAccount {
    fn from(a: AccountInput) -> Self {
        NewAccount {
            username: a.username,
            display_name: a.display_name,
            email: a.email,
            password: a.password,
            role: a.role,
            sites: a.sites,
            expires_on: a.expires_on,
        }
    }
}

/// Creates the first administrator; refused once any account exists.
#[utoipa::path(post, path = "/api/v1/setup", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = Principal), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn setup(
    State(app): State<App>,
    Body(a): Body<AccountInput>,
) -> Result<Response, ApiError> {
    let p = accounts::setup(&app, a.into()).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub user: Principal,
    /// Send as `X-CSRF-Token` with every request that changes something.
    pub csrf: String,
}

/// Logs in; the session cookie is set and the CSRF token returned.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = LoginInput,
    responses((status = 200, body = SessionView), (status = 401, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, headers(("Retry-After" = u64, description = "Seconds until the next login may be tried")))))]
pub async fn login(
    State(app): State<App>,
    Body(l): Body<LoginInput>,
) -> Result<Response, ApiError> {
    let s = accounts::login(&app, &l.username, &l.password).await?;
    let cookie = auth::session_cookie(
        &s.token,
        app.config.session_hours * 3600,
        app.config.secure_cookies,
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SessionView {
            user: s.principal,
            csrf: s.csrf,
        }),
    )
        .into_response())
}

/// Logs out of the current session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts", responses((status = 204)))]
pub async fn logout(
    State(app): State<App>,
    MaybeAuth(found): MaybeAuth,
) -> Result<Response, ApiError> {
    if let Some(t) = found.and_then(|f| f.token) {
        accounts::logout(&app, &t).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_cookie())],
    )
        .into_response())
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = Principal), (status = 401, body = crate::error::Problem)))]
pub async fn me(Auth(who): Auth) -> Json<Principal> {
    Json(who)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    pub name: String,
}

/// Creates a personal API token; its secret is returned once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenInput,
    responses((status = 201, body = NewToken), (status = 422, body = crate::error::Problem)))]
pub async fn create_token(
    State(app): State<App>,
    Auth(who): Auth,
    Body(t): Body<TokenInput>,
) -> Result<Response, ApiError> {
    let t = accounts::create_token(&app, &who, &t.name).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Revokes one of your tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_token(
    State(app): State<App>,
    Auth(who): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_token(&app, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every account (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, body = [UserView]), (status = 403, body = crate::error::Problem)))]
pub async fn users(
    State(app): State<App>,
    Auth(who): Auth,
) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(accounts::users(&app, &who).await?))
}

/// Adds an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = UserView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_user(
    State(app): State<App>,
    Auth(who): Auth,
    Body(a): Body<AccountInput>,
) -> Result<Response, ApiError> {
    let u = accounts::add_user(&app, &who, a.into()).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AccessInput {
    pub role: Option<String>,
    pub sites: Option<Vec<String>>,
    /// A date, or an empty string to remove the expiry.
    pub expires_on: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes an account's role, sites, expiry or disabled flag (administrators).
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "accounts", request_body = AccessInput, params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_access(
    State(app): State<App>,
    Auth(who): Auth,
    Path(username): Path<String>,
    Body(a): Body<AccessInput>,
) -> Result<Json<UserView>, ApiError> {
    let access = Access {
        role: a.role,
        sites: a.sites,
        expires_on: a
            .expires_on
            .map(|e| Some(e).filter(|e| !e.trim().is_empty())),
        disabled: a.disabled,
    };
    Ok(Json(
        accounts::set_access(&app, &who, &username, access).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordInput {
    /// Your current password, when changing your own.
    pub current_password: Option<String>,
    pub password: String,
}

/// Sets a password (administrators for anyone; users for themselves with the current one).
#[utoipa::path(put, path = "/api/v1/users/{username}/password", tag = "accounts", request_body = PasswordInput, params(("username" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_password(
    State(app): State<App>,
    Auth(who): Auth,
    Path(username): Path<String>,
    Body(p): Body<PasswordInput>,
) -> Result<StatusCode, ApiError> {
    accounts::set_password(
        &app,
        &who,
        &username,
        p.current_password.as_deref(),
        &p.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
