//! An entry's "Predicted performance" box: before publishing, the live prediction (95 % range,
//! "Based on N similar past artifacts", confidence with its reason, or "not enough similar
//! artifacts"); after, the prediction frozen at publication next to the actuals. Both come from
//! the entry learners in the worker (`state::learning`); while they run the box says so.

use crate::model::learning::EntryPrediction;
use crate::model::metric::MetricKind;
use crate::model::prediction::FrozenPrediction;
use crate::state::learning::Learning;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::predict::{Confidence, MetricPrediction};

/// One row of the box, ready to show.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    metric: String,
    range: String,
    estimate: String,
    basis: String,
    confidence: Option<Confidence>,
    reason: String,
    actual: Option<String>,
    verdict: Option<(bool, String)>,
}

fn fmt(metric: MetricKind, value: f64, currency: &str) -> String {
    metric.format_display(value, currency)
}

/// "Too uncertain to predict: similar artifacts vary from X to Y" (a range wider than the
/// engine's `USEFUL_WIDTH` says nothing a marketer can plan with).
fn too_uncertain(metric: MetricKind, low: f64, high: f64, currency: &str) -> String {
    format!(
        "Too uncertain to predict: similar artifacts vary from {} to {}",
        fmt(metric, low, currency),
        fmt(metric, high, currency)
    )
}

const UNCERTAIN: &str = "Too uncertain to predict";

fn live_rows(state: AppState, p: &EntryPrediction) -> (usize, Vec<Row>) {
    state.workspace.with(|ws| {
        let cur = &ws.settings.currency;
        let rows = p
            .metrics
            .iter()
            .map(|(m, pred)| match pred {
                MetricPrediction::Range(r) if r.too_uncertain() => Row {
                    metric: m.label().to_owned(),
                    range: UNCERTAIN.to_owned(),
                    estimate: "—".to_owned(),
                    basis: format!("Based on {} similar past artifacts", r.based_on),
                    confidence: None,
                    reason: too_uncertain(*m, r.similar_low, r.similar_high, cur),
                    actual: None,
                    verdict: None,
                },
                MetricPrediction::Range(r) => Row {
                    metric: m.label().to_owned(),
                    range: format!("{} – {}", fmt(*m, r.low, cur), fmt(*m, r.high, cur)),
                    estimate: fmt(*m, r.point, cur),
                    basis: format!("Based on {} similar past artifacts", r.based_on),
                    confidence: Some(r.confidence),
                    reason: r.reason.clone(),
                    actual: None,
                    verdict: None,
                },
                MetricPrediction::NotEnough { reason, .. } => Row {
                    metric: m.label().to_owned(),
                    range: "Not enough similar artifacts".to_owned(),
                    estimate: "—".to_owned(),
                    basis: String::new(),
                    confidence: None,
                    reason: reason.clone(),
                    actual: None,
                    verdict: None,
                },
            })
            .collect();
        (p.history, rows)
    })
}

fn frozen_rows(state: AppState, entry_id: u64, frozen: &FrozenPrediction) -> Vec<Row> {
    let vals = state.values.get();
    state.workspace.with(|ws| {
        let cur = &ws.settings.currency;
        let threshold = ws.settings.alert_threshold_percent as f64;
        frozen
            .ranges
            .iter()
            .map(|r| {
                let actual = vals.value(entry_id, r.metric).map(|v| v.value);
                let verdict = actual.map(|a| {
                    match refleqt_engine::predict::deviation(r.low, r.point, r.high, a, 0.0) {
                        None => (false, "Inside the range".to_owned()),
                        Some(d) => {
                            let size =
                                refleqt_engine::roi::format_percent(d.percent_vs_point.abs());
                            let flagged = d.percent_past_bound > threshold;
                            (
                                flagged,
                                format!(
                                    "{size} {} the estimate{}",
                                    if d.above { "above" } else { "below" },
                                    if flagged {
                                        " — alert raised"
                                    } else {
                                        ", outside the range"
                                    }
                                ),
                            )
                        }
                    }
                });
                let uncertain = r.too_uncertain();
                Row {
                    metric: r.metric.label().to_owned(),
                    range: if uncertain {
                        UNCERTAIN.to_owned()
                    } else {
                        format!(
                            "{} – {}",
                            fmt(r.metric, r.low, cur),
                            fmt(r.metric, r.high, cur)
                        )
                    },
                    estimate: if uncertain {
                        "—".to_owned()
                    } else {
                        fmt(r.metric, r.point, cur)
                    },
                    basis: format!("Based on {} similar past artifacts", r.based_on),
                    confidence: (!uncertain).then_some(r.confidence),
                    reason: if uncertain {
                        too_uncertain(r.metric, r.similar_low, r.similar_high, cur)
                    } else {
                        r.reason.clone()
                    },
                    actual: Some(
                        actual
                            .map(|a| fmt(r.metric, a, cur))
                            .unwrap_or_else(|| "not recorded yet".to_owned()),
                    ),
                    verdict,
                }
            })
            .collect()
    })
}

#[component]
pub fn PredictedPerformance(state: AppState, entry_id: u64) -> impl IntoView {
    let frozen = Memo::new(move |_| {
        state
            .workspace
            .with(|ws| ws.entry(entry_id).and_then(|e| e.frozen_prediction.clone()))
    });
    // Predicted in the worker (`state::learning`), after every edit.
    let learning = Learning::get();
    let running = move || learning.is_some_and(|l| l.running.get());
    let predicted = Memo::new(move |_| {
        learning
            .and_then(|l| l.outcome.get())
            .and_then(|o| o.live(entry_id).cloned())
    });
    let live = Memo::new(move |_| match (frozen.get(), predicted.get()) {
        (None, Some(p)) => live_rows(state, &p),
        _ => (0, Vec::new()),
    });
    // Nothing to show yet, but the learners are on it.
    let waiting = move || frozen.get().is_none() && predicted.get().is_none() && running();
    let rows = Memo::new(move |_| match frozen.get() {
        Some(f) => frozen_rows(state, entry_id, &f),
        None => live.get().1,
    });
    let heading = move || {
        if frozen.get().is_some() {
            "Predicted vs actual"
        } else {
            "Predicted performance"
        }
    };
    let intro = move || {
        match frozen.get() {
        Some(f) => format!(
            "Predicted when the entry was published, from {} past artifacts with results; actuals are compared with that prediction, not with today's.",
            f.history
        ),
        None => format!(
            "What similar past artifacts achieved, as a range that holds the actual result 95 times in 100 ({} past artifacts with results). Frozen when the entry is published.",
            live.get().0
        ),
    }
    };
    view! {
        <section class="predicted" aria-labelledby="predicted-title" data-testid="predicted">
            <h2 id="predicted-title">{heading}</h2>
            <p class="hint">{intro}</p>
            <p class="hint" role="status" data-testid="predicted-updating">
                {move || {
                    running()
                        .then_some(
                            "Updating the prediction from the latest results in the background…",
                        )
                }}
            </p>
            {move || {
                let rows = rows.get();
                if rows.is_empty() && waiting() {
                    return view! {
                        <p class="hint" data-testid="predicted-waiting">
                            "Looking for similar past artifacts…"
                        </p>
                    }
                        .into_any();
                }
                if rows.is_empty() {
                    let message = if frozen.get().is_some() {
                        "No range was possible when this entry was published: not enough similar artifacts had results."
                    } else {
                        "Not enough similar artifacts: no past artifact on this channel has results yet. Record results of published entries to get predictions."
                    };
                    return view! {
                        <p class="hint" data-testid="predicted-empty">
                            {message}
                        </p>
                    }
                        .into_any();
                }
                let after = frozen.get().is_some();
                view! {
                    <table class="data predicted-table">
                        <thead>
                            <tr>
                                <th scope="col">"Metric"</th>
                                <th scope="col">"95 % range"</th>
                                <th scope="col">"Estimate"</th>
                                {after.then(|| view! { <th scope="col">"Actual"</th> })}
                                <th scope="col">"Confidence"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|r| {
                                    let level = r.confidence.map(|c| c.label()).unwrap_or("—");
                                    let class = match r.confidence {
                                        Some(Confidence::High) => "badge conf-high",
                                        Some(Confidence::Medium) => "badge conf-medium",
                                        Some(Confidence::Low) => "badge conf-low",
                                        None => "badge planned",
                                    };
                                    view! {
                                        <tr data-testid="predicted-row">
                                            <th scope="row">{r.metric.clone()}</th>
                                            <td>
                                                <span data-testid="predicted-range">{r.range.clone()}</span>
                                                {(!r.basis.is_empty())
                                                    .then(|| {
                                                        view! {
                                                            <span class="hint block" data-testid="predicted-basis">
                                                                {r.basis.clone()}
                                                            </span>
                                                        }
                                                    })}
                                            </td>
                                            <td>{r.estimate.clone()}</td>
                                            {after
                                                .then(|| {
                                                    let (flag, text) = r.verdict.clone().unwrap_or_default();
                                                    view! {
                                                        <td>
                                                            {r.actual.clone()}
                                                            {(!text.is_empty())
                                                                .then(|| {
                                                                    view! {
                                                                        <span class="hint block" class:flagged=flag>
                                                                            {text.clone()}
                                                                        </span>
                                                                    }
                                                                })}
                                                        </td>
                                                    }
                                                })}
                                            <td>
                                                <span class=class>{level}</span>
                                                <span class="hint block">{r.reason.clone()}</span>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
