//! The training-context export: one versioned JSON document per export, the input of the next
//! planning cycle — the artifacts with their attributes, their outcomes with what was expected of
//! them, predictions against actuals, attribution (with 95 % intervals where there are any), the
//! beliefs with the evidence that moved them, the A/B tests with their analysis, insight and the
//! user's decision, and the creators' reputation.
//!
//! The document is `{"format": "refleqt-training-context", "version": 1, …}` ([`FORMAT`],
//! [`VERSION`]); its JSON Schema is `schemas/training-context.v1.schema.json`. Stability rule:
//! within a version, changes are additive only (new fields, new enum values are a new version);
//! readers ignore fields they do not know. Every number that cannot be computed is `null`, never
//! `NaN`. The document has its own types here, so a change to an engine type does not change the
//! export by accident.
//!
//! The caller (the app's `model::context`, the CLI through it) gathers the rows that come from
//! its workspace — artifacts, actuals, predictions, attribution — and [`build`] adds what the
//! engine computes: belief scores (`beliefs::score_beliefs`), A/B analyses (`abtest::analyse`,
//! seeded with `abtest::SEED`, as the app's pages are) and creator reputations (`creators::reputation`).

use crate::abtest::{self, AbTest, Verdict};
use crate::artifact::{ArtifactRecord, WEEKDAYS};
use crate::beliefs::{self, Action, Belief, ExpectationSource, Outcome};
use crate::creators;
use crate::dates::{format_iso_date, MS_PER_DAY};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The document's format tag.
pub const FORMAT: &str = "refleqt-training-context";
/// The document's version; bumped only for a change that is not additive.
pub const VERSION: u32 = 1;
/// Above this many outcomes the document is written without indentation.
pub const PRETTY_MAX_ROWS: usize = 5_000;
/// Where the JSON Schema of this version lives in the repository.
pub const SCHEMA_PATH: &str = "schemas/training-context.v1.schema.json";

/// `Some(x)` for a finite `x`, else `None` (`null` in the document).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn finite_opt(x: Option<f64>) -> Option<f64> {
    x.and_then(finite)
}

/// A day number (days since 1970-01-01) as `YYYY-MM-DD`.
fn date(day: i64) -> String {
    format_iso_date(day)
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn timestamp(ms: i64) -> String {
    let day = ms.div_euclid(MS_PER_DAY);
    let secs = ms.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(day),
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingContext {
    pub format: String,
    pub version: u32,
    pub generated_at: String,
    pub date_range: DateRange,
    pub parameters: Parameters,
    pub artifacts: Vec<Artifact>,
    pub past_artifacts: Vec<PastArtifact>,
    pub outcomes: Vec<OutcomeRow>,
    pub predictions: Vec<PredictionRow>,
    pub attribution: Attribution,
    pub beliefs: Vec<BeliefRow>,
    pub ab_tests: Vec<AbTestRow>,
    pub creators: Vec<CreatorReputation>,
}

/// The publish dates the document covers (calendar entries and past artifacts), `null` when none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateRange {
    pub first_publish_date: Option<String>,
    pub last_publish_date: Option<String>,
    /// The earliest and latest time a metric was recorded (Unix ms as ISO timestamps).
    pub first_recorded_at: Option<String>,
    pub last_recorded_at: Option<String>,
}

/// The parameters every computed number in the document depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// ISO 4217 code of every money amount.
    pub currency: String,
    /// An actual outside its range by more than this percent of the nearer bound raises an alert.
    pub alert_threshold_percent: u32,
    /// The channel baseline's window (earlier artifacts) for outcomes without a prediction.
    pub baseline_window: usize,
    /// Belief scores: the prior's weight κ, the winsorising clip, the Hold band (engine `beliefs`).
    pub belief_prior_weight: f64,
    pub belief_clip: f64,
    pub belief_hold_band: f64,
    /// A/B tests: the seed and number of the probability-best draws.
    pub ab_seed: u64,
    pub ab_draws: usize,
    /// The metrics the creators' reputation is computed on.
    pub creator_metrics: Vec<String>,
}

/// One calendar entry's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub id: String,
    pub title: String,
    pub channel: String,
    pub campaign: String,
    /// The artifact type ("Blog post", …); empty when not set.
    #[serde(rename = "type")]
    pub kind: String,
    pub topics: Vec<String>,
    pub length: Option<f64>,
    pub creator: String,
    pub publish_date: String,
    pub publish_hour: Option<u8>,
    pub weekday: String,
    /// The cost used for ROI and where it came from (`recorded` or `planned`).
    pub cost: Option<f64>,
    pub cost_source: Option<String>,
    /// `cal-<id>`, the `utm_content` of the artifact's links.
    pub utm_content: String,
    pub destination_url: String,
}

/// A past artifact without a calendar entry (history the learners use), with its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastArtifact {
    pub channel: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub topics: Vec<String>,
    pub length: Option<f64>,
    pub creator: String,
    pub publish_date: String,
    pub publish_hour: Option<u8>,
    pub cost: Option<f64>,
    pub metrics: Vec<MetricValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    pub metric: String,
    pub value: Option<f64>,
}

impl PastArtifact {
    pub fn of(r: &ArtifactRecord) -> PastArtifact {
        let f = &r.features;
        PastArtifact {
            channel: f.channel.clone(),
            kind: f.kind.clone(),
            topics: f.topics.clone(),
            length: finite_opt(f.length),
            creator: f.creator.clone(),
            publish_date: date(f.day),
            publish_hour: f.hour,
            cost: finite_opt(f.cost),
            metrics: r
                .values
                .iter()
                .map(|(m, v)| MetricValue {
                    metric: m.clone(),
                    value: finite(*v),
                })
                .collect(),
        }
    }
}

/// One measured value of an artifact, with what was expected of it when there was an
/// expectation (the input of the belief scores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    pub artifact: String,
    pub metric: String,
    pub value: Option<f64>,
    /// `manual` or `imported`.
    pub source: String,
    pub recorded_at: String,
    pub expectation: Option<ExpectationRow>,
}

/// What was expected of an outcome, in log(1 + x): centre and spread, the standardised
/// surprise (winsorised), and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationRow {
    /// `prediction` or `channel_baseline`.
    pub source: String,
    /// The channel baseline's number of earlier artifacts (`null` for a prediction).
    pub baseline_artifacts: Option<usize>,
    pub center_log1p: Option<f64>,
    pub spread_log1p: Option<f64>,
    pub surprise: Option<f64>,
}

fn source_name(s: ExpectationSource) -> (String, Option<usize>) {
    match s {
        ExpectationSource::Prediction => ("prediction".to_owned(), None),
        ExpectationSource::ChannelBaseline { n } => ("channel_baseline".to_owned(), Some(n)),
    }
}

/// A prediction of an artifact's metric against its actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionRow {
    pub artifact: String,
    pub metric: String,
    /// `imported` (from the planning tool or typed in) or `frozen` (stored at publication).
    pub source: String,
    pub point: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `high`, `medium` or `low` for frozen predictions; `null` otherwise.
    pub confidence: Option<String>,
    /// How many similar past artifacts a frozen prediction was based on.
    pub based_on: Option<usize>,
    pub actual: Option<f64>,
    /// Whether the actual lies in [low, high]; `null` without an actual or a range.
    pub inside_range: Option<bool>,
    /// (actual − point) / point; `null` without an actual or with a point of 0.
    pub relative_error: Option<f64>,
}

impl PredictionRow {
    /// A row with `inside_range` and `relative_error` computed.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        artifact: String,
        metric: String,
        source: &str,
        point: Option<f64>,
        range: Option<(f64, f64)>,
        confidence: Option<String>,
        based_on: Option<usize>,
        actual: Option<f64>,
    ) -> PredictionRow {
        let (low, high) = match range {
            Some((l, h)) => (finite(l), finite(h)),
            None => (None, None),
        };
        let actual = finite_opt(actual);
        let point = finite_opt(point);
        let inside_range = match (actual, low, high) {
            (Some(a), Some(l), Some(h)) => Some(a >= l && a <= h),
            _ => None,
        };
        let relative_error = match (actual, point) {
            (Some(a), Some(p)) if p != 0.0 => finite((a - p) / p),
            _ => None,
        };
        PredictionRow {
            artifact,
            metric,
            source: source.to_owned(),
            point,
            low,
            high,
            confidence,
            based_on,
            actual,
            inside_range,
            relative_error,
        }
    }
}

/// Attribution as the app has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// `workbench_report` (the attribution workbench's last report, with bootstrap intervals
    /// when it has them) or `stored_results` (the workspace's `attribution_results`: last-touch,
    /// no intervals).
    pub source: String,
    /// The data the workbench analysed (`null` for stored results).
    pub data: Option<String>,
    pub models: Vec<AttributionModel>,
}

/// One model's credit per artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionModel {
    pub model: String,
    pub label: String,
    pub entries: Vec<AttributedEntry>,
}

/// One artifact's credit under one model; the `_low`/`_high` pairs are 95 % intervals (`null`
/// when there are none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributedEntry {
    pub artifact: String,
    pub conversions: Option<f64>,
    pub conversions_low: Option<f64>,
    pub conversions_high: Option<f64>,
    pub revenue: Option<f64>,
    pub revenue_low: Option<f64>,
    pub revenue_high: Option<f64>,
    pub cost: Option<f64>,
    /// Percent.
    pub roi: Option<f64>,
    pub roi_low: Option<f64>,
    pub roi_high: Option<f64>,
}

impl Attribution {
    /// The workbench's report: every model's entry rows with their intervals.
    pub fn from_report(report: &crate::report::Report, data: &str) -> Attribution {
        let models = report
            .models
            .iter()
            .map(|m| AttributionModel {
                model: serde_json::to_value(m.model)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| m.label.clone()),
                label: m.label.clone(),
                entries: m
                    .entries
                    .iter()
                    .map(|e| AttributedEntry {
                        artifact: e.entry.to_string(),
                        conversions: finite(e.conversions),
                        conversions_low: finite_opt(e.conversions_low),
                        conversions_high: finite_opt(e.conversions_high),
                        revenue: finite(e.revenue),
                        revenue_low: finite_opt(e.revenue_low),
                        revenue_high: finite_opt(e.revenue_high),
                        cost: finite_opt(e.cost),
                        roi: finite_opt(e.roi),
                        roi_low: finite_opt(e.roi_low),
                        roi_high: finite_opt(e.roi_high),
                    })
                    .collect(),
            })
            .collect();
        Attribution {
            source: "workbench_report".to_owned(),
            data: Some(data.to_owned()),
            models,
        }
    }
}

/// A belief with its standing and the evidence that moved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeliefRow {
    pub id: String,
    pub statement: String,
    pub selector: SelectorRow,
    pub metric: String,
    /// `above` or `below`.
    pub direction: String,
    pub score: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `Reinforce`, `Weaken` or `Hold`.
    pub action: String,
    pub evidence_count: usize,
    pub movements: Vec<MovementRow>,
    pub history: Vec<HistoryPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectorRow {
    pub channels: Vec<String>,
    pub types: Vec<String>,
    pub topics: Vec<String>,
    pub creators: Vec<String>,
    pub min_length: Option<f64>,
    pub max_length: Option<f64>,
}

/// How one outcome moved one belief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovementRow {
    pub artifact: String,
    pub title: String,
    pub date: String,
    pub surprise: Option<f64>,
    pub evidence: Option<f64>,
    pub impact: Option<f64>,
    pub action: String,
    pub expectation_source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub date: String,
    pub score: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

fn action(a: Action) -> String {
    a.label().to_owned()
}

fn belief_row(b: &Belief, s: &beliefs::BeliefScore) -> BeliefRow {
    BeliefRow {
        id: b.id.clone(),
        statement: b.statement.clone(),
        selector: SelectorRow {
            channels: b.selector.channels.clone(),
            types: b.selector.kinds.clone(),
            topics: b.selector.topics.clone(),
            creators: b.selector.creators.clone(),
            min_length: finite_opt(b.selector.min_length),
            max_length: finite_opt(b.selector.max_length),
        },
        metric: b.metric.clone(),
        direction: match b.direction {
            beliefs::Direction::Above => "above",
            beliefs::Direction::Below => "below",
        }
        .to_owned(),
        score: finite(s.score),
        low: finite(s.low),
        high: finite(s.high),
        action: action(s.action),
        evidence_count: s.evidence,
        movements: s
            .movements
            .iter()
            .map(|m| MovementRow {
                artifact: m.artifact.clone(),
                title: m.title.clone(),
                date: date(m.day),
                surprise: finite(m.surprise),
                evidence: finite(m.evidence),
                impact: finite(m.impact),
                action: action(m.action),
                expectation_source: source_name(m.source).0,
            })
            .collect(),
        history: s
            .history
            .iter()
            .map(|(day, score, low, high)| HistoryPoint {
                date: date(*day),
                score: finite(*score),
                low: finite(*low),
                high: finite(*high),
            })
            .collect(),
    }
}

/// An A/B test as recorded, its analysis (or why there is none), its insight and the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbTestRow {
    pub id: String,
    pub name: String,
    pub hypothesis: String,
    pub attribute: String,
    pub metric: String,
    /// `rate` or `mean`.
    pub kind: String,
    pub alpha: Option<f64>,
    pub min_lift: Option<f64>,
    pub variants: Vec<VariantRow>,
    pub analysis: Option<AnalysisRow>,
    /// Why the test could not be analysed (`null` when it was).
    pub error: Option<String>,
    pub insight: Option<InsightRow>,
    /// `accepted`, `rejected` or `undecided`.
    pub decision: String,
    /// The belief an accepted proposal created or updated.
    pub decision_belief: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRow {
    pub name: String,
    pub value: String,
    pub entries: Vec<String>,
    pub exposures: u64,
    pub successes: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    /// From the analysis: the estimate (rate or mean) with its 95 % interval and the
    /// probability that this variant is best.
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub prob_best: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRow {
    /// `winner`, `no_difference`, `not_enough_data`, `planned_sample_not_reached` or
    /// `sample_ratio_mismatch`.
    pub verdict: String,
    pub winner: Option<String>,
    pub summary: String,
    pub srm_p_value: Option<f64>,
    pub planned_per_variant: u64,
    pub planned_computed: bool,
    pub comparisons: Vec<ComparisonRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub variant: String,
    pub lift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightRow {
    pub sentence: String,
    pub lift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub proposed_statement: String,
    pub proposed_metric: String,
    pub proposed_direction: String,
    pub winner: String,
    pub loser: String,
}

/// What the user did with an A/B insight's proposed belief update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Undecided,
    Accepted { belief: String },
    Rejected,
}

fn verdict(v: &Verdict) -> (String, Option<String>) {
    let name = match v {
        Verdict::Winner { variant } => return ("winner".to_owned(), Some(variant.clone())),
        Verdict::NoDifference => "no_difference",
        Verdict::NotEnoughData => "not_enough_data",
        Verdict::PlannedSampleNotReached => "planned_sample_not_reached",
        Verdict::SampleRatioMismatch => "sample_ratio_mismatch",
    };
    (name.to_owned(), None)
}

fn ab_row(test: &AbTest, decision: &Decision) -> AbTestRow {
    let analysis = abtest::analyse_default(test);
    let result = |name: &str| {
        analysis
            .as_ref()
            .ok()
            .and_then(|a| a.variants.iter().find(|v| v.name == name))
    };
    let variants = test
        .variants
        .iter()
        .map(|v| {
            let r = result(&v.name);
            VariantRow {
                name: v.name.clone(),
                value: v.value.clone(),
                entries: v.entries.clone(),
                exposures: v.exposures,
                successes: v.successes,
                mean: finite(v.mean),
                sd: finite(v.sd),
                estimate: r.and_then(|r| finite(r.estimate)),
                low: r.and_then(|r| finite(r.low)),
                high: r.and_then(|r| finite(r.high)),
                prob_best: r.and_then(|r| finite(r.prob_best)),
            }
        })
        .collect();
    let (analysis_row, error, insight) = match &analysis {
        Ok(a) => {
            let (v, winner) = verdict(&a.verdict);
            let insight = a.insight.as_ref().map(|i| InsightRow {
                sentence: i.sentence.clone(),
                lift: finite(i.lift),
                low: finite(i.low),
                high: finite(i.high),
                proposed_statement: i.proposal.statement.clone(),
                proposed_metric: i.proposal.metric.clone(),
                proposed_direction: match i.proposal.direction {
                    beliefs::Direction::Above => "above",
                    beliefs::Direction::Below => "below",
                }
                .to_owned(),
                winner: i.proposal.winner.clone(),
                loser: i.proposal.loser.clone(),
            });
            let row = AnalysisRow {
                verdict: v,
                winner,
                summary: a.summary.clone(),
                srm_p_value: finite(a.srm_p_value),
                planned_per_variant: a.planned_per_variant,
                planned_computed: a.planned_computed,
                comparisons: a
                    .comparisons
                    .iter()
                    .map(|c| ComparisonRow {
                        variant: c.name.clone(),
                        lift: finite_opt(c.lift),
                        low: finite_opt(c.low),
                        high: finite_opt(c.high),
                        p_value: finite(c.p_value),
                        significant: c.significant,
                    })
                    .collect(),
            };
            (Some(row), None, insight)
        }
        Err(e) => (None, Some(e.to_string()), None),
    };
    let (decision, decision_belief) = match decision {
        Decision::Undecided => ("undecided", None),
        Decision::Accepted { belief } => ("accepted", Some(belief.clone())),
        Decision::Rejected => ("rejected", None),
    };
    AbTestRow {
        id: test.id.clone(),
        name: test.name.clone(),
        hypothesis: test.hypothesis.clone(),
        attribute: test.attribute.clone(),
        metric: test.metric.clone(),
        kind: match test.kind {
            abtest::MetricKind::Rate => "rate",
            abtest::MetricKind::Mean => "mean",
        }
        .to_owned(),
        alpha: finite(test.alpha),
        min_lift: finite(test.min_lift),
        variants,
        analysis: analysis_row,
        error,
        insight,
        decision: decision.to_owned(),
        decision_belief,
    }
}

/// Every creator's reputation on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorReputation {
    pub metric: String,
    pub tau2: Option<f64>,
    pub sigma2: Option<f64>,
    pub creators: Vec<CreatorRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorRow {
    pub creator: String,
    pub artifacts: usize,
    pub raw: Option<f64>,
    pub skill: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub multiplier: Option<f64>,
    pub rank: usize,
    pub trend_per_year: Option<f64>,
}

/// What [`build`] needs from the caller.
pub struct Inputs<'a> {
    pub generated_at_ms: i64,
    pub currency: String,
    pub alert_threshold_percent: u32,
    pub baseline_window: usize,
    pub artifacts: Vec<Artifact>,
    /// Past artifacts without a calendar entry.
    pub past: &'a [ArtifactRecord],
    /// Every measured value, without its expectation (added from `evidence`).
    pub outcomes: Vec<OutcomeRow>,
    /// The outcomes with an expectation (the belief scores' input).
    pub evidence: &'a [Outcome],
    pub predictions: Vec<PredictionRow>,
    pub attribution: Attribution,
    pub beliefs: &'a [Belief],
    pub ab_tests: Vec<(&'a AbTest, Decision)>,
    /// The creators' history: every artifact with results (entries and past artifacts).
    pub history: &'a [ArtifactRecord],
    /// The metrics to rate creators on (those without any creator are left out).
    pub creator_metrics: Vec<String>,
    /// The earliest and latest time a metric was recorded (Unix ms).
    pub recorded: Option<(i64, i64)>,
}

/// The document for `inputs`.
pub fn build(inputs: Inputs<'_>) -> TrainingContext {
    let Inputs {
        generated_at_ms,
        currency,
        alert_threshold_percent,
        baseline_window,
        artifacts,
        past,
        mut outcomes,
        evidence,
        predictions,
        attribution,
        beliefs: belief_list,
        ab_tests,
        history,
        creator_metrics,
        recorded,
    } = inputs;
    let by_key: HashMap<(&str, &str), &Outcome> = evidence
        .iter()
        .map(|o| ((o.artifact.as_str(), o.metric.as_str()), o))
        .collect();
    for row in &mut outcomes {
        if let Some(o) = by_key.get(&(row.artifact.as_str(), row.metric.as_str())) {
            let (source, n) = source_name(o.expectation.source);
            row.expectation = Some(ExpectationRow {
                source,
                baseline_artifacts: n,
                center_log1p: finite(o.expectation.center),
                spread_log1p: finite(o.expectation.spread),
                surprise: finite(o.expectation.surprise(o.actual)),
            });
        }
    }
    let scores = beliefs::score_beliefs(belief_list, evidence);
    let beliefs = belief_list
        .iter()
        .zip(&scores)
        .map(|(b, s)| belief_row(b, s))
        .collect();
    let ab_tests = ab_tests.iter().map(|(t, d)| ab_row(t, d)).collect();
    let mut rated = Vec::new();
    let mut creators_out = Vec::new();
    for metric in &creator_metrics {
        let rep = creators::reputation(history, metric);
        if rep.creators.is_empty() {
            continue;
        }
        rated.push(metric.clone());
        creators_out.push(CreatorReputation {
            metric: rep.metric.clone(),
            tau2: finite(rep.tau2),
            sigma2: finite(rep.sigma2),
            creators: rep
                .creators
                .iter()
                .map(|c| CreatorRow {
                    creator: c.creator.clone(),
                    artifacts: c.artifacts,
                    raw: finite(c.raw),
                    skill: finite(c.skill),
                    low: finite(c.low),
                    high: finite(c.high),
                    multiplier: finite(c.multiplier),
                    rank: c.rank,
                    trend_per_year: finite_opt(c.trend_per_year),
                })
                .collect(),
        });
    }
    let days = artifacts
        .iter()
        .map(|a| a.publish_date.clone())
        .chain(past.iter().map(|r| date(r.features.day)));
    let (mut first, mut last) = (None::<String>, None::<String>);
    for d in days {
        // ISO dates of years 0–9999 order as text.
        if first.as_ref().is_none_or(|f| d < *f) {
            first = Some(d.clone());
        }
        if last.as_ref().is_none_or(|l| d > *l) {
            last = Some(d);
        }
    }
    TrainingContext {
        format: FORMAT.to_owned(),
        version: VERSION,
        generated_at: timestamp(generated_at_ms),
        date_range: DateRange {
            first_publish_date: first,
            last_publish_date: last,
            first_recorded_at: recorded.map(|(f, _)| timestamp(f)),
            last_recorded_at: recorded.map(|(_, l)| timestamp(l)),
        },
        parameters: Parameters {
            currency,
            alert_threshold_percent,
            baseline_window,
            belief_prior_weight: beliefs::PRIOR_WEIGHT,
            belief_clip: beliefs::CLIP,
            belief_hold_band: beliefs::HOLD_BAND,
            ab_seed: abtest::SEED,
            ab_draws: abtest::DRAWS,
            creator_metrics: rated,
        },
        artifacts,
        past_artifacts: past.iter().map(PastArtifact::of).collect(),
        outcomes,
        predictions,
        attribution,
        beliefs,
        ab_tests,
        creators: creators_out,
    }
}

/// The weekday name of a day number ("Monday", …).
pub fn weekday_name(day: i64) -> String {
    WEEKDAYS
        .get(usize::from(crate::artifact::weekday_of_day(day)))
        .map(|w| (*w).to_owned())
        .unwrap_or_default()
}

impl TrainingContext {
    /// The document as JSON (stable field order; `null` for numbers that could not be computed).
    /// Indented up to [`PRETTY_MAX_ROWS`] outcomes, compact above (a third of the size).
    pub fn to_json(&self) -> String {
        // Plain data with string keys and no non-finite numbers: serialising cannot fail.
        if self.outcomes.len() > PRETTY_MAX_ROWS {
            serde_json::to_string(self).unwrap_or_default()
        } else {
            serde_json::to_string_pretty(self).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_prediction_rows() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_700_000_000_123), "2023-11-14T22:13:20Z");
        assert_eq!(timestamp(-1), "1969-12-31T23:59:59Z");
        let r = PredictionRow::new(
            "1".into(),
            "pageviews".into(),
            "frozen",
            Some(100.0),
            Some((80.0, 130.0)),
            None,
            None,
            Some(150.0),
        );
        assert_eq!(r.inside_range, Some(false));
        assert_eq!(r.relative_error, Some(0.5));
        let r = PredictionRow::new(
            "1".into(),
            "pageviews".into(),
            "imported",
            Some(0.0),
            Some((0.0, f64::NAN)),
            None,
            None,
            Some(0.0),
        );
        assert_eq!(
            (r.high, r.inside_range, r.relative_error),
            (None, None, None)
        );
        assert_eq!(weekday_name(0), "Thursday");
    }
}
