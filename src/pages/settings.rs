//! Settings: currency, the channel → UTM mapping of tracking links, export (workspace JSON, calendar CSV, the training context for
//! the next planning cycle), import, and starting over (empty workspace or a fresh demo).

use crate::components::channel_mapping::ChannelMappingTable;
use crate::components::storage_panel::StoragePanel;
use crate::model::context::{self as training, WorkbenchReport};
use crate::model::csv::entries_csv;
use crate::model::date::Date;
use crate::model::demo::demo_workspace;
use crate::model::file::{self, Decoded};
use crate::model::prediction::parse_prediction_import;
use crate::model::workspace::{Workspace, CURRENCIES};
use crate::state::workbench::Workbench;
use crate::state::{AppState, SaveStatus};
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::number::DecimalMark;
use wasm_bindgen::JsCast;

/// A destructive action waiting for confirmation.
#[derive(Clone, PartialEq)]
enum Pending {
    None,
    Empty,
    Demo,
    Import(Box<Decoded>),
}

/// `#/settings`.
#[component]
pub fn SettingsPage(state: AppState) -> impl IntoView {
    let pending = RwSignal::new(Pending::None);
    let message = RwSignal::new(None::<(bool, String)>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let today = move || Date::from_unix_ms(web_tools::now_ms()).to_string();
    let export_json = move |_| {
        let name = format!("refleqt-workspace-{}.json", today());
        if state.stored_is_unreadable() {
            // The tab holds nothing of it: export what is stored, byte for byte.
            leptos::task::spawn_local(async move {
                match state.stored_text().await {
                    Ok(Some(text)) => {
                        let name = format!("refleqt-stored-unreadable-{}.json", today());
                        report(
                            message,
                            web_tools::download(&name, "application/json", &text),
                            &name,
                        );
                    }
                    Ok(None) => message.set(Some((false, "Nothing is stored to export.".into()))),
                    Err(e) => message.set(Some((
                        false,
                        format!("The stored data could not be read for export: {e}."),
                    ))),
                }
            });
            return;
        }
        let text = state
            .workspace
            .with_untracked(|ws| file::encode(ws, web_tools::now_ms(), None));
        report(
            message,
            web_tools::download(&name, "application/json", &text),
            &name,
        );
    };
    let export_csv = move |_| {
        let text = state.workspace.with_untracked(entries_csv);
        let name = format!("refleqt-calendar-{}.csv", today());
        report(
            message,
            web_tools::download(&name, "text/csv", &text),
            &name,
        );
    };
    // The attribution workbench's last report, when the attribution page ran in this tab: its
    // models and intervals go into the training context instead of the stored last-touch results.
    let workbench = use_context::<Workbench>();
    let export_context = move |_| {
        let now = web_tools::now_ms();
        let outcome = workbench.and_then(|w| w.outcome.get_untracked());
        let data = workbench
            .map(|w| w.source.with_untracked(|s| s.label()))
            .unwrap_or_default();
        let text = state.workspace.with_untracked(|ws| {
            let report = outcome.as_ref().map(|o| WorkbenchReport {
                report: &o.report,
                data: data.clone(),
            });
            training::document(ws, now, report).to_json()
        });
        let name = training::file_name(&today());
        report(
            message,
            web_tools::download(&name, "application/json", &text),
            &name,
        );
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        pending.set(Pending::None);
        message.set(None);
        if let Err(e) = web_tools::chosen_file_size(&input).map_or(Ok(()), file::check_file_size) {
            message.set(Some((
                false,
                format!("Import refused, nothing was changed: {e}."),
            )));
            input.set_value("");
            return;
        }
        leptos::task::spawn_local(async move {
            match web_tools::read_chosen_file(&input).await {
                Ok(Some(text)) => match file::decode(&text, web_tools::now_ms()) {
                    Ok(decoded) => pending.set(Pending::Import(Box::new(decoded))),
                    Err(e) => message.set(Some((
                        false,
                        format!("Import refused, nothing was changed: {e}."),
                    ))),
                },
                Ok(None) => {}
                Err(e) => message.set(Some((
                    false,
                    format!("Import refused, nothing was changed: {e}."),
                ))),
            }
            input.set_value("");
        });
    };
    let on_predictions = move |ev: leptos::ev::Event| {
        message.set(None);
        web_tools::on_text_file_chosen(&ev, move |text| {
            let ids: Vec<_> = state
                .workspace
                .with_untracked(|ws| ws.entries.iter().map(|e| e.entry_id).collect());
            let parsed = text
                .map_err(|e| e.to_string())
                .and_then(|t| parse_prediction_import(&t, &ids).map_err(|e| e.to_string()));
            match parsed {
                Ok(imported) => {
                    let mut n = 0;
                    state.change(|ws| n = ws.import_predictions(&imported));
                    message.set(Some((
                        true,
                        format!(
                            "Imported {n} prediction{}: they replace the learned ones for those entries.",
                            if n == 1 { "" } else { "s" }
                        ),
                    )));
                }
                Err(e) => message.set(Some((
                    false,
                    format!("Predictions not imported, nothing was changed: {e}."),
                ))),
            }
        });
    };
    let confirm = move |_| {
        let action = pending.get_untracked();
        pending.set(Pending::None);
        match action {
            Pending::None => {}
            Pending::Empty => {
                let currency = state
                    .workspace
                    .with_untracked(|ws| ws.settings.currency.clone());
                let mut ws = Workspace::empty();
                ws.settings.currency = currency;
                state.replace(ws);
                message.set(Some((true, "Started an empty workspace.".into())));
            }
            Pending::Demo => match demo_workspace() {
                Ok(ws) => {
                    state.replace(ws);
                    message.set(Some((true, "The demo workspace was reset.".into())));
                }
                Err(e) => message.set(Some((false, format!("The demo could not be built: {e}.")))),
            },
            Pending::Import(decoded) => {
                let n = decoded.workspace.entries.len();
                state.replace(decoded.workspace);
                message.set(Some((
                    true,
                    format!("Imported the workspace file ({n} entries)."),
                )));
            }
        }
    };
    let entries = move || state.workspace.with(|ws| ws.entries.len());
    // What a replacement destroys, said truly: over unreadable stored data the tab's own
    // workspace is empty, so the count would be a lie.
    let current = move || {
        if state.stored_is_unreadable() {
            "the saved data that this version cannot read (a copy is kept in the browser, and \
             \"Export workspace\" still downloads it)"
                .to_owned()
        } else {
            format!("the current workspace ({} entries)", entries())
        }
    };
    let question = move || match pending.get() {
        Pending::None => None,
        Pending::Empty => Some(format!(
            "Replace {} with an empty one? Export it first if you want to keep it.",
            current()
        )),
        Pending::Demo => Some(format!(
            "Replace {} with a fresh demo workspace?",
            current()
        )),
        Pending::Import(d) => Some(format!(
            "Replace {} with the file's workspace ({} entries{})?",
            current(),
            d.workspace.entries.len(),
            if d.schema_version < file::SCHEMA_VERSION {
                format!(", upgraded from schema {}", d.schema_version)
            } else {
                String::new()
            }
        )),
    };
    let storage_text = move || match state.status.get() {
        SaveStatus::Loading => "Loading…".to_owned(),
        SaveStatus::Saving => "Saving…".to_owned(),
        SaveStatus::Saved { revision } => format!(
            "Saved in this browser (IndexedDB), revision {revision}. Nothing leaves this machine."
        ),
        SaveStatus::Failed(e) => format!("Not saved: {e}."),
        SaveStatus::MemoryOnly(_) => {
            "Not saved: this browser blocks storage, so the workspace lives only in this tab."
                .to_owned()
        }
        SaveStatus::UpgradeBlocked => {
            "Waiting for another Refleqt tab to close before the saved data can be opened."
                .to_owned()
        }
    };

    view! {
        <section class="page settings" data-testid="settings">
            <h1>"Settings"</h1>
            <h2>"Money"</h2>
            <div class="field inline">
                <label for="currency">"Currency"</label>
                <select
                    id="currency"
                    prop:value=move || state.workspace.with(|ws| ws.settings.currency.clone())
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if crate::model::workspace::is_currency_code(&code) {
                            state.change(|ws| ws.settings.currency = code);
                        }
                    }
                >
                    {CURRENCIES
                        .iter()
                        .map(|c| {
                            view! {
                                <option
                                    value=*c
                                    selected=move || {
                                        state.workspace.with(|ws| ws.settings.currency == *c)
                                    }
                                >
                                    {*c}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <p class="hint">"Amounts are shown in this currency; they are not converted."</p>
            <div class="field inline">
                <label for="decimal-mark">"Number format"</label>
                <select
                    id="decimal-mark"
                    on:change=move |ev| {
                        let mark = match event_target_value(&ev).as_str() {
                            "comma" => DecimalMark::Comma,
                            _ => DecimalMark::Point,
                        };
                        state.change(|ws| ws.settings.decimal_mark = mark);
                    }
                >
                    {[(DecimalMark::Point, "point"), (DecimalMark::Comma, "comma")]
                        .into_iter()
                        .map(|(mark, value)| {
                            view! {
                                <option
                                    value=value
                                    selected=move || {
                                        state.workspace.with(|ws| ws.settings.decimal_mark == mark)
                                    }
                                >
                                    {mark.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <p class="hint">
                "How you type numbers, and how imports read a number like 1,234 that could be either."
            </p>

            <h2>"Alerts"</h2>
            <div class="field inline">
                <label for="alert-threshold">
                    "Alert when a result is outside its predicted range by more than (%)"
                </label>
                <input
                    id="alert-threshold"
                    type="number"
                    min="0"
                    max="1000"
                    step="5"
                    prop:value=move || {
                        state.workspace.with(|ws| ws.settings.alert_threshold_percent.to_string())
                    }
                    on:change=move |ev| {
                        match event_target_value(&ev).trim().parse::<u32>() {
                            Ok(p) if p <= 1000 => {
                                state.change(|ws| ws.settings.alert_threshold_percent = p);
                            }
                            _ => {
                                state
                                    .notice
                                    .set(
                                        Some(
                                            "Alert threshold not changed: enter a whole percent from 0 to 1000."
                                                .to_owned(),
                                        ),
                                    );
                            }
                        }
                    }
                />
            </div>
            <p class="hint">
                "Measured from the nearer end of the 95 % range (or from a typed-in prediction). 25 % flags clear over- and under-performance without crying wolf."
            </p>
            <div class="field">
                <label for="predictions-file">
                    "Import predictions from a planning tool (JSON)"
                </label>
                <span class="hint" id="predictions-hint">
                    "A file like {\"predictions\": {\"12\": {\"pageviews\": 1500, \"signups\": {\"low\": 5, \"high\": 20}}}} (entry id, then metric, then a value or a range). Each replaces that entry's prediction; a file with any error changes nothing."
                </span>
                <input
                    id="predictions-file"
                    type="file"
                    accept=".json,application/json"
                    aria-describedby="predictions-hint"
                    on:change=on_predictions
                />
            </div>
            <h2>"Tracking links"</h2>
            <ChannelMappingTable state=state />

            <h2>"Your data"</h2>
            <p data-testid="storage-status">{storage_text}</p>
            <StoragePanel />
            <div class="actions">
                <button type="button" on:click=export_json>
                    "Export workspace (JSON)"
                </button>
                <button type="button" on:click=export_csv>
                    "Export calendar (CSV)"
                </button>
                <button
                    type="button"
                    on:click=export_context
                    aria-describedby="training-context-hint"
                >
                    "Export training context"
                </button>
            </div>
            <p class="hint" id="training-context-hint">
                "The training context is the input of your next planning cycle: every entry with its attributes, its results against what was predicted, attribution (with 95 % intervals when the Attribution page has run in this tab), your beliefs and the evidence that moved them, A/B test results and creator scores, as one JSON file (format refleqt-training-context, version 1)."
            </p>
            <div class="field">
                <label for="import-file">"Import a workspace file (JSON)"</label>
                <span class="hint" id="import-hint">
                    "The file is checked completely first; nothing changes unless it is a valid Refleqt workspace and you confirm."
                </span>
                <input
                    id="import-file"
                    type="file"
                    accept=".json,application/json"
                    aria-describedby="import-hint"
                    node_ref=file_input
                    on:change=on_file
                />
            </div>

            <h2>"Workspace"</h2>
            <p>
                {move || {
                    if state.workspace.with(|ws| ws.is_demo) {
                        "This is the demo workspace: simulated entries and numbers."
                    } else {
                        "This is your own workspace."
                    }
                }}
            </p>
            <div class="actions">
                <button type="button" on:click=move |_| pending.set(Pending::Empty)>
                    "Start empty workspace"
                </button>
                <button type="button" on:click=move |_| pending.set(Pending::Demo)>
                    "Reset demo workspace"
                </button>
            </div>
            {move || {
                question()
                    .map(|q| {
                        view! {
                            <div
                                class="banner warn"
                                role="alertdialog"
                                aria-labelledby="confirm-text"
                                data-testid="confirm"
                            >
                                <p id="confirm-text">{q}</p>
                                <div class="actions">
                                    <button type="button" class="danger" on:click=confirm>
                                        "Replace workspace"
                                    </button>
                                    <button
                                        type="button"
                                        on:click=move |_| pending.set(Pending::None)
                                    >
                                        "Cancel"
                                    </button>
                                </div>
                            </div>
                        }
                    })
            }}
            <div role="status" aria-live="polite">
                {move || {
                    message
                        .get()
                        .map(|(ok, text)| {
                            view! {
                                <p
                                    class=if ok { "banner info" } else { "banner danger" }
                                    data-testid="settings-message"
                                >
                                    {text}
                                </p>
                            }
                        })
                }}
            </div>
        </section>
    }
}

fn report(
    message: RwSignal<Option<(bool, String)>>,
    result: Result<(), web_tools::BrowserError>,
    name: &str,
) {
    match result {
        Ok(()) => message.set(Some((true, format!("Downloaded {name}.")))),
        Err(e) => message.set(Some((false, format!("The download failed: {e}.")))),
    }
}
