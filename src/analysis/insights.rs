//! The Insights page's learners on an artifact history, pure: artifact clusters (engine
//! `clusters`: k-means on the metrics most artifacts measure, k by the silhouette) and the best
//! posting times per channel (engine `posting_time`: weekday and hour effects with 95 %
//! intervals, on the metric that channel measures most). What is missing says how much is
//! missing ("10 of 40 artifacts needed"), never a blank chart.
//!
//! Run in the Web Worker ([`LearnJob`] in, [`crate::analysis::WorkerReply::Insights`] out);
//! customer segments come with the attribution [`crate::analysis::Outcome`], since they need the
//! chosen data set's journeys, which only the worker holds.

use crate::model::metric::MetricKind;
use refleqt_engine::artifact::ArtifactRecord;
use refleqt_engine::clusters::{cluster_artifacts, Clustering, MIN_ARTIFACTS};
use refleqt_engine::posting_time::{posting_times, PostingTimes, MIN_ARTIFACTS as MIN_TIMED};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The clusters' seed (same history, same clusters).
pub const CLUSTER_SEED: u64 = 17;
/// The segments' seed.
pub const SEGMENT_SEED: u64 = 23;
/// At most this many metrics describe an artifact for the clusters.
pub const CLUSTER_METRICS: usize = 3;

/// A request to the worker: the Insights learners on `records` (the workspace's history).
/// Told apart from an attribution [`crate::analysis::Job`] by its `learn` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnJob {
    pub learn: u64,
    pub records: Vec<ArtifactRecord>,
}

/// The clusters, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClusterFinding {
    Found {
        /// The metric keys clustered on, in the clusters' `medians` order.
        metrics: Vec<String>,
        clustering: Clustering,
        /// The median of each metric over every clustered artifact (the "typical artifact").
        overall: Vec<(String, f64)>,
    },
    /// Too few artifacts measure the same metrics.
    NotEnough { have: usize, need: usize },
}

/// One channel's posting times, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ChannelTimes {
    Found(Box<PostingTimes>),
    NotEnough {
        channel: String,
        have: usize,
        need: usize,
    },
}

impl ChannelTimes {
    pub fn channel(&self) -> &str {
        match self {
            ChannelTimes::Found(p) => &p.channel,
            ChannelTimes::NotEnough { channel, .. } => channel,
        }
    }
}

/// What the Insights learners found in one history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactInsights {
    /// Artifacts in the history.
    pub artifacts: usize,
    pub clusters: ClusterFinding,
    /// Every channel of the history, in name order.
    pub posting: Vec<ChannelTimes>,
    /// Milliseconds each learner took (filled in by whoever has a clock: the worker).
    #[serde(default)]
    pub timings: Vec<(String, f64)>,
}

/// The catalog order of a metric key (unknown keys last).
fn catalog_rank(key: &str) -> usize {
    MetricKind::ALL
        .iter()
        .position(|m| m.key() == key)
        .unwrap_or(usize::MAX)
}

/// Metric keys by how many of `records` measure them, most first (catalog order on ties); the
/// cost is an input, not an outcome.
fn metrics_by_count(records: &[&ArtifactRecord]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records {
        for (m, _) in &r.values {
            if m != MetricKind::Cost.key() && r.value(m).is_some() {
                *counts.entry(m.as_str()).or_default() += 1;
            }
        }
    }
    let mut out: Vec<(String, usize)> =
        counts.into_iter().map(|(m, n)| (m.to_owned(), n)).collect();
    out.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(catalog_rank(&a.0).cmp(&catalog_rank(&b.0)))
            .then(a.0.cmp(&b.0))
    });
    out
}

/// The metrics to cluster on: the most measured one, then each next most measured one as long
/// as at least half the artifacts still measure all of those chosen (at most
/// [`CLUSTER_METRICS`]). Returns the keys and how many artifacts measure them all.
pub fn cluster_metrics(records: &[ArtifactRecord]) -> (Vec<String>, usize) {
    let all: Vec<&ArtifactRecord> = records.iter().collect();
    let mut chosen: Vec<String> = Vec::new();
    let mut covered = 0;
    for (m, _) in metrics_by_count(&all) {
        if chosen.len() == CLUSTER_METRICS {
            break;
        }
        let mut trial = chosen.clone();
        trial.push(m);
        let n = records
            .iter()
            .filter(|r| trial.iter().all(|k| r.value(k).is_some()))
            .count();
        if chosen.is_empty() || 2 * n >= records.len() {
            chosen = trial;
            covered = n;
        }
    }
    (chosen, covered)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The clusters of `records`.
pub fn clusters(records: &[ArtifactRecord]) -> ClusterFinding {
    let (metrics, covered) = cluster_metrics(records);
    let keys: Vec<&str> = metrics.iter().map(String::as_str).collect();
    if covered < MIN_ARTIFACTS || keys.is_empty() {
        return ClusterFinding::NotEnough {
            have: covered,
            need: MIN_ARTIFACTS,
        };
    }
    match cluster_artifacts(records, &keys, false, CLUSTER_SEED) {
        Some(clustering) => {
            let overall = keys
                .iter()
                .map(|k| {
                    let v = clustering
                        .assignment
                        .iter()
                        .filter_map(|(i, _)| records.get(*i).and_then(|r| r.value(k)))
                        .collect();
                    ((*k).to_owned(), median(v))
                })
                .collect();
            ClusterFinding::Found {
                metrics,
                clustering,
                overall,
            }
        }
        None => ClusterFinding::NotEnough {
            have: covered,
            need: MIN_ARTIFACTS,
        },
    }
}

/// The pooled analysis's name in the channel picker.
pub const ALL_CHANNELS: &str = "All channels";

/// The posting times of `channel` over `rs`, on the metric its timed artifacts measure most.
fn one(channel: &str, rs: Vec<ArtifactRecord>) -> ChannelTimes {
    let timed: Vec<ArtifactRecord> = rs
        .into_iter()
        .filter(|r| r.features.hour.is_some_and(|h| h < 24))
        .collect();
    let refs: Vec<&ArtifactRecord> = timed.iter().collect();
    let best = metrics_by_count(&refs).into_iter().next();
    let not_enough = |have| ChannelTimes::NotEnough {
        channel: channel.to_owned(),
        have,
        need: MIN_TIMED,
    };
    let Some((metric, have)) = best else {
        return not_enough(0);
    };
    if have < MIN_TIMED {
        return not_enough(have);
    }
    posting_times(&timed, &metric)
        .into_iter()
        .next()
        .map_or_else(|| not_enough(have), |p| ChannelTimes::Found(Box::new(p)))
}

/// The posting times of all channels together ([`ALL_CHANNELS`], first: a history too short
/// for any one channel often suffices pooled; channel × type is a control, so each channel's own
/// level does not pass for a time effect), then of each channel, on the metric that channel's
/// artifacts with a publish hour measure most.
pub fn posting(records: &[ArtifactRecord]) -> Vec<ChannelTimes> {
    let pooled: Vec<ArtifactRecord> = records
        .iter()
        .filter(|r| !r.features.channel.is_empty())
        .map(|r| {
            let mut r = r.clone();
            r.features.kind = format!("{} · {}", r.features.channel, r.features.kind);
            r.features.channel = ALL_CHANNELS.to_owned();
            r
        })
        .collect();
    let mut by_channel: BTreeMap<&str, Vec<ArtifactRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| !r.features.channel.is_empty()) {
        by_channel
            .entry(r.features.channel.as_str())
            .or_default()
            .push(r.clone());
    }
    std::iter::once(one(ALL_CHANNELS, pooled))
        .chain(by_channel.into_iter().map(|(c, rs)| one(c, rs)))
        .collect()
}

/// Every Insights learner on `records`; `clock` gives milliseconds (for the timings).
pub fn learn(records: &[ArtifactRecord], clock: &dyn Fn() -> f64) -> ArtifactInsights {
    let t0 = clock();
    let clusters = clusters(records);
    let t1 = clock();
    let posting = posting(records);
    let t2 = clock();
    ArtifactInsights {
        artifacts: records.len(),
        clusters,
        posting,
        timings: vec![
            ("Artifact clusters".to_owned(), t1 - t0),
            ("Best posting times".to_owned(), t2 - t1),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demo::demo_workspace;
    use crate::model::learning::history;
    use refleqt_engine::artifact::ArtifactFeatures;

    fn demo_records() -> Vec<ArtifactRecord> {
        let ws = demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        history(&ws).records
    }

    fn record(channel: &str, hour: Option<u8>, values: &[(&str, f64)]) -> ArtifactRecord {
        ArtifactRecord {
            features: ArtifactFeatures {
                channel: channel.into(),
                kind: "Blog post".into(),
                hour,
                ..ArtifactFeatures::default()
            },
            values: values.iter().map(|(m, v)| ((*m).to_owned(), *v)).collect(),
        }
    }

    #[test]
    fn the_demo_has_clusters_and_posting_times_for_every_channel() {
        let records = demo_records();
        let found = learn(&records, &|| 0.0);
        assert_eq!(found.artifacts, records.len());
        match &found.clusters {
            ClusterFinding::Found {
                metrics,
                clustering,
                overall,
            } => {
                assert_eq!(metrics, &["pageviews", "signups", "revenue"]);
                assert!(clustering.k >= 2 && clustering.clusters.len() == clustering.k);
                assert_eq!(overall.len(), 3);
                let sizes: usize = clustering.clusters.iter().map(|c| c.size).sum();
                assert_eq!(
                    sizes,
                    records.len(),
                    "every demo artifact measures all three"
                );
            }
            other => panic!("no clusters: {other:?}"),
        }
        assert_eq!(found.posting[0].channel(), ALL_CHANNELS);
        assert!(matches!(found.posting[0], ChannelTimes::Found(_)));
        for p in &found.posting {
            match p {
                ChannelTimes::Found(t) => {
                    assert!(t.sentence.contains(" at "), "{}", t.sentence);
                    assert!(t
                        .cells
                        .iter()
                        .all(|c| c.low <= c.effect && c.effect <= c.high));
                }
                ChannelTimes::NotEnough { have, need, .. } => assert!(have < need),
            }
        }
        // Deterministic: the same history gives the same findings.
        assert_eq!(learn(&records, &|| 0.0), found);
    }

    #[test]
    fn too_little_history_says_how_much_is_missing() {
        let few: Vec<ArtifactRecord> = (0..4)
            .map(|i| record("blog", Some(9), &[("pageviews", f64::from(i))]))
            .collect();
        assert_eq!(
            clusters(&few),
            ClusterFinding::NotEnough {
                have: 4,
                need: MIN_ARTIFACTS
            }
        );
        let mut some = few.clone();
        some.push(record("email", None, &[("opens", 3.0)]));
        let posting = posting(&some);
        assert_eq!(
            posting,
            [
                ChannelTimes::NotEnough {
                    channel: ALL_CHANNELS.into(),
                    have: 4,
                    need: MIN_TIMED
                },
                ChannelTimes::NotEnough {
                    channel: "blog".into(),
                    have: 4,
                    need: MIN_TIMED
                },
                ChannelTimes::NotEnough {
                    channel: "email".into(),
                    have: 0,
                    need: MIN_TIMED
                },
            ]
        );
        assert_eq!(
            clusters(&[]),
            ClusterFinding::NotEnough {
                have: 0,
                need: MIN_ARTIFACTS
            }
        );
    }

    #[test]
    fn cluster_metrics_keep_half_the_artifacts() {
        // Pageviews on all six, opens on two, signups on four: opens would leave too few.
        let rs: Vec<ArtifactRecord> = (0..6)
            .map(|i| {
                let mut v = vec![("pageviews", 10.0)];
                if i < 2 {
                    v.push(("opens", 1.0));
                }
                if i < 4 {
                    v.push(("signups", 1.0));
                }
                v.push(("cost", 5.0));
                record("blog", None, &v)
            })
            .collect();
        assert_eq!(
            cluster_metrics(&rs),
            (vec!["pageviews".to_owned(), "signups".to_owned()], 4)
        );
    }
}
