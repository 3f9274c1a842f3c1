//! Accounts: users, sessions, personal API tokens and failed logins.
//!
//! Sessions and tokens are stored as SHA-256 hashes of the secret the client holds, so a copy
//! of the database does not let anyone log in. Sessions live here rather than in a process's
//! memory so that several app servers share them.

use serde::Serialize;
use sqlx::FromRow;

use crate::tx::{execute, fetch_scalar};
use crate::{Result, Store, Tx, on_pool, unique};

/// A user account as stored.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    /// Comma-separated site codes the user is limited to; empty for every site.
    pub sites: String,
    /// Last day of access (external auditors), `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub password_changed_at: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub sites: &'a str,
    pub expires_on: Option<&'a str>,
    pub at: i64,
}

/// A live session, as found by the hash of its cookie.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A personal API token (its secret is never stored).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

const USER_COLUMNS: &str = "id, username, display_name, email, password_hash, role, sites, \
                            expires_on, disabled, created_at, password_changed_at";

impl Store {
    /// How many accounts exist; zero means the first administrator has not been set up.
    pub async fn count_users(&self) -> Result<i64> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?
        }))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await?
        }))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        }))
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?
        }))
    }

    /// The session whose cookie hashes to `token_hash`, if it has not expired at `now`.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT user_id, csrf, created_at, expires_at FROM sessions \
                 WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(p)
            .await?
        }))
    }

    /// The user owning the unrevoked API token that hashes to `token_hash`.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<(TokenRow, UserRow)>> {
        let token: Option<TokenRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, user_id, name, created_at, last_used_at, revoked FROM api_tokens \
                 WHERE token_hash = $1 AND NOT revoked",
            )
            .bind(token_hash)
            .fetch_optional(p)
            .await?
        });
        let Some(token) = token else { return Ok(None) };
        Ok(self.user_by_id(token.user_id).await?.map(|u| (token, u)))
    }

    pub async fn tokens(&self, user_id: i64) -> Result<Vec<TokenRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, user_id, name, created_at, last_used_at, revoked FROM api_tokens \
                 WHERE user_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// When `username` last failed to log in after `since`: at most `limit` times, newest
    /// first. The times, not just a count, so that a throttled login can say when the oldest
    /// failure that still counts leaves the window.
    pub async fn login_failures(&self, username: &str, since: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar(
                "SELECT at FROM login_failures WHERE username = $1 AND at > $2 \
                 ORDER BY at DESC LIMIT $3",
            )
            .bind(username)
            .bind(since)
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }
}

impl Tx {
    /// Adds a user; a taken username is [`crate::Error::Duplicate`]`("username")`.
    pub async fn insert_user(&mut self, u: &NewUser<'_>) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO users (username, display_name, email, password_hash, role, sites, \
             expires_on, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            u.username,
            u.display_name,
            u.email,
            u.password_hash,
            u.role,
            u.sites,
            u.expires_on,
            u.at,
        )
        .map_err(|e| unique(e, "username"))
    }

    pub async fn count_users(&mut self) -> Result<i64> {
        fetch_scalar!(self, i64, "SELECT COUNT(*) FROM users")
    }

    pub async fn set_password(&mut self, user_id: i64, hash: &str, at: i64) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
            hash,
            at,
            user_id,
        )?;
        Ok(())
    }

    /// Changes role, sites, expiry and the disabled flag together.
    pub async fn set_access(
        &mut self,
        user_id: i64,
        role: &str,
        sites: &str,
        expires_on: Option<&str>,
        disabled: bool,
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET role = $1, sites = $2, expires_on = $3, disabled = $4 WHERE id = $5",
            role,
            sites,
            expires_on,
            disabled,
            user_id,
        )?;
        Ok(())
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        at: i64,
        expires_at: i64,
    ) -> Result<()> {
        execute!(
            self,
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            token_hash,
            user_id,
            csrf,
            at,
            expires_at,
        )?;
        Ok(())
    }

    /// Ends one session; returns whether it existed.
    pub async fn delete_session(&mut self, token_hash: &str) -> Result<bool> {
        let n = execute!(
            self,
            "DELETE FROM sessions WHERE token_hash = $1",
            token_hash
        )?;
        Ok(n > 0)
    }

    /// Ends every session of a user (password change, disabling).
    pub async fn delete_sessions_of(&mut self, user_id: i64) -> Result<u64> {
        execute!(self, "DELETE FROM sessions WHERE user_id = $1", user_id)
    }

    pub async fn insert_token(
        &mut self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        at: i64,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            user_id,
            name,
            token_hash,
            at,
        )
    }

    /// Revokes a token of `user_id`; returns whether one was revoked.
    pub async fn revoke_token(&mut self, user_id: i64, token_id: i64) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE api_tokens SET revoked = TRUE WHERE id = $1 AND user_id = $2 AND NOT revoked",
            token_id,
            user_id,
        )?;
        Ok(n > 0)
    }

    pub async fn touch_token(&mut self, token_id: i64, at: i64) -> Result<()> {
        execute!(
            self,
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            at,
            token_id,
        )?;
        Ok(())
    }

    pub async fn record_login_failure(&mut self, username: &str, at: i64) -> Result<()> {
        execute!(
            self,
            "INSERT INTO login_failures (username, at) VALUES ($1, $2)",
            username,
            at,
        )?;
        Ok(())
    }

    /// Forgets failed logins of `username` (after a successful login) and any older than
    /// `before` (housekeeping).
    pub async fn clear_login_failures(&mut self, username: &str, before: i64) -> Result<()> {
        execute!(
            self,
            "DELETE FROM login_failures WHERE username = $1 OR at < $2",
            username,
            before,
        )?;
        Ok(())
    }
}
