//! Organisation-wide settings that people change while Annex runs (as opposed to the
//! configuration file, read at start): what they are, their defaults and their rules. The
//! app layer stores them, audits every change and hands the current ones to the
//! computations that depend on them ([`crate::kinds::DeriveCtx`]).
//!
//! The first setting is the **risk matrix**: the scales on which likelihood and impact are
//! rated and the levels a score falls into — the risk criteria an organisation sets for
//! itself before it assesses risks (ISO 9001:2015 6.1; ISO/IEC 27001:2022 6.1.2 a), so that
//! repeated assessments give comparable results).
//!
//! Why levels are score ranges rather than a map of cells: a risk's score is likelihood ×
//! impact, and levels cover contiguous ranges of that score. Ranges are quick to state,
//! easy to check (no gap, no overlap, from 1 to the largest product) and keep the matrix
//! monotonic — a cell never ranks below a cell that is neither less likely nor less severe.
//! The heat map shows which cells each range covers.

use serde::{Deserialize, Serialize};

use crate::kinds::FieldError;

/// Every setting, as the app layer loads them; each part falls back to its default when
/// nothing has been stored for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    pub risk_matrix: RiskMatrix,
}

/// The key under which the risk matrix is stored.
pub const RISK_MATRIX: &str = "risk_matrix";

/// The smallest and largest number of steps on each scale.
pub const SCALE_MIN: usize = 3;
pub const SCALE_MAX: usize = 5;
/// How many levels a matrix may have.
pub const LEVELS_MIN: usize = 2;
pub const LEVELS_MAX: usize = 6;
/// Lengths of the texts of a matrix, in characters.
pub const LABEL_MAX: usize = 40;
pub const DESCRIPTION_MAX: usize = 300;
pub const LEVEL_ID_MAX: usize = 20;

/// How likelihood and impact are rated and what their product means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskMatrix {
    /// The likelihood scale, lowest first: its length (3 to 5) is the number of steps, and
    /// step `n` is the `n`th entry.
    #[serde(default)]
    pub likelihood: Vec<Step>,
    /// The impact scale, lowest first (3 to 5 steps; may differ from likelihood).
    #[serde(default)]
    pub impact: Vec<Step>,
    /// The levels a score (likelihood × impact) falls into, lowest first: contiguous ranges
    /// from 1 to the largest score, without gaps or overlaps.
    #[serde(default)]
    pub levels: Vec<Level>,
}

/// One step of a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// "Rare", "Minor".
    #[serde(default)]
    pub label: String,
    /// What the step means in this organisation: "less than once in ten years".
    #[serde(default)]
    pub description: String,
}

/// A level of risk: the scores it covers and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    /// What risks store (`low`, `high`): lower-case letters, digits and `_`. Kept stable so
    /// that renaming the label does not touch a single risk.
    #[serde(default)]
    pub id: String,
    /// What people see: "High".
    #[serde(default)]
    pub label: String,
    /// `#rrggbb`, the colour of its cells on the heat map.
    #[serde(default)]
    pub colour: String,
    /// The lowest score it covers.
    #[serde(default)]
    pub min: i64,
    /// The highest score it covers.
    #[serde(default)]
    pub max: i64,
}

impl Step {
    pub fn new(label: &str, description: &str) -> Self {
        Self {
            label: label.into(),
            description: description.into(),
        }
    }
}

impl Level {
    /// A level covering scores `min` to `max`, drawn in `colour` (`#rrggbb`).
    pub fn new(id: &str, label: &str, colour: &str, min: i64, max: i64) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            colour: colour.into(),
            min,
            max,
        }
    }
}

impl Default for RiskMatrix {
    /// A common 5 × 5 matrix in four levels, to start from and adapt.
    fn default() -> Self {
        Self {
            likelihood: vec![
                Step::new(
                    "Rare",
                    "Not expected; could happen only in exceptional circumstances.",
                ),
                Step::new(
                    "Unlikely",
                    "Could happen, but not expected within several years.",
                ),
                Step::new("Possible", "Might happen within a few years."),
                Step::new("Likely", "Expected to happen within a year."),
                Step::new("Almost certain", "Expected to happen several times a year."),
            ],
            impact: vec![
                Step::new("Negligible", "Hardly noticed; no lasting effect."),
                Step::new("Minor", "Dealt with in the normal course of work."),
                Step::new(
                    "Moderate",
                    "Noticeable harm, delay or cost; needs management attention.",
                ),
                Step::new(
                    "Major",
                    "Serious harm, loss of customers or regulatory action.",
                ),
                Step::new(
                    "Severe",
                    "Threatens people's safety or the organisation itself.",
                ),
            ],
            levels: vec![
                Level::new("low", "Low", "#2e7d32", 1, 4),
                Level::new("medium", "Medium", "#f9a825", 5, 9),
                Level::new("high", "High", "#ef6c00", 10, 16),
                Level::new("critical", "Critical", "#c62828", 17, 25),
            ],
        }
    }
}

impl RiskMatrix {
    /// How many likelihood steps.
    pub fn likelihood_size(&self) -> i64 {
        i64::try_from(self.likelihood.len()).unwrap_or(0)
    }

    /// How many impact steps.
    pub fn impact_size(&self) -> i64 {
        i64::try_from(self.impact.len()).unwrap_or(0)
    }

    /// The largest score: both scales at their top.
    pub fn max_score(&self) -> i64 {
        self.likelihood_size() * self.impact_size()
    }

    /// The level a score falls into.
    pub fn level_of(&self, score: i64) -> Option<&Level> {
        self.levels
            .iter()
            .find(|l| (l.min..=l.max).contains(&score))
    }

    /// The level with this id.
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// The level of a cell, likelihood and impact counted from 1.
    pub fn cell(&self, likelihood: i64, impact: i64) -> Option<&Level> {
        self.level_of(likelihood * impact)
    }

    /// Checks every rule and returns every problem at once, or the matrix with its texts
    /// trimmed and colours in lower case. Problems are named by path, counted from 1 as
    /// people count: `likelihood.2.label`, `levels.3.min`.
    pub fn validate(&self) -> Result<RiskMatrix, Vec<FieldError>> {
        let mut errors = Vec::new();
        let likelihood = check_scale("likelihood", &self.likelihood, &mut errors);
        let impact = check_scale("impact", &self.impact, &mut errors);
        let mut levels = Vec::new();
        if !(LEVELS_MIN..=LEVELS_MAX).contains(&self.levels.len()) {
            errors.push(FieldError::new(
                "levels",
                format!(
                    "must have {LEVELS_MIN} to {LEVELS_MAX} levels; it has {}",
                    self.levels.len()
                ),
            ));
        }
        for (i, l) in self.levels.iter().enumerate() {
            let at = |f: &str| format!("levels.{}.{f}", i + 1);
            let id = l.id.trim().to_string();
            if id.is_empty() {
                errors.push(FieldError::new(at("id"), "required"));
            } else if id.len() > LEVEL_ID_MAX
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                errors.push(FieldError::new(
                    at("id"),
                    format!(
                        "must be 1 to {LEVEL_ID_MAX} lower-case letters, digits or '_' \
                         (e.g. high)"
                    ),
                ));
            } else if self.levels[..i].iter().any(|o| o.id.trim() == id) {
                errors.push(FieldError::new(
                    at("id"),
                    format!("'{id}' is used by another level"),
                ));
            }
            let label = text(&at("label"), &l.label, LABEL_MAX, true, &mut errors);
            if !label.is_empty()
                && self.levels[..i]
                    .iter()
                    .any(|o| o.label.trim().eq_ignore_ascii_case(&label))
            {
                errors.push(FieldError::new(
                    at("label"),
                    format!("'{label}' is used by another level"),
                ));
            }
            let colour = l.colour.trim().to_ascii_lowercase();
            if !is_colour(&colour) {
                errors.push(FieldError::new(
                    at("colour"),
                    "must be a colour written #rrggbb (e.g. #c62828)",
                ));
            }
            if l.min > l.max {
                errors.push(FieldError::new(
                    at("max"),
                    format!("must not be below its minimum ({})", l.min),
                ));
            }
            levels.push(Level {
                id,
                label,
                colour,
                min: l.min,
                max: l.max,
            });
        }
        // Ranges: once both scales have a size in range, the largest score is known (their
        // labels need not be sound for that).
        let sized = |n: usize| (SCALE_MIN..=SCALE_MAX).contains(&n).then_some(n);
        if let (Some(ls), Some(is)) = (sized(self.likelihood.len()), sized(self.impact.len()))
            && !self.levels.is_empty()
        {
            let top = i64::try_from(ls * is).unwrap_or(0);
            let products: Vec<i64> = (1..=i64::try_from(ls).unwrap_or(0))
                .flat_map(|l| (1..=i64::try_from(is).unwrap_or(0)).map(move |i| l * i))
                .collect();
            let mut expected = 1;
            for (i, l) in self.levels.iter().enumerate() {
                let at = |f: &str| format!("levels.{}.{f}", i + 1);
                if l.min != expected {
                    let rule = if i == 0 {
                        "must be 1: the lowest level starts at the lowest score".to_string()
                    } else if l.min < expected {
                        format!(
                            "must be {expected}, one above the previous level's maximum: \
                             it overlaps the previous level"
                        )
                    } else {
                        format!(
                            "must be {expected}, one above the previous level's maximum: \
                             scores {expected} to {} belong to no level",
                            l.min - 1
                        )
                    };
                    errors.push(FieldError::new(at("min"), rule));
                }
                if l.min <= l.max && !products.iter().any(|p| (l.min..=l.max).contains(p)) {
                    errors.push(FieldError::new(
                        at("max"),
                        format!(
                            "covers no cell of the matrix: no likelihood × impact gives a \
                             score from {} to {}",
                            l.min, l.max
                        ),
                    ));
                }
                expected = l.max.max(expected) + 1;
            }
            if let Some(last) = self.levels.last()
                && last.max != top
            {
                errors.push(FieldError::new(
                    format!("levels.{}.max", self.levels.len()),
                    format!(
                        "must be {top}, the largest score ({ls} × {is}): the highest level ends \
                         there"
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(RiskMatrix {
                likelihood: likelihood.unwrap_or_default(),
                impact: impact.unwrap_or_default(),
                levels,
            })
        } else {
            Err(errors)
        }
    }
}

/// Checks one scale; returns it trimmed when it is sound.
fn check_scale(name: &str, steps: &[Step], errors: &mut Vec<FieldError>) -> Option<Vec<Step>> {
    let before = errors.len();
    if !(SCALE_MIN..=SCALE_MAX).contains(&steps.len()) {
        errors.push(FieldError::new(
            name,
            format!(
                "must have {SCALE_MIN} to {SCALE_MAX} steps; it has {}",
                steps.len()
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let at = |f: &str| format!("{name}.{}.{f}", i + 1);
        let label = text(&at("label"), &s.label, LABEL_MAX, true, errors);
        if !label.is_empty()
            && steps[..i]
                .iter()
                .any(|o| o.label.trim().eq_ignore_ascii_case(&label))
        {
            errors.push(FieldError::new(
                at("label"),
                format!("'{label}' is used by another step"),
            ));
        }
        let description = text(
            &at("description"),
            &s.description,
            DESCRIPTION_MAX,
            false,
            errors,
        );
        out.push(Step { label, description });
    }
    (errors.len() == before).then_some(out)
}

/// A one-line text, trimmed, checked for presence and length.
fn text(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let v = value.trim().to_string();
    if v.is_empty() && required {
        errors.push(FieldError::new(field, "required"));
    } else if v.contains(['\n', '\r']) {
        errors.push(FieldError::new(field, "must be a single line"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, format!("at most {max} characters")));
    }
    v
}

/// `#rrggbb` in hex digits.
pub fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Black or white, whichever reads better on `colour` (`#rrggbb`): heat-map cells carry
/// their count in it.
pub fn text_colour(colour: &str) -> &'static str {
    let channel = |i: usize| {
        colour
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, f64::from)
    };
    // Relative luminance, roughly (ITU-R BT.601 weights).
    let y = 0.299 * channel(1) + 0.587 * channel(3) + 0.114 * channel(5);
    if y > 150.0 { "#000000" } else { "#ffffff" }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn three_by_three() -> RiskMatrix {
        RiskMatrix {
            likelihood: vec![
                Step::new("Low", ""),
                Step::new("Medium", ""),
                Step::new("High", ""),
            ],
            impact: vec![
                Step::new("Minor", ""),
                Step::new("Serious", ""),
                Step::new("Grave", ""),
            ],
            levels: vec![
                Level::new("low", "Low", "#00ff00", 1, 2),
                Level::new("medium", "Medium", "#FFFF00", 3, 4),
                Level::new("high", "High", "#ff0000", 5, 9),
            ],
        }
    }

    fn errors(m: &RiskMatrix) -> Vec<String> {
        m.validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn the_default_matrix_is_valid_five_by_five() {
        let m = RiskMatrix::default();
        assert_eq!(m.validate(), Ok(m.clone()));
        assert_eq!(
            (m.likelihood_size(), m.impact_size(), m.max_score()),
            (5, 5, 25)
        );
        assert_eq!(m.cell(1, 1).unwrap().id, "low");
        assert_eq!(m.cell(3, 3).unwrap().id, "medium");
        assert_eq!(m.cell(4, 3).unwrap().id, "high");
        assert_eq!(m.cell(5, 4).unwrap().id, "critical");
    }

    #[test]
    fn a_three_by_three_matrix_is_trimmed_and_its_colours_lowered() {
        let m = three_by_three().validate().unwrap();
        assert_eq!(m.levels[1].colour, "#ffff00");
        assert_eq!(m.max_score(), 9);
        assert_eq!(m.cell(2, 2).unwrap().label, "Medium");
        assert_eq!(m.level_of(10), None);
    }

    #[test]
    fn scales_may_differ_in_size_and_the_top_follows() {
        let mut m = three_by_three();
        m.impact.push(Step::new("Ruinous", ""));
        // 3 × 4: the highest level must end at 12.
        assert_eq!(
            errors(&m),
            ["levels.3.max: must be 12, the largest score (3 × 4): the highest level ends there"]
        );
        m.levels[2].max = 12;
        assert!(m.validate().is_ok());
    }

    #[test]
    fn sizes_out_of_range_are_named() {
        let mut m = three_by_three();
        m.likelihood.truncate(2);
        m.impact = (0..6).map(|i| Step::new(&format!("I{i}"), "")).collect();
        let e = errors(&m);
        assert!(
            e.contains(&"likelihood: must have 3 to 5 steps; it has 2".to_string()),
            "{e:?}"
        );
        assert!(
            e.contains(&"impact: must have 3 to 5 steps; it has 6".to_string()),
            "{e:?}"
        );
    }

    #[test]
    fn missing_labels_and_bad_colours_are_named_by_position() {
        let mut m = three_by_three();
        m.likelihood[1].label = "  ".into();
        m.levels[0].colour = "green".into();
        m.levels[2].colour = "#12345g".into();
        m.levels[1].label = String::new();
        m.levels[1].id = "Medium!".into();
        assert_eq!(
            errors(&m),
            [
                "likelihood.2.label: required",
                "levels.1.colour: must be a colour written #rrggbb (e.g. #c62828)",
                "levels.2.id: must be 1 to 20 lower-case letters, digits or '_' (e.g. high)",
                "levels.2.label: required",
                "levels.3.colour: must be a colour written #rrggbb (e.g. #c62828)",
            ]
        );
    }

    #[test]
    fn overlapping_and_gapped_ranges_are_named() {
        let mut m = three_by_three();
        m.levels[1].min = 2; // overlaps low (1-2)
        assert_eq!(
            errors(&m),
            [
                "levels.2.min: must be 3, one above the previous level's maximum: it overlaps \
                 the previous level"
            ]
        );
        let mut m = three_by_three();
        m.levels[2].min = 6; // 5 belongs to nothing
        assert_eq!(
            errors(&m),
            [
                "levels.3.min: must be 5, one above the previous level's maximum: scores 5 to \
                 5 belong to no level"
            ]
        );
        let mut m = three_by_three();
        m.levels[0].min = 0;
        m.levels[2].max = 4;
        m.levels[2].min = 5;
        let e = errors(&m);
        assert!(
            e.contains(
                &"levels.1.min: must be 1: the lowest level starts at the lowest score".into()
            ),
            "{e:?}"
        );
        assert!(
            e.contains(&"levels.3.max: must not be below its minimum (5)".into()),
            "{e:?}"
        );
    }

    #[test]
    fn a_level_that_covers_no_cell_is_refused() {
        // 3 × 3 products are 1, 2, 3, 4, 6, 9: nothing scores 5.
        let mut m = three_by_three();
        m.levels = vec![
            Level::new("low", "Low", "#00ff00", 1, 4),
            Level::new("odd", "Odd", "#0000ff", 5, 5),
            Level::new("high", "High", "#ff0000", 6, 9),
        ];
        assert_eq!(
            errors(&m),
            [
                "levels.2.max: covers no cell of the matrix: no likelihood × impact gives a \
                 score from 5 to 5"
            ]
        );
    }

    #[test]
    fn duplicate_ids_and_labels_are_refused() {
        let mut m = three_by_three();
        m.levels[2].id = "low".into();
        m.levels[2].label = "low".into();
        m.impact[2].label = "minor".into();
        assert_eq!(
            errors(&m),
            [
                "impact.3.label: 'minor' is used by another step",
                "levels.3.id: 'low' is used by another level",
                "levels.3.label: 'low' is used by another level",
            ]
        );
    }

    #[test]
    fn too_few_levels_are_refused() {
        let mut m = three_by_three();
        m.levels.truncate(1);
        m.levels[0].max = 9;
        assert_eq!(errors(&m), ["levels: must have 2 to 6 levels; it has 1"]);
    }

    #[test]
    fn matrices_read_from_json_with_missing_parts_fail_validation_not_parsing() {
        let m: RiskMatrix = serde_json::from_str(r#"{"levels": []}"#).unwrap();
        let e = errors(&m);
        assert!(e.contains(&"likelihood: must have 3 to 5 steps; it has 0".to_string()));
        assert!(e.contains(&"levels: must have 2 to 6 levels; it has 0".to_string()));
    }

    #[test]
    fn text_on_a_colour_is_black_or_white_by_lightness() {
        assert_eq!(text_colour("#f9a825"), "#000000");
        assert_eq!(text_colour("#c62828"), "#ffffff");
        assert_eq!(text_colour("bad"), "#ffffff");
    }
}
