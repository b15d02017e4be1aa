//! The Import page's list of stored data sets: name, file, size of the data, and per data set
//! "Check" (read it back and decode it) and "Delete". Unreadable entries are counted and said.

use crate::model::date::Date;
use crate::state::datasets::{self, DatasetListing};
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::roi::{format_count, format_money};

fn day(ms: i64) -> String {
    Date::from_unix_ms(ms).to_string()
}

/// The data sets, reloaded whenever `reload` changes; `message` is the list's status line (the
/// Import page writes to it too).
#[component]
pub fn DatasetList(
    currency: Memo<String>,
    reload: RwSignal<u64>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let list = RwSignal::new(None::<Result<DatasetListing, String>>);
    Effect::new(move |_| {
        reload.track();
        leptos::task::spawn_local(async move {
            let r = datasets::list()
                .await
                .map_err(|e| format!("{e}. {}", e.advice()));
            list.set(Some(r));
        });
    });

    let delete = move |id: String| {
        leptos::task::spawn_local(async move {
            match datasets::delete(&id).await {
                Ok(()) => message.set(Some("Data set deleted.".into())),
                Err(e) => message.set(Some(format!("Not deleted: {e}. {}", e.advice()))),
            }
            reload.update(|n| *n += 1);
        });
    };

    let verify = move |id: String, name: String| {
        message.set(Some(format!("Reading \u{201c}{name}\u{201d}…")));
        leptos::task::spawn_local(async move {
            let t0 = web_tools::now_ms();
            match datasets::load(&id).await {
                Ok(set) => message.set(Some(format!(
                    "\u{201c}{name}\u{201d} reads back intact: {} journeys, {} touches in {} ms.",
                    format_count(set.len() as f64),
                    format_count(set.touch_count() as f64),
                    web_tools::now_ms() - t0
                ))),
                Err(e) => message.set(Some(format!("{e}. {}", e.advice()))),
            }
        });
    };

    view! {
        <h2>"Data sets"</h2>
        <p class="hint">
            "Event logs and path tables kept for the Attribution page, stored compactly in this browser."
        </p>
        <p role="status" aria-live="polite" data-testid="datasets-message">
            {move || message.get()}
        </p>
        {move || match list.get() {
            None => view! { <p>"Loading data sets…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="banner danger">{e}</p> }.into_any(),
            Some(Ok(v)) if v.datasets.is_empty() && v.unreadable == 0 => {
                view! {
                    <p data-testid="datasets-empty">
                        "No data sets yet: import an event log or a path table."
                    </p>
                }
                    .into_any()
            }
            Some(Ok(DatasetListing { datasets: v, unreadable })) => {
                view! {
                    {(unreadable > 0)
                        .then(|| {
                            view! {
                                <p class="banner warn" data-testid="datasets-unreadable">
                                    {format!(
                                        "{unreadable} stored data set{} could not be read (saved by a newer version of Refleqt, or damaged) and {} not listed. Import {} file{} again if you need {}.",
                                        if unreadable == 1 { "" } else { "s" },
                                        if unreadable == 1 { "is" } else { "are" },
                                        if unreadable == 1 { "its" } else { "their" },
                                        if unreadable == 1 { "" } else { "s" },
                                        if unreadable == 1 { "it" } else { "them" },
                                    )}
                                </p>
                            }
                        })}
                    <table class="datasets" data-testid="datasets">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"File"</th>
                                <th scope="col">"Journeys"</th>
                                <th scope="col">"Conversions"</th>
                                <th scope="col">"Revenue"</th>
                                <th scope="col">"Dates"</th>
                                <th scope="col">"Stored"</th>
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {v
                                .into_iter()
                                .map(|d| {
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
                                            <td>
                                                {format_money(d.revenue, &currency.get_untracked())}
                                            </td>
                                            <td>
                                                {d
                                                    .date_range
                                                    .map(|(a, b)| format!("{} – {}", day(a), day(b)))
                                                    .unwrap_or_else(|| "—".into())}
                                            </td>
                                            <td>
                                                {format!("{:.1} MB", d.stored_bytes as f64 / 1_048_576.0)}
                                            </td>
                                            <td>
                                                <button
                                                    type="button"
                                                    aria-label=check_label
                                                    on:click=move |_| verify(id2.clone(), name2.clone())
                                                >
                                                    "Check"
                                                </button>
                                                " "
                                                <button
                                                    type="button"
                                                    aria-label=label
                                                    on:click=move |_| delete(id.clone())
                                                >
                                                    "Delete"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        }}
    }
}
