//! V3 learning on the workspace: calendar entries as the engine's artifacts, an entry's
//! "Predicted performance" (engine `predict`: its k nearest past artifacts, 95 % ranges by
//! conformal calibration), the prediction frozen when the entry is published, and anomaly
//! alerts when an actual lies outside its range by more than the Settings threshold (a typed-in
//! prediction overrides the learned one: then the alert compares with the typed value).

use super::entry::CalendarEntry;
use super::metric::MetricKind;
use super::prediction::{Alert, FrozenPrediction, FrozenRange, PeerOutlier};
use super::workspace::{ValueIndex, Workspace};
use refleqt_engine::artifact::{ArtifactFeatures, ArtifactRecord};
use refleqt_engine::isolation::{peer_features, peer_scores, MIN_PEERS};
use refleqt_engine::predict::{
    deviation, MetricPrediction, Predictor, DEFAULT_COVERAGE, DEFAULT_K,
};
use refleqt_engine::EntryId;

const MS_PER_DAY: i64 = 86_400_000;
/// What the peer comparison looks at, when measured: reach, response, value.
pub const PEER_METRICS: [MetricKind; 3] = [
    MetricKind::Pageviews,
    MetricKind::Signups,
    MetricKind::Revenue,
];
/// An isolation score above this marks an entry as unusual among its peers (well above the 0.5
/// of an ordinary point; on the simulator's injected anomalies: precision 44 %, recall 62 %).
pub const PEER_SCORE_THRESHOLD: f64 = 0.6;
/// A figure stands out when its robust z-score (distance from the peers' median over 1.4826 ×
/// their median absolute deviation) exceeds this; an alert needs one beyond [`ALERT_Z`] (the
/// "three MADs" rule of Leys et al. 2013), so an isolated point that is merely at the edge of
/// an ordinary spread raises nothing.
const STANDOUT_Z: f64 = 2.0;
const ALERT_Z: f64 = 3.0;
const PEER_SEED: u64 = 11;
/// Up to this many entries published at once are each frozen from a fit without them.
const FIT_EACH_UP_TO: usize = 5;

/// Metrics the predictor learns: every metric but the cost (an input, not an outcome).
pub fn learned_metrics() -> Vec<MetricKind> {
    MetricKind::ALL
        .into_iter()
        .filter(|m| *m != MetricKind::Cost)
        .collect()
}

/// An entry's features as the engine's learners see them; its cost is looked up in `index`
/// (the workspace's [`ValueIndex`]), never by a scan of the rows per entry.
pub fn features(ws: &Workspace, index: &ValueIndex, entry: &CalendarEntry) -> ArtifactFeatures {
    ArtifactFeatures {
        channel: entry.channel.clone(),
        kind: entry.kind.clone(),
        topics: entry.topics.clone(),
        length: entry.length,
        creator: entry.creator.clone(),
        cost: index.cost(ws, entry.entry_id).map(|(c, _)| c),
        day: entry.publish_date.unix_ms().div_euclid(MS_PER_DAY),
        hour: entry.publish_hour,
    }
}

/// The history: every entry with at least one measured outcome, with its current values, then
/// the workspace's past artifacts (results without a calendar entry).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub records: Vec<ArtifactRecord>,
    /// The entry of each of the first `ids.len()` records (the past artifacts come after).
    pub ids: Vec<EntryId>,
    /// The workspace's current values the history was read from (a prediction looks its
    /// entry's cost up here).
    pub index: ValueIndex,
}

pub fn history(ws: &Workspace) -> History {
    history_in(ws, ValueIndex::of(ws))
}

/// The history read from `index`, the workspace's current values (the page's memoised one).
pub fn history_in(ws: &Workspace, index: ValueIndex) -> History {
    history_without(ws, index, None)
}

/// The history without one entry (its own results must not calibrate its prediction).
fn history_without(ws: &Workspace, index: ValueIndex, without: Option<EntryId>) -> History {
    let metrics = learned_metrics();
    let mut records = Vec::new();
    let mut ids = Vec::new();
    for e in ws.entries.iter().filter(|e| Some(e.entry_id) != without) {
        let values: Vec<(String, f64)> = metrics
            .iter()
            .filter_map(|m| {
                index
                    .value(e.entry_id, *m)
                    .map(|v| (m.key().to_owned(), v.value))
            })
            .collect();
        if values.is_empty() {
            continue;
        }
        records.push(ArtifactRecord {
            features: features(ws, &index, e),
            values,
        });
        ids.push(e.entry_id);
    }
    records.extend(ws.past_artifacts.iter().cloned());
    History {
        records,
        ids,
        index,
    }
}

/// A fitted predictor over the workspace's history.
pub struct WorkspacePredictor {
    pub history: History,
    predictor: Predictor,
    metrics: Vec<MetricKind>,
}

impl WorkspacePredictor {
    pub fn fit(ws: &Workspace) -> WorkspacePredictor {
        Self::fit_on(history(ws))
    }

    /// Fitted without `entry_id`: its prediction as it would have been before its results.
    pub fn fit_without(ws: &Workspace, entry_id: EntryId) -> WorkspacePredictor {
        Self::fit_on(history_without(ws, ValueIndex::of(ws), Some(entry_id)))
    }

    fn fit_on(history: History) -> WorkspacePredictor {
        // Only metrics someone measured: the others would all say "not enough".
        let metrics: Vec<MetricKind> = learned_metrics()
            .into_iter()
            .filter(|m| history.records.iter().any(|r| r.value(m.key()).is_some()))
            .collect();
        let keys: Vec<&str> = metrics.iter().map(|m| m.key()).collect();
        let predictor = Predictor::fit(&history.records, &keys, DEFAULT_K, DEFAULT_COVERAGE);
        WorkspacePredictor {
            history,
            predictor,
            metrics,
        }
    }

    /// The prediction of `entry` from every other entry's results, for the metrics the entry's
    /// channel has ever measured.
    pub fn predict(&self, ws: &Workspace, entry: &CalendarEntry) -> EntryPrediction {
        let skip = self.history.ids.iter().position(|id| *id == entry.entry_id);
        let predictions = self
            .predictor
            .predict_excluding(&features(ws, &self.history.index, entry), skip);
        let on_channel = |m: MetricKind| {
            self.history.records.iter().enumerate().any(|(i, r)| {
                Some(i) != skip && r.features.channel == entry.channel && r.value(m.key()).is_some()
            })
        };
        let metrics = self
            .metrics
            .iter()
            .zip(predictions)
            .filter(|(m, _)| on_channel(**m))
            .map(|(m, p)| (*m, p))
            .collect();
        EntryPrediction {
            history: self.history.records.len() - usize::from(skip.is_some()),
            metrics,
        }
    }
}

/// An entry's predicted performance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EntryPrediction {
    /// Past artifacts with results the prediction could draw on.
    pub history: usize,
    /// One per metric the channel has results for, in catalog order.
    pub metrics: Vec<(MetricKind, MetricPrediction)>,
}

impl EntryPrediction {
    /// What is stored when the entry is published.
    pub fn freeze(&self, now: i64) -> FrozenPrediction {
        FrozenPrediction {
            frozen_at: now,
            history: self.history,
            ranges: self
                .metrics
                .iter()
                .filter_map(|(m, p)| {
                    p.range().map(|r| FrozenRange {
                        metric: *m,
                        low: r.low,
                        point: r.point,
                        high: r.high,
                        based_on: r.based_on,
                        confidence: r.confidence,
                        reason: r.reason.clone(),
                        similar_low: r.similar_low,
                        similar_high: r.similar_high,
                    })
                })
                .collect(),
        }
    }
}

/// Whether an entry counts as published: its day has come, or results arrived.
pub fn is_published(ws: &Workspace, entry: &CalendarEntry, now: i64) -> bool {
    is_published_in(&ValueIndex::of(ws), entry, now)
}

fn is_published_in(index: &ValueIndex, entry: &CalendarEntry, now: i64) -> bool {
    entry.publish_date.unix_ms() <= now || !index.recorded_metrics(entry.entry_id).is_empty()
}

/// An entry unusual among its peers, with the figure that stands out most.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerFinding {
    pub entry_id: EntryId,
    pub metric: MetricKind,
    pub above: bool,
    pub actual: f64,
    /// The peers' median of `metric`.
    pub peer_median: f64,
    pub outlier: PeerOutlier,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Entries whose results are unusual among their peers (isolation forest, engine `isolation`,
/// over log pageviews, signups, revenue and their ratios: score above
/// [`PEER_SCORE_THRESHOLD`] and a figure beyond [`ALERT_Z`] robust z-scores of the channel's
/// other artifacts), each with what stands out.
pub fn peer_outliers(ws: &Workspace) -> Vec<PeerFinding> {
    let h = history(ws);
    let metrics: Vec<MetricKind> = PEER_METRICS
        .into_iter()
        .filter(|m| {
            h.records
                .iter()
                .filter(|r| r.value(m.key()).is_some())
                .count()
                >= MIN_PEERS
        })
        .collect();
    if metrics.is_empty() {
        return Vec::new();
    }
    let keys: Vec<&str> = metrics.iter().map(|m| m.key()).collect();
    let scores = peer_scores(&h.records, &keys, PEER_SEED);
    let features: Vec<Option<Vec<f64>>> =
        h.records.iter().map(|r| peer_features(r, &keys)).collect();
    let n = metrics.len();
    let name = |d: usize| {
        if d < n {
            metrics[d].label().to_lowercase()
        } else {
            format!(
                "{} relative to {}",
                metrics[d - n + 1].label().to_lowercase(),
                metrics[d - n].label().to_lowercase()
            )
        }
    };
    let mut out = Vec::new();
    for (i, entry_id) in h.ids.iter().enumerate() {
        let (Some(score), Some(mine)) = (scores[i], features[i].as_ref()) else {
            continue;
        };
        if score <= PEER_SCORE_THRESHOLD {
            continue;
        }
        let channel = &h.records[i].features.channel;
        let peers: Vec<&Vec<f64>> = (0..h.records.len())
            .filter(|&j| j != i && h.records[j].features.channel == *channel)
            .filter_map(|j| features[j].as_ref())
            .collect();
        if peers.len() < MIN_PEERS {
            continue;
        }
        // Each figure's robust z-score among the peers, most unusual first.
        let mut standing: Vec<(usize, f64, f64)> = (0..mine.len())
            .map(|d| {
                let mut col: Vec<f64> = peers.iter().map(|p| p[d]).collect();
                let med = median(&mut col);
                let mut dev: Vec<f64> = col.iter().map(|x| (x - med).abs()).collect();
                let scale = (1.4826 * median(&mut dev)).max(0.05);
                (d, (mine[d] - med) / scale, med)
            })
            .collect();
        standing.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let standouts: Vec<String> = standing
            .iter()
            .enumerate()
            .filter(|(k, s)| *k == 0 || s.1.abs() > STANDOUT_Z)
            .take(3)
            .map(|(_, &(d, _, med))| {
                let factor = (mine[d] - med).exp();
                format!("{} at {} its peers' median", name(d), times(factor))
            })
            .collect();
        let Some(&(top, z, _)) = standing.first() else {
            continue;
        };
        if z.abs() <= ALERT_Z {
            continue;
        }
        // The metric behind the top figure (for a ratio, the one on top); a typed-in prediction
        // of it says the user expected this.
        let m = if top < n { top } else { top - n + 1 };
        let typed = ws
            .entry(*entry_id)
            .is_some_and(|e| e.predicted_value(metrics[m]).is_some());
        if typed {
            continue;
        }
        let Some(actual) = h.records[i].value(metrics[m].key()) else {
            continue;
        };
        let mut col: Vec<f64> = peers.iter().map(|p| p[m]).collect();
        out.push(PeerFinding {
            entry_id: *entry_id,
            metric: metrics[m],
            above: z > 0.0,
            actual,
            peer_median: median(&mut col).exp_m1().max(0.0),
            outlier: PeerOutlier {
                score,
                peers: peers.len(),
                standouts,
            },
        });
    }
    out
}

/// "4.1×", "0.25×".
fn times(factor: f64) -> String {
    let text = if factor >= 10.0 {
        format!("{factor:.0}")
    } else if factor >= 0.1 {
        format!("{factor:.2}")
    } else {
        format!("{factor:.3}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}×")
}

impl Workspace {
    /// Apply imported predictions: each replaces the entry's prediction of that metric (typed
    /// in or imported before), overriding the learned one. Returns how many were applied.
    pub fn import_predictions(
        &mut self,
        imported: &[super::prediction::ImportedPrediction],
    ) -> usize {
        let mut applied = 0;
        for p in imported {
            let Some(e) = self.entries.iter_mut().find(|e| e.entry_id == p.entry_id) else {
                continue;
            };
            e.predicted.retain(|x| x.metric != p.metric);
            e.predicted.push(super::entry::Predicted {
                metric: p.metric,
                value: p.value,
                range: p.range,
            });
            applied += 1;
        }
        applied
    }

    /// After every change: freeze the prediction of each newly published entry (from the other
    /// entries' results at that moment), then raise, keep or drop alerts. The app runs these
    /// steps in its learning worker (`analysis::learning`); this is the whole pass in one call.
    pub fn refresh_learning(&mut self, now: i64) {
        let index = ValueIndex::of(self);
        self.freeze_published(&index, now);
        self.refresh_alerts_in(&index, now);
    }

    /// Freeze the prediction of each entry published (by `now`, or with results) that has none
    /// yet; a frozen prediction is never recomputed. Returns the entries frozen.
    pub fn freeze_published(&mut self, index: &ValueIndex, now: i64) -> Vec<EntryId> {
        let to_freeze: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.frozen_prediction.is_none() && is_published_in(index, e, now)
            })
            .collect();
        let mut ids = Vec::new();
        if !to_freeze.is_empty() {
            // One or a few entries (the usual case: results arrive for one): each from a fit
            // without it, so its own results do not widen its range. Many at once (a workspace
            // from before the learners): one fit, each predicted leave-one-out.
            let frozen: Vec<(usize, FrozenPrediction)> = if to_freeze.len() <= FIT_EACH_UP_TO {
                to_freeze
                    .into_iter()
                    .map(|i| {
                        let e = &self.entries[i];
                        let p = WorkspacePredictor::fit_without(self, e.entry_id);
                        (i, p.predict(self, e).freeze(now))
                    })
                    .collect()
            } else {
                let predictor = WorkspacePredictor::fit(self);
                to_freeze
                    .into_iter()
                    .map(|i| (i, predictor.predict(self, &self.entries[i]).freeze(now)))
                    .collect()
            };
            for (i, f) in frozen {
                if let Some(e) = self.entries.get_mut(i) {
                    e.frozen_prediction = Some(f);
                    ids.push(e.entry_id);
                }
            }
        }
        ids
    }

    /// Raise an alert for each actual outside its prediction by more than the threshold; an
    /// unchanged alert keeps its id and whether it was dismissed; a resolved one goes.
    pub fn refresh_alerts(&mut self, now: i64) {
        let index = ValueIndex::of(self);
        self.refresh_alerts_in(&index, now);
    }

    /// [`Workspace::refresh_alerts`] with the current values already indexed.
    fn refresh_alerts_in(&mut self, index: &ValueIndex, now: i64) {
        let peers = peer_outliers(self);
        self.refresh_alerts_with(index, now, peers);
    }

    /// [`Workspace::refresh_alerts`] with the peer outliers already found (`peer_outliers`).
    pub fn refresh_alerts_with(&mut self, index: &ValueIndex, now: i64, peers: Vec<PeerFinding>) {
        let threshold = self.settings.alert_threshold_percent as f64;
        let mut next_id = self.alerts.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        let mut alerts = Vec::new();
        for e in &self.entries {
            for metric in learned_metrics() {
                let Some(actual) = index.value(e.entry_id, metric).map(|v| v.value) else {
                    continue;
                };
                let (low, point, high, range) = if let Some(p) = e.predicted_value(metric) {
                    match e.predicted_range(metric) {
                        Some((lo, hi)) => (lo, p, hi, Some((lo, hi))),
                        None => (p, p, p, None),
                    }
                } else if let Some(r) = e.frozen_prediction.as_ref().and_then(|f| f.range(metric)) {
                    (r.low, r.point, r.high, Some((r.low, r.high)))
                } else {
                    continue;
                };
                let Some(d) = deviation(low, point, high, actual, threshold) else {
                    continue;
                };
                let old = self.alerts.iter().find(|a| {
                    a.peer.is_none()
                        && a.entry_id == e.entry_id
                        && a.metric == metric
                        && a.actual == actual
                });
                alerts.push(match old {
                    Some(a) => a.clone(),
                    None => {
                        let id = next_id;
                        next_id += 1;
                        Alert {
                            id,
                            entry_id: e.entry_id,
                            metric,
                            above: d.above,
                            percent: d.percent_vs_point,
                            actual,
                            predicted: point,
                            range,
                            raised_at: now,
                            dismissed: false,
                            peer: None,
                        }
                    }
                });
            }
        }
        for f in peers {
            // An entry already outside its prediction needs no second alert.
            if alerts.iter().any(|a| a.entry_id == f.entry_id) {
                continue;
            }
            let old = self.alerts.iter().find(|a| {
                a.peer.is_some()
                    && a.entry_id == f.entry_id
                    && a.metric == f.metric
                    && a.actual == f.actual
            });
            alerts.push(match old {
                Some(a) => Alert {
                    peer: Some(f.outlier),
                    ..a.clone()
                },
                None => {
                    let id = next_id;
                    next_id += 1;
                    Alert {
                        id,
                        entry_id: f.entry_id,
                        metric: f.metric,
                        above: f.above,
                        percent: if f.peer_median > 0.0 {
                            (f.actual - f.peer_median) / f.peer_median * 100.0
                        } else {
                            f64::INFINITY
                        },
                        actual: f.actual,
                        predicted: f.peer_median,
                        range: None,
                        raised_at: now,
                        dismissed: false,
                        peer: Some(f.outlier),
                    }
                }
            });
        }
        self.alerts = alerts;
    }

    /// Dismiss an alert (it stays dismissed while its actual is unchanged).
    pub fn dismiss_alert(&mut self, id: u64) {
        if let Some(a) = self.alerts.iter_mut().find(|a| a.id == id) {
            a.dismissed = true;
        }
    }

    /// Alerts not dismissed, newest first.
    pub fn open_alerts(&self) -> Vec<&Alert> {
        let mut open: Vec<&Alert> = self.alerts.iter().filter(|a| !a.dismissed).collect();
        open.sort_by(|a, b| b.raised_at.cmp(&a.raised_at).then(b.id.cmp(&a.id)));
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::{EntryForm, Predicted};
    use crate::model::performance::{PerformanceEntry, Source};

    fn ws_with_history(n: usize) -> Workspace {
        let mut ws = Workspace::empty();
        for i in 0..n {
            let id = ws.add_entry(
                EntryForm {
                    title: format!("Post {i}"),
                    channel_choice: "LinkedIn".into(),
                    publish_date: format!("2025-01-{:02}", 1 + i % 28),
                    kind: "Social post".into(),
                    publish_time: "09:00".into(),
                    ..EntryForm::default()
                }
                .parse()
                .unwrap_or_else(|e| panic!("{e:?}")),
            );
            // Pageviews 900–1,100.
            ws.performance_entries.push(PerformanceEntry::new(
                id,
                MetricKind::Pageviews,
                900.0 + (i * 37 % 200) as f64,
                0,
                Source::Imported,
            ));
        }
        ws
    }

    fn planned(ws: &mut Workspace) -> EntryId {
        ws.add_entry(
            EntryForm {
                title: "Planned".into(),
                channel_choice: "LinkedIn".into(),
                publish_date: "2026-06-01".into(),
                kind: "Social post".into(),
                ..EntryForm::default()
            }
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}")),
        )
    }

    const BEFORE_2026: i64 = 1_700_000_000_000;

    #[test]
    fn a_planned_entry_gets_a_range_from_similar_entries() {
        let mut ws = ws_with_history(30);
        let id = planned(&mut ws);
        let entry = ws.entry(id).cloned().unwrap_or_else(|| panic!());
        let p = WorkspacePredictor::fit(&ws).predict(&ws, &entry);
        assert_eq!(p.history, 30);
        assert_eq!(p.metrics.len(), 1);
        let r = p.metrics[0].1.range().unwrap_or_else(|| panic!("{p:?}"));
        assert!(r.low >= 700.0 && r.low < 960.0, "{r:?}");
        assert!(r.high > 1040.0 && r.high < 1400.0, "{r:?}");
        assert_eq!(r.based_on, 10);
    }

    #[test]
    fn thin_history_says_not_enough() {
        let mut ws = ws_with_history(5);
        let id = planned(&mut ws);
        let entry = ws.entry(id).cloned().unwrap_or_else(|| panic!());
        let p = WorkspacePredictor::fit(&ws).predict(&ws, &entry);
        assert!(matches!(
            &p.metrics[0].1,
            MetricPrediction::NotEnough { have: 5, .. }
        ));
    }

    #[test]
    fn publishing_freezes_and_an_out_of_range_actual_raises_an_alert() {
        let mut ws = ws_with_history(30);
        let id = planned(&mut ws);
        // Before its day, with no results: nothing frozen for the planned entry.
        ws.refresh_learning(BEFORE_2026);
        assert!(ws.entry(id).is_some_and(|e| e.frozen_prediction.is_none()));
        assert!(ws.alerts.is_empty(), "{:?}", ws.alerts);
        // Results arrive: 4,400 pageviews, far above the ~1,000 range.
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(4400.0))], 5)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        let frozen = ws
            .entry(id)
            .and_then(|e| e.frozen_prediction.clone())
            .unwrap_or_else(|| panic!("not frozen"));
        assert_eq!(frozen.history, 30);
        let open = ws.open_alerts();
        assert_eq!(open.len(), 1, "{:?}", ws.alerts);
        let alert = open[0].clone();
        assert!(alert.above);
        assert!(
            alert.headline().ends_with("above predicted pageviews"),
            "{}",
            alert.headline()
        );
        assert!(alert.suggested_action().starts_with("Double down"));
        // Frozen: more history does not change what was predicted.
        let more = ws_with_history(3);
        ws.performance_entries.extend(more.performance_entries);
        ws.refresh_learning(BEFORE_2026);
        assert_eq!(
            ws.entry(id).and_then(|e| e.frozen_prediction.clone()),
            Some(frozen)
        );
        // Dismissed: it stays dismissed, and survives a save and load.
        ws.dismiss_alert(alert.id);
        ws.refresh_learning(BEFORE_2026);
        assert!(ws.open_alerts().is_empty());
        let text = serde_json::to_string(&ws).unwrap_or_else(|e| panic!("{e}"));
        let back: Workspace = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.alerts, ws.alerts);
        // Back in range: the alert goes.
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(1000.0))], 6)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        assert!(ws.alerts.is_empty());
        // A deleted entry takes its alerts along.
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(9000.0))], 7)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        assert_eq!(ws.alerts.len(), 1);
        ws.delete_entry(id).unwrap_or_else(|e| panic!("{e}"));
        assert!(ws.alerts.is_empty());
    }

    #[test]
    fn a_file_from_before_the_learners_loads_and_round_trips() {
        let old = r#"{"format":"refleqt-workspace","schema_version":3,"saved_at":1,
            "workspace":{"next_entry_id":2,"settings":{"currency":"EUR"},
            "entries":[{"entry_id":1,"title":"Launch","channel":"LinkedIn","publish_date":"2025-03-14"}],
            "performance_entries":[],"attribution_results":[]}}"#;
        let decoded = crate::model::file::decode(old, 2).unwrap_or_else(|e| panic!("{e}"));
        let ws = decoded.workspace;
        assert!(ws.alerts.is_empty());
        assert_eq!(ws.settings.alert_threshold_percent, 25);
        assert_eq!(ws.entries[0].kind, "");
        let again = crate::model::file::encode(&ws, 3, None);
        let back = crate::model::file::decode(&again, 4).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.workspace, ws);
    }

    #[test]
    fn the_demo_freezes_its_predictions() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        assert!(ws.entries.iter().all(|e| e.frozen_prediction.is_some()));
        let with_ranges = ws
            .entries
            .iter()
            .filter(|e| {
                e.frozen_prediction
                    .as_ref()
                    .is_some_and(|f| !f.ranges.is_empty())
            })
            .count();
        assert!(with_ranges >= 20, "{with_ranges} of 30 entries have ranges");
        let peers = ws.alerts.iter().filter(|a| a.peer.is_some()).count();
        println!(
            "demo alerts: {} outside their range, {peers} unusual among their peers",
            ws.alerts.len() - peers
        );
        assert!(peers <= 5, "{:?}", ws.alerts);
    }

    /// Over the demo's frozen ranges: (ranges, share holding the actual, median width
    /// (high + 1)/(low + 1), share too uncertain to show).
    fn demo_range_scores(ws: &Workspace) -> (usize, f64, f64, f64) {
        let mut inside = 0usize;
        let mut uncertain = 0usize;
        let mut widths = Vec::new();
        for e in &ws.entries {
            for r in e.frozen_prediction.iter().flat_map(|f| &f.ranges) {
                let Some(actual) = ws.value(e.entry_id, r.metric).map(|v| v.value) else {
                    continue;
                };
                inside += usize::from(actual >= r.low && actual <= r.high);
                uncertain += usize::from(r.too_uncertain());
                widths.push((r.high + 1.0) / (r.low + 1.0));
            }
        }
        widths.sort_by(f64::total_cmp);
        let n = widths.len().max(1) as f64;
        (
            widths.len(),
            inside as f64 / n,
            widths.get(widths.len() / 2).copied().unwrap_or(f64::NAN),
            uncertain as f64 / n,
        )
    }

    #[test]
    fn the_demo_history_gives_honest_useful_ranges() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        // Every channel has enough past artifacts to learn from.
        for channel in ws.channels() {
            let past = ws
                .past_artifacts
                .iter()
                .filter(|r| r.features.channel == channel)
                .count();
            assert!(past >= 15, "{channel}: {past} past artifacts");
        }
        let (n, coverage, width, uncertain) = demo_range_scores(&ws);
        // The same calendar without the past year, for comparison.
        let mut thin = ws.clone();
        thin.past_artifacts.clear();
        for e in &mut thin.entries {
            e.frozen_prediction = None;
        }
        thin.refresh_learning(1_800_000_000_000);
        let (n0, coverage0, width0, uncertain0) = demo_range_scores(&thin);
        println!(
            "demo with its past year: {n} ranges, coverage {:.1} %, median width ×{width:.2}, too uncertain {:.1} %; \
             without: {n0} ranges, coverage {:.1} %, median width ×{width0:.2}, too uncertain {:.1} %",
            coverage * 100.0,
            uncertain * 100.0,
            coverage0 * 100.0,
            uncertain0 * 100.0
        );
        assert!(n >= 100, "{n} ranges");
        assert!(coverage >= 0.85, "coverage {coverage}");
        assert!(width < width0, "×{width} vs ×{width0} without the history");
        // Without the past year every range was too uncertain; with it most are worth showing
        // (the rest, mostly revenue, are said in words).
        assert_eq!(uncertain0, 1.0);
        assert!(uncertain < 0.35, "{uncertain} too uncertain");
        let shown = ws
            .entries
            .iter()
            .filter_map(|e| e.frozen_prediction.as_ref()?.range(MetricKind::Pageviews))
            .filter(|r| !r.too_uncertain())
            .count();
        assert!(shown >= 20, "{shown} of 30 pageviews ranges shown");
        // A planned LinkedIn post (as the browser test makes) gets a range worth showing.
        let mut ws = ws;
        let id = planned(&mut ws);
        let entry = ws.entry(id).cloned().unwrap_or_else(|| panic!());
        let p = WorkspacePredictor::fit(&ws).predict(&ws, &entry);
        let pageviews = p
            .metrics
            .iter()
            .find(|(m, _)| *m == MetricKind::Pageviews)
            .and_then(|(_, p)| p.range())
            .unwrap_or_else(|| panic!("{p:?}"));
        assert!(!pageviews.too_uncertain(), "{pageviews:?}");
        assert!(
            pageviews.based_on >= 10 && pageviews.same_channel >= 8,
            "{pageviews:?}"
        );
    }

    #[test]
    fn an_entry_out_of_line_with_its_peers_raises_a_peer_alert() {
        let mut ws = ws_with_history(40);
        for (i, e) in ws.entries.clone().iter().enumerate() {
            // Signups about 1 % of pageviews, revenue about 100 per signup, with some spread.
            let pv = ws
                .value(e.entry_id, MetricKind::Pageviews)
                .map_or(0.0, |v| v.value);
            let signups = (pv / 100.0 + (i * 7 % 5) as f64).round();
            let signups = if i == 17 { signups * 12.0 } else { signups };
            for (m, v) in [
                (MetricKind::Signups, signups),
                (MetricKind::Revenue, signups * (90.0 + (i * 13 % 20) as f64)),
            ] {
                ws.performance_entries.push(PerformanceEntry::new(
                    e.entry_id,
                    m,
                    v,
                    0,
                    Source::Imported,
                ));
            }
        }
        let odd = ws.entries[17].entry_id;
        let found = peer_outliers(&ws);
        let hit = found
            .iter()
            .find(|f| f.entry_id == odd)
            .unwrap_or_else(|| panic!("{found:?}"));
        assert!(hit.above);
        assert!(hit.outlier.score > PEER_SCORE_THRESHOLD);
        assert!(
            hit.outlier.standouts[0].starts_with("signups"),
            "{:?}",
            hit.outlier.standouts
        );
        assert!(found.len() <= 3, "{found:?}");
        // Same input, same output.
        assert_eq!(peer_outliers(&ws), found);
        // No predictions frozen (as for entries from before the learners): the peers alone speak.
        ws.refresh_alerts(BEFORE_2026);
        let alert = ws
            .open_alerts()
            .into_iter()
            .find(|a| a.entry_id == odd && a.peer.is_some())
            .cloned()
            .unwrap_or_else(|| panic!("{:?}", ws.alerts));
        assert!(
            alert
                .headline()
                .starts_with("Unusual among its peers: signups"),
            "{}",
            alert.headline()
        );
        assert!(alert.suggested_action().starts_with("Look"));
        ws.dismiss_alert(alert.id);
        ws.refresh_alerts(BEFORE_2026);
        let text = serde_json::to_string(&ws).unwrap_or_else(|e| panic!("{e}"));
        let mut back: Workspace = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        back.refresh_alerts(BEFORE_2026);
        let again = back.alerts.iter().find(|a| a.id == alert.id);
        assert!(again.is_some_and(|a| a.dismissed), "{:?}", back.alerts);
    }

    #[test]
    fn an_imported_range_overrides_the_learned_prediction() {
        let mut ws = ws_with_history(30);
        let id = planned(&mut ws);
        let text = format!(
            r#"{{"format": "refleqt-predictions", "predictions": {{"{id}": {{"pageviews": {{"low": 3000, "high": 5000}}}}}}}}"#
        );
        let ids: Vec<EntryId> = ws.entries.iter().map(|e| e.entry_id).collect();
        let imported = crate::model::prediction::parse_prediction_import(&text, &ids)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ws.import_predictions(&imported), 1);
        let entry = ws.entry(id).cloned().unwrap_or_else(|| panic!());
        assert_eq!(entry.predicted_value(MetricKind::Pageviews), Some(4000.0));
        assert_eq!(
            entry.predicted_range(MetricKind::Pageviews),
            Some((3000.0, 5000.0))
        );
        // 4,400 is inside the imported 3,000–5,000 (far above the learned ~1,000): no alert.
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(4400.0))], 5)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        assert!(ws.alerts.is_empty(), "{:?}", ws.alerts);
        // 9,000 is 80 % past its top: an alert against the imported range.
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(9000.0))], 6)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        assert_eq!(ws.alerts.len(), 1, "{:?}", ws.alerts);
        assert_eq!(ws.alerts[0].range, Some((3000.0, 5000.0)));
        assert_eq!(ws.alerts[0].predicted, 4000.0);
        // Editing the entry without touching the value keeps the imported range.
        let form = crate::model::entry::EntryForm::from_entry(
            &entry,
            refleqt_engine::number::DecimalMark::Point,
        );
        let draft = form.parse().unwrap_or_else(|e| panic!("{e:?}"));
        let edited = entry.edited(draft);
        assert_eq!(
            edited.predicted_range(MetricKind::Pageviews),
            Some((3000.0, 5000.0))
        );
    }

    #[test]
    fn factors_read_plainly() {
        assert_eq!(times(4.1), "4.1×");
        assert_eq!(times(12.4), "12×");
        assert_eq!(times(0.25), "0.25×");
        assert_eq!(times(2.0), "2×");
        assert_eq!(times(0.05), "0.05×");
    }

    #[test]
    fn a_too_wide_range_is_flagged() {
        let r = FrozenRange {
            metric: MetricKind::Pageviews,
            low: 9.0,
            point: 50.0,
            high: 120.0,
            based_on: 10,
            confidence: refleqt_engine::predict::Confidence::Low,
            reason: String::new(),
            similar_low: 5.0,
            similar_high: 300.0,
        };
        // (120 + 1)/(9 + 1) = 12.1 > 10.
        assert!(r.too_uncertain());
        assert!(!FrozenRange { high: 98.0, ..r }.too_uncertain());
    }

    #[test]
    fn a_typed_in_prediction_overrides_the_learned_one() {
        let mut ws = ws_with_history(30);
        let id = planned(&mut ws);
        if let Some(e) = ws.entries.iter_mut().find(|e| e.entry_id == id) {
            e.predicted = vec![Predicted {
                metric: MetricKind::Pageviews,
                value: 4000.0,
                range: None,
            }];
        }
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(4400.0))], 5)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.refresh_learning(BEFORE_2026);
        // 4,400 vs a typed 4,000 is +10 %: under the 25 % threshold, no alert.
        assert!(ws.alerts.is_empty(), "{:?}", ws.alerts);
        ws.settings.alert_threshold_percent = 5;
        ws.refresh_learning(BEFORE_2026);
        assert_eq!(ws.alerts.len(), 1);
        assert_eq!(ws.alerts[0].predicted, 4000.0);
        assert_eq!(ws.alerts[0].range, None);
    }
}
