//! The use-case error: what went wrong, naming the field and the rule, in words a user can act
//! on. The web layer maps it once to an HTTP status and an RFC 9457 problem document; the
//! command line to a message and an exit status.

use annex_core::kinds::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An id names no standard; `closest` lists the nearest known ids.
    #[error("{field}: unknown standard '{input}'{}", hint(.closest))]
    UnknownStandard {
        field: String,
        input: String,
        closest: Vec<String>,
    },
    /// A value breaks a rule.
    #[error("{field}: {rule}")]
    Invalid { field: String, rule: String },
    /// Several values break rules; every one is listed, and nothing was written.
    #[error("{}", list(.0))]
    Rejected(Vec<FieldError>),
    /// Nobody is logged in, or the session or token is no longer valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// The user may not do this; the refusal is in the audit trail.
    #[error("{action}: {rule}")]
    Forbidden { action: String, rule: String },
    /// No such record, user or attachment (or not one the user may see).
    #[error("{0} not found")]
    NotFound(String),
    /// Someone else changed the record since it was read: nothing was written.
    #[error("record changed since version {read}: now at version {current}; changed: {}", .changed.join(", "))]
    Conflict {
        read: i64,
        current: i64,
        changed: Vec<String>,
    },
    /// An upload is larger than allowed.
    #[error("{field}: larger than the limit of {limit} bytes")]
    TooLarge { field: String, limit: usize },
    /// Too many failed logins: try again after the given number of seconds.
    #[error("too many failed logins; try again in {retry_after} seconds")]
    Throttled { retry_after: u64 },
    /// The compiled-in catalog does not load (a defect of the build, not of the input).
    #[error(transparent)]
    Catalog(annex_core::Error),
    /// The database failed or is not configured.
    #[error(transparent)]
    Store(#[from] annex_store::Error),
    /// A fault inside the program (a background task failed).
    #[error("internal error: {0}")]
    Internal(String),
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn hint(closest: &[String]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", closest.join(", "))
    }
}

impl Error {
    /// The input field the error is about; `None` for faults that are not the input's.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::UnknownStandard { field, .. }
            | Self::Invalid { field, .. }
            | Self::TooLarge { field, .. } => Some(field),
            Self::Rejected(errors) => errors.first().map(|e| e.field.as_str()),
            _ => None,
        }
    }

    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// Every field error, for forms that show each beside its field.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Rejected(errors) => errors.clone(),
            Self::Invalid { field, rule }
            | Self::Forbidden {
                action: field,
                rule,
            } => {
                vec![FieldError::new(field.clone(), rule.clone())]
            }
            Self::TooLarge { field, .. } => vec![FieldError::new(field.clone(), self.to_string())],
            _ => Vec::new(),
        }
    }

    pub(crate) fn forbidden(action: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::Forbidden {
            action: action.into(),
            rule: rule.into(),
        }
    }

    /// Attaches the name of the field an unknown id came from.
    pub(crate) fn from_core(field: &str, e: annex_core::Error) -> Self {
        match e {
            annex_core::Error::UnknownStandard { input, closest } => Self::UnknownStandard {
                field: field.to_string(),
                input,
                closest,
            },
            other => Self::Catalog(other),
        }
    }
}

impl From<annex_core::Error> for Error {
    fn from(e: annex_core::Error) -> Self {
        Self::from_core("id", e)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Self::Rejected(vec![e])
    }
}

impl From<Vec<FieldError>> for Error {
    fn from(e: Vec<FieldError>) -> Self {
        Self::Rejected(e)
    }
}
