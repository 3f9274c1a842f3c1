//! Pages for accounts: the one-time set-up of the first administrator (`/setup`), logging in
//! and out (`/login`, `/logout`), and the administrators' list of users (`/admin/users`) with
//! adding accounts and disabling or enabling them.

use annex_app::accounts::{self, Access, NewAccount, PASSWORD_MIN, UserView};
use annex_app::{App, Error};
use annex_core::role::Role;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Errors, Form, Input, Nav, SummaryItem};
use crate::auth::{self, Auth, MaybeAuth};
use crate::error::{PageError, render, with_retry_after};

// ---------------------------------------------------------------------------------------------
// Set-up

#[derive(Template)]
#[template(path = "accounts/setup.html")]
pub struct SetupPage {
    pub nav: Nav,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
}

fn setup_page(nav: Nav, form: &Form, errors: &Errors) -> SetupPage {
    let p = "setup-";
    let inputs = vec![
        Input::new(p, "username", "User name", "text")
            .value(form.get("username"))
            .hint("What you type to log in: letters, digits, '.', '-', '_' or '@'.")
            .required(true)
            .maxlength(Some(64))
            .autocomplete("username"),
        Input::new(p, "display_name", "Full name", "text")
            .value(form.get("display_name"))
            .hint("Printed beside your electronic signatures, so write it as you would sign.")
            .required(true)
            .maxlength(Some(100))
            .autocomplete("name"),
        Input::new(p, "email", "Email", "email")
            .value(form.get("email"))
            .autocomplete("email"),
        Input::new(p, "password", "Password", "password")
            .hint(format!(
                "At least {PASSWORD_MIN} characters. A few unrelated words are easy to remember \
                 and hard to guess."
            ))
            .required(true)
            .autocomplete("new-password"),
        Input::new(p, "password_again", "Password again", "password")
            .required(true)
            .autocomplete("new-password"),
    ]
    .into_iter()
    .map(|i| i.errors(errors))
    .collect::<Vec<_>>();
    SetupPage {
        nav,
        summary: errors.summary(&inputs),
        inputs,
    }
}

/// `GET /setup`: the form for the first administrator, only while there is no account.
pub async fn setup_form(State(app): State<App>, nav: Nav) -> Result<Response, PageError> {
    if !accounts::needs_setup(&app).await? {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(render(&setup_page(
        nav,
        &Form::default(),
        &Errors::default(),
    )))
}

/// `POST /setup`: creates the first administrator and logs them in. Refused (by the app
/// layer) once any account exists.
pub async fn setup(State(app): State<App>, nav: Nav, body: Bytes) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let password = form.get("password");
    if password != form.get("password_again") {
        let errors = Errors::one("password_again", "does not match the password above");
        return Ok(unprocessable(&setup_page(nav, &form, &errors)));
    }
    let account = NewAccount {
        username: form.get("username"),
        display_name: form.get("display_name"),
        email: form.get("email"),
        password: password.clone(),
        ..NewAccount::default()
    };
    match accounts::setup(&app, account).await {
        Ok(p) => start_session(&app, &p.username, &password, "/").await,
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            Ok(unprocessable(&setup_page(nav, &form, &Errors::of(&e))))
        }
        Err(e) => Err(e.into()),
    }
}

/// Logs in and redirects to `to` with the session cookie set.
async fn start_session(
    app: &App,
    username: &str,
    password: &str,
    to: &str,
) -> Result<Response, PageError> {
    let s = accounts::login(app, username, password).await?;
    Ok(with_cookie(app, &s.token, to))
}

fn with_cookie(app: &App, token: &str, to: &str) -> Response {
    let cookie = auth::session_cookie(
        token,
        app.config.session_hours * 3600,
        app.config.secure_cookies,
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

fn unprocessable(page: &impl Template) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response()
}

// ---------------------------------------------------------------------------------------------
// Login and logout

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    pub nav: Nav,
    pub inputs: Vec<Input>,
    pub next: String,
    pub summary: Vec<SummaryItem>,
}

fn login_page(nav: Nav, username: &str, next: &str, errors: &Errors) -> LoginPage {
    let inputs = vec![
        Input::new("login-", "username", "User name", "text")
            .value(username)
            .required(true)
            .autocomplete("username"),
        Input::new("login-", "password", "Password", "password")
            .required(true)
            .autocomplete("current-password"),
    ];
    LoginPage {
        nav,
        summary: errors.summary(&inputs),
        inputs,
        next: next.to_string(),
    }
}

/// Where to go after logging in: a path on this site only. `//host` and `/\host` would take
/// the browser to another site, so they are refused, as is anything not starting with `/`.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    if ok { next } else { "/" }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
}

/// `GET /login`: the login form; set-up first when there is no account yet.
pub async fn login_form(
    State(app): State<App>,
    MaybeAuth(found): MaybeAuth,
    nav: Nav,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    if accounts::needs_setup(&app).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    if found.is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    Ok(render(&login_page(
        nav,
        "",
        safe_next(&q.next),
        &Errors::default(),
    )))
}

/// `POST /login`: starts a session. Exempt from CSRF checks, having no session yet; the
/// cookie's `SameSite=Lax` keeps other sites from riding on the one it starts.
pub async fn login(State(app): State<App>, nav: Nav, body: Bytes) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let username = form.get("username");
    let next = safe_next(&form.get("next")).to_string();
    match accounts::login(&app, &username, &form.get("password")).await {
        Ok(s) => Ok(with_cookie(&app, &s.token, &next)),
        Err(e @ Error::Throttled { .. }) => {
            let page = login_page(nav, &username, &next, &Errors::of(&e));
            let mut res = (StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response();
            with_retry_after(&mut res, &e);
            Ok(res)
        }
        Err(e @ (Error::Unauthenticated(_) | Error::Rejected(_) | Error::Invalid { .. })) => Ok(
            unprocessable(&login_page(nav, &username, &next, &Errors::of(&e))),
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout(
    State(app): State<App>,
    MaybeAuth(found): MaybeAuth,
) -> Result<Response, PageError> {
    if let Some(t) = found.and_then(|f| f.token) {
        accounts::logout(&app, &t).await?;
    }
    Ok((
        [(header::SET_COOKIE, auth::clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Users (administrators)

#[derive(Template)]
#[template(path = "accounts/users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub csrf: String,
    pub me: String,
    pub users: Vec<UserView>,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
    /// Errors of a disable or enable button.
    pub access_summary: Vec<SummaryItem>,
    pub notice: Option<String>,
}

impl UsersPage {
    pub fn sites(&self, u: &UserView) -> String {
        if u.sites.is_empty() {
            "all".into()
        } else {
            u.sites.join(", ")
        }
    }
}

fn add_inputs(form: &Form, errors: &Errors) -> Vec<Input> {
    let p = "user-";
    let role = form.opt("role").unwrap_or_else(|| "contributor".into());
    vec![
        Input::new(p, "username", "User name", "text")
            .value(form.get("username"))
            .required(true)
            .maxlength(Some(64))
            .autocomplete("off"),
        Input::new(p, "display_name", "Full name", "text")
            .value(form.get("display_name"))
            .hint("The printed name on their electronic signatures.")
            .required(true)
            .maxlength(Some(100))
            .autocomplete("off"),
        Input::new(p, "email", "Email", "email")
            .value(form.get("email"))
            .autocomplete("off"),
        Input::new(p, "role", "Role", "select")
            .value(role)
            .required(true)
            .options(None, Role::ALL.iter().map(|r| (r.as_str(), r.label()))),
        Input::new(p, "sites", "Sites", "text")
            .value(form.get("sites"))
            .hint("Site codes separated by commas, to limit them to those sites; leave empty for every site."),
        Input::new(p, "expires_on", "Access ends on", "date")
            .value(form.get("expires_on"))
            .hint("The last day they can log in. Required for an external auditor."),
        Input::new(p, "password", "Initial password", "password")
            .hint(format!(
                "At least {PASSWORD_MIN} characters; give it to them privately."
            ))
            .required(true)
            .autocomplete("new-password"),
    ]
    .into_iter()
    .map(|i| i.errors(errors))
    .collect()
}

#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    pub added: Option<String>,
    pub changed: Option<String>,
}

async fn users_page(
    app: &App,
    who: &annex_app::Principal,
    nav: Nav,
    form: &Form,
    errors: &Errors,
    access_errors: &Errors,
    notice: Option<String>,
) -> Result<UsersPage, PageError> {
    let users = accounts::users(app, who).await?;
    let inputs = add_inputs(form, errors);
    Ok(UsersPage {
        nav,
        csrf: who.csrf.clone().unwrap_or_default(),
        me: who.username.clone(),
        users,
        summary: errors.summary(&inputs),
        access_summary: access_errors.summary(&[]),
        inputs,
        notice,
    })
}

/// `GET /admin/users`: every account, and the form to add one.
pub async fn users(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    let notice = match (q.added, q.changed) {
        (Some(u), _) => Some(format!("Account {u} added.")),
        (_, Some(u)) => Some(format!("Access of {u} changed.")),
        _ => None,
    };
    let page = users_page(
        &app,
        &who,
        nav,
        &Form::default(),
        &Errors::default(),
        &Errors::default(),
        notice,
    )
    .await?;
    Ok(render(&page))
}

/// `POST /admin/users`: adds an account.
pub async fn add_user(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let account = NewAccount {
        username: form.get("username"),
        display_name: form.get("display_name"),
        email: form.get("email"),
        password: form.get("password"),
        role: form.get("role"),
        sites: form.get("sites").split(',').map(str::to_string).collect(),
        expires_on: form.opt("expires_on"),
    };
    match accounts::add_user(&app, &who, account).await {
        Ok(u) => Ok(
            Redirect::to(&format!("/admin/users?added={}", encode(&u.username))).into_response(),
        ),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            let page = users_page(
                &app,
                &who,
                nav,
                &form,
                &Errors::of(&e),
                &Errors::default(),
                None,
            )
            .await?;
            Ok(unprocessable(&page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users/{username}/access`: disables or enables an account.
pub async fn set_access(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(username): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Form::parse(&body);
    let access = Access {
        disabled: Some(form.get("disabled") == "true"),
        ..Access::default()
    };
    match accounts::set_access(&app, &who, &username, access).await {
        Ok(u) => Ok(
            Redirect::to(&format!("/admin/users?changed={}", encode(&u.username))).into_response(),
        ),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => {
            let page = users_page(
                &app,
                &who,
                nav,
                &Form::default(),
                &Errors::default(),
                &Errors::of(&e),
                None,
            )
            .await?;
            Ok(unprocessable(&page))
        }
        Err(e) => Err(e.into()),
    }
}

/// A value for a query string.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/r/DOC-0001"), "/r/DOC-0001");
        assert_eq!(
            safe_next("/records/document?state=draft"),
            "/records/document?state=draft"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "r/x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
