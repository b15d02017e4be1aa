//! The preview of a parsed export on the Import page: counts, rejected rows, the editable column
//! mapping, matched entries, unmatched rows with hand assignment, and the journeys with the
//! "keep as a data set" choice. It only reads the preview and asks for a re-parse; a refused hand
//! assignment is said next to the rows. [`ConfirmBar`] is the Confirm / Cancel pair under it, the
//! same on the Import and the Connections page.

use crate::model::date::Date;
use crate::model::import::{Choices, JourneyCounts, Preview};
use crate::state::import::ImportSession;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::imports::{Layout, Period};
use refleqt_engine::roi::{format_count, format_money};

fn day(ms: i64) -> String {
    Date::from_unix_ms(ms).to_string()
}

/// "first – last (n days)".
pub fn period_text(p: Period) -> String {
    let days = p.day_count();
    format!(
        "{} – {} ({days} day{})",
        day(p.start_ms),
        day(p.end_ms),
        if days == 1 { "" } else { "s" }
    )
}

/// The buttons under a preview: Confirm import (writes the previewed values) and Cancel.
/// Confirm is disabled, with the reason next to it, when no value would be written and no
/// data set kept.
#[component]
pub fn ConfirmBar(session: ImportSession) -> impl IntoView {
    let ImportSession {
        state,
        preview,
        journeys,
        keep_dataset,
        ..
    } = session;
    let nothing_to_write = Memo::new(move |_| {
        let writable = preview.with(|p| {
            p.as_ref()
                .map_or(0, |p| state.workspace.with(|ws| p.checks(ws).writable))
        });
        writable == 0 && !(journeys.with(Option::is_some) && keep_dataset.get())
    });
    view! {
        <div class="actions">
            <button
                type="button"
                class="primary"
                on:click=move |_| session.confirm_preview()
                data-testid="import-confirm"
                prop:disabled=move || nothing_to_write.get()
                aria-describedby="confirm-hint"
            >
                "Confirm import"
            </button>
            <p class="hint" id="confirm-hint" data-testid="confirm-hint">
                {move || {
                    nothing_to_write
                        .get()
                        .then_some(
                            "Nothing would be written: assign rows to entries above, or keep the journeys as a data set.",
                        )
                }}
            </p>
            <button type="button" on:click=move |_| session.cancel() data-testid="import-cancel">
                "Cancel"
            </button>
        </div>
    }
}

/// The preview of a parsed export.
#[component]
pub fn ImportPreview<F>(
    state: AppState,
    preview: RwSignal<Option<Preview>>,
    journeys: RwSignal<Option<JourneyCounts>>,
    keep_dataset: RwSignal<bool>,
    dataset_name: RwSignal<String>,
    currency: Memo<String>,
    reparse: F,
) -> impl IntoView
where
    F: Fn(Choices) + Copy + Send + Sync + 'static,
{
    // A refused hand assignment (the row or the entry is gone), said next to the rows.
    let assign_error = RwSignal::new(None::<String>);
    let choices = move || {
        preview
            .with_untracked(|p| p.as_ref().map(|p| p.choices.clone()))
            .unwrap_or_default()
    };
    let on_platform = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        let layout = Layout::ALL.into_iter().find(|p| format!("{p:?}") == key);
        reparse(Choices {
            layout,
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
            let layout = p.import.layout;
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
            let unmapped = p.unmapped_fields();
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
            let checks = state.workspace.with(|ws| p.checks(ws));
            let values = checks.writable;
            let refused: Vec<String> = checks
                .refused
                .iter()
                .take(10)
                .map(|(e, m, why)| format!("#{e} {} — {m}: {why}", title(*e)))
                .collect();
            let refused_count = checks.refused.len();
            let warnings = checks.warnings;
            let period = p.period().map(period_text).unwrap_or_else(|| "no dated rows".into());
            let has_rows = !p.import.rows.is_empty();
            view! {
                <section
                    class="import-preview"
                    aria-labelledby="preview-heading"
                    data-testid="import-preview"
                >
                    <h2 id="preview-heading">{format!("Preview of {}", p.file_name)}</h2>
                    <div class="field inline">
                        <label for="import-platform">"Parse as"</label>
                        <select
                            id="import-platform"
                            on:change=on_platform
                            aria-describedby="detected-hint"
                        >
                            {Layout::ALL
                                .into_iter()
                                .map(|x| {
                                    view! {
                                        <option value=format!("{x:?}") selected=x == layout>
                                            {x.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <span class="hint" id="detected-hint">
                            {format!("Detected: {detected}")}
                        </span>
                    </div>
                    <dl class="import-counts">
                        <dt>"Rows accepted"</dt>
                        <dd data-testid="count-accepted">{c.accepted}</dd>
                        <dt>"Rows rejected"</dt>
                        <dd data-testid="count-rejected">{c.rejected}</dd>
                        {(c.skipped > 0)
                            .then(|| {
                                view! {
                                    <dt>"Summary rows skipped"</dt>
                                    <dd>{c.skipped}</dd>
                                }
                            })}
                        {has_rows
                            .then(|| {
                                view! {
                                    <dt>"Rows matched to entries"</dt>
                                    <dd data-testid="count-matched">{c.matched_rows}</dd>
                                    <dt>"Rows not matched"</dt>
                                    <dd data-testid="count-unmatched">{c.unmatched_rows}</dd>
                                    <dt>"Entries that get values"</dt>
                                    <dd data-testid="count-entries">{c.entries}</dd>
                                }
                            })}
                        <dt>"Period covered"</dt>
                        <dd data-testid="import-period">{period}</dd>
                    </dl>
                    {(!warnings.is_empty())
                        .then(|| {
                            view! {
                                <div
                                    class="banner warn"
                                    role="status"
                                    data-testid="import-warnings"
                                >
                                    <h3>"Check before confirming"</h3>
                                    <ul>
                                        {warnings
                                            .into_iter()
                                            .map(|w| view! { <li>{w}</li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })}
                    {(!refused.is_empty())
                        .then(|| {
                            view! {
                                <h3>
                                    {format!(
                                        "{refused_count} value{} will not be written",
                                        if refused_count == 1 { "" } else { "s" },
                                    )}
                                </h3>
                                <ul class="rejected" data-testid="import-refused">
                                    {refused
                                        .into_iter()
                                        .map(|r| view! { <li>{r}</li> })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                    {(!rejected.is_empty())
                        .then(|| {
                            view! {
                                <h3>"First rejected rows"</h3>
                                <ul class="rejected" data-testid="rejected-rows">
                                    {rejected
                                        .into_iter()
                                        .map(|r| view! { <li>{r}</li> })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                    <h3>"Columns"</h3>
                    <table class="columns" data-testid="import-columns">
                        <thead>
                            <tr>
                                <th scope="col">"Field"</th>
                                <th scope="col" id="col-header">
                                    "Column in the file"
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {columns
                                .into_iter()
                                .enumerate()
                                .map(|(i, (field, header))| {
                                    let fid = format!("col-field-{i}");
                                    let f2 = field.clone();
                                    let on_change = move |ev: leptos::ev::Event| {
                                        let mut ch = choices();
                                        ch.set_column(f2.clone(), &event_target_value(&ev));
                                        reparse(ch);
                                    };
                                    view! {
                                        <tr>
                                            <th scope="row" id=fid.clone()>
                                                {field.to_string()}
                                            </th>
                                            <td>
                                                <select
                                                    aria-labelledby=format!("{fid} col-header")
                                                    on:change=on_change
                                                >
                                                    <option value="">"(not used)"</option>
                                                    {headers
                                                        .iter()
                                                        .map(|h| {
                                                            view! {
                                                                <option value=h.clone() selected=*h == header>
                                                                    {h.clone()}
                                                                </option>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </select>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    {(!unmapped.is_empty() && !headers.is_empty())
                        .then(|| {
                            let extra_field = RwSignal::new(0usize);
                            let fields = unmapped.clone();
                            let on_field = move |ev: leptos::ev::Event| {
                                extra_field.set(event_target_value(&ev).parse().unwrap_or(0));
                            };
                            let on_column = move |ev: leptos::ev::Event| {
                                let header = event_target_value(&ev);
                                if header.is_empty() {
                                    return;
                                }
                                if let Some(f) = fields.get(extra_field.get_untracked()) {
                                    let mut ch = choices();
                                    ch.set_column(f.clone(), &header);
                                    reparse(ch);
                                }
                            };
                            view! {
                                <div class="field inline" data-testid="extra-column">
                                    <label for="extra-field">
                                        "Use a column for another field"
                                    </label>
                                    <select id="extra-field" on:change=on_field>
                                        {unmapped
                                            .iter()
                                            .enumerate()
                                            .map(|(i, f)| {
                                                view! {
                                                    <option value=i.to_string()>{f.to_string()}</option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                    <label for="extra-header">"Column"</label>
                                    <select id="extra-header" on:change=on_column>
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
                        })}
                    {has_rows
                        .then(|| {
                            view! {
                                <h3>"Matched entries"</h3>
                                <ul data-testid="matched-entries">
                                    {matched
                                        .into_iter()
                                        .map(|(e, n)| {
                                            view! {
                                                <li>
                                                    <a href=format!(
                                                        "#/entry/{e}",
                                                    )>{format!("#{e} {}", title(e))}</a>
                                                    {format!(" — {n} row{}", if n == 1 { "" } else { "s" })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                {(!unmatched.is_empty())
                                    .then(|| {
                                        view! {
                                            <h3>"Rows not matched"</h3>
                                            <p class="hint">
                                                "Assign a row to an entry by hand, or leave it out."
                                            </p>
                                            {move || {
                                                assign_error
                                                    .get()
                                                    .map(|e| {
                                                        view! {
                                                            <p class="error" role="alert" data-testid="assign-error">
                                                                {e}
                                                            </p>
                                                        }
                                                    })
                                            }}
                                            <table class="unmatched" data-testid="unmatched-rows">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"Row"</th>
                                                        <th scope="col">"Why"</th>
                                                        <th scope="col" id="assign-col">
                                                            "Assign to entry"
                                                        </th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {unmatched
                                                        .into_iter()
                                                        .map(|(i, what, why, current)| {
                                                            let rid = format!("unmatched-{i}");
                                                            let on_assign = move |ev: leptos::ev::Event| {
                                                                let v = event_target_value(&ev).parse::<u64>().ok();
                                                                let ws = state.workspace.get_untracked();
                                                                let refused = preview
                                                                    .try_update(|p| p.as_mut().map(|p| p.assign(i, v, &ws)))
                                                                    .flatten()
                                                                    .and_then(Result::err);
                                                                assign_error
                                                                    .set(
                                                                        refused
                                                                            .map(|e| {
                                                                                format!(
                                                                                    "This row could not be assigned: {e}. Choose another entry (the list may be out of date if another tab changed the calendar).",
                                                                                )
                                                                            }),
                                                                    );
                                                            };
                                                            view! {
                                                                <tr>
                                                                    <th scope="row" id=rid.clone()>
                                                                        {what}
                                                                    </th>
                                                                    <td>{why}</td>
                                                                    <td>
                                                                        <select
                                                                            aria-labelledby=format!("{rid} assign-col")
                                                                            on:change=on_assign
                                                                        >
                                                                            <option value="">"(leave out)"</option>
                                                                            {entries
                                                                                .get_untracked()
                                                                                .into_iter()
                                                                                .map(|(id, t)| {
                                                                                    view! {
                                                                                        <option value=id.to_string() selected=current == Some(id)>
                                                                                            {format!("#{id} {t}")}
                                                                                        </option>
                                                                                    }
                                                                                })
                                                                                .collect_view()}
                                                                        </select>
                                                                    </td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        }
                                    })}
                                <p data-testid="import-values">
                                    {format!(
                                        "Confirming writes {values} value{} as imported (manual values win; an earlier import of the same platform and period is replaced).",
                                        if values == 1 { "" } else { "s" },
                                    )}
                                </p>
                            }
                        })}
                    {move || {
                        journeys
                            .get()
                            .map(|n| {
                                view! {
                                    <h3>"Journeys"</h3>
                                    <p data-testid="import-journeys">
                                        {format!(
                                            "{} journeys, {} touches, {} conversions, {} revenue.",
                                            format_count(n.journeys as f64),
                                            format_count(n.touches as f64),
                                            format_count(n.conversions),
                                            format_money(n.revenue, &currency.get_untracked()),
                                        )}
                                    </p>
                                    <div class="field inline">
                                        <input
                                            id="keep-dataset"
                                            type="checkbox"
                                            prop:checked=move || keep_dataset.get()
                                            on:change=move |ev| {
                                                keep_dataset.set(event_target_checked(&ev))
                                            }
                                        />
                                        <label for="keep-dataset">
                                            "Keep as a data set for the Attribution page"
                                        </label>
                                    </div>
                                    <div class="field inline">
                                        <label for="dataset-name">"Data set name"</label>
                                        <input
                                            id="dataset-name"
                                            type="text"
                                            prop:value=move || dataset_name.get()
                                            on:input=move |ev| dataset_name.set(event_target_value(&ev))
                                        />
                                    </div>
                                }
                            })
                    }}
                </section>
            }
            .into_any()
        })
    }
}
