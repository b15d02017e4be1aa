//! The one place for browser glue: window, document, location and the crash banner.

use wasm_bindgen::JsCast;

/// The current `location.hash`, or `""` outside a browser window.
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Set `document.title`.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// Remove the "Loading…" placeholder that `index.html` shows until the wasm runs.
pub fn remove_boot_placeholder() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}

/// Show the crash banner from `index.html` with `message`, so a panic never leaves a blank or
/// frozen page without explanation.
pub fn show_crash(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(banner) = doc.get_element_by_id("crash") else {
        return;
    };
    if let Some(detail) = doc.get_element_by_id("crash-detail") {
        detail.set_text_content(Some(message));
    }
    if let Ok(el) = banner.dyn_into::<web_sys::HtmlElement>() {
        el.set_hidden(false);
    }
}

/// Log panics to the console and show them in the crash banner.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash(&info.to_string());
    }));
}
