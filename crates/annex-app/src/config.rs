//! Settings: what shapes the use cases, and the configuration file they are read from
//! (`annex.toml`). The file is read once at start; a value that breaks a rule stops Annex
//! there, naming the key and the rule, rather than surfacing as a failed email at 7 a.m.
//!
//! ```toml
//! [reminders]
//! lead_days = 7                 # "due soon" means within this many days
//!
//! [email]
//! smtp_host = "smtp.example.com"
//! smtp_port = 587               # default: 25, 587 or 465 by security
//! security = "starttls"         # none, starttls (default) or tls
//! username = "annex"
//! password_env = "ANNEX_SMTP_PASSWORD"   # or password = "..."
//! from = "Annex <annex@example.com>"
//! base_url = "https://annex.example.com" # links in the digest
//! digest_time = "07:00"         # UTC; when `annex serve` sends the daily digest
//! timeout_seconds = 30
//! ```

use std::path::Path;

use annex_core::kinds::FieldError;
use annex_core::reminders::{DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS};
use toml::{Table, Value};

use crate::Error;

/// Settings that shape the use cases.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a login lasts without being renewed.
    pub session_hours: i64,
    /// Largest attachment accepted, in bytes.
    pub attachment_limit: usize,
    /// Failed logins allowed for one user name within the window before logins are refused.
    pub throttle_failures: i64,
    pub throttle_minutes: i64,
    /// Mark the session cookie `Secure` (when Annex is served over HTTPS).
    pub secure_cookies: bool,
    /// How far ahead "due soon" looks, in the task list, the lists and the digest.
    pub lead_days: u32,
    /// Where and how reminder digests are sent; none when the file has no `[email]`.
    pub email: Option<Email>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            session_hours: 12,
            attachment_limit: 25 * 1024 * 1024,
            throttle_failures: 5,
            throttle_minutes: 15,
            secure_cookies: false,
            lead_days: DEFAULT_LEAD_DAYS,
            email: None,
        }
    }
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP: for a relay on the same machine or a test sink only.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The `[email]` section: the mail server and what the digest says.
#[derive(Clone)]
pub struct Email {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, `Name <address>` or `address`.
    pub from: String,
    /// Where Annex is reached, without a trailing slash; record links start with it.
    pub base_url: String,
    /// When the daily digest is sent, UTC: (hour, minute).
    pub digest_time: (u8, u8),
    /// How long one exchange with the mail server may take before it counts as failed.
    pub timeout_seconds: u64,
}

// The password stays out of logs and panics.
impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .field("digest_time", &self.digest_time)
            .finish()
    }
}

impl Config {
    /// Reads the configuration file at `path`. Every broken rule is reported, each naming
    /// its key (`email.smtp_port`).
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::invalid("config", format!("cannot read {}: {e}", path.display()))
        })?;
        Self::parse(&text, |name| std::env::var(name).ok())
    }

    /// Reads configuration text; `env` looks up environment variables (a password given by
    /// `password_env`).
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let table: Table = toml::from_str(text)
            .map_err(|e| Error::invalid("config", format!("not valid TOML: {e}")))?;
        let mut errors = Vec::new();
        let mut config = Config::default();
        for (section, value) in &table {
            match (section.as_str(), value) {
                ("reminders", Value::Table(t)) => reminders(t, &mut config, &mut errors),
                ("email", Value::Table(t)) => config.email = email(t, &env, &mut errors),
                ("reminders" | "email", _) => {
                    errors.push(FieldError::new(section.as_str(), "must be a [section]"));
                }
                (other, _) => errors.push(FieldError::new(
                    other,
                    "unknown section; known: [reminders], [email]",
                )),
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(Error::Rejected(errors))
        }
    }
}

fn reminders(t: &Table, config: &mut Config, errors: &mut Vec<FieldError>) {
    let mut keys = Keys::new("reminders", t, errors);
    if let Some(n) = keys.int("lead_days", 0, i64::from(MAX_LEAD_DAYS)) {
        config.lead_days = u32::try_from(n).unwrap_or(DEFAULT_LEAD_DAYS);
    }
    keys.unknown(&["lead_days"]);
}

fn email(
    t: &Table,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<Email> {
    let mut k = Keys::new("email", t, errors);
    let host = k.required_text("smtp_host");
    let security = match k.text("security").as_deref() {
        None | Some("starttls") => Security::StartTls,
        Some("none") => Security::None,
        Some("tls") => Security::Tls,
        Some(_) => {
            k.error("security", "must be one of: none, starttls, tls");
            Security::StartTls
        }
    };
    let port = k.int("smtp_port", 1, 65_535).map_or(
        match security {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        },
        |p| u16::try_from(p).unwrap_or(25),
    );
    let username = k.text("username");
    let password = k.text("password");
    let password = match (password, k.text("password_env")) {
        (Some(_), Some(_)) => {
            k.error("password_env", "give password or password_env, not both");
            None
        }
        (Some(p), None) => Some(p),
        (None, Some(var)) => match env(&var).filter(|p| !p.is_empty()) {
            Some(p) => Some(p),
            None => {
                k.error(
                    "password_env",
                    format!("the environment variable {var} is not set"),
                );
                None
            }
        },
        (None, None) => None,
    };
    if password.is_some() && username.is_none() {
        k.error("username", "required when a password is given");
    }
    if password.is_some() && security == Security::None {
        k.error(
            "password",
            "not sent over an unencrypted connection: set security to starttls or tls",
        );
    }
    let from = k.required_text("from");
    if let Some(f) = &from
        && f.parse::<lettre::message::Mailbox>().is_err()
    {
        k.error("from", "must be an email address, or Name <address>");
    }
    let base_url = k
        .required_text("base_url")
        .map(|u| u.trim_end_matches('/').to_string());
    if let Some(u) = &base_url {
        let rest = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
            k.error(
                "base_url",
                "must be the http:// or https:// address people open Annex at",
            );
        }
    }
    let digest_time = match k.text("digest_time") {
        None => (7, 0),
        Some(t) => parse_time(&t).unwrap_or_else(|| {
            k.error(
                "digest_time",
                "must be a time of day HH:MM, 00:00 to 23:59 (UTC)",
            );
            (7, 0)
        }),
    };
    let timeout_seconds = k.int("timeout_seconds", 1, 600).unwrap_or(30);
    k.unknown(&[
        "smtp_host",
        "smtp_port",
        "security",
        "username",
        "password",
        "password_env",
        "from",
        "base_url",
        "digest_time",
        "timeout_seconds",
    ]);
    if k.failed {
        return None;
    }
    Some(Email {
        smtp_host: host?,
        smtp_port: port,
        security,
        username,
        password,
        from: from?,
        base_url: base_url?,
        digest_time,
        timeout_seconds: u64::try_from(timeout_seconds).unwrap_or(30),
    })
}

fn parse_time(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// Reads the keys of one section, reporting each broken rule with the key's full name.
struct Keys<'a> {
    section: &'static str,
    table: &'a Table,
    errors: &'a mut Vec<FieldError>,
    failed: bool,
}

impl<'a> Keys<'a> {
    fn new(section: &'static str, table: &'a Table, errors: &'a mut Vec<FieldError>) -> Self {
        Self {
            section,
            table,
            errors,
            failed: false,
        }
    }

    fn error(&mut self, key: &str, rule: impl Into<String>) {
        self.failed = true;
        self.errors
            .push(FieldError::new(format!("{}.{key}", self.section), rule));
    }

    /// A text value, trimmed; blank counts as absent.
    fn text(&mut self, key: &str) -> Option<String> {
        match self.table.get(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_string()),
            _ => {
                self.error(key, "must be text in quotes");
                None
            }
        }
    }

    fn required_text(&mut self, key: &str) -> Option<String> {
        let present = self.table.contains_key(key);
        let v = self.text(key);
        if v.is_none() && !(present && self.failed_on(key)) {
            self.error(key, "required");
        }
        v
    }

    fn failed_on(&self, key: &str) -> bool {
        let name = format!("{}.{key}", self.section);
        self.errors.iter().any(|e| e.field == name)
    }

    fn int(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.table.get(key)? {
            Value::Integer(n) if (min..=max).contains(n) => Some(*n),
            _ => {
                self.error(key, format!("must be a whole number from {min} to {max}"));
                None
            }
        }
    }

    fn unknown(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .table
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.error(&key, format!("unknown key; known: {}", known.join(", ")));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        [reminders]
        lead_days = 14

        [email]
        smtp_host = "smtp.example.com"
        username = "annex"
        password_env = "SMTP_PW"
        from = "Annex <annex@example.com>"
        base_url = "https://annex.example.com/"
        digest_time = "06:30"
    "#;

    fn env(name: &str) -> Option<String> {
        (name == "SMTP_PW").then(|| "secret".to_string())
    }

    fn refused(text: &str) -> Vec<String> {
        match Config::parse(text, env) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => e.field_errors().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_complete_file_is_read_with_defaults_filled_in() {
        let c = Config::parse(GOOD, env).unwrap();
        assert_eq!(c.lead_days, 14);
        let e = c.email.unwrap();
        assert_eq!(e.smtp_host, "smtp.example.com");
        assert_eq!((e.security, e.smtp_port), (Security::StartTls, 587));
        assert_eq!(e.password.as_deref(), Some("secret"));
        assert_eq!(e.base_url, "https://annex.example.com");
        assert_eq!(e.digest_time, (6, 30));
        assert_eq!(e.timeout_seconds, 30);
        assert!(!format!("{e:?}").contains("secret"));
        // An empty file is the defaults: no email, a week's lead.
        let c = Config::parse("", env).unwrap();
        assert!(c.email.is_none());
        assert_eq!(c.lead_days, 7);
        let tls = Config::parse(
            "[email]\nsmtp_host = \"h\"\nsecurity = \"tls\"\nfrom = \"a@b.c\"\nbase_url = \"http://x\"",
            env,
        )
        .unwrap();
        assert_eq!(tls.email.unwrap().smtp_port, 465);
    }

    #[test]
    fn each_broken_rule_is_named_by_its_key() {
        let errors = refused(
            r#"
            [reminders]
            lead_days = 365
            colour = "red"

            [email]
            smtp_port = 70000
            security = "ssl"
            password = "x"
            password_env = "SMTP_PW"
            from = "not an address"
            base_url = "annex.example.com"
            digest_time = "7am"
            "#,
        );
        assert_eq!(
            errors,
            [
                "email.smtp_host: required",
                "email.security: must be one of: none, starttls, tls",
                "email.smtp_port: must be a whole number from 1 to 65535",
                "email.password_env: give password or password_env, not both",
                "email.from: must be an email address, or Name <address>",
                "email.base_url: must be the http:// or https:// address people open Annex at",
                "email.digest_time: must be a time of day HH:MM, 00:00 to 23:59 (UTC)",
                "reminders.lead_days: must be a whole number from 0 to 90",
                "reminders.colour: unknown key; known: lead_days",
            ]
        );
    }

    #[test]
    fn passwords_need_a_user_a_set_variable_and_encryption() {
        let base = "smtp_host = \"h\"\nfrom = \"a@b.c\"\nbase_url = \"https://x\"\n";
        assert_eq!(
            refused(&format!(
                "[email]\n{base}password_env = \"MISSING\"\nusername = \"u\""
            )),
            ["email.password_env: the environment variable MISSING is not set"]
        );
        assert_eq!(
            refused(&format!("[email]\n{base}password = \"p\"")),
            ["email.username: required when a password is given"]
        );
        assert_eq!(
            refused(&format!(
                "[email]\n{base}password = \"p\"\nusername = \"u\"\nsecurity = \"none\""
            )),
            [
                "email.password: not sent over an unencrypted connection: set security to starttls or tls"
            ]
        );
    }

    #[test]
    fn unknown_sections_wrong_types_and_bad_toml_are_refused() {
        assert_eq!(
            refused("[smtp]\nhost = \"h\""),
            ["smtp: unknown section; known: [reminders], [email]"]
        );
        assert_eq!(refused("email = 3"), ["email: must be a [section]"]);
        assert_eq!(
            refused("[email]\nsmtp_host = 25\nfrom = \"a@b.c\"\nbase_url = \"https://x\""),
            ["email.smtp_host: must be text in quotes"]
        );
        let bad = refused("[email\n");
        assert_eq!(bad.len(), 1);
        assert!(bad[0].starts_with("config: not valid TOML"), "{bad:?}");
    }

    #[test]
    fn times_of_day_are_hours_and_minutes() {
        assert_eq!(parse_time("00:00"), Some((0, 0)));
        assert_eq!(parse_time("23:59"), Some((23, 59)));
        for bad in ["24:00", "7:00", "07:60", "0700", "07:00:00", ""] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
