//! Pre-deployment prediction: per metric a 95 % range for a planned artifact, from its k nearest
//! past artifacts (k-nearest-neighbour regression, Fix & Hodges 1951, on a weighted distance over
//! channel, type, topics, creator, weekday, hour, length and cost) in log(1 + x) space, made honest
//! by normalised conformal calibration (Vovk, Gammerman & Shafer 2005; the score
//! |y − ŷ| / (spread + β) of Papadopoulos, Vovk & Gammerman 2008) with leave-one-out residuals
//! (the jackknife form of Barber, Candès, Ramdas & Tibshirani 2021), so the range covers the
//! actual in ≈ 95 % of new artifacts whatever the model gets wrong.
//!
//! For each past artifact i, its value is predicted from the other artifacts' k nearest
//! (ŷ₋ᵢ = mean of their log(1 + y), s₋ᵢ = their standard deviation) and scored
//! rᵢ = |log(1 + yᵢ) − ŷ₋ᵢ| / (s₋ᵢ + β). The range of a new artifact is
//! ŷ ± q·(s + β), q = the ⌈(n + 1)·0.95⌉-th smallest rᵢ, back-transformed; with fewer than
//! [`MIN_HISTORY`] past values no finite q exists and the answer is "not enough similar
//! artifacts", as it is when fewer than [`MIN_SAME_CHANNEL`] past artifacts share the channel.
//!
//! Cost: the calibration scores at most [`MAX_CALIBRATION`] artifacts (the most recent: they are
//! the most like the artifacts still to come), each against every other, so a fit is
//! O(min(n, [`MAX_CALIBRATION`]) · n) distance evaluations, shared by the metrics measured on the
//! same artifacts; the most recent [`MAX_HISTORY`] artifacts are used.
//!
//! A range wider than [`USEFUL_WIDTH`] (high + 1 over low + 1) says little; [`MetricRange::too_uncertain`]
//! flags it, so it is put in words instead ("too uncertain to predict: similar artifacts vary from
//! X to Y").

use crate::artifact::{ArtifactFeatures, ArtifactRecord};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The default coverage of a range.
pub const DEFAULT_COVERAGE: f64 = 0.95;
/// Neighbours per prediction.
pub const DEFAULT_K: usize = 10;
/// Past values of a metric needed for a finite 95 % conformal quantile (⌈(n + 1)·0.95⌉ ≤ n).
pub const MIN_HISTORY: usize = 19;
/// Past artifacts on the same channel needed for a range.
pub const MIN_SAME_CHANNEL: usize = 3;
/// At most this many past artifacts (the most recent) feed one metric's model.
pub const MAX_HISTORY: usize = 5_000;
/// At most this many (the most recent) artifacts calibrate a metric's ranges.
pub const MAX_CALIBRATION: usize = 600;
/// A range whose (high + 1) / (low + 1) exceeds this is too wide to be useful.
pub const USEFUL_WIDTH: f64 = 10.0;
/// Added to the neighbours' spread in the conformal score, so a tight group still gets a range.
const BETA: f64 = 0.15;

/// Distance weights: what makes two artifacts similar.
const W_CHANNEL: f64 = 4.0;
const W_KIND: f64 = 1.5;
const W_TOPICS: f64 = 1.0;
const W_CREATOR: f64 = 0.5;
const W_WEEKDAY: f64 = 0.5;
const W_HOUR: f64 = 0.75;
const W_LENGTH: f64 = 0.5;
const W_COST: f64 = 1.0;
/// Neighbours closer than this share the channel.
const SAME_CHANNEL_DISTANCE: f64 = W_CHANNEL;

/// How far to trust a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::High => "HIGH",
            Confidence::Medium => "MEDIUM",
            Confidence::Low => "LOW",
        }
    }
}

/// A metric's predicted range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRange {
    pub metric: String,
    /// The central estimate (back-transformed mean of the neighbours' log values).
    pub point: f64,
    pub low: f64,
    pub high: f64,
    /// The nominal coverage (0.95).
    pub coverage: f64,
    /// "Based on N similar past artifacts".
    pub based_on: usize,
    /// Of those, how many share the channel.
    pub same_channel: usize,
    pub confidence: Confidence,
    /// Why this confidence, in words.
    pub reason: String,
    /// The lowest and highest value among the similar artifacts the estimate comes from.
    #[serde(default)]
    pub similar_low: f64,
    #[serde(default)]
    pub similar_high: f64,
}

impl MetricRange {
    /// (high + 1) / (low + 1): how many times the top of the range is its bottom.
    pub fn width(&self) -> f64 {
        (self.high + 1.0) / (self.low + 1.0)
    }

    /// Wider than [`USEFUL_WIDTH`]: better said in words ("too uncertain to predict: similar
    /// artifacts vary from [`similar_low`](Self::similar_low) to …") than shown as a range.
    pub fn too_uncertain(&self) -> bool {
        self.width() > USEFUL_WIDTH
    }
}

/// A metric's prediction, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MetricPrediction {
    Range(MetricRange),
    NotEnough {
        metric: String,
        /// Past artifacts with this metric (or, for `channel`, on this channel).
        have: usize,
        need: usize,
        /// In words: "not enough similar artifacts: …".
        reason: String,
    },
}

impl MetricPrediction {
    pub fn metric(&self) -> &str {
        match self {
            MetricPrediction::Range(r) => &r.metric,
            MetricPrediction::NotEnough { metric, .. } => metric,
        }
    }

    pub fn range(&self) -> Option<&MetricRange> {
        match self {
            MetricPrediction::Range(r) => Some(r),
            MetricPrediction::NotEnough { .. } => None,
        }
    }
}

/// Features with their strings replaced by small ids (unseen values never match).
#[derive(Debug, Clone)]
struct Coded {
    channel: u32,
    kind: u32,
    creator: u32,
    topics: Vec<u32>,
    weekday: u8,
    hour: Option<u8>,
    /// log(length) and log(cost + 1), computed once.
    length: Option<f64>,
    cost: Option<f64>,
    day: i64,
}

#[derive(Debug, Clone, Default)]
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(s.to_owned()).or_insert(next)
    }

    fn lookup(&self, s: &str) -> u32 {
        self.ids.get(s).copied().unwrap_or(u32::MAX)
    }
}

fn code_with(f: &ArtifactFeatures, mut id: impl FnMut(&str) -> u32) -> Coded {
    let mut topics: Vec<u32> = f.topics.iter().map(|t| id(t)).collect();
    topics.sort_unstable();
    topics.dedup();
    Coded {
        channel: id(&f.channel),
        kind: id(&f.kind),
        creator: id(&f.creator),
        topics,
        weekday: f.weekday(),
        hour: f.hour.filter(|h| *h < 24),
        length: f
            .length
            .filter(|l| l.is_finite() && *l > 0.0)
            .map(libm::log),
        cost: f
            .cost
            .filter(|c| c.is_finite() && *c >= 0.0)
            .map(libm::log1p),
        day: f.day,
    }
}

fn jaccard_distance(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    1.0 - common as f64 / union as f64
}

fn distance(a: &Coded, b: &Coded) -> f64 {
    let mut d = 0.0;
    if a.channel != b.channel {
        d += W_CHANNEL;
    }
    if a.kind != b.kind {
        d += W_KIND;
    }
    d += W_TOPICS * jaccard_distance(&a.topics, &b.topics);
    if a.creator != b.creator {
        d += W_CREATOR;
    }
    let dw = (a.weekday as i32 - b.weekday as i32).rem_euclid(7);
    d += W_WEEKDAY * dw.min(7 - dw) as f64 / 3.0;
    d += match (a.hour, b.hour) {
        (Some(x), Some(y)) => {
            let dh = (x as i32 - y as i32).rem_euclid(24);
            W_HOUR * dh.min(24 - dh) as f64 / 12.0
        }
        (None, None) => 0.0,
        _ => W_HOUR / 3.0,
    };
    d += match (a.length, b.length) {
        (Some(x), Some(y)) => W_LENGTH * (x - y).abs().min(2.0) / 2.0,
        (None, None) => 0.0,
        _ => W_LENGTH / 2.0,
    };
    d += match (a.cost, b.cost) {
        (Some(x), Some(y)) => W_COST * (x - y).abs().min(3.0) / 3.0,
        (None, None) => 0.0,
        _ => W_COST / 3.0,
    };
    d
}

/// A neighbour: (distance, −day, position in the metric's rows).
type Neighbour = (f64, i64, usize);
/// A calibration artifact: its position in the metric's rows and its leave-one-out neighbours.
type Calibration = (usize, Vec<Neighbour>);

/// One metric's calibrated model.
#[derive(Debug, Clone)]
struct MetricModel {
    metric: String,
    /// Indices into `Predictor::coded` of the artifacts with this metric, and log(1 + value).
    rows: Vec<usize>,
    y: Vec<f64>,
    /// The conformal quantile; `None` when the history is too short.
    q: Option<f64>,
}

/// A fitted predictor: the coded history and one calibrated model per metric.
#[derive(Debug, Clone)]
pub struct Predictor {
    interner: Interner,
    coded: Vec<Coded>,
    models: Vec<MetricModel>,
    k: usize,
    coverage: f64,
}

/// The neighbours of `target` among `rows` (skipping the row `skip`): their positions in `rows`,
/// nearest first, ties broken by the more recent artifact, then by position.
fn neighbours(
    coded: &[Coded],
    rows: &[usize],
    target: &Coded,
    skip: Option<usize>,
    k: usize,
    scratch: &mut Vec<(f64, i64, usize)>,
) -> usize {
    scratch.clear();
    for (pos, &r) in rows.iter().enumerate() {
        if Some(pos) == skip {
            continue;
        }
        let c = &coded[r];
        scratch.push((distance(target, c), -c.day, pos));
    }
    let k = k.min(scratch.len());
    if k == 0 {
        return 0;
    }
    let cmp = |a: &(f64, i64, usize), b: &(f64, i64, usize)| {
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    };
    if k < scratch.len() {
        scratch.select_nth_unstable_by(k - 1, cmp);
        scratch.truncate(k);
    }
    scratch.sort_unstable_by(cmp);
    k
}

/// Mean and standard deviation of the neighbours' log values.
fn mean_sd(y: &[f64], found: &[(f64, i64, usize)]) -> (f64, f64) {
    let n = found.len() as f64;
    let mean = found.iter().map(|f| y[f.2]).sum::<f64>() / n;
    let var = found.iter().map(|f| (y[f.2] - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl Predictor {
    /// Fit on `history` for `metrics` with `k` neighbours and the given coverage (in (0, 1)).
    pub fn fit(history: &[ArtifactRecord], metrics: &[&str], k: usize, coverage: f64) -> Self {
        let k = k.max(1);
        let coverage = if coverage > 0.0 && coverage < 1.0 {
            coverage
        } else {
            DEFAULT_COVERAGE
        };
        let mut interner = Interner::default();
        let coded: Vec<Coded> = history
            .iter()
            .map(|r| code_with(&r.features, |s| interner.id(s)))
            .collect();
        let mut cache: Option<(Vec<usize>, Vec<Calibration>)> = None;
        let models = metrics
            .iter()
            .map(|&metric| {
                let mut rows: Vec<usize> = (0..history.len())
                    .filter(|&i| history[i].value(metric).is_some())
                    .collect();
                // The most recent MAX_HISTORY (stable: equal days keep their order).
                if rows.len() > MAX_HISTORY {
                    rows.sort_by_key(|&i| std::cmp::Reverse(coded[i].day));
                    rows.truncate(MAX_HISTORY);
                    rows.sort_unstable();
                }
                let y: Vec<f64> = rows
                    .iter()
                    .map(|&i| libm::log1p(history[i].value(metric).unwrap_or(0.0)))
                    .collect();
                let q = if rows.len() < MIN_HISTORY {
                    None
                } else {
                    if cache.as_ref().is_none_or(|(r, _)| *r != rows) {
                        let lists = loo_neighbours(&coded, &rows, k);
                        cache = Some((rows.clone(), lists));
                    }
                    cache
                        .as_ref()
                        .and_then(|(_, lists)| calibrate(lists, &y, coverage))
                };
                MetricModel {
                    metric: metric.to_owned(),
                    rows,
                    y,
                    q,
                }
            })
            .collect();
        Predictor {
            interner,
            coded,
            models,
            k,
            coverage,
        }
    }

    /// Every fitted metric's prediction for `target`.
    pub fn predict(&self, target: &ArtifactFeatures) -> Vec<MetricPrediction> {
        self.predict_excluding(target, None)
    }

    /// The same, leaving out the history's artifact at index `skip` (the target itself when it
    /// is part of the history: a leave-one-out prediction).
    pub fn predict_excluding(
        &self,
        target: &ArtifactFeatures,
        skip: Option<usize>,
    ) -> Vec<MetricPrediction> {
        let t = code_with(target, |s| self.interner.lookup(s));
        let mut scratch = Vec::new();
        self.models
            .iter()
            .map(|m| {
                let skip = skip.and_then(|i| m.rows.binary_search(&i).ok());
                self.predict_one(m, &t, &target.channel, skip, &mut scratch)
            })
            .collect()
    }

    fn predict_one(
        &self,
        m: &MetricModel,
        t: &Coded,
        channel: &str,
        skip: Option<usize>,
        scratch: &mut Vec<(f64, i64, usize)>,
    ) -> MetricPrediction {
        let Some(q) = m.q else {
            return MetricPrediction::NotEnough {
                metric: m.metric.clone(),
                have: m.rows.len(),
                need: MIN_HISTORY,
                reason: format!(
                    "not enough similar artifacts: {} past artifact{} with this metric, a range needs at least {MIN_HISTORY}",
                    m.rows.len(),
                    if m.rows.len() == 1 { "" } else { "s" }
                ),
            };
        };
        let on_channel = m
            .rows
            .iter()
            .enumerate()
            .filter(|&(pos, &r)| Some(pos) != skip && self.coded[r].channel == t.channel)
            .count();
        if on_channel < MIN_SAME_CHANNEL {
            return MetricPrediction::NotEnough {
                metric: m.metric.clone(),
                have: on_channel,
                need: MIN_SAME_CHANNEL,
                reason: format!(
                    "not enough similar artifacts: {on_channel} past artifact{} on {channel} with this metric, a range needs at least {MIN_SAME_CHANNEL}",
                    if on_channel == 1 { "" } else { "s" }
                ),
            };
        }
        let found = neighbours(&self.coded, &m.rows, t, skip, self.k, scratch);
        let (mean, sd) = mean_sd(&m.y, &scratch[..found]);
        let half = q * (sd + BETA);
        let same_channel = scratch[..found]
            .iter()
            .filter(|f| f.0 < SAME_CHANNEL_DISTANCE)
            .count();
        let factor = libm::exp(half);
        let (confidence, reason) = confidence(found, same_channel, factor, channel);
        let (similar_low, similar_high) = scratch[..found]
            .iter()
            .map(|f| m.y[f.2])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        MetricPrediction::Range(MetricRange {
            metric: m.metric.clone(),
            point: libm::expm1(mean).max(0.0),
            low: libm::expm1(mean - half).max(0.0),
            high: libm::expm1(mean + half).max(0.0),
            coverage: self.coverage,
            based_on: found,
            same_channel,
            confidence,
            reason,
            similar_low: libm::expm1(similar_low).max(0.0),
            similar_high: libm::expm1(similar_high).max(0.0),
        })
    }
}

/// The calibration artifacts' leave-one-out neighbours: for each of the most recent
/// [`MAX_CALIBRATION`] rows (ties by position), its position in `rows` and its k nearest among
/// the other rows (positions, nearest first). They depend on the rows only, so metrics measured
/// on the same artifacts share them.
fn loo_neighbours(coded: &[Coded], rows: &[usize], k: usize) -> Vec<Calibration> {
    let mut calibration: Vec<usize> = (0..rows.len()).collect();
    if calibration.len() > MAX_CALIBRATION {
        calibration.sort_by_key(|&pos| (std::cmp::Reverse(coded[rows[pos]].day), pos));
        calibration.truncate(MAX_CALIBRATION);
        calibration.sort_unstable();
    }
    let mut scratch = Vec::new();
    calibration
        .into_iter()
        .map(|pos| {
            let found = neighbours(coded, rows, &coded[rows[pos]], Some(pos), k, &mut scratch);
            (pos, scratch[..found].to_vec())
        })
        .collect()
}

/// The conformal quantile of the calibration rows' leave-one-out normalised residuals, if the
/// history allows one.
fn calibrate(lists: &[Calibration], y: &[f64], coverage: f64) -> Option<f64> {
    let n = lists.len();
    let rank = ((n as f64 + 1.0) * coverage).ceil() as usize;
    if n < MIN_HISTORY || rank > n || rank == 0 {
        return None;
    }
    let mut scores: Vec<f64> = Vec::with_capacity(n);
    for (pos, found) in lists {
        if found.is_empty() {
            return None;
        }
        let (mean, sd) = mean_sd(y, found);
        scores.push((y[*pos] - mean).abs() / (sd + BETA));
    }
    scores.sort_unstable_by(f64::total_cmp);
    scores.get(rank - 1).copied()
}

fn confidence(
    found: usize,
    same_channel: usize,
    factor: f64,
    channel: &str,
) -> (Confidence, String) {
    let agree = if factor < 10.0 {
        format!("{factor:.1}")
    } else {
        format!("{factor:.0}")
    };
    let base = format!(
        "{same_channel} of the {found} most similar past artifacts are on {channel}; the range spans ×{agree} either side of the estimate"
    );
    if same_channel >= 8 && factor <= 2.5 {
        (
            Confidence::High,
            format!("{base}: many close matches with consistent results"),
        )
    } else if same_channel >= 5 && factor <= 5.0 {
        (
            Confidence::Medium,
            format!("{base}: enough matches, but results vary"),
        )
    } else if same_channel < 5 {
        (
            Confidence::Low,
            format!("{base}: few past artifacts on this channel"),
        )
    } else {
        (
            Confidence::Low,
            format!("{base}: similar artifacts had very different results"),
        )
    }
}

/// How far an actual lies outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// True when above the range, false when below.
    pub above: bool,
    /// (actual − point) / point, in percent (positive above, negative below).
    pub percent_vs_point: f64,
    /// How far past the nearer bound, in percent of that bound.
    pub percent_past_bound: f64,
}

/// The deviation of `actual` from a range `low ≤ point ≤ high`, when it lies outside by more
/// than `threshold_percent` of the nearer bound (0 = any step outside).
pub fn deviation(
    low: f64,
    point: f64,
    high: f64,
    actual: f64,
    threshold_percent: f64,
) -> Option<Deviation> {
    if !(actual.is_finite() && low.is_finite() && high.is_finite() && point.is_finite()) {
        return None;
    }
    let threshold = threshold_percent.max(0.0) / 100.0;
    let vs_point = |a: f64| {
        if point > 0.0 {
            (a - point) / point * 100.0
        } else {
            f64::INFINITY
        }
    };
    if actual > high {
        let past = if high > 0.0 {
            (actual - high) / high
        } else {
            f64::INFINITY
        };
        (past > threshold).then(|| Deviation {
            above: true,
            percent_vs_point: vs_point(actual),
            percent_past_bound: past * 100.0,
        })
    } else if actual < low {
        let past = (low - actual) / low;
        (past > threshold).then(|| Deviation {
            above: false,
            percent_vs_point: vs_point(actual),
            percent_past_bound: past * 100.0,
        })
    } else {
        None
    }
}

/// The naive baseline: the channel's empirical `(1 − coverage)/2` and `(1 + coverage)/2`
/// quantiles of the metric (nearest rank), if the channel has at least two values.
pub fn channel_quantile_range(
    history: &[ArtifactRecord],
    metric: &str,
    channel: &str,
    coverage: f64,
) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = history
        .iter()
        .filter(|r| r.features.channel == channel)
        .filter_map(|r| r.value(metric))
        .collect();
    if v.len() < 2 {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    let at = |p: f64| {
        let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        v[i]
    };
    Some((at((1.0 - coverage) / 2.0), at((1.0 + coverage) / 2.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(channel: &str, kind: &str, day: i64, clicks: f64) -> ArtifactRecord {
        ArtifactRecord {
            features: ArtifactFeatures {
                channel: channel.into(),
                kind: kind.into(),
                day,
                hour: Some(10),
                ..ArtifactFeatures::default()
            },
            values: vec![("clicks".into(), clicks)],
        }
    }

    #[test]
    fn thin_history_is_not_enough() {
        let h: Vec<_> = (0..10)
            .map(|i| rec("blog", "Blog post", i, 100.0))
            .collect();
        let p = Predictor::fit(&h, &["clicks"], DEFAULT_K, DEFAULT_COVERAGE);
        let out = p.predict(&h[0].features);
        assert!(
            matches!(&out[0], MetricPrediction::NotEnough { have: 10, need: 19, reason, .. } if reason.starts_with("not enough similar artifacts"))
        );
    }

    #[test]
    fn new_channel_is_not_enough() {
        let h: Vec<_> = (0..40)
            .map(|i| rec("blog", "Blog post", i, 100.0 + i as f64))
            .collect();
        let p = Predictor::fit(&h, &["clicks"], DEFAULT_K, DEFAULT_COVERAGE);
        let target = rec("podcast", "Video", 50, 0.0).features;
        assert!(matches!(
            &p.predict(&target)[0],
            MetricPrediction::NotEnough {
                have: 0,
                need: 3,
                ..
            }
        ));
    }

    #[test]
    fn constant_history_gives_a_tight_range_around_it() {
        let h: Vec<_> = (0..30).map(|i| rec("blog", "Blog post", i, 99.0)).collect();
        let p = Predictor::fit(&h, &["clicks"], DEFAULT_K, DEFAULT_COVERAGE);
        let out = p.predict(&h[0].features);
        let r = out[0].range().unwrap_or_else(|| panic!("{out:?}"));
        // log(1 + 99) exactly predicted: every residual is 0, so q = 0 and the range is a point.
        assert!((r.point - 99.0).abs() < 1e-9, "{r:?}");
        assert!((r.low - 99.0).abs() < 1e-9 && (r.high - 99.0).abs() < 1e-9);
        assert_eq!(r.based_on, 10);
        assert_eq!(r.same_channel, 10);
        assert_eq!(r.confidence, Confidence::High);
    }

    #[test]
    fn deviation_direction_and_size() {
        let d = deviation(80.0, 100.0, 120.0, 440.0, 25.0).unwrap_or_else(|| panic!());
        assert!(d.above);
        assert!((d.percent_vs_point - 340.0).abs() < 1e-9);
        assert!(deviation(80.0, 100.0, 120.0, 140.0, 25.0).is_none());
        let below = deviation(80.0, 100.0, 120.0, 20.0, 25.0).unwrap_or_else(|| panic!());
        assert!(!below.above && (below.percent_vs_point + 80.0).abs() < 1e-9);
        assert!(deviation(80.0, 100.0, 120.0, 100.0, 0.0).is_none());
    }

    #[test]
    fn baseline_quantiles() {
        let h: Vec<_> = (1..=100)
            .map(|i| rec("blog", "Blog post", i, i as f64))
            .collect();
        assert_eq!(
            channel_quantile_range(&h, "clicks", "blog", 0.95),
            Some((3.0, 98.0))
        );
        assert_eq!(channel_quantile_range(&h, "clicks", "email", 0.95), None);
    }
}
