//! `#/import`: bring in the exports people really have (issue 5). A file is picked or dropped, the
//! engine detects its platform (the user can override it) and parses it in stages with a progress
//! bar, yielding to the browser between stages so the page stays responsive and Cancel works. The
//! preview shows the column mapping (editable: a change re-parses), accepted and rejected rows
//! with the first reasons, matched and unmatched calendar entries (unmatched rows can be assigned
//! by hand), and the period covered. Nothing is written until Confirm; Cancel leaves no trace.
//! Confirm merges the metrics (`model::import::apply`: a re-import replaces, manual values win)
//! and keeps event logs and path tables as data sets (`storage::datasets`), listed at the bottom.

use crate::model::date::Date;
use crate::model::import::{
    apply, csv_headers, journeys_of, match_import, parse_import, ApplySummary, Choices, Flow,
    Phase, Preview, Stage, MAX_IMPORT_BYTES,
};
use crate::state::datasets::{self, DatasetListing, DatasetMeta, DatasetSource};
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::imports::{detect, Format, ImportError, Period, Platform};
use refleqt_engine::roi::{format_count, format_money};
use refleqt_engine::JourneySet;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// What the page keeps between stages (large values are not reactive).
struct Work {
    bytes: Option<Rc<Vec<u8>>>,
    file_name: String,
    journeys: Option<JourneySet>,
}

fn day(ms: i64) -> String {
    Date::from_unix_ms(ms).to_string()
}

fn period_text(p: Period) -> String {
    let days = p.day_count();
    format!(
        "{} – {} ({days} day{})",
        day(p.start_ms),
        day(p.end_ms),
        if days == 1 { "" } else { "s" }
    )
}

fn import_error_text(e: &ImportError) -> String {
    let what = match e {
        ImportError::Unrecognised => {
            " Choose the platform under \u{201c}Parse as\u{201d} and try again, or check that this is the export itself."
        }
        ImportError::MissingColumns { .. } | ImportError::UnknownColumn { .. } => {
            " Pick the right column for each field, or choose another platform."
        }
        ImportError::NoPeriod { .. } => " Enter the first and last day the export covers below.",
        _ => " Check the file, or export it again from the platform.",
    };
    format!("This file could not be imported: {e}.{what}")
}

fn summary_text(s: &ApplySummary, dataset: Option<&DatasetMeta>) -> String {
    let mut parts = Vec::new();
    if s.period.is_some() {
        parts.push(format!(
            "Added {} imported value{} to {} entr{}",
            s.added,
            if s.added == 1 { "" } else { "s" },
            s.entries.len(),
            if s.entries.len() == 1 { "y" } else { "ies" }
        ));
        parts.push(format!(
            "replaced {} earlier imported value{} of the same platform and period",
            s.replaced,
            if s.replaced == 1 { "" } else { "s" }
        ));
        if !s.overridden.is_empty() {
            parts.push(format!(
                "kept your manual values for {} (manual values win): {}",
                s.overridden.len(),
                s.overridden
                    .iter()
                    .map(|(e, m)| format!("#{e} {}", m.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !s.skipped.is_empty() {
            parts.push(format!(
                "skipped {}: {}",
                s.skipped.len(),
                s.skipped
                    .iter()
                    .take(5)
                    .map(|(e, m, why)| format!("#{e} {m} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(d) = dataset {
        parts.push(format!(
            "saved the data set \u{201c}{}\u{201d} ({} journeys, {:.1} MB stored) for the Attribution page",
            d.name,
            format_count(d.journeys as f64),
            d.stored_bytes as f64 / 1_048_576.0
        ));
    }
    if parts.is_empty() {
        return "Nothing to write: no rows were assigned to calendar entries.".to_owned();
    }
    let mut text = parts.join("; ");
    text.push('.');
    text
}

/// `#/import`.
#[component]
pub fn ImportPage(state: AppState) -> impl IntoView {
    let flow = RwSignal::new(Flow::default());
    let preview = RwSignal::new(None::<Preview>);
    let work = StoredValue::new_local(Work {
        bytes: None,
        file_name: String::new(),
        journeys: None,
    });
    let journeys = RwSignal::new(None::<(usize, usize, f64, f64)>);
    let keep_dataset = RwSignal::new(true);
    let dataset_name = RwSignal::new(String::new());
    let needs_period = RwSignal::new(false);
    let period_start = RwSignal::new(String::new());
    let period_end = RwSignal::new(String::new());
    let period_error = RwSignal::new(None::<String>);
    let cancelled = RwSignal::new(false);
    let drag_over = RwSignal::new(false);
    let list = RwSignal::new(None::<Result<DatasetListing, String>>);
    let list_message = RwSignal::new(None::<String>);

    let refresh = move || {
        leptos::task::spawn_local(async move {
            let r = datasets::list()
                .await
                .map_err(|e| format!("{e}. {}", e.advice()));
            list.set(Some(r));
        });
    };
    refresh();

    let clear = move || {
        preview.set(None);
        journeys.set(None);
        needs_period.set(false);
        work.update_value(|w| {
            w.bytes = None;
            w.journeys = None;
        });
    };

    let advance =
        move |job: u64, stage: Stage| flow.try_update(|f| f.advance(job, stage)).unwrap_or(false);

    // Parse the kept bytes with `choices`, in stages, as run `job`.
    let parse = move |job: u64, choices: Choices| async move {
        let Some((bytes, name)) =
            work.with_value(|w| w.bytes.clone().map(|b| (b, w.file_name.clone())))
        else {
            return;
        };
        if !advance(job, Stage::Parsing) {
            return;
        }
        web_tools::yield_now().await;
        if !flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let detected = detect(&bytes, &name);
        let parsed = state
            .workspace
            .with_untracked(|ws| parse_import(&bytes, &name, &choices, ws));
        let mut import = match parsed {
            Ok(i) => i,
            Err(e) => {
                needs_period.set(matches!(e, ImportError::NoPeriod { .. }));
                flow.update(|f| {
                    f.finish(job, Err(import_error_text(&e)));
                });
                return;
            }
        };
        needs_period.set(false);
        if !advance(job, Stage::Matching) {
            return;
        }
        web_tools::yield_now().await;
        let matches = state
            .workspace
            .with_untracked(|ws| match_import(&import, ws));
        let mut set = None;
        if import.event_log.is_some() || import.path_table.is_some() {
            if !advance(job, Stage::Journeys) {
                return;
            }
            web_tools::yield_now().await;
            if !flow.with_untracked(|f| f.is_live(job)) {
                return;
            }
            set = journeys_of(&import);
            // The journeys are what is kept; the parsed events can go.
            import.event_log = None;
            if let Some(t) = import.path_table.as_mut() {
                t.set = JourneySet::default();
            }
        }
        web_tools::yield_now().await;
        if !flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let headers = match import.format {
            Format::Csv => csv_headers(&bytes, import.report.delimiter, import.header_line),
            Format::Json => import
                .columns
                .iter()
                .map(|c| c.header.clone())
                .chain(import.ignored_columns.iter().cloned())
                .collect(),
        };
        journeys.set(set.as_ref().map(|s| {
            (
                s.len(),
                s.touch_count(),
                s.total_conversions(),
                s.total_revenue(),
            )
        }));
        work.update_value(|w| w.journeys = set);
        if dataset_name.get_untracked().is_empty() {
            dataset_name.set(name.clone());
        }
        preview.set(Some(Preview::new(
            &name, detected, choices, import, matches, headers,
        )));
        flow.update(|f| {
            f.preview(job);
        });
    };

    let start_file = move |file: web_sys::File| {
        cancelled.set(false);
        clear();
        dataset_name.set(String::new());
        let name = file.name();
        let job = flow
            .try_update(|f| f.start(&name, Stage::Reading))
            .unwrap_or(0);
        if file.size() > MAX_IMPORT_BYTES as f64 {
            flow.update(|f| {
                f.finish(
                    job,
                    Err(format!(
                        "{name} is {:.0} MB; this browser tab can import at most {} MB at once. Split the export by date and import the parts.",
                        file.size() / 1_048_576.0,
                        MAX_IMPORT_BYTES / 1_048_576
                    )),
                );
            });
            return;
        }
        leptos::task::spawn_local(async move {
            web_tools::yield_now().await;
            let bytes = match web_tools::read_file(&file).await {
                Ok(b) => b,
                Err(e) => {
                    flow.update(|f| {
                        f.finish(job, Err(format!("{e}. Try choosing the file again.")));
                    });
                    return;
                }
            };
            if !flow.with_untracked(|f| f.is_live(job)) {
                return;
            }
            work.update_value(|w| {
                w.bytes = Some(Rc::new(bytes));
                w.file_name = name;
            });
            parse(job, Choices::default()).await;
        });
    };

    let reparse = move |choices: Choices| {
        let name = work.with_value(|w| w.file_name.clone());
        let job = flow
            .try_update(|f| f.start(&name, Stage::Parsing))
            .unwrap_or(0);
        leptos::task::spawn_local(parse(job, choices));
    };

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = web_tools::chosen_file(&input) {
            start_file(file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        drag_over.set(false);
        if let Some(file) = web_tools::dropped_file(&ev) {
            start_file(file);
        }
    };

    let cancel = move |_| {
        flow.update(Flow::cancel);
        clear();
        cancelled.set(true);
    };

    let choose_period = move |_| {
        let (a, b) = (
            Date::parse(&period_start.get_untracked()),
            Date::parse(&period_end.get_untracked()),
        );
        match (a, b) {
            (Ok(a), Ok(b)) if a <= b => {
                period_error.set(None);
                let choices = Choices {
                    period: Some(Period::days(a.unix_ms(), b.unix_ms())),
                    ..preview
                        .with_untracked(|p| p.as_ref().map(|p| p.choices.clone()))
                        .unwrap_or_default()
                };
                reparse(choices);
            }
            (Ok(_), Ok(_)) => period_error.set(Some(
                "The last day is before the first day: swap them.".into(),
            )),
            _ => period_error.set(Some(
                "Enter both days as YYYY-MM-DD, e.g. 2025-03-01.".into(),
            )),
        }
    };

    let confirm = move |_| {
        let Some(p) = preview.get_untracked() else {
            return;
        };
        let name = p.file_name.clone();
        let job = flow
            .try_update(|f| f.start(&name, Stage::Saving))
            .unwrap_or(0);
        let keep = keep_dataset.get_untracked();
        let ds_name = {
            let n = dataset_name.get_untracked();
            if n.trim().is_empty() {
                name.clone()
            } else {
                n.trim().to_owned()
            }
        };
        leptos::task::spawn_local(async move {
            web_tools::yield_now().await;
            let set = work.try_update_value(|w| w.journeys.take()).flatten();
            let mut saved = None;
            if let (true, Some(set)) = (keep, set.as_ref()) {
                if !flow.with_untracked(|f| f.is_live(job)) {
                    return;
                }
                let source = DatasetSource {
                    file_name: name.clone(),
                    format: p.import.platform,
                    lookback_days: (p.import.platform != Platform::PathTableCsv).then_some(30.0),
                };
                match datasets::save(&ds_name, set, &source, web_tools::now_ms()).await {
                    Ok(meta) => saved = Some(meta),
                    Err(e) => {
                        flow.update(|f| {
                            f.finish(
                                job,
                                Err(format!(
                                    "Nothing was written: the data set could not be saved ({e}). {}",
                                    e.advice()
                                )),
                            );
                        });
                        return;
                    }
                }
                if !flow.with_untracked(|f| f.is_live(job)) {
                    // Cancelled while saving: take the data set back out.
                    if let Some(m) = &saved {
                        let _ = datasets::delete(&m.id).await;
                    }
                    return;
                }
            }
            let now = web_tools::now_ms();
            let applied = if p.import.rows.is_empty() {
                Ok(ApplySummary::default())
            } else {
                state.change(|ws| apply(ws, &p, now))
            };
            match applied {
                Ok(s) => {
                    flow.update(|f| {
                        f.finish(job, Ok(summary_text(&s, saved.as_ref())));
                    });
                }
                Err(e) => {
                    if let Some(m) = &saved {
                        let _ = datasets::delete(&m.id).await;
                    }
                    flow.update(|f| {
                        f.finish(job, Err(format!("Nothing was written: {e}.")));
                    });
                }
            }
            preview.set(None);
            journeys.set(None);
            work.update_value(|w| w.bytes = None);
            refresh();
        });
    };

    let delete = move |id: String| {
        leptos::task::spawn_local(async move {
            match datasets::delete(&id).await {
                Ok(()) => list_message.set(Some("Data set deleted.".into())),
                Err(e) => list_message.set(Some(format!("Not deleted: {e}. {}", e.advice()))),
            }
            refresh();
        });
    };

    let verify = move |id: String, name: String| {
        list_message.set(Some(format!("Reading \u{201c}{name}\u{201d}…")));
        leptos::task::spawn_local(async move {
            let t0 = web_tools::now_ms();
            match datasets::load(&id).await {
                Ok(set) => list_message.set(Some(format!(
                    "\u{201c}{name}\u{201d} reads back intact: {} journeys, {} touches in {} ms.",
                    format_count(set.len() as f64),
                    format_count(set.touch_count() as f64),
                    web_tools::now_ms() - t0
                ))),
                Err(e) => list_message.set(Some(format!("{e}. {}", e.advice()))),
            }
        });
    };

    let currency = Memo::new(move |_| state.workspace.with(|ws| ws.settings.currency.clone()));

    view! {
        <section class="page import" data-testid="import">
            <h1>"Import"</h1>
            <p>"Bring in what your platforms export: GA4 (BigQuery export CSV or Data API runReport JSON), Google Ads, Meta Ads Insights, Mailchimp campaign reports, and event logs or path tables for attribution. Files are read in this tab and never leave it."</p>
            <div class="dropzone" class:over=move || drag_over.get() data-testid="dropzone"
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); drag_over.set(true); }
                on:dragleave=move |_| drag_over.set(false)
                on:drop=on_drop>
                <label for="import-file">"Choose an export file"</label>
                <input id="import-file" type="file" accept=".csv,.tsv,.txt,.json,text/csv,application/json" aria-describedby="drop-hint" on:change=on_file />
                <p class="hint" id="drop-hint">"…or drop it here. Nothing is written until you confirm the preview."</p>
            </div>
            <div role="status" aria-live="polite">
                {move || cancelled.get().then(|| view! { <p class="banner info" data-testid="import-cancelled">"Import cancelled: nothing was written."</p> })}
            </div>
            {move || match flow.get().phase {
                Phase::Idle => ().into_any(),
                Phase::Working { stage, file_name } => view! {
                    <div class="import-progress" data-testid="import-progress">
                        <label for="import-bar">{format!("{file_name}: {}", stage.label())}</label>
                        <progress id="import-bar" max="100" value=stage.percent().to_string()>{format!("{}%", stage.percent())}</progress>
                        <button type="button" on:click=cancel data-testid="import-cancel">"Cancel"</button>
                    </div>
                }.into_any(),
                Phase::Failed(message) => view! {
                    <div class="banner danger" role="alert" data-testid="import-error">
                        <p>{message}</p>
                        {move || needs_period.get().then(|| view! {
                            <div class="period-form">
                                <div class="field inline">
                                    <label for="period-start">"First day"</label>
                                    <input id="period-start" type="date" prop:value=move || period_start.get() on:input=move |ev| period_start.set(event_target_value(&ev)) />
                                </div>
                                <div class="field inline">
                                    <label for="period-end">"Last day"</label>
                                    <input id="period-end" type="date" prop:value=move || period_end.get() on:input=move |ev| period_end.set(event_target_value(&ev)) />
                                </div>
                                <button type="button" on:click=choose_period>"Use this period"</button>
                                <p class="error" aria-live="polite">{move || period_error.get()}</p>
                            </div>
                        })}
                        <button type="button" on:click=cancel>"Start over"</button>
                    </div>
                }.into_any(),
                Phase::Done(message) => view! {
                    <p class="banner info" role="status" data-testid="import-summary">{message}</p>
                }.into_any(),
                Phase::Preview => view! {
                    <PreviewView state=state preview=preview journeys=journeys keep_dataset=keep_dataset dataset_name=dataset_name currency=currency reparse=reparse />
                    <div class="actions">
                        <button type="button" class="primary" on:click=confirm data-testid="import-confirm">"Confirm import"</button>
                        <button type="button" on:click=cancel data-testid="import-cancel">"Cancel"</button>
                    </div>
                }.into_any(),
            }}

            <h2>"Data sets"</h2>
            <p class="hint">"Event logs and path tables kept for the Attribution page, stored compactly in this browser."</p>
            <p role="status" aria-live="polite" data-testid="datasets-message">{move || list_message.get()}</p>
            {move || match list.get() {
                None => view! { <p>"Loading data sets…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner danger">{e}</p> }.into_any(),
                Some(Ok(v)) if v.datasets.is_empty() && v.unreadable == 0 => view! { <p data-testid="datasets-empty">"No data sets yet: import an event log or a path table."</p> }.into_any(),
                Some(Ok(DatasetListing { datasets: v, unreadable })) => view! {
                    {(unreadable > 0).then(|| view! {
                        <p class="banner warn" data-testid="datasets-unreadable">{format!(
                            "{unreadable} stored data set{} could not be read (saved by a newer version of Refleqt, or damaged) and {} not listed. Import {} file{} again if you need {}.",
                            if unreadable == 1 { "" } else { "s" },
                            if unreadable == 1 { "is" } else { "are" },
                            if unreadable == 1 { "its" } else { "their" },
                            if unreadable == 1 { "" } else { "s" },
                            if unreadable == 1 { "it" } else { "them" },
                        )}</p>
                    })}
                    <table class="datasets" data-testid="datasets">
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"File"</th><th scope="col">"Journeys"</th><th scope="col">"Conversions"</th><th scope="col">"Revenue"</th><th scope="col">"Dates"</th><th scope="col">"Stored"</th><th scope="col">"Actions"</th></tr></thead>
                        <tbody>
                            {v.into_iter().map(|d| {
                                let id = d.id.clone();
                                let (id2, name2) = (d.id.clone(), d.name.clone());
                                let label = format!("Delete data set {}", d.name);
                                let check_label = format!("Check data set {}", d.name);
                                view! {
                                    <tr>
                                        <th scope="row">{d.name.clone()}</th>
                                        <td>{d.source_file.clone()}</td>
                                        <td>{format_count(d.journeys as f64)}</td>
                                        <td>{format_count(d.conversions)}</td>
                                        <td>{format_money(d.revenue, &currency.get_untracked())}</td>
                                        <td>{d.date_range.map(|(a, b)| format!("{} – {}", day(a), day(b))).unwrap_or_else(|| "—".into())}</td>
                                        <td>{format!("{:.1} MB", d.stored_bytes as f64 / 1_048_576.0)}</td>
                                        <td>
                                            <button type="button" aria-label=check_label on:click=move |_| verify(id2.clone(), name2.clone())>"Check"</button>
                                            " "
                                            <button type="button" aria-label=label on:click=move |_| delete(id.clone())>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

/// The preview of a parsed export.
#[component]
fn PreviewView<F>(
    state: AppState,
    preview: RwSignal<Option<Preview>>,
    journeys: RwSignal<Option<(usize, usize, f64, f64)>>,
    keep_dataset: RwSignal<bool>,
    dataset_name: RwSignal<String>,
    currency: Memo<String>,
    reparse: F,
) -> impl IntoView
where
    F: Fn(Choices) + Copy + Send + Sync + 'static,
{
    let choices = move || {
        preview
            .with_untracked(|p| p.as_ref().map(|p| p.choices.clone()))
            .unwrap_or_default()
    };
    let on_platform = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        let platform = Platform::ALL.into_iter().find(|p| format!("{p:?}") == key);
        reparse(Choices {
            platform,
            columns: Vec::new(),
            ..choices()
        });
    };
    let entries = Memo::new(move |_| {
        state.workspace.with(|ws| {
            ws.entries
                .iter()
                .map(|e| (e.entry_id, e.title.clone()))
                .collect::<Vec<_>>()
        })
    });
    let title = move |id: u64| {
        entries.with(|es| {
            es.iter()
                .find(|(e, _)| *e == id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        })
    };
    move || {
        preview.with(|p| {
            let Some(p) = p else {
                return ().into_any();
            };
            let c = p.counts();
            let platform = p.import.platform;
            let detected = p.detected.map_or("not recognised".to_owned(), |d| d.label().to_owned());
            let rejected: Vec<String> = p
                .import
                .report
                .rejected
                .iter()
                .take(10)
                .map(|r| {
                    format!(
                        "line {}{}: {}",
                        r.line,
                        r.column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default(),
                        r.reason
                    )
                })
                .collect();
            let headers = p.headers.clone();
            let columns = p.columns();
            let matched: Vec<(u64, usize)> = {
                let mut m: Vec<(u64, usize)> = Vec::new();
                for e in p.assignments.iter().flatten() {
                    match m.iter_mut().find(|(x, _)| x == e) {
                        Some((_, n)) => *n += 1,
                        None => m.push((*e, 1)),
                    }
                }
                m.sort_unstable();
                m
            };
            let unmatched: Vec<(usize, String, String, Option<u64>)> = p
                .matches
                .unmatched_rows
                .iter()
                .take(50)
                .filter_map(|&i| {
                    let row = p.import.rows.get(i)?;
                    let k = &row.keys;
                    let keys = [
                        k.utm_content.clone(),
                        k.campaign.clone(),
                        k.source.clone(),
                        k.medium.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                    let reason = match p.matches.matches.get(i) {
                        Some(refleqt_engine::imports::Match::Unmatched { reason }) => reason.to_string(),
                        _ => String::new(),
                    };
                    Some((i, format!("line {}: {keys}", row.line), reason, p.assignments.get(i).copied().flatten()))
                })
                .collect();
            let values = p.values().len();
            let period = p.period().map(period_text).unwrap_or_else(|| "no dated rows".into());
            let has_rows = !p.import.rows.is_empty();
            view! {
                <section class="import-preview" aria-labelledby="preview-heading" data-testid="import-preview">
                    <h2 id="preview-heading">{format!("Preview of {}", p.file_name)}</h2>
                    <div class="field inline">
                        <label for="import-platform">"Parse as"</label>
                        <select id="import-platform" on:change=on_platform aria-describedby="detected-hint">
                            {Platform::ALL.into_iter().map(|x| view! {
                                <option value=format!("{x:?}") selected=x == platform>{x.label()}</option>
                            }).collect_view()}
                        </select>
                        <span class="hint" id="detected-hint">{format!("Detected: {detected}")}</span>
                    </div>
                    <dl class="import-counts">
                        <dt>"Rows accepted"</dt><dd data-testid="count-accepted">{c.accepted}</dd>
                        <dt>"Rows rejected"</dt><dd data-testid="count-rejected">{c.rejected}</dd>
                        {(c.skipped > 0).then(|| view! { <dt>"Summary rows skipped"</dt><dd>{c.skipped}</dd> })}
                        {has_rows.then(|| view! {
                            <dt>"Rows matched to entries"</dt><dd data-testid="count-matched">{c.matched_rows}</dd>
                            <dt>"Rows not matched"</dt><dd data-testid="count-unmatched">{c.unmatched_rows}</dd>
                            <dt>"Entries that get values"</dt><dd data-testid="count-entries">{c.entries}</dd>
                        })}
                        <dt>"Period covered"</dt><dd data-testid="import-period">{period}</dd>
                    </dl>
                    {(!rejected.is_empty()).then(|| view! {
                        <h3>"First rejected rows"</h3>
                        <ul class="rejected" data-testid="rejected-rows">{rejected.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    })}
                    <h3>"Columns"</h3>
                    <table class="columns" data-testid="import-columns">
                        <thead><tr><th scope="col">"Field"</th><th scope="col" id="col-header">"Column in the file"</th></tr></thead>
                        <tbody>
                            {columns.into_iter().enumerate().map(|(i, (field, header))| {
                                let fid = format!("col-field-{i}");
                                let f2 = field.clone();
                                let on_change = move |ev: leptos::ev::Event| {
                                    let mut ch = choices();
                                    ch.set_column(f2.clone(), &event_target_value(&ev));
                                    reparse(ch);
                                };
                                view! {
                                    <tr>
                                        <th scope="row" id=fid.clone()>{field.to_string()}</th>
                                        <td>
                                            <select aria-labelledby=format!("{fid} col-header") on:change=on_change>
                                                <option value="">"(not used)"</option>
                                                {headers.iter().map(|h| view! { <option value=h.clone() selected=*h == header>{h.clone()}</option> }).collect_view()}
                                            </select>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {has_rows.then(|| view! {
                        <h3>"Matched entries"</h3>
                        <ul data-testid="matched-entries">
                            {matched.into_iter().map(|(e, n)| view! {
                                <li><a href=format!("#/entry/{e}")>{format!("#{e} {}", title(e))}</a>{format!(" — {n} row{}", if n == 1 { "" } else { "s" })}</li>
                            }).collect_view()}
                        </ul>
                        {(!unmatched.is_empty()).then(|| view! {
                            <h3>"Rows not matched"</h3>
                            <p class="hint">"Assign a row to an entry by hand, or leave it out."</p>
                            <table class="unmatched" data-testid="unmatched-rows">
                                <thead><tr><th scope="col">"Row"</th><th scope="col">"Why"</th><th scope="col" id="assign-col">"Assign to entry"</th></tr></thead>
                                <tbody>
                                    {unmatched.into_iter().map(|(i, what, why, current)| {
                                        let rid = format!("unmatched-{i}");
                                        let on_assign = move |ev: leptos::ev::Event| {
                                            let v = event_target_value(&ev).parse::<u64>().ok();
                                            let ws = state.workspace.get_untracked();
                                            preview.update(|p| {
                                                if let Some(p) = p {
                                                    let _ = p.assign(i, v, &ws);
                                                }
                                            });
                                        };
                                        view! {
                                            <tr>
                                                <th scope="row" id=rid.clone()>{what}</th>
                                                <td>{why}</td>
                                                <td>
                                                    <select aria-labelledby=format!("{rid} assign-col") on:change=on_assign>
                                                        <option value="">"(leave out)"</option>
                                                        {entries.get_untracked().into_iter().map(|(id, t)| view! {
                                                            <option value=id.to_string() selected=current == Some(id)>{format!("#{id} {t}")}</option>
                                                        }).collect_view()}
                                                    </select>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        <p data-testid="import-values">{format!("Confirming writes {values} value{} as imported (manual values win; an earlier import of the same platform and period is replaced).", if values == 1 { "" } else { "s" })}</p>
                    })}
                    {move || journeys.get().map(|(j, t, conv, rev)| view! {
                        <h3>"Journeys"</h3>
                        <p data-testid="import-journeys">{format!("{} journeys, {} touches, {} conversions, {} revenue.", format_count(j as f64), format_count(t as f64), format_count(conv), format_money(rev, &currency.get_untracked()))}</p>
                        <div class="field inline">
                            <input id="keep-dataset" type="checkbox" prop:checked=move || keep_dataset.get() on:change=move |ev| keep_dataset.set(event_target_checked(&ev)) />
                            <label for="keep-dataset">"Keep as a data set for the Attribution page"</label>
                        </div>
                        <div class="field inline">
                            <label for="dataset-name">"Data set name"</label>
                            <input id="dataset-name" type="text" prop:value=move || dataset_name.get() on:input=move |ev| dataset_name.set(event_target_value(&ev)) />
                        </div>
                    })}
                </section>
            }
            .into_any()
        })
    }
}
