//! Belief-level attribution: which planning beliefs an outcome reinforces or weakens, and by how
//! much, from the evidence.
//!
//! A [`Belief`] is a statement with what it predicts: a [`Selector`] (the artifacts it speaks
//! about: channels, types, topic tags, creators, a length range) and a [`Direction`] (those
//! artifacts land above, or below, what was expected of them on one metric).
//!
//! # The score
//!
//! Each matching outcome i with an expectation (a prediction's 95 % range, or the channel's
//! baseline when there was none) gives a standardised surprise in log(1 + x) space,
//!
//!   zᵢ = (log(1 + actualᵢ) − μᵢ) / σᵢ,  μᵢ and σᵢ from the expectation
//!   (from a 95 % range [l, h]: μ = ½(log(1 + l) + log(1 + h)), σ = (log(1 + h) − log(1 + l)) / (2·1.96)),
//!
//! winsorised to ±[`CLIP`] (one wild outcome counts as three standard deviations at most, after
//! Huber 1964), and signed by the belief's direction: eᵢ = ±clip(zᵢ). With eᵢ ~ N(θ, 1) (a
//! calibrated expectation gives unit-variance surprises) and a prior θ ~ N(0, 1/κ) worth
//! κ = [`PRIOR_WEIGHT`] outcomes, the posterior of θ (conjugate normal; Gelman et al., *Bayesian
//! Data Analysis*, 3rd ed., §2.5) is
//!
//!   score = Σ eᵢ / (n + κ),  95 % interval score ± 1.96 / √(n + κ).
//!
//! The score is in standard deviations of surprise: +0.23 means the matching artifacts beat
//! their expectation by about a quarter of a standard deviation, shrunk by how little evidence
//! there is. Action: **Reinforce** when the interval lies above 0, **Weaken** when below, else
//! **Hold**. One outcome's impact is its share of the score, eᵢ / (n + κ), so the impacts of all
//! the outcomes that moved a belief add up to its score; its action is Reinforce (eᵢ > ½),
//! Weaken (eᵢ < −½) or Hold (within half a standard deviation of what was expected).
//!
//! A lucky outlier moves a belief less than a consistent pattern: one outcome 10 σ above gives
//! 3 / 5 = 0.6 ± 0.88 (Hold), five outcomes 1.5 σ above give 7.5 / 9 = 0.83 ± 0.65 (Reinforce).
//!
//! # The file
//!
//! Beliefs travel to and from the upstream planning system as JSON:
//! `{"format": "refleqt-beliefs", "version": 1, "beliefs": [Belief, …]}` ([`parse_beliefs`],
//! [`beliefs_json`]); unknown fields are ignored, so later versions stay readable.

use crate::artifact::ArtifactFeatures;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Surprises are winsorised to ± this many standard deviations.
pub const CLIP: f64 = 3.0;
/// The prior is worth this many outcomes (κ).
pub const PRIOR_WEIGHT: f64 = 4.0;
/// An outcome within this many standard deviations of its expectation holds a belief.
pub const HOLD_BAND: f64 = 0.5;
/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;
/// At most this many beliefs in a file.
pub const MAX_BELIEFS: usize = 1000;
/// The file's format tag.
pub const FORMAT: &str = "refleqt-beliefs";
/// The file's version.
pub const VERSION: u32 = 1;

/// Which artifacts a belief speaks about. Every list that is not empty must match (a channel in
/// `channels`, and a type in `kinds`, and …); an empty list matches anything. Names compare
/// case-insensitively; topics match when the artifact has any of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Selector {
    pub channels: Vec<String>,
    pub kinds: Vec<String>,
    pub topics: Vec<String>,
    pub creators: Vec<String>,
    pub min_length: Option<f64>,
    pub max_length: Option<f64>,
}

fn any_eq(list: &[String], value: &str) -> bool {
    list.is_empty()
        || list
            .iter()
            .any(|v| v.trim().eq_ignore_ascii_case(value.trim()))
}

impl Selector {
    /// Whether the artifact is one the belief speaks about. A length bound needs a known length.
    pub fn matches(&self, f: &ArtifactFeatures) -> bool {
        let topics_ok = self.topics.is_empty()
            || f.topics.iter().any(|t| {
                self.topics
                    .iter()
                    .any(|s| s.trim().eq_ignore_ascii_case(t.trim()))
            });
        let length_ok = match (self.min_length, self.max_length, f.length) {
            (None, None, _) => true,
            (_, _, None) => false,
            (lo, hi, Some(len)) => lo.is_none_or(|lo| len >= lo) && hi.is_none_or(|hi| len <= hi),
        };
        any_eq(&self.channels, &f.channel)
            && any_eq(&self.kinds, &f.kind)
            && any_eq(&self.creators, &f.creator)
            && topics_ok
            && length_ok
    }

    /// The selector in words ("Blog post on linkedin about ai, 1,500+ words long").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.kinds.is_empty() {
            parts.push(self.kinds.join(" or "));
        } else {
            parts.push("any artifact".to_owned());
        }
        if !self.channels.is_empty() {
            parts.push(format!("on {}", self.channels.join(" or ")));
        }
        if !self.topics.is_empty() {
            parts.push(format!("about {}", self.topics.join(" or ")));
        }
        if !self.creators.is_empty() {
            parts.push(format!("by {}", self.creators.join(" or ")));
        }
        match (self.min_length, self.max_length) {
            (Some(lo), Some(hi)) => parts.push(format!("of length {lo}–{hi}")),
            (Some(lo), None) => parts.push(format!("of length {lo} or more")),
            (None, Some(hi)) => parts.push(format!("of length up to {hi}")),
            (None, None) => {}
        }
        parts.join(" ")
    }
}

/// Which way a belief expects its artifacts to land against their expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Better than expected ("technical content resonates").
    #[default]
    Above,
    /// Worse than expected ("long-form content underperforms").
    Below,
}

impl Direction {
    fn sign(self) -> f64 {
        match self {
            Direction::Above => 1.0,
            Direction::Below => -1.0,
        }
    }
}

/// A planning belief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Belief {
    pub id: String,
    pub statement: String,
    #[serde(default)]
    pub selector: Selector,
    /// The metric the belief is about ("impressions", "conversions", …).
    pub metric: String,
    #[serde(default)]
    pub direction: Direction,
}

/// Where an outcome's expectation came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ExpectationSource {
    /// The prediction made for the artifact (frozen at publication, or typed in).
    Prediction,
    /// No prediction: the mean and spread of the channel's earlier artifacts (`n` of them).
    ChannelBaseline { n: usize },
}

/// What was expected of one artifact on one metric, in log(1 + x) space.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    pub center: f64,
    pub spread: f64,
    pub source: ExpectationSource,
}

impl Expectation {
    /// From a prediction's 95 % range [low, high] (both ≥ 0, high > low).
    pub fn from_range(low: f64, high: f64) -> Option<Expectation> {
        if !(low >= 0.0 && high > low && high.is_finite()) {
            return None;
        }
        let (l, h) = (libm::log1p(low), libm::log1p(high));
        Some(Expectation {
            center: 0.5 * (l + h),
            spread: (h - l) / (2.0 * Z95),
            source: ExpectationSource::Prediction,
        })
    }

    /// From the channel's earlier values of the metric: their mean and standard deviation in
    /// log(1 + x); `None` below three values or with no spread.
    pub fn baseline(earlier: &[f64]) -> Option<Expectation> {
        let logs: Vec<f64> = earlier
            .iter()
            .filter(|v| v.is_finite() && **v >= 0.0)
            .map(|v| libm::log1p(*v))
            .collect();
        if logs.len() < 3 {
            return None;
        }
        let n = logs.len() as f64;
        let mean = logs.iter().sum::<f64>() / n;
        let var = logs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (var > 0.0).then(|| Expectation {
            center: mean,
            spread: libm::sqrt(var),
            source: ExpectationSource::ChannelBaseline { n: logs.len() },
        })
    }

    /// The standardised surprise of an actual value, winsorised to ±[`CLIP`].
    pub fn surprise(&self, actual: f64) -> f64 {
        let z = (libm::log1p(actual.max(0.0)) - self.center) / self.spread;
        z.clamp(-CLIP, CLIP)
    }
}

/// One measured outcome of an artifact on a metric, with what was expected of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The artifact (calendar entry) id.
    pub artifact: String,
    /// The artifact's title, for tables.
    pub title: String,
    /// The day the outcome is dated (days since 1970-01-01): its publish day.
    pub day: i64,
    pub features: ArtifactFeatures,
    pub metric: String,
    pub actual: f64,
    pub expectation: Expectation,
}

/// What a belief, or one outcome for it, calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Reinforce,
    Weaken,
    Hold,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Reinforce => "Reinforce",
            Action::Weaken => "Weaken",
            Action::Hold => "Hold",
        }
    }
}

/// How one outcome moved one belief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub artifact: String,
    pub title: String,
    pub day: i64,
    /// The winsorised surprise zᵢ (positive: above expectation).
    pub surprise: f64,
    /// The evidence for the belief, eᵢ = ±zᵢ by its direction.
    pub evidence: f64,
    /// This outcome's share of the belief's score, eᵢ / (n + κ).
    pub impact: f64,
    pub action: Action,
    pub source: ExpectationSource,
}

/// A belief's standing after all its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeliefScore {
    pub belief: String,
    pub score: f64,
    pub low: f64,
    pub high: f64,
    /// How many outcomes matched.
    pub evidence: usize,
    pub action: Action,
    /// The outcomes that moved it, oldest first.
    pub movements: Vec<Movement>,
    /// The score after each day with evidence, oldest first: (day, score, low, high).
    pub history: Vec<(i64, f64, f64, f64)>,
}

fn posterior(sum: f64, n: usize) -> (f64, f64, f64) {
    let w = n as f64 + PRIOR_WEIGHT;
    let score = sum / w;
    let half = Z95 / libm::sqrt(w);
    (score, score - half, score + half)
}

fn action_of_interval(low: f64, high: f64) -> Action {
    if low > 0.0 {
        Action::Reinforce
    } else if high < 0.0 {
        Action::Weaken
    } else {
        Action::Hold
    }
}

fn action_of_evidence(e: f64) -> Action {
    if e > HOLD_BAND {
        Action::Reinforce
    } else if e < -HOLD_BAND {
        Action::Weaken
    } else {
        Action::Hold
    }
}

/// Score one belief on the outcomes (any order; those whose artifact or metric does not match
/// are skipped). See the module docs for the formula.
pub fn score_belief(belief: &Belief, outcomes: &[Outcome]) -> BeliefScore {
    let mut matching: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            o.metric.eq_ignore_ascii_case(&belief.metric)
                && o.actual.is_finite()
                && o.expectation.spread > 0.0
                && belief.selector.matches(&o.features)
        })
        .collect();
    matching.sort_by(|a, b| a.day.cmp(&b.day).then(a.artifact.cmp(&b.artifact)));
    let n = matching.len();
    let w = n as f64 + PRIOR_WEIGHT;
    let sign = belief.direction.sign();
    let mut sum = 0.0;
    let mut history: Vec<(i64, f64, f64, f64)> = Vec::new();
    let mut movements = Vec::with_capacity(n);
    for (i, o) in matching.iter().enumerate() {
        let z = o.expectation.surprise(o.actual);
        let e = sign * z;
        sum += e;
        movements.push(Movement {
            artifact: o.artifact.clone(),
            title: o.title.clone(),
            day: o.day,
            surprise: z,
            evidence: e,
            impact: e / w,
            action: action_of_evidence(e),
            source: o.expectation.source,
        });
        let (s, lo, hi) = posterior(sum, i + 1);
        match history.last_mut() {
            Some(last) if last.0 == o.day => *last = (o.day, s, lo, hi),
            _ => history.push((o.day, s, lo, hi)),
        }
    }
    let (score, low, high) = posterior(sum, n);
    BeliefScore {
        belief: belief.id.clone(),
        score,
        low,
        high,
        evidence: n,
        action: action_of_interval(low, high),
        movements,
        history,
    }
}

/// Score every belief.
pub fn score_beliefs(beliefs: &[Belief], outcomes: &[Outcome]) -> Vec<BeliefScore> {
    beliefs.iter().map(|b| score_belief(b, outcomes)).collect()
}

/// One row of an artifact's "Belief | Impact | Action" table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactBeliefRow {
    pub belief: String,
    pub statement: String,
    pub impact: f64,
    pub action: Action,
}

/// The beliefs one artifact moved, largest impact first.
pub fn artifact_table(
    beliefs: &[Belief],
    scores: &[BeliefScore],
    artifact: &str,
) -> Vec<ArtifactBeliefRow> {
    let mut rows: Vec<ArtifactBeliefRow> = scores
        .iter()
        .filter_map(|s| {
            let belief = beliefs.iter().find(|b| b.id == s.belief)?;
            let m = s.movements.iter().find(|m| m.artifact == artifact)?;
            Some(ArtifactBeliefRow {
                belief: belief.id.clone(),
                statement: belief.statement.clone(),
                impact: m.impact,
                action: m.action,
            })
        })
        .collect();
    rows.sort_by(|a, b| b.impact.abs().total_cmp(&a.impact.abs()));
    rows
}

/// Why a beliefs file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BeliefError {
    #[error("this is not a beliefs file: {0}")]
    NotJson(String),
    #[error("this file is a \"{0}\" file, not a beliefs file (format \"{FORMAT}\")")]
    WrongFormat(String),
    #[error("this beliefs file is version {0}; this app reads version {VERSION} or older")]
    TooNew(u32),
    #[error("the file holds {0} beliefs; at most {MAX_BELIEFS} are accepted")]
    TooMany(usize),
    #[error("belief {0}: {1}")]
    Invalid(usize, String),
}

#[derive(Deserialize)]
struct FileIn {
    format: String,
    version: u32,
    beliefs: Vec<Belief>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u32,
    beliefs: &'a [Belief],
}

/// Check one belief: a non-empty id, statement and metric; length bounds finite, ≥ 0 and in order.
pub fn validate(belief: &Belief) -> Result<(), String> {
    if belief.id.trim().is_empty() {
        return Err("it has no id".to_owned());
    }
    if belief.statement.trim().is_empty() {
        return Err("it has no statement".to_owned());
    }
    if belief.metric.trim().is_empty() {
        return Err("it names no metric".to_owned());
    }
    for bound in [belief.selector.min_length, belief.selector.max_length]
        .into_iter()
        .flatten()
    {
        if !(bound.is_finite() && bound >= 0.0) {
            return Err(format!("its length bound {bound} is not a length"));
        }
    }
    if let (Some(lo), Some(hi)) = (belief.selector.min_length, belief.selector.max_length) {
        if lo > hi {
            return Err(format!(
                "its shortest length {lo} is above its longest {hi}"
            ));
        }
    }
    Ok(())
}

/// Read a beliefs file (see the module docs), checking every belief and that ids are unique.
pub fn parse_beliefs(text: &str) -> Result<Vec<Belief>, BeliefError> {
    let file: FileIn =
        serde_json::from_str(text).map_err(|e| BeliefError::NotJson(e.to_string()))?;
    if file.format != FORMAT {
        return Err(BeliefError::WrongFormat(file.format));
    }
    if file.version > VERSION {
        return Err(BeliefError::TooNew(file.version));
    }
    if file.beliefs.len() > MAX_BELIEFS {
        return Err(BeliefError::TooMany(file.beliefs.len()));
    }
    let mut seen = BTreeSet::new();
    for (i, b) in file.beliefs.iter().enumerate() {
        validate(b).map_err(|why| BeliefError::Invalid(i + 1, why))?;
        if !seen.insert(b.id.trim().to_owned()) {
            return Err(BeliefError::Invalid(
                i + 1,
                format!("its id \"{}\" is used twice", b.id),
            ));
        }
    }
    Ok(file.beliefs)
}

/// Write beliefs as a beliefs file (pretty-printed JSON).
pub fn beliefs_json(beliefs: &[Belief]) -> String {
    serde_json::to_string_pretty(&FileOut {
        format: FORMAT,
        version: VERSION,
        beliefs,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(
        channel: &str,
        kind: &str,
        topics: &[&str],
        length: Option<f64>,
    ) -> ArtifactFeatures {
        ArtifactFeatures {
            channel: channel.to_owned(),
            kind: kind.to_owned(),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            length,
            creator: "Alex".to_owned(),
            ..ArtifactFeatures::default()
        }
    }

    fn outcome(id: &str, day: i64, f: ArtifactFeatures, z: f64) -> Outcome {
        // Expectation centred at log(1 + 100) with spread 0.5: actual = e^(c + z·0.5) − 1.
        let exp = Expectation {
            center: libm::log1p(100.0),
            spread: 0.5,
            source: ExpectationSource::Prediction,
        };
        Outcome {
            artifact: id.to_owned(),
            title: id.to_owned(),
            day,
            features: f,
            metric: "impressions".to_owned(),
            actual: libm::expm1(exp.center + z * exp.spread),
            expectation: exp,
        }
    }

    fn technical() -> Belief {
        Belief {
            id: "b1".to_owned(),
            statement: "Technical content resonates".to_owned(),
            selector: Selector {
                topics: vec!["technical".to_owned()],
                ..Selector::default()
            },
            metric: "impressions".to_owned(),
            direction: Direction::Above,
        }
    }

    #[test]
    fn selector_matching() {
        let s = Selector {
            channels: vec!["LinkedIn".to_owned()],
            kinds: vec!["Blog post".to_owned(), "Case study".to_owned()],
            min_length: Some(1500.0),
            ..Selector::default()
        };
        assert!(s.matches(&features("linkedin", "Blog post", &[], Some(2000.0))));
        assert!(!s.matches(&features("linkedin", "Blog post", &[], Some(1000.0))));
        assert!(!s.matches(&features("linkedin", "Blog post", &[], None)));
        assert!(!s.matches(&features("email", "Blog post", &[], Some(2000.0))));
        assert!(Selector::default().matches(&features("x", "y", &[], None)));
    }

    #[test]
    fn hand_checked_score() {
        // Two outcomes at z = +1 and +2: score = 3 / (2 + 4) = 0.5, half-width 1.96 / √6.
        let f = features("linkedin", "Blog post", &["technical"], None);
        let outs = vec![outcome("a", 1, f.clone(), 1.0), outcome("b", 2, f, 2.0)];
        let s = score_belief(&technical(), &outs);
        assert_eq!(s.evidence, 2);
        assert!((s.score - 0.5).abs() < 1e-12, "{}", s.score);
        assert!((s.high - s.score - Z95 / 6f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.action, Action::Hold);
        // The impacts add up to the score.
        let total: f64 = s.movements.iter().map(|m| m.impact).sum();
        assert!((total - s.score).abs() < 1e-12);
        assert_eq!(s.history.len(), 2);
        assert!((s.history[0].1 - 1.0 / 5.0).abs() < 1e-12);
    }

    #[test]
    fn gains_when_beating_loses_when_missing() {
        let f = features("linkedin", "Blog post", &["technical"], None);
        let beat: Vec<Outcome> = (0..8)
            .map(|i| outcome(&format!("a{i}"), i, f.clone(), 1.2))
            .collect();
        let miss: Vec<Outcome> = (0..8)
            .map(|i| outcome(&format!("a{i}"), i, f.clone(), -1.2))
            .collect();
        let up = score_belief(&technical(), &beat);
        let down = score_belief(&technical(), &miss);
        assert!(up.score > 0.0 && up.action == Action::Reinforce, "{up:?}");
        assert!(
            down.score < 0.0 && down.action == Action::Weaken,
            "{down:?}"
        );
        // A belief that expects the opposite direction reads the same evidence the other way.
        let mut opposite = technical();
        opposite.direction = Direction::Below;
        let s = score_belief(&opposite, &beat);
        assert!((s.score + up.score).abs() < 1e-12);
        assert_eq!(s.action, Action::Weaken);
    }

    #[test]
    fn one_lucky_outlier_moves_less_than_a_pattern() {
        let f = features("linkedin", "Blog post", &["technical"], None);
        let lucky = score_belief(&technical(), &[outcome("x", 1, f.clone(), 10.0)]);
        let pattern: Vec<Outcome> = (0..5)
            .map(|i| outcome(&format!("p{i}"), i, f.clone(), 1.5))
            .collect();
        let steady = score_belief(&technical(), &pattern);
        assert!(
            (lucky.score - 0.6).abs() < 1e-12,
            "clipped to 3: {}",
            lucky.score
        );
        assert_eq!(lucky.action, Action::Hold);
        assert!(steady.score > lucky.score);
        assert_eq!(steady.action, Action::Reinforce);
    }

    #[test]
    fn non_matching_outcomes_do_not_count() {
        let other = features("email", "Email", &["pricing"], None);
        let s = score_belief(&technical(), &[outcome("a", 1, other, 3.0)]);
        assert_eq!(s.evidence, 0);
        assert_eq!(s.score, 0.0);
        assert_eq!(s.action, Action::Hold);
    }

    #[test]
    fn expectation_from_range_and_baseline() {
        let e = Expectation::from_range(99.0, 399.0).unwrap_or_else(|| unreachable!());
        // Centre: ½(ln 100 + ln 400) = ln 200; the actual 199 is right on it.
        assert!(e.surprise(199.0).abs() < 1e-12);
        assert!(Expectation::from_range(5.0, 5.0).is_none());
        assert!(Expectation::baseline(&[1.0, 2.0]).is_none());
        let b = Expectation::baseline(&[10.0, 20.0, 40.0]).unwrap_or_else(|| unreachable!());
        assert_eq!(b.source, ExpectationSource::ChannelBaseline { n: 3 });
    }

    #[test]
    fn artifact_table_lists_moved_beliefs() {
        let f = features("linkedin", "Blog post", &["technical"], Some(3000.0));
        let long_form = Belief {
            id: "b2".to_owned(),
            statement: "Long-form content underperforms".to_owned(),
            selector: Selector {
                min_length: Some(1500.0),
                ..Selector::default()
            },
            metric: "impressions".to_owned(),
            direction: Direction::Below,
        };
        let beliefs = vec![technical(), long_form];
        let outs = vec![outcome("deep-dive", 1, f, 2.0)];
        let scores = score_beliefs(&beliefs, &outs);
        let rows = artifact_table(&beliefs, &scores, "deep-dive");
        assert_eq!(rows.len(), 2);
        let tech = rows
            .iter()
            .find(|r| r.belief == "b1")
            .unwrap_or_else(|| unreachable!());
        let long = rows
            .iter()
            .find(|r| r.belief == "b2")
            .unwrap_or_else(|| unreachable!());
        assert!(tech.impact > 0.0 && tech.action == Action::Reinforce);
        assert!(long.impact < 0.0 && long.action == Action::Weaken);
    }

    #[test]
    fn file_round_trip_and_refusals() {
        let beliefs = vec![technical()];
        let text = beliefs_json(&beliefs);
        assert_eq!(parse_beliefs(&text), Ok(beliefs));
        assert!(matches!(parse_beliefs("{}"), Err(BeliefError::NotJson(_))));
        let wrong = r#"{"format":"other","version":1,"beliefs":[]}"#;
        assert!(matches!(
            parse_beliefs(wrong),
            Err(BeliefError::WrongFormat(_))
        ));
        let newer = r#"{"format":"refleqt-beliefs","version":9,"beliefs":[]}"#;
        assert_eq!(parse_beliefs(newer), Err(BeliefError::TooNew(9)));
        let dup = r#"{"format":"refleqt-beliefs","version":1,"beliefs":[
            {"id":"a","statement":"x","metric":"clicks"},{"id":"a","statement":"y","metric":"clicks"}]}"#;
        assert!(matches!(
            parse_beliefs(dup),
            Err(BeliefError::Invalid(2, _))
        ));
        let bad_len = r#"{"format":"refleqt-beliefs","version":1,"beliefs":[
            {"id":"a","statement":"x","metric":"clicks","selector":{"min_length":10,"max_length":5}}]}"#;
        assert!(matches!(
            parse_beliefs(bad_len),
            Err(BeliefError::Invalid(1, _))
        ));
    }
}
