//! Complaints beyond what every kind gets from the records kernel: the customer satisfaction
//! trend of the register, the average score given at closing per month (ISO 9001:2015 9.1.2
//! asks for customers' perception to be monitored; the complaint register is one source).

use annex_core::kinds::COMPLAINT;
use serde::Serialize;

use crate::records::{ListQuery, filter_of};
use crate::{App, Error, Principal, clock};

/// How many months the trend covers, this one included.
pub const TREND_MONTHS: usize = 12;

/// One calendar month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The average score (1 to 5) of the complaints closed that month with a score; none
    /// when there were none.
    pub average: Option<f64>,
    /// How many scores the average is of.
    pub count: i64,
}

/// The satisfaction trend of the complaints the user may see.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionTrend {
    /// The last [`TREND_MONTHS`] months, oldest first, this month last; every month is
    /// listed, with or without scores.
    pub months: Vec<SatisfactionMonth>,
    /// The average over the whole period; none without scores.
    pub average: Option<f64>,
    /// How many scores there are over the whole period.
    pub count: i64,
}

/// The average satisfaction score per month of closing over the last twelve months, of the
/// complaints `who` may see (their sites only, for a user limited to sites).
pub async fn satisfaction(app: &App, who: &Principal) -> Result<SatisfactionTrend, Error> {
    let filter = filter_of(
        app,
        who,
        ListQuery {
            kind: Some(COMPLAINT.id.into()),
            ..ListQuery::default()
        },
    )
    .await?;
    let months = last_months(&clock::today(), TREND_MONTHS)
        .ok_or_else(|| Error::Internal("today is not a date".into()))?;
    let from = format!("{}-01", months[0]);
    let found = app
        .store()?
        .monthly_average(&filter, "satisfaction", "closed_on", &from)
        .await?;
    let months: Vec<SatisfactionMonth> = months
        .into_iter()
        .map(|month| match found.iter().find(|m| m.month == month) {
            Some(m) => SatisfactionMonth {
                month,
                average: Some(m.average),
                count: m.count,
            },
            None => SatisfactionMonth {
                month,
                average: None,
                count: 0,
            },
        })
        .collect();
    let count: i64 = months.iter().map(|m| m.count).sum();
    let total: f64 = months
        .iter()
        .filter_map(|m| m.average.map(|a| a * m.count as f64))
        .sum();
    Ok(SatisfactionTrend {
        average: (count > 0).then(|| total / count as f64),
        count,
        months,
    })
}

/// The `n` calendar months (`YYYY-MM`) ending with the month of `today` (`YYYY-MM-DD`),
/// oldest first.
fn last_months(today: &str, n: usize) -> Option<Vec<String>> {
    let year: i32 = today.get(0..4)?.parse().ok()?;
    let month: i32 = today.get(5..7)?.parse().ok()?;
    if !(1..=12).contains(&month) || n == 0 {
        return None;
    }
    let last = year * 12 + (month - 1);
    let n = i32::try_from(n).ok()?;
    Some(
        (last - n + 1..=last)
            .map(|m| format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1))
            .collect(),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_last_months_cross_the_year_boundary() {
        assert_eq!(
            last_months("2026-02-14", 4).unwrap(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(last_months("2026-12-31", 12).unwrap()[0], "2026-01");
        assert_eq!(last_months("2026-01-01", 12).unwrap()[0], "2025-02");
        assert_eq!(last_months("2026-13-01", 12), None);
        assert_eq!(last_months("soon", 12), None);
    }
}
