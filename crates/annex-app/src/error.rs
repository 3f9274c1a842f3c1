//! The use-case error: what went wrong, naming the field and the rule, in words a user can act
//! on. The web layer maps it once to an HTTP status and an RFC 9457 problem document; the
//! command line to a message and an exit status.

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
    /// The compiled-in catalog does not load (a defect of the build, not of the input).
    #[error(transparent)]
    Catalog(annex_core::Error),
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
            Self::UnknownStandard { field, .. } | Self::Invalid { field, .. } => Some(field),
            Self::Catalog(_) => None,
        }
    }

    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
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
