//! An entry's dashboard on its detail page: each recorded metric over time with its
//! least-squares trend line, and predicted vs actual with errors above 25 % highlighted and the
//! entry's prediction accuracy.

use crate::charts::series::{metric_history, predictions, ChartSpec};
use crate::components::chart::Chart;
use crate::model::metric::MetricKind;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::trend::accuracy;

#[component]
pub fn EntryTrends(state: AppState, entry_id: u64) -> impl IntoView {
    let metrics = Memo::new(move |_| state.values.with(|vals| vals.recorded_metrics(entry_id)));
    let chosen = RwSignal::new(None::<MetricKind>);
    let metric = move || chosen.get().or_else(|| metrics.get().first().copied());
    let spec = Signal::derive(move || {
        let m = metric();
        state.workspace.with(|ws| {
            let m = m.unwrap_or(MetricKind::Pageviews);
            let rows = ws
                .performance_entries
                .iter()
                .filter(|r| r.calendar_entry_id == entry_id && r.metric_type == m)
                .map(|r| (r.recorded_at, r.metric_value, r.source));
            ChartSpec::Lines(metric_history(rows, m))
        })
    });
    let preds = Memo::new(move |_| {
        let vals = state.values.get();
        state.workspace.with(|ws| {
            ws.entry(entry_id)
                .map(|e| predictions(e, |m| vals.value(entry_id, m).map(|v| v.value)))
                .unwrap_or_default()
        })
    });
    view! {
        <section class="entry-trends" aria-labelledby="trends-title" data-testid="entry-trends">
            <h2 id="trends-title">"Trends"</h2>
            {move || {
                if metrics.get().is_empty() {
                    view! {
                        <p class="hint">
                            "No metric recorded yet: add values above to see them over time."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="field inline-field">
                            <label for="trend-metric">"Metric"</label>
                            <select
                                id="trend-metric"
                                data-testid="trend-metric"
                                on:change=move |ev| {
                                    chosen.set(MetricKind::from_key(&event_target_value(&ev)))
                                }
                            >
                                {metrics
                                    .get()
                                    .into_iter()
                                    .map(|m| {
                                        view! {
                                            <option value=m.key() selected=move || metric() == Some(m)>
                                                {m.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <Chart
                            name="Metric over time with its least-squares trend".to_string()
                            spec=spec
                            testid="chart-entry-trend"
                        />
                    }
                        .into_any()
                }
            }}
            <h3>"Predicted vs actual"</h3>
            {move || {
                let p = preds.get();
                if p.is_empty() {
                    return view! { <p class="hint">"No prediction with an actual value yet."</p> }
                        .into_any();
                }
                let acc = accuracy(&p.iter().map(|x| x.1).collect::<Vec<_>>());
                view! {
                    <table
                        class="data"
                        aria-label="Predicted vs actual values"
                        data-testid="predictions"
                    >
                        <thead>
                            <tr>
                                <th scope="col">"Metric"</th>
                                <th scope="col">"Predicted"</th>
                                <th scope="col">"Actual"</th>
                                <th scope="col">"Error"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {p
                                .into_iter()
                                .map(|(m, e)| {
                                    view! {
                                        <tr class:flagged=e.flagged>
                                            <th scope="row">{m.label()}</th>
                                            <td>{e.predicted}</td>
                                            <td>{e.actual}</td>
                                            <td>
                                                {e
                                                    .relative
                                                    .map(|r| format!("{:+.0} %", r * 100.0))
                                                    .unwrap_or_else(|| "—".into())}
                                                {e.flagged.then_some(" — off by more than 25 %")}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <p data-testid="prediction-accuracy">
                        {acc
                            .map(|a| {
                                format!(
                                    "Prediction accuracy: {:.0} % of predictions within 25 %.",
                                    a * 100.0,
                                )
                            })}
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}
