//! The entry learners off the page's thread: freezing the prediction of each newly published
//! entry (k nearest neighbours with conformal ranges, engine `predict`, fitted without the entry),
//! the anomaly alerts (actuals outside their range; isolation-forest outliers among peers, engine
//! `isolation`, Liu, Ting & Zhou 2008) and the live prediction of every planned entry.
//!
//! The page sends a compact [`LearningJob`] — the entries (features, typed-in and frozen
//! predictions), each entry's current value per metric (not the dated rows: a workspace can hold
//! a million of them), the past artifacts, the threshold and the alerts as they stand — and the
//! worker answers with a [`LearningOutcome`]: the predictions it froze, the alerts, the planned
//! entries' predictions and each learner's time. [`apply`] writes the outcome into the workspace
//! without undoing anything the user did meanwhile: a frozen prediction is never replaced, a
//! dismissed alert stays dismissed, and applying the same outcome twice changes nothing.

use crate::model::entry::CalendarEntry;
use crate::model::learning::{peer_outliers, EntryPrediction, WorkspacePredictor};
use crate::model::metric::MetricKind;
use crate::model::performance::{PerformanceEntry, Source};
use crate::model::prediction::{Alert, FrozenPrediction};
use crate::model::workspace::{ValueIndex, Workspace};
use refleqt_engine::artifact::ArtifactRecord;
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};

/// How the job's JSON text starts (its first field), so the worker tells it apart from the other
/// messages without parsing them.
pub const JOB_PREFIX: &str = "{\"learning\":";

/// What the entry learners need of a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningJob {
    /// The request's number (a newer one makes this one's answer stale). Must stay first.
    pub learning: u64,
    /// Unix milliseconds: entries dated up to now count as published.
    pub now: i64,
    pub alert_threshold_percent: u32,
    pub entries: Vec<CalendarEntry>,
    /// Every entry's current value of each metric it has (the rows already resolved).
    pub values: Vec<(EntryId, MetricKind, f64)>,
    pub past_artifacts: Vec<ArtifactRecord>,
    pub alerts: Vec<Alert>,
}

impl LearningJob {
    /// The job for `ws`, with its current values from `index` (the page's memoised one).
    pub fn of(ws: &Workspace, index: &ValueIndex, learning: u64, now: i64) -> LearningJob {
        let values = ws
            .entries
            .iter()
            .flat_map(|e| {
                MetricKind::ALL.into_iter().filter_map(move |m| {
                    index.value(e.entry_id, m).map(|v| (e.entry_id, m, v.value))
                })
            })
            .collect();
        LearningJob {
            learning,
            now,
            alert_threshold_percent: ws.settings.alert_threshold_percent,
            entries: ws.entries.clone(),
            values,
            past_artifacts: ws.past_artifacts.clone(),
            alerts: ws.alerts.clone(),
        }
    }

    /// A workspace with only what the learners read: one row per entry and metric holding its
    /// current value, so every value, cost and "has results" reads as in the full workspace.
    fn workspace(&self) -> Workspace {
        let mut ws = Workspace::empty();
        ws.settings.alert_threshold_percent = self.alert_threshold_percent;
        ws.entries = self.entries.clone();
        ws.performance_entries = self
            .values
            .iter()
            .map(|&(id, m, v)| PerformanceEntry::new(id, m, v, 0, Source::Manual))
            .collect();
        ws.past_artifacts = self.past_artifacts.clone();
        ws.alerts = self.alerts.clone();
        ws
    }
}

/// What the entry learners found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningOutcome {
    pub learning: u64,
    /// Predictions frozen by this run (entries newly published).
    pub frozen: Vec<(EntryId, FrozenPrediction)>,
    /// Every alert, as the workspace should hold them.
    pub alerts: Vec<Alert>,
    /// Each entry without a frozen prediction (planned): its prediction now.
    pub live: Vec<(EntryId, EntryPrediction)>,
    /// Milliseconds each learner took (by the caller's clock).
    pub timings: Vec<(String, f64)>,
}

impl LearningOutcome {
    /// The live prediction of `entry_id`, if it is planned.
    pub fn live(&self, entry_id: EntryId) -> Option<&EntryPrediction> {
        self.live
            .iter()
            .find(|(id, _)| *id == entry_id)
            .map(|(_, p)| p)
    }
}

/// Run every entry learner on `job`; `clock` gives milliseconds (for the timings).
pub fn run(job: &LearningJob, clock: &dyn Fn() -> f64) -> LearningOutcome {
    let mut ws = job.workspace();
    let index = ValueIndex::of(&ws);
    let t0 = clock();
    let frozen_ids = ws.freeze_published(&index, job.now);
    let t1 = clock();
    let peers = peer_outliers(&ws);
    let t2 = clock();
    ws.refresh_alerts_with(&index, job.now, peers);
    let t3 = clock();
    let planned: Vec<&CalendarEntry> = ws
        .entries
        .iter()
        .filter(|e| e.frozen_prediction.is_none())
        .collect();
    let live = if planned.is_empty() {
        Vec::new()
    } else {
        let predictor = WorkspacePredictor::fit(&ws);
        planned
            .iter()
            .map(|e| (e.entry_id, predictor.predict(&ws, e)))
            .collect()
    };
    let t4 = clock();
    let frozen = frozen_ids
        .iter()
        .filter_map(|id| {
            ws.entry(*id)
                .and_then(|e| e.frozen_prediction.clone())
                .map(|f| (*id, f))
        })
        .collect();
    LearningOutcome {
        learning: job.learning,
        frozen,
        alerts: ws.alerts,
        live,
        timings: vec![
            (
                "Freezing predictions of published entries".to_owned(),
                t1 - t0,
            ),
            (
                "Outliers among peers (isolation forest)".to_owned(),
                t2 - t1,
            ),
            ("Alerts outside the predicted range".to_owned(), t3 - t2),
            ("Predictions of planned entries".to_owned(), t4 - t3),
        ],
    }
}

/// Write `outcome` into `ws`: each frozen prediction where the entry still has none (never a
/// second time), the alerts of entries still there, each keeping a dismissal made meanwhile.
/// Returns whether anything changed (the same outcome applied twice changes nothing the second
/// time, so applying never has to start another run).
pub fn apply(ws: &mut Workspace, outcome: &LearningOutcome) -> bool {
    let mut changed = false;
    for (id, f) in &outcome.frozen {
        if let Some(e) = ws.entries.iter_mut().find(|e| e.entry_id == *id) {
            if e.frozen_prediction.is_none() {
                e.frozen_prediction = Some(f.clone());
                changed = true;
            }
        }
    }
    let alerts: Vec<Alert> = outcome
        .alerts
        .iter()
        .filter(|a| ws.entry(a.entry_id).is_some())
        .map(|a| Alert {
            dismissed: a.dismissed || ws.alerts.iter().any(|o| o.id == a.id && o.dismissed),
            ..a.clone()
        })
        .collect();
    if alerts != ws.alerts {
        ws.alerts = alerts;
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demo::demo_workspace;
    use crate::model::entry::EntryForm;

    const NOW: i64 = 1_800_000_000_000;

    fn demo() -> Workspace {
        demo_workspace().unwrap_or_else(|e| panic!("{e}"))
    }

    fn add_planned(ws: &mut Workspace, title: &str, date: &str) -> EntryId {
        ws.add_entry(
            EntryForm {
                title: title.into(),
                channel_choice: "LinkedIn".into(),
                publish_date: date.into(),
                kind: "Social post".into(),
                publish_time: "09:00".into(),
                ..EntryForm::default()
            }
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}")),
        )
    }

    fn job(ws: &Workspace, learning: u64, now: i64) -> LearningJob {
        LearningJob::of(ws, &ValueIndex::of(ws), learning, now)
    }

    #[test]
    fn the_worker_pass_equals_the_whole_pass_on_the_page() {
        let mut ws = demo();
        let planned = add_planned(&mut ws, "Planned", "2099-06-01");
        let published = add_planned(&mut ws, "Out today", "2020-06-01");
        ws.record_manual(published, &[(MetricKind::Pageviews, Some(1e6))], 5)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut expected = ws.clone();
        expected.refresh_learning(NOW);

        let j = job(&ws, 7, NOW);
        // The job carries values, not rows.
        assert!(
            j.values.len() < ws.performance_entries.len() / 5,
            "{}",
            j.values.len()
        );
        // It survives the trip to the worker as JSON, and starts as the worker expects.
        let text = serde_json::to_string(&j).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.starts_with(JOB_PREFIX));
        let back: LearningJob = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, j);

        let out = run(&back, &|| 0.0);
        assert_eq!(out.learning, 7);
        assert_eq!(out.timings.len(), 4);
        assert_eq!(
            out.frozen.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [published]
        );
        let text = serde_json::to_string(&out).unwrap_or_else(|e| panic!("{e}"));
        let out: LearningOutcome = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(apply(&mut ws, &out));
        assert_eq!(ws.entries, expected.entries, "same frozen predictions");
        assert_eq!(ws.alerts, expected.alerts, "same alerts");
        assert!(ws
            .alerts
            .iter()
            .any(|a| a.entry_id == published && a.above && !a.dismissed));
        // The planned entry's live prediction is the one the page used to fit itself.
        let entry = ws.entry(planned).cloned().unwrap_or_else(|| panic!());
        let on_page = WorkspacePredictor::fit(&ws).predict(&ws, &entry);
        assert_eq!(out.live(planned), Some(&on_page));
        assert!(on_page.metrics.iter().any(|(_, p)| p.range().is_some()));
        assert!(out.live(published).is_none());
        // Idempotent: the same outcome again changes nothing; a fresh run finds nothing new.
        assert!(!apply(&mut ws, &out));
        let again = run(&job(&ws, 8, NOW), &|| 0.0);
        assert!(again.frozen.is_empty());
        assert!(!apply(&mut ws, &again));
    }

    #[test]
    fn applying_keeps_what_the_user_did_meanwhile() {
        let mut ws = demo();
        let id = add_planned(&mut ws, "Out today", "2020-06-01");
        ws.record_manual(id, &[(MetricKind::Pageviews, Some(1e6))], 5)
            .unwrap_or_else(|e| panic!("{e}"));
        let first = run(&job(&ws, 1, NOW), &|| 0.0);
        assert!(apply(&mut ws, &first));
        let frozen = ws.entry(id).and_then(|e| e.frozen_prediction.clone());
        assert!(frozen.is_some());
        let alert = ws
            .open_alerts()
            .into_iter()
            .find(|a| a.entry_id == id)
            .map(|a| a.id)
            .unwrap_or_else(|| panic!("{:?}", ws.alerts));

        // A run started before the user dismissed the alert answers after it.
        let late = run(&job(&ws, 2, NOW), &|| 0.0);
        ws.dismiss_alert(alert);
        apply(&mut ws, &late);
        assert!(ws.alerts.iter().any(|a| a.id == alert && a.dismissed));

        // A frozen prediction is never replaced, even by an outcome that carries another one.
        let mut other = late.clone();
        other.frozen = vec![(
            id,
            FrozenPrediction {
                frozen_at: 1,
                history: 0,
                ranges: Vec::new(),
            },
        )];
        apply(&mut ws, &other);
        assert_eq!(
            ws.entry(id).and_then(|e| e.frozen_prediction.clone()),
            frozen
        );

        // The entry was deleted meanwhile: its alerts do not come back.
        let before_delete = run(&job(&ws, 3, NOW), &|| 0.0);
        ws.delete_entry(id).unwrap_or_else(|e| panic!("{e}"));
        apply(&mut ws, &before_delete);
        assert!(ws.alerts.iter().all(|a| a.entry_id != id));
    }

    /// Timings of each learner on the demo and on a history ten times the demo's (release:
    /// `cargo test --release -p refleqt --lib analysis::learning -- --ignored --nocapture`).
    #[test]
    #[ignore = "a measurement"]
    fn measure_the_learners() {
        let start = std::time::Instant::now();
        let clock = move || start.elapsed().as_secs_f64() * 1000.0;
        for times in [1usize, 10] {
            let mut ws = demo();
            let past = ws.past_artifacts.clone();
            for _ in 1..times {
                ws.past_artifacts.extend(past.iter().cloned());
            }
            for e in &mut ws.entries {
                e.frozen_prediction = None;
            }
            add_planned(&mut ws, "Planned", "2099-06-01");
            let t = clock();
            let j = job(&ws, 1, NOW);
            let text = serde_json::to_string(&j).unwrap_or_else(|e| panic!("{e}"));
            let page = clock() - t;
            let t = clock();
            let mut whole = ws.clone();
            whole.refresh_learning(NOW);
            let sync = clock() - t;
            let out = run(&j, &clock);
            println!(
                "×{times}: {} artifacts; page: job {page:.1} ms ({} KB); the old synchronous pass {sync:.0} ms; worker: {:?}",
                j.past_artifacts.len() + j.entries.len(),
                text.len() / 1024,
                out.timings
            );
        }
    }
}
