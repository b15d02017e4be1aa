//! One calendar entry: its plan, the spec's manual performance form (Pageviews, Time on page,
//! Signups, Revenue, Cost, plus any catalog metric), the live ROI, and delete.

use super::entry_form::MissingEntry;
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::roi::RoiFigure;
use crate::components::utm_builder::UtmBuilder;
use crate::model::date::format_timestamp;
use crate::model::learning::history_in;
use crate::model::metric::{Category, MetricKind, ValueError};
use crate::model::performance::Source;
use crate::model::reputation;
use crate::model::workspace::{roi_status, CostSource};
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::roi::format_money;

/// One metric row of the performance form.
#[derive(Clone, PartialEq)]
struct MetricRow {
    metric: MetricKind,
    text: RwSignal<String>,
    error: RwSignal<Option<ValueError>>,
}

/// `#/entry/<id>`.
#[component]
pub fn EntryPage(state: AppState, entry_id: u64) -> impl IntoView {
    // Memo: the page is rebuilt when the entry appears or goes, not on every change.
    let exists = Memo::new(move |_| state.workspace.with(|ws| ws.entry(entry_id).is_some()));
    move || {
        if exists.get() {
            view! { <EntryView state=state entry_id=entry_id /> }.into_any()
        } else {
            view! { <MissingEntry entry_id=entry_id /> }.into_any()
        }
    }
}

#[component]
fn EntryView(state: AppState, entry_id: u64) -> impl IntoView {
    let entry = Memo::new(move |_| state.workspace.with(|ws| ws.entry(entry_id).cloned()));
    let currency = Memo::new(move |_| state.workspace.with(|ws| ws.settings.currency.clone()));
    // A planned entry (no results yet) with a creator: how that creator does with this type on
    // this channel.
    let creator_match = Memo::new(move |_| {
        let index = state.values.get();
        state.workspace.with(|ws| {
            let e = ws.entry(entry_id)?;
            if e.creator.trim().is_empty() {
                return None;
            }
            // The learning history, read once from the memoised value index.
            let h = history_in(ws, index);
            if h.ids.contains(&entry_id) {
                return None;
            }
            let metric = *reputation::metrics(&h).first()?;
            reputation::match_sentence(&h, e, metric).map(|(_, text)| text)
        })
    });
    let delete = move || {
        let title = entry.get_untracked().map(|e| e.title).unwrap_or_default();
        let result = state.change(|ws| ws.delete_entry(entry_id));
        match result {
            Ok(_) => {
                state
                    .notice
                    .set(Some(format!("Deleted \u{201c}{title}\u{201d}.")));
                web_tools::go("#/calendar");
            }
            Err(e) => state.notice.set(Some(format!("Not deleted: {e}."))),
        }
    };
    let field = |label: &'static str, value: String| {
        (!value.is_empty()).then(|| {
            view! {
                <dt>{label}</dt>
                <dd>{value}</dd>
            }
        })
    };
    view! {
        <section class="page entry" data-testid="entry">
            {move || {
                entry
                    .get()
                    .map(|e| {
                        let cur = currency.get();
                        let url = e.destination_url.clone();
                        view! {
                            <div class="page-head">
                                <h1 data-testid="entry-title">{e.title.clone()}</h1>
                                <div class="actions">
                                    <a class="button" href=format!("#/entry/{entry_id}/edit")>
                                        "Edit entry"
                                    </a>
                                    <ConfirmDelete
                                        label="Delete entry"
                                        confirm="Yes, delete this entry"
                                        on_delete=delete
                                    />
                                </div>
                            </div>
                            <dl class="entry-facts">
                                <dt>"Entry id"</dt>
                                <dd>
                                    <code>{e.entry_id}</code>
                                    " · links tagged "
                                    <code>{format!("utm_content={}", e.utm_content())}</code>
                                </dd>
                                <dt>"Channel"</dt>
                                <dd>{e.channel.clone()}</dd>
                                {field("Campaign", e.campaign.clone())}
                                <dt>"Publish date"</dt>
                                <dd>{e.publish_date.to_string()}</dd>
                                {(!url.is_empty())
                                    .then(|| {
                                        view! {
                                            <dt>"Destination URL"</dt>
                                            <dd>
                                                <a
                                                    href=url.clone()
                                                    rel="noopener noreferrer"
                                                    target="_blank"
                                                >
                                                    {url.clone()}
                                                </a>
                                            </dd>
                                        }
                                    })}
                                {field(
                                    "Planned cost",
                                    e.cost.map(|c| format_money(c, &cur)).unwrap_or_default(),
                                )}
                                {field("Type", e.kind.clone())}
                                {field("Topics", e.topics.join(", "))}
                                {field(
                                    "Publish time",
                                    e.publish_hour.map(|h| format!("{h:02}:00")).unwrap_or_default(),
                                )}
                                {field("Creator", e.creator.clone())}
                                {field("Notes", e.notes.clone())}
                                {field(
                                    "Predicted",
                                    e
                                        .predicted
                                        .iter()
                                        .map(|p| {
                                            format!(
                                                "{} {}",
                                                p.metric.format_display(p.value, &cur),
                                                p.metric.label().to_lowercase(),
                                            )
                                        })
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                )}
                            </dl>
                        }
                    })
            }}
            {move || {
                creator_match
                    .get()
                    .map(|text| {
                        view! {
                            <p class="hint creator-match" data-testid="creator-match">
                                {text}
                            </p>
                        }
                    })
            }}
            <crate::components::predicted::PredictedPerformance state=state entry_id=entry_id />
            <UtmBuilder state=state entry_id=entry_id />
            <PerformanceForm state=state entry_id=entry_id />
            <crate::components::entry_trends::EntryTrends state=state entry_id=entry_id />
            <crate::components::belief_rows::BeliefRows state=state entry_id=entry_id />
        </section>
    }
}

/// The manual performance form with live ROI.
#[component]
fn PerformanceForm(state: AppState, entry_id: u64) -> impl IntoView {
    let make_row = move |metric: MetricKind| {
        let vals = state.values.get_untracked();
        let text = state.workspace.with_untracked(|ws| {
            vals.value(entry_id, metric)
                .map(|v| metric.format_input_in(v.value, ws.settings.decimal_mark))
                .unwrap_or_default()
        });
        MetricRow {
            metric,
            text: RwSignal::new(text),
            error: RwSignal::new(None),
        }
    };
    let initial: Vec<MetricRow> = {
        let mut metrics: Vec<MetricKind> = MetricKind::V1_FORM.to_vec();
        let recorded = state
            .values
            .with_untracked(|vals| vals.recorded_metrics(entry_id));
        metrics.extend(
            recorded
                .into_iter()
                .filter(|m| !MetricKind::V1_FORM.contains(m)),
        );
        metrics.into_iter().map(make_row).collect()
    };
    let rows = RwSignal::new(initial);
    let to_add = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let currency = Memo::new(move |_| state.workspace.with(|ws| ws.settings.currency.clone()));
    let text_of = move |metric: MetricKind| {
        rows.with(|rs| rs.iter().find(|r| r.metric == metric).map(|r| r.text.get()))
            .unwrap_or_default()
    };
    // Live ROI from what is typed; an empty cost falls back to the planned cost.
    let live_roi = Signal::derive(move || {
        let mark = state.workspace.with(|ws| ws.settings.decimal_mark);
        let revenue = MetricKind::Revenue.parse_value_in(&text_of(MetricKind::Revenue), mark);
        let cost = MetricKind::Cost.parse_value_in(&text_of(MetricKind::Cost), mark);
        let planned = state
            .workspace
            .with(|ws| ws.entry(entry_id).and_then(|e| e.cost));
        match (revenue, cost) {
            (Ok(r), Ok(c)) => roi_status(r, c.or(planned)),
            _ => roi_status(None, None),
        }
    });
    let roi_note = move || {
        let cost_text = text_of(MetricKind::Cost);
        let planned = state
            .workspace
            .with(|ws| ws.entry(entry_id).and_then(|e| e.cost));
        (cost_text.trim().is_empty())
            .then_some(planned)
            .flatten()
            .map(|p| {
                format!(
                    "Using the planned cost of {} until a cost is entered.",
                    format_money(p, &currency.get())
                )
            })
    };
    let add_metric = move |_| {
        if let Some(metric) = MetricKind::from_key(&to_add.get_untracked()) {
            if !rows.with_untracked(|rs| rs.iter().any(|r| r.metric == metric)) {
                rows.update(|rs| rs.push(make_row(metric)));
            }
            to_add.set(String::new());
            saved.set(None);
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let mut values = Vec::new();
        let mut failed = 0;
        let mark = state
            .workspace
            .with_untracked(|ws| ws.settings.decimal_mark);
        for row in rows.get_untracked() {
            match row.metric.parse_value_in(&row.text.get_untracked(), mark) {
                Ok(v) => {
                    row.error.set(None);
                    values.push((row.metric, v));
                }
                Err(e) => {
                    row.error.set(Some(e));
                    failed += 1;
                }
            }
        }
        if failed > 0 {
            saved.set(Some(format!(
                "Nothing was saved: fix the {} marked below.",
                if failed == 1 {
                    "value".to_owned()
                } else {
                    format!("{failed} values")
                }
            )));
            return;
        }
        let now = web_tools::now_ms();
        match state.change(|ws| ws.record_manual(entry_id, &values, now)) {
            Ok(0) => saved.set(Some("No values changed.".into())),
            Ok(n) => saved.set(Some(format!(
                "Saved {n} value{} as manual entries.",
                if n == 1 { "" } else { "s" }
            ))),
            Err(e) => saved.set(Some(format!("Nothing was saved: {e}."))),
        }
    };
    let addable = move || {
        let shown: Vec<MetricKind> = rows.with(|rs| rs.iter().map(|r| r.metric).collect());
        Category::ALL
            .into_iter()
            .map(|cat| {
                let metrics: Vec<MetricKind> = MetricKind::ALL
                    .into_iter()
                    .filter(|m| m.category() == cat && !shown.contains(m))
                    .collect();
                (!metrics.is_empty()).then(|| {
                    view! {
                        <optgroup label=cat
                            .label()>
                            {metrics
                                .into_iter()
                                .map(|m| view! { <option value=m.key()>{m.label()}</option> })
                                .collect_view()}
                        </optgroup>
                    }
                })
            })
            .collect_view()
    };

    view! {
        <form
            class="performance"
            novalidate
            on:submit=save
            aria-labelledby="perf-heading"
            data-testid="performance-form"
        >
            <h2 id="perf-heading">"Performance data (manual entry)"</h2>
            <p class="hint">
                "Values you enter are marked manual and always win over imported ones. Each save is kept with its date."
            </p>
            <div class="metric-grid">
                {move || {
                    rows.get()
                        .into_iter()
                        .map(|row| {
                            view! {
                                <MetricField
                                    state=state
                                    entry_id=entry_id
                                    row=row
                                    currency=currency
                                />
                            }
                        })
                        .collect_view()
                }}
            </div>
            <div class="add-metric">
                <div class="field inline">
                    <label for="add-metric">"Add metric"</label>
                    <select
                        id="add-metric"
                        prop:value=move || to_add.get()
                        on:change=move |ev| to_add.set(event_target_value(&ev))
                    >
                        <option value="">"Choose a metric…"</option>
                        {addable}
                    </select>
                </div>
                <button type="button" on:click=add_metric disabled=move || to_add.get().is_empty()>
                    "Add"
                </button>
            </div>
            <div class="roi-line">
                <span id="roi-label">"Calculated ROI: "</span>
                <strong aria-labelledby="roi-label">
                    <RoiFigure status=live_roi testid="roi" />
                </strong>
                <span class="hint">" (revenue − cost) / cost × 100"</span>
                {move || roi_note().map(|n| view! { <p class="hint">{n}</p> })}
            </div>
            <div class="actions">
                <button type="submit" class="primary">
                    "Save performance"
                </button>
                <p class="status" role="status" aria-live="polite" data-testid="performance-status">
                    {move || saved.get()}
                </p>
            </div>
        </form>
    }
}

/// One labelled metric input with its source badge.
#[component]
fn MetricField(
    state: AppState,
    entry_id: u64,
    row: MetricRow,
    currency: Memo<String>,
) -> impl IntoView {
    let metric = row.metric;
    let id = format!("metric-{}", metric.key());
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let source = move || state.values.with(|vals| vals.value(entry_id, metric));
    let cost_source = move || {
        let vals = state.values.get();
        state
            .workspace
            .with(|ws| vals.cost(ws, entry_id).map(|(_, s)| s))
    };
    let label = match metric.unit() {
        crate::model::metric::Unit::Money => {
            format!("{} ({})", metric.label(), currency.get_untracked())
        }
        crate::model::metric::Unit::Duration => format!("{} (m:ss)", metric.label()),
        _ => metric.label().to_owned(),
    };
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            if row.error.get().is_some() {
                format!("{hint_id} {error_id}")
            } else {
                hint_id.clone()
            }
        }
    };
    view! {
        <div
            class="field metric"
            class:invalid=move || row.error.get().is_some()
            data-testid=format!("field-{}", metric.key())
        >
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="text"
                inputmode=if metric == MetricKind::TimeOnPage { "text" } else { "decimal" }
                aria-invalid=move || row.error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || row.text.get()
                on:input=move |ev| row.text.set(event_target_value(&ev))
            />
            <span class="hint" id=hint_id>
                {metric.hint()}
                {move || {
                    source()
                        .map(|v| {
                            let (class, label) = match v.source {
                                Source::Manual => ("badge manual", "manual"),
                                Source::Imported => ("badge imported", "imported"),
                            };
                            view! {
                                " "
                                <span
                                    class=class
                                    title=format!("recorded {}", format_timestamp(v.recorded_at))
                                >
                                    {label}
                                </span>
                            }
                        })
                }}
                {move || {
                    (metric == MetricKind::Cost && cost_source() == Some(CostSource::Planned))
                        .then_some(
                            view! {
                                " "
                                <span class="badge planned">"planned"</span>
                            },
                        )
                }}
            </span>
            <p class="error" id=error_id aria-live="polite">
                {move || row.error.get().map(|e| e.to_string())}
            </p>
        </div>
    }
}
