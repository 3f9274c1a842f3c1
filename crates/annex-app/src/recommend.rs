//! Recommending standards from a few answers about the organisation.

use annex_core::recommend::{Answers, Recommendation};

use crate::{App, Error};

/// Recommends standards; a held id that names no standard is refused with the closest ids.
pub fn run(app: &App, answers: &Answers) -> Result<Recommendation, Error> {
    app.catalog
        .recommend(answers)
        .map_err(|e| Error::from_core("held", e))
}

/// Reads answers from name/value pairs (a query string or a form): unknown names are ignored,
/// `held` may repeat or hold a comma-separated list, and a bad value names its field.
pub fn answers_from_pairs<I, K, V>(pairs: I) -> Result<Answers, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    use annex_core::recommend::{Exposure, Industry};
    let mut a = Answers::default();
    for (k, v) in pairs {
        let (k, v) = (k.as_ref(), v.as_ref().trim());
        let flag = || -> Result<bool, Error> {
            match v.to_lowercase().as_str() {
                "" | "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(Error::invalid(k, "must be true or false")),
            }
        };
        match k {
            "industry" if !v.is_empty() => {
                a.industry = Industry::parse(v).ok_or_else(|| {
                    let all: Vec<&str> = Industry::ALL.iter().map(|i| i.key()).collect();
                    Error::invalid("industry", format!("must be one of: {}", all.join(", ")))
                })?;
            }
            "infosec_exposure" if !v.is_empty() => {
                a.infosec_exposure = Exposure::parse(v).ok_or_else(|| {
                    Error::invalid("infosec_exposure", "must be one of: low, medium, high")
                })?;
            }
            "regulated_market" => a.regulated_market = flag()?,
            "customers_require_certification" => a.customers_require_certification = flag()?,
            "environmental_obligations" => a.environmental_obligations = flag()?,
            "safety_obligations" => a.safety_obligations = flag()?,
            "innovation" => a.innovation = flag()?,
            "held" => a.held.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            _ => {}
        }
    }
    Ok(a)
}
