//! `#/`: the Overview, "how are we doing?" at a glance. For the chosen period and model (the
//! same shared choices as the Attribution page, so both show the same figures): spend on the
//! calendar entries, the revenue the model credits to them and their ROI, each with its 95 %
//! interval and the change against the period before; the best and worst artifacts by ROI; what
//! needs attention (entries without results, a stale or missing import — a list later modules
//! extend); and the next planned entries. The figures come from `analysis::overview`.

use crate::analysis::overview::{
    attention, best_and_worst, change, headline, upcoming, Attention, ImportInfo,
};
use crate::analysis::views::ArtifactRow;
use crate::analysis::Outcome;
use crate::model::date::Date;
use crate::pages::attribution::{window_text, ModelPicker, PeriodPicker, Progress};
use crate::state::workbench::Workbench;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::report::ArtifactTotals;
use refleqt_engine::roi::{format_money, format_percent};
use std::collections::BTreeSet;
use std::sync::Arc;

/// How many planned entries the overview lists.
const NEXT_ENTRIES: usize = 5;

/// How many attention items are listed before "and N more".
const ATTENTION_SHOWN: usize = 6;

/// The Overview.
#[component]
pub fn Home(state: AppState, analysis: Workbench) -> impl IntoView {
    analysis.ensure_started();
    let today = Date::from_unix_ms(web_tools::now_ms());
    let imports = LocalResource::new(crate::state::datasets::list);
    view! {
        <section class="page home" data-testid="home">
            <h1>"Overview"</h1>
            <p class="lede">
                "How your calendar entries are doing. Every figure is computed in this browser tab; your data never leaves your machine."
            </p>
            <div class="overview-controls">
                <p class="hint" data-testid="overview-source">
                    {move || format!("Data: {}. ", analysis.source.with(|s| s.label()))}
                    <a href="#/attribution">"Change the data on the Attribution page"</a>
                </p>
                <PeriodPicker analysis=analysis id="overview-period" />
                <ModelPicker analysis=analysis id="overview-model" />
            </div>
            <Progress analysis=analysis />
            <Figures state=state analysis=analysis />
            <div class="overview-columns">
                <section aria-labelledby="attention-title" data-testid="attention">
                    <h2 id="attention-title">"Needs attention"</h2>
                    {move || {
                        let credited: BTreeSet<u64> = analysis
                            .outcome
                            .with(|o| {
                                o.as_ref()
                                    .map(|o| {
                                        o.report
                                            .models
                                            .iter()
                                            .flat_map(|m| m.entries.iter().map(|e| e.entry))
                                            .collect()
                                    })
                                    .unwrap_or_default()
                            });
                        let stored: Vec<ImportInfo> = imports
                            .get()
                            .and_then(Result::ok)
                            .map(|l| {
                                l.datasets
                                    .into_iter()
                                    .map(|d| ImportInfo {
                                        name: d.name,
                                        imported_at: d.imported_at,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let items = state
                            .values
                            .with(|values| {
                                state
                                    .workspace
                                    .with(|ws| attention(ws, values, today, &credited, &stored))
                            });
                        attention_list(items)
                    }}
                </section>
                <section aria-labelledby="next-title" data-testid="next-entries">
                    <h2 id="next-title">"Next planned entries"</h2>
                    {move || {
                        let next = state.workspace.with(|ws| upcoming(ws, today, NEXT_ENTRIES));
                        if next.is_empty() {
                            view! {
                                <p class="hint">
                                    "Nothing planned from today on. "
                                    <a href="#/calendar/new">"Plan an entry"</a>
                                </p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <ul class="plain-list">
                                    {next
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <li>
                                                    <span class="muted">{e.publish_date.to_string()}</span>
                                                    " "
                                                    <a href=format!(
                                                        "#/entry/{}",
                                                        e.entry_id,
                                                    )>{e.title.clone()}</a>
                                                    " "
                                                    <span class="muted">{format!("({})", e.channel)}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    }}
                </section>
            </div>
        </section>
    }
}

fn attention_list(items: Vec<Attention>) -> AnyView {
    if items.is_empty() {
        return view! { <p class="hint">"Nothing needs your attention."</p> }.into_any();
    }
    let more = items.len().saturating_sub(ATTENTION_SHOWN);
    view! {
        <ul class="plain-list attention-list">
            {items
                .into_iter()
                .take(ATTENTION_SHOWN)
                .map(|a| {
                    view! {
                        <li>
                            <a href=a.href()>{a.message()}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p class="hint">{format!("… and {more} more.")}</p> })}
    }
    .into_any()
}

/// The headline cards and the best and worst artifacts.
#[component]
fn Figures(state: AppState, analysis: Workbench) -> impl IntoView {
    move || {
        let outcome: Option<Arc<Outcome>> = analysis.outcome.get();
        let outcome = outcome?;
        let m = analysis.chosen.get();
        let currency = state
            .workspace
            .with_untracked(|ws| ws.settings.currency.clone());
        let period = outcome
            .window
            .map(window_text)
            .unwrap_or_else(|| "all the data".to_owned());
        let Some(h) = headline(&outcome, m) else {
            return Some(
                view! {
                    <p class="note" data-testid="overview-no-artifacts">
                        {format!(
                            "The analysed data ({period}) tags none of your calendar entries, so nothing can be credited to them. Tag your links with utm_content=cal-<id> (each entry's page gives its link).",
                        )}
                    </p>
                }
                    .into_any(),
            );
        };
        let (best, worst) = state
            .workspace
            .with_untracked(|ws| best_and_worst(&outcome, m, ws));
        let before = h.before.clone();
        let cur = currency.clone();
        Some(
            view! {
                <section
                    aria-labelledby="figures-title"
                    data-testid="overview-figures"
                    data-intervals=outcome.with_intervals.to_string()
                >
                    <h2 id="figures-title">{format!("{} — {}", m.label(), period)}</h2>
                    <div class="cards">
                        <Card
                            label="Spend on your entries"
                            testid="overview-spend"
                            value=h.now.cost.map(|c| format_money(c, &cur))
                            range=None
                            change=h
                                .now
                                .cost
                                .zip(before.as_ref().and_then(|b| b.cost))
                                .and_then(|(n, b)| change(n, b))
                        />
                        <Card
                            label="Revenue credited to them"
                            testid="overview-revenue"
                            value=Some(format_money(h.now.revenue, &cur))
                            range=money_range(&h.now, &cur)
                            change=before.as_ref().and_then(|b| change(h.now.revenue, b.revenue))
                        />
                        <Card
                            label="ROI"
                            testid="overview-roi"
                            value=h.now.roi.map(format_percent)
                            range=h
                                .now
                                .roi_low
                                .zip(h.now.roi_high)
                                .map(|(l, hi)| {
                                    format!("{} – {}", format_percent(l), format_percent(hi))
                                })
                            change=None
                        />
                    </div>
                    {before
                        .as_ref()
                        .map(|b| {
                            view! {
                                <p class="hint" data-testid="overview-before">
                                    {format!(
                                        "The period before: spend {}, revenue {}, ROI {}.",
                                        b
                                            .cost
                                            .map(|c| format_money(c, &cur))
                                            .unwrap_or_else(|| "—".into()),
                                        format_money(b.revenue, &cur),
                                        b.roi.map(format_percent).unwrap_or_else(|| "—".into()),
                                    )}
                                </p>
                            }
                        })}
                    <div class="overview-columns">
                        <ArtifactList
                            title="Best artifacts (ROI)"
                            testid="overview-best"
                            rows=best
                            currency=currency.clone()
                        />
                        <ArtifactList
                            title="Worst artifacts (ROI)"
                            testid="overview-worst"
                            rows=worst
                            currency=currency
                        />
                    </div>
                </section>
            }
            .into_any(),
        )
    }
}

fn money_range(t: &ArtifactTotals, currency: &str) -> Option<String> {
    t.revenue_low.zip(t.revenue_high).map(|(l, h)| {
        format!(
            "{} – {}",
            format_money(l, currency),
            format_money(h, currency)
        )
    })
}

/// One headline figure with its interval and its change against the period before.
#[component]
fn Card(
    label: &'static str,
    testid: &'static str,
    value: Option<String>,
    range: Option<String>,
    change: Option<f64>,
) -> impl IntoView {
    view! {
        <div class="card figure" data-testid=testid>
            <span class="figure-label">{label}</span>
            <strong class="figure-value">{value.unwrap_or_else(|| "—".into())}</strong>
            {range.map(|r| view! { <span class="interval">{format!("95 % interval {r}")}</span> })}
            {change
                .map(|c| {
                    let text = format!(
                        "{}{:.0} % against the period before",
                        if c >= 0.0 { "+" } else { "−" },
                        c.abs(),
                    );
                    view! {
                        <span class="change" class:down=c < 0.0>
                            {text}
                        </span>
                    }
                })}
        </div>
    }
}

#[component]
fn ArtifactList(
    title: &'static str,
    testid: &'static str,
    rows: Vec<ArtifactRow>,
    currency: String,
) -> impl IntoView {
    view! {
        <section data-testid=testid>
            <h3>{title}</h3>
            {if rows.is_empty() {
                view! { <p class="hint">"No artifact has both credit and a cost yet."</p> }
                    .into_any()
            } else {
                view! {
                    <ol class="plain-list">
                        {rows
                            .into_iter()
                            .map(|a| {
                                view! {
                                    <li>
                                        <a href=format!("#/entry/{}", a.entry_id)>{a.title}</a>
                                        " "
                                        <span class="muted">
                                            {format!(
                                                "ROI {}, revenue {}",
                                                a.row.roi.map(format_percent).unwrap_or_default(),
                                                format_money(a.row.revenue, &currency),
                                            )}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}
