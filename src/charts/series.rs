//! Turning results into chart series, and every chart into the table that stands in for it.
//!
//! Pure: no canvas here. Each [`ChartSpec`] can say what it shows as rows of text
//! ([`ChartSpec::table`]), which is both the accessible alternative and what the "show as table"
//! toggle displays, so the table and the picture always come from the same numbers.

use crate::model::date::Date;
use crate::model::entry::CalendarEntry;
use crate::model::metric::MetricKind;
use crate::model::performance::Source;
use refleqt_engine::journey_graph::ChannelGraph;
use refleqt_engine::models::markov::MarkovDetails;
use refleqt_engine::models::Model;
use refleqt_engine::report::Report;
use refleqt_engine::trend::{accuracy, fit, prediction_error, PredictionError, ERROR_THRESHOLD};

/// One bar series of a grouped bar chart: a value per group, with an optional interval.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    pub label: String,
    /// Per group: value, and the interval's low and high when known.
    pub values: Vec<(f64, Option<(f64, f64)>)>,
}

/// Groups of bars side by side (channels × models).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedBars {
    pub groups: Vec<String>,
    pub series: Vec<BarSeries>,
    pub y_label: String,
    /// Values are fractions shown as percent.
    pub percent: bool,
}

/// One line: points `(x, y)`; `dashed` lines are fitted trends.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

/// A shaded interval under the lines: points `(x, low, high)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    pub points: Vec<(f64, f64, f64)>,
}

/// Lines over time; x is days since `origin` (a date shown on the axis).
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlot {
    pub lines: Vec<Line>,
    /// Intervals drawn behind the lines.
    pub bands: Vec<Band>,
    pub origin: Date,
    pub y_label: String,
}

/// A channel transition graph: nodes on a circle (or at given positions), edges weighted by
/// probability.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub nodes: Vec<String>,
    /// `(from, to, probability, count)` by node index.
    pub edges: Vec<(usize, usize, f64, f64)>,
    /// Each node's position in the unit square; empty: on a circle ([`circle_layout`]).
    pub positions: Vec<(f64, f64)>,
}

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartSpec {
    Bars(GroupedBars),
    Lines(LinePlot),
    Graph(Graph),
    /// A weekday × hour grid (the Insights page's posting times).
    Heat(HeatMap),
}

/// A chart's numbers as a table: header and rows of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A share as shown in tables and charts: percent with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn num(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

impl ChartSpec {
    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        match self {
            ChartSpec::Bars(b) => b.groups.is_empty() || b.series.is_empty(),
            ChartSpec::Lines(l) => l.lines.iter().all(|l| l.points.is_empty()),
            ChartSpec::Graph(g) => g.nodes.is_empty(),
            ChartSpec::Heat(h) => h.is_empty(),
        }
    }

    /// The chart as a table.
    pub fn table(&self) -> Table {
        match self {
            ChartSpec::Heat(h) => h.table(),
            ChartSpec::Bars(b) => {
                let mut head = vec!["".to_owned()];
                head.extend(b.series.iter().map(|s| s.label.clone()));
                let rows = b
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(g, name)| {
                        let mut row = vec![name.clone()];
                        row.extend(b.series.iter().map(|s| match s.values.get(g) {
                            Some((v, iv)) => {
                                let f = |x: f64| if b.percent { pct(x) } else { num(x) };
                                match iv {
                                    Some((lo, hi)) => {
                                        format!("{} ({} – {})", f(*v), f(*lo), f(*hi))
                                    }
                                    None => f(*v),
                                }
                            }
                            None => "—".to_owned(),
                        }));
                        row
                    })
                    .collect();
                Table { head, rows }
            }
            ChartSpec::Lines(l) => Table {
                head: vec!["Series".into(), "Date".into(), l.y_label.clone()],
                rows: l
                    .lines
                    .iter()
                    .flat_map(|line| {
                        line.points.iter().map(move |(x, y)| {
                            vec![
                                line.label.clone(),
                                l.origin.plus_days(x.round() as i64).to_string(),
                                num(*y),
                            ]
                        })
                    })
                    .chain(l.bands.iter().flat_map(|band| {
                        band.points.iter().map(move |(x, lo, hi)| {
                            vec![
                                band.label.clone(),
                                l.origin.plus_days(x.round() as i64).to_string(),
                                format!("{} – {}", num(*lo), num(*hi)),
                            ]
                        })
                    }))
                    .collect(),
            },
            ChartSpec::Graph(g) => Table {
                head: vec![
                    "From".into(),
                    "To".into(),
                    "Probability".into(),
                    "Transitions".into(),
                ],
                rows: g
                    .edges
                    .iter()
                    .map(|(a, b, p, c)| {
                        vec![
                            g.nodes.get(*a).cloned().unwrap_or_default(),
                            g.nodes.get(*b).cloned().unwrap_or_default(),
                            pct(*p),
                            num(*c),
                        ]
                    })
                    .collect(),
            },
        }
    }
}

/// One coloured cell: row, column, value, its 95 % interval and how many artifacts it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    pub row: usize,
    pub col: usize,
    /// The factor against the usual (1 = usual).
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub n: usize,
}

/// A grid of cells (weekdays × hours), one highlighted.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<HeatCell>,
    /// The highlighted cell (row, column): the best time.
    pub best: Option<(usize, usize)>,
    /// What a value is ("× the usual pageviews").
    pub value_label: String,
}

/// "1.9×".
pub fn factor(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

impl HeatMap {
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells as rows of text, in weekday then hour order.
    pub fn table(&self) -> Table {
        let mut cells: Vec<&HeatCell> = self.cells.iter().collect();
        cells.sort_by_key(|c| (c.row, c.col));
        Table {
            head: vec![
                "Weekday".into(),
                "Hour".into(),
                self.value_label.clone(),
                "95 % interval".into(),
                "Artifacts".into(),
            ],
            rows: cells
                .into_iter()
                .map(|c| {
                    let best = self.best == Some((c.row, c.col));
                    vec![
                        self.rows.get(c.row).cloned().unwrap_or_default(),
                        self.cols.get(c.col).cloned().unwrap_or_default(),
                        if best {
                            format!("{} (best)", factor(c.value))
                        } else {
                            factor(c.value)
                        },
                        format!("{} – {}", factor(c.low), factor(c.high)),
                        c.n.to_string(),
                    ]
                })
                .collect(),
        }
    }
}

/// Every model's channel shares with their intervals, grouped by channel.
pub fn model_shares(report: &Report) -> GroupedBars {
    let groups = report.input.channels.clone();
    let series = report
        .models
        .iter()
        .map(|m| BarSeries {
            label: m.label.clone(),
            values: groups
                .iter()
                .map(|ch| {
                    m.channels
                        .iter()
                        .find(|c| &c.channel == ch)
                        .map_or((0.0, None), |c| (c.share, c.share_low.zip(c.share_high)))
                })
                .collect(),
        })
        .collect();
    GroupedBars {
        groups,
        series,
        y_label: "Share of conversions".into(),
        percent: true,
    }
}

/// Cost, credited revenue per channel under one model (money bars, no intervals).
pub fn channel_money(report: &Report, model: Model) -> GroupedBars {
    let m = report.models.iter().find(|m| m.model == model);
    let groups = report.input.channels.clone();
    let pick = |f: &dyn Fn(&refleqt_engine::report::ChannelRow) -> f64| {
        groups
            .iter()
            .map(|ch| {
                let v = m
                    .and_then(|m| m.channels.iter().find(|c| &c.channel == ch))
                    .map_or(0.0, f);
                (v, None)
            })
            .collect()
    };
    GroupedBars {
        series: vec![
            BarSeries {
                label: "Cost".into(),
                values: pick(&|c| c.cost.unwrap_or(0.0)),
            },
            BarSeries {
                label: "Credited revenue".into(),
                values: pick(&|c| c.revenue),
            },
        ],
        groups,
        y_label: "Money".into(),
        percent: false,
    }
}

/// A metric's recorded values over time (days since the first), with the least-squares trend
/// when there are at least two dates. `rows` are `(recorded_at, value, source)`; rows at the same
/// instant keep the manual one.
pub fn metric_history(
    rows: impl IntoIterator<Item = (i64, f64, Source)>,
    metric: MetricKind,
) -> LinePlot {
    let mut pts: Vec<(i64, f64, Source)> = rows.into_iter().collect();
    pts.sort_by_key(|p| (p.0, p.2 == Source::Manual));
    pts.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            *earlier = *later;
            true
        } else {
            false
        }
    });
    let origin_ms = pts.first().map_or(0, |p| p.0);
    let origin = Date::from_unix_ms(origin_ms);
    let start = origin.unix_ms();
    let points: Vec<(f64, f64)> = pts
        .iter()
        .map(|(t, v, _)| ((t - start) as f64 / 86_400_000.0, *v))
        .collect();
    let mut lines = vec![Line {
        label: metric.label().to_owned(),
        points: points.clone(),
        dashed: false,
    }];
    let distinct = points.windows(2).any(|w| w[0].0 != w[1].0);
    if let (true, Some(t)) = (distinct, fit(&points)) {
        let (x0, x1) = (points[0].0, points[points.len() - 1].0);
        lines.push(Line {
            label: format!("Trend ({:+.2} per day)", t.slope),
            points: vec![(x0, t.at(x0)), (x1, t.at(x1))],
            dashed: true,
        });
    }
    LinePlot {
        lines,
        bands: Vec::new(),
        origin,
        y_label: metric.label().to_owned(),
    }
}

/// Predicted vs actual for each predicted metric of an entry that has an actual value.
pub fn predictions(
    entry: &CalendarEntry,
    actual: impl Fn(MetricKind) -> Option<f64>,
) -> Vec<(MetricKind, PredictionError)> {
    entry
        .predicted
        .iter()
        .filter_map(|p| {
            actual(p.metric).map(|a| (p.metric, prediction_error(p.value, a, ERROR_THRESHOLD)))
        })
        .collect()
}

/// Prediction accuracy per month of publication over all entries (share of predictions within
/// the threshold), as a line.
pub fn accuracy_over_time(
    entries: &[CalendarEntry],
    actual: impl Fn(u64, MetricKind) -> Option<f64>,
) -> LinePlot {
    let mut by_month: std::collections::BTreeMap<(i64, u32), Vec<PredictionError>> =
        Default::default();
    for e in entries {
        let errs = predictions(e, |m| actual(e.entry_id, m));
        by_month
            .entry({
                let (y, m, _) = e.publish_date.ymd();
                (y, m)
            })
            .or_default()
            .extend(errs.into_iter().map(|(_, p)| p));
    }
    let origin = by_month
        .keys()
        .next()
        .and_then(|(y, m)| Date::from_ymd(*y, *m, 1).ok())
        .unwrap_or_else(|| Date::from_unix_ms(0));
    let points = by_month
        .iter()
        .filter_map(|((y, m), errs)| {
            let d = Date::from_ymd(*y, *m, 1).ok()?;
            let a = accuracy(errs)?;
            Some((
                (d.unix_ms() - origin.unix_ms()) as f64 / 86_400_000.0,
                a * 100.0,
            ))
        })
        .collect();
    LinePlot {
        lines: vec![Line {
            label: "Prediction accuracy (%)".into(),
            points,
            dashed: false,
        }],
        bands: Vec::new(),
        origin,
        y_label: "Accuracy %".into(),
    }
}

/// A belief's score after each day with evidence (engine `BeliefScore::history`: days since
/// 1970-01-01, score, low, high) as a line over its 95 % interval band.
pub fn belief_history(history: &[(i64, f64, f64, f64)]) -> LinePlot {
    let first = history.first().map_or(0, |h| h.0);
    let origin = Date::from_unix_ms(first * 86_400_000);
    let x = |day: i64| (day - first) as f64;
    LinePlot {
        lines: vec![Line {
            label: "Score".into(),
            points: history.iter().map(|h| (x(h.0), h.1)).collect(),
            dashed: false,
        }],
        bands: vec![Band {
            label: "95 % interval".into(),
            points: history.iter().map(|h| (x(h.0), h.2, h.3)).collect(),
        }],
        origin,
        y_label: "Score (standard deviations)".into(),
    }
}

/// Most labels a date axis carries.
pub const MAX_DAY_TICKS: usize = 6;

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn short_month(m: u32) -> &'static str {
    SHORT_MONTHS
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// The ticks of a date axis from `x0` to `x1` (days since `origin`): at most `max` of them, on
/// whole days, each label different from every other. Short ranges step by 1, 2, 3, 7 or 14 days
/// (labels `Mar 04`, with the year when the range crosses one); longer ranges step by 1, 2, 3, 6
/// or 12 calendar months from the first of a month (labels `Mar 2025`). One point (a range under
/// a day) gives its own day; an empty or reversed range gives none.
pub fn day_ticks(origin: Date, x0: f64, x1: f64, max: usize) -> Vec<(f64, String)> {
    if !(x0.is_finite() && x1.is_finite()) || x1 < x0 || max == 0 {
        return Vec::new();
    }
    let first = x0.ceil() as i64;
    let last = x1.floor() as i64;
    if last < first {
        let d = x0.round() as i64;
        return vec![(d as f64, origin.plus_days(d).to_string())];
    }
    let (y0, ..) = origin.plus_days(first).ymd();
    let (y1, ..) = origin.plus_days(last).ymd();
    let day_label = |d: i64| {
        let (y, m, day) = origin.plus_days(d).ymd();
        if y0 == y1 {
            format!("{} {day:02}", short_month(m))
        } else {
            format!("{} {day:02}, {y}", short_month(m))
        }
    };
    let mut ticks: Vec<(f64, String)> = Vec::new();
    if let Some(step) = [1i64, 2, 3, 7, 14]
        .into_iter()
        .find(|s| ((last - first) / s + 1) as usize <= max)
    {
        let mut d = first;
        while d <= last {
            ticks.push((d as f64, day_label(d)));
            d += step;
        }
    } else {
        let start = origin.plus_days(first);
        let (sy, sm, sd) = start.ymd();
        let mut month = sy * 12 + i64::from(sm) - 1 + i64::from(sd > 1);
        let month_day = |index: i64| {
            Date::from_ymd(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1)
                .ok()
                .map(|d| (d.unix_ms() - origin.unix_ms()).div_euclid(86_400_000))
        };
        let mut starts = Vec::new();
        while let Some(d) = month_day(month).filter(|&d| d <= last) {
            starts.push((d, month));
            month += 1;
        }
        let step = [1usize, 2, 3, 6, 12, 24, 60, 120]
            .into_iter()
            .find(|s| starts.len().div_ceil(*s) <= max)
            .unwrap_or(starts.len().max(1));
        for (d, index) in starts.into_iter().step_by(step) {
            let label = format!(
                "{} {}",
                short_month((index.rem_euclid(12) + 1) as u32),
                index.div_euclid(12)
            );
            ticks.push((d as f64, label));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    ticks.retain(|(_, label)| seen.insert(label.clone()));
    ticks
}

/// The transition graph of an order-1 chain, edges below `min_probability` left out.
pub fn transition_graph(d: &MarkovDetails, min_probability: f64) -> Graph {
    Graph {
        nodes: d.states.clone(),
        edges: d
            .transitions
            .iter()
            .filter(|t| t.probability >= min_probability)
            .map(|t| (t.from as usize, t.to as usize, t.probability, t.count))
            .collect(),
        positions: Vec::new(),
    }
}

/// The journey map's graph: the engine's layers left to right (start first, outcomes last),
/// nodes of a layer spread top to bottom in index order; edges below `min_probability` left out.
pub fn layered_graph(g: &ChannelGraph, min_probability: f64) -> Graph {
    let layers = g.layers().max(1);
    let mut per_layer = vec![0usize; layers];
    for &l in &g.layer {
        if let Some(x) = per_layer.get_mut(l) {
            *x += 1;
        }
    }
    let mut seen = vec![0usize; layers];
    let positions = g
        .layer
        .iter()
        .map(|&l| {
            let k = seen.get(l).copied().unwrap_or(0);
            if let Some(x) = seen.get_mut(l) {
                *x += 1;
            }
            let count = per_layer.get(l).copied().unwrap_or(1).max(1);
            let x = if layers == 1 {
                0.5
            } else {
                0.08 + 0.78 * l as f64 / (layers - 1) as f64
            };
            let y = 0.1 + 0.8 * (k as f64 + 0.5) / count as f64;
            (x, y)
        })
        .collect();
    Graph {
        nodes: g.nodes.clone(),
        edges: g
            .edges
            .iter()
            .filter(|e| e.probability >= min_probability)
            .map(|e| (e.from, e.to, e.probability, f64::NAN))
            .collect(),
        positions,
    }
}

/// Node positions on a unit circle (centre 0.5, 0.5, radius 0.4), in node order.
pub fn circle_layout(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let a =
                std::f64::consts::TAU * i as f64 / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
            (0.5 + 0.4 * a.cos(), 0.5 + 0.4 * a.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compute, load_demo, RunOptions};

    fn report() -> Report {
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        compute(&loaded, &RunOptions::default(), &Default::default(), 10)
            .unwrap_or_else(|e| panic!("{e}"))
            .report
    }

    #[test]
    fn model_shares_have_a_bar_per_model_and_channel_with_intervals() {
        let r = report();
        let b = model_shares(&r);
        assert_eq!(b.series.len(), 7);
        assert!(b.series.iter().all(|s| s.values.len() == b.groups.len()));
        assert!(b
            .series
            .iter()
            .all(|s| s.values.iter().all(|v| v.1.is_some())));
        let t = ChartSpec::Bars(b.clone()).table();
        assert_eq!(t.head.len(), 8);
        assert_eq!(t.rows.len(), b.groups.len());
        let first = &r.models[0].channels[0];
        assert!(
            t.rows[0][1].starts_with(&pct(first.share)),
            "{:?}",
            t.rows[0]
        );
    }

    #[test]
    fn history_keeps_manual_rows_and_fits_a_trend() {
        let day = 86_400_000;
        let row = |t: i64, v: f64, s: Source| (t, v, s);
        let rows = [
            row(day * 10, 100.0, Source::Imported),
            row(day * 11, 5.0, Source::Imported),
            row(day * 11, 120.0, Source::Manual),
            row(day * 12, 140.0, Source::Imported),
        ];
        let h = metric_history(rows, MetricKind::Pageviews);
        assert_eq!(
            h.lines[0].points,
            vec![(0.0, 100.0), (1.0, 120.0), (2.0, 140.0)]
        );
        assert_eq!(h.lines.len(), 2);
        assert!((h.lines[1].points[1].1 - 140.0).abs() < 1e-9);
        let one = metric_history(rows[..1].to_vec(), MetricKind::Pageviews);
        assert_eq!(one.lines.len(), 1, "one date: no trend");
        assert!(metric_history([], MetricKind::Pageviews).lines[0]
            .points
            .is_empty());
    }

    #[test]
    fn predictions_flag_errors_above_a_quarter() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let e = &ws.entries[0];
        let p = predictions(e, |_| Some(e.predicted[0].value * 1.3));
        assert_eq!(p.len(), 1);
        assert!(p[0].1.flagged);
        let ok = predictions(e, |_| Some(e.predicted[0].value * 1.1));
        assert!(!ok[0].1.flagged);
        let acc = accuracy_over_time(&ws.entries, |id, m| ws.value(id, m).map(|v| v.value));
        assert!(!acc.lines[0].points.is_empty());
        assert!(acc.lines[0]
            .points
            .iter()
            .all(|p| (0.0..=100.0).contains(&p.1)));
    }

    #[test]
    fn date_axes_have_few_distinct_labels_for_one_two_and_many_points() {
        let origin = Date::parse("2025-03-01").unwrap_or_else(|e| panic!("{e}"));
        let distinct = |t: &[(f64, String)]| {
            let mut labels: Vec<&String> = t.iter().map(|(_, l)| l).collect();
            labels.sort();
            labels.dedup();
            labels.len() == t.len()
        };
        // One point, padded by a day either side as the chart does.
        let one = day_ticks(origin, -1.0, 1.0, MAX_DAY_TICKS);
        assert_eq!(one.len(), 3);
        assert_eq!(one[1].1, "Mar 01");
        assert!(distinct(&one));
        // A range under a day: its own day, once.
        assert_eq!(day_ticks(origin, 0.2, 0.4, MAX_DAY_TICKS).len(), 1);
        // Two points four days apart.
        let two = day_ticks(origin, 0.0, 4.0, MAX_DAY_TICKS);
        assert_eq!(two.first().map(|t| t.1.as_str()), Some("Mar 01"));
        assert!(two.len() <= MAX_DAY_TICKS && distinct(&two));
        // A month: weekly ticks.
        let month = day_ticks(origin, 0.0, 30.0, MAX_DAY_TICKS);
        assert!(
            month.len() <= MAX_DAY_TICKS && month.len() >= 3,
            "{month:?}"
        );
        assert!(distinct(&month));
        // Two years: month starts, labelled with their year, never repeated.
        let long = day_ticks(origin, 0.0, 730.0, MAX_DAY_TICKS);
        assert!(long.len() <= MAX_DAY_TICKS && long.len() >= 3, "{long:?}");
        assert!(distinct(&long));
        assert!(long
            .iter()
            .all(|(_, l)| l.ends_with("2025") || l.ends_with("2026") || l.ends_with("2027")));
        // Crossing a year with day steps shows the year.
        let new_year = day_ticks(origin, 300.0, 310.0, MAX_DAY_TICKS);
        assert!(
            new_year.iter().any(|(_, l)| l.contains("2025")),
            "{new_year:?}"
        );
        assert!(day_ticks(origin, 5.0, 1.0, MAX_DAY_TICKS).is_empty());
        assert!(day_ticks(origin, f64::NAN, 1.0, MAX_DAY_TICKS).is_empty());
    }

    #[test]
    fn layered_graph_puts_start_left_and_outcomes_right() {
        use refleqt_engine::journey_graph::{analyse, Edge, PathSearch};
        let nodes = ["(start)", "a", "b", "(conversion)", "(null)"]
            .map(String::from)
            .to_vec();
        let e = |from, to, probability| Edge {
            from,
            to,
            probability,
        };
        let edges = vec![
            e(0, 1, 0.6),
            e(0, 2, 0.4),
            e(1, 3, 0.01),
            e(1, 4, 0.99),
            e(2, 3, 1.0),
        ];
        let cg = analyse(nodes, edges, 0, 3, PathSearch::default()).unwrap_or_default();
        let g = layered_graph(&cg, 0.02);
        assert_eq!(g.positions.len(), 5);
        assert!(g.positions[0].0 < g.positions[1].0 && g.positions[1].0 < g.positions[3].0);
        assert_eq!(g.positions[1].0, g.positions[2].0, "a and b share a layer");
        assert_ne!(g.positions[1].1, g.positions[2].1);
        assert_eq!(g.edges.len(), 4, "the 1 % edge is left out");
        let t = ChartSpec::Graph(g).table();
        assert_eq!(t.rows[0][3], "—", "no counts on the layered graph");
    }

    #[test]
    fn transition_graph_and_layout() {
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        let out = compute(&loaded, &RunOptions::default(), &Default::default(), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let d = out.transitions.unwrap_or_else(|| panic!("no chain"));
        let g = transition_graph(&d, 0.0);
        assert_eq!(g.edges.len(), d.transitions.len());
        assert!(transition_graph(&d, 0.5).edges.len() < g.edges.len());
        let pos = circle_layout(4);
        assert!((pos[0].0 - 0.5).abs() < 1e-12 && (pos[0].1 - 0.1).abs() < 1e-12);
        assert_eq!(ChartSpec::Graph(g).table().rows.len(), d.transitions.len());
    }
}

#[cfg(test)]
mod belief_history_tests {
    use super::*;

    #[test]
    fn a_belief_history_is_a_score_line_over_its_band_and_a_table() {
        let h = [(20_000, 0.2, -0.7, 1.1), (20_003, 0.5, -0.3, 1.3)];
        let plot = belief_history(&h);
        assert_eq!(plot.lines[0].points, vec![(0.0, 0.2), (3.0, 0.5)]);
        assert_eq!(
            plot.bands[0].points,
            vec![(0.0, -0.7, 1.1), (3.0, -0.3, 1.3)]
        );
        let t = ChartSpec::Lines(plot).table();
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[0][1], "2024-10-04");
        assert_eq!(
            t.rows[3],
            vec!["95 % interval", "2024-10-07", "-0.30 – 1.30"]
        );
    }
}
