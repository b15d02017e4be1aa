//! `#/dashboards`: per channel (cost, credited revenue, ROI under the chosen model), per campaign
//! (rollups of its artifacts), prediction accuracy over time, and the journey explorer (most
//! common paths, the order-1 channel transition graph).

use crate::analysis::views::{campaign_rollups, model};
use crate::charts::series::{accuracy_over_time, channel_money, pct, transition_graph, ChartSpec};
use crate::components::chart::Chart;
use crate::pages::attribution::{ModelPicker, WorkbenchStatus};
use crate::state::workbench::Workbench;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::roi::{format_count, format_money, format_percent};

/// Transitions below this probability are left out of the graph (the table lists them all).
const MIN_EDGE: f64 = 0.02;

/// `#/dashboards`.
#[component]
pub fn DashboardsPage(state: AppState, analysis: Workbench) -> impl IntoView {
    analysis.ensure_started();
    let currency = move || state.workspace.with(|ws| ws.settings.currency.clone());
    let money = Signal::derive(move || {
        let m = analysis.chosen.get();
        analysis.outcome.with(|o| match o {
            Some(o) => ChartSpec::Bars(channel_money(&o.report, m)),
            None => ChartSpec::Graph(Default::default()),
        })
    });
    let accuracy = Signal::derive(move || {
        let vals = state.values.get();
        state.workspace.with(|ws| {
            ChartSpec::Lines(accuracy_over_time(&ws.entries, |id, m| {
                vals.value(id, m).map(|v| v.value)
            }))
        })
    });
    let graph = Signal::derive(move || {
        analysis.outcome.with(|o| {
            ChartSpec::Graph(
                o.as_ref()
                    .and_then(|o| o.transitions.as_ref())
                    .map(|d| transition_graph(d, MIN_EDGE))
                    .unwrap_or_default(),
            )
        })
    });
    let has = move || analysis.outcome.with(Option::is_some);
    view! {
        <section class="page dashboards" data-testid="dashboards">
            <h1>"Dashboards"</h1>
            <WorkbenchStatus analysis=analysis />
            <ModelPicker analysis=analysis id="dashboard-model" />
            <section aria-labelledby="by-channel">
                <h2 id="by-channel">"Per channel"</h2>
                {move || {
                    has()
                        .then(|| {
                            view! {
                                <Chart
                                    name="Cost and credited revenue per channel".to_string()
                                    spec=money
                                    testid="chart-channel-money"
                                />
                            }
                        })
                }}
                <table
                    class="data"
                    aria-label="Cost, credited revenue and ROI per channel under the chosen model"
                    data-testid="channel-table"
                >
                    <thead>
                        <tr>
                            <th scope="col">"Channel"</th>
                            <th scope="col">"Cost"</th>
                            <th scope="col">"Credited conversions"</th>
                            <th scope="col">"Credited revenue"</th>
                            <th scope="col">"ROI"</th>
                            <th scope="col">"ROAS"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let cur = currency();
                            let m = analysis.chosen.get();
                            analysis
                                .outcome
                                .with(|o| {
                                    o.as_ref()
                                        .and_then(|o| model(&o.report, m))
                                        .map(|r| {
                                            r.channels
                                                .iter()
                                                .map(|c| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{c.channel.clone()}</th>
                                                            <td>
                                                                {c
                                                                    .cost
                                                                    .map(|x| format_money(x, &cur))
                                                                    .unwrap_or_else(|| "—".into())}
                                                            </td>
                                                            <td>{format_count(c.conversions)}</td>
                                                            <td>{format_money(c.revenue, &cur)}</td>
                                                            <td>
                                                                {c.roi.map(format_percent).unwrap_or_else(|| "—".into())}
                                                            </td>
                                                            <td>
                                                                {c
                                                                    .roas
                                                                    .map(|x| format!("{x:.2}×"))
                                                                    .unwrap_or_else(|| "—".into())}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()
                                        })
                                })
                        }}
                    </tbody>
                </table>
            </section>
            <section aria-labelledby="by-campaign">
                <h2 id="by-campaign">"Per campaign"</h2>
                <table
                    class="data"
                    aria-label="Campaign rollups under the chosen model"
                    data-testid="campaign-table"
                >
                    <thead>
                        <tr>
                            <th scope="col">"Campaign"</th>
                            <th scope="col">"Entries"</th>
                            <th scope="col">"Cost"</th>
                            <th scope="col">"Credited conversions"</th>
                            <th scope="col">"Credited revenue"</th>
                            <th scope="col">"ROI"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let cur = currency();
                            let m = analysis.chosen.get();
                            analysis
                                .outcome
                                .with(|o| {
                                    o.as_ref()
                                        .map(|o| {
                                            state
                                                .workspace
                                                .with(|ws| {
                                                    state
                                                        .values
                                                        .with(|values| campaign_rollups(&o.report, m, ws, values))
                                                })
                                                .into_iter()
                                                .map(|r| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{r.campaign}</th>
                                                            <td>{r.entries}</td>
                                                            <td>{format_money(r.cost, &cur)}</td>
                                                            <td>{format_count(r.conversions)}</td>
                                                            <td>{format_money(r.revenue, &cur)}</td>
                                                            <td>
                                                                {r.roi.map(format_percent).unwrap_or_else(|| "—".into())}
                                                            </td>
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
                    "Credit comes from the analysed data's calendar-entry tags (utm_content=cal-<id>); cost from the workspace's entries (the data file's cost column only for entries without a cost in the workspace)."
                </p>
            </section>
            <section aria-labelledby="accuracy">
                <h2 id="accuracy">"Predicted vs actual"</h2>
                <p class="hint">
                    "Share of predictions within 25 % of the actual value, per month of publication."
                </p>
                <Chart
                    name="Prediction accuracy over time".to_string()
                    spec=accuracy
                    testid="chart-accuracy"
                />
            </section>
            <section aria-labelledby="explorer">
                <h2 id="explorer">"Journey explorer"</h2>
                <p class="hint">
                    "The most common paths, merged. To see individual journeys day by day with each touch's credit, the channel groups and the most probable paths to conversion, open the "
                    <a href="#/journeys" data-testid="to-journey-map">
                        "journey map"
                    </a> "."
                </p>
                <table class="data" aria-label="Most common paths" data-testid="paths-table">
                    <thead>
                        <tr>
                            <th scope="col">"Path"</th>
                            <th scope="col">"Journeys"</th>
                            <th scope="col">"Conversions"</th>
                            <th scope="col">"Non-conversions"</th>
                            <th scope="col">"Conversion rate"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            analysis
                                .outcome
                                .with(|o| {
                                    o.as_ref()
                                        .map(|o| {
                                            o.paths
                                                .iter()
                                                .map(|p| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{p.channels.join(" → ")}</th>
                                                            <td>{format_count(p.journeys)}</td>
                                                            <td>{format_count(p.conversions)}</td>
                                                            <td>{format_count(p.nulls)}</td>
                                                            <td>{pct(p.conversion_rate)}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()
                                        })
                                })
                        }}
                    </tbody>
                </table>
                {move || {
                    has()
                        .then(|| {
                            view! {
                                <Chart
                                    name="Channel transitions (Markov order 1): thicker means more likely"
                                        .to_string()
                                    spec=graph
                                    testid="chart-transitions"
                                />
                            }
                        })
                }}
            </section>
        </section>
    }
}
