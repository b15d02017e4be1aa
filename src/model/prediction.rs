//! What the learners leave in the workspace: an entry's frozen prediction (the 95 % ranges it
//! had when it was published) and the anomaly alerts raised when its actuals fall outside them.
//! Pure data with serde defaults, so files without them load unchanged.

use super::metric::MetricKind;
use refleqt_engine::predict::{Confidence, USEFUL_WIDTH};
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};

/// An alert is raised when an actual lies outside its range by more than this share of the
/// nearer bound, in percent (Settings; the spec's 25 % flag).
pub const DEFAULT_ALERT_THRESHOLD_PERCENT: u32 = 25;

/// One metric's predicted range, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenRange {
    pub metric: MetricKind,
    pub low: f64,
    pub point: f64,
    pub high: f64,
    /// "Based on N similar past artifacts".
    pub based_on: usize,
    pub confidence: Confidence,
    pub reason: String,
    /// The lowest and highest value among the similar artifacts (0 in files from before).
    #[serde(default)]
    pub similar_low: f64,
    #[serde(default)]
    pub similar_high: f64,
}

impl FrozenRange {
    /// Wider than the engine's [`USEFUL_WIDTH`]: shown in words, not as a range.
    pub fn too_uncertain(&self) -> bool {
        (self.high + 1.0) / (self.low + 1.0) > USEFUL_WIDTH
    }
}

/// The prediction an entry had when it was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenPrediction {
    /// Unix milliseconds.
    pub frozen_at: i64,
    /// Past artifacts it was computed from (published before this entry, with actuals).
    pub history: usize,
    #[serde(default)]
    pub ranges: Vec<FrozenRange>,
}

impl FrozenPrediction {
    pub fn range(&self, metric: MetricKind) -> Option<&FrozenRange> {
        self.ranges.iter().find(|r| r.metric == metric)
    }
}

/// An actual outside its predicted range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub entry_id: EntryId,
    pub metric: MetricKind,
    /// Above the range (true) or below it.
    pub above: bool,
    /// (actual − predicted) / predicted, in percent.
    pub percent: f64,
    pub actual: f64,
    pub predicted: f64,
    /// The range, when the prediction had one (a typed-in prediction has none).
    #[serde(default)]
    pub range: Option<(f64, f64)>,
    /// Unix milliseconds.
    pub raised_at: i64,
    #[serde(default)]
    pub dismissed: bool,
    /// Set for an outlier among its peers (isolation forest), which has no prediction:
    /// `predicted` is then the peers' median of `metric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerOutlier>,
}

/// Why an entry is unusual among its peers (the artifacts of its channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerOutlier {
    /// The isolation-forest score (0.5 ordinary, towards 1 isolated).
    pub score: f64,
    /// Peers it was compared with.
    pub peers: usize,
    /// What stands out, in words ("signups per pageview 4.1× its peers' median"), most unusual
    /// first.
    pub standouts: Vec<String>,
}

impl Alert {
    /// "340 % above predicted pageviews", or for a peer outlier "Unusual among its peers: …".
    pub fn headline(&self) -> String {
        if let Some(p) = &self.peer {
            return format!(
                "Unusual among its peers: {}",
                p.standouts
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "its results differ from similar entries".to_owned())
            );
        }
        let size = if self.percent.is_finite() {
            refleqt_engine::roi::format_percent(self.percent.abs())
        } else {
            "far".to_owned()
        };
        format!(
            "{size} {} predicted {}",
            if self.above { "above" } else { "below" },
            self.metric.label().to_lowercase()
        )
    }

    /// What to do about it, in words.
    pub fn suggested_action(&self) -> &'static str {
        if self.peer.is_some() {
            return if self.above {
                "Look, then double down if it holds: check the tracking first; if the numbers are real, find out what this entry did differently."
            } else {
                "Look: check the link, the targeting and the tracking; if the numbers are real, pause what does not work."
            };
        }
        match (self.above, self.metric) {
            (true, MetricKind::Cost | MetricKind::Cpc | MetricKind::BounceRate | MetricKind::Unsubscribes) => {
                "Look: this costs or loses more than planned — check the spend and the audience before it runs on."
            }
            (true, _) => {
                "Double down: it beats what similar artifacts did — reuse its type, topic and timing, or add budget."
            }
            (false, MetricKind::Cost | MetricKind::Cpc | MetricKind::BounceRate | MetricKind::Unsubscribes) => {
                "Look: better than planned — note what changed so it can be repeated."
            }
            (false, _) => {
                "Pause or look: it trails similar artifacts — check the link, the targeting and the tracking before spending more."
            }
        }
    }
}
