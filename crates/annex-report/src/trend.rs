//! A line chart of values over time as an SVG, for a record page (an objective's
//! measurements against its target). No JavaScript: the chart is a picture with a title and
//! a description for screen readers, each point carries its value as a tooltip, and the page
//! shows the same data as a table. Every piece of user text is escaped.
//!
//! Colours and sizes are attributes of the drawing itself, so it looks the same wherever it
//! is put (a page, a printout), without the page's style sheet.
//!
//! (A generic chart module is being written alongside this one; the two are meant to become
//! one. This one keeps to `line_chart`.)

use std::fmt::Write;

/// What a chart says about itself, and the lines drawn across it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The `id` of the SVG element; its title and description get ids derived from it.
    pub id: &'a str,
    /// Read first by screen readers, and shown as a tooltip.
    pub title: &'a str,
    /// What the chart shows, in a sentence or two.
    pub desc: &'a str,
    /// The unit of the values, written after them: `%`, `kWh`.
    pub unit: &'a str,
    /// The lower and upper limits of a band the values should stay within.
    pub band: Option<(f64, f64)>,
}

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 96.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// At most this many labels along the x axis; the others are left out, not squeezed.
const X_LABELS: usize = 8;

/// A line chart of `points` (an x label, usually a date, and a value) in the order given,
/// with `target` drawn as a dashed line across it. Empty points give an empty string.
pub fn line_chart(points: &[(String, f64)], target: Option<f64>, o: &Options) -> String {
    let points: Vec<&(String, f64)> = points.iter().filter(|(_, v)| v.is_finite()).collect();
    if points.is_empty() {
        return String::new();
    }
    let target = target.filter(|t| t.is_finite());
    let band = o.band.filter(|(a, b)| a.is_finite() && b.is_finite());
    let (lo, hi) = range(
        points
            .iter()
            .map(|(_, v)| *v)
            .chain(target)
            .chain(band.into_iter().flat_map(|(a, b)| [a, b])),
    );
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * plot_h;
    #[allow(clippy::cast_precision_loss)] // a chart has far fewer points than 2^52
    let x = |i: usize| {
        if points.len() == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + i as f64 / (points.len() - 1) as f64 * plot_w
        }
    };
    let unit = if o.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", o.unit)
    };
    let id = escape(o.id);
    let mut s = String::new();
    // `write!` to a String cannot fail.
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="trend" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(o.title),
        escape(o.desc),
    );
    // Horizontal grid lines with their values.
    for t in ticks(lo, hi) {
        let _ = write!(
            s,
            r##"<line class="grid" stroke="#d8d8d8" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}"/><text class="axis" font-size="12" fill="#444" x="{}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"##,
            W - RIGHT,
            y(t),
            y(t),
            LEFT - 6.0,
            y(t),
            escape(&num(t)),
        );
    }
    if let Some((a, b)) = band {
        let (top, bottom) = (y(a.max(b)), y(a.min(b)));
        let _ = write!(
            s,
            r##"<rect class="band" fill="#2a8a5a" fill-opacity="0.12" x="{LEFT}" y="{top:.1}" width="{plot_w}" height="{:.1}"/>"##,
            bottom - top,
        );
        for (v, name) in [(a, "Lower"), (b, "Upper")] {
            let _ = write!(
                s,
                r##"<line class="limit" stroke="#2a8a5a" stroke-dasharray="2 3" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}"/><text class="limit-label" font-size="12" fill="#1d6b44" x="{}" y="{:.1}" dominant-baseline="middle">{name} {}</text>"##,
                W - RIGHT,
                y(v),
                y(v),
                W - RIGHT + 4.0,
                y(v),
                escape(&format!("{}{unit}", num(v))),
            );
        }
    }
    if let Some(t) = target {
        let _ = write!(
            s,
            r##"<line class="target" stroke="#b3261e" stroke-width="1.5" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke-dasharray="6 4"/><text class="target-label" font-size="12" fill="#b3261e" x="{}" y="{:.1}" dominant-baseline="middle">Target {}</text>"##,
            W - RIGHT,
            y(t),
            y(t),
            W - RIGHT + 4.0,
            y(t),
            escape(&format!("{}{unit}", num(t))),
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline class="line" fill="none" stroke="#1f5fbf" stroke-width="2" points="{}"/>"##,
        path.join(" ")
    );
    let every = points.len().div_ceil(X_LABELS);
    for (i, (label, v)) in points.iter().enumerate() {
        let _ = write!(
            s,
            r##"<circle class="point" fill="#1f5fbf" cx="{:.1}" cy="{:.1}" r="4"><title>{}: {}</title></circle>"##,
            x(i),
            y(*v),
            escape(label),
            escape(&format!("{}{unit}", num(*v))),
        );
        // The last label always shows: it is the latest measurement.
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                s,
                r##"<text class="axis" font-size="12" fill="#444" x="{:.1}" y="{}" text-anchor="middle">{}</text>"##,
                x(i),
                H - BOTTOM + 18.0,
                escape(label),
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The value range to draw: the values' own, widened a little so that no point sits on the
/// frame, and to a unit when they are all equal.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.1;
    (lo - pad, hi + pad)
}

/// Four to eleven round values across `lo..=hi` for the grid (steps of 1, 2 or 5 times a power of ten).
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let mut out = Vec::new();
    let mut t = (lo / step).ceil() * step;
    while t <= hi && out.len() < 12 {
        out.push(t);
        t += step;
    }
    out
}

/// A value as people write it: no trailing zeros, at most three decimals.
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Text safe inside SVG elements and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pts(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(l, v)| (l.to_string(), *v)).collect()
    }

    #[test]
    fn a_chart_names_itself_and_carries_every_point_and_the_target() {
        let svg = line_chart(
            &pts(&[
                ("2026-01-31", 91.0),
                ("2026-02-28", 93.5),
                ("2026-03-31", 96.2),
            ]),
            Some(95.0),
            &Options {
                id: "trend",
                title: "On-time delivery",
                desc: "Monthly values against a target of 95 %.",
                unit: "%",
                band: None,
            },
        );
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="trend-title trend-desc""#));
        assert!(svg.contains(r#"<title id="trend-title">On-time delivery</title>"#));
        assert!(
            svg.contains("<desc id=\"trend-desc\">Monthly values against a target of 95 %.</desc>")
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<title>2026-02-28: 93.5 %</title>"));
        assert!(svg.contains("Target 95 %"));
        assert!(svg.contains("class=\"target\""));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn higher_values_are_drawn_higher() {
        let svg = line_chart(&pts(&[("a", 1.0), ("b", 3.0)]), None, &Options::default());
        let cy: Vec<f64> = svg
            .split("cy=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(cy.len(), 2);
        assert!(cy[1] < cy[0], "{cy:?}");
        assert!(!svg.contains("class=\"target\""));
    }

    #[test]
    fn user_text_is_escaped() {
        let svg = line_chart(
            &pts(&[("<b>Q1</b>", 1.0)]),
            None,
            &Options {
                id: "x\"y",
                title: "Scrap & rework <script>alert(1)</script>",
                desc: "'quoted'",
                unit: "<u>",
                band: None,
            },
        );
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("<u>"));
        assert!(svg.contains("Scrap &amp; rework &lt;script&gt;"));
        assert!(svg.contains("id=\"x&quot;y\""));
        assert!(svg.contains("&#39;quoted&#39;"));
        assert!(svg.contains("&lt;b&gt;Q1&lt;/b&gt;: 1 &lt;u&gt;"));
    }

    #[test]
    fn one_point_equal_values_a_band_and_no_points_are_all_drawn_sensibly() {
        assert_eq!(line_chart(&[], Some(1.0), &Options::default()), "");
        let one = line_chart(&pts(&[("only", 5.0)]), None, &Options::default());
        assert!(one.contains("cx=\"304.0\""), "centred: {one}");
        assert!(!one.contains("NaN") && !one.contains("inf"));
        let band = line_chart(
            &pts(&[("a", 45.0), ("b", 62.0)]),
            Some(45.0),
            &Options {
                band: Some((30.0, 60.0)),
                unit: "%",
                ..Options::default()
            },
        );
        assert!(band.contains("class=\"band\""));
        assert!(band.contains("Lower 30 %"));
        assert!(band.contains("Upper 60 %"));
        let odd = line_chart(
            &pts(&[("a", f64::NAN), ("b", 2.0)]),
            Some(f64::INFINITY),
            &Options::default(),
        );
        assert_eq!(odd.matches("<circle").count(), 1);
        assert!(!odd.contains("NaN") && !odd.contains("inf"));
    }

    #[test]
    fn many_points_keep_the_axis_readable() {
        let many: Vec<(String, f64)> = (1..=36).map(|i| (format!("M{i}"), f64::from(i))).collect();
        let svg = line_chart(&many, None, &Options::default());
        assert_eq!(svg.matches("<circle").count(), 36);
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!(labels <= X_LABELS + 1, "{labels}");
        assert!(svg.contains(">M36</text>"), "the latest is labelled");
    }

    #[test]
    fn numbers_read_without_trailing_zeros() {
        assert_eq!(num(95.0), "95");
        assert_eq!(num(93.5), "93.5");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(ticks(0.0, 100.0), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(-12.0, 12.0), [-10.0, -5.0, 0.0, 5.0, 10.0]);
    }
}
