//! The evidence that closes the loop: every measured outcome of a calendar entry with what was
//! expected of it, the input of belief scores (engine `beliefs`).
//!
//! What was expected of an entry on a metric, in this order: the range imported from the planning
//! tool (`Predicted` with low and high), the 95 % range frozen when the entry was published, or —
//! without either — the channel's baseline: the mean and spread in log(1 + x) of the metric over
//! the channel's [`BASELINE_WINDOW`] most recent earlier artifacts (entries and past artifacts
//! published before it), as engine `beliefs::Expectation::baseline` computes it. Outcomes whose
//! expectation cannot be formed (fewer than three earlier values, no spread) are left out.
//! The A/B test records themselves live in `model::ab_record`.

use super::metric::MetricKind;
use super::workspace::{ValueIndex, Workspace};
use crate::model::learning::{features, learned_metrics};
use refleqt_engine::beliefs::{score_beliefs, BeliefScore, Expectation, Outcome};
use std::collections::HashMap;

/// The channel baseline looks at this many of the channel's most recent earlier values.
pub const BASELINE_WINDOW: usize = 100;

/// The (channel, metric) values of the history, oldest first: `(day, value)`.
type ChannelSeries = HashMap<(String, MetricKind), Vec<(i64, f64)>>;

fn channel_series(ws: &Workspace, index: &ValueIndex, metrics: &[MetricKind]) -> ChannelSeries {
    let mut series: ChannelSeries = HashMap::new();
    for e in &ws.entries {
        let day = features(ws, index, e).day;
        for m in metrics {
            if let Some(v) = index.value(e.entry_id, *m) {
                series
                    .entry((e.channel.to_lowercase(), *m))
                    .or_default()
                    .push((day, v.value));
            }
        }
    }
    for r in &ws.past_artifacts {
        for m in metrics {
            if let Some(v) = r.value(m.key()) {
                series
                    .entry((r.features.channel.to_lowercase(), *m))
                    .or_default()
                    .push((r.features.day, v));
            }
        }
    }
    for values in series.values_mut() {
        values.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    series
}

/// Every measured outcome of the workspace's entries, one per entry and metric, with its
/// expectation (see the module docs); in entry order, then metric catalog order.
pub fn outcomes(ws: &Workspace, index: &ValueIndex) -> Vec<Outcome> {
    let metrics = learned_metrics();
    let series = channel_series(ws, index, &metrics);
    let mut out = Vec::new();
    for e in &ws.entries {
        let f = features(ws, index, e);
        for m in &metrics {
            let Some(actual) = index.value(e.entry_id, *m).map(|v| v.value) else {
                continue;
            };
            let imported = e
                .predicted_range(*m)
                .and_then(|(low, high)| Expectation::from_range(low, high));
            let frozen = || {
                e.frozen_prediction
                    .as_ref()
                    .and_then(|p| p.range(*m))
                    .and_then(|r| Expectation::from_range(r.low, r.high))
            };
            let baseline = || {
                let values = series.get(&(e.channel.to_lowercase(), *m))?;
                let earlier = values.partition_point(|(day, _)| *day < f.day);
                let from = earlier.saturating_sub(BASELINE_WINDOW);
                let window: Vec<f64> = values[from..earlier].iter().map(|(_, v)| *v).collect();
                Expectation::baseline(&window)
            };
            let Some(expectation) = imported.or_else(frozen).or_else(baseline) else {
                continue;
            };
            out.push(Outcome {
                artifact: e.entry_id.to_string(),
                title: e.title.clone(),
                day: f.day,
                features: f.clone(),
                metric: m.key().to_owned(),
                actual,
                expectation,
            });
        }
    }
    out
}

/// The workspace's beliefs scored on its outcomes, in the beliefs' order.
pub fn belief_scores(ws: &Workspace, index: &ValueIndex) -> Vec<BeliefScore> {
    if ws.beliefs.is_empty() {
        return Vec::new();
    }
    score_beliefs(&ws.beliefs, &outcomes(ws, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ab_record::{AbTestRecord, ProposalDecision};
    use crate::model::entry::{EntryForm, Predicted};
    use refleqt_engine::beliefs::{Action, Belief, Direction, ExpectationSource, Selector};

    fn entry(ws: &mut Workspace, title: &str, channel: &str, day: &str) -> u64 {
        let draft = EntryForm {
            title: title.into(),
            channel_choice: channel.into(),
            publish_date: day.into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        ws.add_entry(draft)
    }

    fn record(ws: &mut Workspace, id: u64, metric: MetricKind, value: f64) {
        let added = ws.record_manual(id, &[(metric, Some(value))], 1_000);
        assert_eq!(added, Ok(1));
    }

    fn pageviews_ws(values: &[f64]) -> (Workspace, Vec<u64>) {
        let mut ws = Workspace::empty();
        let mut ids = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let id = entry(
                &mut ws,
                &format!("Post {i}"),
                "LinkedIn",
                &format!("2025-03-{:02}", i + 1),
            );
            record(&mut ws, id, MetricKind::Pageviews, *v);
            ids.push(id);
        }
        (ws, ids)
    }

    #[test]
    fn the_channel_baseline_uses_only_earlier_artifacts() {
        let (ws, ids) = pageviews_ws(&[100.0, 120.0, 80.0, 110.0, 5_000.0]);
        let index = ValueIndex::of(&ws);
        let out = outcomes(&ws, &index);
        // The first three have fewer than three earlier values: no expectation.
        let with: Vec<&str> = out.iter().map(|o| o.artifact.as_str()).collect();
        assert_eq!(with, vec![ids[3].to_string(), ids[4].to_string()]);
        let last = &out[1];
        assert_eq!(
            last.expectation.source,
            ExpectationSource::ChannelBaseline { n: 4 }
        );
        // 5,000 against 80–120 is far above: the surprise is clipped at +3.
        assert_eq!(last.expectation.surprise(last.actual), 3.0);
    }

    #[test]
    fn an_imported_range_wins_over_the_baseline() {
        let (mut ws, ids) = pageviews_ws(&[100.0, 120.0, 80.0, 110.0]);
        let last = ids[3];
        let e = ws
            .entries
            .iter_mut()
            .find(|e| e.entry_id == last)
            .expect("entry");
        e.predicted.push(Predicted {
            metric: MetricKind::Pageviews,
            value: 100.0,
            range: Some((90.0, 130.0)),
        });
        let out = outcomes(&ws, &ValueIndex::of(&ws));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].expectation.source, ExpectationSource::Prediction);
    }

    #[test]
    fn a_belief_is_reinforced_by_entries_beating_the_baseline() {
        let mut values = vec![100.0, 120.0, 80.0, 110.0, 95.0, 105.0];
        values.extend([400.0, 420.0, 390.0, 450.0, 410.0]);
        let (mut ws, _) = pageviews_ws(&values);
        ws.beliefs.push(Belief {
            id: "b1".to_owned(),
            statement: "LinkedIn posts reach more than usual".to_owned(),
            selector: Selector {
                channels: vec!["linkedin".to_owned()],
                ..Selector::default()
            },
            metric: "pageviews".to_owned(),
            direction: Direction::Above,
        });
        let scores = belief_scores(&ws, &ValueIndex::of(&ws));
        assert_eq!(scores.len(), 1);
        assert_eq!(scores[0].action, Action::Reinforce, "{:?}", scores[0]);
        assert!(scores[0].evidence >= 5);
    }

    #[test]
    fn records_round_trip_with_and_without_a_decision() {
        let json = r#"{"test":{"id":"t1","name":"Headline","hypothesis":"","attribute":"headline","metric":"click rate","kind":"rate","variants":[]}}"#;
        let r: AbTestRecord = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.decision.is_none());
        let back = serde_json::to_string(&r).unwrap_or_else(|e| panic!("{e}"));
        assert!(!back.contains("decision"), "{back}");
        let decided = ProposalDecision::Accepted {
            belief: "b1".to_owned(),
        };
        let text = serde_json::to_string(&decided).unwrap_or_default();
        assert_eq!(text, r#"{"kind":"accepted","belief":"b1"}"#);
    }
}
