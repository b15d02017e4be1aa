//! `#/journeys`: the cross-channel journey map — sampled customer journeys of the analysed data
//! as day-by-day timelines with each touch's credit under the data-driven model and under the
//! chosen model, filters (channel, length, outcome, text) and pages; the channel graph laid out
//! by the engine's `journey_graph` (layers, strongly connected groups, the most probable paths
//! to conversion). The numbers come from `analysis::journey_map`, computed in the worker.

use crate::analysis::journey_map::{Filter, JourneyMap, MapJourney, OutcomeFilter, PAGE};
use crate::charts::series::{layered_graph, pct, ChartSpec};
use crate::components::chart::Chart;
use crate::pages::attribution::{ModelPicker, WorkbenchStatus};
use crate::state::workbench::Workbench;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::models::{Model, ModelParams};
use refleqt_engine::roi::{format_count, format_money};
use std::sync::Arc;

/// Transitions below this probability are left out of the drawing (the table lists them all).
const MIN_EDGE: f64 = 0.02;

/// The length choices: (value, label, min touches, max touches).
const LENGTHS: [(&str, &str, Option<usize>, Option<usize>); 5] = [
    ("", "Any length", None, None),
    ("1", "1 touch", Some(1), Some(1)),
    ("2-3", "2–3 touches", Some(2), Some(3)),
    ("4-6", "4–6 touches", Some(4), Some(6)),
    ("7+", "7 or more touches", Some(7), None),
];

fn map_of(analysis: Workbench) -> Option<Arc<JourneyMap>> {
    analysis
        .outcome
        .with(|o| o.as_ref().map(|o| Arc::new(o.journey_map.clone())))
}

/// `#/journeys`.
#[component]
pub fn JourneysPage(state: AppState, analysis: Workbench) -> impl IntoView {
    analysis.ensure_started();
    let map = Memo::new(move |_| map_of(analysis));
    let channel = RwSignal::new(String::new());
    let length = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let filter = Memo::new(move |_| {
        let (min_touches, max_touches) = LENGTHS
            .iter()
            .find(|l| l.0 == length.get())
            .map_or((None, None), |l| (l.2, l.3));
        Filter {
            channel: channel.get().parse().ok(),
            min_touches,
            max_touches,
            outcome: match outcome.get().as_str() {
                "converted" => OutcomeFilter::Converted,
                "not" => OutcomeFilter::NotConverted,
                _ => OutcomeFilter::Any,
            },
            search: search.get(),
        }
    });
    // A new filter starts at the first page.
    Effect::new(move |_| {
        filter.track();
        page.set(0);
    });
    let hits = Memo::new(move |_| {
        map.with(|m| {
            m.as_ref()
                .map(|m| m.filtered(&filter.get()))
                .unwrap_or_default()
        })
    });
    let pages = move || hits.with(|h| h.len().div_ceil(PAGE).max(1));
    let graph = Signal::derive(move || {
        map.with(|m| {
            ChartSpec::Graph(
                m.as_ref()
                    .map(|m| layered_graph(&m.graph, MIN_EDGE))
                    .unwrap_or_default(),
            )
        })
    });
    let has = move || map.with(Option::is_some);
    let currency = move || state.workspace.with(|ws| ws.settings.currency.clone());
    view! {
        <section class="page journeys" data-testid="journeys">
            <h1>"Journey map"</h1>
            <WorkbenchStatus analysis=analysis />
            <section aria-labelledby="journey-list">
                <h2 id="journey-list">"Customer journeys"</h2>
                <p class="hint" data-testid="journey-sample">
                    {move || {
                        map.with(|m| {
                            m.as_ref()
                                .map(|m| {
                                    format!(
                                        "A sample of {} of the {} journeys, drawn evenly through the data (plus journeys with rarely seen channels). Filters apply to the sample. Each touch's share of the conversion is shown under the data-driven model ({}) and under the model you choose.",
                                        format_count(m.journeys.len() as f64),
                                        format_count(m.total as f64),
                                        m.data_driven().label(),
                                    )
                                })
                                .unwrap_or_default()
                        })
                    }}
                </p>
                <ModelPicker analysis=analysis id="journeys-model" />
                <div class="filters" role="group" aria-label="Filter journeys">
                    <div class="field inline">
                        <label for="journey-channel">"Channel"</label>
                        <select
                            id="journey-channel"
                            data-testid="journey-channel"
                            prop:value=move || channel.get()
                            on:change=move |ev| channel.set(event_target_value(&ev))
                        >
                            <option value="">"All channels"</option>
                            {move || {
                                map.with(|m| {
                                    m.as_ref()
                                        .map(|m| {
                                            m.channels
                                                .iter()
                                                .enumerate()
                                                .map(|(i, name)| {
                                                    view! {
                                                        <option value=i.to_string()>{name.clone()}</option>
                                                    }
                                                })
                                                .collect_view()
                                        })
                                })
                            }}
                        </select>
                    </div>
                    <div class="field inline">
                        <label for="journey-length">"Length"</label>
                        <select
                            id="journey-length"
                            data-testid="journey-length"
                            prop:value=move || length.get()
                            on:change=move |ev| length.set(event_target_value(&ev))
                        >
                            {LENGTHS
                                .iter()
                                .map(|(v, label, _, _)| {
                                    view! { <option value=*v>{*label}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="field inline">
                        <label for="journey-outcome">"Outcome"</label>
                        <select
                            id="journey-outcome"
                            data-testid="journey-outcome"
                            prop:value=move || outcome.get()
                            on:change=move |ev| outcome.set(event_target_value(&ev))
                        >
                            <option value="">"Any outcome"</option>
                            <option value="converted">"Converted"</option>
                            <option value="not">"Did not convert"</option>
                        </select>
                    </div>
                    <div class="field inline">
                        <label for="journey-search">"Path contains"</label>
                        <input
                            id="journey-search"
                            data-testid="journey-search"
                            type="search"
                            placeholder="e.g. email → search"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <p role="status" data-testid="journey-count">
                    {move || {
                        has()
                            .then(|| {
                                let n = hits.with(Vec::len);
                                if n == 1 {
                                    "1 journey matches.".to_owned()
                                } else {
                                    format!("{} journeys match.", format_count(n as f64))
                                }
                            })
                    }}
                </p>
                <div class="journey-cards">
                    {move || {
                        let m = analysis.chosen.get();
                        let params = analysis.options.with(|o| o.params);
                        let cur = currency();
                        let start = page.get() * PAGE;
                        map.with(|map| {
                            map.as_ref()
                                .map(|map| {
                                    hits.with(|h| {
                                        h.iter()
                                            .skip(start)
                                            .take(PAGE)
                                            .filter_map(|&i| map.journeys.get(i))
                                            .map(|j| journey_card(map, j, m, &params, &cur))
                                            .collect_view()
                                    })
                                })
                        })
                    }}
                </div>
                <nav class="pager" aria-label="Journey pages">
                    <button
                        type="button"
                        data-testid="journeys-prev"
                        disabled=move || page.get() == 0
                        on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
                    >
                        "Previous"
                    </button>
                    <span data-testid="journeys-page">
                        {move || format!("Page {} of {}", page.get() + 1, pages())}
                    </span>
                    <button
                        type="button"
                        data-testid="journeys-next"
                        disabled=move || page.get() + 1
                    >
                        = pages()
                        on:click=move |_| page.update(|p| *p += 1)
                        >
                        "Next"
                    </button>
                </nav>
            </section>
            <section aria-labelledby="channel-graph">
                <h2 id="channel-graph">"Channel graph"</h2>
                <p class="hint">
                    "How customers move between channels (Markov order 1): start on the left, conversion and no conversion on the right; thicker means more likely. Channels in one column are equally far from the start."
                </p>
                {move || {
                    has()
                        .then(|| {
                            view! {
                                <Chart
                                    name="Channel graph: transitions between channels".to_string()
                                    spec=graph
                                    testid="chart-journey-graph"
                                />
                            }
                        })
                }}
                <h3>"Most probable paths to a conversion"</h3>
                <table
                    class="data"
                    aria-label="Most probable paths to a conversion"
                    data-testid="probable-paths"
                >
                    <thead>
                        <tr>
                            <th scope="col">"Path"</th>
                            <th scope="col">"Probability from the start"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            map.with(|m| {
                                m.as_ref()
                                    .map(|m| {
                                        m.graph
                                            .paths
                                            .iter()
                                            .map(|p| {
                                                let names: Vec<&str> = p
                                                    .nodes
                                                    .iter()
                                                    .filter_map(|&n| m.graph.nodes.get(n))
                                                    .map(String::as_str)
                                                    .collect();
                                                view! {
                                                    <tr>
                                                        <th scope="row">{names.join(" → ")}</th>
                                                        <td>{format!("{:.2} %", p.probability * 100.0)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()
                                    })
                            })
                        }}
                    </tbody>
                </table>
                <h3>"Channels customers move back and forth between"</h3>
                <ul data-testid="channel-groups">
                    {move || {
                        map.with(|m| {
                            m.as_ref()
                                .map(|m| {
                                    let groups: Vec<String> = m
                                        .graph
                                        .cycles()
                                        .map(|g| {
                                            g.iter()
                                                .filter_map(|&n| m.graph.nodes.get(n))
                                                .cloned()
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        })
                                        .collect();
                                    if groups.is_empty() {
                                        view! {
                                            <li>
                                                "None: every customer moves one way through the channels."
                                            </li>
                                        }
                                            .into_any()
                                    } else {
                                        groups
                                            .into_iter()
                                            .map(|g| view! { <li>{g}</li> })
                                            .collect_view()
                                            .into_any()
                                    }
                                })
                        })
                    }}
                </ul>
            </section>
        </section>
    }
}

/// One journey as a timeline table: day, channel, credit under both models; then the outcome.
fn journey_card(
    map: &JourneyMap,
    j: &MapJourney,
    chosen: Model,
    params: &ModelParams,
    currency: &str,
) -> impl IntoView {
    let dd = map.data_driven();
    let dd_credit = map.touch_credit(j, dd, params);
    let chosen_credit = map.touch_credit(j, chosen, params);
    let share = |c: &Option<Vec<f64>>, i: usize| match c {
        Some(v) => v
            .get(i)
            .map(|x| pct(x / j.conversions))
            .unwrap_or_else(|| "—".into()),
        None => "—".to_owned(),
    };
    let outcome = if j.converted() {
        let what = if j.conversions == 1.0 {
            "Conversion".to_owned()
        } else {
            format!("{} conversions", format_count(j.conversions))
        };
        format!("{what}, {}", format_money(j.revenue, currency))
    } else {
        "No conversion".to_owned()
    };
    let chosen_note = (j.converted() && chosen_credit.is_none())
        .then(|| format!("{} is not active on this data.", chosen.label()));
    let rows = j
        .touches
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let when = t
                .day
                .map_or_else(|| format!("Touch {}", i + 1), |d| format!("Day {d}"));
            view! {
                <tr>
                    <th scope="row">{when}</th>
                    <td>{map.channel_name(t.channel).to_owned()}</td>
                    <td data-testid="credit-data-driven">{share(&dd_credit, i)}</td>
                    <td data-testid="credit-chosen">{share(&chosen_credit, i)}</td>
                </tr>
            }
        })
        .collect_view();
    let end = j
        .end_day
        .map_or_else(|| "End".to_owned(), |d| format!("Day {d}"));
    let title = format!(
        "Journey {} · {} touch{} · {}",
        format_count(j.number as f64),
        j.touches.len(),
        if j.touches.len() == 1 { "" } else { "es" },
        if j.converted() {
            "converted"
        } else {
            "did not convert"
        },
    );
    view! {
        <article class="journey-card" data-testid="journey">
            <h3>{title.clone()}</h3>
            <table class="data timeline" aria-label=title>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">{format!("Credit: {}", dd.label())}</th>
                        <th scope="col">{format!("Credit: {}", chosen.label())}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows} <tr class="outcome">
                        <th scope="row">{end}</th>
                        <td colspan="3" data-testid="journey-outcome-cell">
                            {outcome}
                        </td>
                    </tr>
                </tbody>
            </table>
            {chosen_note.map(|n| view! { <p class="hint">{n}</p> })}
        </article>
    }
}
