//! `#/import`: bring in the exports people really have (issue 5). A file is picked or dropped, the
//! engine detects its platform (the user can override it) and parses it in stages with a progress
//! bar, yielding to the browser between stages so the page stays responsive and Cancel works. The
//! preview shows the column mapping (editable: a change re-parses), accepted and rejected rows
//! with the first reasons, matched and unmatched calendar entries (unmatched rows can be assigned
//! by hand), and the period covered. Nothing is written until Confirm; Cancel leaves no trace.
//! Confirm merges the metrics (`model::import::apply`: a re-import replaces, manual values win)
//! and keeps event logs and path tables as data sets. The staged pipeline and the confirm step
//! (which takes the data set back out if the metrics cannot be written) are
//! `state::import::ImportSession`; this page only wires inputs to it and shows its state, with
//! `components::import_preview` and `components::dataset_list`.

use crate::components::dataset_list::DatasetList;
use crate::components::import_preview::{ConfirmBar, ImportPreview};
use crate::model::date::Date;
use crate::model::import::{Choices, ColumnField, Phase};
use crate::state::import::ImportSession;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::imports::{Layout, Period};
use wasm_bindgen::JsCast;

/// `#/import`.
#[component]
pub fn ImportPage(state: AppState) -> impl IntoView {
    let session = ImportSession::new(state);
    let ImportSession {
        flow,
        preview,
        journeys,
        keep_dataset,
        dataset_name,
        needs_period,
        last_choices,
        missing_fields,
        file_headers,
        cancelled,
        list_message,
        reload_list,
        ..
    } = session;
    let period_start = RwSignal::new(String::new());
    let period_end = RwSignal::new(String::new());
    let period_error = RwSignal::new(None::<String>);
    let drag_over = RwSignal::new(false);

    let start_file = move |file: web_sys::File| session.start_file(file);
    let reparse = move |choices: Choices| session.reparse(choices);
    let cancel = move |_| session.cancel();

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

    let currency = Memo::new(move |_| state.workspace.with(|ws| ws.settings.currency.clone()));

    // The error's own controls: "Parse as" and a column for each missing field.
    let on_failed_layout = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        let layout = Layout::ALL.into_iter().find(|l| format!("{l:?}") == key);
        reparse(Choices {
            layout,
            columns: Vec::new(),
            ..last_choices.get_untracked()
        });
    };
    view! {
        <section class="page import" data-testid="import">
            <h1>"Import"</h1>
            <p>
                "Bring in what your platforms export: GA4 (BigQuery export CSV or Data API runReport JSON), Google Ads, Meta Ads Insights, Mailchimp campaign reports, and event logs or path tables for attribution. Files are read in this tab (in a background worker, so the page stays responsive) and never leave it."
            </p>
            <div
                class="dropzone"
                class:over=move || drag_over.get()
                data-testid="dropzone"
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    drag_over.set(true);
                }
                on:dragleave=move |_| drag_over.set(false)
                on:drop=on_drop
            >
                <label for="import-file">"Choose an export file"</label>
                <input
                    id="import-file"
                    type="file"
                    accept=".csv,.tsv,.txt,.json,text/csv,application/json"
                    aria-describedby="drop-hint"
                    on:change=on_file
                />
                <p class="hint" id="drop-hint">
                    "…or drop it here. Nothing is written until you confirm the preview."
                </p>
            </div>
            <div role="status" aria-live="polite">
                {move || {
                    cancelled
                        .get()
                        .then(|| {
                            view! {
                                <p class="banner info" data-testid="import-cancelled">
                                    "Import cancelled: nothing was written."
                                </p>
                            }
                        })
                }}
            </div>
            {move || match flow.get().phase {
                Phase::Idle => ().into_any(),
                Phase::Working { stage, file_name } => {
                    view! {
                        <div class="import-progress" data-testid="import-progress">
                            <label for="import-bar">
                                {format!("{file_name}: {}", stage.label())}
                            </label>
                            <progress id="import-bar" max="100" value=stage.percent().to_string()>
                                {format!("{}%", stage.percent())}
                            </progress>
                            <button type="button" on:click=cancel data-testid="import-cancel">
                                "Cancel"
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Phase::Failed(message) => {
                    let question = needs_period.get_untracked();
                    let headers = file_headers.get_untracked();
                    let chosen = last_choices.get_untracked().layout;
                    view! {
                        <div
                            class=if question { "banner info" } else { "banner danger" }
                            role="alert"
                            data-testid="import-error"
                        >
                            <p>{message}</p>
                            <div class="field inline">
                                <label for="failed-parse-as">"Parse as"</label>
                                <select
                                    id="failed-parse-as"
                                    on:change=on_failed_layout
                                    data-testid="failed-parse-as"
                                >
                                    <option value="" selected=chosen.is_none()>
                                        "(detect)"
                                    </option>
                                    {Layout::ALL
                                        .into_iter()
                                        .map(|x| {
                                            view! {
                                                <option value=format!("{x:?}") selected=chosen == Some(x)>
                                                    {x.label()}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                            {missing_fields
                                .get_untracked()
                                .into_iter()
                                .enumerate()
                                .map(|(i, field)| {
                                    let id = format!("failed-col-{i}");
                                    let f2 = field.clone();
                                    let on_pick = move |ev: leptos::ev::Event| {
                                        let mut ch = last_choices.get_untracked();
                                        ch.set_column(
                                            ColumnField::Export(f2.clone()),
                                            &event_target_value(&ev),
                                        );
                                        reparse(ch);
                                    };
                                    view! {
                                        <div class="field inline">
                                            <label for=id
                                                .clone()>{format!("Column for {field}")}</label>
                                            <select id=id on:change=on_pick data-testid="failed-column">
                                                <option value="">"(choose a column)"</option>
                                                {headers
                                                    .iter()
                                                    .map(|h| {
                                                        view! { <option value=h.clone()>{h.clone()}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                    }
                                })
                                .collect_view()}
                            {move || {
                                needs_period
                                    .get()
                                    .then(|| {
                                        view! {
                                            <div class="period-form">
                                                <div class="field inline">
                                                    <label for="period-start">"First day"</label>
                                                    <input
                                                        id="period-start"
                                                        type="date"
                                                        prop:value=move || period_start.get()
                                                        on:input=move |ev| period_start.set(event_target_value(&ev))
                                                    />
                                                </div>
                                                <div class="field inline">
                                                    <label for="period-end">"Last day"</label>
                                                    <input
                                                        id="period-end"
                                                        type="date"
                                                        prop:value=move || period_end.get()
                                                        on:input=move |ev| period_end.set(event_target_value(&ev))
                                                    />
                                                </div>
                                                <button type="button" on:click=choose_period>
                                                    "Use this period"
                                                </button>
                                                <p class="error" aria-live="polite">
                                                    {move || period_error.get()}
                                                </p>
                                            </div>
                                        }
                                    })
                            }}
                            <button type="button" on:click=cancel>
                                "Start over"
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Phase::Done(message) => {
                    view! {
                        <p class="banner info" role="status" data-testid="import-summary">
                            {message}
                        </p>
                    }
                        .into_any()
                }
                Phase::Preview => {
                    view! {
                        <ImportPreview
                            state=state
                            preview=preview
                            journeys=journeys
                            keep_dataset=keep_dataset
                            dataset_name=dataset_name
                            currency=currency
                            reparse=reparse
                        />
                        <ConfirmBar session=session />
                    }
                        .into_any()
                }
            }}

            <DatasetList currency=currency reload=reload_list message=list_message />
        </section>
    }
}
