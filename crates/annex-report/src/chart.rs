//! Small charts as SVG text: a line or bar chart of labelled values (a month and its average
//! satisfaction, a month and a KPI's result), with an optional target line. The SVG is
//! self-contained and static — no script, no external style, colours given as presentation
//! attributes (which a page's content security policy allows, unlike `style`) and class names
//! a stylesheet may override — so it can be put straight into an HTML page or a PDF.
//!
//! Every label is escaped. A value that is not finite (`f64::NAN`) is a gap: nothing is drawn
//! for it and a line breaks there, so a month without data is shown as missing, not as zero.
//! Each point carries a `<title>` with its label and value, and the chart one with its
//! caption, so that screen readers and hover tooltips say what is drawn.

use std::fmt::Write;

/// How a chart looks. [`ChartOptions::new`] gives a 480 × 200 chart whose value axis fits
/// the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// What the chart shows, in a few words: read out by screen readers.
    pub title: String,
    pub width: u32,
    pub height: u32,
    /// The bottom of the value axis; the data's (or the target's) lowest value when absent.
    pub y_min: Option<f64>,
    /// The top of the value axis; the data's (or the target's) highest value when absent.
    pub y_max: Option<f64>,
    /// A reference value drawn as a dashed line across the chart: a KPI's target.
    pub target: Option<f64>,
    /// Written at the end of the target line: "Target 95 %".
    pub target_label: String,
    /// Digits after the decimal point in value labels and tooltips.
    pub decimals: usize,
}

impl ChartOptions {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            width: 480,
            height: 200,
            y_min: None,
            y_max: None,
            target: None,
            target_label: String::new(),
            decimals: 1,
        }
    }
}

/// Space around the plot for the axis labels, in pixels: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (40.0, 16.0, 12.0, 28.0);
/// A rough width of one label character at the font size used, for thinning the x labels.
const CHAR_WIDTH: f64 = 6.5;
const AXIS_COLOUR: &str = "#8a8f98";
const GRID_COLOUR: &str = "#e3e5e8";
const SERIES_COLOUR: &str = "#1f5fa8";
const TARGET_COLOUR: &str = "#b04a00";

/// A line chart of `points` (label, value), left to right in the order given.
pub fn line_chart(points: &[(String, f64)], opts: &ChartOptions) -> String {
    draw(points, opts, Shape::Line)
}

/// A bar chart of `points` (label, value), left to right in the order given. Bars rise from
/// zero, or from the bottom of the axis when zero is below it.
pub fn bar_chart(points: &[(String, f64)], opts: &ChartOptions) -> String {
    draw(points, opts, Shape::Bars)
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Line,
    Bars,
}

/// Where things go: the plot area and the value axis.
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    lo: f64,
    hi: f64,
    /// The horizontal room of one point.
    band: f64,
}

impl Frame {
    fn x(&self, i: usize) -> f64 {
        self.left + self.band * (i as f64 + 0.5)
    }

    fn y(&self, v: f64) -> f64 {
        let v = v.clamp(self.lo, self.hi);
        self.top + self.height * (self.hi - v) / (self.hi - self.lo)
    }
}

fn draw(points: &[(String, f64)], opts: &ChartOptions, shape: Shape) -> String {
    let (w, h) = (
        f64::from(opts.width.max(80)),
        f64::from(opts.height.max(60)),
    );
    let finite: Vec<f64> = points
        .iter()
        .map(|p| p.1)
        .chain(opts.target)
        .filter(|v| v.is_finite())
        .collect();
    let data_lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let data_hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut lo = opts.y_min.filter(|v| v.is_finite()).unwrap_or(data_lo);
    let mut hi = opts.y_max.filter(|v| v.is_finite()).unwrap_or(data_hi);
    if shape == Shape::Bars && opts.y_min.is_none() {
        lo = lo.min(0.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        // One value, or an axis given upside down: centre what there is.
        (lo, hi) = (lo - 1.0, lo + 1.0);
    }
    let (ml, mr, mt, mb) = MARGIN;
    let f = Frame {
        left: ml,
        top: mt,
        width: w - ml - mr,
        height: h - mt - mb,
        lo,
        hi,
        band: (w - ml - mr) / points.len().max(1) as f64,
    };

    let title = escape(&opts.title);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{title}" font-family="sans-serif" font-size="11"><title>{title}</title>"#
    );

    // Value axis: grid lines at round steps, labelled on the left.
    for t in ticks(lo, hi) {
        let y = f.y(t);
        let _ = write!(
            s,
            r#"<line class="chart-grid" x1="{ml}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GRID_COLOUR}"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{AXIS_COLOUR}">{}</text>"#,
            ml + f.width,
            ml - 6.0,
            y + 4.0,
            number(t, tick_decimals(lo, hi)),
        );
    }
    let _ = write!(
        s,
        r#"<line class="chart-axis" x1="{ml}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{AXIS_COLOUR}"/>"#,
        mt + f.height,
        ml + f.width,
        mt + f.height,
    );

    // Labels along the bottom, thinned so that they do not overlap.
    let widest = points
        .iter()
        .map(|p| p.0.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let every = ((widest * CHAR_WIDTH + 8.0) / f.band).ceil().max(1.0) as usize;
    for (i, (label, _)) in points.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{AXIS_COLOUR}">{}</text>"#,
                f.x(i),
                h - 10.0,
                escape(label)
            );
        }
    }

    if !points.iter().any(|p| p.1.is_finite()) {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{AXIS_COLOUR}">No data</text>"#,
            ml + f.width / 2.0,
            mt + f.height / 2.0,
        );
    }

    match shape {
        Shape::Line => line(&mut s, points, &f, opts.decimals),
        Shape::Bars => bars(&mut s, points, &f, opts.decimals),
    }

    if let Some(t) = opts.target.filter(|t| t.is_finite()) {
        let y = f.y(t);
        let label = if opts.target_label.is_empty() {
            format!("Target {}", number(t, opts.decimals))
        } else {
            opts.target_label.clone()
        };
        let _ = write!(
            s,
            r#"<g class="chart-target"><title>{label}</title><line x1="{ml}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="5 4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{TARGET_COLOUR}">{label}</text></g>"#,
            ml + f.width,
            ml + f.width,
            y - 4.0,
            label = escape(&label),
        );
    }
    s.push_str("</svg>");
    s
}

/// Runs of finite values as polylines (a gap breaks the line), and a dot with a tooltip on
/// every value.
fn line(s: &mut String, points: &[(String, f64)], f: &Frame, decimals: usize) {
    let mut runs: Vec<Vec<String>> = Vec::new();
    let mut run = Vec::new();
    for (i, (_, v)) in points.iter().enumerate() {
        if v.is_finite() {
            run.push(format!("{:.1},{:.1}", f.x(i), f.y(*v)));
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for r in runs.iter().filter(|r| r.len() > 1) {
        let _ = write!(
            s,
            r#"<polyline class="chart-line" points="{}" fill="none" stroke="{SERIES_COLOUR}" stroke-width="2"/>"#,
            r.join(" ")
        );
    }
    for (i, (label, v)) in points.iter().enumerate() {
        if v.is_finite() {
            let _ = write!(
                s,
                r#"<circle class="chart-point" cx="{:.1}" cy="{:.1}" r="3.5" fill="{SERIES_COLOUR}"><title>{}: {}</title></circle>"#,
                f.x(i),
                f.y(*v),
                escape(label),
                number(*v, decimals)
            );
        }
    }
}

fn bars(s: &mut String, points: &[(String, f64)], f: &Frame, decimals: usize) {
    let base = f.y(0.0_f64.clamp(f.lo, f.hi));
    let width = (f.band * 0.7).max(1.0);
    for (i, (label, v)) in points.iter().enumerate() {
        if !v.is_finite() {
            continue;
        }
        let y = f.y(*v);
        let _ = write!(
            s,
            r#"<rect class="chart-bar" x="{:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{SERIES_COLOUR}"><title>{}: {}</title></rect>"#,
            f.x(i) - width / 2.0,
            y.min(base),
            (base - y).abs(),
            escape(label),
            number(*v, decimals)
        );
    }
}

/// Round values between `lo` and `hi` for the axis: steps of 1, 2 or 5 times a power of ten,
/// about five of them.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let step = step(lo, hi);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 && out.len() < 20 {
        // -0 reads badly.
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

fn step(lo: f64, hi: f64) -> f64 {
    let raw = (hi - lo) / 4.0;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// As many decimals as the axis step needs (none for a step of 1 or more).
fn tick_decimals(lo: f64, hi: f64) -> usize {
    let step = step(lo, hi);
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

fn number(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
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
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn pts(values: &[(&str, f64)]) -> Vec<(String, f64)> {
        values.iter().map(|(l, v)| (l.to_string(), *v)).collect()
    }

    fn count(s: &str, what: &str) -> usize {
        s.matches(what).count()
    }

    #[test]
    fn a_line_chart_draws_each_value_with_its_label_and_tooltip() {
        let opts = ChartOptions {
            y_min: Some(1.0),
            y_max: Some(5.0),
            ..ChartOptions::new("Average satisfaction per month")
        };
        let svg = line_chart(&pts(&[("2026-01", 3.0), ("2026-02", 4.4)]), &opts);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Average satisfaction per month</title>"));
        assert!(svg.contains(r#"role="img""#));
        assert_eq!(count(&svg, "<polyline"), 1);
        assert_eq!(count(&svg, "<circle"), 2);
        assert!(svg.contains("<title>2026-02: 4.4</title>"));
        assert!(svg.contains(">2026-01</text>"));
        // The axis from 1 to 5 in steps of 1.
        for t in ["1", "2", "3", "4", "5"] {
            assert!(
                svg.contains(&format!(r#"fill="{AXIS_COLOUR}">{t}</text>"#)),
                "{t}"
            );
        }
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn values_sit_at_their_height_on_the_axis() {
        let opts = ChartOptions {
            width: 140,
            height: 140,
            y_min: Some(0.0),
            y_max: Some(10.0),
            ..ChartOptions::new("t")
        };
        // Plot area: 12 to 112 high; 10 is at the top, 0 at the bottom, 5 half-way.
        let svg = line_chart(&pts(&[("a", 10.0), ("b", 5.0), ("c", 0.0)]), &opts);
        assert!(svg.contains(r#"cy="12.0""#), "{svg}");
        assert!(svg.contains(r#"cy="62.0""#), "{svg}");
        assert!(svg.contains(r#"cy="112.0""#), "{svg}");
    }

    #[test]
    fn a_missing_value_is_a_gap_not_a_zero() {
        let svg = line_chart(
            &pts(&[
                ("a", 1.0),
                ("b", 2.0),
                ("c", f64::NAN),
                ("d", 3.0),
                ("e", 4.0),
            ]),
            &ChartOptions::new("t"),
        );
        assert_eq!(count(&svg, "<polyline"), 2);
        assert_eq!(count(&svg, "<circle"), 4);
        assert!(!svg.contains("NaN"));
        let lone = line_chart(
            &pts(&[("a", 1.0), ("b", f64::NAN)]),
            &ChartOptions::new("t"),
        );
        assert_eq!(count(&lone, "<polyline"), 0);
        assert_eq!(count(&lone, "<circle"), 1);
    }

    #[test]
    fn labels_and_titles_are_escaped() {
        let opts = ChartOptions {
            target: Some(2.0),
            target_label: "Goal <\"2\">".into(),
            ..ChartOptions::new("R&D <script>")
        };
        let svg = bar_chart(&pts(&[("Q1 & Q2", 1.0), ("<b>", 3.0)]), &opts);
        assert!(svg.contains("<title>R&amp;D &lt;script&gt;</title>"));
        assert!(svg.contains(r#"aria-label="R&amp;D &lt;script&gt;""#));
        assert!(svg.contains(">Q1 &amp; Q2</text>"));
        assert!(svg.contains("&lt;b&gt;: 3.0"));
        assert!(svg.contains("Goal &lt;&quot;2&quot;&gt;"));
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
    }

    #[test]
    fn a_target_is_a_dashed_line_with_its_label() {
        let opts = ChartOptions {
            target: Some(95.0),
            decimals: 0,
            ..ChartOptions::new("On-time delivery, %")
        };
        let svg = line_chart(&pts(&[("Jan", 91.0), ("Feb", 97.0)]), &opts);
        assert!(svg.contains(r#"class="chart-target""#));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains(">Target 95</text>"));
        assert!(
            !line_chart(&pts(&[("Jan", 91.0)]), &ChartOptions::new("t")).contains("chart-target")
        );
    }

    #[test]
    fn bars_rise_from_zero_and_an_empty_chart_says_so() {
        let svg = bar_chart(&pts(&[("a", 2.0), ("b", 4.0)]), &ChartOptions::new("t"));
        assert_eq!(count(&svg, "<rect"), 2);
        assert!(
            svg.contains(&format!(r#"fill="{AXIS_COLOUR}">0</text>"#)),
            "{svg}"
        );
        let empty = line_chart(&pts(&[("a", f64::NAN)]), &ChartOptions::new("t"));
        assert!(empty.contains(">No data</text>"));
        let none = bar_chart(&[], &ChartOptions::new("t"));
        assert!(none.contains(">No data</text>"));
        assert!(none.ends_with("</svg>"));
    }

    #[test]
    fn crowded_labels_are_thinned() {
        let many: Vec<(String, f64)> = (1..=36)
            .map(|m| (format!("2026-{m:02}"), f64::from(m)))
            .collect();
        let svg = line_chart(&many, &ChartOptions::new("t"));
        let shown = many
            .iter()
            .filter(|(l, _)| svg.contains(&format!(">{l}</text>")))
            .count();
        assert!((6..36).contains(&shown), "{shown}");
        assert_eq!(count(&svg, "<circle"), 36);
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(ticks(1.0, 5.0), [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(0.0, 100.0), [0.0, 50.0, 100.0]);
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.5, 1.0]);
        assert_eq!(tick_decimals(0.0, 1.0), 1);
        assert_eq!(tick_decimals(1.0, 5.0), 0);
    }
}
