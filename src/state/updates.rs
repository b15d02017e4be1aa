//! The app's own updates: registers the service worker (offline use) and says when a new version
//! is ready, so the page can offer "reload to update". The new version waits until the user
//! chooses it: a tab never runs an old page with new files, nor the reverse.

use crate::service_worker::{self, Registration};
use crate::web_tools;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Whether a new version of the app waits, and the way to switch to it. `Copy`: handles only.
#[derive(Clone, Copy)]
pub struct AppUpdate {
    /// A new version has installed and waits for this page to let it take over.
    pub ready: RwSignal<bool>,
    registration: StoredValue<Option<Registration>, LocalStorage>,
}

impl AppUpdate {
    /// Register the service worker (when the page names one) and watch for new versions. A
    /// registration that fails leaves the app working online only, with a console warning.
    pub fn start() -> AppUpdate {
        let update = AppUpdate {
            ready: RwSignal::new(false),
            registration: StoredValue::new_local(None),
        };
        provide_context(update);
        spawn_local(async move {
            let ready = update.ready;
            match service_worker::register(move || {
                // `Some` (the value handed back) only once the app is unmounted.
                let _unmounted = ready.try_set(true);
            })
            .await
            {
                Ok(found) => {
                    // `None` only when the app was unmounted meanwhile: nothing left to update.
                    let _unmounted = update.registration.try_update_value(|r| *r = found);
                }
                Err(e) => web_tools::warn("Offline use is off:", &e.to_string().into()),
            }
        });
        update
    }

    /// Switch to the waiting version: it takes over and the page reloads.
    pub fn apply(&self) {
        match self.registration.try_get_value().flatten() {
            Some(registration) => registration.activate_waiting(),
            None => self.ready.set(false),
        }
    }
}
