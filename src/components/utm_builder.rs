//! The UTM link builder of a calendar entry (issue 5): utm_source and utm_medium from the
//! entry's channel through the workspace's channel mapping (Settings), utm_campaign = the slug of
//! the campaign, utm_content = `cal-<id>`, optional utm_term and utm_id; the full link from the
//! engine's `links::build_url`, a Copy button, and the engine's governance warnings
//! (`links::check`, with the other entries' campaign names).

use crate::model::entry::CalendarEntry;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::links::{build_url, check, LinkError, UtmParams};
use thiserror::Error;

/// Why an entry has no tracking link; `Display` is the text shown in its place.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NoLink {
    #[error(
        "This entry has no destination URL: edit the entry and add the page the link should open."
    )]
    NoDestination,
    #[error("{0}.")]
    Invalid(LinkError),
}

/// The link of `entry_id`, or why there is none, and the governance warnings.
pub fn link_of(
    entry: &CalendarEntry,
    ws: &crate::model::workspace::Workspace,
    term: &str,
    utm_id: &str,
) -> (UtmParams, Result<String, NoLink>, Vec<String>) {
    let mut params = UtmParams::for_entry(
        &ws.settings.channel_mapping,
        entry.entry_id,
        &entry.channel,
        &entry.campaign,
    );
    params.term = Some(term.trim().to_owned()).filter(|t| !t.is_empty());
    params.id = Some(utm_id.trim().to_owned()).filter(|t| !t.is_empty());
    let url = if entry.destination_url.trim().is_empty() {
        Err(NoLink::NoDestination)
    } else {
        build_url(&entry.destination_url, &params).map_err(NoLink::Invalid)
    };
    let others: Vec<&str> = ws
        .entries
        .iter()
        .filter(|e| e.entry_id != entry.entry_id && !e.campaign.is_empty())
        .map(|e| e.campaign.as_str())
        .collect();
    let warnings = check(&entry.destination_url, &params, &entry.campaign, &others)
        .iter()
        .map(ToString::to_string)
        .collect();
    (params, url, warnings)
}

/// The link builder panel of one entry.
#[component]
pub fn UtmBuilder(state: AppState, entry_id: u64) -> impl IntoView {
    let term = RwSignal::new(String::new());
    let utm_id = RwSignal::new(String::new());
    let copied = RwSignal::new(None::<Result<(), web_tools::BrowserError>>);
    let link = Memo::new(move |_| {
        let (t, i) = (term.get(), utm_id.get());
        state.workspace.with(|ws| {
            ws.entry(entry_id).map(|e| {
                let (p, url, warnings) = link_of(e, ws, &t, &i);
                (p, url, warnings)
            })
        })
    });
    let copy = move |_| {
        let Some((_, Ok(url), _)) = link.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            copied.set(Some(web_tools::copy_text(&url).await));
        });
    };
    let param = |name: &'static str, value: String| {
        view! {
            <dt>
                <code>{name}</code>
            </dt>
            <dd>
                <code data-testid=format!("utm-{name}")>{value}</code>
            </dd>
        }
    };
    view! {
        <section class="utm-builder" aria-labelledby="utm-heading" data-testid="utm-builder">
            <h2 id="utm-heading">"Tracking link"</h2>
            <p class="hint">
                "Source and medium come from the channel (change them in "
                <a href="#/settings">"Settings"</a>"); imports match visits back to this entry by "
                <code>"utm_content"</code>"."
            </p>
            {move || {
                link.get()
                    .map(|(p, _, _)| {
                        view! {
                            <dl class="utm-params">
                                {param("utm_source", p.source.clone())}
                                {param("utm_medium", p.medium.clone())}
                                {param("utm_campaign", p.campaign.clone())}
                                {param("utm_content", p.content.clone())}
                            </dl>
                        }
                    })
            }}
            <div class="utm-optional">
                <div class="field inline">
                    <label for="utm-term">"utm_term (optional)"</label>
                    <input
                        id="utm-term"
                        type="text"
                        prop:value=move || term.get()
                        on:input=move |ev| {
                            term.set(event_target_value(&ev));
                            copied.set(None);
                        }
                    />
                </div>
                <div class="field inline">
                    <label for="utm-id">"utm_id (optional)"</label>
                    <input
                        id="utm-id"
                        type="text"
                        prop:value=move || utm_id.get()
                        on:input=move |ev| {
                            utm_id.set(event_target_value(&ev));
                            copied.set(None);
                        }
                    />
                </div>
            </div>
            {move || {
                link.get()
                    .map(|(_, url, warnings)| {
                        view! {
                            {match url {
                                Ok(url) => {
                                    view! {
                                        <div class="utm-url">
                                            <label for="utm-url">"Full link"</label>
                                            <output id="utm-url" data-testid="utm-url">
                                                {url}
                                            </output>
                                            <button type="button" on:click=copy data-testid="utm-copy">
                                                "Copy"
                                            </button>
                                            <span
                                                role="status"
                                                aria-live="polite"
                                                data-testid="utm-copy-status"
                                            >
                                                {move || match copied.get() {
                                                    Some(Ok(())) => "Copied".to_owned(),
                                                    Some(Err(e)) => {
                                                        format!(
                                                            "Not copied: {e}. Select the link and copy it by hand.",
                                                        )
                                                    }
                                                    None => String::new(),
                                                }}
                                            </span>
                                        </div>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! {
                                        <p class="banner warn" data-testid="utm-error">
                                            {e.to_string()}
                                        </p>
                                    }
                                        .into_any()
                                }
                            }}
                            {(!warnings.is_empty())
                                .then(|| {
                                    view! {
                                        <div class="utm-warnings" data-testid="utm-warnings">
                                            <h3>"Worth fixing"</h3>
                                            <ul>
                                                {warnings
                                                    .into_iter()
                                                    .map(|w| view! { <li>{w}</li> })
                                                    .collect_view()}
                                            </ul>
                                        </div>
                                    }
                                })}
                        }
                    })
            }}
        </section>
    }
}
