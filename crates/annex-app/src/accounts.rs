//! Accounts: the one-time set-up of the first administrator, users and their roles, login and
//! logout, sessions shared through the database, personal API tokens, and login throttling.
//!
//! Passwords are hashed with Argon2id ([`crate::passwords`]). Session cookies, CSRF
//! tokens and API tokens are 256-bit random secrets; only their SHA-256 is stored. Every login,
//! failed login, logout and change to an account is an audit-trail event (21 CFR 11.10(e),
//! 11.300(d): attempts at unauthorised use are recorded).

use annex_core::audit_trail::Draft;
use annex_core::kinds::{FieldError, is_date};
use annex_core::role::{Permission, Role};
use annex_store::Tx;
use annex_store::accounts::{NewUser, UserRow};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::passwords::{hash as hash_password, matches as password_matches};
use crate::{App, Error, clock};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for more).
pub const PASSWORD_MIN: usize = 12;

/// Who is acting: a logged-in user, a script with a personal token, or the command line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    pub id: i64,
    pub username: String,
    /// Printed name, as signatures show it.
    pub display_name: String,
    pub role: Role,
    /// Sites the user is limited to; empty for every site.
    pub sites: Vec<String>,
    /// Last day of access, for external auditors.
    pub expires_on: Option<String>,
    #[serde(skip)]
    pub csrf: Option<String>,
}

impl Principal {
    /// The command line, run by someone with access to the server: an administrator that is
    /// not a user account. Its actions are audited as `system`.
    pub fn system() -> Self {
        Self {
            id: 0,
            username: "system".into(),
            display_name: "System (command line)".into(),
            role: Role::Administrator,
            sites: Vec::new(),
            expires_on: None,
            csrf: None,
        }
    }

    /// The user id to store as author, or none for the command line.
    pub fn user_id(&self) -> Option<i64> {
        (self.id > 0).then_some(self.id)
    }

    /// Whether the user sees records of `site` (organisation-wide records, with no site, are
    /// seen by everyone).
    pub fn sees_site(&self, site: &str) -> bool {
        self.sites.is_empty() || site.is_empty() || self.sites.iter().any(|s| s == site)
    }

    fn from_row(u: &UserRow, csrf: Option<String>) -> Result<Self, Error> {
        Ok(Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: Role::parse(&u.role).ok_or_else(|| {
                Error::Internal(format!("user {} has an unknown role", u.username))
            })?,
            sites: split_sites(&u.sites),
            expires_on: u.expires_on.clone(),
            csrf,
        })
    }
}

/// A user as shown to administrators (no password hash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub sites: Vec<String>,
    pub expires_on: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: Role::parse(&u.role).unwrap_or(Role::Reader),
            sites: split_sites(&u.sites),
            expires_on: u.expires_on.clone(),
            disabled: u.disabled,
            created_at: clock::iso(u.created_at),
        }
    }
}

/// What a new account needs.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub role: String,
    pub sites: Vec<String>,
    pub expires_on: Option<String>,
}

/// A started session: the cookie secret and the CSRF token that forms must echo.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub principal: Principal,
}

/// A new API token; its secret is shown once and never again.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

pub(crate) fn split_sites(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// 256 random bits as hex.
pub(crate) fn secret() -> Result<String, Error> {
    let mut b = [0_u8; 32];
    getrandom::fill(&mut b).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(b))
}

/// The stored form of a secret: its SHA-256, hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A hash of a random password, checked against when the user name is unknown so that a
/// failed login takes as long whether or not the account exists.
async fn decoy_hash() -> String {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_init(|| async {
            hash_password(secret().unwrap_or_default())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

fn event(actor: &str, action: &str, subject: &str) -> Draft {
    Draft {
        at_us: clock::now_us(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        before: None,
        after: None,
        reason: None,
    }
}

/// Checks a new account's values; every problem is reported.
fn check_account(a: &NewAccount) -> Result<(Role, String), Error> {
    let mut errors = Vec::new();
    let u = a.username.trim();
    if u.is_empty()
        || u.len() > 64
        || !u
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
    {
        errors.push(FieldError::new(
            "username",
            "1 to 64 characters: letters, digits, '.', '-', '_' or '@'",
        ));
    }
    let name = a.display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new(
            "display_name",
            "required, at most 100 characters (the printed name on signatures)",
        ));
    }
    if !a.email.is_empty() && !a.email.contains('@') {
        errors.push(FieldError::new("email", "must be an email address"));
    }
    if let Err(e) = check_password(&a.password) {
        errors.push(e);
    }
    let role = Role::parse(&a.role);
    if role.is_none() {
        errors.push(role_error());
    }
    let sites = check_sites(&a.sites)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if let Some(d) = &a.expires_on
        && !is_date(d)
    {
        errors.push(FieldError::new("expires_on", "must be a date YYYY-MM-DD"));
    }
    if role == Some(Role::ExternalAuditor) && a.expires_on.is_none() {
        errors.push(FieldError::new(
            "expires_on",
            "required for an external auditor: their access ends on a date",
        ));
    }
    match role {
        Some(role) if errors.is_empty() => Ok((role, sites)),
        _ => Err(Error::Rejected(errors)),
    }
}

fn role_error() -> FieldError {
    FieldError::new(
        "role",
        format!("must be one of: {}", Role::ALL.map(Role::as_str).join(", ")),
    )
}

fn check_password(p: &str) -> Result<(), FieldError> {
    if p.chars().count() < PASSWORD_MIN || p.len() > 1024 {
        return Err(FieldError::new(
            "password",
            format!("at least {PASSWORD_MIN} characters"),
        ));
    }
    Ok(())
}

/// Sites as stored: codes of letters, digits, '-' and '_', joined by commas.
fn check_sites(sites: &[String]) -> Result<String, FieldError> {
    let mut out: Vec<&str> = Vec::new();
    for s in sites.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !crate::records::is_site_code(s) {
            return Err(FieldError::new(
                "sites",
                "site codes are 1 to 40 letters, digits, '-' or '_'",
            ));
        }
        out.push(s);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out.join(","))
}

/// Refuses, and audits the refusal (21 CFR 11.10(d), (g)).
pub(crate) async fn deny(app: &App, who: &Principal, action: &str, rule: &str) -> Error {
    if let Ok(store) = app.store()
        && let Ok(mut tx) = store.begin().await
    {
        let mut e = event(&who.username, "permission.denied", action);
        e.reason = Some(rule.to_string());
        tx.audit(e);
        let _ = tx.commit().await;
    }
    Error::forbidden(action, rule)
}

/// Checks a permission from the role matrix; refusals are audited.
pub(crate) async fn require(app: &App, who: &Principal, p: Permission) -> Result<(), Error> {
    if who.role.may(p) {
        Ok(())
    } else {
        Err(deny(
            app,
            who,
            p.as_str(),
            &format!(
                "the {} role may not {}",
                who.role.label(),
                p.label().to_lowercase()
            ),
        )
        .await)
    }
}

/// Whether the first administrator still has to be set up (no account exists).
pub async fn needs_setup(app: &App) -> Result<bool, Error> {
    Ok(app.store()?.count_users().await? == 0)
}

/// Creates the first administrator. Allowed only while no account exists; there is no default
/// password.
pub async fn setup(app: &App, mut account: NewAccount) -> Result<Principal, Error> {
    account.role = Role::Administrator.as_str().into();
    let (role, sites) = check_account(&account)?;
    let hash = hash_password(account.password.clone()).await?;
    let store = app.store()?;
    let mut tx = store.begin().await?;
    // Checked inside the write transaction, so two set-ups racing cannot both succeed.
    if tx.count_users().await? > 0 {
        return Err(Error::forbidden(
            "setup",
            "the first administrator is already set up; log in instead",
        ));
    }
    let id = insert(&mut tx, &account, role, &sites, &hash).await?;
    let mut e = event(
        &account.username,
        "account.setup",
        &format!("user:{}", account.username),
    );
    e.after = Some(json!({"role": role, "display_name": account.display_name.trim()}));
    tx.audit(e);
    tx.commit().await?;
    let row = store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound("user".into()))?;
    Principal::from_row(&row, None)
}

async fn insert(
    tx: &mut Tx,
    a: &NewAccount,
    role: Role,
    sites: &str,
    hash: &str,
) -> Result<i64, Error> {
    tx.insert_user(&NewUser {
        username: a.username.trim(),
        display_name: a.display_name.trim(),
        email: a.email.trim(),
        password_hash: hash,
        role: role.as_str(),
        sites,
        expires_on: a.expires_on.as_deref(),
        at: clock::now_us(),
    })
    .await
    .map_err(|e| match e {
        annex_store::Error::Duplicate(_) => {
            Error::invalid("username", "is taken by another account")
        }
        other => other.into(),
    })
}

/// Adds an account (administrators).
pub async fn add_user(app: &App, who: &Principal, account: NewAccount) -> Result<UserView, Error> {
    require(app, who, Permission::ManageUsers).await?;
    let (role, sites) = check_account(&account)?;
    let hash = hash_password(account.password.clone()).await?;
    let store = app.store()?;
    let mut tx = store.begin().await?;
    let id = insert(&mut tx, &account, role, &sites, &hash).await?;
    let mut e = event(
        &who.username,
        "user.create",
        &format!("user:{}", account.username.trim()),
    );
    e.after = Some(json!({
        "display_name": account.display_name.trim(),
        "email": account.email.trim(),
        "role": role,
        "sites": sites,
        "expires_on": account.expires_on,
    }));
    tx.audit(e);
    tx.commit().await?;
    let row = store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound("user".into()))?;
    Ok(UserView::from(&row))
}

/// Every account (administrators).
pub async fn users(app: &App, who: &Principal) -> Result<Vec<UserView>, Error> {
    require(app, who, Permission::ManageUsers).await?;
    Ok(app
        .store()?
        .users()
        .await?
        .iter()
        .map(UserView::from)
        .collect())
}

async fn user_named(app: &App, username: &str) -> Result<UserRow, Error> {
    app.store()?
        .user_by_name(username.trim())
        .await?
        .ok_or_else(|| Error::NotFound(format!("user '{}'", username.trim())))
}

/// Sets a user's password (administrators, or the user themselves with their current one).
/// Every session of the user ends.
pub async fn set_password(
    app: &App,
    who: &Principal,
    username: &str,
    current: Option<&str>,
    password: &str,
) -> Result<(), Error> {
    let user = user_named(app, username).await?;
    let own = user.id == who.id;
    if own && !who.role.may(Permission::ManageUsers) {
        let ok = password_matches(
            user.password_hash.clone(),
            current.unwrap_or_default().into(),
        )
        .await;
        if !ok {
            return Err(Error::invalid("current_password", "does not match"));
        }
    } else {
        require(app, who, Permission::ManageUsers).await?;
    }
    check_password(password)?;
    let hash = hash_password(password.to_string()).await?;
    let mut tx = app.store()?.begin().await?;
    tx.set_password(user.id, &hash, clock::now_us()).await?;
    tx.delete_sessions_of(user.id).await?;
    tx.audit(event(
        &who.username,
        "user.password",
        &format!("user:{}", user.username),
    ));
    tx.commit().await?;
    Ok(())
}

/// What an administrator may change about an account's access.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub role: Option<String>,
    pub sites: Option<Vec<String>>,
    /// `Some(None)` removes the expiry.
    pub expires_on: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// Changes role, sites, expiry or the disabled flag (administrators). Disabling ends every
/// session of the user. An administrator cannot lock themselves out.
pub async fn set_access(
    app: &App,
    who: &Principal,
    username: &str,
    access: Access,
) -> Result<UserView, Error> {
    require(app, who, Permission::ManageUsers).await?;
    let user = user_named(app, username).await?;
    let mut errors = Vec::new();
    let role = match &access.role {
        Some(r) => Role::parse(r).unwrap_or_else(|| {
            errors.push(role_error());
            Role::Reader
        }),
        None => Role::parse(&user.role).unwrap_or(Role::Reader),
    };
    let sites = match &access.sites {
        Some(s) => check_sites(s)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => user.sites.clone(),
    };
    let expires_on = match &access.expires_on {
        Some(Some(d)) if !is_date(d) => {
            errors.push(FieldError::new("expires_on", "must be a date YYYY-MM-DD"));
            None
        }
        Some(e) => e.clone(),
        None => user.expires_on.clone(),
    };
    if role == Role::ExternalAuditor && expires_on.is_none() {
        errors.push(FieldError::new(
            "expires_on",
            "required for an external auditor: their access ends on a date",
        ));
    }
    let disabled = access.disabled.unwrap_or(user.disabled);
    if user.id == who.id && (disabled || role != Role::Administrator) {
        errors.push(FieldError::new(
            "role",
            "you cannot remove your own administrator access",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Rejected(errors));
    }
    let mut tx = app.store()?.begin().await?;
    tx.set_access(
        user.id,
        role.as_str(),
        &sites,
        expires_on.as_deref(),
        disabled,
    )
    .await?;
    if disabled {
        tx.delete_sessions_of(user.id).await?;
    }
    let mut e = event(
        &who.username,
        "user.access",
        &format!("user:{}", user.username),
    );
    e.before = Some(
        json!({"role": user.role, "sites": user.sites, "expires_on": user.expires_on, "disabled": user.disabled}),
    );
    e.after =
        Some(json!({"role": role, "sites": sites, "expires_on": expires_on, "disabled": disabled}));
    tx.audit(e);
    tx.commit().await?;
    let row = app
        .store()?
        .user_by_id(user.id)
        .await?
        .ok_or_else(|| Error::NotFound("user".into()))?;
    Ok(UserView::from(&row))
}

/// Why an account may not be used now, if it may not.
fn unusable(u: &UserRow, today: &str) -> Option<String> {
    if u.disabled {
        return Some("this account is disabled".into());
    }
    match &u.expires_on {
        Some(last) if last.as_str() < today => Some(format!("access ended on {last}")),
        _ => None,
    }
}

/// Logs in with user name and password. Failures are audited and throttled per user name;
/// the answer does not say whether the account exists.
pub async fn login(app: &App, username: &str, password: &str) -> Result<Session, Error> {
    let store = app.store()?;
    let username = username.trim();
    let now = clock::now_us();
    let window = app.config.throttle_minutes * 60 * 1_000_000;
    let limit = app.config.throttle_failures;
    // The newest `limit` failures in the window: logins are refused while there are that
    // many, and allowed again once the oldest of them has left the window.
    let failures = store.login_failures(username, now - window, limit).await?;
    if i64::try_from(failures.len()).unwrap_or(i64::MAX) >= limit
        && let Some(&oldest) = failures.last()
    {
        let mut tx = store.begin().await?;
        tx.audit(event(
            username,
            "login.throttled",
            &format!("user:{username}"),
        ));
        tx.commit().await?;
        return Err(Error::Throttled {
            retry_after: seconds_until(oldest + window, now),
        });
    }
    let user = store.user_by_name(username).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => decoy_hash().await,
    };
    let matches = password_matches(hash, password.to_string()).await;
    let refusal = match &user {
        Some(u) if matches => unusable(u, &clock::today()),
        _ => Some("wrong user name or password".to_string()),
    };
    let mut tx = store.begin().await?;
    if let Some(rule) = refusal {
        tx.record_login_failure(username, now).await?;
        let mut e = event(username, "login.failed", &format!("user:{username}"));
        e.reason = Some(rule.clone());
        tx.audit(e);
        tx.commit().await?;
        return Err(Error::Unauthenticated(rule));
    }
    let Some(user) = user else {
        return Err(Error::Unauthenticated("wrong user name or password".into()));
    };
    let token = secret()?;
    let csrf = secret()?;
    let expires = now + app.config.session_hours * 3600 * 1_000_000;
    tx.insert_session(&digest(&token), user.id, &csrf, now, expires)
        .await?;
    tx.clear_login_failures(username, now - window).await?;
    tx.audit(event(
        &user.username,
        "login",
        &format!("user:{}", user.username),
    ));
    tx.commit().await?;
    Ok(Session {
        token,
        principal: Principal::from_row(&user, Some(csrf.clone()))?,
        csrf,
    })
}

/// Whole seconds from `now` until `at` (both in microseconds), rounded up and at least one:
/// a client told to wait that long finds the throttle lifted rather than meeting it again.
fn seconds_until(at: i64, now: i64) -> u64 {
    u64::try_from((at - now + 999_999) / 1_000_000)
        .unwrap_or(0)
        .max(1)
}

/// Ends a session.
pub async fn logout(app: &App, token: &str) -> Result<(), Error> {
    let store = app.store()?;
    let Some(s) = store.session(&digest(token), clock::now_us()).await? else {
        return Ok(());
    };
    let user = store.user_by_id(s.user_id).await?;
    let mut tx = store.begin().await?;
    tx.delete_session(&digest(token)).await?;
    if let Some(u) = user {
        tx.audit(event(
            &u.username,
            "logout",
            &format!("user:{}", u.username),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// The user behind a session cookie, with the session's CSRF token.
pub async fn session(app: &App, token: &str) -> Result<Principal, Error> {
    let store = app.store()?;
    let expired = || Error::Unauthenticated("your session has ended; log in again".into());
    let s = store
        .session(&digest(token), clock::now_us())
        .await?
        .ok_or_else(expired)?;
    let user = store.user_by_id(s.user_id).await?.ok_or_else(expired)?;
    if let Some(rule) = unusable(&user, &clock::today()) {
        return Err(Error::Unauthenticated(rule));
    }
    Principal::from_row(&user, Some(s.csrf))
}

/// The user behind a personal API token.
pub async fn token(app: &App, token: &str) -> Result<Principal, Error> {
    let store = app.store()?;
    let (t, user) = store
        .token_user(&digest(token))
        .await?
        .ok_or_else(|| Error::Unauthenticated("unknown or revoked API token".into()))?;
    if let Some(rule) = unusable(&user, &clock::today()) {
        return Err(Error::Unauthenticated(rule));
    }
    // "Last used" to the minute is enough; writing it on every scripted request would make
    // each read a write.
    let now = clock::now_us();
    if t.last_used_at.is_none_or(|last| now - last > 60_000_000) {
        let mut tx = store.begin().await?;
        tx.touch_token(t.id, now).await?;
        tx.commit().await?;
    }
    Principal::from_row(&user, None)
}

/// Creates a personal API token for the user acting.
pub async fn create_token(app: &App, who: &Principal, name: &str) -> Result<NewToken, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "required, at most 100 characters"));
    }
    let Some(user_id) = who.user_id() else {
        return Err(Error::invalid("user", "tokens belong to user accounts"));
    };
    let token = format!("annex_{}", secret()?);
    let mut tx = app.store()?.begin().await?;
    let id = tx
        .insert_token(user_id, name, &digest(&token), clock::now_us())
        .await?;
    let mut e = event(
        &who.username,
        "token.create",
        &format!("user:{}", who.username),
    );
    e.after = Some(json!({"token_id": id, "name": name}));
    tx.audit(e);
    tx.commit().await?;
    Ok(NewToken {
        id,
        name: name.to_string(),
        token,
    })
}

/// Revokes one of the acting user's tokens.
pub async fn revoke_token(app: &App, who: &Principal, id: i64) -> Result<(), Error> {
    let mut tx = app.store()?.begin().await?;
    if !tx.revoke_token(who.id, id).await? {
        return Err(Error::NotFound(format!("token {id}")));
    }
    let mut e = event(
        &who.username,
        "token.revoke",
        &format!("user:{}", who.username),
    );
    e.after = Some(json!({"token_id": id}));
    tx.audit(e);
    tx.commit().await?;
    Ok(())
}

/// The acting user's tokens (never their secrets).
pub async fn tokens(
    app: &App,
    who: &Principal,
) -> Result<Vec<annex_store::accounts::TokenRow>, Error> {
    Ok(app.store()?.tokens(who.id).await?)
}

/// Checks a user's password again, for an electronic signature (21 CFR 11.200(a)). A wrong
/// password is audited as a failed signing attempt.
pub(crate) async fn reauthenticate(
    app: &App,
    who: &Principal,
    password: &str,
    subject: &str,
) -> Result<(), Error> {
    let store = app.store()?;
    let user = store
        .user_by_id(who.id)
        .await?
        .ok_or_else(|| Error::Unauthenticated("signatures need a user account".into()))?;
    if password_matches(user.password_hash, password.to_string()).await {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    let mut e = event(&who.username, "signature.failed", subject);
    e.reason = Some("the password did not match".into());
    tx.audit(e);
    tx.commit().await?;
    Err(Error::invalid(
        "password",
        "does not match: re-enter your own password to sign",
    ))
}
