//! The service worker's page side: registering `sw.js` relative to the page (so its scope is the
//! app's folder under any sub-path), noticing a new version that waits, and letting it take over.
//!
//! The worker itself is `scripts/service-worker.js`, written into the build as `sw.js` with the
//! build's file list by `scripts/sw-precache.mjs` (a Trunk `post_build` hook). `index.html` names
//! it in `<meta name="refleqt-service-worker" content="sw.js">`; a page without that line (the
//! wasm-bindgen browser tests) registers nothing. A failed registration is a console warning: the
//! app works as before, only not offline.

use crate::web_tools;
use std::rc::Rc;
use thiserror::Error;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// The `<meta>` in `index.html` that names the service worker's script, relative to the page.
const META_SELECTOR: &str = "meta[name=\"refleqt-service-worker\"]";

/// The message `sw.js` answers with `skipWaiting()`.
const SKIP_WAITING: &str = "skipWaiting";

/// Why no service worker runs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServiceWorkerError {
    /// Service workers need a secure context (https or localhost) and a browser that has them.
    #[error("this browser offers no service workers here (they need https or localhost)")]
    Unsupported,
    /// The browser refused the registration; the text is its own.
    #[error("the service worker could not be registered ({0})")]
    Refused(String),
}

/// A registered service worker. Cheap to clone (a handle to the browser's object).
#[derive(Clone)]
pub struct Registration {
    container: ServiceWorkerContainer,
    registration: ServiceWorkerRegistration,
}

/// The script `index.html` names, or `None` when the page names none.
fn script_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector(META_SELECTOR).ok()??;
    meta.get_attribute("content").filter(|url| !url.is_empty())
}

/// `navigator.serviceWorker`, when the browser has it in this context.
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let value = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker")).ok()?;
    value.dyn_into::<ServiceWorkerContainer>().ok()
}

/// Register the service worker that `index.html` names (`Ok(None)` when it names none).
/// `on_update_ready` is called when a new version has installed and waits while this page runs
/// an older one (also when that happened before this call, e.g. in another tab).
pub async fn register(
    on_update_ready: impl Fn() + 'static,
) -> Result<Option<Registration>, ServiceWorkerError> {
    let Some(url) = script_url() else {
        return Ok(None);
    };
    let container = container().ok_or(ServiceWorkerError::Unsupported)?;
    let registration = JsFuture::from(container.register(&url))
        .await
        .map_err(|e| ServiceWorkerError::Refused(format!("{e:?}")))?
        .dyn_into::<ServiceWorkerRegistration>()
        .map_err(|e| ServiceWorkerError::Refused(format!("{e:?}")))?;
    let on_ready: Rc<dyn Fn()> = Rc::new(on_update_ready);
    let found = Registration {
        container,
        registration,
    };
    found.watch(on_ready);
    Ok(Some(found))
}

impl Registration {
    /// Call `on_ready` once a new version waits: now if one already does, or when one that is
    /// installing (now or later) reaches `installed`. The first install of all is no update:
    /// then no worker controls the page yet.
    fn watch(&self, on_ready: Rc<dyn Fn()>) {
        if self.registration.waiting().is_some() && self.container.controller().is_some() {
            on_ready();
        }
        if let Some(installing) = self.registration.installing() {
            watch_installing(&self.container, &installing, on_ready.clone());
        }
        let container = self.container.clone();
        let registration = self.registration.clone();
        // Lives as long as the page, like the registration it listens to.
        let on_update_found = Closure::<dyn Fn()>::new(move || {
            if let Some(installing) = registration.installing() {
                watch_installing(&container, &installing, on_ready.clone());
            }
        })
        .into_js_value();
        self.registration
            .set_onupdatefound(Some(on_update_found.unchecked_ref()));
    }

    /// Let the waiting version take over and reload the page once it controls it. Without a
    /// waiting version, just reload.
    pub fn activate_waiting(&self) {
        let Some(waiting) = self.registration.waiting() else {
            reload();
            return;
        };
        // Set only now: the first install's `clients.claim()` also changes the controller, and
        // that must not reload the page.
        let on_controller_change = Closure::<dyn Fn()>::new(reload).into_js_value();
        self.container
            .set_oncontrollerchange(Some(on_controller_change.unchecked_ref()));
        if let Err(e) = waiting.post_message(&JsValue::from_str(SKIP_WAITING)) {
            web_tools::warn("the new version could not be started", &e);
            reload();
        }
    }
}

/// Call `on_ready` when `worker` has installed while an older version controls the page.
fn watch_installing(
    container: &ServiceWorkerContainer,
    worker: &ServiceWorker,
    on_ready: Rc<dyn Fn()>,
) {
    let container = container.clone();
    let observed = worker.clone();
    let on_state_change = Closure::<dyn Fn()>::new(move || {
        if observed.state() == ServiceWorkerState::Installed && container.controller().is_some() {
            on_ready();
        }
    })
    .into_js_value();
    worker.set_onstatechange(Some(on_state_change.unchecked_ref()));
}

/// Reload the page (the new version answers it).
fn reload() {
    if let Some(window) = web_sys::window() {
        if let Err(e) = window.location().reload() {
            web_tools::warn("could not reload the page", &e);
        }
    }
}
