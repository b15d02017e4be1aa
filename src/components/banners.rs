//! Banners under the navigation bar: storage problems (with what to do and, for a conflict
//! between tabs, the two choices) and notices.

use crate::state::{AppState, SaveStatus, StorageError};
use leptos::prelude::*;

/// `text` with a capital first letter and a final full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

/// The storage problem, if any, with its advice and actions.
#[component]
pub fn StorageBanner(state: AppState) -> impl IntoView {
    move || {
        let status = state.status.get();
        let (error, memory_only) = match status {
            SaveStatus::Failed(e) => (e, false),
            SaveStatus::MemoryOnly(e) => (e, true),
            SaveStatus::UpgradeBlocked => {
                return Some(
                    view! {
                        <div class="banner warn" role="alert" data-testid="storage-blocked">
                            <strong>"Waiting for another Refleqt tab"</strong>
                            <p>
                                "An older version of Refleqt is open in another tab and holds your saved data, so this newer version cannot open it yet."
                            </p>
                            <p>
                                "Close or reload the other Refleqt tabs; this tab then continues by itself. Nothing is lost."
                            </p>
                        </div>
                    }
                        .into_any(),
                );
            }
            _ => return None,
        };
        let conflict = matches!(error, StorageError::Conflict { .. });
        let retry = matches!(error, StorageError::QuotaExceeded | StorageError::Failed(_));
        let title = if memory_only {
            "Not saved: working in this tab only"
        } else if conflict {
            "Changed in another tab"
        } else {
            "Not saved"
        };
        Some(view! {
            <div class="banner danger" role="alert" data-testid="storage-error">
                <strong>{title}</strong>
                <p>{sentence(&error.to_string())}</p>
                <p>{error.advice()}</p>
                <div class="actions">
                    {conflict
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    on:click=move |_| {
                                        leptos::task::spawn_local(async move {
                                            state
                                                .reload(Some("Loaded the version saved in another tab."))
                                                .await
                                        });
                                    }
                                >
                                    "Load the other tab's version"
                                </button>
                                <button type="button" on:click=move |_| state.keep_mine()>
                                    "Keep this tab's version"
                                </button>
                            }
                        })}
                    {retry
                        .then(|| {
                            view! {
                                <button type="button" on:click=move |_| state.retry()>
                                    "Try saving again"
                                </button>
                            }
                        })} <a href="#/settings">"Export from Settings"</a>
                </div>
            </div>
        }
            .into_any())
    }
}

/// A polite notice with a dismiss button.
#[component]
pub fn NoticeBanner(state: AppState) -> impl IntoView {
    view! {
        <div role="status" aria-live="polite" class="notice-region">
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <div class="banner info" data-testid="notice">
                                <span>{text}</span>
                                <button
                                    type="button"
                                    class="link"
                                    on:click=move |_| state.notice.set(None)
                                >
                                    "Dismiss"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Says the demo workspace is a demo, with the way out.
#[component]
pub fn DemoBanner(state: AppState) -> impl IntoView {
    move || {
        state.workspace.with(|ws| ws.is_demo).then(|| {
            view! {
                <p class="banner demo" data-testid="demo-banner">
                    <strong>"Demo workspace. "</strong>
                    "These entries and numbers are simulated, to show what Refleqt does. "
                    <a href="#/settings">"Start an empty workspace"</a>
                    " when you are ready for your own data."
                </p>
            }
        })
    }
}

/// The outcome of the user's last action on a page: a status line when it worked, an alert
/// (read out at once) when it did not.
#[component]
pub fn ResultBanner(
    /// `(worked, text)`; nothing is shown while it is `None`.
    message: RwSignal<Option<(bool, String)>>,
    /// The banner's `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    move || {
        message.get().map(|(ok, text)| {
            view! {
                <p
                    class=if ok { "banner" } else { "banner danger" }
                    role=if ok { "status" } else { "alert" }
                    data-testid=testid
                >
                    {text}
                </p>
            }
        })
    }
}
