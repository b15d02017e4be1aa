//! `#/attribution`: the workbench. Pick the data (demo with known truth, or a dropped/picked
//! event log or path table) and the parameters; read all seven models side by side with their
//! 95 % intervals, per-artifact credit, revenue, ROI and ROAS with their 95 % intervals and the
//! source of each cost (workspace or data file), the distance of each model from
//! the truth on simulated data, the recommendation for the workspace's settings, and export the
//! results. Runs happen in the Web Worker; this page only renders the outcome.

use crate::analysis::views::{self, artifacts, caution, channel_grid, has_negative_shapley};
use crate::analysis::{DataSource, RunOptions, Window, PERIODS};
use crate::charts::series::{model_shares, pct, ChartSpec};
use crate::components::chart::Chart;
use crate::state::workbench::{RunStatus, Workbench};
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::models::Model;
use refleqt_engine::recommend::BusinessType;
use refleqt_engine::report::{entries_csv, to_csv, CostSource};
use refleqt_engine::roi::{format_count, format_money, format_percent};
use refleqt_engine::simulate::TruthProcess;
use wasm_bindgen::JsCast;

/// What negative Shapley credit means, shown wherever it can appear.
pub const NEGATIVE_SHAPLEY: &str = "Shapley credit can be negative: a channel whose presence goes with a lower conversion rate than the same journeys without it (for example retargeting of people who were not going to buy) takes credit away. It is a real signal, not an error.";

/// `#/attribution`.
#[component]
pub fn AttributionPage(state: AppState, analysis: Workbench) -> impl IntoView {
    analysis.ensure_started();
    view! {
        <section class="page attribution" data-testid="attribution">
            <h1>"Attribution"</h1>
            <p class="lede">
                "Every model side by side, with 95 % intervals. Nothing leaves your browser."
            </p>
            <DataPicker analysis=analysis />
            <PeriodPicker analysis=analysis id="attribution-period" />
            <Parameters analysis=analysis />
            <Progress analysis=analysis />
            <Recommendation state=state analysis=analysis />
            <Results state=state analysis=analysis />
        </section>
    }
}

#[component]
pub fn DataPicker(analysis: Workbench) -> impl IntoView {
    let is_demo = move || analysis.source.with(|s| *s == DataSource::Demo);
    let dragging = RwSignal::new(false);
    let on_pick = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(f) = file {
            analysis.use_file(f);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(f) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            analysis.use_file(f);
        }
    };
    view! {
        <fieldset class="data-picker" data-testid="data-picker">
            <legend>"Data"</legend>
            <label class="inline">
                <input
                    type="radio"
                    name="data-source"
                    prop:checked=is_demo
                    on:change=move |_| analysis.use_demo()
                    data-testid="source-demo"
                />
                "Demo data (simulated journeys of the demo workspace, with known truth)"
            </label>
            <div
                class="drop"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="attribution-file">
                    "Event log, path table or GA4 BigQuery export (CSV or JSON): pick a file or drop it here"
                </label>
                <input
                    id="attribution-file"
                    type="file"
                    accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,text/csv,application/json"
                    on:change=on_pick
                    data-testid="source-file"
                />
                <p class="hint">
                    "Event logs need user, timestamp and channel columns (plus event and revenue for conversions); path tables need path, total_conversions, total_conversion_value and total_null."
                </p>
            </div>
            <StoredDatasets analysis=analysis />
            <p class="current" data-testid="source-label">
                "Analysing: "
                {move || analysis.source.with(DataSource::label)}
            </p>
        </fieldset>
    }
}

/// The data sets stored by the Import page, to analyse without re-reading their files.
#[component]
fn StoredDatasets(analysis: Workbench) -> impl IntoView {
    let list = LocalResource::new(crate::state::datasets::list);
    let chosen = RwSignal::new(String::new());
    let analyse = move |_| {
        let id = chosen.get_untracked();
        let name = list.get_untracked().and_then(|r| r.ok()).and_then(|all| {
            all.datasets
                .into_iter()
                .find(|m| m.id == id)
                .map(|m| m.name)
        });
        if let Some(name) = name {
            analysis.use_dataset(id, name);
        }
    };
    view! {
        <Suspense fallback=|| {
            view! { <p class="hint">"Looking for stored data sets…"</p> }
        }>
            {move || match list.get() {
                None => None,
                Some(Err(e)) => {
                    Some(
                        view! {
                            <p class="hint" data-testid="datasets-error">
                                "Stored data sets cannot be read: "
                                {e.to_string()}
                            </p>
                        }
                            .into_any(),
                    )
                }
                Some(Ok(listing)) if listing.datasets.is_empty() => {
                    Some(
                        view! {
                            <p class="hint" data-testid="datasets-none">
                                "No stored data sets yet: event logs and path tables imported on the "
                                <a href="#/import">"Import page"</a>
                                " appear here."
                            </p>
                        }
                            .into_any(),
                    )
                }
                Some(Ok(listing)) => {
                    let all = listing.datasets;
                    if chosen.get_untracked().is_empty() {
                        if let Some(first) = all.first() {
                            chosen.set(first.id.clone());
                        }
                    }
                    Some(
                        view! {
                            <div class="inline" data-testid="datasets">
                                <label for="stored-dataset">"Stored data set"</label>
                                <select
                                    id="stored-dataset"
                                    data-testid="stored-dataset"
                                    on:change=move |ev| chosen.set(event_target_value(&ev))
                                >
                                    {all
                                        .into_iter()
                                        .map(|m| {
                                            let label = format!(
                                                "{} — {} journeys",
                                                m.name,
                                                refleqt_engine::roi::format_count(m.journeys as f64),
                                            );
                                            view! { <option value=m.id.clone()>{label}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                <button type="button" on:click=analyse data-testid="use-dataset">
                                    "Analyse"
                                </button>
                            </div>
                        }
                            .into_any(),
                    )
                }
            }}
        </Suspense>
    }
}

/// A number input bound to one field of the run options: invalid text shows what to do and
/// does not start a run.
#[component]
fn NumberParam(
    analysis: Workbench,
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    get: fn(&RunOptions) -> f64,
    set: fn(&mut RunOptions, f64),
    valid: fn(f64) -> bool,
) -> impl IntoView {
    let error = RwSignal::new(false);
    let initial = analysis.options.with_untracked(get).to_string();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match text.trim().replace(',', ".").parse::<f64>() {
            Ok(v) if valid(v) => {
                error.set(false);
                analysis.options.update(|o| set(o, v));
                analysis.schedule();
            }
            _ => error.set(true),
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="number"
                step="any"
                value=initial
                on:input=on_input
                aria-invalid=move || error.get().to_string()
                data-testid=id
            />
            <small class="hint">{hint}</small>
            {move || {
                error
                    .get()
                    .then(|| {
                        view! {
                            <p class="error" role="alert">
                                "Not used: "
                                {hint}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn Parameters(analysis: Workbench) -> impl IntoView {
    let order = move |ev: leptos::ev::Event| {
        if let Ok(k) = event_target_value(&ev).parse::<u8>() {
            analysis.options.update(|o| o.params.markov_order = k);
            analysis.schedule();
        }
    };
    view! {
        <fieldset class="parameters" data-testid="parameters">
            <legend>"Parameters"</legend>
            <div class="grid">
                <NumberParam
                    analysis=analysis
                    id="param-lookback"
                    label="Lookback window (days)"
                    hint="Event logs only; a positive number of days, e.g. 30."
                    get={|o| o.lookback_days}
                    set={|o, v| o.lookback_days = v}
                    valid={|v| v > 0.0 && v <= 3650.0}
                />
                <NumberParam
                    analysis=analysis
                    id="param-half-life"
                    label="Time-decay half-life (days)"
                    hint="A positive number of days, e.g. 7."
                    get={|o| o.params.half_life_days}
                    set={|o, v| o.params.half_life_days = v}
                    valid={|v| v > 0.0 && v.is_finite()}
                />
                <NumberParam
                    analysis=analysis
                    id="param-first"
                    label="Position-based: first touch (%)"
                    hint="0 to 100; first and last together at most 100."
                    get={|o| o.params.position_first * 100.0}
                    set={|o, v| o.params.position_first = v / 100.0}
                    valid={|v| (0.0..=100.0).contains(&v)}
                />
                <NumberParam
                    analysis=analysis
                    id="param-last"
                    label="Position-based: last touch (%)"
                    hint="0 to 100; first and last together at most 100."
                    get={|o| o.params.position_last * 100.0}
                    set={|o, v| o.params.position_last = v / 100.0}
                    valid={|v| (0.0..=100.0).contains(&v)}
                />
                <div class="field">
                    <label for="param-markov-order">"Markov order"</label>
                    <select
                        id="param-markov-order"
                        on:change=order
                        data-testid="param-markov-order"
                    >
                        {(1u8..=4)
                            .map(|k| {
                                view! {
                                    <option
                                        value=k.to_string()
                                        selected=move || {
                                            analysis.options.with(|o| o.params.markov_order == k)
                                        }
                                    >
                                        {k.to_string()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <small class="hint">"States remember the last k channels (1 = classic)."</small>
                </div>
                <div class="field">
                    <label class="inline">
                        <input
                            type="checkbox"
                            prop:checked=move || analysis.options.with(|o| o.params.last_non_direct)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                analysis.options.update(|o| o.params.last_non_direct = on);
                                analysis.schedule();
                            }
                            data-testid="param-last-non-direct"
                        />
                        "Last touch skips direct visits (last non-direct)"
                    </label>
                    <label class="inline">
                        <input
                            type="checkbox"
                            prop:checked=move || analysis.options.with(|o| o.params.force_logistic)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                analysis.options.update(|o| o.params.force_logistic = on);
                                analysis.schedule();
                            }
                            data-testid="param-force-logistic"
                        />
                        "Run the data-driven (logistic) model even below 1,000 conversions"
                    </label>
                    <label class="inline">
                        <input
                            type="checkbox"
                            prop:checked=move || analysis.options.with(|o| o.replicates > 0)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                analysis
                                    .options
                                    .update(|o| o.replicates = if on { 200 } else { 0 });
                                analysis.schedule();
                            }
                            data-testid="param-intervals"
                        />
                        "95 % intervals (200 bootstrap replicates)"
                    </label>
                </div>
            </div>
        </fieldset>
    }
}

/// The run's progress, its timing or its error (shared with the Overview).
#[component]
pub fn Progress(analysis: Workbench) -> impl IntoView {
    view! {
        <div
            class="run-status"
            role="status"
            aria-live="polite"
            data-testid="run-status"
            data-state=move || {
                analysis
                    .status
                    .with(|s| match s {
                        RunStatus::Idle => "idle",
                        RunStatus::Running { .. } => "running",
                        RunStatus::Refining { .. } => "refining",
                        RunStatus::Failed(_) => "failed",
                    })
            }
        >
            {move || match analysis.status.get() {
                RunStatus::Idle => {
                    analysis
                        .first_result_ms
                        .get()
                        .map(|ms| {
                            view! {
                                <span class="muted">
                                    {format!(
                                        "Results in {:.0} ms{}.",
                                        ms,
                                        if analysis.in_worker.get() {
                                            " (computed in a background worker)"
                                        } else {
                                            ""
                                        },
                                    )}
                                </span>
                            }
                                .into_any()
                        })
                        .unwrap_or_else(|| ().into_any())
                }
                RunStatus::Running { step, fraction } => {
                    view! {
                        <label>
                            {format!("{step}…")}
                            <progress max="1" value=fraction.to_string()></progress>
                        </label>
                    }
                        .into_any()
                }
                RunStatus::Refining { step } => {
                    view! {
                        <span>{format!("Results shown; {step}…")} <progress></progress></span>
                    }
                        .into_any()
                }
                RunStatus::Failed(message) => {
                    view! {
                        <p class="error" role="alert" data-testid="run-error">
                            {message}
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn Recommendation(state: AppState, analysis: Workbench) -> impl IntoView {
    let settings = Memo::new(move |_| {
        state
            .workspace
            .with(|ws| (ws.settings.business_type, ws.settings.sales_cycle_days))
    });
    let cycle_error = RwSignal::new(false);
    let set_business = move |ev: leptos::ev::Event| {
        let b = if event_target_value(&ev) == "b2b" {
            BusinessType::B2b
        } else {
            BusinessType::B2c
        };
        state.change(|ws| ws.settings.business_type = b);
    };
    let set_cycle = move |ev: leptos::ev::Event| match event_target_value(&ev).trim().parse::<u32>()
    {
        Ok(d) if d <= 3650 => {
            cycle_error.set(false);
            state.change(|ws| ws.settings.sales_cycle_days = d);
        }
        _ => cycle_error.set(true),
    };
    let sentence = move || {
        let (b, c) = settings.get();
        analysis
            .outcome
            .with(|o| o.as_ref().map(|o| views::recommendation(o, b, c)))
    };
    view! {
        <section class="recommendation" aria-labelledby="rec-title" data-testid="recommendation">
            <h2 id="rec-title">"Which model to read first"</h2>
            <div class="grid">
                <div class="field">
                    <label for="business-type">"Business type"</label>
                    <select id="business-type" on:change=set_business data-testid="business-type">
                        <option value="b2c" selected=move || settings.get().0 == BusinessType::B2c>
                            "B2C (consumers)"
                        </option>
                        <option value="b2b" selected=move || settings.get().0 == BusinessType::B2b>
                            "B2B (businesses)"
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label for="sales-cycle">
                        "Sales cycle (days from first touch to purchase)"
                    </label>
                    <input
                        id="sales-cycle"
                        type="number"
                        min="0"
                        step="1"
                        value=move || settings.get().1.to_string()
                        on:change=set_cycle
                        data-testid="sales-cycle"
                    />
                    {move || {
                        cycle_error
                            .get()
                            .then(|| {
                                view! {
                                    <p class="error" role="alert">
                                        "Enter whole days between 0 and 3650."
                                    </p>
                                }
                            })
                    }}
                </div>
            </div>
            <p
                class="sentence"
                data-testid="recommendation-sentence"
                data-model=move || sentence().map(|r| r.model.key())
            >
                {move || {
                    sentence()
                        .map(|r| r.sentence)
                        .unwrap_or_else(|| "Waiting for results…".into())
                }}
            </p>
            <p class="hint">
                "The rules, in order: under 100 conversions a month → last touch; a sales cycle over 30 days → time-decay; B2B → position-based; over 1,000 a month → data-driven; otherwise linear. All models stay visible below."
            </p>
        </section>
    }
}

#[component]
fn Results(state: AppState, analysis: Workbench) -> impl IntoView {
    // A refused download says why, as on the Settings page.
    let export_error = RwSignal::new(None::<String>);
    let report_download = move |result: Result<(), web_tools::BrowserError>| {
        export_error.set(result.err().map(|e| format!("The download failed: {e}.")));
    };
    move || {
        let Some(outcome) = analysis.outcome.get() else {
            return ().into_any();
        };
        let report = outcome.report.clone();
        let currency = state
            .workspace
            .with_untracked(|ws| ws.settings.currency.clone());
        let grid = channel_grid(&report);
        let note = caution(&report);
        let negative = has_negative_shapley(&report);
        let shares = Signal::derive(move || {
            analysis.outcome.with(|o| {
                o.as_ref()
                    .map(|o| ChartSpec::Bars(model_shares(&o.report)))
                    .unwrap_or(ChartSpec::Bars(model_shares(&report)))
            })
        });
        let report = outcome.report.clone();
        let csv_report = report.clone();
        let export_csv = move |_| {
            report_download(web_tools::download(
                "refleqt-attribution.csv",
                "text/csv",
                &to_csv(&csv_report),
            ));
        };
        let entries_report = report.clone();
        let export_entries = move |_| {
            report_download(web_tools::download(
                "refleqt-artifacts.csv",
                "text/csv",
                &entries_csv(&entries_report),
            ));
        };
        let json_report = report.clone();
        let export_json = move |_| match serde_json::to_string_pretty(&json_report) {
            Ok(text) => report_download(web_tools::download(
                "refleqt-attribution.json",
                "application/json",
                &text,
            )),
            Err(e) => export_error.set(Some(format!("The download failed: {e}."))),
        };
        let t = &report.totals;
        view! {
            <section
                class="results"
                aria-labelledby="results-title"
                data-testid="results"
                data-intervals=outcome.with_intervals.to_string()
            >
                <h2 id="results-title">"All seven models"</h2>
                <p class="summary">
                    {format!(
                        "{} conversions, {} revenue, {} journeys without conversion",
                        format_count(t.conversions),
                        format_money(t.revenue, &currency),
                        format_count(t.non_converting_journeys),
                    )}
                    {report
                        .input
                        .date_range
                        .as_ref()
                        .map(|[a, b]| {
                            format!(", {} to {}", &a[..10.min(a.len())], &b[..10.min(b.len())])
                        })} "."
                </p>
                {input_notes(&report.input)
                    .into_iter()
                    .map(|n| {
                        view! {
                            <p class="hint" data-testid="input-note">
                                {n}
                            </p>
                        }
                    })
                    .collect_view()}
                {outcome
                    .window
                    .map(|w| {
                        view! {
                            <p class="summary" data-testid="results-window">
                                {format!("Period: {}.", window_text(w))}
                            </p>
                        }
                    })}
                {note
                    .map(|n| {
                        view! {
                            <p class="note caution" role="note" data-testid="data-driven-caution">
                                <strong>"Markov and Shapley: "</strong>
                                {n}
                            </p>
                        }
                    })}
                {(!report.skipped.is_empty())
                    .then(|| {
                        view! {
                            <ul class="note" data-testid="skipped">
                                {report
                                    .skipped
                                    .iter()
                                    .map(|s| {
                                        view! {
                                            <li>
                                                {format!("{} not run: {}", s.model.label(), s.reason)}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })}
                <div class="table-wrap">
                    <table
                        class="data grid-table"
                        aria-label="Credit per channel under each model"
                        data-testid="model-grid"
                    >
                        <caption>
                            "Credit per channel under each model: share of conversions (95 % interval), conversions and revenue"
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">"Channel"</th>
                                {Model::ALL
                                    .iter()
                                    .map(|m| {
                                        let title = (*m == Model::Shapley)
                                            .then_some(NEGATIVE_SHAPLEY);
                                        view! {
                                            <th scope="col" data-model=m.key() title=title>
                                                {m.label()}
                                                {m.is_data_driven().then_some(" *")}
                                            </th>
                                        }
                                    })
                                    .collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {grid
                                .into_iter()
                                .map(|row| {
                                    let channel = row.channel.clone();
                                    view! {
                                        <tr data-channel=channel.clone()>
                                            <th scope="row">{channel.clone()}</th>
                                            {row
                                                .cells
                                                .into_iter()
                                                .zip(Model::ALL)
                                                .map(|(cell, m)| match cell {
                                                    Some(c) => {
                                                        let iv = c
                                                            .share_low
                                                            .zip(c.share_high)
                                                            .map(|(l, h)| format!("{} – {}", pct(l), pct(h)));
                                                        view! {
                                                            <td
                                                                data-model=m.key()
                                                                data-share=c.share.to_string()
                                                                class:negative=c.conversions < 0.0
                                                            >
                                                                <span class="share">{pct(c.share)}</span>
                                                                {iv.map(|i| view! { <span class="interval">{i}</span> })}
                                                                <span class="detail">
                                                                    {format!("{} conv", format_count(c.conversions))}
                                                                </span>
                                                                <span class="detail">
                                                                    {format_money(c.revenue, &currency)}
                                                                </span>
                                                            </td>
                                                        }
                                                            .into_any()
                                                    }
                                                    None => {
                                                        view! { <td data-model=m.key()>"—"</td> }.into_any()
                                                    }
                                                })
                                                .collect_view()}
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="hint">"* Data-driven models. " {negative.then_some(NEGATIVE_SHAPLEY)}</p>
                <Chart
                    name="Share of conversions per channel and model (bars) with 95 % intervals (whiskers)"
                        .to_string()
                    spec=shares
                    testid="chart-model-shares"
                />
                <Truth analysis=analysis />
                <Artifacts state=state analysis=analysis />
                <div class="actions">
                    <button type="button" on:click=export_csv data-testid="export-csv">
                        "Download results (CSV)"
                    </button>
                    <button type="button" on:click=export_entries data-testid="export-entries-csv">
                        "Download per-artifact results (CSV)"
                    </button>
                    <button type="button" on:click=export_json data-testid="export-json">
                        "Download context export (JSON)"
                    </button>
                </div>
                {move || {
                    export_error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="error" role="alert" data-testid="export-error">
                                    {e}
                                </p>
                            }
                        })
                }}
                <script type="application/json" id="report-json" data-testid="report-json">
                    {serde_json::to_string(&report).unwrap_or_default()}
                </script>
            </section>
        }
        .into_any()
    }
}

/// Which causal process simulates the demo's journeys: every model's distance from the truth
/// can be read under each (the simulator's interactions). The default is the demo workspace's.
#[component]
fn ProcessPicker(analysis: Workbench) -> impl IntoView {
    let current = move || analysis.options.with(|o| o.demo_process.key());
    let change = move |ev: leptos::ev::Event| {
        if let Some(p) = TruthProcess::from_key(&event_target_value(&ev)) {
            analysis.options.update(|o| o.demo_process = p);
            analysis.run_now();
        }
    };
    view! {
        <div class="inline">
            <label for="truth-process">"Process that generates the demo data"</label>
            <select id="truth-process" data-testid="truth-process" on:change=change>
                {TruthProcess::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <option value=p.key() selected=move || current() == p.key()>
                                {p.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Truth(analysis: Workbench) -> impl IntoView {
    move || {
        analysis.outcome.with(|o| {
            let o = o.as_ref()?;
            let r = &o.report;
            let truth = r.truth.as_ref()?;
            let generated = o.process.map(|p| {
                format!(
                    "These journeys were generated by the {} process: {}.",
                    p.key(),
                    p.label().to_lowercase()
                )
            });
            let mut by: Vec<(String, f64)> = r
                .models
                .iter()
                .filter_map(|m| Some((m.label.clone(), m.truth_l1?)))
                .collect();
            by.sort_by(|a, b| a.1.total_cmp(&b.1));
            Some(view! {
                <section class="truth" aria-labelledby="truth-title" data-testid="truth">
                    <h3 id="truth-title">"How far each model lands from the known truth"</h3>
                    <p class="hint">
                        "On simulated data we know each channel's real contribution — the one thing no other attribution tool can show. Distance is L1 over channel shares: 0 is perfect, 200 % is as wrong as possible."
                    </p>
                    <ProcessPicker analysis=analysis />
                    <p data-testid="truth-process-said">{generated}</p>
                    <p class="hint">
                        "Under the additive process each conversion has one true cause, which flatters Shapley; under synergy some channels only work together, under order awareness must come before retargeting. Compare the models under each."
                    </p>
                    <div class="two">
                        <table
                            class="data"
                            aria-label="Distance from the truth per model"
                            data-testid="truth-distances"
                        >
                            <thead>
                                <tr>
                                    <th scope="col">"Model"</th>
                                    <th scope="col">"Distance (L1)"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {by
                                    .into_iter()
                                    .map(|(m, d)| {
                                        view! {
                                            <tr>
                                                <th scope="row">{m}</th>
                                                <td>{pct(d)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        <table class="data" aria-label="True shares per channel">
                            <thead>
                                <tr>
                                    <th scope="col">"Channel"</th>
                                    <th scope="col">"True share"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {truth
                                    .shares
                                    .iter()
                                    .map(|(c, s)| {
                                        view! {
                                            <tr>
                                                <th scope="row">{c.clone()}</th>
                                                <td>{pct(*s)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            })
        })
    }
}

/// A period picker bound to the shared run options: all the data, or its last days.
#[component]
pub fn PeriodPicker(analysis: Workbench, id: &'static str) -> impl IntoView {
    view! {
        <div class="field inline-field">
            <label for=id>"Period"</label>
            <select
                id=id
                data-testid=id
                on:change=move |ev| {
                    let days = event_target_value(&ev).parse::<u32>().ok();
                    analysis.options.update(|o| o.period_days = days);
                    analysis.run_now();
                }
            >
                <option
                    value=""
                    selected=move || analysis.options.with(|o| o.period_days.is_none())
                >
                    "All data"
                </option>
                {PERIODS
                    .iter()
                    .map(|&d| {
                        view! {
                            <option
                                value=d.to_string()
                                selected=move || analysis.options.with(|o| o.period_days == Some(d))
                            >
                                {format!("Last {d} days of the data")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The analysed window in words ("Jan 02, 2025 to Mar 31, 2025"), when a period was chosen.
pub fn window_text(w: Window) -> String {
    let day = |ms: i64| crate::model::date::Date::from_unix_ms(ms).to_string();
    format!("{} to {}", day(w.from_ms), day(w.to_ms - 1))
}

/// What the workbench's results come from, "Computing…" while it runs and its failure in words:
/// the head of every page that shows the workbench's results away from this page.
#[component]
pub fn WorkbenchStatus(analysis: Workbench) -> impl IntoView {
    view! {
        <p class="lede">
            {move || {
                analysis
                    .source
                    .with(|s| format!("Data: {}. Change it on the Attribution page.", s.label()))
            }}
        </p>
        {move || {
            matches!(analysis.status.get(), RunStatus::Running { .. })
                .then(|| view! { <p role="status">"Computing…"</p> })
        }}
        {move || match analysis.status.get() {
            RunStatus::Failed(m) => {
                Some(
                    view! {
                        <p class="error" role="alert">
                            {m}
                        </p>
                    },
                )
            }
            _ => None,
        }}
    }
}

/// A model picker bound to the shared chosen model.
#[component]
pub fn ModelPicker(analysis: Workbench, id: &'static str) -> impl IntoView {
    view! {
        <div class="field inline-field">
            <label for=id>"Model"</label>
            <select
                id=id
                data-testid=id
                on:change=move |ev| {
                    if let Some(m) = Model::from_key(&event_target_value(&ev)) {
                        analysis.chosen.set(m);
                    }
                }
            >
                {Model::ALL
                    .iter()
                    .map(|m| {
                        let m = *m;
                        view! {
                            <option value=m.key() selected=move || analysis.chosen.get() == m>
                                {m.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Artifacts(state: AppState, analysis: Workbench) -> impl IntoView {
    let rows = move || {
        let m = analysis.chosen.get();
        analysis.outcome.with(|o| {
            o.as_ref()
                .map(|o| {
                    state
                        .workspace
                        .with_untracked(|ws| artifacts(&o.report, m, ws))
                })
                .unwrap_or_default()
        })
    };
    let currency = move || {
        state
            .workspace
            .with_untracked(|ws| ws.settings.currency.clone())
    };
    let sources = move || {
        let rows = rows();
        let count = |s: CostSource| rows.iter().filter(|a| a.row.cost_source == Some(s)).count();
        cost_sources_note(count(CostSource::Workspace), count(CostSource::Data))
    };
    view! {
        <section class="artifacts" aria-labelledby="artifacts-title" data-testid="artifacts">
            <h3 id="artifacts-title">"Per artifact (calendar entry)"</h3>
            <ModelPicker analysis=analysis id="artifact-model" />
            <p class="hint" data-testid="artifact-cost-sources">
                {sources}
            </p>
            {move || {
                let m = analysis.chosen.get();
                analysis
                    .outcome
                    .with(|o| {
                        o.as_ref()
                            .and_then(|o| views::model(&o.report, m))
                            .and_then(|r| r.artifacts.clone())
                    })
                    .map(|t| view! { <ArtifactTotalsLine totals=t currency=currency() /> })
            }}
            <div class="table-wrap">
                <table
                    class="data"
                    aria-label="Credit, cost, ROI and ROAS per calendar entry under the chosen model"
                >
                    <thead>
                        <tr>
                            <th scope="col">"Entry"</th>
                            <th scope="col">"Campaign"</th>
                            <th scope="col">"Conversions"</th>
                            <th scope="col">"Revenue"</th>
                            <th scope="col">"Cost"</th>
                            <th scope="col">"Cost from"</th>
                            <th scope="col">"ROI"</th>
                            <th scope="col">"ROAS"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let cur = currency();
                            rows()
                                .into_iter()
                                .map(|a| {
                                    let r = a.row;
                                    view! {
                                        <tr data-entry=a.entry_id.to_string()>
                                            <th scope="row">
                                                <a href=format!("#/entry/{}", a.entry_id)>{a.title}</a>
                                            </th>
                                            <td>{a.campaign}</td>
                                            <td data-col="conversions">
                                                {format_count(r.conversions)}
                                                {range(r.conversions_low, r.conversions_high, format_count)}
                                            </td>
                                            <td data-col="revenue">
                                                {format_money(r.revenue, &cur)}
                                                {range(
                                                    r.revenue_low,
                                                    r.revenue_high,
                                                    |x| format_money(x, &cur),
                                                )}
                                            </td>
                                            <td data-col="cost">
                                                {r
                                                    .cost
                                                    .map(|c| format_money(c, &cur))
                                                    .unwrap_or_else(|| "—".into())}
                                            </td>
                                            <td data-col="cost-source">
                                                {r.cost_source.map_or("—", CostSource::label)}
                                            </td>
                                            <td data-col="roi">
                                                {r.roi.map(format_percent).unwrap_or_else(|| "—".into())}
                                                {range(r.roi_low, r.roi_high, format_percent)}
                                            </td>
                                            <td data-col="roas">
                                                {r
                                                    .roas
                                                    .map(|x| format!("{x:.2}×"))
                                                    .unwrap_or_else(|| "—".into())}
                                                {range(r.roas_low, r.roas_high, |x| format!("{x:.2}×"))}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// An interval shown after its estimate, as on the channel grid; nothing without one.
fn range(low: Option<f64>, high: Option<f64>, show: impl Fn(f64) -> String) -> Option<AnyView> {
    low.zip(high).map(|(l, h)| {
        view! { <span class="interval">{format!("{} – {}", show(l), show(h))}</span> }.into_any()
    })
}

/// Where the artifacts' costs came from, in words.
fn cost_sources_note(workspace: usize, data: usize) -> String {
    let entries = |n: usize| {
        if n == 1 {
            "1 entry".to_owned()
        } else {
            format!("{n} entries")
        }
    };
    match (workspace, data) {
        (0, 0) => "No artifact has a cost yet: enter costs on the calendar entries to see ROI and ROAS.".to_owned(),
        (w, 0) => format!("Costs of {} from the workspace's calendar entries.", entries(w)),
        (0, d) => format!("Costs of {} from the data file's cost column (none of them has a cost in the workspace).", entries(d)),
        (w, d) => format!("Costs of {} from the workspace's calendar entries, {} from the data file's cost column.", entries(w), entries(d)),
    }
}

/// All artifacts together under the chosen model: the figures the Overview leads with.
#[component]
pub fn ArtifactTotalsLine(
    totals: refleqt_engine::report::ArtifactTotals,
    currency: String,
) -> impl IntoView {
    let revenue = format_money(totals.revenue, &currency);
    let revenue_range = range(totals.revenue_low, totals.revenue_high, |x| {
        format_money(x, &currency)
    });
    let cost = totals
        .cost
        .map(|c| format_money(c, &currency))
        .unwrap_or_else(|| "no cost".into());
    let roi = totals.roi.map(format_percent).unwrap_or_else(|| "—".into());
    let roi_range = range(totals.roi_low, totals.roi_high, format_percent);
    view! {
        <p class="artifact-totals" data-testid="artifact-totals">
            "All artifacts together: revenue "
            <strong data-testid="totals-revenue">{revenue}</strong>
            {revenue_range}
            ", cost "
            <strong data-testid="totals-cost">{cost}</strong>
            ", ROI "
            <strong data-testid="totals-roi">{roi}</strong>
            {roi_range}
            "."
        </p>
    }
}

/// What the page says about the input besides the totals: rows rejected while reading (with the
/// first few), what the rows of a path table are, and where a `(direct)` credit comes from.
pub fn input_notes(input: &refleqt_engine::report::InputSummary) -> Vec<String> {
    let mut notes = Vec::new();
    if input.format == "paths" {
        notes.push(format!(
            "The file is a path table: {} paths standing for {} journeys.",
            format_count(input.distinct_rows as f64),
            format_count(input.journeys)
        ));
    }
    if input.rows_rejected > 0 {
        let first: Vec<String> = input
            .rejected
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "line {}{}: {}",
                    r.line,
                    r.column
                        .as_ref()
                        .map(|c| format!(", column {c}"))
                        .unwrap_or_default(),
                    r.reason
                )
            })
            .collect();
        notes.push(format!(
            "{} of {} rows were rejected while reading and are not in these results (first: {}).",
            format_count(input.rows_rejected as f64),
            format_count((input.rows_accepted + input.rows_rejected) as f64),
            first.join("; ")
        ));
    }
    if input
        .channels
        .iter()
        .any(|c| c == refleqt_engine::assemble::DIRECT_CHANNEL)
    {
        notes.push(format!(
            "\u{201c}{}\u{201d} is credited for conversions with no touch in the lookback window before them: the file holds no earlier visit of that person with a source.",
            refleqt_engine::assemble::DIRECT_CHANNEL
        ));
    }
    notes
}

#[cfg(test)]
mod input_note_tests {
    use super::input_notes;
    use refleqt_engine::parse::{RowError, RowReason};
    use refleqt_engine::report::InputSummary;

    fn input(format: &str) -> InputSummary {
        InputSummary {
            source: "paths.csv".into(),
            format: format.into(),
            delimiter: ",".into(),
            rows_accepted: 10_000,
            rows_rejected: 0,
            rejected: Vec::new(),
            columns: Vec::new(),
            journeys: 52_000.0,
            distinct_rows: 10_000,
            touches: 0.0,
            channels: vec!["Email".into()],
            date_range: None,
        }
    }

    #[test]
    fn path_rows_are_paths_rejections_are_summarised_and_direct_is_explained() {
        let notes = input_notes(&input("paths"));
        assert_eq!(
            notes,
            vec!["The file is a path table: 10,000 paths standing for 52,000 journeys.".to_owned()]
        );
        let mut events = input("events");
        events.rows_rejected = 2;
        events.rejected = vec![RowError {
            line: 7,
            column: Some("timestamp".into()),
            reason: RowReason::Empty,
        }];
        events.channels.push("(direct)".into());
        let notes = input_notes(&events);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].starts_with("2 of 10,002 rows were rejected while reading and are not in these results (first: line 7, column timestamp:"),
            "{}",
            notes[0]
        );
        assert!(notes[1].contains("(direct)"), "{}", notes[1]);
        assert!(input_notes(&input("events")).is_empty());
    }
}
