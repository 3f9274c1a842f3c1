//! Small charts as SVG text: a line or bar chart of labelled values (a month and its average
//! satisfaction, an objective's measurements over time), with an optional target line and an
//! optional shaded band of the values' lower and upper limits. The SVG is self-contained and
//! static — no script, no external style, colours given as presentation attributes (which a
//! page's content security policy allows, unlike `style`) and class names a stylesheet may
//! override — so it can be put straight into an HTML page or a PDF.
//!
//! Every piece of text (labels, title, description, unit, id) is escaped. A value that is not
//! finite (`f64::NAN`) is a gap: nothing is drawn for it and a line breaks there, so a month
//! without data is shown as missing, not as zero. Each point carries a `<title>` with its
//! label and value (and unit), and the chart its title and, when given, a `<desc>`, so that
//! screen readers and hover tooltips say what is drawn.
//!
//! Several series share one line chart ([`lines_chart`]) with a colour each and a legend. The
//! charts of an assessment's readiness are here too: [`readiness_bars`] (one stacked bar per
//! standard), [`heat_map`] (sections by standards) and [`readiness_trend`] (each standard's
//! share conforming across snapshots).

use std::fmt::Write;

use annex_core::assessment::{Figures, Plan, Readiness, Snapshot};

/// How a chart looks. [`ChartOptions::new`] gives a 480 × 200 chart whose value axis fits
/// the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// The `id` of the SVG element; when given, its title and description get ids derived
    /// from it (`{id}-title`, `{id}-desc`) and label the chart by reference.
    pub id: String,
    /// What the chart shows, in a few words: read out by screen readers.
    pub title: String,
    /// What the chart shows, in a sentence or two, for screen readers (`<desc>`); none when
    /// empty.
    pub desc: String,
    /// The unit of the values, written after them in tooltips and the target and band
    /// labels: `%`, `kWh`. None when empty.
    pub unit: String,
    pub width: u32,
    pub height: u32,
    /// The bottom of the value axis; the data's (or the target's) lowest value when absent.
    pub y_min: Option<f64>,
    /// The top of the value axis; the data's (or the target's) highest value when absent.
    pub y_max: Option<f64>,
    /// A reference value drawn as a dashed line across the chart: a KPI's target.
    pub target: Option<f64>,
    /// Written at the end of the target line; "Target 95 %" when empty.
    pub target_label: String,
    /// The lower and upper limits of a band the values should stay within, shaded across the
    /// chart with each limit labelled.
    pub band: Option<(f64, f64)>,
    /// Digits after the decimal point in value labels and tooltips; `None`: as many as the
    /// value needs, at most three (95, 93.5), as people write them.
    pub decimals: Option<usize>,
}

impl ChartOptions {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            id: String::new(),
            title: title.into(),
            desc: String::new(),
            unit: String::new(),
            width: 480,
            height: 200,
            y_min: None,
            y_max: None,
            target: None,
            target_label: String::new(),
            band: None,
            decimals: Some(1),
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
const BAND_COLOUR: &str = "#2a8a5a";
const BAND_LABEL_COLOUR: &str = "#1d6b44";
const TEXT_COLOUR: &str = "#3d4148";

/// Colours of the series of a chart with several, in order: the first is the one-series
/// colour; the others are told apart by people with the common colour-vision deficiencies
/// (after Okabe and Ito), each readable on white.
const PALETTE: [&str; 8] = [
    SERIES_COLOUR,
    "#c25400",
    "#0a7d5a",
    "#b0467f",
    "#8a6d00",
    "#3a8fc4",
    "#6b3fa0",
    "#3d4148",
];

/// One series of a chart with several: its name (in the legend and tooltips) and one value
/// per label, `f64::NAN` where it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A line chart of `points` (label, value), left to right in the order given.
pub fn line_chart(points: &[(String, f64)], opts: &ChartOptions) -> String {
    let (labels, values) = split(points);
    draw(&labels, &[one(values)], opts, Shape::Line)
}

/// A bar chart of `points` (label, value), left to right in the order given. Bars rise from
/// zero, or from the bottom of the axis when zero is below it.
pub fn bar_chart(points: &[(String, f64)], opts: &ChartOptions) -> String {
    let (labels, values) = split(points);
    draw(&labels, &[one(values)], opts, Shape::Bars)
}

/// A line chart of several series over the same `labels`, each in its own colour, with a
/// legend of their names beneath the chart (which makes the SVG taller than
/// `opts.height`). A series shorter than the labels has gaps at the end.
pub fn lines_chart(labels: &[String], series: &[Series], opts: &ChartOptions) -> String {
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let drawn: Vec<Drawn<'_>> = series
        .iter()
        .enumerate()
        .map(|(i, s)| Drawn {
            name: &s.name,
            values: (0..labels.len())
                .map(|j| s.values.get(j).copied().unwrap_or(f64::NAN))
                .collect(),
            colour: PALETTE[i % PALETTE.len()],
        })
        .collect();
    draw(&labels, &drawn, opts, Shape::Line)
}

fn split(points: &[(String, f64)]) -> (Vec<&str>, Vec<f64>) {
    points.iter().map(|(l, v)| (l.as_str(), *v)).unzip()
}

/// The single, unnamed series of a one-series chart: no legend, tooltips without a name.
fn one(values: Vec<f64>) -> Drawn<'static> {
    Drawn {
        name: "",
        values,
        colour: SERIES_COLOUR,
    }
}

/// A series as drawn.
struct Drawn<'a> {
    name: &'a str,
    values: Vec<f64>,
    colour: &'static str,
}

/// The height of one row of a legend.
const LEGEND_ROW: f64 = 18.0;

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

fn draw(labels: &[&str], series: &[Drawn<'_>], opts: &ChartOptions, shape: Shape) -> String {
    let (w, h) = (
        f64::from(opts.width.max(80)),
        f64::from(opts.height.max(60)),
    );
    let band = opts
        .band
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (a.min(b), a.max(b)));
    let finite: Vec<f64> = series
        .iter()
        .flat_map(|d| d.values.iter().copied())
        .chain(opts.target)
        .chain(band.into_iter().flat_map(|(a, b)| [a, b]))
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
        band: (w - ml - mr) / labels.len().max(1) as f64,
    };
    // A legend names the series when they have names: a row of entries, wrapped to the width.
    let legend = legend_layout(series, w);
    let total_h = h + legend
        .last()
        .map_or(0.0, |(_, _, row)| (row + 1.0) * LEGEND_ROW + 4.0);

    let title = escape(&opts.title);
    let desc = escape(&opts.desc);
    let id = escape(&opts.id);
    let mut s = String::new();
    // Labelled by its own text: by reference when it has an id, else directly.
    let (id_attr, aria, title_id, desc_id) = if id.is_empty() {
        (
            String::new(),
            format!(r#"aria-label="{title}""#),
            String::new(),
            String::new(),
        )
    } else {
        let described = if desc.is_empty() {
            String::new()
        } else {
            format!(" {id}-desc")
        };
        (
            format!(r#" id="{id}""#),
            format!(r#"aria-labelledby="{id}-title{described}""#),
            format!(r#" id="{id}-title""#),
            format!(r#" id="{id}-desc""#),
        )
    };
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg"{id_attr} class="chart" viewBox="0 0 {w} {total_h}" width="{w}" height="{total_h}" role="img" {aria} font-family="sans-serif" font-size="11"><title{title_id}>{title}</title>"#
    );
    if !desc.is_empty() {
        let _ = write!(s, "<desc{desc_id}>{desc}</desc>");
    }
    let value = |v: f64| {
        let n = number(v, opts.decimals);
        if opts.unit.is_empty() {
            n
        } else {
            format!("{n} {}", opts.unit)
        }
    };

    // Value axis: grid lines at round steps, labelled on the left.
    for t in ticks(lo, hi) {
        let y = f.y(t);
        let _ = write!(
            s,
            r#"<line class="chart-grid" x1="{ml}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GRID_COLOUR}"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{AXIS_COLOUR}">{}</text>"#,
            ml + f.width,
            ml - 6.0,
            y + 4.0,
            number(t, Some(tick_decimals(lo, hi))),
        );
    }
    let _ = write!(
        s,
        r#"<line class="chart-axis" x1="{ml}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{AXIS_COLOUR}"/>"#,
        mt + f.height,
        ml + f.width,
        mt + f.height,
    );

    // The band, over the grid and under the data: shaded, each limit a dotted line with its
    // value.
    if let Some((a, b)) = band {
        let (top, bottom) = (f.y(b), f.y(a));
        let _ = write!(
            s,
            r#"<g class="chart-band"><rect x="{ml}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{BAND_COLOUR}" fill-opacity="0.12"/>"#,
            f.width,
            bottom - top,
        );
        // Each limit's label sits outside the band, or inside it where the frame leaves no
        // room (the x labels below, the edge above).
        let bottom_edge = mt + f.height;
        for (v, name, lower) in [(a, "Lower", true), (b, "Upper", false)] {
            let y = f.y(v);
            let (above, below) = (y - 4.0, y + 13.0);
            let y_text = if lower && below <= bottom_edge || !lower && above < 11.0 {
                below
            } else {
                above
            };
            let _ = write!(
                s,
                r#"<line x1="{ml}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{BAND_COLOUR}" stroke-dasharray="2 3"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{BAND_LABEL_COLOUR}">{name} {}</text>"#,
                ml + f.width,
                ml + f.width,
                y_text,
                escape(&value(v)),
            );
        }
        s.push_str("</g>");
    }

    // Labels along the bottom, thinned so that they do not overlap.
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let every = ((widest * CHAR_WIDTH + 8.0) / f.band).ceil().max(1.0) as usize;
    let last = labels.len().saturating_sub(1);
    for (i, label) in labels.iter().enumerate() {
        // The last label always shows (it is the latest), in place of one too close to it.
        if i == last || (i % every == 0 && last - i >= every) {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{AXIS_COLOUR}">{}</text>"#,
                f.x(i),
                h - 10.0,
                escape(label)
            );
        }
    }

    if !series
        .iter()
        .any(|d| d.values.iter().any(|v| v.is_finite()))
    {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{AXIS_COLOUR}">No data</text>"#,
            ml + f.width / 2.0,
            mt + f.height / 2.0,
        );
    }

    for d in series {
        match shape {
            Shape::Line => line(&mut s, labels, d, &f, &value),
            Shape::Bars => bars(&mut s, labels, d, &f, &value),
        }
    }

    if let Some(t) = opts.target.filter(|t| t.is_finite()) {
        let y = f.y(t);
        let label = if opts.target_label.is_empty() {
            format!("Target {}", value(t))
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
    for (d, x, row) in legend {
        let y = h + 4.0 + row * LEGEND_ROW + LEGEND_ROW / 2.0;
        let _ = write!(
            s,
            r##"<g class="chart-legend"><line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="3.5" fill="{colour}"/><text x="{:.1}" y="{:.1}" fill="{TEXT_COLOUR}">{}</text></g>"##,
            x + 18.0,
            x + 9.0,
            x + 23.0,
            y + 4.0,
            escape(d.name),
            colour = d.colour,
        );
    }
    s.push_str("</svg>");
    s
}

/// Where each named series' legend entry goes: (series, x, row), left to right, wrapping at
/// the chart's width. Empty when no series has a name.
fn legend_layout<'a, 'b>(series: &'b [Drawn<'a>], width: f64) -> Vec<(&'b Drawn<'a>, f64, f64)> {
    let (ml, mr, _, _) = MARGIN;
    let mut out = Vec::new();
    let (mut x, mut row) = (ml, 0.0);
    for d in series.iter().filter(|d| !d.name.is_empty()) {
        let entry = 23.0 + d.name.chars().count() as f64 * CHAR_WIDTH + 16.0;
        if x > ml && x + entry > width - mr {
            x = ml;
            row += 1.0;
        }
        out.push((d, x, row));
        x += entry;
    }
    out
}

/// What a point's tooltip says: its label and value, after the series' name when it has one.
fn tooltip(d: &Drawn<'_>, label: &str, v: f64, value: &dyn Fn(f64) -> String) -> String {
    if d.name.is_empty() {
        format!("{}: {}", escape(label), escape(&value(v)))
    } else {
        format!(
            "{}, {}: {}",
            escape(d.name),
            escape(label),
            escape(&value(v))
        )
    }
}

/// Runs of finite values as polylines (a gap breaks the line), and a dot with a tooltip on
/// every value.
fn line(s: &mut String, labels: &[&str], d: &Drawn<'_>, f: &Frame, value: &dyn Fn(f64) -> String) {
    let colour = d.colour;
    let mut runs: Vec<Vec<String>> = Vec::new();
    let mut run = Vec::new();
    for (i, v) in d.values.iter().enumerate() {
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
            r#"<polyline class="chart-line" points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            r.join(" ")
        );
    }
    for (i, (label, v)) in labels.iter().zip(&d.values).enumerate() {
        if v.is_finite() {
            let _ = write!(
                s,
                r#"<circle class="chart-point" cx="{:.1}" cy="{:.1}" r="3.5" fill="{colour}"><title>{}</title></circle>"#,
                f.x(i),
                f.y(*v),
                tooltip(d, label, *v, value),
            );
        }
    }
}

fn bars(s: &mut String, labels: &[&str], d: &Drawn<'_>, f: &Frame, value: &dyn Fn(f64) -> String) {
    let colour = d.colour;
    let base = f.y(0.0_f64.clamp(f.lo, f.hi));
    let width = (f.band * 0.7).max(1.0);
    for (i, (label, v)) in labels.iter().zip(&d.values).enumerate() {
        if !v.is_finite() {
            continue;
        }
        let y = f.y(*v);
        let _ = write!(
            s,
            r#"<rect class="chart-bar" x="{:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{colour}"><title>{}</title></rect>"#,
            f.x(i) - width / 2.0,
            y.min(base),
            (base - y).abs(),
            tooltip(d, label, *v, value),
        );
    }
}

// ---- The charts of an assessment's readiness ----------------------------------------------

const CONFORMING_COLOUR: &str = "#2a8a5a";
const MINOR_COLOUR: &str = "#e0a100";
const MAJOR_COLOUR: &str = "#b3261e";
const NOT_ASSESSED_COLOUR: &str = "#c9ccd1";

/// The parts of an applicable item count, in the order a readiness bar stacks them.
fn parts(f: &Figures) -> [(u32, &'static str, &'static str); 4] {
    [
        (f.conforming, "Conforming", CONFORMING_COLOUR),
        (f.minor, "Minor nonconformity", MINOR_COLOUR),
        (f.major, "Major nonconformity", MAJOR_COLOUR),
        (f.not_assessed, "Not assessed", NOT_ASSESSED_COLOUR),
    ]
}

/// Items that count towards the share: all but those declared not applicable.
fn applicable(f: &Figures) -> u32 {
    f.items.saturating_sub(f.not_applicable)
}

/// A row of legend entries (swatch and name) from `x`, `y` (the text's baseline).
fn swatches(s: &mut String, entries: &[(&str, &str)], mut x: f64, y: f64) {
    for (name, colour) in entries {
        let _ = write!(
            s,
            r#"<g class="chart-legend"><rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text x="{:.1}" y="{y:.1}" fill="{TEXT_COLOUR}">{}</text></g>"#,
            y - 9.0,
            x + 14.0,
            escape(name),
        );
        x += 14.0 + name.chars().count() as f64 * CHAR_WIDTH + 14.0;
    }
}

/// The start of a chart's SVG, labelled by its title and described by `desc`.
fn open_svg(s: &mut String, w: f64, h: f64, class: &str, title: &str, desc: &str) {
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{title}" font-family="sans-serif" font-size="11"><title>{title}</title><desc>{desc}</desc>"#,
        title = escape(title),
        desc = escape(desc),
    );
}

/// A label cut to `max` characters, with an ellipsis when cut (the full text is in the
/// tooltip).
fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut out: String = label.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Readiness per standard as horizontal bars, one per standard in the assessment's order:
/// the applicable items stacked as conforming, minor and major nonconformities and not
/// assessed, so that the green part is the share conforming written at the bar's end.
pub fn readiness_bars(r: &Readiness) -> String {
    const WIDTH: f64 = 560.0;
    const ROW: f64 = 28.0;
    const BAR: f64 = 16.0;
    const TOP: f64 = 8.0;
    let widest = r
        .standards
        .iter()
        .map(|s| s.designation.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let left = (widest * CHAR_WIDTH + 14.0).clamp(60.0, 200.0);
    let right = 58.0;
    let bar_w = WIDTH - left - right;
    let plot_h = ROW * r.standards.len().max(1) as f64;
    let height = TOP + plot_h + 18.0 + 24.0;
    let desc = if r.standards.is_empty() {
        "No standard.".to_string()
    } else {
        format!(
            "Share of applicable items conforming: {}.",
            r.standards
                .iter()
                .map(|s| format!("{} {} %", s.designation, number(s.figures.share, None)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut s = String::new();
    open_svg(
        &mut s,
        WIDTH,
        height,
        "readiness-bars",
        "Readiness per standard",
        &desc,
    );
    // Grid at every quarter, labelled beneath the bars.
    for q in 0..=4 {
        let x = left + bar_w * f64::from(q) / 4.0;
        let _ = write!(
            s,
            r#"<line class="chart-grid" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="{GRID_COLOUR}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="{AXIS_COLOUR}">{} %</text>"#,
            TOP + plot_h,
            TOP + plot_h + 14.0,
            q * 25,
        );
    }
    for (i, st) in r.standards.iter().enumerate() {
        let y = TOP + ROW * i as f64 + (ROW - BAR) / 2.0;
        let mid = y + BAR / 2.0 + 4.0;
        let designation = escape(&st.designation);
        let _ = write!(
            s,
            r#"<g class="readiness-bar"><text x="{:.1}" y="{mid:.1}" text-anchor="end" fill="{TEXT_COLOUR}">{}</text>"#,
            left - 6.0,
            escape(&clip(&st.designation, 30)),
        );
        let total = applicable(&st.figures);
        if total == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{mid:.1}" fill="{AXIS_COLOUR}">No applicable item</text></g>"#,
                left + 4.0,
            );
            continue;
        }
        let mut x = left;
        for (count, name, colour) in parts(&st.figures) {
            if count == 0 {
                continue;
            }
            let w = bar_w * f64::from(count) / f64::from(total);
            let pct = (f64::from(count) * 1000.0 / f64::from(total)).round() / 10.0;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{BAR}" fill="{colour}"><title>{designation}: {name} {count} of {total} applicable items ({} %)</title></rect>"#,
                number(pct, None),
            );
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{mid:.1}" fill="{TEXT_COLOUR}" font-weight="bold">{} %</text></g>"#,
            left + bar_w + 6.0,
            number(st.figures.share, None),
        );
    }
    swatches(
        &mut s,
        &[
            ("Conforming", CONFORMING_COLOUR),
            ("Minor NC", MINOR_COLOUR),
            ("Major NC", MAJOR_COLOUR),
            ("Not assessed", NOT_ASSESSED_COLOUR),
        ],
        left,
        height - 6.0,
    );
    s.push_str("</svg>");
    s
}

/// The fill and text colour of a heat-map cell of `share` per cent conforming, in five steps
/// from dark red to dark green (text white on the dark ones, for contrast).
fn heat(share: f64) -> (&'static str, &'static str) {
    if share >= 100.0 {
        ("#1d6b44", "#ffffff")
    } else if share >= 75.0 {
        ("#8fcfa8", "#1b1e22")
    } else if share >= 50.0 {
        ("#f2d16b", "#1b1e22")
    } else if share >= 25.0 {
        ("#f0a05a", "#1b1e22")
    } else {
        ("#b3261e", "#ffffff")
    }
}

/// A share as a cell shows it: whole per cent, rounded down, so that 99.6 % never reads as
/// 100 %.
fn whole(share: f64) -> String {
    format!("{} %", share.floor().max(0.0))
}

/// Readiness of every section of the checklist for every standard: rows are the sections
/// in the checklist's order, columns the standards; a cell is coloured by its share
/// conforming and says it, "–" where the standard has no item in the section and "n/a"
/// where all of its items there are not applicable. Each cell's tooltip names the section,
/// the standard and the figures.
pub fn heat_map(plan: &Plan, r: &Readiness) -> String {
    const ROW: f64 = 22.0;
    const HEAD: f64 = 38.0;
    const LABEL_CHARS: usize = 44;
    let widest_label = plan
        .sections
        .iter()
        .map(|s| s.title.chars().count().min(LABEL_CHARS))
        .max()
        .unwrap_or(0) as f64;
    let left = (widest_label * CHAR_WIDTH + 12.0).clamp(80.0, 300.0);
    // Column heads on two lines ("ISO/IEC 27001:" over "2022") keep the columns narrow: a
    // cell holds no more than "100 %".
    let heads: Vec<Vec<String>> = plan
        .standards
        .iter()
        .map(|s| two_lines(&s.designation, 14))
        .collect();
    let widest_std = heads
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let col = (widest_std * CHAR_WIDTH + 12.0).max(56.0);
    // Wide enough for the columns and for the legend beneath them.
    let legend: [(&str, &str); 5] = [
        ("100 %", heat(100.0).0),
        ("75–99 %", heat(75.0).0),
        ("50–74 %", heat(50.0).0),
        ("25–49 %", heat(25.0).0),
        ("0–24 %", heat(0.0).0),
    ];
    let legend_w: f64 = legend
        .iter()
        .map(|(name, _)| 28.0 + name.chars().count() as f64 * CHAR_WIDTH)
        .sum();
    let width = (left + col * plan.standards.len().max(1) as f64 + 8.0).max(left + legend_w);
    let plot_h = ROW * plan.sections.len() as f64;
    let legend_y = HEAD + plot_h + 22.0;
    let height = legend_y + 8.0;
    let mut s = String::new();
    open_svg(
        &mut s,
        width,
        height,
        "heat-map",
        "Readiness per section and standard",
        "Share of applicable items conforming, per section of the checklist (rows) and standard (columns).",
    );
    for (j, head) in heads.iter().enumerate() {
        let x = left + col * (j as f64 + 0.5);
        let _ = write!(
            s,
            r#"<text text-anchor="middle" fill="{TEXT_COLOUR}" font-weight="bold">"#
        );
        let first = HEAD - 8.0 - 13.0 * (head.len() as f64 - 1.0);
        for (k, part) in head.iter().enumerate() {
            let _ = write!(
                s,
                r#"<tspan x="{x:.1}" y="{:.1}">{}</tspan>"#,
                first + 13.0 * k as f64,
                escape(part)
            );
        }
        s.push_str("</text>");
    }
    for (i, section) in plan.sections.iter().enumerate() {
        let y = HEAD + ROW * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{TEXT_COLOUR}">{}</text>"#,
            left - 6.0,
            y + ROW / 2.0 + 4.0,
            escape(&clip(&section.title, LABEL_CHARS)),
        );
        for (j, st) in plan.standards.iter().enumerate() {
            let figures = r
                .standards
                .iter()
                .find(|x| x.standard == st.id)
                .and_then(|x| x.sections.iter().find(|x| x.section == section.key))
                .map(|x| &x.figures);
            let (fill, ink, text, what) = match figures {
                None => (
                    "#f3f4f6",
                    AXIS_COLOUR,
                    "–".to_string(),
                    "no item".to_string(),
                ),
                Some(f) if applicable(f) == 0 => (
                    "#e3e5e8",
                    TEXT_COLOUR,
                    "n/a".to_string(),
                    "not applicable".to_string(),
                ),
                Some(f) => {
                    let (fill, ink) = heat(f.share);
                    (
                        fill,
                        ink,
                        whole(f.share),
                        format!(
                            "{} % ({} of {} conforming)",
                            number(f.share, None),
                            f.conforming,
                            applicable(f)
                        ),
                    )
                }
            };
            let x = left + col * j as f64;
            let _ = write!(
                s,
                r#"<g class="heat-cell"><title>{}, {}: {}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="white"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{}</text></g>"#,
                escape(&section.title),
                escape(&st.designation),
                escape(&what),
                x + 1.0,
                y + 1.0,
                col - 2.0,
                ROW - 2.0,
                x + col / 2.0,
                y + ROW / 2.0 + 4.0,
                escape(&text),
            );
        }
    }
    swatches(&mut s, &legend, left, legend_y);
    s.push_str("</svg>");
    s
}

/// A label in at most two lines of about `width` characters: broken after a colon or at a
/// space, the second line clipped when it is still too long.
fn two_lines(label: &str, width: usize) -> Vec<String> {
    if label.chars().count() <= width {
        return vec![label.to_string()];
    }
    // The last break point that leaves a first line of at most `width` characters, else the
    // first one there is.
    let breaks: Vec<usize> = label
        .char_indices()
        .filter(|(_, c)| *c == ':' || *c == ' ')
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    let fits = |i: &&usize| label[..**i].trim_end().chars().count() <= width;
    match breaks.iter().rev().find(fits).or(breaks.first()) {
        Some(&i) => vec![
            label[..i].trim_end().to_string(),
            clip(label[i..].trim(), width),
        ],
        None => vec![clip(label, width)],
    }
}

/// Each standard's share conforming across the snapshots of readiness, oldest first: a line
/// per standard of the assessment, in its colour, with a legend. A snapshot is labelled by
/// its date, or its date and time where two were taken on one day.
pub fn readiness_trend(plan: &Plan, trend: &[Snapshot]) -> String {
    let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
    let mut labels: Vec<String> = trend.iter().map(|t| day(&t.taken_at)).collect();
    let mut seen = std::collections::HashSet::new();
    if !labels.iter().all(|l| seen.insert(l.clone())) {
        labels = trend
            .iter()
            .map(|t| {
                t.taken_at
                    .get(..16)
                    .unwrap_or(&t.taken_at)
                    .replace('T', " ")
            })
            .collect();
    }
    let series: Vec<Series> = plan
        .standards
        .iter()
        .map(|st| Series {
            name: st.designation.clone(),
            values: trend
                .iter()
                .map(|t| {
                    t.shares
                        .iter()
                        .find(|(id, _)| *id == st.id)
                        .map_or(f64::NAN, |(_, v)| *v)
                })
                .collect(),
        })
        .collect();
    let opts = ChartOptions {
        desc: "Share of applicable items conforming per standard, at each snapshot of readiness."
            .into(),
        unit: "%".into(),
        width: 560,
        height: 220,
        y_min: Some(0.0),
        y_max: Some(100.0),
        decimals: None,
        ..ChartOptions::new("Readiness over time")
    };
    lines_chart(&labels, &series, &opts)
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

/// A value with `decimals` digits after the point, or (`None`) as people write it: no
/// trailing zeros, at most three decimals. Never "-0".
fn number(v: f64, decimals: Option<usize>) -> String {
    let s = match decimals {
        Some(d) => format!("{v:.d$}"),
        None => {
            let s = format!("{v:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
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
            decimals: Some(0),
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
        assert!(svg.contains(">2026-36</text>"), "the latest is labelled");
    }

    #[test]
    fn a_chart_with_an_id_is_labelled_and_described_by_reference() {
        let opts = ChartOptions {
            id: "trend".into(),
            desc: "Monthly values against a target of 95 %.".into(),
            unit: "%".into(),
            target: Some(95.0),
            decimals: None,
            ..ChartOptions::new("On-time delivery")
        };
        let svg = line_chart(
            &pts(&[
                ("2026-01-31", 91.0),
                ("2026-02-28", 93.5),
                ("2026-03-31", 96.2),
            ]),
            &opts,
        );
        assert!(svg.contains(r#" id="trend" "#));
        assert!(svg.contains(r#"role="img" aria-labelledby="trend-title trend-desc""#));
        assert!(!svg.contains("aria-label="));
        assert!(svg.contains(r#"<title id="trend-title">On-time delivery</title>"#));
        assert!(
            svg.contains(
                r#"<desc id="trend-desc">Monthly values against a target of 95 %.</desc>"#
            )
        );
        assert_eq!(count(&svg, "<circle"), 3);
        assert!(svg.contains("<title>2026-01-31: 91 %</title>"));
        assert!(svg.contains("<title>2026-02-28: 93.5 %</title>"));
        assert!(svg.contains(">Target 95 %</text>"));
        assert!(!svg.contains("<script") && !svg.contains("style="));
        // Without a description, the title alone labels it.
        let bare = line_chart(
            &pts(&[("a", 1.0)]),
            &ChartOptions {
                id: "t".into(),
                ..ChartOptions::new("t")
            },
        );
        assert!(bare.contains(r#"aria-labelledby="t-title""#));
        assert!(!bare.contains("<desc"));
    }

    #[test]
    fn the_id_description_and_unit_are_escaped() {
        let opts = ChartOptions {
            id: "x\"y".into(),
            desc: "'quoted' <script>".into(),
            unit: "<u>".into(),
            target: Some(1.0),
            band: Some((0.0, 2.0)),
            decimals: None,
            ..ChartOptions::new("t")
        };
        let svg = line_chart(&pts(&[("<b>Q1</b>", 1.0)]), &opts);
        assert!(svg.contains(r#"id="x&quot;y""#));
        assert!(svg.contains(r#"aria-labelledby="x&quot;y-title x&quot;y-desc""#));
        assert!(svg.contains("&#39;quoted&#39; &lt;script&gt;"));
        assert!(svg.contains("&lt;b&gt;Q1&lt;/b&gt;: 1 &lt;u&gt;"));
        assert!(svg.contains("Target 1 &lt;u&gt;"));
        assert!(svg.contains("Upper 2 &lt;u&gt;"));
        assert!(!svg.contains("<script>") && !svg.contains("<b>") && !svg.contains("<u>"));
    }

    #[test]
    fn a_band_is_shaded_between_its_labelled_limits_and_fits_on_the_axis() {
        let opts = ChartOptions {
            unit: "%".into(),
            target: Some(45.0),
            band: Some((30.0, 60.0)),
            decimals: None,
            ..ChartOptions::new("t")
        };
        let svg = line_chart(&pts(&[("a", 45.0), ("b", 50.0)]), &opts);
        assert_eq!(count(&svg, r#"class="chart-band""#), 1);
        assert!(svg.contains("fill-opacity=\"0.12\""));
        assert!(svg.contains(">Lower 30 %</text>"));
        assert!(svg.contains(">Upper 60 %</text>"));
        // The limits are the axis's ends here, so their labels go inside the band, clear of
        // the x labels and the edge (plot: 12 to 172 high).
        let y_of = |text: &str| -> f64 {
            let before = &svg[..svg.find(text).unwrap()];
            let y = &before[before.rfind(" y=\"").unwrap() + 4..];
            y[..y.find('"').unwrap()].parse().unwrap()
        };
        assert!((12.0..172.0).contains(&y_of(">Lower 30 %")), "{svg}");
        assert!((12.0..172.0).contains(&y_of(">Upper 60 %")), "{svg}");
        // The axis reaches the limits although no value does.
        for t in ["30", "60"] {
            assert!(
                svg.contains(&format!(r#"fill="{AXIS_COLOUR}">{t}</text>"#)),
                "{t}: {svg}"
            );
        }
        // Limits given the wrong way round are the same band; a limit that is not a number
        // is no band.
        let swapped = line_chart(
            &pts(&[("a", 45.0), ("b", 50.0)]),
            &ChartOptions {
                band: Some((60.0, 30.0)),
                ..opts.clone()
            },
        );
        assert_eq!(swapped, svg);
        let none = line_chart(
            &pts(&[("a", 45.0)]),
            &ChartOptions {
                band: Some((f64::NAN, 60.0)),
                target: Some(f64::INFINITY),
                ..opts
            },
        );
        assert!(!none.contains("chart-band") && !none.contains("chart-target"));
        assert!(!none.contains("NaN") && !none.contains("inf"));
    }

    #[test]
    fn one_point_is_centred() {
        let svg = line_chart(&pts(&[("only", 5.0)]), &ChartOptions::new("t"));
        // The plot runs from 40 to 464 across a 480 wide chart.
        assert!(svg.contains(r#"cx="252.0""#), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn several_series_share_a_chart_each_in_its_colour_with_a_legend() {
        let labels: Vec<String> = ["Jan", "Feb", "Mar"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let series = [
            Series {
                name: "Quality <QA>".into(),
                values: vec![1.0, 2.0, 3.0],
            },
            Series {
                name: "Safety".into(),
                values: vec![2.0, f64::NAN],
            },
        ];
        let opts = ChartOptions {
            height: 200,
            ..ChartOptions::new("Two lines")
        };
        let svg = lines_chart(&labels, &series, &opts);
        assert_eq!(
            count(&svg, "<polyline"),
            1,
            "Safety's one value draws no line"
        );
        assert_eq!(count(&svg, r#"class="chart-point""#), 4);
        assert!(svg.contains("<title>Quality &lt;QA&gt;, Feb: 2.0</title>"));
        assert!(svg.contains("<title>Safety, Jan: 2.0</title>"));
        assert!(
            !svg.contains("Safety, Mar"),
            "a short series has a gap at the end"
        );
        // Each series in its own colour, named in the legend under the chart.
        assert!(svg.contains(&format!(r#"stroke="{}""#, PALETTE[0])));
        assert!(svg.contains(&format!(r#"fill="{}"><title>Safety"#, PALETTE[1])));
        assert_eq!(count(&svg, r#"class="chart-legend""#), 2);
        assert!(svg.contains(">Quality &lt;QA&gt;</text>") && svg.contains(">Safety</text>"));
        assert!(
            svg.contains(r#"height="222""#),
            "taller by the legend: {svg}"
        );
        // One unnamed series is the plain line chart: no legend.
        assert!(!line_chart(&pts(&[("a", 1.0)]), &opts).contains("chart-legend"));
    }

    use crate::assessment::sample_report;

    /// The `x` and `width` of each rect in `svg`, in order.
    fn rects(svg: &str) -> Vec<(f64, f64)> {
        let attr = |r: &str, name: &str| -> f64 {
            let at = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
        };
        svg.split("<rect")
            .skip(1)
            .map(|r| (attr(r, "x"), attr(r, "width")))
            .collect()
    }

    #[test]
    fn readiness_bars_stack_each_standards_results_and_say_the_share() {
        let report = sample_report();
        let svg = readiness_bars(&report.readiness);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<script") && !svg.contains("style="));
        let bars: Vec<&str> = svg.split(r#"<g class="readiness-bar">"#).skip(1).collect();
        assert_eq!(bars.len(), 3);
        for (bar, st) in bars.iter().zip(&report.readiness.standards) {
            let f = &st.figures;
            assert!(bar.contains(&format!(">{}</text>", st.designation)));
            assert!(
                bar.contains(&format!(">{} %</text>", number(f.share, None))),
                "{bar}"
            );
            let applicable = f.items - f.not_applicable;
            assert!(bar.contains(&format!(
                "<title>{}: Conforming {} of {applicable} applicable items ({} %)</title>",
                st.designation,
                f.conforming,
                number(f.share, None)
            )));
            // The parts fill the bar end to end.
            let parts = rects(bar.split("</g>").next().unwrap());
            let total: f64 = parts.iter().map(|(_, w)| w).sum();
            let (x0, _) = parts[0];
            let (xn, wn) = parts[parts.len() - 1];
            assert!((x0 + total - (xn + wn)).abs() < 0.5, "{parts:?}");
        }
        assert!(bars[1].contains("<title>ISO 14001:2015: Major nonconformity 1 of 32"));
        assert!(svg.contains("94.1 %"), "ISO 9001's share");
        for legend in ["Conforming", "Minor NC", "Major NC", "Not assessed"] {
            assert!(svg.contains(&format!(">{legend}</text>")), "{legend}");
        }
        // A standard all of whose items are not applicable has no share to draw.
        let mut none = report.readiness.clone();
        none.standards[0].figures.not_applicable = none.standards[0].figures.items;
        let svg = readiness_bars(&none);
        assert!(svg.contains(">No applicable item</text>"));
    }

    #[test]
    fn the_heat_map_has_a_cell_per_section_and_standard_with_its_share() {
        let report = sample_report();
        let svg = heat_map(&report.plan, &report.readiness);
        assert!(!svg.contains("<script") && !svg.contains("style="));
        assert_eq!(
            count(&svg, r#"class="heat-cell""#),
            report.plan.sections.len() * report.plan.standards.len()
        );
        // Rows in the checklist's order, labelled by their titles.
        let first = svg.find(">4 Context of the organization</text>").unwrap();
        let support = svg.find(">7 Support</text>").unwrap();
        let own = svg.find(">ISO 9001:2015 8 Operation</text>").unwrap();
        assert!(first < support && support < own);
        // A shared section's cell: the share, rounded down, and the figures in its title.
        let support = &report.readiness.standards[0]
            .sections
            .iter()
            .find(|s| s.section == "hs:7")
            .unwrap()
            .figures;
        let cell_title = format!(
            "<title>7 Support, ISO 9001:2015: {} % ({} of {} conforming)</title>",
            number(support.share, None),
            support.conforming,
            support.items - support.not_applicable
        );
        let at = svg
            .find(&cell_title)
            .unwrap_or_else(|| panic!("{cell_title}\n{svg}"));
        let cell = &svg[at..at + svg[at..].find("</g>").unwrap()];
        assert!(
            cell.contains(&format!(">{} %</text>", support.share.floor())),
            "{cell}"
        );
        // A section of ISO 9001 alone has nothing for ISO 14001.
        assert!(svg.contains("<title>ISO 9001:2015 8 Operation, ISO 14001:2015: no item</title>"));
        let at = svg
            .find("ISO 9001:2015 8 Operation, ISO 14001:2015: no item")
            .unwrap();
        assert!(svg[at..at + 400].contains(">–</text>"));
        // Shares are coloured in steps, with a legend.
        assert_eq!(heat(100.0).0, "#1d6b44");
        assert_eq!(heat(99.9).0, heat(75.0).0);
        assert_ne!(heat(74.9).0, heat(75.0).0);
        assert_eq!(whole(99.6), "99 %");
        assert!(svg.contains(">75–99 %</text>"));
        assert!(
            svg.contains(r#"">ISO 9001:2015</tspan>"#),
            "a short head on one line"
        );
    }

    #[test]
    fn long_column_heads_take_two_lines() {
        assert_eq!(two_lines("ISO 9001:2015", 14), ["ISO 9001:2015"]);
        assert_eq!(
            two_lines("ISO/IEC 27001:2022", 14),
            ["ISO/IEC 27001:", "2022"]
        );
        assert_eq!(
            two_lines("NIST SP 800-53 Rev. 5", 14),
            ["NIST SP 800-53", "Rev. 5"]
        );
        assert_eq!(
            two_lines("Averyveryverylongname and more words than fit", 14),
            ["Averyveryverylongname", "and more word…"]
        );
        assert_eq!(two_lines("Unbreakablelongname", 14), ["Unbreakablelo…"]);
    }

    #[test]
    fn the_trend_draws_each_standards_share_per_snapshot() {
        let report = sample_report();
        let svg = readiness_trend(&report.plan, &report.trend);
        for d in ["2026-10-01", "2026-10-29", "2026-11-22"] {
            assert!(svg.contains(&format!(">{d}</text>")), "{d}");
        }
        assert_eq!(count(&svg, "<polyline"), 3);
        assert_eq!(count(&svg, r#"class="chart-legend""#), 3);
        let share = report.readiness.standards[0].figures.share;
        assert!(svg.contains(&format!(
            "<title>ISO 9001:2015, 2026-11-22: {} %</title>",
            number(share, None)
        )));
        // Two snapshots on one day are told apart by their time.
        let mut same_day = report.trend.clone();
        same_day[1].taken_at = "2026-11-22T07:30:00Z".into();
        let svg = readiness_trend(&report.plan, &same_day);
        assert!(svg.contains(">2026-11-22 07:30</text>"), "{svg}");
        // Before the first snapshot there is nothing to draw.
        assert!(readiness_trend(&report.plan, &[]).contains(">No data</text>"));
    }

    #[test]
    fn numbers_read_as_asked() {
        assert_eq!(number(95.0, None), "95");
        assert_eq!(number(93.5, None), "93.5");
        assert_eq!(number(0.125, None), "0.125");
        assert_eq!(number(-0.0001, None), "0");
        assert_eq!(number(-2.5, None), "-2.5");
        assert_eq!(number(3.0, Some(1)), "3.0");
        assert_eq!(number(-0.01, Some(1)), "0.0");
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
