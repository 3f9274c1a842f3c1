//! The risk register's heat map: open risks counted by residual likelihood × impact, each
//! cell coloured by the level the current risk matrix gives it and linked to the list of the
//! risks in it. Counted in one grouped query, over the risks the user may see.

use annex_core::settings::{RiskMatrix, text_colour};
use serde::Serialize;

use crate::records::{ListQuery, filter_of};
use crate::{App, Error, Principal};

/// One cell: a likelihood and an impact step, the open risks rated there, and its level.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatCell {
    pub likelihood: i64,
    pub impact: i64,
    pub count: i64,
    pub level: String,
    pub level_label: String,
    /// `#rrggbb`, and the colour text on it reads in.
    pub colour: String,
    pub text_colour: String,
    /// The register filtered to the cell's risks.
    pub href: String,
}

/// One row of the map: a likelihood step and its cells, lowest impact first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatRow {
    pub likelihood: i64,
    pub label: String,
    pub cells: Vec<HeatCell>,
}

/// The heat map of open risks by residual rating.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatMap {
    /// Highest likelihood first, as heat maps are drawn.
    pub rows: Vec<HeatRow>,
    /// The impact steps' labels, lowest first: the column headings.
    pub impacts: Vec<String>,
    /// Open risks with no residual rating yet (not on the map).
    pub unrated: i64,
    /// Open risks in all.
    pub open: i64,
}

/// The heat map of the open risks `who` may see, by residual likelihood and impact.
pub async fn heat_map(app: &App, who: &Principal) -> Result<HeatMap, Error> {
    let filter = filter_of(
        app,
        who,
        ListQuery {
            kind: Some("risk".into()),
            open: true,
            ..ListQuery::default()
        },
    )
    .await?;
    let matrix = crate::settings::current(app).await?.risk_matrix;
    let counts = app
        .store()?
        .tally(&filter, "residual_likelihood", "residual_impact")
        .await?;
    Ok(draw(&matrix, &counts))
}

/// The map from the matrix and the counts per (likelihood, impact) as text.
fn draw(matrix: &RiskMatrix, counts: &[(Option<String>, Option<String>, i64)]) -> HeatMap {
    let step = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<i64>().ok());
    let mut open = 0;
    let mut unrated = 0;
    let count_at = |l: i64, i: i64| -> i64 {
        counts
            .iter()
            .filter(|(a, b, _)| step(a) == Some(l) && step(b) == Some(i))
            .map(|(_, _, n)| n)
            .sum()
    };
    for (a, b, n) in counts {
        open += n;
        let on_map = matches!((step(a), step(b)), (Some(l), Some(i))
            if (1..=matrix.likelihood_size()).contains(&l) && (1..=matrix.impact_size()).contains(&i));
        if !on_map {
            unrated += n;
        }
    }
    let rows = (1..=matrix.likelihood_size())
        .rev()
        .map(|l| HeatRow {
            likelihood: l,
            label: label(&matrix.likelihood, l),
            cells: (1..=matrix.impact_size())
                .map(|i| {
                    let level = matrix.cell(l, i);
                    let colour = level.map_or_else(|| "#ffffff".to_string(), |v| v.colour.clone());
                    HeatCell {
                        likelihood: l,
                        impact: i,
                        count: count_at(l, i),
                        level: level.map(|v| v.id.clone()).unwrap_or_default(),
                        level_label: level.map(|v| v.label.clone()).unwrap_or_default(),
                        text_colour: text_colour(&colour).to_string(),
                        colour,
                        href: format!(
                            "/records/risk?open=on&fields.residual_likelihood={l}&fields.residual_impact={i}"
                        ),
                    }
                })
                .collect(),
        })
        .collect();
    HeatMap {
        rows,
        impacts: (1..=matrix.impact_size())
            .map(|i| label(&matrix.impact, i))
            .collect(),
        unrated,
        open,
    }
}

fn label(steps: &[annex_core::settings::Step], n: i64) -> String {
    usize::try_from(n - 1)
        .ok()
        .and_then(|i| steps.get(i))
        .map_or_else(|| n.to_string(), |s| format!("{n} {}", s.label))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn cells_count_their_risks_and_the_rest_are_unrated() {
        let m = RiskMatrix::default();
        let s = |v: &str| Some(v.to_string());
        let map = draw(
            &m,
            &[
                (s("2"), s("3"), 4),
                (s("5"), s("5"), 1),
                (None, None, 2),
                (s("2"), None, 1),
            ],
        );
        assert_eq!(map.open, 8);
        assert_eq!(map.unrated, 3);
        assert_eq!(map.rows[0].label, "5 Almost certain");
        let top_right = &map.rows[0].cells[4];
        assert_eq!((top_right.count, top_right.level.as_str()), (1, "critical"));
        let cell = &map.rows[3].cells[2];
        assert_eq!((cell.likelihood, cell.impact, cell.count), (2, 3, 4));
        assert_eq!(cell.level_label, "Medium");
        assert!(
            cell.href
                .ends_with("fields.residual_likelihood=2&fields.residual_impact=3")
        );
        assert_eq!(map.impacts[0], "1 Negligible");
    }
}
