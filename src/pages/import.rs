//! `#/import`: bring in the exports people really have (issue 5). A file is picked or dropped, the
//! engine detects its platform (the user can override it) and parses it in stages with a progress
//! bar, yielding to the browser between stages so the page stays responsive and Cancel works. The
//! preview shows the column mapping (editable: a change re-parses), accepted and rejected rows
//! with the first reasons, matched and unmatched calendar entries (unmatched rows can be assigned
//! by hand), and the period covered. Nothing is written until Confirm; Cancel leaves no trace.
//! Confirm merges the metrics (`model::import::apply`: a re-import replaces, manual values win)
//! and keeps event logs and path tables as data sets (`state::import::confirm`, which takes the
//! data set back out if the metrics cannot be written), listed at the bottom
//! (`components::dataset_list`); the preview is `components::import_preview`.

use crate::components::dataset_list::DatasetList;
use crate::components::import_preview::ImportPreview;
use crate::model::date::Date;
use crate::model::import::{
    csv_headers, journeys_of, match_import, parse_import, ApplySummary, Choices, Flow,
    JourneyCounts, Phase, Preview, Stage, MAX_IMPORT_BYTES,
};
use crate::state::datasets::DatasetMeta;
use crate::state::import::{self, ConfirmError, Confirmed, KeepDataset};
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::imports::{detect, Format, ImportError, Period};
use refleqt_engine::roi::format_count;
use refleqt_engine::JourneySet;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// What the page keeps between stages (large values are not reactive).
struct Work {
    bytes: Option<Rc<Vec<u8>>>,
    file_name: String,
    journeys: Option<JourneySet>,
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
    let journeys = RwSignal::new(None::<JourneyCounts>);
    let keep_dataset = RwSignal::new(true);
    let dataset_name = RwSignal::new(String::new());
    let needs_period = RwSignal::new(false);
    let period_start = RwSignal::new(String::new());
    let period_end = RwSignal::new(String::new());
    let period_error = RwSignal::new(None::<String>);
    let cancelled = RwSignal::new(false);
    let drag_over = RwSignal::new(false);
    let list_message = RwSignal::new(None::<String>);
    let reload_list = RwSignal::new(0u64);

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
        journeys.set(set.as_ref().map(JourneyCounts::of));
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
            let keep = match (keep, set.as_ref()) {
                (true, Some(journeys)) => {
                    if !flow.with_untracked(|f| f.is_live(job)) {
                        return;
                    }
                    Some(KeepDataset {
                        name: ds_name,
                        journeys,
                    })
                }
                _ => None,
            };
            let still_wanted = move || flow.with_untracked(|f| f.is_live(job));
            match import::confirm(state, &p, keep, web_tools::now_ms(), still_wanted).await {
                Ok(Confirmed::Done { summary, dataset }) => {
                    flow.update(|f| {
                        f.finish(job, Ok(summary_text(&summary, dataset.as_ref())));
                    });
                }
                Ok(Confirmed::Cancelled { left_over }) => {
                    if let Some(l) = left_over {
                        list_message.set(Some(format!(
                            "The cancelled import\u{2019}s data set \u{201c}{}\u{201d} could not be removed ({}): delete it below.",
                            l.dataset.name, l.error
                        )));
                        reload_list.update(|n| *n += 1);
                    }
                    return;
                }
                Err(e) => {
                    let nothing_saved = matches!(e, ConfirmError::DatasetNotSaved(_));
                    flow.update(|f| {
                        f.finish(job, Err(e.to_string()));
                    });
                    if nothing_saved {
                        return;
                    }
                }
            }
            preview.set(None);
            journeys.set(None);
            work.update_value(|w| w.bytes = None);
            reload_list.update(|n| *n += 1);
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
                    <ImportPreview state=state preview=preview journeys=journeys keep_dataset=keep_dataset dataset_name=dataset_name currency=currency reparse=reparse />
                    <div class="actions">
                        <button type="button" class="primary" on:click=confirm data-testid="import-confirm">"Confirm import"</button>
                        <button type="button" on:click=cancel data-testid="import-cancel">"Cancel"</button>
                    </div>
                }.into_any(),
            }}

            <DatasetList currency=currency reload=reload_list message=list_message />
        </section>
    }
}
