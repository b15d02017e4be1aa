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

/// An imported prediction of one metric: a value, a range, or both (the value then lies in it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportedPrediction {
    pub entry_id: EntryId,
    pub metric: MetricKind,
    /// The estimate: as given, or the middle of the range.
    pub value: f64,
    pub range: Option<(f64, f64)>,
}

/// Why a prediction file was refused (nothing is applied then).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictionImportError {
    #[error("the file is not JSON ({0})")]
    Json(String),
    #[error("the file needs an object \"predictions\" of entry ids, e.g. {{\"predictions\": {{\"12\": {{\"pageviews\": 1500}}}}}}")]
    Shape,
    #[error(
        "\"{0}\" is not an entry id (a whole number, as shown in the entry's address #/entry/12)"
    )]
    NotAnId(String),
    #[error("entry {0} is not in this workspace")]
    UnknownEntry(EntryId),
    #[error("entry {entry}: \"{name}\" is not a metric; use one of: {known}")]
    UnknownMetric {
        entry: EntryId,
        name: String,
        known: String,
    },
    #[error("entry {entry}, {metric}: {why}")]
    Invalid {
        entry: EntryId,
        metric: String,
        why: String,
    },
}

/// Parse a prediction file from an upstream planning tool (format in the README, "Importing
/// predictions"): `{"format": "refleqt-predictions", "predictions": {"<entry id>": {"<metric
/// key>": <value> | {"low": …, "high": …, "value": …}}}}`. Every entry id must be in
/// `known_entries`; values are finite and ≥ 0; low ≤ value ≤ high.
pub fn parse_prediction_import(
    text: &str,
    known_entries: &[EntryId],
) -> Result<Vec<ImportedPrediction>, PredictionImportError> {
    use serde_json::Value;
    let root: Value =
        serde_json::from_str(text).map_err(|e| PredictionImportError::Json(e.to_string()))?;
    if let Some(f) = root.get("format") {
        if f.as_str() != Some("refleqt-predictions") {
            return Err(PredictionImportError::Shape);
        }
    }
    let Some(map) = root.get("predictions").and_then(Value::as_object) else {
        return Err(PredictionImportError::Shape);
    };
    let number = |v: &Value, entry: EntryId, metric: &str, what: &str| {
        let x = v.as_f64().ok_or_else(|| PredictionImportError::Invalid {
            entry,
            metric: metric.to_owned(),
            why: format!("the {what} must be a number"),
        })?;
        if x.is_finite() && x >= 0.0 {
            Ok(x)
        } else {
            Err(PredictionImportError::Invalid {
                entry,
                metric: metric.to_owned(),
                why: format!("the {what} must be zero or more"),
            })
        }
    };
    let mut out = Vec::new();
    for (id_text, metrics) in map {
        let entry: EntryId = id_text
            .trim()
            .parse()
            .map_err(|_| PredictionImportError::NotAnId(id_text.clone()))?;
        if !known_entries.contains(&entry) {
            return Err(PredictionImportError::UnknownEntry(entry));
        }
        let Some(metrics) = metrics.as_object() else {
            return Err(PredictionImportError::Shape);
        };
        for (name, v) in metrics {
            let Some(metric) = MetricKind::from_key(name.trim()) else {
                return Err(PredictionImportError::UnknownMetric {
                    entry,
                    name: name.clone(),
                    known: MetricKind::ALL
                        .iter()
                        .map(|m| m.key())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let (value, range) = if v.is_number() {
                (number(v, entry, name, "value")?, None)
            } else if let Some(o) = v.as_object() {
                let low = o.get("low").map(|x| number(x, entry, name, "low end"));
                let high = o.get("high").map(|x| number(x, entry, name, "high end"));
                let value = o.get("value").map(|x| number(x, entry, name, "value"));
                match (low.transpose()?, high.transpose()?, value.transpose()?) {
                    (Some(lo), Some(hi), value) => {
                        let mid = value.unwrap_or((lo + hi) / 2.0);
                        if lo > hi || mid < lo || mid > hi {
                            return Err(PredictionImportError::Invalid {
                                entry,
                                metric: name.clone(),
                                why: "low ≤ value ≤ high is required".to_owned(),
                            });
                        }
                        (mid, Some((lo, hi)))
                    }
                    (None, None, Some(value)) => (value, None),
                    _ => {
                        return Err(PredictionImportError::Invalid {
                            entry,
                            metric: name.clone(),
                            why: "give a number, or an object with both \"low\" and \"high\""
                                .to_owned(),
                        })
                    }
                }
            } else {
                return Err(PredictionImportError::Invalid {
                    entry,
                    metric: name.clone(),
                    why: "give a number, or an object with both \"low\" and \"high\"".to_owned(),
                });
            };
            out.push(ImportedPrediction {
                entry_id: entry,
                metric,
                value,
                range,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_ranges_parse() {
        let text = r#"{"format": "refleqt-predictions", "predictions": {
            "12": {"pageviews": 1500, "signups": {"low": 5, "high": 20}},
            "3": {"revenue": {"low": 100, "high": 900, "value": 300}}}}"#;
        let mut got = parse_prediction_import(text, &[3, 12]).unwrap_or_else(|e| panic!("{e}"));
        got.sort_by_key(|p| (p.entry_id, p.metric.key()));
        assert_eq!(
            got,
            vec![
                ImportedPrediction {
                    entry_id: 3,
                    metric: MetricKind::Revenue,
                    value: 300.0,
                    range: Some((100.0, 900.0)),
                },
                ImportedPrediction {
                    entry_id: 12,
                    metric: MetricKind::Pageviews,
                    value: 1500.0,
                    range: None,
                },
                ImportedPrediction {
                    entry_id: 12,
                    metric: MetricKind::Signups,
                    value: 12.5,
                    range: Some((5.0, 20.0)),
                },
            ]
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let parse = |t: &str| parse_prediction_import(t, &[1]);
        assert!(matches!(
            parse("not json"),
            Err(PredictionImportError::Json(_))
        ));
        assert_eq!(parse(r#"{"x": 1}"#), Err(PredictionImportError::Shape));
        assert_eq!(
            parse(r#"{"format": "other", "predictions": {}}"#),
            Err(PredictionImportError::Shape)
        );
        assert_eq!(
            parse(r#"{"predictions": {"abc": {}}}"#),
            Err(PredictionImportError::NotAnId("abc".into()))
        );
        assert_eq!(
            parse(r#"{"predictions": {"7": {"pageviews": 1}}}"#),
            Err(PredictionImportError::UnknownEntry(7))
        );
        let unknown = parse(r#"{"predictions": {"1": {"likes": 1}}}"#);
        assert!(
            matches!(&unknown, Err(PredictionImportError::UnknownMetric { name, known, .. }) if name == "likes" && known.contains("pageviews")),
            "{unknown:?}"
        );
        for bad in [
            r#"{"predictions": {"1": {"pageviews": -1}}}"#,
            r#"{"predictions": {"1": {"pageviews": "many"}}}"#,
            r#"{"predictions": {"1": {"pageviews": {"low": 9, "high": 3}}}}"#,
            r#"{"predictions": {"1": {"pageviews": {"low": 1, "high": 3, "value": 5}}}}"#,
            r#"{"predictions": {"1": {"pageviews": {"low": 1}}}}"#,
        ] {
            assert!(
                matches!(parse(bad), Err(PredictionImportError::Invalid { .. })),
                "{bad}: {:?}",
                parse(bad)
            );
        }
        assert_eq!(parse(r#"{"predictions": {}}"#), Ok(Vec::new()));
    }
}
