//! "Storage on this device" in Settings: whether the browser may clear the site's data on its own
//! (and the button that asks it not to, `navigator.storage.persist()`), and how much is used.

use crate::web_tools::{self, StorageInfo};
use leptos::prelude::*;

/// `1536` → `"1.5 KB"`: bytes in the units people read (powers of 1024, one decimal).
pub fn human_bytes(bytes: f64) -> String {
    if !bytes.is_finite() || bytes < 0.0 {
        return "unknown".to_owned();
    }
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{value:.0} bytes"),
        _ => format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("bytes")),
    }
}

/// The persistence sentence.
pub fn persistence_text(persisted: Option<bool>) -> &'static str {
    match persisted {
        Some(true) => {
            "Persistent: the browser keeps this data until you delete it (it is not cleared to \
             free space)."
        }
        Some(false) => {
            "Best effort: the browser may clear this data on its own when the disk is nearly \
             full. Ask it to keep the data, and export the workspace now and then."
        }
        None => {
            "This browser does not say whether it may clear this data on its own; export the \
             workspace now and then."
        }
    }
}

/// The usage sentence, when the browser gives the numbers.
pub fn usage_text(info: &StorageInfo) -> Option<String> {
    match (info.usage, info.quota) {
        (Some(used), Some(quota)) if quota > 0.0 => Some(format!(
            "Using {} of the {} this browser allows this site ({:.0} %).",
            human_bytes(used),
            human_bytes(quota),
            (used / quota * 100.0).min(100.0)
        )),
        (Some(used), _) => Some(format!("Using {}.", human_bytes(used))),
        _ => None,
    }
}

/// The panel; reads the browser's answer when shown.
#[component]
pub fn StoragePanel() -> impl IntoView {
    let info = RwSignal::new(None::<StorageInfo>);
    let asked = RwSignal::new(None::<String>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            let now = web_tools::storage_info().await;
            // The page may be gone by the time the browser answers: then nothing is shown.
            info.try_set(Some(now));
        });
    };
    refresh();
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            let text = match web_tools::request_persistent_storage().await {
                Some(true) => "The browser will keep this data.",
                Some(false) => {
                    "The browser said no for now. Browsers grant this to sites you use often, \
                     bookmark or install; you can ask again later."
                }
                None => "This browser has no way to ask.",
            };
            if asked.try_set(Some(text.to_owned())).is_none() {
                refresh();
            }
        });
    };
    view! {
        <div class="storage-panel" data-testid="storage-panel">
            {move || {
                info.get()
                    .map(|i| {
                        view! {
                            <p data-testid="storage-persistence">{persistence_text(i.persisted)}</p>
                            {usage_text(&i).map(|t| view! { <p class="hint">{t}</p> })}
                            {(i.persisted == Some(false))
                                .then(|| {
                                    view! {
                                        <button type="button" on:click=ask>
                                            "Ask the browser to keep this data"
                                        </button>
                                    }
                                })}
                        }
                    })
            }}
            <p role="status" aria-live="polite">
                {move || asked.get()}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_read_them() {
        assert_eq!(human_bytes(0.0), "0 bytes");
        assert_eq!(human_bytes(1023.0), "1023 bytes");
        assert_eq!(human_bytes(1536.0), "1.5 KB");
        assert_eq!(human_bytes(5.0 * 1024.0 * 1024.0), "5.0 MB");
        assert_eq!(human_bytes(f64::NAN), "unknown");
        assert_eq!(human_bytes(-1.0), "unknown");
    }

    #[test]
    fn usage_says_the_share_of_the_quota() {
        let info = StorageInfo {
            persisted: Some(false),
            usage: Some(1024.0 * 1024.0),
            quota: Some(4.0 * 1024.0 * 1024.0),
        };
        assert_eq!(
            usage_text(&info).as_deref(),
            Some("Using 1.0 MB of the 4.0 MB this browser allows this site (25 %).")
        );
        let no_numbers = StorageInfo {
            persisted: None,
            usage: None,
            quota: None,
        };
        assert_eq!(usage_text(&no_numbers), None);
        assert!(persistence_text(Some(false)).contains("may clear"));
        assert!(persistence_text(Some(true)).starts_with("Persistent"));
    }
}
