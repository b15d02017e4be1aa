//! The training-context export's app side: a workspace (and the attribution workbench's last
//! report, when there is one) → the engine `context` document's inputs. The CLI's
//! `refleqt context` calls [`document`] too, so both write the same document for the same
//! workspace.
//!
//! What goes in: every calendar entry's attributes (cost as ROI uses it: recorded, else
//! planned); every current metric value (manual wins, `Workspace::value`) with its expectation
//! from `model::evidence`; the imported ranges and the predictions frozen at publication against
//! the actuals; attribution — the workbench's report (every model, bootstrap intervals when it
//! has them) when given, else the stored `attribution_results` (last-touch, no intervals); the
//! beliefs scored on the outcomes; the A/B tests with the user's decisions; and the creators'
//! reputation on every learned metric, over the same history the learners use.

use super::ab_record::ProposalDecision;
use super::evidence::{outcomes, BASELINE_WINDOW};
use super::learning::{history, learned_metrics};
use super::metric::MetricKind;
use super::workspace::{CostSource, ValueIndex, Workspace};
use refleqt_engine::context::{
    build, timestamp, weekday_name, Artifact, AttributedEntry, Attribution, AttributionModel,
    Decision, Inputs, OutcomeRow, PredictionRow, TrainingContext,
};
use refleqt_engine::dates::MS_PER_DAY;
use refleqt_engine::report::Report;

/// The attribution workbench's last report and the name of the data it analysed.
pub struct WorkbenchReport<'a> {
    pub report: &'a Report,
    pub data: String,
}

/// The file name of an export made on `date` (`YYYY-MM-DD`).
pub fn file_name(date: &str) -> String {
    format!("refleqt-training-context-{date}.json")
}

fn stored_attribution(ws: &Workspace) -> Attribution {
    let mut models: Vec<AttributionModel> = Vec::new();
    for r in &ws.attribution_results {
        let row = AttributedEntry {
            artifact: r.calendar_entry_id.to_string(),
            conversions: None,
            conversions_low: None,
            conversions_high: None,
            revenue: r
                .attributed_revenue
                .is_finite()
                .then_some(r.attributed_revenue),
            revenue_low: None,
            revenue_high: None,
            cost: r.cost.filter(|c| c.is_finite()),
            roi: r.roi.filter(|c| c.is_finite()),
            roi_low: None,
            roi_high: None,
        };
        match models.iter_mut().find(|m| m.model == r.attribution_model) {
            Some(m) => m.entries.push(row),
            None => models.push(AttributionModel {
                model: r.attribution_model.clone(),
                label: r.attribution_model.replace('_', " "),
                entries: vec![row],
            }),
        }
    }
    Attribution {
        source: "stored_results".to_owned(),
        data: None,
        models,
    }
}

/// The training-context document of `ws` at `now` (Unix ms).
pub fn document(
    ws: &Workspace,
    now: i64,
    workbench: Option<WorkbenchReport<'_>>,
) -> TrainingContext {
    let index = ValueIndex::of(ws);
    let mut artifacts = Vec::with_capacity(ws.entries.len());
    let mut rows = Vec::new();
    let mut predictions = Vec::new();
    for e in &ws.entries {
        let day = e.publish_date.unix_ms().div_euclid(MS_PER_DAY);
        let cost = index.cost(ws, e.entry_id);
        artifacts.push(Artifact {
            id: e.entry_id.to_string(),
            title: e.title.clone(),
            channel: e.channel.clone(),
            campaign: e.campaign.clone(),
            kind: e.kind.clone(),
            topics: e.topics.clone(),
            length: e.length.filter(|l| l.is_finite()),
            creator: e.creator.clone(),
            publish_date: e.publish_date.to_string(),
            publish_hour: e.publish_hour,
            weekday: weekday_name(day),
            cost: cost.map(|(c, _)| c).filter(|c| c.is_finite()),
            cost_source: cost.map(|(_, s)| {
                match s {
                    CostSource::Recorded(_) => "recorded",
                    CostSource::Planned => "planned",
                }
                .to_owned()
            }),
            utm_content: e.utm_content(),
            destination_url: e.destination_url.clone(),
        });
        for m in MetricKind::ALL {
            if let Some(v) = index.value(e.entry_id, m) {
                rows.push(OutcomeRow {
                    artifact: e.entry_id.to_string(),
                    metric: m.key().to_owned(),
                    value: v.value.is_finite().then_some(v.value),
                    source: v.source.label().to_owned(),
                    recorded_at: timestamp(v.recorded_at),
                    expectation: None,
                });
            }
        }
        let actual = |m: MetricKind| index.value(e.entry_id, m).map(|v| v.value);
        for p in &e.predicted {
            predictions.push(PredictionRow::new(
                e.entry_id.to_string(),
                p.metric.key().to_owned(),
                "imported",
                Some(p.value),
                p.range,
                None,
                None,
                actual(p.metric),
            ));
        }
        if let Some(frozen) = &e.frozen_prediction {
            for r in &frozen.ranges {
                predictions.push(PredictionRow::new(
                    e.entry_id.to_string(),
                    r.metric.key().to_owned(),
                    "frozen",
                    Some(r.point),
                    Some((r.low, r.high)),
                    Some(r.confidence.label().to_lowercase()),
                    Some(r.based_on),
                    actual(r.metric),
                ));
            }
        }
    }
    let recorded = ws.performance_entries.iter().map(|r| r.recorded_at).fold(
        None,
        |acc: Option<(i64, i64)>, t| match acc {
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        },
    );
    let evidence = outcomes(ws, &index);
    let hist = history(ws);
    let attribution = match workbench {
        Some(w) => Attribution::from_report(w.report, &w.data),
        None => stored_attribution(ws),
    };
    let ab_tests = ws
        .ab_tests
        .iter()
        .map(|r| {
            let d = match &r.decision {
                None => Decision::Undecided,
                Some(ProposalDecision::Accepted { belief }) => Decision::Accepted {
                    belief: belief.clone(),
                },
                Some(ProposalDecision::Rejected) => Decision::Rejected,
            };
            (&r.test, d)
        })
        .collect();
    build(Inputs {
        generated_at_ms: now,
        currency: ws.settings.currency.clone(),
        alert_threshold_percent: ws.settings.alert_threshold_percent,
        baseline_window: BASELINE_WINDOW,
        artifacts,
        past: &ws.past_artifacts,
        outcomes: rows,
        evidence: &evidence,
        predictions,
        attribution,
        beliefs: &ws.beliefs,
        ab_tests,
        history: &hist.records,
        creator_metrics: learned_metrics()
            .into_iter()
            .map(|m| m.key().to_owned())
            .collect(),
        recorded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::EntryForm;

    #[test]
    fn an_empty_workspace_gives_an_empty_document() {
        let doc = document(&Workspace::empty(), 0, None);
        assert_eq!(doc.format, "refleqt-training-context");
        assert_eq!(doc.version, 1);
        assert_eq!(doc.generated_at, "1970-01-01T00:00:00Z");
        assert!(doc.artifacts.is_empty() && doc.outcomes.is_empty());
        assert_eq!(doc.date_range.first_publish_date, None);
        assert_eq!(doc.attribution.source, "stored_results");
        assert_eq!(
            file_name("2026-12-03"),
            "refleqt-training-context-2026-12-03.json"
        );
    }

    #[test]
    fn the_export_shows_the_a_b_numbers_the_page_shows() {
        let mut ws = Workspace::empty();
        ws.ab_tests.push(crate::model::ab_record::demo_ab_test());
        let page = ws.ab_tests[0]
            .analysis()
            .unwrap_or_else(|e| panic!("{e:?}"));
        let doc = document(&ws, 0, None);
        let exported: Vec<Option<f64>> = doc.ab_tests[0]
            .variants
            .iter()
            .map(|v| v.prob_best)
            .collect();
        let shown: Vec<Option<f64>> = page.variants.iter().map(|v| Some(v.prob_best)).collect();
        assert_eq!(exported, shown);
        assert!(shown.iter().flatten().any(|p| *p > 0.5 && *p < 1.0));
    }

    #[test]
    fn an_entry_gives_its_attributes_actuals_and_prediction() {
        let mut ws = Workspace::empty();
        let draft = EntryForm {
            title: "Ünïcode \"post\" <script>".into(),
            channel_choice: "LinkedIn".into(),
            publish_date: "2025-03-05".into(),
            cost: "120".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        let id = ws.add_entry(draft);
        if let Some(e) = ws.entries.iter_mut().find(|e| e.entry_id == id) {
            e.predicted.push(crate::model::entry::Predicted {
                metric: MetricKind::Pageviews,
                value: 100.0,
                range: Some((80.0, 130.0)),
            });
        }
        assert_eq!(
            ws.record_manual(id, &[(MetricKind::Pageviews, Some(150.0))], 5_000),
            Ok(1)
        );
        let doc = document(&ws, 0, None);
        let a = &doc.artifacts[0];
        assert_eq!(a.title, "Ünïcode \"post\" <script>");
        assert_eq!(
            (a.cost, a.cost_source.as_deref()),
            (Some(120.0), Some("planned"))
        );
        assert_eq!(a.utm_content, format!("cal-{id}"));
        assert_eq!(a.weekday, "Wednesday");
        assert_eq!(doc.outcomes.len(), 1);
        assert_eq!(doc.outcomes[0].value, Some(150.0));
        assert_eq!(doc.outcomes[0].source, "manual");
        let p = &doc.predictions[0];
        assert_eq!(
            (p.source.as_str(), p.inside_range),
            ("imported", Some(false))
        );
        assert_eq!(
            doc.date_range.first_publish_date.as_deref(),
            Some("2025-03-05")
        );
        assert_eq!(
            doc.date_range.last_recorded_at.as_deref(),
            Some("1970-01-01T00:00:05Z")
        );
    }
}
