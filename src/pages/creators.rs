//! `#/creators`: creator reputation — per creator the shrunk score on a chosen metric with its
//! 95 % interval, the rank, the number of artifacts and the trend per year (engine
//! `creators::reputation` on the learning history, through `model::reputation`), as an
//! interval-bar chart and a table.

use crate::charts::series::{BarSeries, ChartSpec, GroupedBars};
use crate::components::chart::Chart;
use crate::model::learning::history_in;
use crate::model::metric::MetricKind;
use crate::model::reputation::{creators, metrics, relative, MIN_ARTIFACTS};
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::creators::Reputation;

fn chart_of(rep: &Reputation) -> ChartSpec {
    ChartSpec::Bars(GroupedBars {
        groups: rep.creators.iter().map(|c| c.creator.clone()).collect(),
        series: vec![BarSeries {
            label: "Against the usual for the channel and type".into(),
            values: rep
                .creators
                .iter()
                .map(|c| {
                    (
                        c.multiplier - 1.0,
                        Some((c.low.exp() - 1.0, c.high.exp() - 1.0)),
                    )
                })
                .collect(),
        }],
        y_label: "Above or below the usual".into(),
        percent: true,
    })
}

fn trend_text(t: Option<f64>) -> String {
    match t {
        None => "Too few artifacts".to_owned(),
        Some(t) => {
            let pct = (t.exp() - 1.0) * 100.0;
            if pct.abs() < 1.0 {
                "Steady".to_owned()
            } else if pct > 0.0 {
                format!("Rising {pct:.0} % a year")
            } else {
                format!("Falling {:.0} % a year", -pct)
            }
        }
    }
}

/// `#/creators`.
#[component]
pub fn CreatorsPage(state: AppState) -> impl IntoView {
    // The learning history, read once per change from the memoised value index.
    let history = Memo::new(move |_| {
        let index = state.values.get();
        state.workspace.with(|ws| history_in(ws, index))
    });
    let offered = Memo::new(move |_| history.with(metrics));
    let picked = RwSignal::new(None::<MetricKind>);
    let metric = Memo::new(move |_| {
        let offered = offered.get();
        picked
            .get()
            .filter(|m| offered.contains(m))
            .or_else(|| offered.first().copied())
    });
    let rep = Memo::new(move |_| metric.get().map(|m| history.with(|h| creators(h, m))));
    let spec = Signal::derive(move || {
        rep.with(|r| {
            r.as_ref()
                .map(chart_of)
                .unwrap_or(ChartSpec::Graph(Default::default()))
        })
    });
    view! {
        <section class="page creators" data-testid="creators">
            <h1>"Creators"</h1>
            <p class="lede">
                "How each creator's artifacts perform against what their channel and type usually get, from every published entry and past artifact with a creator. Creators with few artifacts are pulled towards the average, so a lucky hit does not put anyone at the top."
            </p>
            {move || {
                offered
                    .with(Vec::is_empty)
                    .then(|| {
                        view! {
                            <p class="notice" data-testid="creators-empty">
                                {format!(
                                    "No metric has results for {MIN_ARTIFACTS} or more artifacts with a creator yet. Name the creator on each calendar entry and record its results; creators show here once enough of them are measured.",
                                )}
                            </p>
                        }
                    })
            }}
            <div class="field inline-field">
                <label for="creator-metric">"Metric"</label>
                <select
                    id="creator-metric"
                    data-testid="creator-metric"
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        picked.set(MetricKind::ALL.into_iter().find(|m| m.key() == key));
                    }
                >
                    {move || {
                        offered
                            .get()
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <option value=m.key() selected=move || metric.get() == Some(m)>
                                        {m.label()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            {move || {
                rep.with(|r| r.as_ref().is_some_and(|r| !r.creators.is_empty()))
                    .then(|| {
                        view! {
                            <Chart
                                name="Creator scores with 95 % intervals".to_string()
                                spec=spec
                                testid="chart-creators"
                            />
                        }
                    })
            }}
            <table
                class="data"
                aria-label="Creators ranked by their score on the chosen metric"
                data-testid="creators-table"
            >
                <thead>
                    <tr>
                        <th scope="col">"Rank"</th>
                        <th scope="col">"Creator"</th>
                        <th scope="col">"Score"</th>
                        <th scope="col">"95 % interval"</th>
                        <th scope="col">"Artifacts"</th>
                        <th scope="col">"Trend"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let label = metric
                            .get()
                            .map(|m| m.label().to_lowercase())
                            .unwrap_or_default();
                        rep.with(|r| {
                            r.as_ref()
                                .map(|r| {
                                    r.creators
                                        .iter()
                                        .map(|c| {
                                            view! {
                                                <tr data-testid="creator-row">
                                                    <td data-testid="creator-rank">{c.rank}</td>
                                                    <th scope="row" data-testid="creator-name">
                                                        {c.creator.clone()}
                                                    </th>
                                                    <td
                                                        data-testid="creator-score"
                                                        data-skill=c.skill.to_string()
                                                    >
                                                        {format!("{} the usual {label}", relative(c.multiplier))}
                                                    </td>
                                                    <td>
                                                        {format!(
                                                            "{} to {}",
                                                            relative(c.low.exp()),
                                                            relative(c.high.exp()),
                                                        )}
                                                    </td>
                                                    <td>{c.artifacts}</td>
                                                    <td>{trend_text(c.trend_per_year)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                })
                        })
                    }}
                </tbody>
            </table>
            <p class="hint">
                "Score: the creator's artifacts against the other artifacts of the same channel and type (log scale), shrunk towards the average by how much evidence there is (empirical Bayes). The trend is the change of that score per year, from five or more artifacts."
            </p>
        </section>
    }
}
